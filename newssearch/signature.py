"""Story signatures: moved to :mod:`newssearch.write.signature`.

This path keeps working until newssearch 0.3, with a DeprecationWarning
(:mod:`newssearch.deprecation`).
"""

from __future__ import annotations

from .deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "BANDS": "newssearch.write.signature",
        "HASHES": "newssearch.write.signature",
        "ROWS": "newssearch.write.signature",
        "SAME_STORY": "newssearch.write.signature",
        "SHINGLE": "newssearch.write.signature",
        "Signature": "newssearch.write.signature",
        "band_keys": "newssearch.write.signature",
        "signature": "newssearch.write.signature",
    },
)
