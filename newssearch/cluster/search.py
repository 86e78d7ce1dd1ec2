"""Searching a sharded index on a Dask cluster: a query fanned out to the shards.

An actor on a worker keeps each shard open (:class:`ShardSearcher`); a
:class:`ClusterRanker` sums the shards' statistics for the query's words in
a first round trip and has each shard score its matches with the sums in a
second, so the scores are those of one index.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.query import MultiTerm
from ..engine.schema import TEXT_FIELDS
from ..engine.shards import ShardedStore
from ..engine.store import Store
from ..search.bm25 import BM25_B, BM25_K1
from ..search.ranker import Ranker
from ..search.stats import GivenStats

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["ClusterRanker", "ShardSearcher", "fan_out"]


class ShardSearcher:
    """One shard kept open on a worker (a Dask actor): it gives its share of
    a query's statistics, then its matches scored with the sums."""

    def __init__(self, index: str, shard: int) -> None:
        self._store = Store.open(ShardedStore.shard_path(Path(index), shard))
        self._snapshot: Any = None
        self._ranker: Any = None

    def _current(self) -> Any:
        if self._snapshot is None or not self._snapshot.is_current():
            if self._snapshot is not None:
                self._snapshot.close()
            self._snapshot = self._store.snapshot(k1=BM25_K1, b=BM25_B)
            self._ranker = Ranker(self._snapshot)
        return self._ranker

    def statistics(self, words: list[tuple[tuple[str, ...], str]]) -> tuple[int, list[int]]:
        """This shard's documents and each word's document frequency."""
        ranker = self._current()
        return ranker.snapshot.doc_count_all(), [ranker.doc_frequency_any(fields, text) for fields, text in words]

    def matches(self, q: Any, restrict: Any, docs: int, words: list[Any], frequencies: list[int], lengths: dict[str, float], expansions: dict[str, list[Any]],
                languages: dict[str, int | None] | None = None) -> Any:
        """This shard's matches (its document numbers) scored with the collection's statistics
        (``languages``: each text field's documents of its language in the collection)."""
        local = self._current()
        stats = GivenStats(docs, dict(zip(words, frequencies)), lengths, lambda sub: expansions[repr(sub)], languages)
        return Ranker(local.snapshot, stats=stats).matches(q, restrict)


def fan_out(client: Client, store: ShardedStore) -> Any:
    """What :meth:`newssearch.NewsIndex.search_on` installs: for each new
    snapshot, a :class:`ClusterRanker` over the shards' actors."""
    actors = [client.submit(ShardSearcher, str(store.path), n, actor=True).result() for n in range(store.shards)]

    def make(snapshot: Any) -> Any:
        # each shard's documents in this snapshot: its segments, in shard order
        return ClusterRanker(snapshot, actors, _shard_sizes(snapshot, store))

    return make


class ClusterRanker(Ranker):
    """A ranker whose :meth:`matches` is computed by the shards' actors: a
    first round trip sums every shard's statistics for the query's words,
    a second has each shard score its matches with the sums. Everything
    else (collapsing, ordering, facets, hits) reads the snapshot here. When
    a shard's actor sees another commit than this snapshot, the query is
    matched here instead (the answer is the same; only the work moves)."""

    def __init__(self, snapshot: Any, actors: list[Any], shard_docs: list[int]) -> None:
        """``actors``: the shards' :class:`ShardSearcher` actors, in shard
        order; ``shard_docs``: each shard's documents in ``snapshot``."""
        super().__init__(snapshot)
        self._actors = actors
        self._shard_docs = shard_docs
        self._offsets = [sum(shard_docs[:n]) for n in range(len(shard_docs))]
        #: queries matched by the shards' actors, and here instead
        self.fanned_out = 0
        self.matched_here = 0

    def matches(self, q: Any, restrict: Any) -> Any:  # noqa: D401
        """Every live match and its score, from the shards."""
        words = self.words_asked(q)
        if words is None:
            return None
        counted = [a.statistics(words) for a in self._actors]
        answers = [c.result() for c in counted]
        if [docs for docs, _f in answers] != self._shard_docs:
            self.matched_here += 1
            return Ranker.matches(self, q, restrict)  # a shard moved on since this snapshot
        docs = sum(d for d, _f in answers)
        frequencies = [sum(f[i] for _d, f in answers) for i in range(len(words))]
        # every text field the words are asked in: the English ones and the languages' own
        fields = sorted(set(TEXT_FIELDS).union(*(set(names) for names, _text in words)))
        lengths = {f: self.snapshot.avg_field_length(f) for f in fields}
        languages = {f: self.language_count(f) for f in fields}
        expansions = {repr(leaf): self.snapshot.expand(leaf) for leaf in _expandable(q)}
        parts = [a.matches(q, restrict, docs, words, frequencies, lengths, expansions, languages) for a in self._actors]
        found = [p.result() for p in parts]
        if any(f is None for f in found):
            return None
        self.fanned_out += 1
        ids = np.concatenate([f[0] + offset for f, offset in zip(found, self._offsets)]) if found else np.zeros(0, np.int64)
        scores = np.concatenate([f[1] for f in found]) if found else np.zeros(0)
        return ids, scores


def _expandable(q: Any) -> list[Any]:
    """The prefix, wildcard and term-range leaves of a query (their expansions travel with it)."""
    leaves = [q] if q.is_leaf() else list(q.leaves())
    return [leaf for leaf in leaves if isinstance(leaf, MultiTerm)]


def _shard_sizes(snapshot: Any, store: ShardedStore) -> list[int]:
    """Each shard's documents in a snapshot of the sharded index (the
    segments are every shard's, in shard order)."""
    where = {os.path.abspath(str(shard.path)): n for n, shard in enumerate(store.stores)}
    sizes = [0] * store.shards
    for seg in snapshot.segments:
        sizes[where[os.path.abspath(seg.folder or "")]] += seg.size
    return sizes
