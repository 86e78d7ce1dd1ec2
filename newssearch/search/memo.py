"""A small least-recently-used table, for what one snapshot's searches can reuse.

Kept by a :class:`~.session.SearchSession`, so it lives exactly as long as
the snapshot whose numbers it remembers: a commit brings a new session and
with it an empty table (nothing to invalidate by hand, nothing stale to
serve). Bounded by a count of entries, since what most of it keeps is small
(a word's spelling options, a term's surface form) and its number, not its
size, is what a stream of distinct queries makes grow; what varies in size
by orders of magnitude (a query's match set: ten documents or every one)
is bounded by its weight too (``budget`` and ``weigh``: bytes).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Memo"]

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class Memo(Generic[_K, _V]):
    """Up to ``size`` computed values, the least recently used dropped first;
    with ``budget``, also no more than that total of ``weigh(value)`` (a
    value heavier than the whole budget is computed and not kept)."""

    def __init__(self, size: int, *, budget: int | None = None, weigh: Callable[[_V], int] | None = None) -> None:
        if size < 1:
            raise ValueError(f"a memo holds at least one entry, not {size}")
        if (budget is None) != (weigh is None):
            raise ValueError("a memo's budget needs a weigh function, and a weigh function a budget")
        self.size = size
        self.budget = budget
        self._weigh = weigh
        self._values: OrderedDict[_K, _V] = OrderedDict()
        self._weights: dict[_K, int] = {}
        #: the total weight of the values kept (0 without a budget)
        self.weight = 0

    def get(self, key: _K, compute: Callable[[_K], _V]) -> _V:
        """The value kept for ``key``, or ``compute(key)``, then kept."""
        try:
            value = self._values[key]
        except KeyError:
            value = compute(key)
            self._keep(key, value)
        else:
            self._values.move_to_end(key)
        return value

    def _keep(self, key: _K, value: _V) -> None:
        if self._weigh is not None:
            weight = self._weigh(value)
            if self.budget is not None and weight > self.budget:
                return
            self._weights[key] = weight
            self.weight += weight
        self._values[key] = value
        while len(self._values) > self.size or (self.budget is not None and self.weight > self.budget):
            gone, _value = self._values.popitem(last=False)
            self.weight -= self._weights.pop(gone, 0)

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every value."""
        self._values.clear()
        self._weights.clear()
        self.weight = 0
