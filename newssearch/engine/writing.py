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

import os
import sys
from typing import Any

from whoosh.writing import CLEAR

from .errors import mapped
from .locking import WriteLock
from .store import Store
from .workers import WatchedMpWriter

__all__ = ["SegmentWriter", "default_procs"]


def default_procs() -> int:
    """Two writer processes where fork is available and there are two cores."""
    import multiprocessing  # loaded only when a writer starts: searching never needs it

    if "fork" not in multiprocessing.get_all_start_methods() or os.name != "posix" or sys.platform == "darwin":
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class SegmentWriter:
    """New segments for one batch: add, update and delete, then commit or abandon.

    ``procs`` > 1 writes with Whoosh's multiprocess writer (one new segment
    per process), handing ``batch`` documents to a worker at a time;
    ``limitmb`` bounds each writer's posting buffer before it spills sorted
    runs to disk.
    """

    def __init__(self, store: Store, lock: WriteLock, *, procs: int = 1, batch: int = 256, limitmb: int = 256) -> None:
        self._store = store
        self._lock = lock
        with mapped(store.path):
            if procs > 1:
                self._writer: Any = WatchedMpWriter(
                    store.whoosh_index,
                    procs=procs,
                    multisegment=True,
                    batchsize=batch,
                    _lk=False,
                    subargs={"limitmb": max(32, limitmb // procs), "compound": False},
                    compound=False,
                )
            else:
                self._writer = store.whoosh_index.writer(_lk=False, limitmb=limitmb, compound=False)

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
        ``merge=False`` leaves the existing segments as they are (Whoosh
        would otherwise merge small ones): a run that commits in batches
        still reads, and deletes by number from, the snapshot it started
        with, whose segment files a merge would delete and renumber.
        If the commit fails, everything is abandoned (and the lock released)
        before the error is raised."""
        try:
            with mapped(self._store.path):
                if replace_all:
                    self._writer.commit(mergetype=CLEAR)
                else:
                    self._writer.commit(merge=merge)
        except BaseException:
            self.abandon()
            raise
        try:
            self._store.record_commit()  # sizes and checksums, for opening and `check`
        finally:
            if release_lock:
                self._lock.release()

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
