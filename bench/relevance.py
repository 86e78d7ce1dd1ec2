"""Ranking quality: newssearch against SQLite FTS5's bm25() and tantivy's BM25.

Run by hand (not part of the test run; the peers need the ``bench`` extra)::

    python bench/relevance.py                      # the TIME collection in ../shared/data/time
    python bench/relevance.py --engines newssearch # newssearch alone (no extra needed)
    python bench/relevance.py --topics t.txt --qrels q.txt --docs docs.jsonl   # any TREC-style set

For each engine it indexes the same documents (title empty, the text as
body), runs every topic as the same query and prints MAP, nDCG@10, P@10 and
R@100 over three sets of topics: the tune half (odd topic numbers), the
held-out half (even numbers) and all of them. Tune ranking on the tune half;
the held-out row says whether it generalises.

A topic becomes a query the same way for every engine (:func:`topic_query`):
lower-cased (so a topic's "AND"/"NOT" are words, not operators), words
without a letter or digit dropped, the rest asked for with ``--match``:
``all`` (newssearch's default: every word required; when no document holds
them all, the fallback's any-word list, for every engine alike) or ``any``
(OR'ed, as every search was before issue 20); ``--match all,any`` reports
both. See ``bench/engines.py`` for how each engine is given a word list and
the fallback. TIME's topics are long questions ("u.s. policy toward the
congo"), so under ``all`` most of them are answered by the fallback: the
table says how many. Runs go ``--depth`` deep (1000, as trec_eval expects);
``--runs DIR`` writes them as TREC run files.

``--docs`` for another collection is JSON Lines with ``docid`` and ``text``
(and optionally ``title``); topics are TREC ``<top>`` files (``--field``
picks title/desc/narr), qrels the TREC four-column format.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, NamedTuple

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/relevance.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

from bench import trec  # noqa: E402
from bench.engines import (  # noqa: E402
    ENGINES,
    BenchQuery,
    make_engine,
    parse_match_modes,
    remove_index,
)

ROOT = HERE.parent
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
TIME_DIR = SHARED / "data" / "time"


def topic_query(text: str, match: str = "all") -> BenchQuery:
    """The query every engine gets for a topic: its words, lower-cased,
    each required (``match="all"``, with the fallback) or OR'ed (``"any"``)."""
    words = [w for w in text.lower().split() if any(ch.isalnum() for ch in w)]
    return BenchQuery(text=" ".join(words), kind="topic", match=match)


class EngineRun(NamedTuple):
    """One engine's answers to every topic: the run, the seconds its
    searches took, and the topics answered by the fallback."""

    run: dict[str, list[str]]
    seconds: float
    fallbacks: frozenset[str]


def records(collection: trec.Collection) -> Iterable[dict[str, Any]]:
    for d in collection.docs:
        yield {"id": d.docid, "title": getattr(d, "title", "") or "", "body": d.text, "published": None}


def run_engine(name: str, collection: trec.Collection, where: Path, depth: int = 1000, match: str = "all") -> EngineRun:
    """Index ``collection`` with engine ``name`` in ``where`` and answer
    every topic with ``match``: the run ``{qid: [docid, ...]}``, the seconds
    the searches took and which topics the fallback answered."""
    engine = make_engine(name)
    remove_index(where)
    engine.build(where, records(collection))
    engine.open(where)
    run: dict[str, list[str]] = {}
    fallbacks: set[str] = set()
    start = time.perf_counter()
    try:
        for qid, text in collection.topics.items():
            answer = engine.answer(topic_query(text, match), k=depth)
            run[qid] = [hit[0] for hit in answer.hits]
            if answer.fallback:
                fallbacks.add(qid)
    finally:
        engine.close()
    return EngineRun(run, time.perf_counter() - start, frozenset(fallbacks))


def load_collection(args: argparse.Namespace) -> trec.Collection:
    if args.topics or args.qrels or args.docs:
        if not (args.topics and args.qrels and args.docs):
            raise SystemExit("--topics, --qrels and --docs go together")
        docs = []
        with open(args.docs, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                docs.append(trec.Doc(docid=str(r["docid"]), text=(r.get("title", "") + "\n" + r["text"]).strip()))
        return trec.Collection(
            name=Path(args.docs).stem, docs=docs, topics=trec.read_topics(args.topics, args.field), qrels=trec.read_qrels(args.qrels)
        )
    if not (args.time / "TIME.ALL").exists():
        raise SystemExit(f"the TIME collection is not at {args.time} (use --time DIR)")
    return trec.load_time(args.time)


def format_table(results: dict[str, dict[str, dict[str, float]]], halves: dict[str, list[str]]) -> str:
    head = f"{'engine':<11} {'topics':<9} {'n':>3} " + " ".join(f"{m:>8}" for m in trec.METRICS)
    lines = [head, "-" * len(head)]
    for name, rows in results.items():
        for i, half in enumerate(halves):
            r = rows[half]
            label = name if i == 0 else ""
            lines.append(f"{label:<11} {half:<9} {int(r['queries']):>3} " + " ".join(f"{r[m]:>8.4f}" for m in trec.METRICS))
    peers = [n for n in results if n != "newssearch"]
    if "newssearch" in results and peers:
        lines.append("-" * len(head))
        for half in halves:
            best = {m: max(results[p][half][m] for p in peers) for m in trec.METRICS}
            delta = " ".join(f"{results['newssearch'][half][m] - best[m]:>+8.4f}" for m in trec.METRICS)
            lines.append(f"{'ns - best':<11} {half:<9} {'':>3} " + delta)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    ap.add_argument("--time", type=Path, default=TIME_DIR, help="the TIME collection folder (default: %(default)s)")
    ap.add_argument("--topics", type=Path, help="a TREC topics file (instead of TIME)")
    ap.add_argument("--qrels", type=Path, help="a TREC qrels file (instead of TIME)")
    ap.add_argument("--docs", type=Path, help="documents as JSON Lines with docid and text (instead of TIME)")
    ap.add_argument("--field", default="title", help="topic field to search with (TREC topics; default: title)")
    ap.add_argument("--match", type=parse_match_modes, default=["all"],
                    help="all (every word, with the fallback; the default), any (OR), or all,any for both")
    ap.add_argument("--depth", type=int, default=1000, help="results per topic (default: %(default)s)")
    ap.add_argument("--runs", type=Path, help="also write each engine's run to DIR/<engine>.run (TREC format)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = ap.parse_args(argv)

    collection = load_collection(args)
    tune, held = trec.split_halves(collection.topics)
    halves = {"tune": tune, "held-out": held, "all": tune + held}
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    timing: dict[str, dict[str, float]] = {}
    fallbacks: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="newssearch-relevance-") as tmp:
        for mode in args.match:
            results[mode], timing[mode], fallbacks[mode] = {}, {}, {}
            for name in names:
                done = run_engine(name, collection, Path(tmp) / name, args.depth, match=mode)
                timing[mode][name] = done.seconds
                fallbacks[mode][name] = len(done.fallbacks)
                results[mode][name] = {half: trec.evaluate(done.run, collection.qrels, qids) for half, qids in halves.items()}
                if args.runs:
                    args.runs.mkdir(parents=True, exist_ok=True)
                    trec.write_run(args.runs / f"{name}-{mode}.run", done.run, f"{name}-{mode}")
    if args.json:
        print(json.dumps({"collection": collection.name, "results": results, "search_seconds": timing,
                          "fallback_topics": fallbacks}, indent=2))
        return 0
    print(
        f"{collection.name}: {len(collection.docs)} documents, {len(collection.topics)} topics"
        f" (tune = odd-numbered {len(tune)}, held-out = even-numbered {len(held)}), depth {args.depth}"
    )
    for mode in args.match:
        how = "every word (topics nothing holds in full: the fallback's any-word list)" if mode == "all" else "any word (OR)"
        print(f"\nmatch={mode}: {how}")
        print(format_table(results[mode], halves))
        print("search time: " + ", ".join(f"{n} {s:.2f} s" for n, s in timing[mode].items()))
        if mode == "all":
            print("topics answered by the fallback: " + ", ".join(f"{n} {c}" for n, c in fallbacks[mode].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
