"""Known-item search: does each engine find the story a person remembers?

Run by hand (not part of the test run; the peers need the ``bench`` extra)::

    python bench/knownitem.py                        # all sets, all engines
    python bench/knownitem.py --engines newssearch   # newssearch alone
    python bench/knownitem.py --sets bbc,time        # some sets
    python bench/knownitem.py --match all,any        # every word (the default) and any word, side by side

A known-item query is made the way Azzopardi, de Rijke & Balog (SIGIR 2007)
simulate them: pick a target article, then the words a person would recall
of it. With a fixed seed, 100 targets per style and set:

* ``headline``: 2-4 content words of the headline, in their order;
* ``story``: 2-5 words drawn from the body, each with probability 0.8 from
  the article (in proportion to tf x idf: what makes it memorable) and 0.2
  from the whole collection (in proportion to frequency: what memory mixes in);
* ``hurried``: a headline or story query typed in a hurry: one word of five
  or more letters with a typo (two letters swapped, one dropped or doubled,
  one wrong) and one or two function words added.

Targets are articles with a headline of four or more content words and a
body of 50 or more words whose headline and body occur once in the set (a
duplicated story has no single right answer). Every word is lowercased and
the queries are plain words, given to every engine the same way
(``bench/engines.py``) with ``--match``: ``all`` (the default, as
newssearch reads plain words: every word required; when no article holds
them all, the fallback's any-word list, which is what a user reads, for
every engine alike) or ``any`` (OR, every search before issue 20);
``--match all,any`` runs both on the same indexes. Under ``all`` the report
also gives the strict figure (a target found only through the fallback
counts as not found) and how many queries the fallback answered. The
measures are MRR@100 (1/rank of the target, 0 beyond 100), success@1 and
success@10, with a paired randomisation test (10,000 sign flips of the
per-query differences, two-sided) between newssearch and each peer, and
between the two modes of each engine.

Sets: tune on ``bbc`` (2,225 BBC stories) and ``r21578`` (Reuters-21578,
stories with a title and a body) and on the odd TIME topics; ``reuters``
(Reuters 2006-07) and the even TIME topics are held out: report them, never
tune on them. TIME has no real headlines, so it is judged with its own
queries and relevance judgments (MAP, nDCG@10), as ``bench/relevance.py``
does. No query text is stored: the queries are made anew from the corpora
and the seed on every run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/knownitem.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

from bench import relevance, trec  # noqa: E402
from bench.engines import (  # noqa: E402
    ENGINES,
    STOP_WORDS,
    BenchQuery,
    make_engine,
    parse_match_modes,
    record_from_article,
    remove_index,
)

ROOT = HERE.parent
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
CORPORA = {
    "bbc": SHARED / "data" / "bbc",
    "r21578": SHARED / "data" / "reuters21578",
    "reuters": SHARED / "data" / "reuters-news-2006-2007",
}
ROLES = {"bbc": "tune", "r21578": "tune", "reuters": "held-out"}
STYLES = ("headline", "story", "hurried")
PER_STYLE = 100
SEED = 20261129
DEPTH = 100
FUNCTION_WORDS = ("the", "of", "in", "on", "for", "a", "to", "and")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")


@dataclass(frozen=True)
class KnownItem:
    """One simulated query: its text, style and the id of the article it is for."""

    text: str
    style: str
    target: str


# --- corpora -----------------------------------------------------------------


def load_records(name: str, workdir: Path) -> list[dict[str, Any]]:
    """A set's articles as records, read once with newssearch's readers and cached."""
    cache = workdir / f"{name}.jsonl"
    if not cache.exists():
        import newssearch as ns

        workdir.mkdir(parents=True, exist_ok=True)
        seen: set[str] = set()
        tmp = cache.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8") as out:
            for a in ns.read_path(CORPORA[name], on_error=lambda e: None, on_notice=lambda n: None):
                if a.id in seen:
                    continue
                seen.add(a.id)
                out.write(json.dumps(record_from_article(a), ensure_ascii=False) + "\n")
        tmp.replace(cache)
    with open(cache, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _content(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in STOP_WORDS and len(w) >= 3]


# --- queries -------------------------------------------------------------------


def make_queries(records: list[dict[str, Any]], seed: int = SEED, per_style: int = PER_STYLE) -> list[KnownItem]:
    """``per_style`` queries of each style, for targets drawn with ``seed``."""
    rng = random.Random(seed)
    records = sorted(records, key=lambda r: r["id"])  # the same queries whatever order the records come in
    titles = Counter(" ".join(r["title"].split()).lower() for r in records)
    bodies = Counter(" ".join(r["body"].split()) for r in records)
    df: Counter[str] = Counter()
    cf: Counter[str] = Counter()
    for r in records:
        words = _content(_words(r["body"]))
        cf.update(words)
        df.update(set(words))
    n = len(records)
    background = list(cf.keys())
    background_weights = [cf[w] for w in background]
    eligible = [
        r for r in records
        if len(_content(_words(r["title"]))) >= 4
        and len(_words(r["body"])) >= 50
        and titles[" ".join(r["title"].split()).lower()] == 1
        and bodies[" ".join(r["body"].split())] == 1
    ]
    targets = rng.sample(eligible, min(len(eligible), per_style * len(STYLES)))
    out: list[KnownItem] = []
    for i, r in enumerate(targets):
        style = STYLES[i % len(STYLES)]
        if style == "headline" or (style == "hurried" and rng.random() < 0.5):
            words = _headline_words(r, rng)
        else:
            words = _story_words(r, rng, df, n, background, background_weights)
        if style == "hurried":
            words = _hurried(words, rng)
        out.append(KnownItem(" ".join(words), style, r["id"]))
    return out


def _headline_words(r: dict[str, Any], rng: random.Random) -> list[str]:
    words = list(dict.fromkeys(_content(_words(r["title"]))))
    k = min(len(words), rng.choice((2, 3, 3, 4)))
    keep = sorted(rng.sample(range(len(words)), k))
    return [words[i] for i in keep]


def _story_words(
    r: dict[str, Any], rng: random.Random, df: Counter[str], n: int, background: list[str], weights: list[int]
) -> list[str]:
    tf = Counter(_content(_words(r["body"])))
    vocab = list(tf)
    memorable = [tf[w] * math.log(n / (1 + df[w])) for w in vocab]
    k = rng.choice((2, 3, 3, 4, 5))
    chosen: list[str] = []
    for _ in range(k * 4):
        if len(chosen) == k:
            break
        pool, pool_weights = (vocab, memorable) if rng.random() < 0.8 else (background, weights)
        word = rng.choices(pool, weights=pool_weights)[0]
        if word not in chosen:
            chosen.append(word)
    return chosen


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "wrong"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioubcdgkmnprst".replace(word[i], "")) + word[i + 1 :]


def _hurried(words: list[str], rng: random.Random) -> list[str]:
    words = list(words)
    long_ones = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long_ones:
        i = rng.choice(long_ones)
        words[i] = _typo(words[i], rng)
    for _ in range(rng.choice((1, 2))):
        words.insert(rng.randrange(0, len(words) + 1), rng.choice(FUNCTION_WORDS))
    return words


# --- runs and measures ----------------------------------------------------------


def run_engine(
    name: str, records: list[dict[str, Any]], queries: list[KnownItem], where: Path, modes: list[str] = ["all"]  # noqa: B006
) -> dict[str, dict[str, list[Any]]]:
    """Index ``records`` with engine ``name`` and ask every query in each
    mode: per mode, each query's rank of its target (None beyond DEPTH) and
    whether the fallback answered it."""
    engine = make_engine(name)
    remove_index(where)
    engine.build(where, records)
    engine.open(where)
    out: dict[str, dict[str, list[Any]]] = {}
    try:
        for mode in modes:
            ranks: list[int | None] = []
            fallbacks: list[bool] = []
            for q in queries:
                answer = engine.answer(BenchQuery(text=q.text, kind=q.style, match=mode), k=DEPTH)
                ids = [hit[0] for hit in answer.hits]
                ranks.append(ids.index(q.target) + 1 if q.target in ids else None)
                fallbacks.append(answer.fallback)
            out[mode] = {"ranks": ranks, "fallbacks": fallbacks}
    finally:
        engine.close()
        remove_index(where)
    return out


def strict(ranks: list[int | None], fallbacks: list[bool]) -> list[int | None]:
    """The ranks without the fallback: a target it found counts as not found."""
    return [None if fell else r for r, fell in zip(ranks, fallbacks)]


def reciprocal(ranks: list[int | None]) -> list[float]:
    return [1.0 / r if r else 0.0 for r in ranks]


def measures(ranks: list[int | None]) -> dict[str, float]:
    rr = reciprocal(ranks)
    n = len(ranks) or 1
    return {
        "MRR@100": sum(rr) / n,
        "S@1": sum(1 for r in ranks if r == 1) / n,
        "S@10": sum(1 for r in ranks if r and r <= 10) / n,
    }


def randomisation_p(a: list[float], b: list[float], trials: int = 10_000, seed: int = 7) -> float:
    """Two-sided paired randomisation test of the mean difference a - b."""
    diffs = [x - y for x, y in zip(a, b)]
    observed = abs(sum(diffs))
    if not diffs or observed == 0:
        return 1.0
    rng = random.Random(seed)
    extreme = 0
    for _ in range(trials):
        total = sum(d if rng.random() < 0.5 else -d for d in diffs)
        if abs(total) >= observed - 1e-12:
            extreme += 1
    return (extreme + 1) / (trials + 1)


# --- TIME ------------------------------------------------------------------------


def time_rows(names: list[str], workdir: Path, match: str = "all") -> dict[str, dict[str, dict[str, Any]]]:
    """MAP and nDCG@10 on TIME's tune (odd) and held-out (even) topics, per
    engine, with the per-topic AP kept for the significance tests."""
    collection = trec.load_time(SHARED / "data" / "time")
    tune, held = trec.split_halves(collection.topics)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name in names:
        run, _, fell = relevance.run_engine(name, collection, workdir / f"time-{name}", match=match)
        remove_index(workdir / f"time-{name}")
        out[name] = {}
        for half, qids in (("tune", tune), ("held-out", held)):
            chosen = [q for q in qids if any(g > 0 for g in collection.qrels.get(q, {}).values())]
            ap = [trec.average_precision(run.get(q, ()), collection.qrels[q]) for q in chosen]
            nd = [trec.ndcg_at(run.get(q, ()), collection.qrels[q], 10) for q in chosen]
            out[name][half] = {"n": len(chosen), "MAP": trec.mean(ap), "nDCG@10": trec.mean(nd), "_ap": ap, "_ndcg": nd,
                               "fallbacks": sum(1 for q in chosen if q in fell)}
    return out


# --- report ------------------------------------------------------------------------


def evaluate(names: list[str], sets: list[str], workdir: Path, log: Any = print, modes: list[str] = ["all"]) -> dict[str, Any]:  # noqa: B006
    """Every engine on every set in every mode: per-query ranks, whether the
    fallback answered, and each query's style; TIME's rows per mode."""
    report: dict[str, Any] = {"modes": list(modes), "known_item": {}, "time": {}}
    for name in sets:
        if name == "time":
            log("TIME: the judged queries ...")
            report["time"] = {mode: time_rows(names, workdir, mode) for mode in modes}
            continue
        records = load_records(name, workdir)
        queries = make_queries(records)
        log(f"{name}: {len(records):,} articles, {len(queries)} queries ({ROLES[name]})")
        per_mode: dict[str, dict[str, Any]] = {mode: {} for mode in modes}
        for engine in names:
            started = time.perf_counter()
            runs = run_engine(engine, records, queries, workdir / f"ix-{name}-{engine}", modes)
            log(f"  {engine}: {time.perf_counter() - started:.0f} s")
            for mode in modes:
                per_mode[mode][engine] = {**runs[mode], "styles": [q.style for q in queries]}
        report["known_item"][name] = per_mode
    return report


def _cell(ranks: list[int | None]) -> str:
    m = measures(ranks)
    return f"{m['MRR@100']:.3f} / {m['S@1']:.2f} / {m['S@10']:.2f}"


def format_report(report: dict[str, Any], names: list[str]) -> str:
    peers = [n for n in names if n != "newssearch"]
    modes = report["modes"]
    lines: list[str] = []
    sig: list[str] = []
    for mode in modes:
        how = "every word; nothing holds them all: the fallback's list" if mode == "all" else "any word (OR)"
        head = f"{'set':<9} {'role':<9} {'style':<9} {'n':>4}  " + "  ".join(f"{n:>22}" for n in names)
        lines += [f"known-item, match={mode} ({how}): MRR@100 / success@1 / success@10", head, "-" * len(head)]
        for name, per_mode in report["known_item"].items():
            per_engine = per_mode[mode]
            styles = per_engine[names[0]]["styles"]
            for style in (*STYLES, "all"):
                idx = [i for i, s in enumerate(styles) if style == "all" or s == style]
                cells = [_cell([per_engine[e]["ranks"][i] for i in idx]) for e in names]
                lines.append(f"{name:<9} {ROLES[name]:<9} {style:<9} {len(idx):>4}  " + "  ".join(f"{c:>22}" for c in cells))
            if mode == "all":
                cells = [_cell(strict(per_engine[e]["ranks"], per_engine[e]["fallbacks"])) for e in names]
                lines.append(f"{name:<9} {'':<9} {'strict':<9} {len(styles):>4}  " + "  ".join(f"{c:>22}" for c in cells))
                cells = [str(sum(per_engine[e]["fallbacks"])) for e in names]
                lines.append(f"{name:<9} {'':<9} {'fallback':<9} {'':>4}  " + "  ".join(f"{c:>22}" for c in cells))
            if "newssearch" in names:
                ours = reciprocal(per_engine["newssearch"]["ranks"])
                for peer in peers:
                    theirs = reciprocal(per_engine[peer]["ranks"])
                    diff = (sum(ours) - sum(theirs)) / len(ours)
                    sig.append(f"{name}, match={mode}: newssearch - {peer} MRR@100 {diff:+.3f}, p = {randomisation_p(ours, theirs):.4f}")
        if mode == "all":
            lines.append("(strict: a target found only through the fallback counts as not found;"
                         " fallback: queries it answered, of n)")
        lines.append("")
    if len(modes) == 2:
        a, b = modes
        for name, per_mode in report["known_item"].items():
            for e in names:
                x, y = reciprocal(per_mode[a][e]["ranks"]), reciprocal(per_mode[b][e]["ranks"])
                sig.append(f"{name}, {e}: match={a} - match={b} MRR@100 {(sum(x) - sum(y)) / len(x):+.3f}, p = {randomisation_p(x, y):.4f}")
    for mode, rows in report["time"].items():
        lines += [f"TIME (judged queries), match={mode}: MAP / nDCG@10", f"{'half':<9} {'n':>4}  " + "  ".join(f"{n:>16}" for n in names)]
        for half in ("tune", "held-out"):
            n = rows[names[0]][half]["n"]
            cells = [f"{rows[e][half]['MAP']:.4f} / {rows[e][half]['nDCG@10']:.4f}" for e in names]
            lines.append(f"{half:<9} {n:>4}  " + "  ".join(f"{c:>16}" for c in cells))
            if "newssearch" in names:
                for peer in peers:
                    p_map = randomisation_p(rows["newssearch"][half]["_ap"], rows[peer][half]["_ap"])
                    p_nd = randomisation_p(rows["newssearch"][half]["_ndcg"], rows[peer][half]["_ndcg"])
                    d_map = rows["newssearch"][half]["MAP"] - rows[peer][half]["MAP"]
                    sig.append(f"TIME {half}, match={mode}: newssearch - {peer} MAP {d_map:+.4f} (p = {p_map:.4f}), nDCG@10 p = {p_nd:.4f}")
        if mode == "all":
            lines.append("topics answered by the fallback: " + ", ".join(
                f"{e} {rows[e]['tune']['fallbacks'] + rows[e]['held-out']['fallbacks']}" for e in names))
        lines.append("")
    if sig:
        lines += ["paired randomisation tests (10,000 sign flips, two-sided):", *("  " + s for s in sig)]
    return "\n".join(lines).rstrip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: %(default)s")
    ap.add_argument("--sets", default="bbc,r21578,reuters,time", help="comma-separated, from: %(default)s")
    ap.add_argument("--match", type=parse_match_modes, default=["all"],
                    help="all (every word, with the fallback; the default), any (OR), or all,any for both")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newssearch-knownitem",
                    help="corpus caches and indexes (default: %(default)s)")
    ap.add_argument("--json", type=Path, help="also write the per-query ranks here")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    report = evaluate(names, sets, args.workdir, log=lambda m: print(m, file=sys.stderr), modes=args.match)
    if args.json:
        args.json.write_text(json.dumps(report), encoding="utf-8")
    print(format_report(report, names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
