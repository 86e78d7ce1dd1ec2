"""The search side: a request goes in, ranked and highlighted hits come out.

The modules, in the order a search runs through them:

* :mod:`.request`  :class:`SearchRequest`: the query and its options, checked once
* :mod:`.session`  what searches share while one snapshot of the index is open
* :mod:`.compile`  query text and filters to a query tree and a filter
  (:mod:`.clauses`: the filter clauses taken out of the text)
* :mod:`.ranker`   the query tree over whole posting lists with numpy, every
  match scored; one page picked: by score, by date, or blended with
  :mod:`.recency`. Its parts: :mod:`.bm25` (the model and its formulas),
  :mod:`.stats` (the collection statistics it scores with), :mod:`.words`
  (query words), :mod:`.matchsets` (per-segment matches and their set
  algebra), :mod:`.phrases`, :mod:`.postings` (decoded posting lists kept),
  :mod:`.columns` (per-document columns), :mod:`.order` (by score or by
  date, ties by article id)
* :mod:`.collapse` one result per story
* :mod:`.totals`   exact totals from posting-list sets
* :mod:`.facets`   counts per keyword value over all matches
* :mod:`.snippets` fragments with the matched words located
* :mod:`.explain`  how each score was built
* :mod:`.results`  all of the above for one page of results
* :mod:`.percolate` which of the articles added after a ``seq`` match a
  request, with snippets: what saved searches' alerts are made of
* :mod:`.timeline`, :mod:`.similar`, :mod:`.spelling`: coverage over time,
  related stories and did-you-mean, on the same parts

Everything here receives what it needs (a :class:`~.session.SearchSession`
and a request) and reaches the engine only through :mod:`newssearch.engine`.
:mod:`.rank`, :mod:`.parse`, :mod:`.count` and :mod:`.run` are the old
paths, kept for one release (:mod:`.moved`).
"""

from __future__ import annotations

from .request import ENGINES, FACET_FIELDS, MAX_LIMIT, SORTS, FilterOptions, Filters, SearchOptions, SearchRequest

__all__ = ["ENGINES", "FACET_FIELDS", "MAX_LIMIT", "SORTS", "FilterOptions", "Filters", "SearchOptions", "SearchRequest"]
