"""The search side: a request goes in, ranked and highlighted hits come out.

The modules, in the order a search runs through them:

* :mod:`.request`  :class:`SearchRequest`: the query and its options, checked once
* :mod:`.session`  what searches share while one snapshot of the index is open
* :mod:`.parse`    query text and filters to a query tree and a filter
* :mod:`.rank`     BM25F over whole posting lists with numpy; recency; date order
* :mod:`.count`    exact totals from posting-list sets
* :mod:`.facets`   counts per keyword value over all matches
* :mod:`.snippets` fragments with the matched words located
* :mod:`.explain`  how each score was built
* :mod:`.run`      all of the above for one page of results
* :mod:`.timeline`, :mod:`.similar`, :mod:`.spelling`: coverage over time,
  related stories and did-you-mean, on the same parts

Everything here receives what it needs (a :class:`~.session.SearchSession`
and a request) and reaches the engine only through :mod:`newssearch.engine`.
"""

from __future__ import annotations

from .request import ENGINES, FACET_FIELDS, MAX_LIMIT, SORTS, FilterOptions, Filters, SearchOptions, SearchRequest

__all__ = ["ENGINES", "FACET_FIELDS", "MAX_LIMIT", "SORTS", "FilterOptions", "Filters", "SearchOptions", "SearchRequest"]
