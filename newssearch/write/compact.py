"""Compacting an index: every segment merged into one, deleted articles dropped.

Deleting an article (``delete``, ``index --prune``, an update's old copy)
only marks it deleted in its segment: its stored text, postings and columns
stay on disk, and the automatic merges after a run (``engine.writing``'s
tiered policy) never rewrite a lone segment or a full one. So an index that
was pruned does not shrink; it grows by the deletion marks. :func:`compact`
rewrites the whole index as one segment of its live articles, under the
index's write lock, as one commit per index (per shard, for a sharded
index): killed part way, each index is as its last commit left it, and the
files the merge had written are leftovers that the next writer (or the next
``compact``) removes. The merged segment is written by the same code as
every merge (``engine.fastwrite.merge_segments``: posting lists, posting
arrays, columns and field lengths), and its checksums recorded at its
commit, so ``check`` reads it as it reads any other.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from ..engine.shards import ShardedStore
from ..engine.store import Store, take_lock
from ..engine.writing import compact_segments

__all__ = ["CompactReport", "compact"]


@dataclass
class CompactReport:
    """What :func:`compact` did: bytes on disk and segments before and
    after, the live ``articles`` (unchanged by compacting), the deleted
    articles whose bytes were dropped, the bytes of interrupted runs'
    leftovers removed, whether checksums missing from the last commit were
    recorded, and the seconds it took."""

    path: str
    size_before: int = 0
    size_after: int = 0
    segments_before: int = 0
    segments_after: int = 0
    articles: int = 0
    deleted_dropped: int = 0
    leftovers_removed: int = 0
    #: the last commit's checksums were missing (a writer killed just after its commit): written again with them
    sums_recorded: bool = False
    elapsed: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether anything was rewritten or removed."""
        return (self.segments_before != self.segments_after or self.deleted_dropped > 0 or self.leftovers_removed > 0
                or self.sums_recorded)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self) | {"elapsed": round(self.elapsed, 3)}


def compact(store: Store | ShardedStore, *, timeout: float = 0.0) -> CompactReport:
    """Merge every segment of ``store`` (every shard's, for a sharded index)
    into one without its deleted articles, under the write lock (every
    shard's, taken before anything is written; ``timeout`` seconds to wait
    for another writer, then :class:`~newssearch.errors.IndexLocked`)."""
    started = time.perf_counter()
    stores = store.stores if isinstance(store, ShardedStore) else [store]
    report = CompactReport(str(store.path), size_before=store.size_on_disk())
    locks = []
    try:
        for one in stores:
            lock = one.lock()
            take_lock(one.path, lock, timeout)
            locks.append(lock)
        for one in stores:
            before = one.segment_counts()
            report.segments_before += len(before)
            report.deleted_dropped += sum(deleted for _live, deleted in before)
            report.leftovers_removed += one.remove_orphans()
            behind = one.sums_behind()  # a compact killed after its commit: done again, to record them
            report.sums_recorded |= behind
            compact_segments(one, rewrite=behind)
            one.remove_orphans()  # the merged segments' files, should Whoosh have left any
            after = one.segment_counts()
            report.segments_after += len(after)
            report.articles += sum(live for live, _deleted in after)
            report.deleted_dropped -= sum(deleted for _live, deleted in after)
    finally:
        for lock in locks:
            lock.release()
    report.size_after = store.size_on_disk()
    report.elapsed = time.perf_counter() - started
    return report
