"""Killed, interrupted and failed runs: no process, lock or stray file left
behind, nothing committed lost (the short version of bench/crashtest.py)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from whoosh.filedb.filestore import FileStorage

import newssearch as ns
from newssearch.cli import cli
from newssearch.engine.locking import WriteLock
from newssearch.engine.store import OPEN_ATTEMPTS, open_snapshot
from newssearch.errors import IndexLocked, IndexStoreError
from newssearch.search.request import SearchRequest
from newssearch.search.results import run_search

from bench import crashtest
from tests.helpers import EXAMPLES, shared


@pytest.fixture(scope="module")
def reuters_slices():
    files = crashtest.reuters_files(shared("data", "reuters-news-2006-2007"))
    return files[:1100], files[3000:4100]


@pytest.mark.slow  # kills real indexing runs over Reuters
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_killed_indexer_leaves_no_process_no_lock_and_loses_nothing(tmp_path, reuters_slices, sig):
    # SIGKILL 2 s into a run left two workers holding the lock for good
    first, second = reuters_slices
    index = tmp_path / "ix"
    subprocess.run(crashtest.command(index, first, 400), check=True)
    truth = crashtest.source_articles(first + second)
    trial = crashtest.run_trial(index, second, truth, set(crashtest.source_articles(second)), sig, 0.0, 1000, "writing", after_workers=True)
    assert not trial.hung and trial.orphans == 0 and not trial.stale_lock and trial.opens
    assert trial.lost == 0 and trial.changed == 0
    assert trial.next_run_ok and trial.missing_after_next == 0 and trial.stray_bytes == 0
    assert "traceback on stderr" not in trial.notes
    if sig != "SIGKILL":
        assert trial.exit_code == (143 if sig == "SIGTERM" else 130)


_HOLD_AND_FORK = """
import os, sys, time
from {module} import {cls}
lock = {cls}(sys.argv[1])
assert lock.acquire()
if os.fork() == 0:  # a worker, as Whoosh's multiprocess writer forks them
    time.sleep(30)
    os._exit(0)
print("ready", flush=True)
os._exit(0)  # the writer dies; its worker lives on
"""


@pytest.mark.parametrize(
    ("module", "cls", "held_after_death"),
    [("whoosh.util.filelock", "FileLock", True), ("newssearch.engine.locking", "WriteLock", False)],
)
def test_whooshs_flock_outlives_its_holder_in_forked_children_and_ours_does_not(tmp_path, module, cls, held_after_death):
    # why newssearch has its own lock: a flock belongs to the open file, which forked workers share
    path = tmp_path / ("whoosh.lock" if cls == "FileLock" else "")
    code = _HOLD_AND_FORK.format(module=module, cls=cls)
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"  # the forked child keeps the pipe open: read one line
    proc.wait(timeout=30)
    proc.stdout.close()
    try:
        if cls == "FileLock":
            from whoosh.util.filelock import FileLock

            probe = FileLock(str(path))
            taken = probe.acquire()
            if taken:
                probe.release()
        else:
            probe = WriteLock(path)
            taken = probe.acquire()
            probe.release()
        assert taken is (not held_after_death)
    finally:
        for pid in crashtest.session_processes(proc.pid):  # the session id is the first process's pid
            os.kill(pid, signal.SIGKILL)


def _many(n: int) -> list[ns.Article]:
    return [
        ns.Article(title=f"Story {i} about copper", body=f"Copper prices moved in session {i}. " * 20,
                   url=f"https://example.com/{i}")
        for i in range(n)
    ]


@pytest.mark.slow  # a writer process killed mid-run
def test_a_dead_worker_fails_the_commit_instead_of_losing_its_articles(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    ix.add(_many(5))
    before = sorted(p.name for p in ix.path.iterdir())
    w = ix.writer(procs=2)
    w.add_many(_many(1300)[5:])
    workers = w._writer._writer.tasks  # the multiprocess writer's worker processes
    assert workers
    os.kill(workers[0].pid, signal.SIGKILL)
    with pytest.raises(IndexStoreError, match="writer process was killed"):
        w.commit()
    assert len(ix) == 5 and sorted(p.name for p in ix.path.iterdir()) == before
    assert multiprocessing.active_children() == []
    assert ix.add(_many(20)).added == 15  # lock released, index usable
    ix.close()


def test_rebuild_waits_for_the_lock_and_replaces_only_at_its_commit(tmp_path):
    from click.testing import CliRunner

    from newssearch.cli import cli

    runner = CliRunner()
    ix = ns.create_index(tmp_path / "ix")
    ix.add(_many(10))
    (ix.path / "saved.json").write_text("{}")  # another tool's file beside the index
    with ix.writer():
        locked = runner.invoke(cli, ["index", "--rebuild", str(EXAMPLES), "--index", str(ix.path)])
        assert locked.exit_code == 1 and "locked by another writer (this process" in locked.stderr
    assert len(ix) == 10

    def interrupted():
        yield from _many(3)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with ix.writer(rebuild=True) as w:
            w.add_many(interrupted())
    assert len(ix) == 10  # a failed rebuild leaves the index as it was
    with pytest.raises(IndexLocked):  # the run holds the lock from its start
        with ix.writer(rebuild=True):
            ix.writer()
    with ix.writer(rebuild=True) as w:
        w.add_many(_many(3))
    assert len(ix) == 3 and (ix.path / "saved.json").exists()
    assert ix.stats().segments == 1
    ix.close()


def test_leftovers_of_a_killed_run_are_counted_and_removed_by_the_next_writer(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    ix.add(_many(3))
    size = ix.stats().size_bytes
    scratch = ix.path / "newssearch.tmp"
    scratch.mkdir()
    (scratch / "abc.doclist").write_bytes(b"x" * 5000)
    (ix.path / "newssearch_deadbeef12345678.pst").write_bytes(b"y" * 7000)
    (ix.path / "_newssearch_9.toc.1700000000.5").write_bytes(b"z" * 100)
    assert ix.stats().size_bytes == size + 12100
    with ix.writer() as w:
        w.add_many(_many(4))
    assert w.report.leftovers_removed == 12100
    assert not scratch.exists() and ix.stats().size_bytes < size + 12100
    assert len(ix) == 4
    from click.testing import CliRunner

    from newssearch.cli import cli

    (ix.path / "newssearch.tmp").mkdir()
    (ix.path / "newssearch.tmp" / "x.doclist").write_bytes(b"x" * 2048)
    told = CliRunner().invoke(cli, ["index", str(EXAMPLES), "--index", str(ix.path)])
    assert told.exit_code == 0 and "removed 2.0 KB left by an interrupted run" in told.stderr
    ix.close()


def test_a_lock_file_left_by_a_dead_writer_is_taken_over(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    code = "import os,sys; from newssearch.engine.locking import WriteLock; assert WriteLock(sys.argv[1]).acquire(); os._exit(0)"
    subprocess.run([sys.executable, "-c", code, str(ix.path)], check=True)
    assert (ix.path / "newssearch_WRITELOCK").exists()
    started = time.monotonic()
    assert ix.add(_many(2)).added == 2
    assert time.monotonic() - started < 5
    ix.close()


@pytest.mark.parametrize("replacement", ["symlink", "fifo", "folder"])
def test_the_lock_file_is_never_written_through_a_link_or_in_place_of_a_file(tmp_path, runner, replacement):
    # the lock file replaced by a symlink to another file: the next write emptied that file
    ix = ns.create_index(tmp_path / "ix")
    ix.add(_many(3))
    victim = tmp_path / "victim.txt"
    victim.write_text("4242 elsewhere 2026-01-01T00:00:00Z\n")  # what a holder's line looks like
    lock = ix.path / "newssearch_WRITELOCK"
    lock.unlink(missing_ok=True)
    if replacement == "symlink":
        lock.symlink_to(victim)
        refused = rf"its lock file newssearch_WRITELOCK is a symlink \(to {victim}\), which a writer never follows"
    elif replacement == "fifo":
        os.mkfifo(lock)
        refused = r"its lock file newssearch_WRITELOCK is not a regular file"
    else:
        lock.mkdir()
        refused = r"its lock file newssearch_WRITELOCK is not a regular file"
    with pytest.raises(IndexStoreError, match=refused):
        ix.add(_many(5))
    assert WriteLock(ix.path).holder() is None  # the victim's words are not read as a holder
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(ix.path)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: index {ix.path}: its lock file") and f"remove {lock} and run again" in result.stderr
    assert victim.read_text() == "4242 elsewhere 2026-01-01T00:00:00Z\n" and len(ix) == 3
    lock.rmdir() if replacement == "folder" else lock.unlink()
    assert ix.add(_many(5)).added == 2 and len(ix) == 5
    ix.close()


def _dated(n: int) -> list[ns.Article]:
    """Articles a probe can count: one word for all, another for a third, dates over two months."""
    words = ["harbour", "tariff", "glacier", "orchard", "lantern", "meteor", "quarry", "saddle", "violin", "walrus"]
    return [
        ns.Article(
            title=f"Copper {words[i % 10]} {words[(i * 3) % 10]} report {i}",
            body=f"Copper traders in {words[(i * 7) % 10]} town number {i} said {'tin ' * (i % 3)}prices moved; "
            + " ".join(words[(i + k) % 10] + str(i * k) for k in range(12)),
            url=f"https://example.com/copper/{i}",
            published=datetime(2006, 10 + i % 2, 1 + i % 28, 12, tzinfo=timezone.utc),
        )
        for i in range(n)
    ]


_PROBES = [("copper", {}), ("copper", {"since": "2006-11-10"}), ("tin", {}), ("", {"since": "2006-10-05", "until": "2006-10-20"})]


def _rebuild_and_merge(where: str, articles: list[ns.Article]) -> None:
    """Another process's writer: a rebuild with the same articles (every segment replaced), then
    commits of filler that the tiered policy merges."""
    with ns.open_index(where) as ix:
        with ix.writer(rebuild=True) as w:
            w.add_many(articles)
        for i in range(12):
            ix.add(ns.Article(title=f"Filler {i}", body="zyzzyva " * 5, url=f"https://filler.invalid/{i}"))


def test_a_session_opened_before_another_processs_merge_reads_the_commit_it_opened(tmp_path):
    # read after the merge, it raised TypeError on every search and counted 1 story instead of 106
    articles = _dated(60)
    ix = ns.create_index(tmp_path / "ix")
    for start in range(0, 60, 10):
        ix.add(articles[start : start + 10])
    expected = [(r.total, r.articles) for r in (ix.search(q, limit=0, **f) for q, f in _PROBES)]
    assert all(articles for _, articles in expected)
    top = [h.article.id for h in ix.search("copper tin", limit=5).hits]
    ix.close()
    ix = ns.open_index(tmp_path / "ix")
    session = ix.session()  # opened, nothing read yet
    writer = multiprocessing.get_context("fork").Process(target=_rebuild_and_merge, args=(str(ix.path), articles))
    writer.start()
    writer.join(60)
    assert writer.exitcode == 0
    assert not session.snapshot.is_current()
    for (q, f), want in zip(_PROBES, expected):
        found = run_search(session, SearchRequest.build(q, limit=0, **f))
        assert (found.total, found.articles) == want, (q, f)
    page = run_search(session, SearchRequest.build("copper tin", limit=5))  # scores (field lengths) and stored fields
    assert [h.article.id for h in page.hits] == top
    assert [(r.total, r.articles) for r in (ix.search(q, limit=0, **f) for q, f in _PROBES)] == expected  # reopened
    ix.close()


def test_readers_racing_another_processs_merges_never_fail_nor_miscount(tmp_path):
    # 7 errors in 106,020 searches (TypeError, a false IndexDamaged) and silently wrong counts
    report = crashtest.readers_under_merges(tmp_path / "race", _dated(60), 240, _PROBES, rebuild_every=3)
    assert report.searches == 240 and report.commits >= 3 and report.rebuilds >= 1, report
    assert not report.errors and not report.wrong, str(report)


@pytest.mark.slow  # 2,000 searches over Reuters articles while a writer merges and rebuilds (about 40 s)
def test_readers_racing_merges_over_reuters(tmp_path):
    files = crashtest.reuters_files(shared("data", "reuters-news-2006-2007"))[:300]
    base = list(ns.read_path([str(p) for p in files], on_error=lambda _e: None))
    report = crashtest.readers_under_merges(tmp_path / "race", base, 2000)
    assert report.searches == 2000 and report.rebuilds >= 3, report
    assert not report.errors and not report.wrong, str(report)


def test_a_snapshot_is_opened_again_only_when_a_commit_came_while_it_opened():
    events: list[str] = []
    generation = [0]

    class Opened:
        def close(self):
            events.append("closed")

    def vanishing():  # another process commits and deletes a file while it opens, twice
        events.append("opened")
        if events.count("opened") < 3:
            generation[0] += 1
            raise FileNotFoundError(2, "No such file or directory")
        return Opened()

    assert isinstance(open_snapshot(vanishing, lambda: generation[0]), Opened)
    assert events == ["opened"] * 3
    # opened whole, but a commit came meanwhile (its files may have been half deleted): closed, opened again
    events.clear()
    gens = iter([1, 2, 2, 2])
    assert isinstance(open_snapshot(lambda: events.append("opened") or Opened(), lambda: next(gens)), Opened)
    assert events == ["opened", "closed", "opened"]
    # no commit in between: the error is real, raised at once
    events.clear()
    with pytest.raises(IndexStoreError, match="damaged"):
        open_snapshot(lambda: events.append("opened") or (_ for _ in ()).throw(IndexStoreError("damaged")), lambda: 7)
    assert events == ["opened"]
    # commits that never stop: given up after OPEN_ATTEMPTS
    events.clear()
    endless = iter(range(1000))
    with pytest.raises(FileNotFoundError):
        open_snapshot(lambda: events.append("opened") or (_ for _ in ()).throw(FileNotFoundError()), lambda: next(endless))
    assert len(events) == OPEN_ATTEMPTS


def _commit_one(where: str) -> None:
    with ns.open_index(where) as ix:
        ix.add(_many(4))  # the fourth article is new: a commit, which deletes the old table of contents


def test_an_index_opened_while_another_process_commits_opens_the_newer_commit(tmp_path, monkeypatch):
    # opened as a commit replaced its table of contents: a false IndexDamaged ("the table of
    # contents is missing", "file ... is missing") or a FileNotFoundError, about 2 opens in 100
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(_many(3))
    real_open = FileStorage.open_file
    raced: list[str] = []

    def open_file(storage, name, **kwargs):
        if name.endswith(".toc") and not raced:  # the moment the race needs: the name read, the file not yet
            raced.append(name)
            writer = multiprocessing.get_context("fork").Process(target=_commit_one, args=(str(where),))
            writer.start()
            writer.join(60)
        return real_open(storage, name, **kwargs)

    monkeypatch.setattr(FileStorage, "open_file", open_file)
    with ns.open_index(where) as ix:
        assert raced and not (where / raced[0]).exists()  # the race happened
        assert len(ix) == 4 and ix.search("copper", limit=0).articles == 4


def _commit_ten(where: str) -> None:
    with ns.open_index(where) as ix:
        ix.add(_many(13))  # ten new articles: a commit in each shard


def test_stats_of_a_sharded_index_read_while_another_process_commits_counts_the_newer_commit(tmp_path, monkeypatch):
    # a server's /api/stats failed with a 503 ("No such file or directory: .../shard-000/_newssearch_3.toc")
    # under follow's commits: the per-shard counts read a table of contents a commit had just replaced
    where = tmp_path / "ix"
    with ns.create_index(where, shards=2) as ix:
        ix.add(_many(3))
    ix = ns.open_index(where)
    assert ix.stats().articles == 3  # the snapshot is open and current: the race below hits the per-shard counts
    real_open = FileStorage.open_file
    raced: list[str] = []

    def open_file(storage, name, **kwargs):
        if name.endswith(".toc") and not raced:
            raced.append(name)
            writer = multiprocessing.get_context("fork").Process(target=_commit_ten, args=(str(where),))
            writer.start()
            writer.join(60)
        return real_open(storage, name, **kwargs)

    monkeypatch.setattr(FileStorage, "open_file", open_file)
    stats = ix.stats()
    assert raced and not (where / "shard-000" / raced[0]).exists()  # the race happened
    assert sum(shard.articles for shard in stats.shards) == 13
    ix.close()


@pytest.mark.parametrize("at", crashtest.KILL_POINTS)
def test_a_compact_killed_at_any_step_leaves_the_index_as_its_last_commit(tmp_path, at):
    # compact is a commit like any other: killed while the merged segment is
    # written, before its table of contents or before its checksums
    where = tmp_path / "ix"
    articles = _dated(90)
    with ns.create_index(where) as ix:
        for start in range(0, 90, 30):
            ix.add(articles[start : start + 30])
        ix.delete([a.id for a in articles[::3]])
        segments = ix.stats().segments
    assert segments > 1
    trial = crashtest.compact_killed(where, at=at)
    assert trial.exit_code == -signal.SIGKILL, trial.notes
    assert trial.clean, (trial, trial.notes)
    assert trial.segments_after == 1
    with ns.open_index(where) as ix:
        assert len(ix) == 60 and ix.stats().deleted == 0


@pytest.mark.slow  # kills real compactions of a Reuters index (about a minute)
def test_a_compact_killed_at_random_moments_loses_nothing(tmp_path):
    files = crashtest.reuters_files(shared("data", "reuters-news-2006-2007"))[:600]
    counts = crashtest.compact_kills(4, 2026, 300, 100, tmp_path / "work", files=files)
    assert counts["kills"] == counts["ok"] == 4, counts
