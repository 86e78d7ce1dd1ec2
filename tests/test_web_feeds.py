"""Suggestions, Atom feeds, the OpenSearch description and downloads, over HTTP on loopback.

Each server is the real ``newssearch serve`` process (tests/webserver.py),
except behind a path prefix, where uvicorn itself runs the same application
in a thread with ``root_path`` set, as a reverse proxy's configuration
would, on a real loopback socket. The index holds a hostile article (a
headline of ``<script>``, ``]]>`` and control characters, a ``javascript:``
address): every feed must still parse and link nowhere but http(s).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import uvicorn

import newssearch as ns
from newssearch.errors import SearchTimedOut
from newssearch.search.request import SearchRequest
from newssearch.web.app import create_app
from newssearch.web.atom import FeedEntry, atom_feed, xml_text
from newssearch.web.config import ServeConfig
from newssearch.web.downloads import csv_chunks
from tests.helpers import ARTICLES, EXAMPLES
from tests.webserver import ROOT, Served

ATOM = "{http://www.w3.org/2005/Atom}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"
TOKEN = "feeds-token-for-the-tests-0123456789"
HOSTILE_TITLE = "Strike <script>window.pwned=1</script> ]]> &amp; \x01\x0b\x1f\ufffe ends"
HOSTILE = ns.Article(title=HOSTILE_TITLE, body="A strike at the harbour ended <b>today</b>.", url="javascript:alert(1)",
                     published=datetime(2024, 12, 30, 8, 0, tzinfo=timezone.utc), source="Hostile <Desk>")


def _build(where: Path) -> Path:
    with ns.create_index(where) as ix:
        ix.add(ARTICLES[:2])
        ix.saved.add("strikes", "strike")
        ix.add(ns.read_path(EXAMPLES))
        ix.add([*ARTICLES[2:], HOSTILE])
    return where


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("feeds") / "ix")


@pytest.fixture(scope="module")
def served(index_dir) -> Iterator[Served]:
    with Served(index_dir, "--max-rows", "5") as server:
        yield server


def _feed(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{required}") or "").strip(), required
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # entries may have none: the feed's stands
    for entry in root.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        links = entry.findall(f"{ATOM}link")
        assert any(link.get("rel") == "alternate" for link in links)
        assert all(link.get("href", "").startswith(("http://", "https://")) for link in links), [link.attrib for link in links]
    return root


def _entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


# --- suggestions -------------------------------------------------------------------


def test_suggestions_complete_a_prefix_from_the_index(served, index_dir):
    answer = served.get("/api/suggest", {"q": "stri"})
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    with ns.open_index(index_dir) as ix:
        expected = ix.complete("stri")
    assert body["query"] == "stri" and expected
    assert body["suggestions"] == [{"text": c.text, "kind": c.kind, "weight": c.weight} for c in expected]
    assert all(s["text"].lower().startswith("stri") for s in body["suggestions"])
    assert served.get("/api/suggest", {"q": "stri", "size": 2}).json()["suggestions"] == body["suggestions"][:2]
    assert served.get("/api/suggest", {"q": ""}).json() == {"query": "", "suggestions": []}


def test_suggestions_in_the_opensearch_format(served):
    answer = served.get("/suggest", {"q": "ceasef"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/x-suggestions+json")
    query, completions = answer.json()
    assert query == "ceasef" and completions and all(c.lower().startswith("ceasef") for c in completions)


@pytest.mark.parametrize(("params", "words"), [({"q": "a", "size": 21}, "at most 20"), ({"q": "a", "sort": "date"}, "unknown parameter 'sort'"),
                                               ({"q": ["a", "b"]}, "given 2 times")])
def test_a_bad_suggestion_request_is_400(served, params, words):
    answer = served.get("/api/suggest", params)
    assert answer.status == 400 and words in answer.json()["error"]["message"], answer


# --- Atom ---------------------------------------------------------------------------


def test_a_search_feed_lists_the_newest_matches_first(served, index_dir):
    answer = served.get("/feed", {"q": "strike"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    root = _feed(answer.body)
    entries = _entries(root)
    with ns.open_index(index_dir) as ix:
        expected = ix.search("strike", sort="date", limit=50)
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"tag:newssearch,2024:article:{hit.article.id}" for hit in expected]
    published = [e.findtext(f"{ATOM}published") for e in entries]
    dated = [p for p in published if p]
    assert len(dated) >= 3 and dated == sorted(dated, reverse=True) and published[: len(dated)] == dated  # undated last
    assert root.findtext(f"{ATOM}updated") == published[0]
    base = f"http://127.0.0.1:{served.port}/"
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == f"{base}feed?q=strike"
    first = entries[0]
    related = [link.get("href") for link in first.findall(f"{ATOM}link")]
    assert f"{base}article/{expected[0].article.id}" in related
    time.sleep(0.01)
    assert served.get("/feed", {"q": "strike"}).body == answer.body  # ids and times are stable between polls


def test_a_hostile_headline_is_text_in_well_formed_xml(served):
    answer = served.get("/feed", {"q": "harbour"})
    root = _feed(answer.body)  # parses: the control characters are gone, the rest escaped
    hostile = next(e for e in _entries(root) if "script" in (e.findtext(f"{ATOM}title") or ""))
    assert hostile.findtext(f"{ATOM}title") == "Strike <script>window.pwned=1</script> ]]> &amp;  ends"
    assert b"<script>" not in answer.body and b"&lt;script&gt;" in answer.body
    links = hostile.findall(f"{ATOM}link")
    assert [link.get("rel") for link in links] == ["alternate"]  # javascript: is no link: the server's page is the only one
    assert links[0].get("href", "").startswith(f"http://127.0.0.1:{served.port}/article/")
    assert hostile.find(f"{ATOM}category").get("term") == "Hostile <Desk>"


def test_xml_invalid_characters_are_dropped_and_nothing_else():
    text = "a\x00b\x08c\x0bd\x1fe\ud800f\ufffeg\uffffh\tI\nJ\rK ]]> <&> \U0001f600"
    assert xml_text(text) == "abcdefgh\tI\nJ\rK ]]> <&> \U0001f600"
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    body = atom_feed([FeedEntry("abc", text, "https://example.org/?a=1&b=<2>", when, when, "S\x01", ("A\x02",), "]]>\x03")],
                     feed_id="x", title="t\x04", self_url="http://h/feed", html_url="http://h/search", base_url="http://h/", updated=when)
    root = ET.fromstring(body)
    entry = root.find(f"{ATOM}entry")
    # (a parser reads a carriage return as a line feed: XML's end-of-line rule)
    assert entry.findtext(f"{ATOM}title") == xml_text(text).replace("\r", "\n") and entry.findtext(f"{ATOM}summary") == "]]>"
    assert entry.find(f"{ATOM}link").get("href") == "https://example.org/?a=1&b=<2>"


def test_a_feed_takes_the_search_filters_and_refuses_a_page(served):
    dated = _entries(_feed(served.get("/feed", {"q": "strike", "since": "2024-12-30"}).body))
    assert len(dated) == 1 and "Strike" in dated[0].findtext(f"{ATOM}title")
    for params, words in (({"q": "strike", "page": 2}, "unknown parameter 'page'"), ({"q": "oil ("}, "never closed"),
                          ({"since": "the day after never"}, "the day after never")):
        answer = served.get("/feed", params)
        assert answer.status == 400 and words in answer.json()["error"]["message"], answer


def test_a_saved_search_feed_lists_its_alerts_newest_first(served):
    alerts = served.get("/api/saved/strikes/alerts").json()["alerts"]
    answer = served.get("/saved/strikes/feed")
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    root = _feed(answer.body)
    assert [e.findtext(f"{ATOM}id") for e in _entries(root)] == [f"tag:newssearch,2024:article:{a['id']}" for a in reversed(alerts)]
    assert root.findtext(f"{ATOM}id") == "tag:newssearch,2024:saved/strikes"
    assert served.get("/api/saved/strikes").json()["unread"] == len(alerts)  # the feed marked none read
    missing = served.get("/saved/nothing/feed")
    assert missing.status == 404 and "no saved search named 'nothing'" in missing.json()["error"]["message"]


# --- OpenSearch ---------------------------------------------------------------------


def test_the_opensearch_description_names_the_page_suggestions_and_feed(served):
    answer = served.get("/opensearch.xml")
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(answer.body)
    assert root.tag == f"{OS}OpenSearchDescription" and root.findtext(f"{OS}ShortName") == "newssearch"
    templates = {url.get("type"): url.get("template") for url in root.findall(f"{OS}Url")}
    base = f"http://127.0.0.1:{served.port}/"
    assert templates == {"text/html": f"{base}search?q={{searchTerms}}", "application/x-suggestions+json": f"{base}suggest?q={{searchTerms}}",
                         "application/atom+xml": f"{base}feed?q={{searchTerms}}", "application/opensearchdescription+xml": f"{base}opensearch.xml"}
    for kind in ("application/x-suggestions+json", "application/atom+xml"):  # the templates work
        filled = templates[kind].replace("{searchTerms}", "strike").removeprefix(base.rstrip("/"))
        assert served.get(filled).status == 200


# --- downloads -------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newssearch", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_a_csv_download_is_the_clis_csv_up_to_the_row_cap(served, index_dir):
    small = served.get("/api/search.csv", {"q": "minsk", "tz": "Europe/Paris"})
    assert small.status == 200 and small.headers["content-type"].startswith("text/csv")
    assert small.headers["content-disposition"] == 'attachment; filename="newssearch-minsk.csv"'
    cli = _cli("search", "minsk", "--csv", "--tz", "Europe/Paris", "--index", str(index_dir))
    assert small.body.decode("utf-8") == cli.stdout and len(cli.stdout.splitlines()) >= 3
    assert small.headers["x-newssearch-rows"] == str(len(cli.stdout.splitlines()) - 1) and "x-newssearch-truncated" not in small.headers
    capped = served.get("/api/search.csv", {"q": "", "sort": "oldest"})  # every article; the server's cap is 5
    rows = list(csv.reader(io.StringIO(capped.body.decode("utf-8"))))
    cli_rows = list(csv.reader(io.StringIO(_cli("search", "--sort", "oldest", "-n", "5", "--csv", "--index", str(index_dir)).stdout)))
    assert rows == cli_rows and len(rows) == 6
    assert capped.headers["x-newssearch-rows"] == "5" and "the first 5 of" in capped.headers["x-newssearch-truncated"]
    assert capped.headers["content-disposition"] == 'attachment; filename="newssearch-all.csv"'


def test_a_jsonl_download_is_the_export(served, index_dir):
    answer = served.get("/api/search.jsonl", {"q": "minsk"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/jsonl")
    exported = _cli("export", "minsk", "--index", str(index_dir))
    assert answer.body.decode("utf-8") == exported.stdout and exported.stdout.count("\n") >= 2
    assert all("body" in json.loads(line) for line in answer.body.splitlines())
    capped = served.get("/api/search.jsonl")
    assert capped.body.decode("utf-8").splitlines() == _cli("export", "--index", str(index_dir)).stdout.splitlines()[:5]
    assert "x-newssearch-truncated" in capped.headers
    assert served.get("/api/search.jsonl", {"size": 3}).status == 400


def test_a_csv_whose_later_pages_run_out_of_time_ends_in_an_error_not_a_short_file(index_dir):
    with ns.open_index(index_dir) as ix:
        request = SearchRequest.build("", timeout=0.5)
        first = ix.search(request.replace(limit=2))
        chunks = csv_chunks(first, request, len(ix), ix.search, timezone.utc, time.monotonic() - 1)  # its budget spent
        assert [next(chunks).split(",")[0] for _ in range(3)] == ["rank", "1", "2"]
        with pytest.raises(SearchTimedOut):
            next(chunks)
        pages = csv_chunks(first, request, len(ix), ix.search, timezone.utc, time.monotonic())  # in time: every row
        assert len(list(pages)) == len(ix) + 1


def test_a_download_past_its_time_budget_is_504_before_any_row(served):
    answer = served.get("/api/search.csv", {"q": "strike", "timeout": "1e-9"})
    assert answer.status == 504 and answer.json()["error"]["type"] == "SearchTimedOut"


# --- the token, and a path prefix -------------------------------------------------------


def test_feeds_and_suggestions_need_the_read_token_and_never_repeat_it(index_dir):
    with Served(index_dir, env={"NEWSSEARCH_READ_TOKEN": TOKEN}) as server:
        for path in ("/feed", "/saved/strikes/feed", "/suggest", "/api/suggest", "/api/search.csv", "/api/search.jsonl"):
            assert server.get(path, {"q": "strike"} if "saved" not in path else None).status == 401, path
        assert server.get("/opensearch.xml").status == 200  # what the server offers, not what the index holds
        answer = server.get("/feed", {"q": "strike", "token": TOKEN})
        assert answer.status == 200 and TOKEN.encode() not in answer.body
        assert server.get("/saved/strikes/feed", {"token": TOKEN}).status == 200


class _InThread:
    """The application under uvicorn in a thread, on a loopback socket, with ``root_path`` as a proxy's prefix."""

    def __init__(self, config: ServeConfig, root_path: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(create_app(config), root_path=root_path, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> _InThread:  # noqa: PYI034 - final in all but name
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()


def test_behind_a_path_prefix_every_link_is_under_it(index_dir):
    def get(port: int, target: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", target)
        response = conn.getresponse()
        try:
            return response.status, response.read()
        finally:
            conn.close()

    with _InThread(ServeConfig(index=str(index_dir), read_token=TOKEN), "/news") as server:
        base = f"http://127.0.0.1:{server.port}/news/"
        status, body = get(server.port, "/opensearch.xml")  # the proxy strips its prefix; uvicorn puts it back as root_path
        assert status == 200
        templates = [url.get("template") for url in ET.fromstring(body).findall(f"{OS}Url")]
        assert templates and all(t.startswith(base) for t in templates), templates
        assert get(server.port, "/feed?q=strike")[0] == 401  # the prefix hides no address from the token
        status, body = get(server.port, f"/feed?q=strike&token={TOKEN}")
        root = _feed(body)
        hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
        assert f"{base}feed?q=strike" in hrefs and f"{base}search?q=strike" in hrefs
        assert any(h.startswith(f"{base}article/") for h in hrefs)


def test_every_address_answers_the_media_type_described(served):
    spec = served.get("/api/openapi.json").json()
    samples = {"/saved/{name}/feed": "/saved/strikes/feed"}
    checked = 0
    for path, item in spec["paths"].items():
        (media_type,) = item["get"]["responses"]["200"]["content"]
        answer = served.get(samples.get(path, path).replace("{article_id}", "zzzz").replace("{name}", "strikes"))
        if answer.status == 200:
            assert answer.headers["content-type"].split(";")[0] == media_type, path
            checked += 1
    assert checked >= 12
