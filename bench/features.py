"""Benchmark: faceted searches and timelines (run by hand, not by the tests).

    python bench/features.py ../shared/data/reuters-headlines-2007h1 --index /tmp/headlines-ix

Indexes the corpus once (or reuses ``--index`` with ``--skip-index``), then
times, warm (the index kept open, as the library does), N queries drawn with
a fixed seed from the indexed headlines:

* a search with facets on source, agencies and section (top 10, snippets),
* a weekly timeline and a daily timeline of the same query,

and prints p50/p95 for each, beside a plain search of the same queries as
the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/features.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

import newssearch as ns  # noqa: E402
from bench.index_search import index_corpus, make_queries, percentile  # noqa: E402


def timed(fn, queries):
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--index", type=Path, default=None)
    ap.add_argument("--skip-index", action="store_true")
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()

    where = args.index or Path(tempfile.mkdtemp(prefix="newssearch-features-")) / "ix"
    if not args.skip_index:
        index_corpus(args.corpus, where)

    with ns.open_index(where) as ix:
        queries = make_queries([a.title for a in ix.iter_articles() if a.title], args.queries)
        count = len(ix)
    rows = [
        ("search (baseline)", lambda ix, q: ix.search(q, limit=10)),
        ("search + facets source,agencies,section", lambda ix, q: ix.search(q, limit=10, facets=["source", "agencies", "section"])),
        ("timeline by week", lambda ix, q: ix.timeline(q, by="week")),
        ("timeline by day", lambda ix, q: ix.timeline(q, by="day")),
    ]
    print(f"{count:,} articles; {len(queries)} queries; each row on a freshly opened index")
    print("(warm OS file cache, each query's posting lists decoded for the first time in that row)")
    for label, fn in rows:
        with ns.open_index(where) as ix:
            ix.search("warm up the searcher", limit=1)
            ms = timed(lambda q: fn(ix, q), queries)
        print(f"{label:42s} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
