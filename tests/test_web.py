"""``newssearch serve``: the JSON API, spoken to over HTTP on loopback.

Each server is the real command in its own process (tests/webserver.py):
what a search answers is compared with the library's answer to the same
request; errors are checked for their status and their one-line JSON; the
server is seen to pick up another process's commit, to answer 503 for an
index it cannot read and recover once it is back, to finish a request in
flight when it gets SIGTERM, to keep serving while a client stalls, to ask
for its token and to send CORS headers only when told to.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import newssearch as ns
from newssearch.cli.output import full_article_to_json, hit_to_json
from newssearch.errors import IndexDamaged
from newssearch.search.request import FACET_FIELDS
from newssearch.web.app import Api
from newssearch.web.config import MAX_BODY_BYTES, MAX_TARGET_BYTES, ServeConfig
from newssearch.web.openapi import describe
from newssearch.web.server import REQUEST_SECONDS, listen
from tests.helpers import ARTICLES, EXAMPLES
from tests.webserver import ROOT, Served, still_running

TOKEN = "s3cret-token-for-the-tests-0123456789"
#: The clock of every compared search, so that the server and the library resolve relative dates alike.
NOW = "2025-01-01T00:00:00Z"


def _build(where: Path, *, shards: int = 1) -> Path:
    """An index of examples/ and the fixed articles, with a saved search that has alerts."""
    ix = ns.create_index(where, shards=shards)
    with ix:
        ix.add(ARTICLES[:2])
        ix.saved.add("strikes", "strike")
        ix.add(ns.read_path(EXAMPLES))
        ix.add(ARTICLES[2:])
    return where


def _as_json(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples become lists), to compare with what the server sent."""
    return json.loads(json.dumps(value))


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("web") / "ix")


@pytest.fixture(scope="module")
def served(index_dir) -> Any:
    with Served(index_dir) as server:
        yield server


# --- answers equal the library's ------------------------------------------------


SEARCHES = [
    ({"q": "port strike"}, {}),
    ({"q": "port strike", "match": "any"}, {"match": "any"}),
    ({"q": "minsk", "source": ["Wire Daily", "Example Times"], "facets": "source,section"},
     {"source": ["Wire Daily", "Example Times"], "facets": ["source", "section"]}),
    ({"q": "", "sort": "oldest", "size": 3, "page": 2}, {"sort": "oldest", "limit": 3, "page": 2}),
    ({"q": "", "since": "2024-10-01", "until": "2024-10-31", "tz": "Europe/Paris"},
     {"since": "2024-10-01", "until": "2024-10-31", "tz": "Europe/Paris"}),
    ({"q": "bank OR strike", "offset": 1, "size": 2, "all_copies": "true"}, {"offset": 1, "limit": 2, "all_copies": True}),
    ({"q": "strike", "sort": "recency", "half_life": "30d"}, {"sort": "recency", "half_life": "30d"}),
    ({"q": "strike harbour", "explain": "1"}, {"explain": True}),  # no article holds both: the fallback's hits
]


@pytest.mark.parametrize(("params", "options"), SEARCHES, ids=[str(p) for p, _ in SEARCHES])
def test_a_search_answers_what_the_library_answers(served, index_dir, params, options):
    answer = served.get("/api/search", {**params, "now": NOW})
    assert answer.status == 200, answer
    body = answer.json()
    with ns.open_index(index_dir) as ix:
        results = ix.search(params["q"], now=NOW, **options)
        suggestion = ix.suggest(params["q"]) if params["q"] else None
    listed = results if results.total else (results.fallback or results)
    assert body["hits"] == _as_json([hit_to_json(hit) for hit in listed])
    assert (body["total"], body["articles"], body["offset"], body["shown"]) == (results.total, results.articles, results.offset, len(results))
    assert body["suggestion"] == suggestion
    assert body.get("facets") == (results.facets if options.get("facets") else None)
    assert body["fallback"] == ({"total": results.fallback.total, "shown": len(results.fallback)} if not results.total and results.fallback else None)


def test_the_answers_are_not_all_alike(served):
    """The comparisons above mean something only if the searches differ and find things."""
    totals = {json.dumps(p): served.get("/api/search", {**p, "now": NOW}).json()["total"] for p, _ in SEARCHES}
    assert len(set(totals.values())) >= 4 and max(totals.values()) > 5


def test_an_article_its_related_stories_timeline_facets_and_stats(served, index_dir):
    with ns.open_index(index_dir) as ix:
        article = next(iter(ix.search("strike", now=NOW))).article
        similar = ix.similar(article.id, limit=3)
        timeline = ix.timeline("", by="month", now=NOW)
        facets = ix.search("", now=NOW, limit=0, facets=list(FACET_FIELDS))
        stats = ix.stats()
    assert served.get(f"/api/articles/{article.id}").json() == full_article_to_json(article)
    assert served.get(f"/api/articles/{article.id[:10]}").json()["id"] == article.id  # a unique prefix, as 'show' takes
    related = served.get(f"/api/articles/{article.id}/similar", {"size": 3}).json()
    assert related["hits"] == _as_json([hit_to_json(hit) for hit in similar]) and related["hits"]
    got = served.get("/api/timeline", {"by": "month", "now": NOW}).json()
    assert got["buckets"] == [{"start": s.isoformat(), "count": n} for s, n in timeline.buckets] and got["total"] == timeline.total
    counted = served.get("/api/facets", {"now": NOW}).json()
    assert counted["facets"] == facets.facets and counted["total"] == facets.total
    summary = served.get("/api/stats").json()
    assert (summary["articles"], summary["outlets"], summary["segments"]) == (stats.articles, stats.outlets, stats.segments)


def test_saved_searches_and_their_alerts_are_read_without_being_marked_read(served, index_dir):
    listed = served.get("/api/saved").json()["saved"]
    assert [(s["name"], s["query"]) for s in listed] == [("strikes", "strike")]
    unread = listed[0]["unread"]
    assert unread >= 2
    alerts = served.get("/api/saved/strikes/alerts").json()
    assert len(alerts["alerts"]) == unread and all("strike" in (a["title"] + a["snippet"]).lower() for a in alerts["alerts"])
    later = served.get("/api/saved/strikes/alerts", {"after": alerts["alerts"][0]["alert"], "size": 1}).json()
    assert [a["alert"] for a in later["alerts"]] == [alerts["alerts"][1]["alert"]]
    assert served.get("/api/saved/strikes").json()["unread"] == unread  # reading them marked nothing read


# --- errors ---------------------------------------------------------------------


ERRORS = [
    ("/api/search", {"q": "oil ("}, 400, "QuerySyntaxError", "is never closed"),
    ("/api/search", {"q": "x" * 5000}, 400, "QuerySyntaxError", "the limit is 4,096"),
    ("/api/search", {"sourse": "BBC"}, 400, "ConfigError", "unknown parameter 'sourse'"),
    ("/api/search", {"since": "the day after never"}, 400, "ConfigError", "the day after never"),
    ("/api/search", {"tz": "Mars/Olympus"}, 400, "ConfigError", "Mars/Olympus"),
    ("/api/search", {"size": 101}, 400, "ConfigError", "at most 100"),
    ("/api/search", {"page": 101, "size": 100}, 400, "ConfigError", "past the first 10,000"),
    ("/api/search", {"page": 2, "offset": 3}, 400, "ConfigError", "not both"),
    ("/api/search", {"size": "ten"}, 400, "ConfigError", "whole number"),
    ("/api/search", {"sort": ["date", "oldest"]}, 400, "ConfigError", "given 2 times"),
    ("/api/search", {"timeout": 60}, 400, "ConfigError", "at most 10 s"),
    ("/api/search", {"q": "strike", "timeout": "1e-9"}, 504, "SearchTimedOut", "time budget"),
    ("/api/timeline", {"by": "fortnight"}, 400, "ConfigError", "day, week, month, year"),
    ("/api/facets", {"facets": "colour"}, 400, "ConfigError", "cannot facet on 'colour'"),
    ("/api/articles/zzzzzzzzzzzzzzzz", {}, 404, "NotFound", "no article with id 'zzzzzzzzzzzzzzzz'"),
    ("/api/articles/zzzzzzzzzzzzzzzz/similar", {}, 404, "NotFound", "no article with id"),
    ("/api/saved/nothing", {}, 404, "NotFound", "no saved search named 'nothing'"),
    ("/api/saved/nothing/alerts", {}, 404, "NotFound", "no saved search named 'nothing'"),
    ("/api/stats", {"verbose": "1"}, 400, "ConfigError", "takes none"),
    ("/api/no/such/thing", {}, 404, "NotFound", "/api/openapi.json"),
]


@pytest.mark.parametrize(("path", "params", "status", "kind", "words"), ERRORS, ids=[f"{p} {s} {w}" for p, _, s, _, w in ERRORS])
def test_a_bad_request_is_one_json_line_with_its_status(served, path, params, status, kind, words):
    answer = served.get(path, params)
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["type"] == kind and words in error["message"], error
    assert "\n" not in error["message"] and "Traceback" not in error["message"]


def test_an_ambiguous_id_prefix_is_400_naming_the_candidates(served, index_dir):
    with ns.open_index(index_dir) as ix:
        ids = sorted(a.id for a in ix.iter_articles())
    shared = next(a[:1] for a, b in itertools.pairwise(ids) if a[:1] == b[:1])  # 20 ids, 16 first characters: two share one
    answer = served.get(f"/api/articles/{shared}")
    assert answer.status == 400 and answer.json()["error"]["type"] == "AmbiguousId"
    assert "give more of the id" in answer.json()["error"]["message"]


def test_an_oversized_request_is_413_before_anything_reads_it(served):
    long_target = served.get("/api/search", {"q": "a" * (MAX_TARGET_BYTES + 10)})
    assert long_target.status == 413 and long_target.json()["error"]["type"] == "RequestTooLarge"
    declared = served.request("POST", "/api/search", body=b"x" * (MAX_BODY_BYTES + 1), headers={"Content-Type": "application/json"})
    assert declared.status == 413 and "body" in declared.json()["error"]["message"]
    assert served.request("POST", "/api/search", body=b"{}").status == 405  # under the limit: the method is what is wrong
    too_long_head = served.get("/api/search", {"q": "a" * 70_000})  # past what h11 buffers: refused by the server itself
    assert too_long_head.status in (400, 413)


def test_the_error_statuses_are_described(served):
    problems = describe()["paths"]["/api/search"]["get"]["responses"]
    assert {"400", "401", "413", "503", "504"} <= set(problems)


# --- the OpenAPI description ------------------------------------------------------


def _routes() -> list[tuple[str, str]]:
    """Every path and method the application routes, read from it (not from the description)."""
    return [(route.path, method.lower()) for route in Api(ServeConfig(index="unused")).routes() for method in route.methods or () if method != "HEAD"]


def test_every_route_is_described_and_every_description_routed(served):
    described = served.get("/api/openapi.json").json()
    assert described["openapi"].startswith("3.1")
    assert sorted((path, method) for path, item in described["paths"].items() for method in item) == sorted(_routes())


def test_real_answers_have_the_keys_described(served, index_dir):
    spec = served.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    with ns.open_index(index_dir) as ix:
        some_id = next(iter(ix.search("strike"))).article.id
    answers = {
        "/api/search": served.get("/api/search", {"q": "strike", "facets": "source"}),
        "/api/facets": served.get("/api/facets"),
        "/api/timeline": served.get("/api/timeline"),
        "/api/articles/{article_id}": served.get(f"/api/articles/{some_id}"),
        "/api/articles/{article_id}/similar": served.get(f"/api/articles/{some_id}/similar"),
        "/api/stats": served.get("/api/stats"),
        "/api/saved": served.get("/api/saved"),
        "/api/saved/{name}": served.get("/api/saved/strikes"),
        "/api/saved/{name}/alerts": served.get("/api/saved/strikes/alerts"),
        "/api/suggest": served.get("/api/suggest", {"q": "stri"}),
    }
    json_paths = [p for p, item in spec["paths"].items() if "application/json" in item["get"]["responses"]["200"]["content"]]
    assert sorted(answers) == sorted(p for p in json_paths if p != "/api/openapi.json")  # the others: tests/test_web_feeds.py

    def check(value: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        if schema.get("type") == "object" and "required" in schema:
            assert isinstance(value, dict), where
            assert set(value) == set(schema["required"]) | (set(value) & set(schema["properties"])), f"{where}: {sorted(value)}"
            for key, inner in schema["properties"].items():
                if key in value:
                    check(value[key], inner, f"{where}.{key}")
        if schema.get("type") == "array":
            assert isinstance(value, list), where
            for item in value:
                check(item, schema["items"], f"{where}[]")

    for path, answer in answers.items():
        assert answer.status == 200, (path, answer)
        check(answer.json(), spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"], path)
    error = served.get("/api/articles/zzzzzzzzzzzzzzzz")
    check(error.json(), {"$ref": "#/components/schemas/Error"}, "error")


def test_the_described_parameters_are_those_the_endpoints_read(served):
    spec = served.get("/api/openapi.json").json()
    for path, item in spec["paths"].items():
        for parameter in item["get"].get("parameters", []):
            if parameter["in"] == "query":
                sample = {"facets": "source", "by": "week", "match": "any", "sort": "date"}.get(parameter["name"], "1")
                target = path.replace("{name}", "strikes").replace("{article_id}", "zzzz")
                answer = served.get(target, {parameter["name"]: sample})
                if answer.status == 400:  # a value it refuses is fine; a name it does not know is not
                    assert "unknown parameter" not in answer.json()["error"]["message"], (path, parameter["name"])


# --- the access log ----------------------------------------------------------------


def test_one_access_line_per_request_on_stderr(served):
    before = served.stderr().count("\n")
    served.get("/api/search", {"q": "port", "size": 1})
    served.get("/api/nowhere")
    deadline = time.monotonic() + 5  # each line is written once its answer is sent: a moment after the client has it
    targets = ("/api/search?q=port&size=1 ", "/api/nowhere ")  # a streamed download of an earlier test may log after its client returned
    while len(lines := [line for line in served.stderr().splitlines()[before:] if any(t in line for t in targets)]) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(lines) == 2, lines
    assert '"GET /api/search?q=port&size=1 HTTP/1.1" 200 ' in lines[0] and lines[0].endswith("ms")
    assert '"GET /api/nowhere HTTP/1.1" 404 ' in lines[1]


# --- a stalled client ----------------------------------------------------------------


def test_a_client_that_stalls_mid_request_holds_no_worker(served):
    stalled = [socket.create_connection(("127.0.0.1", served.port), timeout=5) for _ in range(3)]
    try:
        for sock in stalled:
            sock.sendall(b"GET /api/search?q=port HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")  # and nothing more
        started = time.monotonic()
        answer = served.get("/api/search", {"q": "port"}, timeout=5)
        assert answer.status == 200 and time.monotonic() - started < 2
    finally:
        for sock in stalled:
            sock.close()


@pytest.mark.slow  # waits out the server's 10 s deadline for a request to arrive
def test_a_stalled_request_is_closed_after_its_deadline(served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=REQUEST_SECONDS + 10) as sock:
        sock.sendall(b"GET /api/stats HTTP/1.1\r\nHost: 127")
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server, not answered
        assert REQUEST_SECONDS - 1 < time.monotonic() - started < REQUEST_SECONDS + 5


# --- a living index --------------------------------------------------------------------


def _index_in_another_process(index: Path, tmp_path: Path, title: str) -> None:
    item = tmp_path / f"{title.replace(' ', '-')}.json"
    item.write_text(json.dumps({"title": title, "body": f"{title}: a story that was not there before.", "url": f"https://example.org/{title}",
                                "published": "2024-12-01T10:00:00Z", "source": "Late Desk"}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newssearch", "index", str(item), "--index", str(index)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("shards", [1, 2])
def test_a_commit_by_another_process_is_answered_within_two_seconds(tmp_path, shards):
    index = _build(tmp_path / "ix", shards=shards)
    with Served(index) as server:
        assert server.get("/api/search", {"q": "zanzibar"}).json()["total"] == 0  # the index is open and searched
        _index_in_another_process(index, tmp_path, "zanzibar ferry")
        committed = time.monotonic()
        while server.get("/api/search", {"q": "zanzibar"}).json()["total"] == 0:
            assert time.monotonic() - committed < 2.0, "the commit was not seen within 2 s"
            time.sleep(0.05)
        assert server.get("/api/stats").json()["articles"] == len(ns.open_index(index))


def test_a_remembered_did_you_mean_gives_way_to_another_process_commit_within_two_seconds(tmp_path):
    """Each worker remembers its suggestions with the snapshot they were read
    from: asked twice before the commit (so that it is remembered), the
    misspelling finds nothing to suggest; once another process commits the
    word, the suggestion names it."""
    index = _build(tmp_path / "ix")
    with Served(index) as server:
        for _ in range(2):
            assert server.get("/api/search", {"q": "zanzibr ferry"}).json()["suggestion"] is None
        _index_in_another_process(index, tmp_path, "zanzibar ferry")
        committed = time.monotonic()
        while (answer := server.get("/api/search", {"q": "zanzibr ferry"}).json())["suggestion"] is None:
            assert time.monotonic() - committed < 2.0, "the commit did not reach the suggestion within 2 s"
            time.sleep(0.05)
        assert answer["suggestion"] == "zanzibar ferry"


def test_an_index_that_cannot_be_read_is_503_per_request_and_recovers(tmp_path):
    index = _build(tmp_path / "ix")
    with Served(index) as server:
        assert server.get("/api/search", {"q": "strike"}).status == 200
        index.rename(tmp_path / "away")  # gone
        for _ in range(2):  # every request says so; the server stays up
            gone = server.get("/api/search", {"q": "strike"})
            assert gone.status == 503 and gone.headers["retry-after"] == "2", gone
            assert gone.json()["error"]["type"] == "IndexNotFound" and str(index) in gone.json()["error"]["message"]
        damaged = shutil.copytree(tmp_path / "away", index)  # back, but with a file cut short
        segment = next(damaged.glob("*.trm"))
        with segment.open("r+b") as f:
            f.truncate(segment.stat().st_size // 2)
        with pytest.raises(IndexDamaged):  # what the library says of it, the server says too
            ns.open_index(index).search("strike")
        broken = server.get("/api/stats")
        assert broken.status == 503 and broken.json()["error"]["type"] == "IndexDamaged"
        assert "is damaged" in broken.json()["error"]["message"] and "\n" not in broken.json()["error"]["message"]
        shutil.rmtree(index)
        (tmp_path / "away").rename(index)  # fixed
        assert server.get("/api/search", {"q": "strike"}).status == 200
    assert "Traceback" not in server.stderr()


# --- stopping ----------------------------------------------------------------------------


def test_sigterm_lets_the_request_in_flight_finish(tmp_path):
    """A request whose answer is still being written (a 9 MB article to a
    client that has not read it yet) is in flight when SIGTERM comes: the
    client still gets all of it, and the server then exits 0."""
    index = tmp_path / "ix"
    with ns.create_index(index) as ix:
        ix.add(ns.Article(title="The longest article", body="word " * 1_800_000, url="https://example.org/long", source="Long Desk"))
        article_id = next(iter(ix.search("longest"))).article.id
    server = Served(index)
    got: dict[str, Any] = {}
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(f"GET /api/articles/{article_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    time.sleep(1.0)  # the answer is being written: 9 MB, more than the sockets' buffers hold while this client reads nothing
    stopper = threading.Thread(target=lambda: got.update(code=server.stop()))
    stopper.start()
    time.sleep(1.0)
    assert server.process.poll() is None, "the server exited with a request in flight"
    data = b""
    while chunk := sock.recv(1 << 20):
        data += chunk
    sock.close()
    stopper.join(60)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["body"] == "word " * 1_800_000
    assert got["code"] == 0


@pytest.mark.slow  # two worker processes start and stop (about 6 s)
def test_several_workers_answer_and_all_stop(index_dir):
    with Served(index_dir, "--workers", "2") as server:
        assert len(server.children()) >= 2
        assert all(server.get("/api/search", {"q": "strike"}).status == 200 for _ in range(6))


@pytest.mark.slow  # two worker processes start, then end with their killed parent (about 10 s)
def test_workers_end_when_serve_is_killed_outright(index_dir):
    # kill -9 runs no clean-up: the workers went on answering on the port as children of init
    server = Served(index_dir, "--workers", "2")
    workers = server.kill()
    assert len(workers) >= 2
    assert still_running(workers, 20) == []
    with pytest.raises(OSError):
        server.get("/api/stats", timeout=2)


# --- access: the read token and CORS ----------------------------------------------------


def test_the_read_token_is_needed_and_never_logged(index_dir):
    with Served(index_dir, env={"NEWSSEARCH_READ_TOKEN": TOKEN}) as server:
        for answer in (server.get("/api/search", {"q": "strike"}),
                       server.get("/api/search", {"q": "strike"}, headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"}),
                       server.get("/api/stats", {"token": "wrong"})):
            assert answer.status == 401 and answer.headers["www-authenticate"].startswith("Bearer"), answer
            assert answer.json()["error"]["type"] == "AccessDenied"
        assert server.get("/api/search", {"q": "strike"}, headers={"Authorization": f"Bearer {TOKEN}"}).status == 200
        assert server.get("/api/search", {"q": "strike", "token": TOKEN}).status == 200
        assert server.get("/api/openapi.json").status == 200  # what the API is, not what the index holds
    assert TOKEN not in server.stderr() and "token=***" in server.stderr()


def test_a_short_read_token_is_refused_at_start(index_dir):
    done = subprocess.run([sys.executable, "-m", "newssearch", "serve", "--index", str(index_dir), "--port", "0", "--read-token", "short"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "at least 16 characters" in done.stderr and "Traceback" not in done.stderr


def test_cors_is_off_unless_origins_are_named(served, index_dir):
    origin = {"Origin": "https://desk.example.org"}
    assert "access-control-allow-origin" not in served.get("/api/stats", headers=origin).headers
    with Served(index_dir, "--cors", "https://desk.example.org") as server:
        allowed = server.get("/api/stats", headers=origin)
        assert allowed.headers["access-control-allow-origin"] == "https://desk.example.org"
        other = server.get("/api/stats", headers={"Origin": "https://elsewhere.example.com"})
        assert "access-control-allow-origin" not in other.headers
        preflight = server.request("OPTIONS", "/api/search", headers={**origin, "Access-Control-Request-Method": "GET",
                                                                      "Access-Control-Request-Headers": "Authorization"})
        assert preflight.status == 200 and "authorization" in preflight.headers["access-control-allow-headers"].lower()


def test_a_missing_index_or_a_port_in_use_is_one_line_at_start(tmp_path, served):
    for args, words in ((["--index", str(tmp_path / "none")], "no index at"),
                        (["--index", str(served.index), "--port", str(served.port)], f"cannot listen on 127.0.0.1:{served.port}")):
        done = subprocess.run([sys.executable, "-m", "newssearch", "serve", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_connections_to_the_listening_socket_have_nodelay():
    """asyncio sets TCP_NODELAY only on sockets whose proto says TCP; on a
    socket made with proto 0, every answer on a kept-alive connection
    waited 40 ms for the client's delayed ACK (p50 44 ms for a 1 ms answer)."""
    sock = listen("127.0.0.1", 0)
    seen: list[int] = []

    class Note(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Note, sock=sock)
        client = socket.create_connection(sock.getsockname()[:2])
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        client.close()
        server.close()

    asyncio.run(accept_one())
    assert seen and seen[0] != 0
