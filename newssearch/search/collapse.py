"""One result per story: the copies of a story collapse under its best one.

Every article carries a story label (:mod:`newssearch.write.stories`). Among the
articles a query matches, the copies of one story are shown once, by the
copy that would come first (the best scored; for date sorts the newest or
the oldest; among equals the smallest article id), and the hit lists the
others ("also in 3 outlets"). Totals then count stories; facets still count
articles, so an outlet's count says how many of its articles match.
"""

from __future__ import annotations

import numpy as np

from .order import WALK_FROM, WALK_RATIO, tie_key
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
        # which matches stand for their story, as a mask: a page asks about ten of them, so a
        # table of every representative (tens of thousands for a common word) would be built for ten
        self._kept = np.zeros(len(ids), dtype=bool)
        self._kept[keep] = True
        for kept in (*self.representatives, self._stories, self._kept):
            kept.flags.writeable = False  # kept with the session's match set, shared by the searches that ask again

    @property
    def nbytes(self) -> int:
        """The memory its arrays take (beside the match set's own)."""
        return sum(a.nbytes for a in (*self.representatives, self._stories, self._kept))

    def copies(self, docnum: int) -> np.ndarray:
        """The other matching articles of the representative ``docnum``'s story."""
        at = int(np.searchsorted(self._ids, docnum))  # the matches are in document order
        if not (at < len(self._ids) and self._ids[at] == docnum):
            where = np.flatnonzero(self._ids == docnum)  # were they not, the search would miss it
            if not len(where):
                return np.zeros(0, dtype=np.int64)
            at = int(where[0])
        if not self._kept[at]:
            return np.zeros(0, dtype=np.int64)
        members = self._ids[self._stories == self._stories[at]]
        others: np.ndarray = members[members != docnum]
        return others


def collapse(ranker: Ranker, found: ScoredDocs, sort: str, recency: Recency, *, want: int | None = None) -> Stories:
    """Keep one match per story: the best scored (with ``sort="recency"``,
    by blended score), the newest for ``date``, the oldest for ``oldest``;
    among equals (scores equal to about 1e-9, equal dates), the copy of
    smallest article id.

    ``want``: only the first ``want`` stories will be shown (a page's
    offset + limit), so equal copies are told apart by article id (ids are
    dear to read) only in the stories that can be among them; the others
    keep their first equal copy in document order. None: in every story."""
    ids, scores = found
    stories = ranker.column(ids, "story")
    if sort in ("date", "oldest"):
        published = ranker.column(ids, "published").astype(np.float64)
        undated = ranker.column(ids, "undated") != 0
        key = np.where(undated, np.inf, -published if sort == "date" else published)
    elif sort == "recency":
        key = -tie_key(scores * ranker.recency_factors(ids, recency))
    else:
        key = -tie_key(scores)
    order = np.lexsort((ids, key, stories))  # by story, best first, then by doc number
    ordered_stories, ordered_keys = stories[order], key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ordered_stories[1:] != ordered_stories[:-1]
    chosen = np.flatnonzero(first)  # per story, the position of its representative
    story_of = np.cumsum(first) - 1  # per position, its story's number
    # the stories whose best key is held by more than one copy: there the
    # smallest article id wins, not the doc number (sharding changes those)
    best = ordered_keys[chosen]  # per story, the key it is ordered by
    contender = ordered_keys == best[story_of]
    tied = contender & (np.bincount(story_of[contender], minlength=len(chosen))[story_of] > 1)
    if want is not None and want < len(chosen):
        if want == 0:
            tied[:] = False
        else:
            cut = np.partition(best, want - 1)[want - 1]
            at_cut = (best == cut)[story_of] & contender  # the copies of the stories tied at the cut
            places = want - int((best < cut).sum())  # the places those stories fill
            if at_cut.sum() >= max(WALK_FROM, WALK_RATIO * places):
                # many stories tie at the cut (``*`` by relevance, undated
                # articles by date): the stories shown are the first met in
                # article-id order, each by its first copy met, found by
                # walking the ids rather than reading them all
                where = np.flatnonzero(at_cut)
                firsts = where[ranker.article_order.first(ids[order[where]], places, groups=story_of[where])]
                chosen[story_of[firsts]] = firsts
                tied &= (best < cut)[story_of]
            else:
                tied &= (best <= cut)[story_of]
    if tied.any():
        where = np.flatnonzero(tied)
        by_id = where[np.lexsort((ranker.article_order.keys(ids[order[where]]), story_of[where]))]
        wins = np.ones(len(by_id), dtype=bool)
        wins[1:] = story_of[by_id][1:] != story_of[by_id][:-1]
        chosen[story_of[by_id[wins]]] = by_id[wins]
    keep = np.sort(order[chosen])  # matches stay in doc order, as the ranker hands them out
    return Stories(found, stories, keep)
