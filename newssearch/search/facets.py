"""Facets: how many of all the matches carry each value of a keyword field.

Counted over every match, not one page: each value's posting list (decoded
once and kept by the ranker's :class:`~.postings.PostingCache`) is
intersected with the matches of its segment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .ranker import Ranker
from .session import SearchSession
from .words import term_text

__all__ = ["facet_counts", "keyword_counts"]


def facet_counts(session: SearchSession, ids: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts per value over the documents ``ids``, most frequent first,
    keyed by each value's stored spelling."""
    out: dict[str, dict[str, int]] = {}
    for name in names:
        counts = keyword_counts(session.ranker, ids, name)
        out[name] = {session.display_name(name, term): n for term, n in counts.items()}
    return out


def keyword_counts(ranker: Ranker, ids: np.ndarray, fieldname: str) -> dict[str, int]:
    """How many of ``ids`` carry each value of a keyword field (indexed,
    lowercased form), most frequent first."""
    counts: dict[str, int] = {}
    for seg in ranker.segments:
        lo, hi = seg.offset, seg.offset + seg.size
        local = np.sort(ids[(ids >= lo) & (ids < hi)] - lo)
        if not len(local):
            continue
        for term in seg.lexicon(fieldname):
            posting_ids, _ = ranker.postings.get(seg, fieldname, term)
            n = int(np.count_nonzero(np.isin(posting_ids, local, assume_unique=True)))
            if n:
                text = term_text(term)
                counts[text] = counts.get(text, 0) + n
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
