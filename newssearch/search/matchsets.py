"""The matches of a sub-query within one segment, as arrays, and their set algebra.

The ranker evaluates a query tree bottom-up, segment by segment: each node
gives the sorted local doc ids it matches, each one's score and the idf of
the query words it holds (:class:`SegmentMatches`), and says what it asked
for (:class:`AskedWords`); OR is a union that adds scores, AND an
intersection. Both run as a few vectorised steps over whole posting lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AskedWords", "SegmentMatches", "intersection", "union", "union_ids"]

_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)


@dataclass
class SegmentMatches:
    """Matches of a sub-query in one segment: sorted doc ids, their scores,
    and the idf of the query words each holds (``held_idf``, for the
    coordination factor)."""

    ids: np.ndarray
    scores: np.ndarray
    held_idf: np.ndarray

    @classmethod
    def empty(cls) -> SegmentMatches:
        """No match."""
        return cls(_EMPTY_I, _EMPTY_F, _EMPTY_F)


@dataclass(frozen=True)
class AskedWords:
    """What a sub-query asks for: how many query words, and their idf summed."""

    words: float = 0.0
    idf: float = 0.0

    def __add__(self, other: AskedWords) -> AskedWords:
        return AskedWords(self.words + other.words, self.idf + other.idf)


def union_ids(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The sorted union of doc-id arrays of one segment of ``size``
    documents: through a mask when the lists are long (numpy's unique
    sorts or hashes every id; marking them costs one pass), else unique."""
    if sum(len(p) for p in parts) * 16 < size:
        return np.unique(np.concatenate(parts))
    mask = np.zeros(size, dtype=bool)
    for p in parts:
        mask[p] = True
    return np.flatnonzero(mask).astype(np.int64)


def union(parts: list[SegmentMatches]) -> SegmentMatches:
    """Documents any part matches, their scores and held idf added up."""
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return SegmentMatches.empty()
    if len(parts) == 1:
        p = parts[0]
        return SegmentMatches(p.ids, p.scores.copy(), p.held_idf.copy())
    ids = np.concatenate([p.ids for p in parts])
    uniq, inverse = np.unique(ids, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(uniq))
    held = np.bincount(inverse, weights=np.concatenate([p.held_idf for p in parts]), minlength=len(uniq))
    return SegmentMatches(uniq, scores, held)


def intersection(parts: list[SegmentMatches]) -> SegmentMatches:
    """Documents every part matches, their scores and held idf added up."""
    if not parts or any(len(p.ids) == 0 for p in parts):
        return SegmentMatches.empty()
    merged = union(parts)
    counts = np.bincount(
        np.searchsorted(merged.ids, np.concatenate([p.ids for p in parts])), minlength=len(merged.ids)
    )
    keep = counts == len(parts)
    return SegmentMatches(merged.ids[keep], merged.scores[keep], merged.held_idf[keep])
