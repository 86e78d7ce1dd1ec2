"""A sharded index built on a Dask LocalCluster: build rate per worker, and
what searching shards costs against one index of the same articles.

The corpus (``--corpus``, default scaled:100k from corpora.py) is written
as JSON Lines files of ``--per-file`` articles each, so that the cluster
has files to partition. For each worker count in ``--workers`` a
LocalCluster of that many single-threaded worker processes (TCP on
127.0.0.1) builds a ``--shards``-shard index with ``newssearch.cluster``;
CPU is counted for every process (the workers, read through the cluster,
and this one, which runs the scheduler and the client). This machine has
2 cores, shared by the scheduler, the client and the workers: 2 workers
are not 2 free cores.

Then the same articles are indexed into one plain index (locally, as
``index`` does), and the 200 benchmark queries (bench/queries/news.tsv,
each once after a warm-up pass, top 10 with snippets) are timed on it, on
the shards searched as one index here, and fanned out to a LocalCluster of
one worker per shard (``NewsIndex.search_on``): the overheads per query.

    python bench/cluster.py --corpus scaled:100k --workers 1 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/cluster.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

import newssearch as ns  # noqa: E402
from bench.corpora import ensure, parse_corpus  # noqa: E402
from bench.engines import article_from_record, read_records  # noqa: E402


def split_corpus(path: Path, total: int, per_file: int, folder: Path) -> Path:
    """The first ``total`` records as JSON Lines files of ``per_file`` each."""
    if folder.exists() and len(list(folder.glob("*.jsonl"))) == -(-total // per_file):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out = None
    for n, record in enumerate(read_records(path, total)):
        if n % per_file == 0:
            if out:
                out.close()
            out = open(folder / f"part-{n // per_file:05d}.jsonl", "w", encoding="utf-8")
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if out:
        out.close()
    return folder


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def build(folder: Path, where: Path, workers: int, shards: int) -> dict:
    from dask.distributed import Client, LocalCluster

    from newssearch.cluster import build_on_cluster

    shutil.rmtree(where, ignore_errors=True)
    with LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, silence_logs=50) as cluster, Client(cluster) as client:
        worker_cpu = lambda: sum(client.run(lambda: sum(os.times()[:2])).values())  # noqa: E731
        before_workers, before_self = worker_cpu(), _cpu()
        started = time.perf_counter()
        report = build_on_cluster([folder], where, client=client, shards=shards)
        wall = time.perf_counter() - started
        cpu_workers, cpu_self = worker_cpu() - before_workers, _cpu() - before_self
    return {
        "workers": workers,
        "shards": shards,
        "articles": report.added,
        "wall_s": round(wall, 1),
        "articles_per_s": round(report.added / wall, 1),
        "articles_per_s_per_worker": round(report.added / wall / workers, 1),
        "cpu_s_workers": round(cpu_workers, 1),
        "cpu_s_client_and_scheduler": round(cpu_self, 1),
        "cpu_ms_per_article": round(1000 * (cpu_workers + cpu_self) / max(1, report.added), 2),
        "index_mib": round(sum(p.stat().st_size for p in where.rglob("*") if p.is_file()) / 2**20, 1),
    }


def queries() -> list[tuple[str, dict]]:
    import csv

    rows = [r for r in csv.reader((HERE / "queries" / "news.tsv").open(encoding="utf-8"), delimiter="\t") if r and not r[0].startswith("#")]
    return [(q, {k: v for k, v in (("since", s), ("until", u)) if v}) for _kind, q, s, u in rows[1:]]


def time_queries(where: Path, client=None) -> dict:
    ix = ns.open_index(where)
    if client is not None:
        ix.search_on(client)  # each shard's matches found by an actor on a worker
    qs = queries()
    for q, options in qs:  # warm-up: open, caches
        ix.search(q, **options)
    times = []
    for q, options in qs:
        started = time.perf_counter()
        ix.search(q, **options)
        times.append((time.perf_counter() - started) * 1000)
    ix.close()
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * len(times)) - 1], 2), "queries": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="scaled:100k")
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--workdir", default="/tmp/newssearch-bench")
    parser.add_argument("--search-only", action="store_true", help="Skip the builds: time searches on the indexes an earlier run built.")
    args = parser.parse_args()
    work = Path(args.workdir)
    name, size = parse_corpus(args.corpus)
    path, total = ensure(work, name, size)
    folder = split_corpus(path, total, args.per_file, work / "cluster-input" / args.corpus.replace(":", "-"))
    results: dict = {"corpus": args.corpus, "articles": total, "builds": []}
    where = work / "cluster-index" / args.corpus.replace(":", "-")
    for workers in [] if args.search_only else args.workers or [1, 2]:
        results["builds"].append(build(folder, where, workers, args.shards))
        print(json.dumps(results["builds"][-1]), file=sys.stderr)
    single = work / "cluster-single" / args.corpus.replace(":", "-")
    if not single.exists():
        ix = ns.create_index(single)
        with ix.writer() as w:
            w.add_many(article_from_record(r) for r in read_records(path, total))
        ix.close()
    results["search_single"] = time_queries(single)
    results["search_sharded"] = time_queries(where)
    results["sharded_over_single_p50"] = round(results["search_sharded"]["p50_ms"] / results["search_single"]["p50_ms"], 2)
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.shards, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, silence_logs=50) as cluster, Client(cluster) as client:
        results["search_fanned_out"] = time_queries(where, client)
    results["fanned_out_over_single_p50"] = round(results["search_fanned_out"]["p50_ms"] / results["search_single"]["p50_ms"], 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
