"""Following feeds (newssearch.live.follow) against a real HTTP server on loopback.

Feeds are written here; pages are real ones from ../shared's extraction
benchmark. Nothing reaches beyond this machine."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.ingest import htmlpage
from newssearch.live.feedlist import read_feed_list
from newssearch.live.fetch import Politeness
from newssearch.live.follow import Follower, FollowReport
from newssearch.live import follow as follow_module
from newssearch.live.state import STOP_AFTER, FeedState, retry_delay

from tests.helpers import shared
from tests.loopback import Loopback, refuse_off_machine

FAST = Politeness(delay=0.0, timeout=1.0, deadline=3.0, retries=1, backoff=0.01, max_bytes=2 * 2**20)
RSS = "application/rss+xml"
VOCABULARY = (
    "river barge canal flood engineer council budget crane harbour ferry bridge tunnel tide storm dredger quay"
    " pier towpath sluice reservoir inspector contract steel concrete repair delay winter summer cargo grain"
    " timber coal salmon anglers rowing regatta mayor minister survey report warning closure detour crew"
).split()

LONG = (
    "The port authority said on Tuesday that container traffic rose for a fourth month as shipping lines added"
    " capacity on the northern routes, and that the new terminal would open in the spring after delays caused by"
    " the winter storms. Officials expect volumes to keep growing through the year, helped by lower fuel costs and"
    " a recovery in exports of machinery and farm goods to markets in Asia and the Americas, the authority said in"
    " a statement published with its monthly figures."
)


def item(n: int, *, title: str | None = None, body: str | None = None, link: str | None = None, date: str | None = "auto", summary_only: bool = False) -> str:
    """One RSS item: by default a full-text entry dated a day ago."""
    when = format_datetime(datetime.now(timezone.utc) - timedelta(days=1, minutes=n)) if date == "auto" else date
    text = body if body is not None else f"{LONG} Item {n} of the port series."
    parts = [f"<title>{title or f'Port traffic report {n}'}</title>", f"<guid>urn:port:{n}</guid>"]
    parts.append(f"<link>{link or f'https://news.example.org/port/{n}'}</link>")
    if when:
        parts.append(f"<pubDate>{when}</pubDate>")
    if summary_only:
        parts.append(f"<description>{text}</description>")
    else:
        parts.append(f"<description>Port traffic rose.</description><content:encoded><![CDATA[<p>{text}</p>]]></content:encoded>")
    return "<item>" + "".join(parts) + "</item>"


def rss(*items: str, title: str = "Harbour Herald") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>https://news.example.org/</link><description>x</description>"
        + "".join(items)
        + "</channel></rss>"
    )


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Were the address policy broken, a test would connect where its URLs point: refused and failed here instead."""
    off = refuse_off_machine(monkeypatch)
    yield
    assert off.tried == [], f"connections beyond loopback were tried: {off.tried}"


@pytest.fixture
def ix(tmp_path: Path):
    index = ns.create_index(tmp_path / "ix")
    yield index
    index.close()


def test_new_entries_are_indexed_between_rounds_and_etags_honoured(ix, loopback: Loopback) -> None:
    loopback.add("/feed.xml", rss(item(1), item(2)), content_type=RSS, etag='"v1"')
    follower = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST)
    first = follower.round()
    assert (first.added, first.feeds[0].status, first.feeds[0].new) == (2, "new", 2)
    loopback.add("/feed.xml", rss(item(3), item(1), item(2)), content_type=RSS, etag='"v2"')
    second = follower.round()
    assert (second.added, second.feeds[0].new, second.feeds[0].entries) == (1, 1, 3)
    third = follower.round()
    assert third.feeds[0].status == "not modified" and third.added == 0
    assert loopback.requests("/feed.xml")[-1].headers.get("If-None-Match") == '"v2"'
    assert len(ix) == 3
    hit = ix.search("container traffic", limit=1).hits[0]
    assert hit.article.source == "Harbour Herald" and hit.article.date_source == "feed"
    assert "newssearch" in loopback.requests("/feed.xml")[0].headers.get("User-Agent")


def _benchmark_pages(count: int) -> list[tuple[str, str, str]]:
    """(id, html, gold body) of real pages whose gold body is long."""
    root = shared("data", "news-extraction-benchmark")
    gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for page_id in sorted(gold):
        body = gold[page_id]["articleBody"]
        if 300 <= len(body.split()) <= 1500 and body.isascii():
            html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
            out.append((page_id, html, body))
        if len(out) == count:
            return out
    raise AssertionError("not enough benchmark pages")


@pytest.mark.shared
def test_summary_entries_are_read_from_their_pages_once(ix, loopback: Loopback) -> None:
    pages = _benchmark_pages(3)
    items = []
    for n, (page_id, html, _gold) in enumerate(pages):
        loopback.add(f"/story/{page_id}", html)
        items.append(item(n, title=f"Teaser {n}", body="A short teaser of the story.", link=f"{loopback.url}/story/{page_id}", summary_only=True))
    loopback.add("/feed.xml", rss(*items), content_type=RSS)  # no validators: fetched whole each round
    report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST).round()
    assert report.added == 3 and report.pages == 3 and not report.page_failures
    for page_id, _html, gold in pages:
        stored = [a for a in ix.iter_articles() if a.path == f"{loopback.url}/story/{page_id}"]
        assert stored, page_id
        body = stored[0].body
        assert len(body.split()) >= 100  # the page's text, not the teaser
        gold_words = set(gold.lower().split())
        assert len(gold_words & set(body.lower().split())) / len(gold_words) > 0.6
        assert stored[0].date_source and stored[0].date_source != "text"
    # a restart: a new index object and follower; the feed is fetched again, its pages are not
    ix.close()
    again = ns.open_index(ix.path)
    report = Follower(again, [loopback.url + "/feed.xml"], politeness=FAST).round()
    assert (report.added, report.pages) == (0, 0)
    assert all(len(loopback.requests(f"/story/{page_id}")) == 1 for page_id, _h, _g in pages)
    assert len(again) == 3
    again.close()


def test_a_page_that_cannot_be_fetched_keeps_the_feeds_text(ix, loopback: Loopback) -> None:
    loopback.add("/gone", "", status=404)
    loopback.add("/feed.xml", rss(item(1, body="Short teaser about the harbour.", link=f"{loopback.url}/gone", summary_only=True)), content_type=RSS)
    report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST).round()
    assert report.added == 1 and report.pages == 0
    assert "HTTP 404" in report.page_failures[0]
    assert ix.search("harbour teaser").total == 1


@pytest.mark.slow  # waits out back-offs
def test_failing_feeds_are_reported_backed_off_and_never_stop_the_others(ix, loopback: Loopback) -> None:
    loopback.add("/good.xml", rss(item(1)), content_type=RSS, etag='"g"')
    loopback.add("/slow.xml", rss(item(2)), content_type=RSS, delay=3.0)
    loopback.add("/error.xml", "oops", status=500)
    loopback.add("/loop-a", redirect="/loop-b")
    loopback.add("/loop-b", redirect="/loop-a")
    loopback.add("/huge.xml", content_type=RSS, stream_bytes=50 * 2**20)
    loopback.add("/broken.xml", "<html><body><p>Not a feed at all <b>unclosed", content_type=RSS)
    urls = [loopback.url + p for p in ("/slow.xml", "/error.xml", "/loop-a", "/huge.xml", "/broken.xml", "/good.xml")]
    follower = Follower(ix, urls, politeness=FAST)
    report = follower.round()
    by_url = {f.url.rsplit("/", 1)[1]: f for f in report.feeds}
    assert by_url["good.xml"].status == "new" and report.added == 1
    assert "timed out" in by_url["slow.xml"].problem
    assert "HTTP 500" in by_url["error.xml"].problem
    assert "redirect" in by_url["loop-a"].problem
    assert "too large" in by_url["huge.xml"].problem
    assert loopback.sent("/huge.xml") < 10 * 2**20  # stopped early, not read whole
    assert by_url["broken.xml"].status == "failed" and "feed" in by_url["broken.xml"].problem
    for name in ("slow.xml", "error.xml", "loop-a", "huge.xml", "broken.xml"):
        assert by_url[name].status == "failed" and by_url[name].failures == 1
        assert by_url[name].next_try is not None
    requests_before = len(loopback.requests())
    again = follower.round()  # at once: the failing feeds wait their turn
    statuses = {f.url.rsplit("/", 1)[1]: f.status for f in again.feeds}
    assert statuses == {"slow.xml": "waiting", "error.xml": "waiting", "loop-a": "waiting", "huge.xml": "waiting", "broken.xml": "waiting", "good.xml": "not modified"}
    assert len(loopback.requests()) == requests_before + 1
    assert retry_delay(1) < retry_delay(3) <= timedelta(days=1)
    # when the wait is over, a failing feed is tried again and its failures counted on
    state = FeedState(ix.path)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert state.status(urls[1]).due(later)
    assert state.failed(urls[1], later, "HTTP 500").failures == 2


def test_a_malformed_feed_is_read_as_far_as_it_goes(ix, loopback: Loopback) -> None:
    broken = rss(item(1), item(2)).replace("</channel></rss>", "<item><title>Cut off <b>mid")
    loopback.add("/feed.xml", broken, content_type=RSS)
    report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST).round()
    assert report.feeds[0].status == "new" and report.added == 2
    assert any("not well-formed" in n for n in report.notices)


def test_entries_dated_in_the_future_or_not_at_all_are_dated_when_seen(ix, loopback: Loopback) -> None:
    future = format_datetime(datetime(2100, 1, 1, tzinfo=timezone.utc))
    loopback.add("/feed.xml", rss(item(1, date=future), item(2, date=None), item(3)), content_type=RSS)
    before = datetime.now(timezone.utc)
    report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST).round()
    after = datetime.now(timezone.utc)
    assert report.added == 3 and report.dated_when_seen == 2
    assert any("future" in n or "2100" in n for n in report.notices)
    by_link = {a.url.rsplit("/", 1)[1]: a for a in ix.iter_articles()}
    for n in ("1", "2"):
        assert by_link[n].date_source == "seen"
        assert before - timedelta(seconds=1) <= by_link[n].published <= after
    assert by_link["3"].date_source == "feed" and by_link["3"].published < before - timedelta(hours=23)


def test_alerts_are_delivered_once_and_wire_copies_held_back(ix, loopback: Loopback) -> None:
    ix.saved.add("port", "container traffic")
    got: list[ns.Alert] = []
    loopback.add("/a.xml", rss(item(1)), content_type=RSS)
    follower = Follower(ix, [loopback.url + "/a.xml", loopback.url + "/b.xml"], politeness=FAST, on_alert=lambda a: got.append(a) or True)
    loopback.add("/b.xml", rss(title="Other Gazette"), content_type=RSS)
    report = follower.round()
    assert report.alerts == 1 and [a.title for a in got] == ["Port traffic report 1"]
    # another outlet's copy of the same wire story, and an unrelated new story
    loopback.add("/b.xml", rss(item(1, link="https://gazette.example.com/wire/port-1"), item(9, title="Lighthouse restored", body="The old lighthouse was restored " * 20), title="Other Gazette"), content_type=RSS)
    report = follower.round()
    assert report.added == 2 and report.alerts == 0 and len(got) == 1
    assert follower.round().alerts == 0 and len(got) == 1


def test_feed_lists_and_opml(tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text("# mine\nhttps://a.example/rss\n\nhttp://b.example/atom.xml\n")
    assert read_feed_list(listing) == ["https://a.example/rss", "http://b.example/atom.xml"]
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="News">'
        '<outline type="rss" text="A" xmlUrl="https://a.example/rss"/></outline>'
        '<outline type="rss" text="C" xmlUrl="https://c.example/feed"/></body></opml>'
    )
    assert read_feed_list(opml) == ["https://a.example/rss", "https://c.example/feed"]
    listing.write_text("https://a.example/rss\nftp://nope\n")
    with pytest.raises(ns.ConfigError, match=r"feeds.txt:2"):
        read_feed_list(listing)


# --- the command line -------------------------------------------------------


@pytest.mark.slow  # benchmark pages through the CLI
def test_cli_follow_once_prints_alerts_as_text_json_and_to_a_command(runner, tmp_path: Path, loopback: Loopback) -> None:
    from newssearch.cli import cli

    where = tmp_path / "ix"
    ns.create_index(where).saved.add("port", "container traffic")
    feed = loopback.url + "/feed.xml"
    loopback.add("/feed.xml", rss(item(1)), content_type=RSS)
    common = ["--index", str(where), "--delay", "0", "--timeout", "2"]
    result = runner.invoke(cli, ["follow", feed, "--once", *common])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("[port] Port traffic report 1")
    assert "1 new alerts" in result.stderr
    evil = "Port traffic $(touch pwned) `touch pwned2`; touch pwned3"
    other = "Container traffic at the river port of {} fell sharply after the lock gates failed, officials said. " * 4
    loopback.add("/feed.xml", rss(item(2, title=evil, body=other.replace("{}", "Linz"))), content_type=RSS)
    result = runner.invoke(cli, ["follow", "--once", "--json", *common])  # the feed is remembered
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["title"] == evil and json.loads(line)["saved"] == "port"
    hook = tmp_path / "hook.py"
    out = tmp_path / "hook.out"
    hook.write_text(
        "import json, os, sys\n"
        f"with open({str(out)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'stdin': json.loads(sys.stdin.read()), 'title': os.environ['NEWSSEARCH_TITLE'],"
        " 'saved': os.environ['NEWSSEARCH_SAVED']}) + '\\n')\n"
    )
    third = "Container traffic through the canal doubled in {} as the new locks opened to larger barges and ships. " * 4
    loopback.add("/feed.xml", rss(item(3, title=evil + " again", body=third.replace("{}", "March"))), content_type=RSS)
    result = runner.invoke(cli, ["follow", "--once", "--exec", f"{sys.executable} {hook}", *common], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    (record,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert record["title"] == evil + " again" == record["stdin"]["title"] and record["saved"] == "port"
    assert not any(Path(name).exists() for name in ("pwned", "pwned2", "pwned3"))
    assert not any((tmp_path / name).exists() for name in ("pwned", "pwned2", "pwned3"))
    loopback.add("/feed.xml", "nope", status=500)
    result = runner.invoke(cli, ["follow", "--once", *common])
    assert result.exit_code == 1 and "HTTP 500" in result.stderr


@pytest.mark.slow  # a follower process
def test_cli_follow_stops_cleanly_on_sigterm(tmp_path: Path, loopback: Loopback) -> None:
    where = tmp_path / "ix"
    ns.create_index(where)
    loopback.add("/feed.xml", rss(*(item(n) for n in range(30))), content_type=RSS)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newssearch", "follow", loopback.url + "/feed.xml", "--index", str(where), "--every", "1h", "--delay", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not loopback.requests("/feed.xml"):
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    ix = ns.open_index(where)
    assert ns.check_index(where).ok
    assert len(ix) in (0, 30)  # one commit or none: never half a batch
    with ix.writer(timeout=0) as w:  # no lock left behind
        w.add(ns.Article(title="After the stop", body="The follower left the index unlocked."))
    ix.close()


@pytest.mark.slow  # follower processes killed mid-round
def test_a_follower_killed_mid_round_loses_and_repeats_nothing(tmp_path: Path, loopback: Loopback) -> None:
    """kill -9 while pages are being fetched and batches committed: the rerun
    indexes every entry once, and alerts each story once."""
    where = tmp_path / "ix"
    ns.create_index(where).saved.add("lock", "lock gates")
    items = []
    for n in range(24):
        words = random.Random(n).sample(VOCABULARY, 40)  # a different story on each page
        text = f"The lock gates at weir {n} were repaired. " + " ".join(words) + "."
        loopback.add(f"/p/{n}", f"<html><head><title>Weir {n} repaired</title></head><body><article><h1>Weir {n} repaired</h1><p>{text}</p></article></body></html>", delay=0.15)
        items.append(item(n, title=f"Weir {n}", body="Teaser.", link=f"{loopback.url}/p/{n}", summary_only=True))
    loopback.add("/feed.xml", rss(*items), content_type=RSS)
    command = [sys.executable, "-m", "newssearch", "follow", loopback.url + "/feed.xml", "--once", "--delay", "0", "--batch", "5", "--index", str(where)]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60

    def committed() -> int:
        with ns.open_index(where) as ix:
            return len(ix)

    # robots, the feed, some pages, and a batch committed: then kill
    while time.monotonic() < deadline and (len(loopback.requests()) < 12 or not committed()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ix = ns.open_index(where)
    kept = {a.title for a in ix.iter_articles()}
    assert len(kept) < 24  # killed mid-round
    ix.close()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ix = ns.open_index(where)
    titles = sorted(a.title for a in ix.iter_articles())
    assert titles == sorted(f"Weir {n} repaired" for n in range(24))
    alerts = ix.saved.alerts("lock")  # every alert recorded (the rerun printed them: they count as read)
    assert sorted(a.title for a in alerts) == titles  # each story alerted once, none lost
    # the pages of articles committed before the kill were not fetched again
    # (those fetched but not committed may be: how many depends on how far
    # fetching ran ahead of the commits when the kill came)
    assert kept and all(len(loopback.requests(f"/p/{n}")) == 1 for n in range(24) if f"Weir {n} repaired" in kept)
    ix.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_follower_says_it_stopped_and_leaves_nothing_behind(tmp_path: Path, loopback: Loopback, sig) -> None:
    loopback.add("/feed.xml", rss(item(1)), content_type=RSS)
    where = tmp_path / "ix"
    command = [sys.executable, "-m", "newssearch", "follow", loopback.url + "/feed.xml", "--every", "1h", "--index", str(where)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60

    def committed() -> int:
        if not (where / "newssearch.json").exists():
            return 0
        with ns.open_index(where) as ix:
            return len(ix)

    while time.monotonic() < deadline and not committed():  # the first round's commit: then it waits an hour
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Stopping after the current commit" in err and err.splitlines()[-1].startswith("Stopped: "), err
    assert "Traceback" not in err
    with ns.open_index(where) as ix:
        assert len(ix) == 1
    assert not (where / "follow.lock").exists() or not _locked(where / "follow.lock")


def _locked(path: Path) -> bool:
    """Whether another process holds the follower's lock on ``path``."""
    import fcntl

    with open(path, "a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False


@pytest.mark.slow  # waits out politeness delays
def test_hosts_are_fetched_at_once_each_at_its_own_pace(ix, loopback: Loopback) -> None:
    import socket

    if "127.0.0.1" not in {i[4][0] for i in socket.getaddrinfo("localhost", loopback.port, proto=socket.IPPROTO_TCP)}:
        pytest.skip("localhost does not resolve to 127.0.0.1 here")
    hosts = {"a": loopback.url, "b": loopback.url.replace("127.0.0.1", "localhost")}
    for name, base in hosts.items():
        items = []
        for n in range(3):
            loopback.add(f"/{name}/p{n}", f"<html><head><title>{name} {n}</title></head><body><article><p>{LONG} {name} {n}</p></article></body></html>")
            items.append(item(n, title=f"{name} {n}", body="Teaser.", link=f"{base}/{name}/p{n}", summary_only=True))
        loopback.add(f"/{name}/feed.xml", rss(*items), content_type=RSS)
    report = Follower(ix, [hosts["a"] + "/a/feed.xml", hosts["b"] + "/b/feed.xml"], politeness=dataclasses.replace(FAST, delay=0.6)).round()
    assert report.added == 6 and report.pages == 6
    seen = [s for s in loopback.requests() if "/p" in s.path]
    by_host = {h: sorted(s.time for s in seen if s.headers.get("Host", "").startswith(h)) for h in ("127.0.0.1", "localhost")}
    for times in by_host.values():  # each host at its own pace
        # the delay is between the client's starts; the server notes arrivals, which a loaded
        # machine delays by up to a scheduling slice (0.33 s between two starts 0.4 s apart was seen
        # in CI under load); without the pacing the gaps are milliseconds
        assert len(times) == 3 and all(b - a >= 0.6 - 0.15 for a, b in zip(times, times[1:])), times
    # and at the same time: the second host's pages did not wait for the first's
    assert by_host["localhost"][0] < by_host["127.0.0.1"][-1]


def test_a_round_that_cannot_commit_is_reported_and_tried_again(ix, loopback: Loopback) -> None:
    loopback.add("/feed.xml", rss(item(1)), content_type=RSS, etag='"e"')
    errors: list[ns.NewsSearchError] = []
    follower = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST, wait=0.1)

    def failed(exc: ns.NewsSearchError) -> None:
        errors.append(exc)
        if len(errors) == 2:  # the follower went on after the first
            follower.stop()

    with ix.writer():  # another writer holds the lock
        follower.run(timedelta(seconds=0.1), on_error=failed)
    assert len(errors) == 2 and all(isinstance(e, ns.IndexLocked) for e in errors) and len(ix) == 0
    again = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST).round()
    assert again.added == 1  # the entry was not recorded as seen, nor the ETag kept


# --- no feed can stop the follower or turn it inward ---------------------------------------------------


def test_an_entry_with_a_lone_surrogate_stops_nothing(ix, loopback: Loopback) -> None:
    loopback.add("/bad.xml", rss(item(1, title="Bad &#xD800; title"), item(2, title="Worse &#1114112; and &#xDFFF;")), content_type=RSS)
    loopback.add("/good.xml", rss(item(3, title="A good title")), content_type=RSS)
    follower = Follower(ix, [loopback.url + "/bad.xml", loopback.url + "/good.xml"], politeness=FAST)
    report = follower.round()
    assert [(f.status, f.new) for f in report.feeds] == [("new", 2), ("new", 1)] and report.added == 3
    titles = sorted(a.title for a in ix.iter_articles())
    assert titles == ["A good title", "Bad \ufffd title", "Worse \ufffd and \ufffd"]
    rounds: list[FollowReport] = []

    def done(r: FollowReport) -> None:
        rounds.append(r)
        if len(rounds) == 2:
            follower.stop()

    follower.run(timedelta(seconds=0.05), on_round=done)  # rounds go on (on_error unset: an error would raise)
    assert len(rounds) == 2 and all(r.failed == [] for r in rounds)


def test_a_feed_that_breaks_its_reader_fails_alone_in_one_line(ix, loopback: Loopback) -> None:
    # UTF-16 hides the reference from the byte-level cleaning; feedparser then raises on it itself
    loopback.add("/utf16.xml", rss(item(1, title="Bad &#xD800; title")).replace("utf-8", "utf-16").encode("utf-16"), content_type=RSS)
    loopback.add("/good.xml", rss(item(2)), content_type=RSS)
    report = Follower(ix, [loopback.url + "/utf16.xml", loopback.url + "/good.xml"], politeness=FAST).round()
    (failed,) = report.failed
    assert failed.url.endswith("/utf16.xml") and failed.problem.startswith("cannot read the feed (UnicodeEncodeError: ")
    assert "\n" not in failed.problem and report.added == 1


def test_entries_pointing_inward_are_indexed_from_the_feed_alone(ix, loopback: Loopback) -> None:
    resolve = {"metadata.test": ["169.254.169.254"], "intranet.test": ["127.0.0.1"]}
    policy = ns.AddressPolicy(resolver=lambda host, port: resolve[host])
    with Loopback() as inside:
        secret = f"<html><head><title>Payroll</title></head><body><article><p>{LONG} zebracorn payroll</p></article></body></html>"
        inside.add("/secret", secret)
        loopback.add("/secret", secret)
        loopback.add("/own", f"<html><head><title>Own page</title></head><body><article><p>{LONG} own host page</p></article></body></html>")
        loopback.add("/hop", redirect=f"{inside.url}/secret")
        links = [f"http://metadata.test:{loopback.port}/latest", f"http://intranet.test:{loopback.port}/secret",
                 f"{inside.url}/secret", f"{loopback.url}/hop", f"{loopback.url}/own"]
        items = [item(n, title=f"Teaser {n}", body="A short teaser.", link=link, summary_only=True) for n, link in enumerate(links)]
        loopback.add("/feed.xml", rss(*items), content_type=RSS)
        report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST, addresses=policy).round()
        assert inside.requests() == []
    assert report.added == 5 and report.pages == 1  # only the page on the feed's own host and port
    assert [f.split(": ", 1)[0] for f in report.page_failures] == links[:4]
    assert all(": address refused: " in f and "\n" not in f for f in report.page_failures)
    assert "169.254.169.254, a cloud metadata address (never fetched)" in report.page_failures[0]
    assert ix.search("zebracorn").total == 0 and ix.search("teaser").total == 4
    assert [s.path for s in loopback.requests() if s.path != "/robots.txt"] == ["/feed.xml", "/hop", "/own"]  # the hop is asked, not followed


def test_allow_private_opens_the_intranet_but_never_metadata(ix, loopback: Loopback) -> None:
    resolve = {"metadata.test": ["169.254.169.254"], "intranet.test": ["127.0.0.1"]}
    policy = ns.AddressPolicy(allow_private=True, resolver=lambda host, port: resolve[host])
    loopback.add("/page", f"<html><head><title>Intranet page</title></head><body><article><p>{LONG} intranet</p></article></body></html>")
    items = [item(1, body="Teaser.", link=f"http://intranet.test:{loopback.port}/page", summary_only=True),
             item(2, body="Teaser.", link=f"http://metadata.test:{loopback.port}/latest", summary_only=True)]
    loopback.add("/feed.xml", rss(*items), content_type=RSS)
    report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST, addresses=policy).round()
    assert report.pages == 1 and len(report.page_failures) == 1 and "cloud metadata" in report.page_failures[0]
    assert ix.search("title:intranet").total == 1


def test_a_second_follower_of_an_index_is_refused(ix, loopback: Loopback) -> None:
    loopback.add("/feed.xml", rss(item(1)), content_type=RSS)
    first = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST)
    second = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST)
    blocked: list[Exception] = []

    def in_round(_report: FollowReport) -> None:
        try:
            second.round()
        except ns.FollowerRunning as exc:
            blocked.append(exc)
        first.stop()

    first.run(timedelta(seconds=1), on_round=in_round)
    (error,) = blocked
    assert str(error) == f"another follower (process {os.getpid()}) is running on the index {ix.path}: one at a time, so that no alert is delivered twice"
    assert isinstance(error, ns.IndexLocked)
    again = second.round()  # the first is done: the second may follow now
    assert again.feeds[0].status == "new" and again.added == 0


@pytest.mark.slow  # two follower processes
def test_two_follower_processes_deliver_each_alert_once(tmp_path: Path, loopback: Loopback) -> None:
    where = tmp_path / "ix"
    ns.create_index(where).saved.add("lock", "lock gates")
    items = []
    for n in range(8):
        words = random.Random(n).sample(VOCABULARY, 40)
        loopback.add(f"/p/{n}", f"<html><head><title>Weir {n} repaired</title></head><body><article><h1>Weir {n} repaired</h1><p>The lock gates at weir {n} were repaired. {' '.join(words)}.</p></article></body></html>", delay=0.2)
        items.append(item(n, title=f"Weir {n}", body="Teaser.", link=f"{loopback.url}/p/{n}", summary_only=True))
    loopback.add("/feed.xml", rss(*items), content_type=RSS)
    command = [sys.executable, "-m", "newssearch", "follow", loopback.url + "/feed.xml", "--once", "--delay", "0", "--batch", "2", "--json", "--index", str(where)]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not loopback.requests("/feed.xml"):
        time.sleep(0.02)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert second.returncode == 1 and second.stdout == ""
    assert second.stderr == f"Error: another follower (process {first.pid}) is running on the index {where}: one at a time, so that no alert is delivered twice\n"
    alerts = [json.loads(line)["id"] for line in out.splitlines()]
    assert len(alerts) == 8 == len(set(alerts))
    assert len(loopback.requests("/feed.xml")) == 1  # the second never fetched


def test_cli_refuses_entries_on_other_private_hosts_unless_allow_private(runner, tmp_path: Path, loopback: Loopback) -> None:
    from newssearch.cli import cli

    with Loopback() as inside:
        inside.add("/page", f"<html><head><title>Intranet page</title></head><body><article><p>{LONG} zebracorn</p></article></body></html>")
        loopback.add("/feed.xml", rss(item(1, body="Teaser.", link=f"{inside.url}/page", summary_only=True)), content_type=RSS)
        common = [loopback.url + "/feed.xml", "--once", "--delay", "0", "--timeout", "2"]
        refused = runner.invoke(cli, ["follow", *common, "--index", str(tmp_path / "a")])
        assert refused.exit_code == 0, refused.stderr
        assert f"  page not fetched: {inside.url}/page: address refused: 127.0.0.1, a loopback address (allowed only on a followed feed's own host and port, or with --allow-private)\n" in refused.stderr
        assert inside.requests() == []
        allowed = runner.invoke(cli, ["follow", *common, "--allow-private", "--index", str(tmp_path / "b")])
        assert allowed.exit_code == 0 and "1 pages fetched" in allowed.stderr
        assert len(inside.requests("/page")) == 1


def test_a_reader_bug_on_one_page_or_entry_costs_that_entry_alone(ix, loopback: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for bugs not yet met: the page reader raising on one page, the entry's completion on another."""
    real_reader, real_page = htmlpage.article_from_html, Follower._page

    def reader(text, source, options, url=None):
        if url and url.endswith("/p/1"):
            raise RuntimeError("reader bug")
        return real_reader(text, source, options, url=url)

    def page(self, entry, options, done):
        if entry.url.endswith("/p/2"):
            raise RuntimeError("entry bug")
        return real_page(self, entry, options, done)

    monkeypatch.setattr(htmlpage, "article_from_html", reader)
    monkeypatch.setattr(Follower, "_page", page)
    for n in range(3):
        loopback.add(f"/p/{n}", f"<html><head><title>Page {n}</title></head><body><article><p>{LONG} page {n}</p></article></body></html>")
    loopback.add("/feed.xml", rss(*(item(n, title=f"Entry {n}", body="Teaser.", link=f"{loopback.url}/p/{n}", summary_only=True) for n in range(3))), content_type=RSS)
    report = Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST).round()
    assert sorted(a.title for a in ix.iter_articles()) == ["Entry 1", "Page 0"]  # page 1 from the feed's text; entry 2 skipped
    assert report.page_failures == [f"{loopback.url}/p/1: cannot read the page (RuntimeError: reader bug); kept the feed's text"]
    assert report.skipped == [f"{loopback.url}/p/2: RuntimeError: entry bug"] and report.failed == []


LOCAL_WIRE_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>OPEC holds output steady | Local Wire</title>'
    '<meta property="og:site_name" content="Local Wire"><meta property="article:published_time" content="2024-03-14T09:30:00Z">'
    f"</head><body><article><h1>OPEC holds output steady</h1><p>OPEC ministers met on Thursday. {LONG}</p></article></body></html>"
)


def test_an_entrys_outlet_is_its_feeds_whether_or_not_its_page_was_fetched(ix, loopback: Loopback) -> None:
    loopback.add("/story", LOCAL_WIRE_PAGE)
    loopback.add("/gone", "", status=404)
    teaser = "OPEC ministers met on Thursday."
    feed = rss(
        item(1, title="OPEC holds output steady", body=teaser, link=f"{loopback.url}/story", summary_only=True),
        item(2, title="OPEC ministers meet again", body=teaser, link=f"{loopback.url}/gone", summary_only=True),
        title="Energy Desk",
    )
    loopback.add("/energy.xml", feed, content_type=RSS)
    ix.saved.add("opec", "opec", source=["Energy Desk"])
    report = Follower(ix, [loopback.url + "/energy.xml"], politeness=FAST).round()
    assert (report.added, report.pages, len(report.page_failures)) == (2, 1, 1)  # one page read, one not found
    by_path = {a.path: a for a in ix.iter_articles()}
    assert by_path[f"{loopback.url}/story"].date_source == "meta"  # the page's article: its text and date
    assert {a.source for a in by_path.values()} == {"Energy Desk"}
    # the page's own site name is kept beside the outlet; the entry whose page was not read has none
    assert {a.title: a.site for a in by_path.values()} == {"OPEC holds output steady": "Local Wire", "OPEC ministers meet again": None}
    assert sorted(a.title for a in ix.saved.new("opec")) == ["OPEC holds output steady", "OPEC ministers meet again"]


def test_a_page_that_names_its_feeds_outlet_adds_no_site(ix, loopback: Loopback) -> None:
    loopback.add("/story", LOCAL_WIRE_PAGE)
    loopback.add("/wire.xml", rss(item(1, body="Short.", link=f"{loopback.url}/story", summary_only=True), title="local wire"), content_type=RSS)
    Follower(ix, [loopback.url + "/wire.xml"], politeness=FAST).round()
    (article,) = ix.iter_articles()
    assert (article.source, article.site) == ("local wire", None)


def test_a_name_given_for_a_feed_is_its_entries_outlet_and_remembered(ix, loopback: Loopback) -> None:
    loopback.add("/story", LOCAL_WIRE_PAGE)
    loopback.add("/energy.xml", rss(item(1, body="Short.", link=f"{loopback.url}/story", summary_only=True), title="Energy Desk"), content_type=RSS)
    url = loopback.url + "/energy.xml"
    Follower(ix, [url], politeness=FAST, source="Oil Watch").round()
    loopback.add("/energy.xml", rss(item(2), title="Energy Desk"), content_type=RSS)
    Follower(ix, politeness=FAST).round()  # the feeds followed before: the name is remembered
    assert sorted(a.source for a in ix.iter_articles()) == ["Oil Watch", "Oil Watch"]
    (status,) = Follower(ix).followed()
    assert (status.name, status.outlet) == ("Oil Watch", "Energy Desk")


def test_a_feed_that_keeps_failing_for_good_is_stopped_once_and_stays_stopped(ix, loopback: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [datetime.now(timezone.utc)]

    def later() -> datetime:  # every round is past the last one's wait
        clock[0] += timedelta(days=2)
        return clock[0]

    monkeypatch.setattr(follow_module, "utcnow", later)
    loopback.add("/gone.xml", "", status=404)
    loopback.add("/good.xml", rss(item(1)), content_type=RSS, etag='"g"')
    gone, good = loopback.url + "/gone.xml", loopback.url + "/good.xml"
    follower = Follower(ix, [gone, good], politeness=FAST)
    for _ in range(STOP_AFTER - 2):
        assert follower.round().feeds[0].status == "failed"
    loopback.add("/gone.xml", "", status=503)  # a failure that waiting may mend starts the count again
    assert follower.round().feeds[0].stopped is False
    loopback.add("/gone.xml", "", status=404)
    reports = [follower.round() for _ in range(STOP_AFTER)]
    assert [r.feeds[0].stopped for r in reports] == [False] * (STOP_AFTER - 1) + [True]
    assert reports[-1].feeds[0].next_try is None and "HTTP 404" in (reports[-1].feeds[0].problem or "")
    asked = len(loopback.requests("/gone.xml"))
    again = follower.round()  # given again on the "command line": still not fetched
    assert again.feeds[0].status == "stopped" and again.feeds[1].status == "not modified"
    assert Follower(ix, politeness=FAST).feeds() == [good]  # nor among the feeds followed before
    assert len(loopback.requests("/gone.xml")) == asked
    assert follower.unfollow(gone) and not follower.unfollow(gone)
    assert follower.round().feeds[0].status == "failed"  # forgotten, then given again: followed anew
    assert len(loopback.requests("/gone.xml")) == asked + 1


def test_a_follow_state_of_an_older_release_is_read_and_upgraded(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "follow.sqlite")
    con.executescript(
        "CREATE TABLE feeds (url TEXT PRIMARY KEY, added TEXT NOT NULL, etag TEXT, last_modified TEXT, fetched TEXT, ok TEXT,"
        " failures INTEGER NOT NULL DEFAULT 0, next_try TEXT, problem TEXT);"
        "INSERT INTO feeds (url, added, failures, problem) VALUES ('https://example.org/feed', '2026-01-01T00:00:00+00:00', 3, 'HTTP 404');"
    )
    con.commit()
    con.close()
    state = FeedState(tmp_path)
    (feed,) = state.feeds()
    assert (feed.url, feed.failures, feed.permanent, feed.stopped, feed.name) == ("https://example.org/feed", 3, 0, None, None)
    assert state.failed(feed.url, datetime.now(timezone.utc), "HTTP 404", permanent=True).permanent == 1


def test_cli_follow_list_remove_and_the_line_that_stops_a_feed(runner, tmp_path: Path, loopback: Loopback) -> None:
    from newssearch.cli import cli

    where = tmp_path / "ix"
    common = ["--index", str(where)]
    loopback.add("/feed.xml", rss(item(1), title="Harbour Herald"), content_type=RSS)
    loopback.add("/gone.xml", "", status=410)
    feed, gone = loopback.url + "/feed.xml", loopback.url + "/gone.xml"
    result = runner.invoke(cli, ["follow", feed, "--source", "Port Desk", "--once", "--delay", "0", *common])
    assert result.exit_code == 0, result.stderr
    assert ns.open_index(where).search("container traffic").hits[0].article.source == "Port Desk"
    state = FeedState(where)
    for n in range(STOP_AFTER - 1):
        state.failed(gone, datetime.now(timezone.utc) - timedelta(days=30 - n), "HTTP 410 Gone", permanent=True)
    result = runner.invoke(cli, ["follow", "list", *common])
    assert result.exit_code == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert blocks[0].splitlines()[0] == feed and "outlet:       Port Desk (given with --source)" in blocks[0]
    assert "last failure: none since the last fetch that worked" in blocks[0]
    assert blocks[1].splitlines()[0] == gone and f"HTTP 410 Gone ({STOP_AFTER - 1} in a row)" in blocks[1]
    assert "2 feeds followed." in result.stderr
    result = runner.invoke(cli, ["follow", "--once", "--delay", "0", *common])  # the eighth: stopped, one line
    assert result.exit_code == 3  # one feed of two failed
    (line,) = [x for x in result.stderr.splitlines() if gone in x]
    assert line.startswith(f"  stopped following {gone}: HTTP 410") and "follow remove URL" in line
    result = runner.invoke(cli, ["follow", "--once", "--delay", "0", *common])
    assert result.exit_code == 0 and gone not in result.stderr  # feeds followed before: a stopped one is left out
    records = [json.loads(x) for x in runner.invoke(cli, ["follow", "list", "--json", *common]).stdout.splitlines()]
    assert [(r["url"], r["outlet"], r["named"], r["stopped"] is not None) for r in records] == [
        (feed, "Port Desk", True, False),
        (gone, None, False, True),
    ]
    result = runner.invoke(cli, ["follow", "remove", gone, *common])
    assert result.exit_code == 0 and f"Removed {gone}" in result.stderr
    result = runner.invoke(cli, ["follow", "remove", gone, *common])
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: not followed: {gone}")
    assert runner.invoke(cli, ["follow", "list", "--once", *common]).exit_code == 2
    assert runner.invoke(cli, ["follow", "remove", *common]).exit_code == 2
    assert [r["url"] for r in map(json.loads, runner.invoke(cli, ["follow", "list", "--json", *common]).stdout.splitlines())] == [feed]


def test_alerts_follow_delivered_are_read(ix, loopback: Loopback) -> None:
    ix.saved.add("port", "container traffic")
    loopback.add("/feed.xml", rss(item(1)), content_type=RSS)
    shown: list[str] = []
    Follower(ix, [loopback.url + "/feed.xml"], politeness=FAST, on_alert=lambda a: shown.append(a.title) or True).round()
    assert shown == ["Port traffic report 1"]
    assert ix.saved.unread("port") == [] and ix.saved.new("port") == []
    other = "Container traffic through the canal doubled in March as the new locks opened to larger barges and ships. " * 4
    loopback.add("/feed.xml", rss(item(2, body=other), item(1)), content_type=RSS)
    Follower(ix, politeness=FAST).round()  # no one to deliver to: the alert stays unread
    assert [a.title for a in ix.saved.unread("port")] == ["Port traffic report 2"]
    assert [a.title for a in ix.saved.new("port")] == ["Port traffic report 2"] and ix.saved.unread("port") == []


def test_cli_follow_source_needs_the_feeds_it_names(runner, tmp_path: Path) -> None:
    from newssearch.cli import cli

    result = runner.invoke(cli, ["follow", "--source", "Port Desk", "--once", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2 and "--source names the outlet of the feeds given" in result.stderr
