"""Benchmark: search-as-you-type over HTTP, one keystroke at a time.

Run by hand (not part of the test run), on an index built beforehand::

    python -m newssearch index ../shared/data/reuters-news-2006-2007 --index /tmp/reuters-ix
    python bench/suggest.py /tmp/reuters-ix

It starts ``newssearch serve`` on a free loopback port, asks ``/api/suggest``
once to build the completions (timed apart: the first keystroke after a
commit pays the build), then types each query of ``bench/queries/news.tsv``
character by character, one client on one kept-alive connection as a
browser's search box does, and prints the latency per keystroke (p50, p95,
p99, max; the goal is p95 under 50 ms). In this process it then builds the
same structure with the library, to report its build time, its entries and
the memory it holds (traced by :mod:`tracemalloc`: the headline counts the
index keeps per segment, so that a commit re-reads only its own segments,
and the completions).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import newssearch as ns
from newssearch.search.complete import Completions, Harvest

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "bench" / "queries" / "news.tsv"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def load_queries(path: Path) -> list[str]:
    """The query column of the benchmark's TSV (comments and the header skipped)."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [row[1] for row in rows[1:]]


def start_server(index: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    log = Path(f"/tmp/bench-suggest-{time.monotonic_ns()}.log")
    process = subprocess.Popen([sys.executable, "-m", "newssearch", "serve", "--index", str(index), "--port", "0"],
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"on http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
        if found:
            return process, int(found.group(1)), log
        if process.poll() is not None:
            raise SystemExit(f"newssearch serve exited: {log.read_text()}")
        time.sleep(0.05)
    process.kill()
    raise SystemExit("newssearch serve did not start")


def ask(conn: http.client.HTTPConnection, prefix: str) -> tuple[float, list[str]]:
    started = time.perf_counter()
    conn.request("GET", "/api/suggest?q=" + quote(prefix))
    response = conn.getresponse()
    body = response.read()
    took = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{prefix!r}: {response.status} {body[:200]!r}")
    return took, [s["text"] for s in json.loads(body)["suggestions"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=Path, default=QUERIES)
    args = parser.parse_args()
    queries = load_queries(args.queries)
    process, port, log = start_server(args.index)
    try:
        while True:  # the server is listening from the start; answering once its worker is up
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                first, _ = ask(conn, "a")
                break
            except OSError:
                time.sleep(0.05)
        latencies: list[float] = []
        empty = 0
        for query in queries:
            for end in range(1, len(query) + 1):
                took, found = ask(conn, query[:end])
                latencies.append(took)
                empty += not found
        conn.close()
    finally:
        process.terminate()
        process.wait(60)
        log.unlink(missing_ok=True)
    ms = [t * 1000 for t in latencies]
    print(f"queries: {len(queries)} from {args.queries.name}; keystrokes: {len(ms):,} (no suggestion for {empty:,})")
    print(f"first request (builds the completions): {first * 1000:.0f} ms")
    print(f"per keystroke over HTTP, one client, kept-alive: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms,"
          f" p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms, mean {statistics.fmean(ms):.1f} ms")
    with ns.open_index(args.index) as ix:
        session = ix.session()
        started = time.perf_counter()
        built = session.completions  # as the server builds it: every live headline read, then the entries sorted
        seconds = time.perf_counter() - started
        titles = [title for (title,) in session.snapshot.stored_values(("title",))]
        outlets = session.snapshot.keyword_counts("source")
        tracemalloc.start()  # a second build, traced (tracing slows it: not timed)
        harvest = Harvest.of(titles)  # the counts the index keeps per segment, across commits
        counted = tracemalloc.get_traced_memory()[0]
        again = Completions.of_harvests([harvest], outlets)
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        print(f"build (read headlines + build): {seconds:.2f} s for {built.headlines:,} headlines -> {len(built):,} entries;"
              f" memory held {held / 1e6:.1f} MB (tracemalloc): the per-segment counts {counted / 1e6:.1f} MB,"
              f" the completions {(held - counted) / 1e6:.1f} MB (own estimate {again.memory_bytes() / 1e6:.1f} MB)")

if __name__ == "__main__":
    main()
