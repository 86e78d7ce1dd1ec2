"""Phrase matching over posting arrays: where a phrase's words stand at its distances.

``"oil prices"`` matches where ``price`` stands one position after ``oil``;
a phrase with ``slop`` lets its words stand further apart, in order, as
Whoosh's span matching chains them. Candidates are the documents holding
every word; positions are then compared as arrays (exact phrases) or per
document (sloppy ones).
"""

from __future__ import annotations

import numpy as np

from ..engine.query import GapPhrase
from ..engine.reading import Segment
from .postings import PostingCache

__all__ = ["phrase_at", "phrase_docs"]

_EMPTY_I = np.zeros(0, dtype=np.int64)


def phrase_docs(postings: PostingCache, q: GapPhrase, seg: Segment) -> np.ndarray:
    """The documents of ``seg`` where a phrase's words stand at the phrase's
    distances in its field (or, with ``slop``, within them, in order)."""
    field, words = q.fieldname, q.words
    if not all(seg.has(field, w) for w in words):
        return _EMPTY_I
    candidates = postings.get(seg, field, words[0])[0]
    for w in words[1:]:
        candidates = np.intersect1d(candidates, postings.get(seg, field, w)[0], assume_unique=True)
    if not len(candidates):
        return _EMPTY_I
    if q.slop <= 1:
        # each word's (document, position - its offset in the phrase):
        # the phrase stands where all words share such a pair
        starts: np.ndarray | None = None
        for w, offset in zip(words, q.offsets):
            owners, positions = seg.positions_of(field, w, candidates)
            keep = positions >= offset
            # unique already: one key per (document, position)
            keys = (owners[keep] << 32) | (positions[keep] - offset)
            starts = np.sort(keys) if starts is None else np.intersect1d(starts, keys, assume_unique=True)
            if not len(starts):
                return _EMPTY_I
        assert starts is not None
        owner = starts >> 32  # sorted: intersect1d sorts
        exact: np.ndarray = candidates[owner[np.r_[True, owner[1:] != owner[:-1]]]]
        return exact
    decoded = [seg.positions(field, w, candidates) for w in words]
    keep = np.array([phrase_at(q, [d[i] for d in decoded]) for i in range(len(candidates))], dtype=bool)
    matched: np.ndarray = candidates[keep]
    return matched


def phrase_at(q: GapPhrase, positions: list[list[int]]) -> bool:
    """Whether one document's word positions hold the phrase: each word at
    its distance from the one before (``slop`` 1), or at a distance from 1
    to that distance + ``slop`` - 1, in order (as Whoosh's span matching
    chains them)."""
    gaps = q.gaps()
    if q.slop <= 1:
        starts = set(positions[0])
        for word_positions, offset in zip(positions[1:], q.offsets[1:]):
            starts &= {p - offset for p in word_positions}
            if not starts:
                return False
        return True
    ends = set(positions[0])
    for word_positions, gap in zip(positions[1:], gaps):
        hi = gap + q.slop - 1
        ends = {p for p in word_positions if any(1 <= p - e <= hi for e in ends)}
        if not ends:
            return False
    return True
