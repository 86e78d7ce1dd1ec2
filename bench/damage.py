"""Damage to an index's files: is it found, named, and mended?

Run by hand (``tests/test_verified.py`` and ``tests/test_check_manifests.py``
check each kind of damage at a small size)::

    python bench/damage.py --index IX                  # the table, on a copy of IX per case
    python bench/damage.py --index IX --sharded        # IX is a sharded index (shards.json too)
    PYTHONPATH=/old/checkout python bench/damage.py --index IX   # another version's answers

For every file kind (each column, the posting arrays, Whoosh's postings
and terms, the stored fields, the table of contents, the sums, the manifest,
``shards.json``, the saved searches' and follower's SQLite files) and every
kind of damage (16 flipped bytes, a quarter of its bytes replaced at
random, the file cut to half its size, deleted, emptied), a fresh copy of
the index is damaged and then:

* ``probe``: 40 searches through the library (words and phrases from
  ``bench/queries/news.tsv``, half by relevance, half newest first) compared
  with the undamaged copy's answers: how many changed *without an error*
  (a silent change: the failure this table exists to find), how many raised
  ``IndexDamaged``, and any other exception (a crash);
* ``search``, ``stats``, ``check``, ``check --repair`` as commands: exit
  code and the first line they print.

The index is never the original: each case gets a copy under ``--workdir``.
Every child process runs in a folder outside the checkout, so ``python -m
newssearch`` imports the version ``PYTHONPATH`` names (``-m`` and ``-c`` put
the current folder first on the path).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NS = [sys.executable, "-m", "newssearch"]
DAMAGES = ("flip", "scramble", "truncate", "delete", "empty")

#: Runs in a child process (the PYTHONPATH given picks the version): one JSON line per probe query.
PROBE = r"""
import json, sys
import newssearch as ns
queries = json.loads(sys.argv[2])
try:
    ix = ns.open_index(sys.argv[1])
except Exception as exc:
    print(json.dumps({"open": f"{type(exc).__name__}: {str(exc)[:200]}"}))
    raise SystemExit(0)
for q, since, until, sort in queries:
    try:
        res = ix.search(q, since=since or None, until=until or None, sort=sort, limit=10, snippets=False)
        out = {"hits": [[h.article.id, round(h.score, 6), h.article.title] for h in res], "total": res.total}
    except Exception as exc:
        out = {"error": type(exc).__name__, "message": " ".join(str(exc).split())[:200]}
    print(json.dumps(out))
"""


#: Runs in a child process: the cost of opening and of searching, first use included.
COST = r"""
import json, sys, time
t0 = time.perf_counter()
import newssearch as ns
queries = json.loads(sys.argv[2])
t1 = time.perf_counter()
ix = ns.open_index(sys.argv[1])
res = ix.search(queries[0][0], limit=10, snippets=False)
t2 = time.perf_counter()
times = []
for q, since, until, sort in queries[1:]:
    a = time.perf_counter()
    ix.search(q, since=since or None, until=until or None, sort=sort, limit=10, snippets=False)
    times.append(time.perf_counter() - a)
times.sort()
print(json.dumps({"open_first": t2 - t1, "p50": times[len(times) // 2], "mean": sum(times) / len(times),
                  "p95": times[int(len(times) * 0.95)]}))
"""


def cost(index: Path, pythonpaths: list[str], repeat: int, n: int) -> None:
    """Open + first query, and the other queries' p50/mean/p95, per version (alternating runs, medians)."""
    queries = probe_queries(n)
    found: dict[str, list[dict]] = {p: [] for p in pythonpaths}
    for _ in range(repeat):
        for p in pythonpaths:
            env = dict(os.environ, PYTHONPATH=p) if p else {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            proc = subprocess.run([sys.executable, "-c", COST, str(index), json.dumps(queries)], capture_output=True, text=True, env=env, check=False,
                                  cwd=tempfile.gettempdir())
            found[p].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("| version | open + first query ms | query p50 ms | mean ms | p95 ms |")
    print("|---|---|---|---|---|")
    for p, runs in found.items():
        med = {k: sorted(r[k] for r in runs)[len(runs) // 2] * 1000 for k in runs[0]}
        print(f"| {p or 'this checkout'} | {med['open_first']:.1f} | {med['p50']:.2f} | {med['mean']:.2f} | {med['p95']:.2f} |")


def probe_queries(n: int = 40) -> list[list[str]]:
    """``n`` queries from the benchmark set: half by relevance, half newest first."""
    return _probe_queries(n)


def _probe_queries(n: int) -> list[list[str]]:
    """Read and pick them (seeded, so every run and version gets the same)."""
    rows = []
    with (ROOT / "bench" / "queries" / "news.tsv").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith(("#", "kind\t")):
                continue
            _kind, query, since, until = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
            rows.append([query, since, until])
    rng = random.Random(26)
    picked = rng.sample(rows, min(n, len(rows)))
    return [row + (["relevance"] if i % 2 == 0 else ["date"]) for i, row in enumerate(picked)]


def probe(index: Path, queries: list[list[str]]) -> list[dict]:
    """The probe queries' answers on ``index``, in a child process."""
    proc = subprocess.run([sys.executable, "-c", PROBE, str(index), json.dumps(queries)], capture_output=True, text=True, check=False,
                          cwd=index.parent)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return [{"crash": last[:150]}]
    return lines


def first_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The line a user reads first: an error, else the first line printed."""
    lines = [line for line in (proc.stderr + "\n" + proc.stdout).splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        return "TRACEBACK " + (lines[-1] if lines else "")[:140]
    err = [line for line in lines if line.startswith(("Error", "error", "Warning", "damaged", "Internal"))]
    return ((err or lines or [""])[0])[:150]


def command(args: list[str], index: Path) -> tuple[int, str]:
    proc = subprocess.run([*NS, *args, "--index", str(index)], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
                          cwd=index.parent)
    return proc.returncode, first_line(proc)


def targets(index: Path, sharded: bool) -> dict[str, Path]:
    """File kind -> one file of that kind in ``index`` (the first segment's, the first shard's)."""
    folder = index / "shard-000" if sharded else index
    found: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        name = p.name
        if name.startswith("newssearch_") and "." in name and "WRITELOCK" not in name:
            kind = name.split(".", 1)[1]
            found.setdefault(kind, p)
        elif name.endswith(".toc"):
            found.setdefault("toc", p)
    for name in ("newssearch.sums.json", "newssearch.json"):
        if (folder / name).exists():
            found[name] = folder / name
    for name in ("shards.json", "saved.sqlite", "follow.sqlite"):
        if (index / name).exists():
            found[name] = index / name
    return found


def damage(path: Path, how: str, rng: random.Random) -> None:
    """Damage one file: 16 flipped bytes or a quarter of its bytes replaced
    (both the same size), cut to half, deleted, emptied."""
    if how == "scramble":
        data = bytearray(path.read_bytes())
        for _ in range(len(data) // 4):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
    elif how == "delete":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        data = bytearray(path.read_bytes())
        for _ in range(16):
            if data:
                i = rng.randrange(len(data))
                data[i] ^= 0xFF
        path.write_bytes(bytes(data))


def add_live_state(index: Path) -> None:
    """Give the index saved searches and a follower's state, so their files can be damaged."""
    for args in (["saved", "add", "oil", "opec"], ["saved", "add", "rates", "interest rates"]):
        subprocess.run([*NS, *args, "--index", str(index)], capture_output=True, text=True, check=False, cwd=index.parent)
    # a follower's state file as `follow` leaves it: made by the follower's own code when present
    code = (
        "import sys, datetime; from newssearch.live.state import FeedState;"
        " FeedState(sys.argv[1]).add(['http://127.0.0.1:9/feed.xml'], datetime.datetime.now(datetime.timezone.utc))"
    )
    subprocess.run([sys.executable, "-c", code, str(index)], capture_output=True, text=True, check=False, cwd=index.parent)


def compare(base: list[dict], now: list[dict]) -> tuple[int, int, int, str]:
    """(silently changed, IndexDamaged, other errors, an example) of the probe answers."""
    if len(now) == 1 and ("crash" in now[0] or "open" in now[0]):
        msg = now[0].get("crash") or now[0].get("open") or ""
        return 0, (len(base) if msg.startswith("IndexDamaged") else 0), (0 if msg.startswith("IndexDamaged") else len(base)), msg
    silent = damaged = other = 0
    example = ""
    for b, n in zip(base, now):
        if "error" in n:
            if n["error"] == "IndexDamaged":
                damaged += 1
            else:
                other += 1
            example = example or f"{n['error']}: {n['message']}"
        elif n != b:
            silent += 1
    return silent, damaged, other, example


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an index to copy (never changed)")
    parser.add_argument("--sharded", action="store_true", help="the index is sharded: damage the first shard")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--kinds", default="", help="comma-separated file kinds (default: all)")
    parser.add_argument("--damages", default=",".join(DAMAGES))
    parser.add_argument("--csv", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--cost", action="append", default=None, metavar="PYTHONPATH",
                        help="instead of the table: time open and 200 searches with each PYTHONPATH ('' = this checkout)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if args.cost is not None:
        cost(args.index, args.cost, args.repeat, 200)
        return 0
    work = Path(args.workdir or tempfile.mkdtemp(prefix="newssearch-damage-"))
    work.mkdir(parents=True, exist_ok=True)
    master = work / "master"
    if master.exists():
        shutil.rmtree(master)
    shutil.copytree(args.index, master)
    add_live_state(master)
    queries = probe_queries()
    base = probe(master, queries)
    if any("error" in b or "crash" in b or "open" in b for b in base):
        print(f"the undamaged index does not answer every probe: {base[:2]}", file=sys.stderr)
        return 1
    kinds = targets(master, args.sharded)
    wanted = [k for k in args.kinds.split(",") if k] or sorted(kinds)
    rows = []
    print("| file | damage | probe: silent / IndexDamaged / other | search | stats | check | check --repair | search after repair |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in wanted:
        for how in args.damages.split(","):
            case = work / "case"
            if case.exists():
                shutil.rmtree(case)
            shutil.copytree(master, case)
            target = case / kinds[kind].relative_to(master)
            damage(target, how, random.Random(args.seed))
            silent, dmg, other, example = compare(base, probe(case, queries))
            cells = {
                "search": command(["search", "oil", "--limit", "3"], case),
                "stats": command(["stats"], case),
                "check": command(["check"], case),
                "repair": command(["check", "--repair"], case),
                "after": command(["search", "oil", "--limit", "3"], case),
            }
            row = {"file": kind, "damage": how, "silent": silent, "damaged": dmg, "other": other, "example": example}
            row.update({k: f"{c} {m}" for k, (c, m) in cells.items()})
            rows.append(row)
            shown = " | ".join(f"{cells[k][0]}: {cells[k][1][:90]}" for k in ("search", "stats", "check", "repair", "after"))
            print(f"| {kind} | {how} | {silent} / {dmg} / {other} | {shown} |", flush=True)
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    total_silent = sum(r["silent"] for r in rows)
    print(f"\ncases: {len(rows)}; probe queries silently changed: {total_silent}; "
          f"cases with other errors: {sum(1 for r in rows if r['other'])}; "
          f"tracebacks: {sum(1 for r in rows for k in ('search', 'stats', 'check', 'repair', 'after') if 'TRACEBACK' in r[k])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
