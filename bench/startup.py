"""What a user waits for before the first answer: import, open, first query, a whole CLI search.

Run by hand (not part of the test run)::

    python bench/startup.py --index /tmp/reuters-ix
    python bench/startup.py --index /tmp/reuters-ix --before /work/before2 --runs 20

Each figure is the median over ``--runs`` fresh processes (the OS file
cache warm, as for a user's second search; Python's bytecode caches written
first, so no run compiles). With ``--before DIR`` every round runs the
other checkout (``PYTHONPATH=DIR``) right after this one, so both see the
same load on the machine:

* ``python`` alone: the interpreter's start and exit (``-c pass``), the
  floor every other figure includes;
* ``import newssearch``: the whole process, ``-c 'import newssearch'``;
* in one process, timed inside it with ``perf_counter``: the import; the
  first use of ``ns.open_index`` (since issue 23 it loads the index,
  search and Whoosh and numpy with it; before, the import did); the open;
  and the first ``ix.search(query, limit=10)``;
* ``newssearch search QUERY -n 10``: the command end to end, process start
  to exit, its output thrown away;
* ``sqlite3``: the ``sqlite3`` command-line shell answering the same words
  (each required, as newssearch requires them) from an FTS5 index of the
  same articles, top 10 by ``bm25()`` with ids and titles, if ``sqlite3``
  is installed. The FTS5 index is built once under ``--workdir`` from the
  Reuters corpus cache (``bench/corpora.py``, ``bench/engines.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

#: Where every timed process runs: ``python -c`` and ``-m`` put the current
#: folder first on the path, so run from a checkout they would import it
#: instead of the one ``PYTHONPATH`` names.
NEUTRAL = "/"

#: Run in a fresh process: prints the import, open and first-query times (s) as JSON.
IN_PROCESS = """
import json, sys, time
t0 = time.perf_counter()
import newssearch as ns
t1 = time.perf_counter()
open_index = ns.open_index
t2 = time.perf_counter()
ix = open_index(sys.argv[1])
t3 = time.perf_counter()
results = ix.search(sys.argv[2], limit=10)
t4 = time.perf_counter()
assert len(results.hits) > 0, "the query matched nothing: pick one that matches"
assert ns.__file__.startswith(sys.argv[3]), ns.__file__ + " is not the checkout timed"
print(json.dumps({"import": t1 - t0, "load the engine": t2 - t1, "open": t3 - t2, "first query": t4 - t3}))
"""


def environment(code: Path) -> dict[str, str]:
    """The environment for a run of the checkout at ``code``: its package
    first on the path, bytecode caches allowed (the user's case)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(code)
    return env


def wall(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from starting ``argv`` to its exit; a failure stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=NEUTRAL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return took


def in_process(env: dict[str, str], index: Path, query: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(index), query, env["PYTHONPATH"]], env=env, cwd=NEUTRAL,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"the in-process run failed: {out.stderr[-800:]}")
    return {k: float(v) for k, v in json.loads(out.stdout).items()}


def fts5_database(workdir: Path) -> Path:
    """An FTS5 index of the Reuters articles, built once (as bench/compare.py builds it)."""
    from bench import (  # only when sqlite3 is compared: reading the corpus takes a while
        corpora,
        engines,
    )

    folder = workdir / "fts5-reuters"
    engine = engines.make_engine("fts5")
    if not (folder / engine.FILE).exists():  # type: ignore[attr-defined]
        corpus, size = corpora.ensure(workdir, "reuters", log=lambda m: print(m, file=sys.stderr))
        engine.build(folder, engines.read_records(corpus, size))
    return folder / engine.FILE  # type: ignore[attr-defined]


def fts5_sql(query: str) -> str:
    words = " AND ".join('"' + w.replace('"', '""') + '"' for w in query.split())
    return ("SELECT id, title FROM docs WHERE docs MATCH '" + words.replace("'", "''")
            + "' ORDER BY rank LIMIT 10;")


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="a newssearch index of the Reuters articles")
    ap.add_argument("--query", default="oil prices", help="the words searched (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=20, help="fresh processes per figure (default: %(default)s)")
    ap.add_argument("--before", type=Path, help="another checkout to time in the same run (e.g. main before a change)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/newssearch-startup"), help="where the FTS5 index goes")
    args = ap.parse_args(argv)
    args.index = args.index.resolve()  # the runs start in NEUTRAL

    checkouts = {"after": HERE.parent}
    if args.before:
        checkouts = {"before": args.before, "after": HERE.parent}
    envs = {name: environment(code) for name, code in checkouts.items()}
    for env in envs.values():  # write the bytecode caches, so that no timed run compiles
        subprocess.run([sys.executable, "-c", "import newssearch.cli, newssearch"], env=env, cwd=NEUTRAL, check=True)
        subprocess.run([sys.executable, "-m", "newssearch", "search", args.query, "-n", "10", "--index", str(args.index)],
                       env=env, cwd=NEUTRAL, stdout=subprocess.DEVNULL, check=True)

    runs: dict[str, Callable[[dict[str, str]], float]] = {
        "python -c pass": lambda env: wall([sys.executable, "-c", "pass"], env),
        "import newssearch (process)": lambda env: wall([sys.executable, "-c", "import newssearch"], env),
        f"newssearch search {args.query!r} -n 10": lambda env: wall(
            [sys.executable, "-m", "newssearch", "search", args.query, "-n", "10", "--index", str(args.index)], env),
    }
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in checkouts}
    sqlite = shutil.which("sqlite3")
    database = fts5_database(args.workdir) if sqlite else None
    for _ in range(args.runs):
        for name, env in envs.items():
            row = figures[name]
            for label, run in runs.items():
                row.setdefault(label, []).append(run(env))
            for label, value in in_process(env, args.index, args.query).items():
                row.setdefault(f"  in process: {label}", []).append(value)
        if sqlite and database:
            figures.setdefault("sqlite3", {}).setdefault("sqlite3 FTS5, same words, top 10", []).append(
                wall([sqlite, str(database), fts5_sql(args.query)], dict(os.environ)))

    print(f"median of {args.runs} fresh processes, ms; query {args.query!r}; index {args.index}")
    labels = list(runs) + [f"  in process: {k}" for k in ("import", "load the engine", "open", "first query")]
    header = "".join(f"{name:>10}" for name in checkouts)
    print(f"{'':45}{header}")
    for label in labels:
        print(f"{label:45}" + "".join(f"{ms(figures[name][label]):>10}" for name in checkouts))
    for label, values in figures.get("sqlite3", {}).items():
        print(f"{label:45}{ms(values):>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
