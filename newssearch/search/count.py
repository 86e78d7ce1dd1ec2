"""Deprecated: renamed :mod:`newssearch.search.totals` (exact hit counts).
Each name still imports from here for one release, with a ``DeprecationWarning``.
"""

from __future__ import annotations

from ..deprecation import moved_names

__all__ = ["count_matches", "matching_docs"]

__getattr__ = moved_names(
    __name__,
    {
        "count_matches": "newssearch.search.totals:count_matches",
        "matching_docs": "newssearch.search.totals:matching_docs",
    },
)
