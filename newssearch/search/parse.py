"""Deprecated: renamed :mod:`newssearch.search.compile` (query text and
filters compiled to a query tree and a filter; :mod:`newssearch.engine.parsing`
is the engine's parser). ``ParsedSearch`` is now ``CompiledSearch`` and
``parse_request`` ``compile_request``. Each name still imports from here for
one release, with a ``DeprecationWarning``.
"""

from __future__ import annotations

from ..deprecation import moved_names

__all__ = ["MAX_QUERY_WORDS", "ParsedSearch", "build_filter", "parse_query", "parse_request"]

__getattr__ = moved_names(
    __name__,
    {
        "MAX_QUERY_WORDS": "newssearch.search.compile:MAX_QUERY_WORDS",
        "ParsedSearch": "newssearch.search.compile:CompiledSearch",
        "build_filter": "newssearch.search.compile:build_filter",
        "parse_query": "newssearch.search.compile:parse_query",
        "parse_request": "newssearch.search.compile:compile_request",
    },
)
