"""Serving under load: ``newssearch serve`` beside datasette over SQLite FTS5, same queries, same run.

Run by hand (never in CI; it needs ``wrk`` from Debian and the ``bench`` extra)::

    apt-get install -y wrk
    python -m newssearch index ../shared/data/reuters-news-2006-2007 --index /tmp/load-rx
    python bench/serve.py --index /tmp/load-rx --duration 15
    python bench/serve.py --index /tmp/load-rx --phases    # where a worker's CPU goes, in process
    python bench/serve.py --index /tmp/load-rx --answers /tmp/after.txt   # a digest of every answer

``--answers`` serves the index from the code of the current directory
(``cd`` to another checkout, with ``PYTHONPATH`` set to it, to digest its
answers) and writes the status and SHA-256 of every page and API body of
the queries, asked twice; ``diff`` of two such files shows any answer that
changed.

``--corpus scaled:100k`` serves datasette the scaled corpus of
:mod:`bench.corpora` instead (generated under ``--workdir`` at first use);
``--index`` must then hold the same articles, e.g. built with
``bench.engines.NewsSearchEngine().build(...)`` from the same records.

Three targets are loaded one after another, in the same run, on the same
machine, with the same 200 queries (``bench/queries/news.tsv``) cycled from
1, 8 and 32 concurrent clients:

* ``api``: newssearch's JSON API, ``/api/search?q=...&since=...&until=...``
  (10 hits, snippets, the total, the story copies grouped, as
  ``newssearch search --json`` answers);
* ``page``: newssearch's search page, ``/search?q=...`` (the same search
  rendered as HTML, with facet counts and the timeline chart);
* ``datasette``: the peer, datasette's JSON API over an FTS5 table of the
  same articles (built once under ``--workdir`` with :class:`bench.engines.Fts5Engine`
  from the Reuters corpus cache), asked through a canned query: the top 10
  by ``bm25()`` (title x2) with the title highlighted and an FTS5
  ``snippet()`` of the body, every word required (the query's words quoted
  and joined by ``AND``: :func:`bench.engines.fts5_match`), the date window
  on the ``published`` column.

The work is not identical, and the differences favour datasette: it does
not count the matches, group copies, suggest a spelling, or, when no
article holds every word, run the query again with any word (newssearch's
fallback; datasette then returns nothing).

Why wrk (Debian's package) and not locust: wrk is a C event loop that
keeps 32 connections busy on a fraction of one core; locust's Python
clients would need most of a core themselves on a machine with two,
taking it from the servers being measured. A Lua script
(``bench/wrk_cycle.lua``) gives each connection's thread the URL list at a
different starting point, times every request itself and prints the
latency percentiles as JSON. Not wrk's own histogram: on a mix of fast and
slow queries, Debian's wrk 4.1.0 reported a mean latency three to four
times what one connection's request count in the run allows (see the
script), where a plain Python client and the server's access log agreed.
wrk keeps connections alive and sends the next request when the previous
answer arrives (a closed loop), so latencies under overload understate
what an open stream of users would see.

Before measuring, every query is asked of each target once (each must
answer 200; the script says how many found nothing), then each target gets
``--warmup`` seconds of unmeasured load at the highest concurrency, so every
worker's caches are warm, as on a server that has been up for a while.

Per target and concurrency the script prints requests/s, p50/p95/p99
latency, errors (sockets, timeouts and any status other than 2xx), and
the server's CPU (seconds of CPU of all its processes over the cell's wall
time, 100% = one core; then each busy process's share, which shows whether
the connections were spread over the workers) and memory (the peak of the sum of its processes'
RSS, sampled every 0.2 s; forked workers share pages, so the sum
overstates it). Both servers run for the whole run; the one not being
loaded is idle. wrk runs on the same two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil
from starlette.responses import JSONResponse

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/serve.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

import newssearch
from bench.corpora import corpus_key, ensure, parse_corpus
from bench.engines import BenchQuery, Fts5Engine, fts5_match, load_queries, read_records
from newssearch.web.encode import search_body
from newssearch.web.params import search_request

QUERIES = HERE / "queries" / "news.tsv"
LUA = HERE / "wrk_cycle.lua"
TARGETS = ("api", "page", "datasette")

#: The peer's canned query. FTS5's UNINDEXED columns have no type affinity and
#: datasette passes every parameter as text, so the window is cast to integers
#: (a text value would compare greater than every integer).
CANNED_SQL = (
    "SELECT id, highlight(docs, 1, '<b>', '</b>') AS title,"
    " snippet(docs, 2, '<b>', '</b>', '\u2026', 40) AS snippet, published"
    " FROM docs WHERE docs MATCH :q"
    " AND published BETWEEN CAST(:lo AS INTEGER) AND CAST(:hi AS INTEGER)"
    " ORDER BY rank LIMIT 10"
)
NO_LO, NO_HI = -(2**62), 2**62


@dataclass
class Server:
    """A server process started by this script, and the port it answers on."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.proc.pid)
        return [root, *root.children(recursive=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(server: Server, path: str, timeout: float = 120.0) -> None:
    """Poll ``path`` until it answers 200; fail with the server's log if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            sys.exit(f"{server.name} exited with {server.proc.returncode} before answering (its log is under --workdir)")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    sys.exit(f"{server.name} did not answer {path} within {timeout:.0f} s")


def fts5_db(workdir: Path, corpus: str = "reuters") -> Path:
    """The FTS5 database of the articles of ``corpus`` (``reuters``,
    ``scaled:100k``: :mod:`bench.corpora`), built once under ``workdir``."""
    name, size = parse_corpus(corpus)
    folder = workdir / f"fts5-{corpus_key(name, size)}"
    db = folder / Fts5Engine.FILE
    if not db.exists():
        corpus_file, n = ensure(workdir, name, size)
        print(f"building the FTS5 table of {n:,} articles in {db} ...", file=sys.stderr)
        Fts5Engine().build(folder, read_records(corpus_file, n))
    return db


def datasette_metadata(workdir: Path) -> Path:
    path = workdir / "datasette-metadata.json"
    meta = {"databases": {"fts5": {"queries": {"search": {"sql": CANNED_SQL, "title": "top 10, every word required"}}}}}
    path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return path


def start_newssearch(index: Path, workers: int, timeout: float, log: Path) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "newssearch", "serve", "--index", str(index), "--port", str(port),
           "--workers", str(workers), "--timeout", str(timeout)]
    with open(log, "wb") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    return Server("newssearch", proc, port)


def start_datasette(db: Path, metadata: Path, threads: int, timeout: float, log: Path) -> Server:
    port = free_port()
    # immutable: datasette may then count and cache without locking, as a read-only archive allows
    cmd = [sys.executable, "-m", "datasette", "serve", "--metadata", str(metadata),
           "--port", str(port), "--host", "127.0.0.1", "--immutable", str(db),
           "--setting", "num_sql_threads", str(threads),
           "--setting", "sql_time_limit_ms", str(int(timeout * 1000))]
    with open(log, "wb") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    return Server("datasette", proc, port)


def paths_for(target: str, queries: list[BenchQuery]) -> list[str]:
    """Each query as the request path the target is asked."""
    out = []
    for q in queries:
        if target == "datasette":
            lo, hi = q.window()
            params = {"q": fts5_match(q), "lo": int(lo.timestamp()) if lo else NO_LO,
                      "hi": int(hi.timestamp()) if hi else NO_HI, "_shape": "array"}
            out.append("/fts5/search.json?" + urlencode(params))
        else:
            params = {"q": q.text, **({"since": q.since} if q.since else {}), **({"until": q.until} if q.until else {})}
            out.append(("/api/search?" if target == "api" else "/search?") + urlencode(params))
    return out


def check(server: Server, target: str, paths: list[str]) -> tuple[int, int]:
    """Ask every path once (this also warms the server): every answer must be
    200; return (answers with no hit, hits in all) for the JSON targets."""
    empty = hits = 0
    for p in paths:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{p}", timeout=30) as r:
                body = r.read()
        except urllib.error.HTTPError as exc:
            sys.exit(f"{target}: {p} answered {exc.code}: {exc.read()[:300]!r}")
        if target == "page":
            continue
        doc = json.loads(body)
        n = len(doc["hits"] if target == "api" else doc)
        hits += n
        empty += n == 0
    return empty, hits


class Sampler:
    """The server's CPU seconds over a cell and the peak of its RSS, from psutil."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak_rss = 0
        self.procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu(self) -> dict[int, float]:
        seconds = {}
        for p in self.server.processes():
            try:
                t = p.cpu_times()
                seconds[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return seconds

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            rss = 0
            procs = self.server.processes()
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            self.procs = max(self.procs, len(procs))

    def start(self) -> None:
        self._cpu0, self._t0 = self._cpu(), time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        wall = time.monotonic() - self._t0
        used = {pid: sec - self._cpu0.get(pid, 0.0) for pid, sec in self._cpu().items()}
        self.cpu_percent = 100 * sum(used.values()) / wall
        #: each process's share, busiest first, those under 1% left out:
        #: shows how evenly the workers were loaded
        self.per_process = [100 * u / wall for u in sorted(used.values(), reverse=True) if 100 * u / wall >= 1]


def run_wrk(port: int, paths_file: Path, clients: int, duration: float, timeout: float) -> dict[str, float]:
    # one connection per wrk thread: the Lua script times each request itself (see bench/wrk_cycle.lua)
    cmd = ["wrk", f"-t{clients}", f"-c{clients}", f"-d{duration:g}s", f"--timeout={timeout:g}s",
           "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(paths_file)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("JSON ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{out}")
    result = json.loads(line[5:])
    if result["timed"] < result["requests"] - clients:  # each response should follow its thread's request
        print(f"warning: wrk timed {result['timed']} of {result['requests']} responses", file=sys.stderr)
    return result


def answer_paths(queries: list[BenchQuery]) -> list[str]:
    """What ``--answers`` asks: each query's search page, ``/api/search``,
    ``/api/timeline`` and ``/api/facets``, and for the first 40 the page by
    other periods, in another zone, sorted by date, on page 2, filtered, with
    any word, and the API with every copy and facets."""
    paths = []
    for i, q in enumerate(queries):
        base = {"q": q.text, **({"since": q.since} if q.since else {}), **({"until": q.until} if q.until else {})}
        paths += [f"/api/search?{urlencode(base)}", f"/search?{urlencode(base)}", f"/api/timeline?{urlencode(base)}",
                  "/api/facets?" + urlencode({**base, "facets": "source,section,agencies,language"})]
        if i < 40:
            paths += ["/search?" + urlencode({**base, "by": "day", "page": "2"}), "/search?" + urlencode({**base, "by": "month", "source": "Reuters"}),
                      "/search?" + urlencode({**base, "sort": "date", "tz": "Europe/Sofia", "by": "year"}),
                      "/api/search?" + urlencode({**base, "all_copies": "true", "facets": "source,agencies"}),
                      "/search?" + urlencode({**base, "match": "any"})]
    return paths


def answers(server: Server, paths: list[str], out: Path) -> None:
    """Every answer, twice (the second from what the worker kept), as
    ``round status sha256 path`` lines in ``out``: two runs' files are
    equal when every body is byte for byte the same (``--answers``)."""
    with open(out, "w", encoding="utf-8") as f:
        for round_ in (0, 1):
            for p in paths:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{p}", timeout=60) as r:
                        status, body = r.status, r.read()
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                f.write(f"{round_} {status} {hashlib.sha256(body).hexdigest()} {p}\n")
    print(f"{2 * len(paths)} answers in {out}", file=sys.stderr)


PHASES = ("params", "search", "suggest", "body", "json")


def phases(index: Path, queries: list[BenchQuery], rounds: int = 3) -> None:
    """Where one worker's CPU goes on ``/api/search``, per phase and in
    process (no HTTP): reading the parameters, the search, did-you-mean, the
    body and its JSON, as the endpoint calls them (``--phases``). The first
    pass opens the index and meets every query for the first time; the
    others are as a server that has been up for a while answers them."""
    asked = [{"q": [q.text], **({"since": [q.since]} if q.since else {}), **({"until": [q.until]} if q.until else {})} for q in queries]
    clock = time.process_time
    print(f"{'CPU ms per request (mean of ' + str(len(asked)) + ')':<34}" + " ".join(f"{p:>8}" for p in (*PHASES, "total")))
    with newssearch.open_index(index) as ix:
        for n in range(rounds):
            spent = dict.fromkeys(PHASES, 0.0)
            for params in asked:
                t0 = clock()
                wanted = search_request(params)
                t1 = clock()
                results = ix.search(wanted)
                t2 = clock()
                suggestion = ix.suggest(wanted.query) if wanted.query.strip() else None
                t3 = clock()
                body = search_body(results, wanted.query, suggestion, bool(wanted.facets))
                t4 = clock()
                JSONResponse(body)
                t5 = clock()
                for phase, took in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                    spent[phase] += took
            label = "first pass (index just opened)" if n == 0 else f"pass {n + 1}"
            cells = [1000 * spent[p] / len(asked) for p in PHASES]
            print(f"{label:<34}" + " ".join(f"{c:>8.2f}" for c in (*cells, sum(cells))))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=Path("/tmp/load-rx"), help="newssearch index of --corpus's articles")
    ap.add_argument("--corpus", default="reuters", help="the articles datasette serves: reuters (Reuters 2006-07) or scaled:SIZE (bench/corpora.py)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/load-bench"), help="FTS5 database, corpus cache, server logs")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--clients", default="1,8,32", help="concurrencies, comma-separated")
    ap.add_argument("--duration", type=float, default=15.0, help="seconds per cell")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds of unmeasured load per target first, at the highest concurrency")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="newssearch serve --workers (default: one per core)")
    ap.add_argument("--sql-threads", type=int, default=3, help="datasette's num_sql_threads (its default: 3)")
    ap.add_argument("--timeout", type=float, default=10.0, help="a request's limit, for both servers and for wrk")
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--phases", action="store_true", help="only time the API's phases in this process (no server, no wrk)")
    ap.add_argument("--answers", type=Path, help="only write a digest of every answer (pages and API) to this file, to compare two checkouts (no wrk)")
    args = ap.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",")]
    targets = [t for t in args.targets.split(",") if t]
    if unknown := set(targets) - set(TARGETS):
        ap.error(f"unknown targets: {', '.join(sorted(unknown))} (known: {', '.join(TARGETS)})")
    args.workdir.mkdir(parents=True, exist_ok=True)
    queries = load_queries(args.queries)
    if bad := [q.text for q in queries if not fts5_match(q)]:
        sys.exit(f"queries with no word FTS5 can be given: {bad}")
    if args.phases:
        phases(args.index, queries)
        return

    if args.answers:
        ns = start_newssearch(args.index, 1, args.timeout, args.workdir / "newssearch.log")
        try:
            wait_ready(ns, "/api/stats")
            answers(ns, answer_paths(queries), args.answers)
        finally:
            ns.proc.terminate()
            ns.proc.wait(timeout=40)
        return

    db = fts5_db(args.workdir, args.corpus)
    ns = start_newssearch(args.index, args.workers, args.timeout, args.workdir / "newssearch.log")
    ds = start_datasette(db, datasette_metadata(args.workdir), args.sql_threads, args.timeout, args.workdir / "datasette.log")
    try:
        wait_ready(ns, "/api/stats")
        wait_ready(ds, "/fts5.json")
        server_of = {"api": ns, "page": ns, "datasette": ds}
        files = {}
        for t in targets:
            paths = paths_for(t, queries)
            files[t] = args.workdir / f"paths-{t}.txt"
            files[t].write_text("\n".join(paths) + "\n", encoding="utf-8")
            empty, hits = check(server_of[t], t, paths)
            extra = "" if t == "page" else f"; {empty} of them with no hit, {hits} hits in all"
            print(f"{t}: all {len(paths)} queries answered 200{extra}", file=sys.stderr)
            if args.warmup > 0:  # every worker's caches, not only those the check reached
                run_wrk(server_of[t].port, files[t], max(clients), args.warmup, args.timeout)
        rows = []
        for c in clients:
            for t in targets:
                server = server_of[t]
                s = Sampler(server)
                s.start()
                try:
                    r = run_wrk(server.port, files[t], c, args.duration, args.timeout)
                finally:
                    s.stop()
                rows.append((t, c, r, s))
                print(f"  {t} x{c}: {r['requests'] / r['seconds']:.0f} req/s", file=sys.stderr)
    finally:
        for server in (ns, ds):
            server.proc.terminate()
        for server in (ns, ds):
            try:
                server.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.proc.kill()
    print(f"{len(queries)} queries cycled, {args.duration:g} s per cell; newssearch serve --workers {args.workers},"
          f" datasette num_sql_threads {args.sql_threads}; {os.cpu_count()} cores shared with wrk")
    head = f"{'target':<10} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU %':>6} {'per process':>12} {'RSS MB':>7} {'procs':>5}"
    print(head)
    print("-" * len(head))
    for t, c, r, s in rows:
        print(f"{t:<10} {c:>7} {r['requests'] / r['seconds']:>8.1f} {r['p50'] / 1000:>8.1f} {r['p95'] / 1000:>8.1f}"
              f" {r['p99'] / 1000:>8.1f} {r['errors']:>7} {s.cpu_percent:>6.0f} {'+'.join(str(round(u)) for u in s.per_process):>12} {s.peak_rss / 2**20:>7.0f} {s.procs:>5}")


if __name__ == "__main__":
    main()
