"""Facets: how many of all the matches carry each value of a keyword field.

Counted over every match, not one page: each segment's matches against the
field's values and posting lists, read once per snapshot into a
:class:`~.keywords.KeywordTable` (kept by the session).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .session import SearchSession

__all__ = ["facet_counts", "keyword_counts"]


def facet_counts(session: SearchSession, ids: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts per value over the documents ``ids``, most frequent first,
    keyed by each value's stored spelling."""
    out: dict[str, dict[str, int]] = {}
    for name in names:
        counts = keyword_counts(session, ids, name)
        out[name] = {session.display_name(name, term): n for term, n in counts.items()}
    return out


def keyword_counts(session: SearchSession, ids: np.ndarray, fieldname: str) -> dict[str, int]:
    """How many of ``ids`` carry each value of a keyword field (indexed,
    lowercased form), most frequent first."""
    counts: dict[str, int] = {}
    for seg in session.ranker.segments:
        lo, hi = seg.offset, seg.offset + seg.size
        local = np.sort(ids[(ids >= lo) & (ids < hi)] - lo)
        if not len(local):
            continue
        for text, n in session.keywords.table(seg, fieldname).counts(local):
            counts[text] = counts.get(text, 0) + n
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
