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
    MultiTerm,
    Not,
    NullQuery,
    NumericRange,
    Or,
    Phrase,
    Prefix,
    Query,
    SpanNear2,
    Term,
    Wildcard,
)
from whoosh import matching
from whoosh.util.times import datetime_to_long, long_to_datetime

__all__ = [
    "And",
    "AndMaybe",
    "AndNot",
    "DateRange",
    "Every",
    "GapPhrase",
    "MultiTerm",
    "NewsAndNot",
    "published_by",
    "StemmedPrefix",
    "Not",
    "NullQuery",
    "NumericRange",
    "Or",
    "Phrase",
    "Prefix",
    "Query",
    "Term",
    "Wildcard",
    "added_after",
    "added_since",
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


def added_since(seq: int) -> Query:
    """The filter for articles added by commits after ingest sequence
    ``seq`` (see :mod:`newssearch.engine.schema`)."""
    return NumericRange("seq", seq, None, startexcl=True)


def published_by(cutoff: datetime) -> Query:
    """The filter for articles not published after ``cutoff``: undated ones
    stay, as nothing says they came later (a request's explicit ``now``).
    Whoosh's AND NOT lets its first excluded document through, so this is
    :class:`NewsAndNot`."""
    return NewsAndNot(Every(), DateRange("published", cutoff, datetime(9999, 12, 31, tzinfo=timezone.utc), startexcl=True))


def added_after(restrict: Query | None) -> int | None:
    """The ingest sequence a filter requires every match to be added after (the
    latest, when it names several), or None: segments holding nothing that
    new can be skipped without evaluating the query in them."""
    if restrict is None:
        return None
    parts = restrict.subqueries if isinstance(restrict, And) else [restrict]
    found: int | None = None
    for part in parts:
        if isinstance(part, NumericRange) and part.fieldname == "seq" and part.start is not None:
            seq = int(part.start) if part.startexcl else int(part.start) - 1
            found = seq if found is None else max(found, seq)
    return found


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


class GapPhrase(Phrase):  # type: ignore[misc]  # Whoosh is untyped
    """A phrase whose words stand where the query put them, stop words counted.

    The index drops stop words but keeps their positions, so in "Bank of
    England" the stored "england" is two positions after "bank". Whoosh's
    Phrase wants the remaining words side by side, so ``"Bank of England"``
    found nothing and ``"run on the bank"`` found "has run Bank of America".
    ``offsets[i]`` is where ``words[i]`` stands counted from the first word
    (``[0, 2]`` for "bank of england"): an exact phrase needs those distances;
    ``slop`` > 1 lets each pair of words stand up to ``slop - 1`` positions
    further apart (in order), as in Whoosh. Scores are Whoosh's: the sum of
    the words' BM25F scores.
    """

    def __init__(
        self, fieldname: str, words: list[str], offsets: list[int], slop: int = 1, boost: float = 1.0, char_ranges: Any = None
    ) -> None:
        super().__init__(fieldname, list(words), slop=slop, boost=boost, char_ranges=char_ranges)
        self.offsets = list(offsets)

    def gaps(self) -> list[int]:
        """The distance from each word to the next."""
        return [b - a for a, b in zip(self.offsets, self.offsets[1:])]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.offsets == getattr(other, "offsets", None)

    def __hash__(self) -> int:
        return int(super().__hash__()) ^ hash(tuple(self.offsets))

    def __repr__(self) -> str:
        return f"GapPhrase({self.fieldname!r}, {self.words!r}, offsets={self.offsets}, slop={self.slop}, boost={self.boost:g})"

    def normalize(self) -> Query:
        """One word is a Term; otherwise the phrase as it is."""
        if not self.words:
            return NullQuery
        if len(self.words) == 1:
            return Term(self.fieldname, self.words[0], boost=self.boost)
        return self

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        """Whoosh's span matchers, chained word by word with each pair's distance."""
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        terms = []
        for word in self.words:
            if (self.fieldname, field.to_bytes(word)) not in reader:
                return matching.NullMatcher()
            terms.append(Term(self.fieldname, word))
        q: Query = terms[0]
        for term, gap in zip(terms[1:], self.gaps()):
            lo, hi = (gap, gap) if self.slop <= 1 else (1, gap + self.slop - 1)
            q = SpanNear2([q, term], slop=hi, ordered=True, mindist=lo)
        m = q.matcher(searcher, context)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class StemmedPrefix(Prefix):  # type: ignore[misc]  # Whoosh is untyped
    """A prefix that also matches given shorter stems of what was typed.

    The index holds stems ("negoti"), so the typed ``negotiat*`` matches
    nothing by itself; :func:`newssearch.engine.parsing.expand_stemmed_prefixes`
    adds the stems of the words meant. One query clause, as typed: its
    expansions are the prefix's terms and those stems.
    """

    def __init__(self, fieldname: str, text: str, stems: list[str], boost: float = 1.0) -> None:
        super().__init__(fieldname, text, boost=boost)
        self.stems = list(stems)

    def _btexts(self, ixreader: Any) -> Any:
        seen = set()
        for btext in super()._btexts(ixreader):
            seen.add(btext)
            yield btext
        for stem in self.stems:
            btext = stem.encode("utf-8")
            if btext not in seen and (self.fieldname, btext) in ixreader:
                yield btext

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.stems == getattr(other, "stems", None)

    def __hash__(self) -> int:
        return int(super().__hash__()) ^ hash(tuple(self.stems))

    def __repr__(self) -> str:
        return f"StemmedPrefix({self.fieldname!r}, {self.text!r}, stems={self.stems})"


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
