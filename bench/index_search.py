"""Benchmark: index a corpus, then time searches with snippets.

Run by hand (not part of the test run)::

    python bench/index_search.py ../shared/data/reuters-news-2006-2007
    python bench/index_search.py ../shared/data/reuters-news-2006-2007 --index /tmp/ix --skip-index

Prints articles/s for indexing (read + analyse + write + commit, as
``newssearch index`` does it), the time to open the index and run a first
query, and p50/p95/p99 latency of N searches with and without snippets,
the searcher kept open as the library does: cold (the decoded posting
lists dropped before each query, ``ix.drop_caches()``) and then warm. Queries are 1-3 words
drawn, with a fixed seed, from the titles of the indexed articles, so every
run on the same corpus uses the same queries.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import newssearch as ns
from newssearch.analysis import STOP_WORDS


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def make_queries(titles: list[str], n: int, seed: int = 20261127) -> list[str]:
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < n and titles:
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", rng.choice(titles)) if w.lower() not in STOP_WORDS and len(w) > 2]
        if not words:
            continue
        k = min(len(words), rng.choice((1, 2, 2, 3)))
        start = rng.randrange(0, len(words) - k + 1)
        queries.append(" ".join(words[start : start + k]))
    return queries


def index_corpus(corpus: Path, where: Path) -> None:
    """Index ``corpus`` into a new index at ``where`` and print articles/s
    (read + analyse + write + commit, as ``newssearch index`` does it)."""
    start = time.perf_counter()
    ix = ns.create_index(where, overwrite=True) if where.exists() else ns.create_index(where)
    errors: list[ns.IngestError] = []
    with ix.writer() as w:
        w.add_many(ns.read_path(corpus, on_error=errors.append))
    elapsed = time.perf_counter() - start
    ix.close()
    r = w.report
    print(f"indexing: {r.articles:,} articles in {elapsed:.1f} s = {r.articles / elapsed:,.0f} articles/s "
          f"(added {r.added:,}, failed {len(errors)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--index", type=Path, default=None, help="index folder (default: a temporary one)")
    ap.add_argument("--skip-index", action="store_true", help="reuse an existing index at --index")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--limit", type=int, default=10)
    args = ap.parse_args()

    where = args.index or Path(tempfile.mkdtemp(prefix="newssearch-bench-")) / "ix"
    if not args.skip_index:
        index_corpus(args.corpus, where)

    start = time.perf_counter()
    ix = ns.open_index(where)
    titles = [a.title for a in ix.iter_articles() if a.title]
    queries = make_queries(titles, args.queries)
    ix.close()

    start = time.perf_counter()
    ix = ns.open_index(where)
    ix.search(queries[0], limit=args.limit)
    first = time.perf_counter() - start
    print(f"open + first query: {first * 1000:.0f} ms")

    # The same queries run in both passes and the second used to find their
    # posting lists decoded by the first; each timed query now starts cold
    # (ix.drop_caches()), then a last pass repeats them warm.
    for label, snippets, cold in (
        ("search + snippets, cold", True, True),
        ("search only, cold", False, True),
        ("search only, warm", False, False),
    ):
        times = []
        for q in queries:
            if cold:
                ix.drop_caches()
            t0 = time.perf_counter()
            ix.search(q, limit=args.limit, snippets=snippets)
            times.append(time.perf_counter() - t0)
        ms = [t * 1000 for t in times]
        print(f"{label}: {len(ms)} queries, p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
              f"p99 {percentile(ms, 99):.1f} ms, mean {statistics.mean(ms):.1f} ms")
    ix.close()
    size = sum(f.stat().st_size for f in where.iterdir() if f.is_file())
    print(f"index size: {size / 2**20:.1f} MiB at {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
