"""Deprecated: renamed :mod:`newssearch.search.results` (one page of hits for
a request). Each name still imports from here for one release, with a
``DeprecationWarning``.
"""

from __future__ import annotations

from ..deprecation import moved_names

__all__ = ["Matches", "find_matches", "run_search"]

__getattr__ = moved_names(
    __name__,
    {
        "Matches": "newssearch.search.results:Matches",
        "find_matches": "newssearch.search.results:find_matches",
        "run_search": "newssearch.search.results:run_search",
    },
)
