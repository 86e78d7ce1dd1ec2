"""Writes over HTTP and the saved searches' page, against a real ``newssearch serve`` on loopback.

The write token turns writes on (403 without one configured, 401 without it
or with another); saved searches go in and out through the API and the CLI
sees them; a deleted article is gone from the next search; a delete that
finds the index locked by another process waits, then answers 503 with
Retry-After; and the page's forms refuse what a browser on another site
could send (no CSRF token, a foreign Origin, no Origin at all, a forged
session cookie).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

import newssearch as ns
from newssearch.cli import cli
from newssearch.dates import format_datetime
from newssearch.web.csrf import COOKIE_NAME, SESSION_SECONDS, Sessions
from newssearch.web.problems import RETRY_AFTER
from newssearch.web.writes import LOCK_WAIT, SAVED_FIELDS
from tests.helpers import ARTICLES, EXAMPLES
from tests.webserver import ROOT, Answer, Served

WRITE = "write-token-for-the-tests-0123456789"
READ = "read-token-for-the-tests-0123456789"
#: The alert the page must list: saved before this article was indexed.
ALERTED = ARTICLES[2]


def _build(where: Path) -> Path:
    ix = ns.create_index(where)
    with ix:
        ix.add(ns.read_path(EXAMPLES))
        ix.add(ARTICLES[:2])
        ix.saved.add("minsk", "minsk")
        ix.add(ARTICLES[2:])
    return where


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("writes") / "ix")


@pytest.fixture(scope="module")
def writable(index_dir):
    with Served(index_dir, env={"NEWSSEARCH_WRITE_TOKEN": WRITE}) as server:
        yield server


def _bearer(token: str = WRITE) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _post_saved(server: Served, fields: dict, token: str = WRITE) -> Answer:
    return server.request("POST", "/api/saved", headers=_bearer(token), body=json.dumps(fields).encode())


def _cli_saved(runner, index_dir: Path) -> dict[str, dict]:
    listed = runner.invoke(cli, ["saved", "list", "--json", "--index", str(index_dir)])
    assert listed.exit_code == 0, listed.stderr
    return {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}


# --- the write token ------------------------------------------------------------


def test_every_write_is_403_when_no_write_token_is_configured(index_dir):
    with Served(index_dir) as server:
        for method, path, body in [("POST", "/api/saved", b'{"name": "x", "query": "minsk"}'),
                                   ("DELETE", "/api/saved/minsk", None),
                                   ("DELETE", f"/api/articles/{ARTICLES[0].id}", None)]:
            refused = server.request(method, path, headers=_bearer("any-token-at-all-0123456789"), body=body)
            assert refused.status == 403, refused
            assert refused.json()["error"] == {"type": "Forbidden", "message": refused.json()["error"]["message"]}
            assert "writes are off" in refused.json()["error"]["message"]
        page = server.request("POST", "/saved", headers={"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded",
                                                         "Origin": f"http://127.0.0.1:{server.port}"}, body=b"name=x&query=minsk")
        assert page.status == 403 and page.headers["content-type"].startswith("text/html")
        assert "writes are off" in page.body.decode()
        shown = server.get("/saved").body.decode()
        assert "<form" not in shown.split("</header>")[1].replace('class="search"', "")  # no form that writes
    with ns.open_index(index_dir) as ix:
        assert [s.name for s in ix.saved.list()] == ["minsk"] and ix.get(ARTICLES[0].id) is not None


def test_a_write_without_the_write_token_or_with_another_is_401(writable):
    missing = writable.request("POST", "/api/saved", headers={"Content-Type": "application/json"}, body=b'{"name": "a", "query": "b"}')
    assert missing.status == 401 and "Authorization: Bearer" in missing.json()["error"]["message"]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = _post_saved(writable, {"name": "a", "query": "b"}, token="not-the-write-token-0123456789")
    assert wrong.status == 401 and wrong.json()["error"]["message"] == "the token given is not this server's write token"
    assert writable.request("DELETE", f"/api/articles/{ARTICLES[0].id}", headers={"Authorization": "Basic eDp5"}).status == 401
    assert "a" not in {s["name"] for s in writable.get("/api/saved").json()["saved"]}


def test_the_write_token_reads_too_when_reading_needs_a_token(index_dir):
    with Served(index_dir, env={"NEWSSEARCH_WRITE_TOKEN": WRITE, "NEWSSEARCH_READ_TOKEN": READ}) as server:
        assert server.get("/api/saved").status == 401
        assert server.get("/api/saved", headers={"Authorization": f"Bearer {WRITE}"}).status == 200
        made = _post_saved(server, {"name": "read and write", "query": "grain"})
        assert made.status == 201, made
        assert _post_saved(server, {"name": "with the read token", "query": "grain"}, token=READ).status == 401  # reading is not writing
        assert server.request("DELETE", "/api/saved/read and write".replace(" ", "%20"), headers=_bearer()).status == 200


# --- saved searches ---------------------------------------------------------------


def test_a_saved_search_added_over_http_is_listed_by_the_cli_and_removed(writable, index_dir, runner):
    made = _post_saved(writable, {"name": "grain ports", "query": "grain exports", "source": ["Example Times"], "since": "2022-01-01", "match": "any"})
    assert made.status == 201, made
    assert made.headers["location"] == "/api/saved/grain%20ports"
    assert made.json()["options"] == {"source": ["Example Times"], "since": "2022-01-01", "match": "any"}
    listed = _cli_saved(runner, index_dir)
    assert listed["grain ports"]["query"] == "grain exports" and listed["grain ports"]["options"]["source"] == ["Example Times"]
    assert writable.get("/api/saved/grain ports".replace(" ", "%20")).json()["query"] == "grain exports"

    again = _post_saved(writable, {"name": "grain ports", "query": "other"})
    assert again.status == 409 and again.json()["error"]["type"] == "SavedSearchExists"
    replaced = _post_saved(writable, {"name": "grain ports", "query": "black sea", "replace": True})
    assert replaced.status == 201 and _cli_saved(runner, index_dir)["grain ports"]["query"] == "black sea"

    removed = writable.request("DELETE", "/api/saved/grain%20ports", headers=_bearer())
    assert removed.status == 200 and removed.json() == {"removed": "grain ports"}
    assert "grain ports" not in _cli_saved(runner, index_dir)
    gone = writable.request("DELETE", "/api/saved/grain%20ports", headers=_bearer())
    assert gone.status == 404 and gone.json()["error"]["message"] == "no saved search named 'grain ports'"


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "bad query", "query": "(minsk AND"}, "is never closed"),
    ({"name": "bad date", "query": "minsk", "since": "the day after never"}, "cannot read 'the day after never' as a date"),
    ({"name": "bad zone", "query": "minsk", "tz": "Mars/Olympus"}, "Mars/Olympus"),
    ({"name": "bad/name", "query": "minsk"}, "bad saved search name 'bad/name'"),
    ({"name": "typo", "query": "minsk", "sorce": "BBC"}, "a saved search has no field 'sorce'"),
    ({"name": "bad limit", "query": "minsk", "limit": 0}, "field 'limit' must be a whole number"),
    ({"name": "bad source", "query": "minsk", "source": 3}, "field 'source' must be a string or a list of strings"),
    ({"query": "minsk"}, "a saved search needs a name"),
])
def test_a_saved_search_that_cannot_be_saved_is_400_with_the_cli_s_message(writable, fields, message):
    refused = _post_saved(writable, fields)
    assert refused.status == 400, refused
    assert message in refused.json()["error"]["message"]
    assert fields.get("name") not in {s["name"] for s in writable.get("/api/saved").json()["saved"]}


def test_a_body_that_is_not_a_json_object_is_400(writable):
    for body in (b"name=x", b"[1, 2]", b""):
        refused = writable.request("POST", "/api/saved", headers=_bearer(), body=body)
        assert refused.status == 400 and refused.json()["error"]["type"] == "ConfigError", (body, refused)


# --- deleting an article ----------------------------------------------------------


def test_a_deleted_article_is_gone_from_the_next_search(writable, index_dir, runner):
    victim = ARTICLES[1]
    assert victim.id in {h["id"] for h in writable.get("/api/search", {"q": "grain exports"}).json()["hits"]}
    prefix = writable.request("DELETE", f"/api/articles/{victim.id[:8]}", headers=_bearer())
    assert prefix.status == 400 and f"a prefix of the id {victim.id}" in prefix.json()["error"]["message"]
    deleted = writable.request("DELETE", f"/api/articles/{victim.id}", headers=_bearer())
    assert deleted.status == 200 and deleted.json() == {"deleted": victim.id}
    assert victim.id not in {h["id"] for h in writable.get("/api/search", {"q": "grain exports"}).json()["hits"]}
    assert writable.get(f"/api/articles/{victim.id}").status == 404
    shown = runner.invoke(cli, ["show", victim.id, "--index", str(index_dir)])
    assert shown.exit_code != 0
    again = writable.request("DELETE", f"/api/articles/{victim.id}", headers=_bearer())
    assert again.status == 404 and again.json()["error"]["message"] == f"no article with id {victim.id!r}"


_HOLD = """
import sys, time
from newssearch.engine.locking import WriteLock
lock = WriteLock(sys.argv[1])
assert lock.acquire()
print("held", flush=True)
sys.stdin.readline()
"""


def test_a_delete_waits_for_the_lock_then_answers_503_with_retry_after(writable, index_dir):
    victim = ARTICLES[3]
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(index_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        locked = writable.request("DELETE", f"/api/articles/{victim.id}", headers=_bearer())
        waited = time.monotonic() - started
        assert locked.status == 503, locked
        assert locked.headers["retry-after"] == str(RETRY_AFTER)
        assert locked.json()["error"]["type"] == "IndexLocked"
        assert f"process {holder.pid}" in locked.json()["error"]["message"] and "--wait" not in locked.json()["error"]["message"]
        assert LOCK_WAIT * 0.9 <= waited < LOCK_WAIT + 5, waited
        assert writable.get(f"/api/articles/{victim.id}").status == 200  # nothing deleted
        assert writable.get("/api/search", {"q": "museum"}).status == 200  # and reading goes on meanwhile
        saved = _post_saved(writable, {"name": "while locked", "query": "museum"})  # saved searches are not under the index lock
        assert saved.status == 201, saved
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert writable.request("DELETE", f"/api/articles/{victim.id}", headers=_bearer()).status == 200
    assert writable.request("DELETE", "/api/saved/while%20locked", headers=_bearer()).status == 200


# --- the saved searches' page and its forms ---------------------------------------


class Browser:
    """What a browser sends to the page: its cookie, its Origin, the page's CSRF token."""

    def __init__(self, server: Served) -> None:
        self.server = server
        self.origin = f"http://127.0.0.1:{server.port}"
        self.cookie = ""

    def page(self, params: dict | None = None) -> str:
        answer = self.server.get("/saved", params, headers={"Cookie": self.cookie} if self.cookie else {})
        assert answer.status == 200, answer
        assert answer.headers["referrer-policy"] == "same-origin"  # so that the forms' POSTs carry our Origin
        return answer.body.decode("utf-8")

    def csrf(self) -> str:
        return html.unescape(re.search(r'name="csrf" value="([^"]*)"', self.page()).group(1))

    def post(self, path: str, fields: dict, *, origin: str | None = "", referer: str | None = None) -> Answer:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
        if origin is not None:
            headers["Origin"] = origin or self.origin
        if referer is not None:
            headers["Referer"] = referer
        if self.cookie:
            headers["Cookie"] = self.cookie
        return self.server.request("POST", path, headers=headers, body=urlencode(fields).encode())

    def sign_in(self) -> Answer:
        answer = self.post("/saved/signin", {"write_token": WRITE})
        assert answer.status == 303, answer
        self.cookie = answer.headers["set-cookie"].split(";")[0]
        return answer


def _names(server: Served) -> set[str]:
    return {s["name"] for s in server.get("/api/saved").json()["saved"]}


def test_signing_in_sets_an_httponly_samesite_strict_cookie(writable):
    browser = Browser(writable)
    assert "Sign in" in browser.page() and 'name="csrf"' not in browser.page()
    wrong = browser.post("/saved/signin", {"write_token": "not-it-not-it-not-it"})
    assert wrong.status == 401 and "set-cookie" not in wrong.headers
    assert "not this server&#39;s write token" in wrong.body.decode()
    cookie = browser.sign_in().headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and WRITE not in cookie
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= set(attributes) and attributes["samesite"].strip().lower() == "samesite=strict"
    assert 'name="csrf"' in browser.page()


def test_the_form_adds_marks_read_and_removes_a_saved_search(writable, runner, index_dir):
    browser = Browser(writable)
    browser.sign_in()
    added = browser.post("/saved", {"csrf": browser.csrf(), "name": "from the form", "query": "museum", "source": "Wire Daily"})
    assert added.status == 303 and added.headers["location"].endswith("/saved"), added
    assert _cli_saved(runner, index_dir)["from the form"]["options"]["source"] == ["Wire Daily"]
    assert "from the form" in browser.page()

    taken = browser.post("/saved", {"csrf": browser.csrf(), "name": "from the form", "query": "other words"})
    assert taken.status == 409 and "exists" in taken.body.decode() and 'value="other words"' in taken.body.decode()  # what was typed is kept

    assert _cli_saved(runner, index_dir)["minsk"]["unread"] == 1
    through = re.search(r'action="/saved/minsk/read".*?name="through" value="(\d+)"', browser.page(), re.DOTALL).group(1)
    assert browser.post("/saved/minsk/read", {"csrf": browser.csrf(), "through": through}).status == 303
    assert _cli_saved(runner, index_dir)["minsk"]["unread"] == 0

    remove = re.search(r'action="(/saved/from[^"]*/remove)"', browser.page()).group(1)  # the form's own address, as a browser posts it
    assert remove == "/saved/from%20the%20form/remove"
    assert browser.post(remove, {"csrf": browser.csrf()}).status == 303
    assert "from the form" not in _cli_saved(runner, index_dir)


@pytest.mark.parametrize("forgery", ["no csrf token", "wrong csrf token", "foreign origin", "foreign referer", "no origin", "forged cookie", "expired session", "no cookie"])
def test_a_form_sent_from_elsewhere_is_refused(writable, forgery):
    browser = Browser(writable)
    browser.sign_in()
    fields = {"csrf": browser.csrf(), "name": f"forged {forgery}", "query": "minsk"}
    options: dict = {}
    if forgery == "no csrf token":
        del fields["csrf"]
    elif forgery == "wrong csrf token":
        fields["csrf"] = "0" * 64
    elif forgery == "foreign origin":
        options["origin"] = "https://evil.example.com"
    elif forgery == "foreign referer":
        options.update(origin=None, referer="https://evil.example.com/page")
    elif forgery == "no origin":
        options["origin"] = None
    elif forgery == "forged cookie":  # another session id under the real session's signature: the page must not take it
        _session, issued, signature = browser.cookie.split("=", 1)[1].split(".")
        browser.cookie = f"{COOKIE_NAME}=chosen-by-the-attacker.{issued}.{signature}"
        found = re.search(r'name="csrf" value="([^"]*)"', browser.page())  # a page that took the cookie would hand out its CSRF token
        fields["csrf"] = html.unescape(found.group(1)) if found else ""
    elif forgery == "expired session":  # signed with the server's key, but older than a session lasts
        sessions = Sessions(WRITE)
        browser.cookie = f"{COOKIE_NAME}={sessions.issue(now=time.time() - SESSION_SECONDS - 60)}"
        fields["csrf"] = sessions.csrf_token(browser.cookie.split("=", 1)[1].split(".")[0])
    elif forgery == "no cookie":
        browser.cookie = ""
    refused = browser.post("/saved", fields, **options)
    assert refused.status == 403, refused
    assert refused.headers["content-type"].startswith("text/html")
    assert f"forged {forgery}" not in _names(writable)
    # the same form, sent as the page sends it, goes through: the refusal was for the forgery alone
    if forgery not in ("forged cookie", "expired session", "no cookie"):
        fields["csrf"] = browser.csrf()
        assert browser.post("/saved", fields, referer=None).status == 303
        assert writable.request("DELETE", f"/api/saved/forged%20{forgery.replace(' ', '%20')}", headers=_bearer()).status == 200


def test_signing_in_from_another_site_is_refused(writable):
    browser = Browser(writable)
    refused = browser.post("/saved/signin", {"write_token": WRITE}, origin="https://evil.example.com")
    assert refused.status == 403 and "set-cookie" not in refused.headers


def test_the_page_lists_each_saved_search_with_its_new_alerts_in_the_reader_s_zone(index_dir, tmp_path):
    where = _build(tmp_path / "ix")
    with Served(where) as server:
        body = Browser(server).page({"tz": "Asia/Tokyo"})
    main = body.split("<main", 1)[1]
    assert "minsk" in main and "1 new" in main
    assert html.escape(ALERTED.title) in main and ALERTED.source in main
    assert format_datetime(ALERTED.published, ZoneInfo("Asia/Tokyo")) in main
    assert f'href="/article/{ALERTED.id}?tz=Asia%2FTokyo"' in main
    assert 'href="/saved/minsk/feed"' in main and 'href="/search?q=minsk&amp;match=all&amp;tz=Asia%2FTokyo"' in main
    assert "<script" not in main


def test_the_writes_are_described_and_their_answers_have_the_keys_described(writable):
    spec = writable.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    made = _post_saved(writable, {"name": "described", "query": "museum"})
    removed = writable.request("DELETE", "/api/saved/described", headers=_bearer())
    for path, method, status, answer in [("/api/saved", "post", "201", made), ("/api/saved/{name}", "delete", "200", removed)]:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"writeToken": []}]
        assert {"401", "403"} <= set(operation["responses"])
        schema = schemas[operation["responses"][status]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        assert answer.status == int(status) and set(schema["required"]) <= set(answer.json()), (path, answer)
    assert set(schemas["NewSaved"]["properties"]) == set(SAVED_FIELDS)
    assert {"409", "400"} <= set(spec["paths"]["/api/saved"]["post"]["responses"])
    assert "503" in spec["paths"]["/api/articles/{article_id}"]["delete"]["responses"]
