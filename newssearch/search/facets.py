"""Facets: how many of all the matches carry each value of a keyword field."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .session import SearchSession

__all__ = ["facet_counts"]


def facet_counts(session: SearchSession, ids: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts per value over the documents ``ids``, most frequent first,
    keyed by each value's stored spelling."""
    out: dict[str, dict[str, int]] = {}
    for name in names:
        counts = session.ranker.facet_counts(ids, name)
        out[name] = {session.display_name(name, term): n for term, n in counts.items()}
    return out
