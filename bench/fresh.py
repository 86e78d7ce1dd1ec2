"""Searching while another process commits: failed requests, latency, and how soon a new article is found.

Run by hand (never in CI; it needs ``wrk`` from Debian and the ``bench`` extra)::

    python -m newssearch index ../shared/data/reuters-news-2006-2007 --index /tmp/load-rx
    python bench/fresh.py --index /tmp/load-rx --duration 60

The index is copied under ``--workdir`` first (the run adds articles to
the copy, never to ``--index``), then served (``newssearch serve
--workers N``) and loaded with wrk at ``--clients`` (8) connections, the
200 queries of ``bench/queries/news.tsv`` cycled against the JSON API (as
``bench/serve.py`` asks them), in two phases of ``--duration`` seconds:

* ``quiet``: nothing writes;
* ``commits``: a writer, another process with the index open through the
  library (as ``follow`` keeps it), adds one article with a word no other
  article holds and commits, every 2 to 3 s (``--every``, drawn
  uniformly), as a busy ``follow`` does.

In both phases a probe client (one more connection, outside wrk) asks
``/api/search?q=WORD OR WORD...`` every 20 ms: for the words of the
commits whose article it has not yet seen in an answer, in the commits
phase, and for a word never indexed in the quiet phase, so both phases
carry the same load. The delay of a commit is from the
writer's commit returning (its own ``time.monotonic()``, the same clock on
Linux for every process) to the arrival of the first probe answer that
holds the article: it includes that answer's own time in the queue behind
wrk's 8 clients. A request fails when it errs on the socket, times out
or answers anything but 2xx (wrk's count, and the probe's own).

A third phase, ``unloaded``, runs the writer and the probe without wrk:
the delay when no queue of other requests stands in front of the probe's.

The table: per phase, requests/s, p50/p95/p99/max latency of wrk's
requests, failed requests (wrk's + the probe's), the probe's requests
and their median time, commits, and the delays from a commit to the first answer holding its
article (p50/p95/max over the phase's commits; "never": not found within
10 s of the phase's end).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/fresh.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

from bench.engines import load_queries
from bench.serve import QUERIES, paths_for, run_wrk, start_newssearch, wait_ready

#: The writer: another process with the index open, committing one article per word read on stdin and
#: printing when its commit returned (CLOCK_MONOTONIC, shared by every process on Linux).
WRITER = r"""
import random, sys, time
from datetime import datetime, timezone
import newssearch as ns
ix = ns.open_index(sys.argv[1])
vocabulary = "port strike grain tanker harbour council budget storm ferry bridge crane pier cargo steel coal timber".split()
for line in sys.stdin:
    word = line.strip()
    words = " ".join(random.Random(word).choices(vocabulary, k=150))  # its own words: not a copy of the last bulletin
    ix.add([ns.Article(title=f"Late bulletin {word}", body=f"A story about {word}: {words}.",
                       url=f"https://example.org/fresh/{word}", source="Fresh Desk", published=datetime.now(timezone.utc))])
    print(time.monotonic(), flush=True)
ix.close()
"""


class Probe:
    """One client asking every 20 ms for the words committed and not yet found (one query, OR), until stopped;
    records when an answer first held each."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.pending = ["zqneverindexedx"]  # the quiet phase asks for a word no commit brings: the same load
        self.failures: list[str] = []
        self.requests = 0
        self.latencies: list[float] = []
        self.found: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def expect(self, word: str) -> None:
        """Ask for ``word`` too from now on (before its commit, so that the first answer after it is seen)."""
        self.pending = [w for w in self.pending if w not in self.found and w.startswith("zqfresh")] + [word]

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self._stop.is_set():
            words = [w for w in self.pending if w not in self.found]
            if not words:
                self._stop.wait(0.02)
                continue
            sent = time.monotonic()
            try:
                conn.request("GET", "/api/search?" + urlencode({"q": " OR ".join(words), "size": 20}))
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            arrived = time.monotonic()
            self.requests += 1
            self.latencies.append(arrived - sent)
            if response.status != 200:
                self.failures.append(f"{response.status} {body[:200]!r}")
            else:
                hits = json.loads(body)["hits"]
                titles = " ".join(h["title"] or "" for hit in hits for h in [hit, *hit.get("copies", [])])
                for word in words:
                    if word in titles:
                        self.found.setdefault(word, arrived)
            self._stop.wait(0.02)
        conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)


def _word(n: int) -> str:
    return "zqfresh" + "".join(chr(ord("a") + int(d)) for d in f"{n:04d}") + "x"


def commits(index: Path, probe: Probe, duration: float, every: tuple[float, float], done: dict[str, float]) -> None:
    """Commit one new article every ``every`` seconds (uniform) for ``duration`` s; ``done``: word -> commit time."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(index)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdin is not None and writer.stdout is not None
    end = time.monotonic() + duration
    n = 0
    try:
        while time.monotonic() < end:
            word = _word(n)
            probe.expect(word)
            writer.stdin.write(word + "\n")
            writer.stdin.flush()
            line = writer.stdout.readline()
            if not line:
                sys.exit(f"the writer exited with {writer.wait()}")
            done[word] = float(line)
            n += 1
            time.sleep(max(0.0, random.uniform(*every) - (time.monotonic() - done[word])))
    finally:
        writer.stdin.close()
        writer.wait(60)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=Path("/tmp/load-rx"), help="a newssearch index (Reuters 2006-07); it is copied, not written")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/fresh-bench"), help="the index's copy, the server's log")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--clients", type=int, default=8, help="wrk's connections")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds of unmeasured load first")
    ap.add_argument("--every", default="2,3", help="seconds between commits: MIN,MAX (uniform)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="newssearch serve --workers (default: one per core)")
    ap.add_argument("--timeout", type=float, default=10.0, help="a request's limit, for the server and for wrk")
    args = ap.parse_args(argv)
    low, high = (float(x) for x in args.every.split(","))
    args.workdir.mkdir(parents=True, exist_ok=True)
    index = args.workdir / "ix"
    shutil.rmtree(index, ignore_errors=True)
    shutil.copytree(args.index, index)
    paths = args.workdir / "paths-api.txt"
    paths.write_text("\n".join(paths_for("api", load_queries(args.queries))) + "\n", encoding="utf-8")

    server = start_newssearch(index, args.workers, args.timeout, args.workdir / "newssearch.log")
    rows = []
    try:
        wait_ready(server, "/api/stats")
        if args.warmup > 0:
            run_wrk(server.port, paths, args.clients, args.warmup, args.timeout)
        for phase in ("quiet", "commits", "unloaded"):
            probe = Probe(server.port)
            done: dict[str, float] = {}
            writer = threading.Thread(target=commits, args=(index, probe, args.duration, (low, high), done)) if phase != "quiet" else None
            if writer is not None:
                writer.start()
            if phase == "unloaded":  # the writer and the probe alone: the delay without a queue in front of the probe
                started = time.monotonic()
                writer.join()
                result = {"requests": 0, "seconds": time.monotonic() - started, "p50": 0, "p95": 0, "p99": 0, "max": 0, "errors": 0}
            else:
                result = run_wrk(server.port, paths, args.clients, args.duration, args.timeout)
            if writer is not None:
                writer.join()
                deadline = time.monotonic() + 10  # the last commit's article, if wrk stopped before it was found
                while time.monotonic() < deadline and not set(done) <= set(probe.found):
                    time.sleep(0.05)
            probe.stop()
            phase_delays = [max(0.0, probe.found[w] - t) for w, t in done.items() if w in probe.found]
            rows.append((phase, result, probe, len(done), phase_delays, [w for w in done if w not in probe.found]))
            print(f"  {phase}: {result['requests'] / result['seconds']:.0f} req/s, {len(done)} commits", file=sys.stderr)
    finally:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.proc.kill()
    log = (args.workdir / "newssearch.log").read_text(encoding="utf-8", errors="replace")
    print(f"{args.clients} wrk clients + 1 probe, {args.duration:g} s per phase, newssearch serve --workers {args.workers},"
          f" a commit every {low:g}-{high:g} s in the commits phase; {os.cpu_count()} cores shared with wrk and the writer")
    head = (f"{'phase':<9} {'wrk req/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'failed':>6} {'probe req':>9}"
            f" {'probe p50':>9} {'commits':>7} {'found p50':>9} {'p95':>7} {'max':>7} {'never':>5}")
    print(head)
    print("-" * len(head))
    for phase, r, probe, n, delays, missed in rows:
        failed = r["errors"] + len(probe.failures)
        found = (f"{statistics.median(delays) * 1000:>9.0f} {percentile(delays, 95) * 1000:>7.0f} {max(delays) * 1000:>7.0f}"
                 if delays else f"{'-':>9} {'-':>7} {'-':>7}")
        print(f"{phase:<9} {r['requests'] / r['seconds']:>9.1f} {r['p50'] / 1000:>7.1f} {r['p95'] / 1000:>7.1f} {r['p99'] / 1000:>7.1f}"
              f" {r['max'] / 1000:>7.1f} {failed:>6} {probe.requests:>9} {statistics.median(probe.latencies or [0]) * 1000:>9.0f} {n:>7} {found} {len(missed):>5}")
    print("probe p50: ms per probe answer; found: ms from a commit returning to the first probe answer holding its article (that answer's own time included)")
    for phase, _r, probe, *_ in rows:
        for failure in probe.failures[:5]:
            print(f"  {phase} probe failure: {failure}")
    if "Traceback" in log:
        print(f"the server logged a traceback: see {args.workdir / 'newssearch.log'}")


if __name__ == "__main__":
    main()
