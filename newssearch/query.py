"""Query text and filters -> a Whoosh query.

The language is Whoosh's (AND/OR/NOT, "phrases", field:term, wildcards,
ranges such as ``published:[2022-01-01 TO 2022-02-01]``) with one change
that matters for news: plain words are OR'ed with a coordination bonus
(``OrGroup.factory(0.9)``) instead of AND'ed. People type natural language;
requiring every word loses most relevant stories (on the TIME collection 64
of 83 queries return nothing and MAP falls from ~0.70 to ~0.06), while the
bonus still ranks articles that match more of the words higher.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Sequence

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.matching import AndNotMatcher
from whoosh.qparser import FieldAliasPlugin, GtLtPlugin, MultifieldParser, OrGroup, PlusMinusPlugin, syntax
from whoosh.qparser.dateparse import DateParserPlugin

from .dates import UTC
from .timeexpr import resolve, rewrite_query, split_date_filters
from .engine.errors import QUERY_ERRORS
from .errors import NewsSearchError, QuerySyntaxError
from .schema import TEXT_FIELDS

__all__ = [
    "FIELD_ALIASES",
    "NewsAndNot",
    "QueryBuilder",
    "build_filter",
    "expand_stemmed_prefixes",
    "split_date_filters",
    "use_fixed_andnot",
]

#: Friendlier names users type for our fields.
FIELD_ALIASES: dict[str, list[str]] = {
    "published": ["date", "time", "when"],
    "source": ["outlet", "site", "publisher"],
    "agencies": ["agency", "wire"],
    "authors": ["author", "by", "byline"],
    "section": ["category", "topic", "desk"],
    "title": ["headline"],
    "body": ["text", "content"],
}
#: How much matching more of the query's words is worth (Whoosh's coord factor).
OR_BONUS = 0.9
_MATCH_ALL = {"", "*", "*:*"}
_MAY_HAVE_DATES = __import__("re").compile(r"(?i)\b(?:published|date|time|when|since|until):")


class _PlusMinus(PlusMinusPlugin):
    """Whoosh's +/- plugin, keeping the coordination bonus.

    Whoosh's version regroups every query's words into a plain OrGroup,
    dropping the parser's OrGroup.factory(scale): with it installed, no
    query got the bonus for matching more of its words.
    """

    def do_plusminus(self, parser: Any, group: Any) -> Any:
        if not any(isinstance(node, (self.Plus, self.Minus)) for node in group):
            return group
        optional_class = type(group) if isinstance(group, syntax.OrGroup) else syntax.AndGroup
        required, optional, banned = syntax.AndGroup(), optional_class(), syntax.OrGroup()
        target = optional
        for node in group:
            if isinstance(node, self.Plus):
                target = required
            elif isinstance(node, self.Minus):
                target = banned
            else:
                target.append(node)
                target = optional
        result: Any = optional
        if required:
            result = syntax.AndMaybeGroup([required, result])
        if banned:
            result = syntax.AndNotGroup([result, banned])
        return result


class QueryBuilder:
    """Parses query text for one schema; build once, reuse for every query."""

    def __init__(self, schema: Schema, fields: Sequence[str] = TEXT_FIELDS) -> None:
        self.schema = schema
        self._errors: list[str] = []
        self._cache: dict[str, wq.Query] = {}
        parser = MultifieldParser(list(fields), schema, group=OrGroup.factory(OR_BONUS))
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        parser.add_plugin(GtLtPlugin())
        # +required -excluded, as in web search; only at the start of a word,
        # so "2022-01" in a date stays one value
        parser.add_plugin(_PlusMinus(plusexpr=r"(?<![^\s(])\+(?=[\w\"(])", minusexpr=r"(?<![^\s(])-(?=[\w\"(])"))
        # dates in queries arrive as explicit UTC ranges (timeexpr.rewrite_query);
        # the plugin only reports values it cannot read
        parser.add_plugin(DateParserPlugin(callback=self._errors.append))
        self._parser = parser

    def parse(self, text: str, *, now: datetime | None = None, tz: str | tzinfo | None = None) -> wq.Query:
        """Parse ``text``; raise :class:`QuerySyntaxError` when Whoosh cannot
        make sense of part of it (rather than silently dropping that part).

        Parsed queries are cached (Whoosh's parser costs about a millisecond,
        and people page through and re-run the same queries). Date clauses
        (``published:yesterday``, ``since:"last monday"``) are resolved
        against ``now`` in zone ``tz`` first, so relative dates never go stale.
        """
        if _MAY_HAVE_DATES.search(text):
            try:
                text = rewrite_query(text, now, tz)
            except NewsSearchError as exc:
                raise QuerySyntaxError(text, str(exc)) from None
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        q = self._parse(text)
        if len(self._cache) >= 512:
            self._cache.pop(next(iter(self._cache)))
        self._cache[text] = q
        return q

    def _parse(self, text: str) -> wq.Query:
        stripped = text.strip()
        if stripped in _MATCH_ALL:
            return wq.Every()
        del self._errors[:]
        try:
            q = self._parser.parse(stripped)
        except QUERY_ERRORS as exc:
            raise QuerySyntaxError(text, " ".join(str(exc).split()) or type(exc).__name__) from None
        if self._errors:
            raise QuerySyntaxError(text, f"cannot read {self._errors[0]!r} as a date")
        bad = _first_error(q)
        if bad is not None:
            raise QuerySyntaxError(text, bad)
        return use_fixed_andnot(_fix_negations(q))


def _fix_negations(q: wq.Query) -> wq.Query:
    """Make ``a b NOT c`` mean "a or b, and not c".

    With OR as the default group, Whoosh parses it as ``a OR b OR (NOT c)``,
    which matches every article without "c": the opposite of what anyone
    typing NOT wants. Negated clauses are lifted out of each OR group and
    subtracted from it instead.
    """
    if isinstance(q, wq.Or):
        negated = [_fix_negations(c.query) for c in q.subqueries if isinstance(c, wq.Not)]
        positive = [_fix_negations(c) for c in q.subqueries if not isinstance(c, wq.Not)]
        if not negated:
            return _like(q, positive)
        keep: wq.Query = wq.Every()
        if positive:
            keep = positive[0] if len(positive) == 1 else _like(q, positive)
        drop = negated[0] if len(negated) == 1 else wq.Or(negated)
        return wq.AndNot(keep, drop)
    if isinstance(q, wq.Not):
        return wq.AndNot(wq.Every(), _fix_negations(q.query))
    return _map_children(q, _fix_negations)


def expand_stemmed_prefixes(q: wq.Query, reader: Any) -> wq.Query:
    """Make ``negotiat*`` find "negotiators" in a stemmed index.

    The index holds stems ("negoti"), so a typed prefix longer than the stem
    finds nothing by itself. Each text-field prefix also matches the index
    terms that are a slightly shorter prefix of what was typed (up to three
    letters less, never under three): the stems of the words the user meant.
    """
    if isinstance(q, wq.Prefix) and q.fieldname in TEXT_FIELDS:
        typed = q.text
        stems = [
            wq.Term(q.fieldname, typed[:k], boost=q.boost)
            for k in range(max(3, len(typed) - 3), len(typed))
            if (q.fieldname, typed[:k]) in reader
        ]
        return wq.Or([q, *stems], boost=1.0) if stems else q
    return _map_children(q, lambda sub: expand_stemmed_prefixes(sub, reader))


class FixedAndNotMatcher(AndNotMatcher):
    """Whoosh's AndNotMatcher with its first-document check fixed.

    Whoosh (2.7.4 and whoosh3 3.54.0) only looks for the first excluded
    document when both lists start on the same id; when the excluded list
    starts earlier, the first positive document is returned even if it is
    excluded ("grain NOT talks" returned an article containing "talks").
    """

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class NewsAndNot(wq.AndNot):
    """``a ANDNOT b`` matched with :class:`FixedAndNotMatcher`."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        positive = self.a.matcher(searcher, context)
        negative = self.b.matcher(searcher, searcher.boolean_context())
        return FixedAndNotMatcher(positive, negative)


def use_fixed_andnot(q: wq.Query) -> wq.Query:
    """Swap every AndNot in a query tree for :class:`NewsAndNot`."""
    if isinstance(q, wq.AndNot) and not isinstance(q, NewsAndNot):
        return NewsAndNot(use_fixed_andnot(q.a), use_fixed_andnot(q.b))
    return _map_children(q, use_fixed_andnot)


def _map_children(q: wq.Query, fn: Any) -> wq.Query:
    """``q`` with ``fn`` applied to its children. Not Query.apply(): for an
    Or it drops ``scale``, the coordination bonus that ranks articles
    matching more of the query's words higher."""
    if q.is_leaf():
        return q
    if isinstance(q, wq.Or):
        return _like(q, [fn(sub) for sub in q.subqueries])
    return q.apply(fn)


def _like(q: wq.Or, children: list[wq.Query]) -> wq.Query:
    """A copy of an Or query (keeping its coordination bonus) over new children."""
    import copy

    clone = copy.copy(q)
    clone.subqueries = children
    return clone


def _first_error(q: wq.Query) -> str | None:
    for sub in q.leaves() if not q.is_leaf() else [q]:
        if isinstance(sub, wq.Term) and getattr(sub, "error", None):
            return str(sub.error)
        name = type(sub).__name__
        if name == "ErrorQuery" or hasattr(sub, "error") and getattr(sub, "error", None):
            return str(getattr(sub, "error", "malformed query"))
    return None


def _aware(value: datetime | None, tz: str | tzinfo | None) -> datetime | None:
    if value is None:
        return None
    from .dates import resolve_zone

    return (value if value.tzinfo else value.replace(tzinfo=resolve_zone(tz))).astimezone(UTC)


def build_filter(
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    source: str | Sequence[str] | None = None,
    section: str | Sequence[str] | None = None,
    agency: str | Sequence[str] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    ranges: Sequence[tuple[datetime, datetime]] = (),
) -> wq.Query | None:
    """The restriction the ``--since/--until/--source/...`` options ask for.

    Dates a user types are read in ``tz`` (UTC by default) and may be
    relative to ``now`` ("3 days ago", "last monday", see
    :mod:`newssearch.timeexpr`); ``--since`` takes the start of what it
    names and ``--until`` the end, so ``--until 2022-01-27`` includes that
    whole day. Several values of one option are OR'ed.
    """
    parts: list[wq.Query] = []
    start = resolve(since, now, tz).start if isinstance(since, str) else _aware(since, tz)
    end = resolve(until, now, tz).end if isinstance(until, str) else _aware(until, tz)
    if start and end and start > end:
        from .errors import ConfigError

        raise ConfigError(f"--since {since} is after --until {until}")
    if start or end:
        parts.append(wq.DateRange("published", start or datetime(1, 1, 1, tzinfo=UTC), end or datetime(9999, 12, 31, tzinfo=UTC)))
    for lo, hi in ranges:  # date clauses taken out of the query text
        parts.append(wq.DateRange("published", lo, hi))
    for field, value in (("source", source), ("section", section), ("agencies", agency)):
        if not value:
            continue
        values = [value] if isinstance(value, str) else list(value)
        terms = [wq.Term(field, v.strip().lower().replace(",", " ")) for v in values if v.strip()]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
