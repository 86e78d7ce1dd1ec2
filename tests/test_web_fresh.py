"""``newssearch serve`` while other processes commit: no search fails, and new articles show within 2 s.

Everything here is a real process: the server (tests/webserver.py), the
writer (``newssearch index FILE`` run once per article, or ``newssearch
follow`` reading a feed from a real HTTP server on loopback) and clients
that search over HTTP all the while. A commit replaces the index's table of
contents and, when segments merge, deletes files a snapshot may hold, so a
request that lands at that moment is where a server would fail; the
clients check every answer (no 5xx, no connection error) and when each new
article is first found.
"""

from __future__ import annotations

import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import newssearch as ns
from tests.helpers import ARTICLES, EXAMPLES
from tests.loopback import Loopback
from tests.test_follow import RSS, VOCABULARY, item, rss
from tests.webserver import ROOT, Served

#: The longest a committed article may take to be found by a search.
FRESH_SECONDS = 2.0
#: Articles each test commits.
COMMITS = 8
#: What the background client asks, cycled: searches, facets, a page, an article list.
BACKGROUND = [
    ("/api/search", {"q": "strike"}),
    ("/api/search", {"q": "harbour OR ferry", "facets": "source"}),
    ("/search", {"q": "bank"}),
    ("/api/timeline", {"q": "strike"}),
    ("/api/stats", None),
]


def _build(where: Path, *, shards: int = 1) -> Path:
    with ns.create_index(where, shards=shards) as ix:
        ix.add(ARTICLES)
        ix.add(ns.read_path(EXAMPLES))
    return where


def _word(n: int) -> str:
    """A word no article holds, one per commit (letters only, so the analyser keeps it whole)."""
    return "zqfresh" + "".join(chr(ord("a") + int(d)) for d in f"{n:03d}") + "x"


@dataclass
class Watch:
    """Clients searching ``server`` in threads until :meth:`stop`: one asks
    :data:`BACKGROUND` over and over, one asks for every word :meth:`expect`
    was given until it is found. Every failed request is kept."""

    server: Served
    failures: list[str] = field(default_factory=list)
    found: dict[str, float] = field(default_factory=dict)
    requests: int = 0
    _pending: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._threads = [threading.Thread(target=self._background, daemon=True), threading.Thread(target=self._probe, daemon=True)]
        for thread in self._threads:
            thread.start()

    def expect(self, word: str) -> None:
        with self._lock:
            self._pending.append(word)

    def stop(self) -> None:
        self._done.set()
        for thread in self._threads:
            thread.join(30)

    def _ask(self, path: str, params: dict[str, str] | None) -> dict | None:
        try:
            answer = self.server.get(path, params, timeout=10)
        except OSError as exc:
            with self._lock:
                self.failures.append(f"{path} {params}: {type(exc).__name__}: {exc}")
            return None
        with self._lock:
            self.requests += 1
            if answer.status != 200:
                self.failures.append(f"{path} {params}: {answer.status} {answer.body[:300]!r}")
                return None
        return answer.json() if path.startswith("/api/") else {}

    def _background(self) -> None:
        n = 0
        while not self._done.is_set():
            self._ask(*BACKGROUND[n % len(BACKGROUND)])
            n += 1

    def _probe(self) -> None:
        while not self._done.is_set():
            with self._lock:
                pending = [w for w in self._pending if w not in self.found]
            for word in pending:
                body = self._ask("/api/search", {"q": word})
                if body and body["total"] > 0:
                    with self._lock:
                        self.found.setdefault(word, time.monotonic())
            time.sleep(0.02)


def _delays(watch: Watch, committed: dict[str, float], grace: float = FRESH_SECONDS + 1.0) -> dict[str, float | None]:
    """Each word's delay from its commit returning to the first answer that had it (None: never found)."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and not set(committed) <= set(watch.found):
        time.sleep(0.05)
    # found before the writer returned (its commit had landed; it was still reporting): no delay
    return {w: (max(0.0, watch.found[w] - t) if w in watch.found else None) for w, t in committed.items()}


def _index_one(index: Path, folder: Path, n: int) -> str:
    word = _word(n)
    item_file = folder / f"fresh-{n}.json"
    item_file.write_text(json.dumps({
        "title": f"Late bulletin {word}", "body": f"A story about {word} that was not there before, number {n}.",
        "url": f"https://example.org/fresh/{n}", "published": "2024-12-01T10:00:00Z", "source": "Late Desk",
    }), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newssearch", "index", str(item_file), "--index", str(index), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return word


@pytest.mark.slow  # eight commits a second or more apart, each by a new process, under two searching clients (10-20 s)
@pytest.mark.parametrize(("shards", "workers"), [(1, 1), (2, 1), (1, 2)], ids=["one-index", "sharded", "two-workers"])
def test_searches_never_fail_while_index_commits_and_new_articles_show_within_2s(tmp_path, shards, workers):
    index = _build(tmp_path / "ix", shards=shards)
    with Served(index, "--workers", str(workers)) as server:
        watch = Watch(server)
        committed: dict[str, float] = {}
        try:
            for n in range(COMMITS):
                started = time.monotonic()
                watch.expect(_word(n))  # asked for from before its commit, so that the first answer after it is seen
                word = _index_one(index, tmp_path, n)
                committed[word] = time.monotonic()  # once the writer returned (not in one line: Python evaluates the value first)
                time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
            delays = _delays(watch, committed)
        finally:
            watch.stop()
    assert watch.failures == [], watch.failures[:5]
    assert watch.requests > 4 * COMMITS  # the clients really searched through the commits
    print(f"{watch.requests} requests, none failed; commit -> found (s): {sorted(round(d, 2) for d in delays.values() if d is not None)}")
    late = {w: d for w, d in delays.items() if d is None or d > FRESH_SECONDS}
    assert not late, f"found later than {FRESH_SECONDS} s after their commit (None: never): {late}; all: {delays}"
    assert "Traceback" not in server.stderr()


def _bulletin(n: int) -> str:
    """Feed entry ``n``: its own words (a near copy of an earlier one would be held back as the same story, not alerted)."""
    word = _word(n)
    words = random.Random(n).choices(VOCABULARY, k=120)
    return item(100 + n, title=f"Harbour bulletin {word} {words[0]} {words[1]}", body=f"The harbour bulletin for {word}: " + " ".join(words) + ".")


@pytest.mark.slow  # a follower's rounds two seconds apart, six of them, under two searching clients (15-20 s)
def test_searches_never_fail_while_follow_commits_and_its_alerts_show_within_2s(tmp_path):
    """``follow --every 2s`` reads a feed that gains an entry before each
    round; it prints each new entry's alert (a saved search for "bulletin")
    once its commit returned, and that line's arrival is the commit's time."""
    index = _build(tmp_path / "ix")
    with ns.open_index(index) as ix:
        ix.saved.add("bulletins", "bulletin")
    rounds = 6
    with Loopback() as feeds, Served(index) as server:
        feeds.add("/feed.xml", rss(_bulletin(0)), content_type=RSS)
        watch = Watch(server)
        for n in range(rounds):
            watch.expect(_word(n))
        follower = subprocess.Popen(
            [sys.executable, "-m", "newssearch", "follow", f"{feeds.url}/feed.xml", "--every", "2s", "--delay", "0", "--index", str(index)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in follower.stdout or ()], daemon=True).start()
        committed: dict[str, float] = {}
        deadline = time.monotonic() + 30 + 4 * rounds
        try:
            while len(committed) < rounds and time.monotonic() < deadline:
                try:
                    line = lines.get(timeout=1.0)  # "[bulletins] Harbour bulletin WORD ...", printed after the commit that added it
                except queue.Empty:
                    continue
                words = [w for w in line.split() if w.startswith("zqfresh")]
                if line.startswith("[bulletins]") and words:
                    committed[words[0]] = time.monotonic()
                    feeds.add("/feed.xml", rss(*(_bulletin(k) for k in range(len(committed) + 1))), content_type=RSS)
            delays = _delays(watch, committed)
        finally:
            follower.terminate()
            _, errors = follower.communicate(timeout=60)
            watch.stop()
    assert follower.returncode == 0, errors
    assert len(committed) == rounds, f"the follower alerted {sorted(committed)}: {errors}"
    assert watch.failures == [], watch.failures[:5]
    print(f"{watch.requests} requests, none failed; commit -> found (s): {sorted(round(d, 2) for d in delays.values() if d is not None)}")
    late = {w: d for w, d in delays.items() if d is None or d > FRESH_SECONDS}
    assert not late, f"found later than {FRESH_SECONDS} s after their commit (None: never): {late}; all: {delays}"
    assert "Traceback" not in server.stderr()
