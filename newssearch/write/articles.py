"""Add articles to an index safely: one run, one transaction.

Whoosh allows one writer at a time and writes a new segment per commit. An
:class:`ArticleWriter` holds the index's write lock for one run: it commits
once when the run succeeds and cancels on any error or Ctrl-C, so an index
on disk is always what its last commit made it. It also decides, per
article, whether it is new, an update of a stored article (same id,
different content), unchanged, or a repeat of one already seen in this run,
so that re-indexing the same folder changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from ..engine.reading import Snapshot
from ..engine.schema import to_fields
from ..engine.store import Store, take_lock
from ..engine.writing import SegmentWriter, default_memory_mb, default_procs
from ..errors import IndexStoreError
from ..model import Article
from ..paths import shown_path, shown_path_exists
from .stories import StoryGrouper
from .transaction import IndexReport, Transaction

__all__ = ["ArticleWriter"]


class ArticleWriter(Transaction):
    """Adds articles to one index in one transaction.

    Get one from :meth:`newssearch.NewsIndex.writer` and use it as a
    context manager: it commits when the block ends normally and cancels
    when it raises (including ``KeyboardInterrupt``)::

        with ix.writer() as w:
            w.add_many(newssearch.read_path("articles/"))

    Large runs are written by ``procs`` writer processes (Whoosh's
    multiprocess writer with the fast segment writer of
    :mod:`newssearch.engine.fastwrite`): analysis and posting writing are
    pure Python, so a second core nearly halves the time, and each process
    starts a new segment when its share of ``limitmb`` is full, so memory
    stays bounded. Small runs, under ``PARALLEL_FROM`` articles, stay in
    this process and make one segment, since starting a process would cost
    more than it saves.
    """

    #: Articles buffered before deciding to write in parallel.
    PARALLEL_FROM = 1000
    #: Articles handed to a worker process at a time.
    PARALLEL_BATCH = 256

    def __init__(
        self,
        store: Store,
        *,
        timeout: float = 0.0,
        limitmb: int | None = None,
        procs: int | None = None,
        commit_every: int | None = None,
        rebuild: bool = False,
        on_commit: Callable[[IndexReport], None] | None = None,
        stories: StoryGrouper | None = None,
        seq: int | None = None,
    ) -> None:
        """See :meth:`newssearch.NewsIndex.writer` for the parameters;
        ``on_commit`` is called with the report after the run's commit (the
        index drops its snapshot and matches its saved searches then).
        A shard's writer (:mod:`newssearch.write.sharded`) is given the run's
        ``stories`` (one grouper over every shard, so copies of a story are
        found in any of them) and its ingest sequence ``seq`` (the sharded
        index's, not this shard's own commit number)."""
        super().__init__(on_commit)
        self._store = store
        self._rebuild = rebuild
        self._commit_every = commit_every if commit_every and commit_every > 0 else None
        self._in_batch = 0
        self._seen: set[str] = set()
        self._limitmb = default_memory_mb() if limitmb is None else max(1, limitmb)
        # 0: everything in this process (a cluster's worker, which may not start processes)
        self._procs = default_procs() if procs is None else max(0, procs)
        self._pending: list[tuple[str, dict[str, Any]]] = []
        #: articles this run has written (in a rebuild, the unchanged ones too)
        self.written = 0
        # Take the lock now, so a second writer fails at once, but create the
        # Whoosh writer only when something changes: a Whoosh writer creates
        # its segment files up front and its cancel() leaves them behind.
        self._lock = store.lock()
        take_lock(store.path, self._lock, timeout)
        self._writer: SegmentWriter | None = None
        try:
            # what a killed run left behind goes now, under the lock
            self.report.leftovers_removed = store.remove_orphans()
            # what the index held when this run began: the base for "unchanged"
            # (nothing, for a rebuild: every article is written anew)
            self._existing: Snapshot | None = None
            self._fingerprints: Any = None
            # a rebuild in batches that was stopped: its committed part is
            # kept (articles it holds unchanged are not written again), the
            # rest written, and what this run does not read dropped at the end
            self._resuming = rebuild and store.unfinished_rebuild() is not None
            self._unread: list[int] = []
            self._marked = False  # this run marked the index as a rebuild in progress
            if not rebuild and store.unfinished_rebuild() is None:
                store.clear_rebuild()  # a stale mark: its commit never landed
            if self._resuming:
                self._rebuild = rebuild = False
                self.report.resumed_rebuild = True
            if not rebuild and store.doc_count_all() > 0:
                self._existing = store.snapshot()
                self._fingerprints = self._existing.column("fingerprint")
            # a rebuild writes every article anew, but one it finds unchanged
            # keeps its ingest sequence: it is not news to a saved search
            self._previous: tuple[Snapshot, Any, Any] | None = None
            # a rebuild's report says what it kept and what it removed: the
            # articles the index held, and how many of them this run read again
            self._held_before = 0
            self._read_again = 0
            if rebuild and store.doc_count_all() > 0 and not self._resuming:
                before = store.snapshot()
                self._previous = (before, before.column("fingerprint"), before.column("seq"))
                self._held_before = before.doc_count()
            self._stories = stories if stories is not None else StoryGrouper(self._existing)
            self._seq_given = seq is not None
            self._seq = seq if seq is not None else store.last_seq() + 1
        except BaseException:
            self._lock.release()
            raise
        self._open = True

    def _segment_writer(self, parallel: bool) -> SegmentWriter:
        if self._writer is None:
            workers = self._procs if parallel else 0
            # a rebuild writes every article again: its language fields by today's rules (a field written
            # by earlier ones keeps them otherwise, so that it never holds terms of two rules)
            fields = self._store.outdated_fields() if self._rebuild else None
            self._writer = SegmentWriter(
                self._store, self._lock, workers=workers, batch=self.PARALLEL_BATCH, limitmb=self._limitmb, fields=fields
            )
        return self._writer

    def _write(self, kind: str, fields: dict[str, Any]) -> None:
        self._in_batch += 1
        if self._writer is None:
            self._pending.append((kind, fields))
            if len(self._pending) >= self.PARALLEL_FROM:
                self._flush_pending(parallel=True)
        else:
            self._send(self._writer, kind, fields)
        if self._commit_every and self._in_batch >= self._commit_every:
            self._commit_batch()

    def _commit_batch(self) -> None:
        """Commit what this run has written so far and go on under the same
        lock. Whoosh's writer spills sorted runs of postings to disk until
        it commits (about 75 KB per 400-word article), so a million articles
        in one commit need ~75 GB of scratch space; batches bound it."""
        if self._pending:  # a batch smaller than PARALLEL_FROM is written here, not by workers
            self._flush_pending(parallel=len(self._pending) >= self.PARALLEL_FROM)
        writer, self._writer = self._writer, None
        self._in_batch = 0
        if writer is None:
            return
        try:
            if self._rebuild:
                self._store.mark_rebuild()  # this commit drops the old contents; the run's end removes the mark
                self._marked = True
            # the run is not over: no merge, so the snapshot it started with stays valid
            writer.commit(release_lock=False, replace_all=self._rebuild, merge=False)
        except BaseException:
            self._open = False  # the commit abandoned everything and released the lock
            raise
        self._rebuild = False  # the old contents are gone; later batches add to the new
        self.report.committed = True
        if not self._seq_given:
            self._seq = self._store.last_seq() + 1

    def use_stories(self, stories: StoryGrouper) -> None:
        """Group stories with ``stories`` (a sharded run's one grouper over
        every shard), set before the first article is added."""
        self._stories = stories

    def next_batch(self, seq: int) -> None:
        """Commit what this run wrote so far and go on under the same lock,
        the next articles carrying ``seq`` (a sharded run commits its shards
        together, batch by batch)."""
        self._commit_batch()
        self._seq = seq

    def _flush_pending(self, parallel: bool) -> None:
        writer = self._segment_writer(parallel)
        pending, self._pending = self._pending, []
        for kind, fields in pending:
            self._send(writer, kind, fields)

    @staticmethod
    def _send(writer: SegmentWriter, kind: str, fields: dict[str, Any]) -> None:
        if kind == "update":
            writer.update(fields)
        else:
            writer.add(fields)

    def add(self, article: Article) -> str:
        """Index one article; return ``added``, ``updated``, ``unchanged`` or
        ``duplicate`` (same id already seen in this run: the first one wins,
        because Whoosh cannot replace a document it has not committed)."""
        if not self._open:
            raise IndexStoreError("this writer has already been committed or cancelled")
        if article.id in self._seen:
            self.report.duplicates += 1
            return "duplicate"
        self._seen.add(article.id)
        fields = to_fields(article)
        status = "added"
        if self._existing is not None:
            docnum = self._existing.docnum_for_id(article.id)
            if docnum is not None:
                if self._fingerprints[docnum] == fields["fingerprint"]:
                    self.report.unchanged += 1
                    return "unchanged"
                status = "updated"
        story, sig = self._stories.assign(article.id, article.title, article.body, article.published)
        seq, status = self._kept_seq(article.id, fields["fingerprint"], status)
        fields.update(story=story, minhash=sig.values, seq=seq)
        self._write("update" if status == "updated" and self._existing is not None else "add", fields)
        self.written += 1
        counter = {"added": "added", "updated": "updated", "unchanged": "unchanged"}[status]
        setattr(self.report, counter, getattr(self.report, counter) + 1)
        if article.published is None and status != "unchanged":
            self.report.no_date += 1
        return status

    def _kept_seq(self, article_id: str, fingerprint: str, status: str) -> tuple[int, str]:
        """This run's ingest sequence and ``status``, or, in a rebuild, the
        sequence an unchanged article already had and what the rebuild did to
        each article the index held (``unchanged``, written again as it was,
        or ``updated``): a rebuild writes every article anew, but its report
        says what changed, and the rest of what the index held is what it removes."""
        if self._previous is not None:
            before, fingerprints, seqs = self._previous
            docnum = before.docnum_for_id(article_id)
            if docnum is not None:
                self._read_again += 1
                if fingerprints[docnum] == fingerprint:
                    return int(seqs[docnum]), "unchanged"
                return self._seq, "updated"
        return self._seq, status

    def add_many(self, articles: Iterable[Article]) -> IndexReport:
        """Index every article from an iterable; return the running report."""
        for article in articles:
            self.add(article)
        return self.report

    def delete(self, article_id: str) -> bool:
        """Delete a stored article by id; return whether one was found."""
        if self._existing is None:
            return False
        docnum = self._existing.docnum_for_id(article_id)
        if docnum is None:
            return False
        self._delete_docnum(docnum)
        return True

    def _delete_docnum(self, docnum: int) -> None:
        if self._writer is None:
            self._flush_pending(parallel=False)
        self._segment_writer(parallel=False).delete(docnum)
        self.report.deleted += 1

    def prune(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        """Delete the stored articles read from files under ``paths`` (files
        or folders) that no longer exist; return how many. Articles from
        anywhere else (other folders, stdin, followed feeds, articles built
        in code) are never touched, nor are those of files that still exist."""
        if self._existing is None:
            return 0
        # origins are stored shown (escaped), so the roots are compared shown too
        roots = [shown_path(os.path.abspath(os.fsdecode(p))) for p in paths if os.fsdecode(p) != "-"]
        count = 0
        for origin in list(self._existing.lexicon("origin")):
            if not any(origin == root or origin.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
                continue
            if shown_path_exists(origin):
                continue
            for docnum in self._existing.docnums_with("origin", origin):
                self._delete_docnum(docnum)
                count += 1
        self.report.pruned += count
        return count

    def _commit_run(self) -> None:
        for docnum in self._unread:  # resuming a rebuild: what it did not read goes
            self._delete_docnum(docnum)
        self.report.removed = len(self._unread) + self._held_before - self._read_again
        if self._pending:
            self._flush_pending(parallel=False)
        if self._writer is None and self._rebuild:
            self._segment_writer(parallel=False)  # a rebuild from nothing still empties the index
        if self._writer is None:
            try:
                self._finish_merge()
                if self._resuming or self._marked:
                    self._rebuilt()
            finally:
                self._lock.release()
        else:
            if self._resuming or self._rebuild or self._marked:
                # the mark goes only once the last batch is committed: the commit releases the lock
                self._writer.commit(release_lock=False, replace_all=self._rebuild)
                try:
                    self._rebuilt()
                finally:
                    self._lock.release()
            else:
                self._writer.commit(release_lock=True, replace_all=self._rebuild)
            self.report.committed = True
            self.report.merge_problem = self._writer.merge_problem

    def _rebuilt(self) -> None:
        """A rebuild's last commit landed: its mark goes, and every article
        the index holds was written by this version, so its manifest
        records this version's analysis (``reanalyse`` has nothing to do)."""
        self._store.clear_rebuild()
        self._store.mark_analysed()

    def _finish_merge(self) -> None:
        """A run with nothing new still finishes a merge an earlier run did
        not (killed, or failed): the plan is made from the segments' sizes,
        so a plan left undone is found again here."""
        try:
            SegmentWriter.merge_pending(self._store)
        except Exception as exc:  # noqa: BLE001 - the index is as committed; only the merge is lost
            self.report.merge_problem = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"

    def _find_unread(self) -> list[int]:
        """Resuming a rebuild: the documents the stopped run committed that
        this run did not read (a rebuild's contents are exactly what it
        reads), by their numbers in the snapshot the run started from."""
        if self._existing is None:
            return []
        found = []
        for seg in self._existing.segments:
            for text, docs in seg.term_holders("id"):
                article_id = text.decode("utf-8") if isinstance(text, bytes) else str(text)
                if article_id not in self._seen:
                    found += [d + seg.offset for d in docs if seg.deleted is None or not seg.deleted[d]]
        return found

    def _abandon(self) -> None:
        self._pending = []
        if self._writer is None:
            self._lock.release()
        else:
            self._writer.abandon()

    def _close_snapshots(self) -> None:
        if self._resuming:  # the last moment the run reads its snapshot (commit closes it first)
            self._unread = self._find_unread()
        if self._existing is not None:
            self._existing.close()
            self._existing = None
        if self._previous is not None:
            self._previous[0].close()
            self._previous = None

    def __repr__(self) -> str:
        state = "open" if self._open else "closed"
        return f"<ArticleWriter {str(self._store.path)!r} {state}: {self.report.added} added, {self.report.updated} updated>"
