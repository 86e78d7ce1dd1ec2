"""The query tree: Whoosh's node classes, and the helpers newssearch builds and walks it with.

newssearch represents a parsed query as Whoosh's own tree (it is what the
parser produces and what Whoosh's matchers run), but the rest of the package
names the node classes through this module, so the engine stays behind one
door. Two fixes to Whoosh live here too: :class:`NewsAndNot` (Whoosh's
AND NOT lets its first excluded document through) and :func:`map_children`
(Whoosh's ``Query.apply`` drops an OR's coordination bonus).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from whoosh.matching import AndNotMatcher
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Not,
    NullQuery,
    NumericRange,
    Or,
    Prefix,
    Query,
    Term,
    Wildcard,
)
from whoosh.util.times import datetime_to_long, long_to_datetime

__all__ = [
    "And",
    "AndMaybe",
    "AndNot",
    "DateRange",
    "Every",
    "NewsAndNot",
    "Not",
    "NullQuery",
    "NumericRange",
    "Or",
    "Prefix",
    "Query",
    "Term",
    "Wildcard",
    "from_long",
    "is_null",
    "like",
    "map_children",
    "to_long",
    "use_fixed_andnot",
]


def to_long(when: datetime) -> int:
    """A time as the integer the ``published`` column stores (UTC microseconds)."""
    return int(datetime_to_long(when.astimezone(timezone.utc).replace(tzinfo=None)))


def from_long(value: int) -> datetime:
    """The UTC time a ``published`` column value stands for."""
    return long_to_datetime(int(value)).replace(tzinfo=timezone.utc)  # type: ignore[no-any-return]


def is_null(q: Query) -> bool:
    """Whether ``q`` is Whoosh's empty query (what the parser makes of nothing usable)."""
    return q is NullQuery or isinstance(q, type(NullQuery))


class _FixedAndNotMatcher(AndNotMatcher):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's AndNotMatcher with its first-document check fixed.

    Whoosh (2.7.4 and whoosh3 3.54.0) only looks for the first excluded
    document when both lists start on the same id; when the excluded list
    starts earlier, the first positive document is returned even if it is
    excluded ("grain NOT talks" returned an article containing "talks").
    """

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class NewsAndNot(AndNot):  # type: ignore[misc]  # Whoosh is untyped
    """``a ANDNOT b`` matched with the fixed matcher."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """Whoosh's matcher for this clause, with the first-document check fixed."""
        positive = self.a.matcher(searcher, context)
        negative = self.b.matcher(searcher, searcher.boolean_context())
        return _FixedAndNotMatcher(positive, negative)


def use_fixed_andnot(q: Query) -> Query:
    """Swap every AndNot in a query tree for :class:`NewsAndNot`."""
    if isinstance(q, AndNot) and not isinstance(q, NewsAndNot):
        return NewsAndNot(use_fixed_andnot(q.a), use_fixed_andnot(q.b))
    return map_children(q, use_fixed_andnot)


def map_children(q: Query, fn: Callable[[Query], Query]) -> Query:
    """``q`` with ``fn`` applied to its children. Not Query.apply(): for an
    Or it drops ``scale``, the coordination bonus that ranks articles
    matching more of the query's words higher."""
    if q.is_leaf():
        return q
    if isinstance(q, Or):
        return like(q, [fn(sub) for sub in q.subqueries])
    return q.apply(fn)


def like(q: Or, children: list[Query]) -> Query:
    """A copy of an Or query (keeping its coordination bonus) over new children."""
    clone = copy.copy(q)
    clone.subqueries = children
    return clone
