"""Whoosh's multiprocess writer, made to live and die with the run that started it.

Whoosh's ``MpWriter`` forks worker processes that index batches of documents
into their own segments. As shipped, a worker outlives its parent when the
parent is killed (it waits for its next batch forever, as a child of init),
prints a traceback on Ctrl-C (the terminal sends SIGINT to the whole process
group) and on any error, and when it dies the parent either blocks forever
handing it work or commits without its segment, losing its articles
silently. Here each worker:

* asks the kernel to kill it when its parent dies (:mod:`newssearch.lifetime`),
* ignores SIGINT (the parent decides what an interrupt means and ends it),
* reports an error to the parent on a queue and exits without a traceback;

and the parent checks its workers before handing them work and before
writing the table of contents, so a dead worker fails the commit instead of
losing articles.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
from collections.abc import Mapping
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

from .. import errors
from ..deprecation import moved_names
from ..lifetime import die_with_parent
from .fastwrite import FastPostings, FastSegmentWriter

__all__ = ["WatchedMpWriter", "start_shielded", "unblock_run_signals", "use_fields"]

#: WorkerFailed now lives in newssearch.errors
__getattr__ = moved_names(__name__, {"WorkerFailed": "newssearch.errors"})

#: What a failed worker means for the run, said in every message about one.
_NOTHING = "; nothing of this run was committed"
#: Seconds between checks of the workers while waiting to hand one a batch.
_POLL = 0.5


class _Worker(SubWriterTask):  # type: ignore[misc]
    def __init__(self, *args: Any, errors: Any, parent: int) -> None:
        super().__init__(*args)
        self.errors = errors
        self.parent = parent

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        unblock_run_signals()  # blocked by the parent across the fork (start_shielded)
        die_with_parent(self.parent)
        try:
            self._write_segments()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
            try:
                self.errors.put((type(exc).__name__, getattr(exc, "errno", None), " ".join(str(exc).split())))
                self.errors.close()
                self.errors.join_thread()
            finally:
                os._exit(1)  # no traceback: the parent reports the error once

    def _write_segments(self) -> None:
        """Whoosh's SubWriterTask.run with the fast writer, which keeps its
        postings in memory: when they pass ``limitmb`` the segment is
        finished and a new one begun, so memory stays bounded and nothing
        is spilled. All the segments go back to the parent, which lists
        them in the table of contents at commit (or deletes them)."""
        ix = self.storage.open_index(self.indexname)
        kwargs = dict(self.kwargs)
        limit = postings_limit(kwargs.pop("limitmb", 128))
        fields = kwargs.pop("fields", {})  # the run's field definitions, where they replace the index's (SegmentWriter)
        writer = self.writer = self._writer(ix, kwargs, fields)
        segments: list[Any] = []
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            filename, count = job
            tempstorage = writer.temp_storage()
            with tempstorage.open_file(filename).raw_file() as f:
                for _ in range(count):
                    _code, args = pickle.load(f)
                    writer.add_document(**args)
            tempstorage.delete_file(filename)
            if writer.postings >= limit:
                # (not writer._finish(): it would empty the temporary folder
                # the parent's job files are in)
                segments.append(writer._finalize_segment())
                writer = self.writer = self._writer(ix, kwargs, fields)
        segments.append(writer._finalize_segment())
        # an empty segment is left out; the commit deletes its files
        segments = [segment for segment in segments if segment.doc_count_all() > 0]
        self.resultqueue.put((None, (), segments), timeout=5)


    @staticmethod
    def _writer(ix: Any, kwargs: dict[str, Any], fields: Mapping[str, Any]) -> Any:
        writer = FastSegmentWriter(ix, _lk=False, **kwargs)
        use_fields(writer.schema, fields)
        return writer


def use_fields(schema: Any, fields: Mapping[str, Any]) -> None:
    """Put ``fields`` in a writer's ``schema`` (its own copy, read from the
    table of contents) in place of its fields of those names: a commit that
    writes every article again writes the fields by today's rules
    (:func:`~.schema.outdated_fields`)."""
    for name, field in fields.items():
        if name in schema:
            schema.remove(name)
        schema.add(name, field)


def postings_limit(limitmb: int) -> int:
    """Postings a fast writer collects before it starts a new segment, at
    100 bytes each: its memory grew by 115 bytes a posting over 10,000
    Reuters 2006-07 articles and by 64 over 20,000 scaled ones (three list
    slots, the weight, the encoded positions, the term's dictionary entry
    shared by fewer postings in a short collection, the per-document columns)."""
    return max(1_000, limitmb * 1024 * 1024 // 100)


#: The signals that end a run (newssearch.cli.signals), kept from a worker
#: until it has set its own dispositions.
_RUN_SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}


def _block_run_signals() -> Any:
    """Hold the run's signals back (the mask before, for :func:`_restore_signals`),
    where the platform can."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on Linux or macOS
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _RUN_SIGNALS)


def _restore_signals(previous: Any) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def unblock_run_signals() -> None:
    """In a process started by :func:`start_shielded`, once its own signal
    dispositions are set: take the signals held back since the fork."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _RUN_SIGNALS)


def start_shielded(process: Any) -> None:
    """Start a forked ``process`` with the run's signals held back across the
    fork: the child takes them when it calls :func:`unblock_run_signals`, the
    parent as soon as the child has started."""
    previous = _block_run_signals()
    try:
        process.start()
    finally:
        _restore_signals(previous)


class WatchedMpWriter(FastPostings, MpWriter):  # type: ignore[misc]
    """``MpWriter`` whose workers end with it and whose failures fail the
    commit, writing (and merging) through the fast postings path."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._fast_init()
        self.errors = self._mpctx.Queue()

    def _new_task(self) -> Any:
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment)
        task = _Worker(*args, errors=self.errors, parent=os.getpid())
        self.tasks.append(task)
        # A forked worker inherits the run's handlers until its run() sets its
        # own: a SIGTERM in between (the parent, interrupted as the worker
        # starts, terminating it) ran the run's handler there, and the worker
        # died printing a traceback (seen in CI under load). Blocked across the
        # fork, a signal waits: the worker takes it once its own dispositions
        # are set, the parent as soon as the worker has started.
        start_shielded(task)
        return task

    def _enqueue(self) -> None:
        # MpWriter._enqueue, but never blocked forever on a full queue whose workers are dead
        docs: list[Any] = self.docbuffer
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in docs:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(docs)))
        self.docbuffer: list[Any] = []

    def _put(self, item: Any) -> None:
        while True:
            self.check_workers()
            try:
                self.jobqueue.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        # MpWriter._commit for multisegment writers (the only kind newssearch
        # uses), with every wait on a worker bounded by a check of its health
        if not self.multisegment:
            raise ValueError("WatchedMpWriter writes one segment per worker (multisegment=True)")
        self.check_workers()
        if self.docbuffer:
            self._enqueue()
        for _task in self.tasks:
            self._put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        results: list[Any] = []
        idle_after_exit = 0
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=_POLL))
            except queue.Empty:
                self.check_workers()
                if all(task.exitcode == 0 for task in self.tasks):
                    idle_after_exit += 1  # a result sent just before exiting arrives within a poll
                    if idle_after_exit > 1:
                        raise errors.WorkerFailed(f"a writer process finished without handing back its segment{_NOTHING}") from None
        for task in self.tasks:
            task.join()
        segments += [segment for _run, _fields, written in results for segment in written]
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _commit_toc(self, segments: Any) -> None:
        self.check_workers(finished=True)
        super()._commit_toc(segments)

    def check_workers(self, *, finished: bool = False) -> None:
        """Raise if a worker reported an error or ended without finishing
        (``finished``: every worker must have exited cleanly by now)."""
        try:
            name, errno, message = self.errors.get_nowait()
        except queue.Empty:
            pass
        else:
            if errno is not None:
                raise OSError(errno, f"in a writer process: {message}")
            raise errors.WorkerFailed(f"a writer process failed: {name}: {message}{_NOTHING}")
        for task in list(self.tasks):
            code = task.exitcode
            if code is None and not finished:
                continue
            if code is not None and code < 0:
                raise errors.IndexStoreError(
                    f"a writer process was killed (signal {-code}); nothing of this run was committed"
                )
            if code != 0:
                raise errors.WorkerFailed(f"a writer process ended with exit code {code}{_NOTHING}")
