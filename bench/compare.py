"""newssearch side by side with SQLite FTS5 and tantivy: same articles, same queries, same run.

Run by hand (not part of the test run; the peers need the ``bench`` extra)::

    python bench/compare.py                                  # scaled:10k, 1 run
    python bench/compare.py --corpus reuters --repeat 3      # Reuters 2006-07, medians of 3 runs
    python bench/compare.py --corpus scaled:100k --corpus headlines --repeat 2
    nohup python bench/compare.py --corpus scaled:1m --reuse > 1m.log 2>&1 &   # build once, query later

Corpora (``--corpus``, repeatable; see ``bench/corpora.py``): ``reuters``
(14,384 full articles), ``headlines`` (162,895 headlines), ``scaled:SIZE``
(~400-word articles recombined from real paragraphs, e.g. 10k, 100k, 1m);
``reuters:5000`` takes the first 5,000. Queries: the 200 in
``bench/queries/news.tsv`` (``--queries``), given to each engine as
``bench/engines.py`` documents, in each mode of ``--match`` (default
``all,any``): ``all`` requires every word (newssearch's default; a query
nothing holds in full is answered by the fallback's any-word list, the same
rule for every engine), ``any`` is any word (OR). The build is shared; the
queries are timed once per mode, and the table for the second mode shows
its query rows only, with how many queries the fallback answered.

Each engine runs in its own processes, so peak memory (the process's
maximum RSS) is that engine's alone:

* a build process streams the corpus cache into a new index and commits:
  articles/s (wall clock, reading the cache included for all three),
  CPU seconds of the process and its children (tantivy's threads and
  newssearch's writer processes both count), size on disk, peak memory of
  the process and its children together (PSS, sampled: see TreeMemory);
* a fresh search process times importing the engine, then opening the
  index and running a first query with snippets ("open + first query": OS
  file cache warm, nothing else), runs the 20 warm-up queries
  (``bench/queries/warmup.tsv``), then times each of the 200 queries once
  for the top 10 (ids and titles), emptying what the engine cached in its
  own process before each (newssearch's decoded posting lists, SQLite's
  page cache; tantivy's binding has no such call): "cold" for the engine,
  warm for code and the OS file cache, as each peer reads its files through
  the page cache. The same process then times the 200 again without
  emptying anything ("warm pass"); a second fresh process times them cold
  with snippets. Top-10 overlap with newssearch's lists checks that the
  engines answer the same questions.

What indexing includes, for each engine (printed under the table):
newssearch: analysis, story signatures, two writer processes (each
starting a new segment when its memory share is full), one commit, then
the tiered merge (``engine.writing.merge_plan``); FTS5: one
transaction, then ``optimize`` (merging into one b-tree); tantivy: one
writer (a thread per core), its commit and waiting for its merges.

``--repeat N`` repeats all of it N times, engines in rotating order, and
reports medians; the ratio columns (newssearch / peer: above 1 is slower,
bigger or, for articles/s, faster) are medians of each run's ratios, which
are steadier than the raw figures on a shared machine. ``--reuse`` keeps
indexes between runs and commands (in ``--workdir``, default
``/tmp/newssearch-bench``, with the corpus caches); a reused index reports
the figures recorded when it was built, and the table says when it was
built by other code (newssearch's source changed since: its indexing rows
are then stale, and an index the new schema cannot read fails the run). The raw figures of every run are
written as JSON next to the indexes (``--json`` to choose the file).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/compare.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

from bench.engines import (  # noqa: E402
    ENGINES,
    load_queries,
    make_engine,
    parse_match_modes,
    read_records,
    remove_index,
)

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "newssearch-bench"
DEFAULT_QUERIES = HERE / "queries" / "news.tsv"
DEFAULT_WARMUP = HERE / "queries" / "warmup.tsv"


# --- the worker processes -------------------------------------------------------


def _maxrss_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux
    carries ru_maxrss across fork and exec, so a worker would report at
    least its parent's size (the harness's own, with a corpus in memory)."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    """CPU seconds of this process and of every child it has waited for
    (Whoosh's multiprocess writer indexes in child processes)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    kids = [int(x) for x in f.read().split()]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def _pss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakSampler:
    """The largest value of ``measure()`` seen in a ``with`` block, sampled
    every ``interval`` seconds by a thread, and once more at the end."""

    interval = 1.0

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def measure(self) -> float:
        raise NotImplementedError

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.measure())

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.measure())


class TreeMemory(PeakSampler):
    """The peak memory of this process and its children together, sampled
    every 50 ms: the sum of their proportional set sizes (PSS: a page
    shared by n processes counts 1/n in each, so forked workers are not
    counted twice), at least this process's own peak (VmHWM)."""

    interval = 0.05

    def measure(self) -> float:
        me = os.getpid()
        return max(_maxrss_mib(), sum(_pss_mib(pid) for pid in [me, *_descendants(me)]))


def dir_size(path: Path) -> int:
    total = 0
    for f in path.rglob("*"):
        try:
            if f.is_file():
                total += f.stat().st_size
        except OSError:  # a file removed while counting (sampled during a build)
            pass
    return total


class DiskPeak(PeakSampler):
    """The largest size the index's folder reaches while it is built
    (sampled every second): the index plus what the engine writes beside
    it as scratch (newssearch's job files and segments later merged away,
    SQLite's journal, tantivy's merge output). SQLite's temporary files in
    the system's temporary folder are not counted."""

    def __init__(self, where: Path) -> None:
        super().__init__()
        self.where = where

    def measure(self) -> float:
        return float(dir_size(self.where)) if self.where.exists() else 0.0


def worker_build(engine_name: str, index: str, corpus: str, count: str) -> dict[str, Any]:
    where = Path(index)
    remove_index(where)
    engine = make_engine(engine_name)
    with TreeMemory() as memory, DiskPeak(where) as disk:
        cpu0, t0 = _cpu(), time.perf_counter()
        n = engine.build(where, read_records(Path(corpus), int(count)))
        seconds = time.perf_counter() - t0
        cpu = _cpu() - cpu0
    return {
        "articles": n,
        "index_s": seconds,
        "index_rate": n / seconds if seconds else 0.0,
        "index_cpu_s": cpu,
        "size_mib": dir_size(where) / 2**20,
        "disk_peak_mib": disk.peak / 2**20,
        "rss_index_mib": memory.peak,
    }


def worker_query(
    engine_name: str, index: str, queries_file: str, warmup_file: str, limit: str, mode: str, match: str = "all"
) -> dict[str, Any]:
    """Open, first query, warm up, then time every query once, either
    without snippets (``mode="query"``) or with them (``"snippet"``), every
    query (warm-up ones too) asked with ``match``.

    Each timed query runs once in its pass and is never one of the warm-up
    queries, and before each one the engine drops what it cached in its
    process (``Engine.drop_caches``: newssearch's decoded posting lists,
    SQLite's page cache; tantivy has no such call): the figures are cold
    for the engine's own caches, warm for code and the OS file cache. In
    query mode a second pass then times the same queries again without
    dropping anything: the warm figures."""
    k = int(limit)
    queries = load_queries(queries_file, match)
    warmup = load_queries(warmup_file, match)
    t0 = time.perf_counter()
    engine = make_engine(engine_name)  # imports the engine's library
    t1 = time.perf_counter()
    engine.open(Path(index))
    engine.search(warmup[0], k, snippets=True)
    t2 = time.perf_counter()
    for q in warmup[1:]:
        engine.search(q, k, snippets=mode == "snippet")
    lat, top, fallbacks = [], [], []
    for q in queries:
        engine.drop_caches()  # cold: what the engine kept in its process from earlier queries is gone
        s = time.perf_counter()
        answer = engine.answer(q, k, snippets=mode == "snippet")
        lat.append((time.perf_counter() - s) * 1000)
        top.append([h[0] for h in answer.hits])
        fallbacks.append(answer.fallback)
    warm = []
    if mode == "query":  # then warm: the same queries again, nothing dropped
        for q in queries:
            s = time.perf_counter()
            engine.search(q, k, snippets=False)
            warm.append((time.perf_counter() - s) * 1000)
    engine.close()
    return {
        "import_ms": (t1 - t0) * 1000,
        "open_first_ms": (t2 - t1) * 1000,
        "lat_ms": lat,
        "lat_warm_ms": warm,
        "top": top,
        "fallbacks": fallbacks,
        "rss_search_mib": _maxrss_mib(),
    }


def run_worker(kind: str, *args: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), f"--worker={kind}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{kind} worker failed: {' '.join(cmd)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- figures --------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p50 of 200 values is the 101st smallest)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def figures(build: dict[str, Any], query: dict[str, Any], snippet: dict[str, Any], reused: bool) -> dict[str, Any]:
    f = {k: build[k] for k in ("articles", "index_rate", "index_s", "index_cpu_s", "size_mib", "rss_index_mib") if k in build}
    if "disk_peak_mib" in build:
        f["disk_peak_mib"] = build["disk_peak_mib"]
    f["reused"] = reused
    f["rss_search_mib"] = max(query["rss_search_mib"], snippet["rss_search_mib"])
    # two fresh processes each open the index: take the better of the two
    f["import_ms"] = min(query["import_ms"], snippet["import_ms"])
    f["open_first_ms"] = min(query["open_first_ms"], snippet["open_first_ms"])
    for key, lat in (("q", query["lat_ms"]), ("s", snippet["lat_ms"]), ("qw", query.get("lat_warm_ms") or query["lat_ms"])):
        for p in (50, 95, 99):
            f[f"{key}_p{p}"] = percentile(lat, p)
        f[f"{key}_mean"] = statistics.mean(lat)
    f["with_hits"] = sum(1 for t in query["top"] if t)
    f["fallbacks"] = sum(query.get("fallbacks", ()))
    return f


INDEXING_INCLUDES = (
    "indexing includes -- newssearch: analysis, story signatures, 2 writer processes, one commit, then its"
    " tiered merge; fts5: one transaction + optimize; tantivy: one writer (a thread per core),"
    " commit, waiting for merges. Query rows: each engine's in-process caches emptied before each timed query"
    " (tantivy: no call to do so); 'warm pass': the same queries again."
)

#: (key, label, format, is it a rate: higher is better)
ROWS = [
    ("articles", "articles indexed", "{:,.0f}", None),
    ("index_rate", "indexing articles/s", "{:,.0f}", True),
    ("index_cpu_s", "indexing CPU s, all processes", "{:,.1f}", False),
    ("size_mib", "index size MiB", "{:,.1f}", False),
    ("disk_peak_mib", "disk peak while indexing MiB", "{:,.0f}", False),
    ("rss_index_mib", "peak memory indexing MiB", "{:,.0f}", False),
    ("rss_search_mib", "peak RSS searching MiB", "{:,.0f}", False),
    ("import_ms", "import engine ms", "{:,.1f}", False),
    ("open_first_ms", "open + first query ms", "{:,.1f}", False),
    ("q_p50", "query p50 ms", "{:,.2f}", False),
    ("q_p95", "query p95 ms", "{:,.2f}", False),
    ("q_p99", "query p99 ms", "{:,.2f}", False),
    ("qw_p50", "query p50 ms, warm pass", "{:,.2f}", False),
    ("qw_p95", "query p95 ms, warm pass", "{:,.2f}", False),
    ("s_p50", "query+snippet p50 ms", "{:,.2f}", False),
    ("s_p95", "query+snippet p95 ms", "{:,.2f}", False),
    ("s_p99", "query+snippet p99 ms", "{:,.2f}", False),
    ("with_hits", "queries with hits", "{:,.0f}", None),
    ("fallbacks", "answered by the fallback", "{:,.0f}", None),
    ("overlap", "top-10 overlap with newssearch", "{:.2f}", None),
]
#: The rows a second --match mode adds (the build is the same).
QUERY_ROWS = ("q_p50", "q_p95", "q_p99", "qw_p50", "qw_p95", "s_p50", "s_p95", "s_p99", "with_hits", "fallbacks", "overlap")


def overlap(a: list[list[str]], b: list[list[str]]) -> float:
    """Mean share of newssearch's top-10 ids that the peer also returns."""
    shares = [len(set(x) & set(y)) / len(x) for x, y in zip(a, b) if x]
    return statistics.mean(shares) if shares else 0.0


def summarise(runs: list[dict[str, dict[str, Any]]], engines: list[str]) -> tuple[dict, dict]:
    """Median figures per engine, and median per-run ratios newssearch/peer."""
    med: dict[str, dict[str, float]] = {}
    for e in engines:
        med[e] = {key: statistics.median(r[e][key] for r in runs) for key, *_ in ROWS if key in runs[0][e]}
    ratios: dict[str, dict[str, float]] = {}
    if "newssearch" in engines:
        for peer in (e for e in engines if e != "newssearch"):
            ratios[peer] = {}
            for key, _, _, rate in ROWS:
                if rate is None:
                    continue
                vals = [r["newssearch"][key] / r[peer][key] for r in runs if r[peer][key]]
                if vals:
                    ratios[peer][key] = statistics.median(vals)
    return med, ratios


def format_table(med: dict, ratios: dict, engines: list[str], keys: tuple[str, ...] | None = None) -> str:
    """The figures (``keys`` only, if given) with newssearch's ratio to each peer."""
    peers = list(ratios)
    head = f"{'':<32}" + "".join(f"{e:>13}" for e in engines) + "".join(f"{'ns/' + p:>13}" for p in peers)
    lines = [head, "-" * len(head)]
    for key, label, fmt, _ in ROWS:
        if (keys is not None and key not in keys) or not all(key in med[e] for e in engines):
            continue
        cells = "".join(f"{fmt.format(med[e][key]):>13}" for e in engines)
        cells += "".join(f"{(format(ratios[p][key], '.2f') + 'x') if key in ratios[p] else '':>13}" for p in peers)
        lines.append(f"{label:<32}{cells}")
    return "\n".join(lines)


def format_kinds(runs: list[dict[str, Any]], queries: list, engines: list[str]) -> str:
    kinds = list(dict.fromkeys(q.kind for q in queries))
    head = f"{'query p50 / p95 ms by kind':<32}" + "".join(f"{e:>17}" for e in engines)
    lines = [head, "-" * len(head)]
    for kind in kinds:
        idx = [i for i, q in enumerate(queries) if q.kind == kind]
        cells = ""
        for e in engines:
            p50 = statistics.median(percentile([r[e]["lat_query_ms"][i] for i in idx], 50) for r in runs)
            p95 = statistics.median(percentile([r[e]["lat_query_ms"][i] for i in idx], 95) for r in runs)
            cells += f"{f'{p50:.2f} / {p95:.2f}':>17}"
        lines.append(f"{kind + f' ({len(idx)})':<32}{cells}")
    return "\n".join(lines)


# --- the command ----------------------------------------------------------------


def versions() -> dict[str, str]:
    from importlib import metadata

    import sqlite3

    import newssearch

    out = {
        "python": platform.python_version(),
        "newssearch": f"{newssearch.__version__} from {Path(newssearch.__file__).parent}",
        "whoosh3": metadata.version("whoosh3"),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        out["tantivy"] = metadata.version("tantivy")
    except metadata.PackageNotFoundError:
        out["tantivy"] = "not installed"
    try:
        rev = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"], capture_output=True, text=True)
        out["git"] = rev.stdout.strip()
    except OSError:
        pass
    return out


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def bench_corpus(spec: str, args: argparse.Namespace, engines: list[str]) -> dict[str, Any]:
    from bench import corpora  # it imports newssearch, which this parent process, timing its workers, keeps out

    name, size = corpora.parse_corpus(spec)
    cache, count = corpora.ensure(args.workdir, name, size, log=log)
    key = corpora.corpus_key(name, size)
    queries = load_queries(args.queries)
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in args.match}
    loads: list[float] = []
    code = {e: engine_code(e) for e in engines}
    stale: list[str] = []
    for r in range(args.repeat):
        order = engines[r % len(engines):] + engines[: r % len(engines)]
        this: dict[str, dict[str, Any]] = {m: {} for m in args.match}
        raw: dict[str, dict[str, Any]] = {m: {} for m in args.match}
        for e in order:
            index = args.workdir / "index" / key / e
            record = index.with_suffix(".build.json")
            reused = args.reuse and record.exists() and index.exists()
            if reused:
                build = json.loads(record.read_text())
                if build.get("code") != code[e]:
                    stale.append(f"{e} index built by {build.get('code', 'unknown code')}, searched with {code[e]}")
            else:
                log(f"[{key} run {r + 1}/{args.repeat}] {e}: indexing {count:,} articles ...")
                loads.append(os.getloadavg()[0])
                build = run_worker("build", e, str(index), str(cache), str(count))
                build["code"] = code[e]
                record.write_text(json.dumps(build))
                log(f"    {build['index_rate']:,.0f} articles/s, {build['size_mib']:,.1f} MiB")
            if args.build_only:
                continue
            for m in args.match:
                log(f"[{key} run {r + 1}/{args.repeat}] {e}: {len(queries)} queries, match={m}, then with snippets ...")
                loads.append(os.getloadavg()[0])
                common = (e, str(index), str(args.queries), str(args.warmup), str(args.limit))
                query = run_worker("query", *common, "query", m)
                snippet = run_worker("query", *common, "snippet", m)
                this[m][e] = figures(build, query, snippet, reused)
                raw[m][e] = {"top": query["top"], "lat_query_ms": query["lat_ms"], "lat_snippet_ms": snippet["lat_ms"]}
        if args.build_only:
            continue
        for m in args.match:
            for e in engines:
                if "newssearch" in raw[m]:
                    this[m][e]["overlap"] = overlap(raw[m]["newssearch"]["top"], raw[m][e]["top"])
                this[m][e]["lat_query_ms"] = raw[m][e]["lat_query_ms"]
                this[m][e]["lat_snippet_ms"] = raw[m][e]["lat_snippet_ms"]
                this[m][e]["top"] = raw[m][e]["top"]
            runs[m].append(this[m])
    return {"corpus": key, "articles": count, "runs": runs, "load": loads, "queries": queries, "stale": sorted(set(stale))}


def engine_code(engine: str) -> str:
    """What built an index: newssearch's version and a digest of its source
    (so a reused index built by other code is flagged), or the peer's version."""
    import hashlib
    from importlib import metadata

    if engine == "newssearch":
        import newssearch

        digest = hashlib.blake2b(digest_size=6)
        for f in sorted(Path(newssearch.__file__).parent.rglob("*.py")):
            digest.update(f.read_bytes())
        return f"newssearch {newssearch.__version__} ({digest.hexdigest()})"
    if engine == "fts5":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version}"
    try:
        return f"tantivy {metadata.version('tantivy')}"
    except metadata.PackageNotFoundError:
        return "tantivy"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("--worker="):
        kind = argv[0].split("=", 1)[1]
        result = (worker_build if kind == "build" else worker_query)(*argv[1:])
        print(json.dumps(result))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", help="reuters, headlines, scaled:SIZE, NAME:SIZE (repeatable; default scaled:10k)")
    ap.add_argument("--repeat", type=int, default=1, help="runs to take medians over (default: %(default)s)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: %(default)s")
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="query file (default: bench/queries/news.tsv)")
    ap.add_argument("--warmup", type=Path, default=DEFAULT_WARMUP, help="warm-up queries, never timed (default: bench/queries/warmup.tsv)")
    ap.add_argument("--match", type=parse_match_modes, default=["all", "any"],
                    help="all (every word, with the fallback), any (OR), or both (default: all,any)")
    ap.add_argument("--limit", type=int, default=10, help="hits per query (default: %(default)s)")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="corpus caches and indexes (default: %(default)s)")
    ap.add_argument("--reuse", action="store_true", help="reuse indexes already built in --workdir (build those missing)")
    ap.add_argument("--build-only", action="store_true", help="only build the indexes (e.g. 1M, in the background)")
    ap.add_argument("--json", type=Path, help="write the raw figures here (default: WORKDIR/results/CORPUS-TIME.json)")
    args = ap.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    info = versions()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"# bench/compare.py {' '.join(argv)}\n# {started}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
        + ", ".join(f"{k} {v}" for k, v in info.items())
    )
    for spec in args.corpus or ["scaled:10k"]:
        result = bench_corpus(spec, args, engines)
        if args.build_only:
            print(f"built {result['corpus']} ({result['articles']:,} articles) in {args.workdir / 'index' / result['corpus']}")
            continue
        first = args.match[0]
        runs = result["runs"][first]
        reused = " (index figures from a reused build)" if any(r[e]["reused"] for r in runs for e in engines) else ""
        print(
            f"\n## {result['corpus']}: {result['articles']:,} articles, {len(result['queries'])} queries,"
            f" top {args.limit}, median of {len(runs)} run(s){reused}; load average during the runs"
            f" {min(result['load']):.2f}..{max(result['load']):.2f}"
        )
        for note in result["stale"]:
            print(f"note: reused {note}: rerun without --reuse to measure this code's indexing")
        medians = {}
        for i, m in enumerate(args.match):
            med, ratios = summarise(result["runs"][m], engines)
            medians[m] = {"median": med, "ratios": ratios}
            how = "every word; nothing holds them all: the fallback's list" if m == "all" else "any word (OR)"
            print(f"\n### match={m} ({how})" + ("" if i == 0 else ": query rows (the build is the one above)"))
            print(format_table(med, ratios, engines, None if i == 0 else QUERY_ROWS))
            if i == 0:
                print(INDEXING_INCLUDES)
            print()
            print(format_kinds(result["runs"][m], result["queries"], engines))
        out = args.json or args.workdir / "results" / f"{result['corpus']}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"argv": argv, "info": info, "started": started, "corpus": result["corpus"],
                                   "articles": result["articles"], "match": args.match, "by_match": medians,
                                   "runs": result["runs"], "load": result["load"]}, indent=1))
        print(f"\n(raw figures: {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
