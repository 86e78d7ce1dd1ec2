"""Per-document columns (publication time, story label, ingest sequence) for snapshot doc numbers.

Each segment keeps its columns as arrays indexed by its own doc numbers; a
search holds snapshot-wide numbers (a segment's offset plus its own), so
reading a column for matches spread over segments gathers from each.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..engine.reading import Segment

__all__ = ["read_column"]


def read_column(segments: Sequence[Segment], ids: np.ndarray, name: str) -> np.ndarray:
    """A numeric column's values (uint64) for snapshot doc numbers ``ids``."""
    out = np.empty(len(ids), dtype=np.uint64)
    for seg in segments:
        lo, hi = seg.offset, seg.offset + seg.size
        inside = (ids >= lo) & (ids < hi)
        if inside.any():
            out[inside] = seg.numeric_column(name)[ids[inside] - lo]
    return out
