"""A small least-recently-used table, for what one snapshot's searches can reuse.

Kept by a :class:`~.session.SearchSession`, so it lives exactly as long as
the snapshot whose numbers it remembers: a commit brings a new session and
with it an empty table (nothing to invalidate by hand, nothing stale to
serve). Bounded by a count of entries, since what it keeps is small (a word's
spelling options, a term's surface form) and its number, not its size, is
what a stream of distinct queries makes grow.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Memo"]

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class Memo(Generic[_K, _V]):
    """Up to ``size`` computed values, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a memo holds at least one entry, not {size}")
        self.size = size
        self._values: OrderedDict[_K, _V] = OrderedDict()

    def get(self, key: _K, compute: Callable[[_K], _V]) -> _V:
        """The value kept for ``key``, or ``compute(key)``, then kept."""
        try:
            value = self._values[key]
        except KeyError:
            value = self._values[key] = compute(key)
            if len(self._values) > self.size:
                self._values.popitem(last=False)
        else:
            self._values.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every value."""
        self._values.clear()
