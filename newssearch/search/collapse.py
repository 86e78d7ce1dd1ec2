"""One result per story: the copies of a story collapse under its best one.

Every article carries a story label (:mod:`newssearch.stories`). Among the
articles a query matches, the copies of one story are shown once, by the
copy that would come first (the best scored; for date sorts the newest or
the oldest), and the hit lists the others ("also in 3 outlets"). Totals then
count stories; facets still count articles, so an outlet's count says how
many of its articles match.
"""

from __future__ import annotations

import numpy as np

from .ranker import Ranker, ScoredDocs
from .recency import Recency

__all__ = ["MAX_COPIES", "Stories", "collapse"]

#: Copies listed on one hit (all of them are counted).
MAX_COPIES = 20


class Stories:
    """The matches grouped by story: the representatives, and each one's copies."""

    def __init__(self, found: ScoredDocs, stories: np.ndarray, keep: np.ndarray) -> None:
        ids, scores = found
        self.articles = len(ids)
        self.representatives: ScoredDocs = (ids[keep], scores[keep])
        self._ids = ids
        self._stories = stories
        self._story_of = dict(zip(ids[keep].tolist(), stories[keep].tolist()))

    def copies(self, docnum: int) -> np.ndarray:
        """The other matching articles of the representative ``docnum``'s story."""
        story = self._story_of.get(docnum)
        if story is None:
            return np.zeros(0, dtype=np.int64)
        members = self._ids[self._stories == story]
        others: np.ndarray = members[members != docnum]
        return others


def collapse(ranker: Ranker, found: ScoredDocs, sort: str, recency: Recency) -> Stories:
    """Keep one match per story: the best scored (with ``sort="recency"``,
    by blended score), the newest for ``date``, the oldest for ``oldest``."""
    ids, scores = found
    stories = ranker.column(ids, "story")
    if sort in ("date", "oldest"):
        published = ranker.column(ids, "published").astype(np.float64)
        undated = ranker.column(ids, "undated") != 0
        key = np.where(undated, np.inf, -published if sort == "date" else published)
    elif sort == "recency":
        key = -(scores * ranker.recency_factors(ids, recency))
    else:
        key = -scores
    order = np.lexsort((ids, key, stories))  # by story, best first, ties by doc number
    first = np.ones(len(order), dtype=bool)
    first[1:] = stories[order][1:] != stories[order][:-1]
    keep = np.sort(order[first])  # matches stay in doc order, as the ranker hands them out
    return Stories(found, stories, keep)
