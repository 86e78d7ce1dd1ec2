"""Writing a sharded index: one run routed to one writer per shard.

A :class:`ShardedWriter` is what :meth:`newssearch.NewsIndex.writer` returns
for a sharded index (see :mod:`newssearch.engine.shards`). It takes every
shard's write lock, routes each article to its shard by id, and lets each
shard's :class:`~newssearch.write.articles.ArticleWriter` decide whether the article
is new, updated or unchanged (the same id always lands in the same shard).
Story labels are assigned by one grouper over every shard, so the copies of
a wire story are one story wherever each copy is stored. Large runs are
written by one process per shard.

A run commits shard by shard, then records its ingest sequence in the
manifest; a run that fails or is interrupted part way leaves the shards it
committed committed (each shard is always as its last commit) and the
manifest as it was, so saved searches match those articles once a later
run completes (see :mod:`newssearch.engine.shards`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from ..engine.shards import ShardedStore, shard_of
from ..engine.writing import default_memory_mb
from ..errors import IndexStoreError
from ..model import Article
from .articles import ArticleWriter
from .stories import StoryGrouper
from .transaction import IndexReport, Transaction

__all__ = ["ShardedWriter"]


class ShardedWriter(Transaction):
    """Adds articles to a sharded index in one run (a context manager, as
    :class:`~newssearch.write.articles.ArticleWriter`)."""

    def __init__(
        self,
        store: ShardedStore,
        *,
        timeout: float = 0.0,
        limitmb: int | None = None,
        commit_every: int | None = None,
        rebuild: bool = False,
        on_commit: Callable[[IndexReport], None] | None = None,
    ) -> None:
        """See :meth:`newssearch.NewsIndex.writer`; ``limitmb`` is shared by the shards' writers."""
        super().__init__(on_commit)
        self._store = store
        self._commit_every = commit_every if commit_every and commit_every > 0 else None
        self._in_batch = 0
        budget = max(1, (limitmb if limitmb is not None else default_memory_mb()) // store.shards)
        self._seq = store.last_seq() + 1
        self._writers: list[ArticleWriter] = []
        existing = None
        try:
            for shard in store.stores:  # every lock first: a second writer fails before anything is read
                self._writers.append(
                    ArticleWriter(shard, timeout=timeout, limitmb=budget, procs=1, rebuild=rebuild, seq=self._seq, stories=_LATER)
                )
            if not rebuild and store.doc_count_all() > 0:
                existing = store.snapshot()
            self._stories = StoryGrouper(existing)
            for w in self._writers:
                w.use_stories(self._stories)
        except BaseException:
            self._existing = existing
            self._cancel_all()
            raise
        self._existing = existing
        self._open = True

    def add(self, article: Article) -> str:
        """Index one article in its shard; return what happened to it, as
        :meth:`ArticleWriter.add <newssearch.write.articles.ArticleWriter.add>`."""
        if not self._open:
            raise IndexStoreError("this writer has already been committed or cancelled")
        shard = self._writers[shard_of(article.id, len(self._writers))]
        written = shard.written
        status = shard.add(article)
        counter = _COUNTERS[status]
        setattr(self.report, counter, getattr(self.report, counter) + 1)
        if status in ("added", "updated") and article.published is None:
            self.report.no_date += 1
        if shard.written > written:  # a rebuild writes its unchanged articles too: they fill the batch
            self._in_batch += 1
            if self._commit_every and self._in_batch >= self._commit_every:
                self._commit_batch()
        return status

    def add_many(self, articles: Iterable[Article]) -> IndexReport:
        """Index every article from an iterable; return the running report."""
        for article in articles:
            self.add(article)
        return self.report

    def delete(self, article_id: str) -> bool:
        """Delete a stored article by id; return whether one was found."""
        found = self._writers[shard_of(article_id, len(self._writers))].delete(article_id)
        self.report.deleted += int(found)
        return found

    def prune(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        """Delete the stored articles read from files under ``paths`` that no longer exist (every shard)."""
        paths = list(paths)
        count = sum(w.prune(paths) for w in self._writers)
        self.report.pruned += count
        self.report.deleted += count
        return count

    def _commit_batch(self) -> None:
        """Commit every shard's batch, record the sequence, go on with the next."""
        self._in_batch = 0
        for w in self._writers:
            w.next_batch(self._seq + 1)
        self._store.set_last_seq(self._seq)
        self._seq += 1
        self.report.committed = True

    def _commit_run(self) -> None:
        """Commit every shard, in turn, then record the run's sequence."""
        try:
            for w in self._writers:
                w.commit()
        except BaseException:
            self._cancel_all()
            raise
        committed = any(w.report.committed for w in self._writers) or self.report.committed
        if committed:
            self._store.set_last_seq(self._seq)
        self.report.committed = committed
        self.report.leftovers_removed = sum(w.report.leftovers_removed for w in self._writers)
        self.report.removed = sum(w.report.removed for w in self._writers)
        problems = [f"shard {n}: {w.report.merge_problem}" for n, w in enumerate(self._writers) if w.report.merge_problem]
        self.report.merge_problem = "; ".join(problems) or None

    def _abandon(self) -> None:
        self._cancel_all()

    def _cancel_all(self) -> None:
        for w in self._writers:
            try:
                w.cancel()
            except Exception:  # noqa: BLE001 - every shard gets its cancel
                pass

    def _close_snapshots(self) -> None:
        if self._existing is not None:
            self._existing.close()
            self._existing = None

    def __repr__(self) -> str:
        return f"<ShardedWriter {str(self._store.path)!r} {len(self._writers)} shards: {self.report.added} added>"


_COUNTERS = {"added": "added", "updated": "updated", "unchanged": "unchanged", "duplicate": "duplicates"}
#: Stands for the run's grouper while the shards' writers are created (it
#: needs every shard's snapshot, read once all their locks are held).
_LATER = StoryGrouper(None)
