"""Add articles to an index: moved to :mod:`newssearch.write.articles` and :mod:`newssearch.write.transaction`.

This path keeps working until newssearch 0.3, with a DeprecationWarning
(:mod:`newssearch.deprecation`).
"""

from __future__ import annotations

from .deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "ArticleWriter": "newssearch.write.articles",
        "IndexReport": "newssearch.write.transaction",
        "Transaction": "newssearch.write.transaction",
    },
)
