"""Whoosh's writer(s) for one batch of an indexing run, under a lock the caller holds.

Whoosh writes a new segment per writer process and commit. A
:class:`SegmentWriter` is one Whoosh writer (or, for large runs, Whoosh's
multiprocess writer) that never takes the lock itself: the run holds it from
start to end, across batches. Cancelling does what Whoosh's ``cancel()``
leaves undone: it ends the worker processes and deletes the new segments'
files, so a failed run leaves the folder as its last commit left it. The
workers themselves (:mod:`newssearch.engine.workers`) die with the process
that started them, so a killed run leaves no process and no lock behind.

Segments are written as separate files, not Whoosh's default compound file:
whoosh3 opens a compound file's parts through BytesIO(memoryview), copying
each part into memory, which made opening a 90 MB index and running its
first query take ~110 ms instead of ~15 ms.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from whoosh.writing import CLEAR

from .errors import mapped
from .fastwrite import FastSegmentWriter, merge_segments
from .locking import WriteLock
from .schema import ADDED_FIELDS, build_schema
from .store import Store
from .workers import WatchedMpWriter, use_fields

__all__ = [
    "MERGE_FANOUT", "MERGE_MAX_DOCS", "SegmentWriter", "compact_segments", "default_memory_mb", "default_procs", "merge_plan",
    "merge_segments_of",
]

#: Segments of one size tier merged into one (see :func:`merge_plan`).
MERGE_FANOUT = 10
#: Live documents from which a segment is full: never merged (see :func:`merge_plan`).
MERGE_MAX_DOCS = 50_000


def default_memory_mb() -> int:
    """The writer processes' memory budget when none is given: an eighth of
    the machine's memory, from 256 MB to 4 GB. A bigger budget means bigger
    segments, so fewer merges and fewer segments to search; 4 GB holds about
    40 million postings (130,000 400-word articles)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return 256
    return int(min(4096, max(256, total // 8)))


def default_procs() -> int:
    """Two writer processes where fork is available and there are two cores."""
    if "fork" not in multiprocessing.get_all_start_methods() or os.name != "posix" or sys.platform == "darwin":
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _add_missing_fields(store: Store) -> None:
    """Give an index written before a stored field was added
    (:data:`~.schema.ADDED_FIELDS`) that field, in a commit of its own that
    adds no document, under the lock the caller holds: every writer of the
    run, worker processes included, reads the schema from the table of
    contents, and Whoosh refuses a value for a field its schema lacks."""
    ix = store.whoosh_index
    missing = [name for name in ADDED_FIELDS if name not in ix.schema]
    if not missing:
        return
    schema = build_schema()
    writer = FastSegmentWriter(ix, _lk=False, compound=False)
    for name in missing:
        writer.add_field(name, schema[name])
    writer.commit(merge=False)
    store.record_commit()


class SegmentWriter:
    """New segments for one batch: add, update and delete, then commit or abandon.

    With ``workers`` (1 or more) documents are written by that many writer
    processes, ``batch`` documents at a time, each process starting a new
    segment whenever its postings fill its share of ``limitmb``, so memory
    stays bounded however long the run. Without, they are written in this
    process, into one segment held in memory until the commit: for small
    batches, where starting a process would cost more than it saves.
    Both write through :mod:`newssearch.engine.fastwrite`.
    """

    def __init__(
        self,
        store: Store,
        lock: WriteLock,
        *,
        workers: int = 0,
        batch: int = 256,
        limitmb: int = 256,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        """``fields``: definitions to write with in place of the index's own
        of those names (:func:`~.schema.outdated_fields`), for a commit that
        replaces every segment: the table of contents it writes records them."""
        self._store = store
        self._lock = lock
        #: segments merged away after the commit
        self.merged = 0
        #: why the merge after the commit failed (the commit stands), or None
        self.merge_problem: str | None = None
        with mapped(store.path):
            _add_missing_fields(store)
            if workers > 0:
                self._writer: Any = WatchedMpWriter(
                    store.whoosh_index,
                    procs=workers,
                    multisegment=True,
                    batchsize=batch,
                    _lk=False,
                    subargs={"limitmb": max(1, limitmb // workers), "compound": False, "fields": dict(fields or {})},
                    compound=False,
                )
            else:
                self._writer = FastSegmentWriter(store.whoosh_index, _lk=False, compound=False)
            use_fields(self._writer.schema, fields or {})

    def add(self, fields: dict[str, Any]) -> None:
        """Add a document (``fields`` from :func:`newssearch.engine.schema.to_fields`)."""
        with mapped(self._store.path):
            self._writer.add_document(**fields)

    def update(self, fields: dict[str, Any]) -> None:
        """Replace the committed document with the same id."""
        with mapped(self._store.path):
            self._writer.update_document(**fields)

    def delete(self, docnum: int) -> None:
        """Delete a committed document by its number in the run's starting snapshot."""
        with mapped(self._store.path):
            self._writer.delete_document(docnum)

    def commit(self, *, release_lock: bool, replace_all: bool = False, merge: bool = True) -> None:
        """Write the new segments and a new table of contents. With
        ``release_lock`` the lock goes with the commit; otherwise the run keeps
        it for its next batch. ``replace_all`` makes the new table list only
        this writer's segments (a rebuild: the old segments stay readable
        until the new table replaces theirs, then Whoosh deletes their files).
        With ``merge``, the segments are then merged as
        :func:`merge_plan` says, in a commit of its own (an interrupted
        merge leaves the first commit whole). ``merge=False`` leaves the
        segments as they are: a run that commits in batches
        still reads, and deletes by number from, the snapshot it started
        with, whose segment files a merge would delete and renumber.
        If the commit fails, everything is abandoned (and the lock released)
        before the error is raised."""
        try:
            with mapped(self._store.path):
                if replace_all:
                    self._writer.commit(mergetype=CLEAR)
                else:
                    self._writer.commit(merge=False)
        except BaseException:
            self.abandon()
            raise
        try:
            self._store.record_commit()  # sizes and checksums, for opening and `check`
            if merge:
                try:
                    self.merged = merge_segments_of(self._store)
                except Exception as exc:  # noqa: BLE001 - the run is committed; only the merge is lost
                    # (a full disk, a damaged segment): the index is as the run
                    # committed it, the merge's files are leftovers the next
                    # writer removes, and the next commit plans the merge again
                    self.merge_problem = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        finally:
            if release_lock:
                self._lock.release()

    @staticmethod
    def merge_pending(store: Store) -> int:
        """Merge what :func:`merge_plan` says is due, for a run that wrote
        nothing (call it under the write lock): a merge an earlier run did
        not finish (killed, disk full) is planned again from the segments'
        sizes and done here. Returns the segments merged away."""
        return merge_segments_of(store)

    def abandon(self) -> None:
        """Cancel: end the workers, delete the new segments' files, release the lock.

        The files are removed while the lock is still held, so no other
        writer's new files are mistaken for leftovers."""
        writer = self._writer
        writer.writelock = None
        try:
            writer.cancel()
        except BaseException:  # noqa: BLE001 - cancelling must never mask the first error
            pass
        _stop_workers(writer)
        try:
            self._store.remove_orphans()
        except Exception:  # noqa: BLE001
            pass
        finally:
            self._lock.release()


def _stop_workers(writer: Any) -> None:
    """End a cancelled multiprocess writer's worker processes.

    Whoosh's MpWriter.cancel() only flags its workers (in the parent's copy
    of their objects), so a worker waiting for its next batch would never
    see it. They are terminated: whatever they wrote is removed with the
    other uncommitted files. Their queues are closed without waiting for
    the data still in them: a queue's feeder thread blocked on a pipe that
    no worker reads any more made the interrupted process hang at exit."""
    for name in ("jobqueue", "resultqueue", "errors"):
        q = getattr(writer, name, None)
        if q is not None:
            try:
                q.cancel_join_thread()
                q.close()
            except Exception:  # noqa: BLE001
                pass
    for task in getattr(writer, "tasks", None) or ():
        try:
            if task.is_alive():
                task.terminate()
            task.join(timeout=2)
            if task.is_alive():
                task.kill()
                task.join(timeout=2)
        except Exception:  # noqa: BLE001 - an already reaped or never started worker
            pass


def merge_plan(sizes: list[int], fanout: int = MERGE_FANOUT, max_docs: int = MERGE_MAX_DOCS) -> list[list[int]]:
    """Which segments to merge (groups of indexes into ``sizes``, live
    documents per segment): a tiered policy. Segments fall into tiers by
    size (powers of ``fanout`` from the smallest's); when a tier holds
    ``fanout`` segments or more, its smallest ``fanout`` are merged into
    one, which may fill the next tier, and so on. A segment of ``max_docs``
    or more is full: it is never merged, and no merge makes one bigger than
    that. An index built by one run thus ends with at most fanout-1
    segments per tier below the cap, each article rewritten about
    ``log_fanout(max_docs / S)`` times for segments of S. Empty segments
    (everything in them deleted) always go.

    Measured on 100,000 scaled articles (bench/compare.py queries, cold):
    20 segments of 5,000 answer with p50 16.6 ms, 2 of 50,000 with 11.3 ms
    and one with 10.5 ms (p95 42, 37 and 41 ms), while merging costs about
    what writing the articles cost (1.5 ms an article, in one process). So
    small segments are merged and big ones are left alone; the writer's
    memory budget decides how big a segment is written in the first place.
    """
    groups: list[list[int]] = [[i for i, n in enumerate(sizes) if n == 0]] if 0 in sizes else []
    pending = [(n, [i]) for i, n in enumerate(sizes) if 0 < n < max_docs]
    while pending:
        floor = max(1, min(n for n, _ in pending))
        tiers: dict[int, list[tuple[int, list[int]]]] = {}
        for n, members in pending:
            tiers.setdefault(int(math.log(n / floor, fanout) + 1e-9), []).append((n, members))
        chosen = None
        for tier in sorted(tiers):
            if len(tiers[tier]) >= fanout:
                smallest = sorted(tiers[tier])[:fanout]
                if sum(n for n, _ in smallest) <= max_docs:
                    chosen = smallest
                    break
        if chosen is None:
            break
        rest = [item for item in pending if item not in chosen]
        merged = (sum(n for n, _ in chosen), [i for _, members in chosen for i in members])
        if merged[0] >= max_docs:
            groups.append(sorted(merged[1]))  # full: out of the running
            pending = rest
        else:
            pending = rest + [merged]
    groups += [sorted(members) for _, members in pending if len(members) > 1]
    return groups


def merge_segments_of(store: Store, fanout: int = MERGE_FANOUT, max_docs: int = MERGE_MAX_DOCS) -> int:
    """Merge the committed segments as :func:`merge_plan` says, as a commit
    of its own (call it under the write lock, after a run's commit). Each
    merged segment is written term by term, so a merge needs little memory
    (:func:`newssearch.engine.fastwrite.merge_segments`); if it fails or is
    interrupted the index stays as the run committed it, and the files it
    had written are leftovers the next writer removes. Returns the number
    of segments merged away."""
    return _merge(store, lambda sizes: merge_plan(sizes, fanout, max_docs))


def compact_segments(store: Store, *, rewrite: bool = False) -> int:
    """Merge every committed segment into one, leaving out the deleted
    documents (``newssearch compact``; call it under the write lock). A
    deletion only marks a document in its segment, and the tiered policy
    never rewrites a lone or a full segment, so an index that was pruned
    keeps the deleted articles' bytes, and grows by its deletion marks,
    until everything is rewritten. The merge is a commit like any other
    (see :func:`merge_segments_of`): killed part way, the index is as its
    last commit left it. Returns the segments merged away (0 when the index
    is one segment with nothing deleted: nothing to do, unless ``rewrite``:
    a lone segment is written again all the same, a commit whose checksums
    are recorded, for an index whose last commit's checksums are missing)."""
    return _merge(store, _compact_plan, rewrite=rewrite)


def _compact_plan(sizes: list[int]) -> list[list[int]]:
    """Every segment in one group, unless there is nothing to gain."""
    return [list(range(len(sizes)))] if sizes else []


def _merge(store: Store, plan_for: Callable[[list[int]], list[list[int]]], *, rewrite: bool = False) -> int:
    """Merge the committed segments in the groups ``plan_for(live documents
    per segment)`` gives, as a commit of its own; return the segments merged
    away. ``rewrite`` merges even a group of one segment with nothing deleted."""
    with mapped(store.path):
        # planned before a writer exists: a Whoosh writer creates its files up front
        segments = list(store.whoosh_index._segments())
        if not segments or not (rewrite or _worth_merging(segments, plan_for)):
            return 0
        writer = FastSegmentWriter(store.whoosh_index, _lk=False, compound=False)
        try:
            segments = list(writer.segments)
            plan = plan_for([s.doc_count_all() - s.deleted_count() for s in segments])
            merged_into: dict[int, object] = {}
            gone: set[int] = set()
            for group in plan:
                members = [segments[i] for i in group]
                live = sum(s.doc_count_all() - s.deleted_count() for s in members)
                merged_into[group[0]] = merge_segments(writer, members) if live else None
                gone.update(group)
            final = []
            for i, segment in enumerate(segments):
                if i in merged_into:
                    if merged_into[i] is not None:
                        final.append(merged_into[i])
                elif i not in gone:
                    final.append(segment)
            writer._close_segment()
            writer._commit_toc(final)
            writer._finish()
        except BaseException:
            try:
                writer.cancel()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise
    store.record_commit()
    return len(segments) - len(final)


def _worth_merging(segments: list[Any], plan_for: Callable[[list[int]], list[list[int]]]) -> bool:
    """Whether the plan changes anything: a group of one segment is rewritten
    only when it holds deleted documents (that is what rewriting it drops)."""
    for group in plan_for([s.doc_count_all() - s.deleted_count() for s in segments]):
        if len(group) > 1 or any(segments[i].deleted_count() for i in group):
            return True
    return False
