"""Deprecated: :mod:`newssearch.search.rank` was split by job; import from the new modules.

* :mod:`.bm25`     ``BM25_B``, ``BM25_K1``, ``MODEL``, ``RankingModel``
* :mod:`.stats`    ``CollectionStats``, ``GivenStats``, ``RecentStats``, ``WordsAsked``
* :mod:`.ranker`   ``Ranker``, ``Ranked``, ``Coordination``, ``ScoredDocs`` (was ``Found``)
* :mod:`.recency`  ``Recency``
* :mod:`newssearch.errors` ``UnsupportedQueryShape`` (was ``Unsupported``)

Each name still imports from here for one release, with a ``DeprecationWarning``.
"""

from __future__ import annotations

from ..deprecation import moved_names

__all__ = [
    "BM25_B",
    "BM25_K1",
    "MODEL",
    "CollectionStats",
    "GivenStats",
    "Ranked",
    "Ranker",
    "RankingModel",
    "RecentStats",
    "Recency",
    "Unsupported",
    "WordsAsked",
]

__getattr__ = moved_names(
    __name__,
    {
        "BM25_B": "newssearch.search.bm25:BM25_B",
        "BM25_K1": "newssearch.search.bm25:BM25_K1",
        "MODEL": "newssearch.search.bm25:MODEL",
        "RankingModel": "newssearch.search.bm25:RankingModel",
        "CollectionStats": "newssearch.search.stats:CollectionStats",
        "GivenStats": "newssearch.search.stats:GivenStats",
        "RecentStats": "newssearch.search.stats:RecentStats",
        "WordsAsked": "newssearch.search.stats:WordsAsked",
        "Coordination": "newssearch.search.ranker:Coordination",
        "Found": "newssearch.search.ranker:ScoredDocs",
        "Ranked": "newssearch.search.ranker:Ranked",
        "Ranker": "newssearch.search.ranker:Ranker",
        "Unsupported": "newssearch.errors:UnsupportedQueryShape",
        "Recency": "newssearch.search.recency:Recency",
    },
)
