"""Building a sharded index on a real Dask cluster (newssearch.cluster).

The fixture starts a LocalCluster (two worker processes, TCP on 127.0.0.1)
and stops it; nothing here reaches beyond this machine."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.cli import cli

from tests.helpers import EXAMPLES, REUTERS, shared


distributed = pytest.importorskip("distributed")  # the test extra installs it; CI has it

pytestmark = pytest.mark.slow  # a real Dask LocalCluster building Reuters: minutes

SHARDS = 2  # one per worker: each writes its shard while the other writes its own
QUERIES = ("oil prices", '"central bank"', "merg*", "shares NOT bank", "title:china", "opec output cut", "profit warning")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=50
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _same_answers(one: ns.NewsIndex, other: ns.NewsIndex) -> None:
    assert len(one) == len(other)
    for query in QUERIES:
        a = one.search(query, all_copies=True, limit=300, snippets=False)
        b = other.search(query, all_copies=True, limit=300, snippets=False)
        assert a.total == b.total, query
        assert [round(h.score, 9) for h in a] == [round(h.score, 9) for h in b], query
        assert [h.article.id for h in a] == [h.article.id for h in b], query  # ties go to the smaller id
        c, d = one.search(query, limit=10, snippets=False), other.search(query, limit=10, snippets=False)
        assert (c.total, c.articles) == (d.total, d.articles), query  # the same stories
        assert [h.article.id for h in c] == [h.article.id for h in d], query  # represented by the same copies


def _labels(ix: ns.NewsIndex) -> dict[str, int]:
    snapshot = ix.session().snapshot
    story = snapshot.column("story")
    return {snapshot.stored(d)["id"]: int(story[d]) for d in range(snapshot.doc_count_all())}


@pytest.mark.shared
def test_a_cluster_build_is_the_local_index_and_rerunning_it_changes_nothing(client, reuters_index, tmp_path: Path) -> None:
    from newssearch.cluster import build_on_cluster

    where = tmp_path / "ix"
    report = build_on_cluster([shared(*REUTERS)], where, client=client, shards=SHARDS)
    local_report = reuters_index[1]
    assert (report.added, report.files, len(report.failed)) == (local_report["added"], local_report["files"], len(local_report["failed"]))
    assert sorted(p.name for p in where.iterdir()) == ["shard-000", "shard-001", "shards.json"]
    built = ns.open_index(where)
    _same_answers(reuters_index[0], built)
    assert _labels(built) == _labels(reuters_index[0])  # copies grouped across shards as in one index
    assert ns.check_index(where).ok
    # searched on the workers: each shard's actor scores with the summed statistics
    built.search_on(client)
    _same_answers(reuters_index[0], built)
    ranker = built.session().ranker
    # every query matched on the workers, none here (a query's second search
    # in a session reads the match set its first one kept: one fan-out each)
    assert ranker.fanned_out >= len(QUERIES) and ranker.matched_here == 0
    facets = built.search("oil", facets=["source", "agencies"], limit=0).facets
    assert facets == reuters_index[0].search("oil", facets=["source", "agencies"], limit=0).facets
    assert built.timeline("oil", by="month").buckets == reuters_index[0].timeline("oil", by="month").buckets
    built.close()
    again = build_on_cluster([shared(*REUTERS)], where, client=client)
    assert (again.added, again.updated, again.unchanged, again.committed) == (0, 0, report.added, False)


@pytest.mark.shared
def test_a_worker_killed_mid_build_loses_and_repeats_nothing(client, reuters_index, tmp_path: Path) -> None:
    from newssearch.cluster import build_on_cluster

    where = tmp_path / "ix"
    result: dict[str, object] = {}

    def build() -> None:
        try:
            result["report"] = build_on_cluster([shared(*REUTERS)], where, client=client, shards=SHARDS)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result["error"] = exc

    thread = threading.Thread(target=build)
    thread.start()
    pids = client.run(os.getpid)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and thread.is_alive() and time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            if any("_write_shard" in str(k) for k in keys):
                os.kill(pids[worker], signal.SIGKILL)  # a worker dies while writing a shard
                killed = worker
                break
        time.sleep(0.05)
    thread.join(300)
    assert killed is not None, "the build ended before a worker could be killed"
    assert "error" not in result, result.get("error")
    report = result["report"]
    assert report.added == reuters_index[1]["added"]
    built = ns.open_index(where)
    ids = [built.session().snapshot.stored(d)["id"] for d in range(built.session().snapshot.doc_count_all())]
    assert len(ids) == len(set(ids)) == len(reuters_index[0])  # nothing lost, nothing twice
    _same_answers(reuters_index[0], built)
    assert ns.check_index(where).ok
    assert not [p for p in where.iterdir() if ".new-" in p.name or ".old-" in p.name]
    built.close()
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_cli_index_on_a_cluster(client, runner, tmp_path: Path) -> None:
    where = tmp_path / "ix"
    address = client.scheduler.address
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(where), "--shards", "2", "--cluster", address, "--json", "-q"])
    assert result.exit_code == 0, result.stderr
    assert '"added": 14' in result.stdout
    result = runner.invoke(cli, ["search", "port strike", "--index", str(where), "-n", "2"])
    assert result.exit_code == 0 and result.stdout.startswith("1. Shipping stocks fall as port strike drags on")
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "other"), "--cluster", address])
    assert result.exit_code == 1 and "needs --shards N" in result.stderr
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "x"), "--shards", "2", "--cluster", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1 and "cannot reach the Dask scheduler" in result.stderr
