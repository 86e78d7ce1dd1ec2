"""Writing a sharded index: moved to :mod:`newssearch.write.sharded`.

This path keeps working until newssearch 0.3, with a DeprecationWarning
(:mod:`newssearch.deprecation`).
"""

from __future__ import annotations

from .deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "ShardedWriter": "newssearch.write.sharded",
    },
)
