"""The order results come in: by score or by date, ties broken by article id.

Document numbers say where an article happens to be stored (which shard,
which segment, after which merge), so they must not decide an order: a
sharded index and a plain one holding the same articles answer with the
same ids in the same order only if every tie (equal scores, equal dates,
the copies of one story) goes to the smaller article id. Scores summed
over shards can differ from one index's in the last bits, so scores equal
to about nine significant digits tie (:func:`tie_key`).

Article ids are stored strings, dear to read for every match. They are
read only for the matches that tie near the cut (none, for most queries);
when a tie at the cut is large (``*`` by relevance, undated articles by
date), the first ids of the tie are found by walking the id terms in order
until enough are met; and for many ties elsewhere once per snapshot, in id
order from the index's terms (:class:`ArticleOrder`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engine.reading import Snapshot

__all__ = ["TIE_BITS", "WALK_FROM", "WALK_RATIO", "ArticleOrder", "first_k", "tie_key", "top_k"]

#: Low mantissa bits a score loses before it is compared (of 52): 30 are
#: kept, so scores equal to about 1e-9 (relative) tie.
TIE_BITS = 22
_HALF = np.int64(1 << (TIE_BITS - 1))
_MAGNITUDE = np.int64(0x7FFF_FFFF_FFFF_FFFF)
#: A tie at the cut this many times larger than the places it fills (and
#: at least WALK_FROM documents) is settled by walking the id terms in
#: order (:meth:`ArticleOrder.first`) rather than ordering all of it.
WALK_RATIO = 4
WALK_FROM = 256
#: Scores this close (relative) below the k-th best may still tie with it.
_MARGIN = 2.0 ** (TIE_BITS + 2 - 52)


def tie_key(scores: np.ndarray) -> np.ndarray:
    """Scores as int64 keys in the same order, rounded so that scores equal
    to about 1e-9 (relative) get the same key (the low :data:`TIE_BITS`
    bits of the mantissa rounded away)."""
    bits = np.ascontiguousarray(scores, dtype=np.float64).view(np.int64)
    # a float's bits order like the float when positive and reversed when
    # negative: as sign and magnitude, one order for both
    ordered = np.where(bits < 0, -(bits & _MAGNITUDE), bits)
    key: np.ndarray = (ordered + _HALF) >> TIE_BITS
    return key


class ArticleOrder:
    """Sort keys that order a snapshot's documents as their article ids do.

    Few documents (what tie near the cut of most queries) are ordered by
    their stored ids, read once each; when a search would read more than
    an eighth of the index that way, the id of every document is read once
    from the id field's terms instead (:meth:`Snapshot.id_order
    <newssearch.engine.reading.Snapshot.id_order>`, about 1/8 of the cost
    of a stored document per article) and kept with the snapshot.
    """

    #: A stored document costs about this many ids read from the terms.
    STORED_COST = 8

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._ids: dict[int, str] = {}
        self._order: np.ndarray | None = None

    def keys(self, docnums: np.ndarray) -> np.ndarray:
        """Integers that order ``docnums`` as their article ids do (equal
        ids, equal keys); comparable only with the keys of the same call."""
        if self._order is None:
            wanted = docnums.tolist()
            missing = [d for d in wanted if d not in self._ids]
            if (len(self._ids) + len(missing)) * self.STORED_COST < self.snapshot.doc_count_all():
                for d in missing:
                    self._ids[d] = str(self.snapshot.stored(d).get("id", ""))
                _ids, inverse = np.unique(np.array([self._ids[d] for d in wanted], dtype=str), return_inverse=True)
                ranks: np.ndarray = inverse.reshape(-1).astype(np.int64)
                return ranks
            self._order = self.snapshot.id_order()
            self._ids.clear()
        found: np.ndarray = self._order[docnums]
        return found

    def first(self, docnums: np.ndarray, k: int, groups: np.ndarray | None = None) -> np.ndarray:
        """Indices into ``docnums`` of the ``k`` whose article ids come
        first, in id order; with ``groups`` (a label per document), of the
        first document of each of the first ``k`` groups met in id order
        (a story's copy of smallest id, for the first ``k`` stories).

        Without the snapshot's id order at hand, the id terms are walked in
        order until enough are met (a few terms when most of the index
        ties); past an eighth of the index's terms the walk gives up and
        the id order is read (and kept) instead."""
        if self._order is None:
            budget = max(self.snapshot.doc_count_all() // self.STORED_COST, k * WALK_RATIO)
            where = np.full(self.snapshot.doc_count_all(), -1, dtype=np.int64)
            where[docnums] = np.arange(len(docnums))
            picked: list[int] = []
            seen: set[int] = set()
            for walked, docnum in self.snapshot.walk_ids(where >= 0):
                if walked > budget:
                    break
                i = int(where[docnum])
                if groups is not None:
                    if int(groups[i]) in seen:
                        continue
                    seen.add(int(groups[i]))
                picked.append(i)
                if len(picked) >= k:
                    return np.array(picked, dtype=np.int64)
            else:
                return np.array(picked, dtype=np.int64)  # fewer than k to be had
            self._order = self.snapshot.id_order()
            self._ids.clear()
        by_id = np.argsort(self._order[docnums], kind="stable")
        if groups is not None:
            _labels, firsts = np.unique(groups[by_id], return_index=True)
            by_id = by_id[np.sort(firsts)]
        chosen: np.ndarray = by_id[:k]
        return chosen

def first_k(keys: Sequence[np.ndarray], docnums: np.ndarray, k: int, article_order: ArticleOrder) -> np.ndarray:
    """Indices of the first ``k`` of ``docnums`` in the order of ``keys``
    (ascending, the first key the most significant), ties by article id.

    Sorted by doc number first (cheap); article ids are then read only for
    the documents that tie with another in the part of the order that
    decides the first ``k`` (up to the end of the tie at the cut).
    """
    n = len(docnums)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((docnums, *reversed(keys)))
    if n == 1:
        return order
    same = np.ones(n - 1, dtype=bool)  # same[i]: position i ties with position i + 1
    for key in keys:
        ordered = key[order]
        same &= ordered[1:] == ordered[:-1]
    end = k
    if k < n and same[k - 1]:  # the tie at the cut reaches past it
        after = np.flatnonzero(~same[k - 1 :])
        end = k + int(after[0]) if len(after) else n
    # a large tie across the cut: its first ids are walked to, not all read
    start = k - 1
    while start > 0 and same[start - 1]:
        start -= 1
    if end - start >= max(WALK_FROM, WALK_RATIO * (k - start)):
        settled = first_k(keys, docnums, start, article_order) if start else np.zeros(0, dtype=np.int64)
        group = order[start:end]
        rest: np.ndarray = group[article_order.first(docnums[group], k - start)]
        return np.concatenate([settled, rest])
    tied = np.zeros(end, dtype=bool)
    tied[:-1] |= same[: end - 1]
    tied[1:] |= same[: end - 1]
    if not tied.any():
        return order[:k]
    head = order[:end]
    ids = np.zeros(end, dtype=np.int64)
    ids[tied] = article_order.keys(docnums[head[tied]])
    resorted = np.lexsort((ids, *(key[head] for key in reversed(keys))))
    best: np.ndarray = head[resorted][:k]
    return best


def top_k(scores: np.ndarray, docnums: np.ndarray, k: int, article_order: ArticleOrder) -> np.ndarray:
    """Indices of the ``k`` best scores, best first, ties (see
    :func:`tie_key`) by article id. A partial sort finds the candidates:
    the ``k`` best and whatever ties with the ``k``-th."""
    n = len(scores)
    if k < n:
        threshold = float(np.partition(scores, n - k)[n - k])
        candidates = np.nonzero(scores >= threshold - abs(threshold) * _MARGIN)[0]
    else:
        candidates = np.arange(n)
    chosen = first_k([-tie_key(scores[candidates])], docnums[candidates], k, article_order)
    best: np.ndarray = candidates[chosen]
    return best
