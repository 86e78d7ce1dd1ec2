"""The search page's latency against the JSON API's, one client, the same queries, the same run.

Starts ``newssearch serve`` on a free loopback port over ``--index``, then
asks every query of ``--queries`` (bench/queries/news.tsv: 200 queries with
their date windows) of ``/search`` (the page: the search, did-you-mean,
facets, the timeline and the HTML) and of ``/api/search`` (the search and
did-you-mean as JSON), one request at a time on one kept-alive connection
each, the two interleaved so that both meet the same caches. A first pass
over every query warms the index's caches and is not counted. Prints
p50/p95/p99 and the mean per address, and the requests' statuses.

    .venv/bin/python -m bench.pages --index /tmp/reuters-ix

Load from many clients at once is bench/serve.py's (issue 21's next step).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.engines import load_queries

ROOT = Path(__file__).resolve().parents[1]


def _start(index: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "newssearch", "serve", "--index", str(index), "--port", "0"],
                               stdout=subprocess.DEVNULL, stderr=open(log, "wb"), env=env, cwd=ROOT)  # noqa: SIM115
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"on http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
        if found:
            return process, int(found.group(1))
        if process.poll() is not None:
            raise SystemExit(f"serve exited {process.returncode}: {log.read_text()}")
        time.sleep(0.05)
    process.kill()
    raise SystemExit("serve did not start in 60 s")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries" / "news.tsv")
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench-pages-serve.log"))
    args = parser.parse_args(argv)
    queries = load_queries(args.queries)
    process, port = _start(args.index, args.log)
    addresses = ("/search", "/api/search")
    times: dict[str, list[float]] = {a: [] for a in addresses}
    statuses: dict[str, Counter[int]] = {a: Counter() for a in addresses}
    try:
        connections = {a: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for a in addresses}
        time.sleep(1.0)  # the worker opens the index at start-up
        for counted in (False, True):
            for q in queries:
                params = urlencode([(k, v) for k, v in (("q", q.text), ("since", q.since), ("until", q.until)) if v])
                for address in addresses:
                    conn = connections[address]
                    started = time.perf_counter()
                    conn.request("GET", f"{address}?{params}")
                    response = conn.getresponse()
                    response.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    if counted:
                        times[address].append(elapsed)
                        statuses[address][response.status] += 1
    finally:
        process.terminate()
        process.wait(60)
    print(f"{len(queries)} queries in sequence, one client, {args.index}")
    print(f"{'address':<12} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}  statuses")
    for address in addresses:
        t = times[address]
        print(f"{address:<12} {_percentile(t, .5):8.1f} {_percentile(t, .95):8.1f} {_percentile(t, .99):8.1f}"
              f" {statistics.fmean(t):8.1f}  {dict(statuses[address])}")


if __name__ == "__main__":
    main()
