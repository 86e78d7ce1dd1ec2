"""Recency: relevance blended with an age decay, for ``sort="recency"``.

A story loses half its freshness bonus every half-life, down to a floor:
the share of relevance an old (or undated) story always keeps, so exact old
matches do not vanish and fresh irrelevant ones cannot take over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..engine.query import to_long

__all__ = ["Recency", "recency_factors"]

#: Microseconds in a day (Whoosh stores dates as microseconds).
DAY = 86_400e6


@dataclass(frozen=True)
class Recency:
    """Age decay blended into relevance: a story loses half its freshness
    bonus every ``half_life``; ``floor`` is the share of relevance an old
    (or undated) story always keeps, so exact old matches do not vanish and
    fresh irrelevant ones cannot take over."""

    now_long: float = 0.0
    half_life_days: float = 7.0
    floor: float = 0.3

    @classmethod
    def build(cls, now: datetime, half_life_days: float = 7.0, floor: float = 0.3) -> Recency:
        """The decay for a search made at ``now``."""
        return cls(float(to_long(now)), half_life_days, floor)

    def age_days(self, published: float) -> float:
        """How old an article published at ``published`` (Whoosh's long) is, in days."""
        return (self.now_long - published) / DAY


def recency_factors(published: np.ndarray, undated: np.ndarray, recency: Recency) -> np.ndarray:
    """``floor + (1 - floor) * 0.5 ** (age / half_life)`` per document, from
    the ``published`` and ``undated`` columns; undated articles get the floor,
    articles from the future 1."""
    age_days = (recency.now_long - published.astype(np.float64)) / DAY
    decay = np.power(0.5, np.maximum(age_days, 0.0) / recency.half_life_days)
    factors: np.ndarray = recency.floor + (1.0 - recency.floor) * decay
    factors[undated != 0] = recency.floor
    return factors
