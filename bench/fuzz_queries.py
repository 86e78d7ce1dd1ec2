"""A seeded fuzz of the query language: every query answered or refused.

Run by hand (``tests/test_query_fuzz.py`` runs a few hundred of the same
shapes under hypothesis)::

    python bench/fuzz_queries.py                              # 100,000 queries on the examples
    python bench/fuzz_queries.py --index reuters --queries 20000 --seed 7
    python bench/fuzz_queries.py --index IX --worst         # the costliest queries known, each timed

Queries are made from :data:`PIECES` (words, quotes, brackets, AND/OR/NOT/
ANDNOT/ANDMAYBE, + and -, fields and aliases, wildcards, ranges,
comparisons, boosts, fuzzy marks, odd characters and lone surrogates),
joined by spaces or run together, plus a share of random characters. Each
goes through the library (``ix.search``, 10 hits, a facet); a
``QuerySyntaxError`` or ``ConfigError`` is a refusal, a ``SearchTimedOut``
is counted apart (a query past its time budget), anything else an
internal error, counted by type with its first query. The worst times and
the process's peak RSS are reported.

``--worst`` runs :data:`WORST` instead: the costliest queries the audit of
issue 26 found (wildcards that stand for most of the vocabulary, ``oil *``,
a 100,000-character word) and the shapes that made Whoosh's parser
quadratic, each timed with what became of it (answered, refused, timed
out), on the index given (the audit's was Reuters 2006-07).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import newssearch as ns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: What queries are made of.
PIECES = [
    "minsk", "grain", "talks", "agreement", "the", "of", "museum", "Minsk's", "U.S.", "AT&T", "café",
    '"', '"minsk agreement"', "(", ")", "[", "]", "{", "}", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE",
    "+", "-", "+minsk", "-grain", "*", "?", "gra*", "*a*", "??*", "~", "~2", "^", "^2", ":", "title:", "body:",
    "source:", "agency:", "section:", "date:", "published:", "intitle:", "site:", "inurl:", "path:", "story:",
    "seq:", "id:", "since:", "until:", "TO", "[2022-01-01 TO 2022-02-01]", "{0000-01-01 TO 2007-01}",
    "yesterday", "last week", "2022-01-27", "<", ">", "<=", ">=", "=", "\\", "'", ",", ";", "\udcff", "\x00",
    "\u200b", "中文", "\n", "\t",
]


#: (what, query): the costliest queries known (issue 26's audit and the parser's patterns).
WORST = [
    ("*a*", "*a*"),
    ("ten leading wildcards", " ".join("*" + c for c in "abcdefghij")),
    ("??*", "??*"),
    ("oil *", "oil *"),
    ("[a TO c] (a term range over the text)", "[a TO c]"),
    ("*ing *tion", "*ing *tion"),
    ("*ly", "*ly"),
    ("co*", "co*"),
    ("one 4,096-character word", "a" * 4096),
    ("one 100,000-character word", "a" * 100_000),
    ("'[ to ' over 4,096 characters", ("[ to " * 820)[:4096]),
    ("'[to' x 1,024 (one word)", "[to" * 1024),
    ("'[' x 4,096", "[" * 4096),
    ("'\"' x 4,096", '"' * 4096),
    ("100 words of 35 letters", " ".join(["abcdefg" * 5] * 100)),
]


def make_query(rng: random.Random) -> str:
    """One query: pieces joined by spaces (half), run together (a third), or random characters."""
    roll = rng.random()
    if roll < 0.15:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0xA0, 0x3000), 0xDCFF])) for _ in range(rng.randrange(1, 30)))
    pieces = [rng.choice(PIECES) for _ in range(rng.randrange(1, 13))]
    return (" " if roll < 0.65 else "").join(pieces)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default=None, help="an index folder (default: the examples, indexed into a scratch folder)")
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--worst", action="store_true", help="time the costliest queries known (WORST) instead")
    args = ap.parse_args()
    if args.worst:
        if args.index is None:
            ap.error("--worst needs --index (the audit's was Reuters 2006-07)")
        sys.exit(worst_cases(args.index))
    scratch = None
    where = args.index
    if where is None:
        scratch = tempfile.TemporaryDirectory()
        where = str(Path(scratch.name) / "ix")
        with ns.create_index(where) as ix:
            ix.add(ns.read_path(ROOT / "examples"))
    rng = random.Random(args.seed)
    answered = refused = timed_out = 0
    timed_out_error = getattr(ns, "SearchTimedOut", ())  # the code before issue 26 had none
    internal: Counter[str] = Counter()
    first: dict[str, str] = {}
    worst: list[tuple[float, str]] = []
    with ns.open_index(where) as ix:
        started = time.perf_counter()
        for _ in range(args.queries):
            text = make_query(rng)
            t0 = time.perf_counter()
            try:
                ix.search(text, limit=10, facets=["source"])
                answered += 1
            except (ns.QuerySyntaxError, ns.ConfigError):
                refused += 1
            except timed_out_error:  # type: ignore[misc]
                timed_out += 1
            except Exception as exc:  # noqa: BLE001 - what the fuzz counts
                kind = f"{type(exc).__name__}: {' '.join(str(exc).split())[:60]}"
                internal[kind] += 1
                first.setdefault(kind, text)
            worst.append((time.perf_counter() - t0, text))
            worst = sorted(worst, reverse=True)[:5]
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# bench/fuzz_queries.py --queries {args.queries} --seed {args.seed} on {where if args.index else 'examples/'}")
    print(
        f"queries {args.queries:,}: answered {answered:,}, refused {refused:,}, timed out {timed_out:,}, "
        f"internal errors {sum(internal.values()):,}"
    )
    print(f"time {elapsed:.1f} s ({elapsed / max(1, args.queries) * 1000:.2f} ms a query); peak RSS {peak:.0f} MiB")
    for kind, count in internal.most_common():
        print(f"  {count:>6}  {kind}  e.g. {first[kind]!r}")
    print("slowest:")
    for seconds, text in worst:
        print(f"  {seconds * 1000:8.1f} ms  {text[:70]!r}")
    if scratch is not None:
        scratch.cleanup()
    sys.exit(1 if internal else 0)


def worst_cases(where: str) -> int:
    """Time every query of :data:`WORST` on the index at ``where``; print a
    table; exit 1 if any raised an internal error."""
    timed_out = getattr(ns, "SearchTimedOut", ())  # the code before issue 26 had none
    internal = 0
    print(f"# bench/fuzz_queries.py --worst on {where}")
    print("| query | seconds | outcome |\n|---|---|---|")
    with ns.open_index(where) as ix:
        ix.search("warm up", limit=1)
        for what, text in WORST:
            t0 = time.perf_counter()
            try:
                outcome = f"answered: {ix.search(text, limit=10).total:,} stories"
            except (ns.QuerySyntaxError, ns.ConfigError) as exc:
                outcome = f"refused: {str(exc).split(': ', 1)[-1][:90]}"
            except timed_out as exc:  # type: ignore[misc]
                outcome = f"timed out: {str(exc)[:60]}"
            except Exception as exc:  # noqa: BLE001 - what the benchmark counts
                internal += 1
                outcome = f"INTERNAL {type(exc).__name__}: {str(exc)[:60]}"
            print(f"| {what} | {time.perf_counter() - t0:.3f} | {outcome} |", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")
    return 1 if internal else 0


if __name__ == "__main__":
    main()
