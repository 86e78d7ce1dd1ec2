"""Benchmark: a query that falls back (no article holds every word), deep.

Run by hand (not part of the test run), on an index built beforehand::

    newssearch index ../shared/data/reuters-news-2006-2007 --index /tmp/ix
    python bench/fallback.py /tmp/ix
    python bench/fallback.py /tmp/ix --limit 1000 --query 'oil prices opec meetingz'

A typo makes "every word" find nothing, and the articles with most of the
words are listed, each with the words it lacks. This times such searches at
a depth (``-n 1000``), with and without snippets, the index kept open (the
posting lists warm after the first run): the median of ``--runs``, and how
many words the hits were found to lack, so that two versions can be
compared on the same answer.
"""

from __future__ import annotations

import argparse
import statistics
import time

import newssearch as ns

#: Queries of real words with one typo each (Reuters 2006-07): no article has them all.
QUERIES = (
    "oil prices opec meetingz",
    "federal reserve interest rate cutt",
    "Northern Rock bank run crisiss",
    "google youtube acquisitionn price",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", help="an index folder")
    parser.add_argument("--query", action="append", help="a query to time (repeat; default: four with a typo)")
    parser.add_argument("--limit", type=int, default=1000, help="hits per search (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="searches per query and setting (default 5)")
    args = parser.parse_args()
    with ns.open_index(args.index) as ix:
        for query in args.query or QUERIES:
            for snippets in (True, False):
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    results = ix.search(query, limit=args.limit, snippets=snippets)
                    times.append(time.perf_counter() - started)
                fallback = results.fallback
                shown = len(fallback) if fallback is not None else 0
                lacking = sum(len(h.missing) for h in fallback) if fallback is not None else 0
                print(f"{query!r:42} snippets={'on ' if snippets else 'off'} median {statistics.median(times) * 1000:6.0f} ms"
                      f"  fallback hits {shown:5,}  words lacking {lacking:6,}")


if __name__ == "__main__":
    main()
