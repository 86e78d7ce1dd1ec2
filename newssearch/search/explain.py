"""How a hit's score was built, for ``--explain``."""

from __future__ import annotations

import numpy as np

from ..engine.query import Query
from ..model import Explanation, ScorePart
from .ranker import Ranker, ScoredDocs
from .recency import Recency

__all__ = ["explain_hit"]


def explain_hit(
    ranker: Ranker, q: Query, docnum: int, found: ScoredDocs, score: float, sort: str, recency: Recency, *, by_whoosh: bool = False
) -> Explanation:
    """The word parts, coordination and recency factor behind one hit's ``score``.

    ``found`` is every match with its relevance (from :meth:`Ranker.matches`).
    ``by_whoosh``: the relevance came from Whoosh's matchers (a shape the
    ranker does not evaluate), which do not report parts.
    """
    ids, relevances = found
    i = int(np.searchsorted(ids, docnum))
    relevance = float(relevances[i]) if i < len(ids) and ids[i] == docnum else score
    parts: tuple[ScorePart, ...] = ()
    coordination = 1.0
    held = asked = 0.0
    words = 0
    if not by_whoosh:
        found_parts, coord = ranker.explain(q, docnum)
        parts = tuple(found_parts)
        coordination, held, asked, words = coord.factor, coord.held_idf, coord.query_idf, coord.query_words
    one = np.array([docnum])
    undated = ranker.column(one, "undated")[0] != 0
    age = None if undated else (recency.now_long - float(ranker.column(one, "published")[0])) / 86_400e6
    factor = float(ranker.recency_factors(one, recency)[0]) if sort == "recency" else None
    return Explanation(
        parts=parts,
        relevance=relevance,
        coordination=coordination,
        score=score,
        age_days=age,
        half_life_days=recency.half_life_days if sort == "recency" else None,
        recency_factor=factor,
        note="scored by Whoosh's matchers" if by_whoosh else "",
        held_idf=held,
        query_idf=asked,
        query_words=words,
    )
