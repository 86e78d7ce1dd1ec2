"""A search request to a query tree and a filter.

Query text goes through newssearch's date handling first (top-level date
clauses such as ``minsk since:yesterday`` become part of the filter; the
others are rewritten to explicit UTC ranges, see :mod:`newssearch.timeexpr`),
then through the engine's parser; the request's filters become one filter
query. Prefixes are expanded against the snapshot, so ``negotiat*`` finds
the stems of the words meant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..engine.parsing import QueryParser, expand_stemmed_prefixes
from ..engine.query import And, DateRange, Or, Query, Term
from ..engine.reading import Snapshot
from ..engine.schema import keyword_term
from ..errors import NewsSearchError, QuerySyntaxError
from ..timeexpr import has_date_clause, rewrite_query, split_date_filters
from .request import Filters, SearchRequest

__all__ = ["MAX_QUERY_WORDS", "ParsedSearch", "build_filter", "parse_query", "parse_request"]

#: The longest query taken, in words. Whoosh's matchers evaluate phrases
#: and other shapes the ranker does not, and their cost grows with the
#: query: a 5,000-word pasted text took 20-30 s; at this limit the worst
#: case measured (50 quoted phrases) takes about 0.5 s on 14,384 articles.
MAX_QUERY_WORDS = 100


@dataclass(frozen=True)
class ParsedSearch:
    """What a request asks for: the query tree and the filter (None: none)."""

    query: Query
    restrict: Query | None


def parse_request(request: SearchRequest, parser: QueryParser, snapshot: Snapshot) -> ParsedSearch:
    """Parse the request's query text and build its filter.

    Raises :class:`QuerySyntaxError` for text the parser cannot read and for
    a date in it that cannot be read.
    """
    q, ranges = parse_query(request.query, parser, now=request.now, tz=request.tz)
    return ParsedSearch(expand_stemmed_prefixes(q, snapshot), build_filter(request.filters, ranges))


def parse_query(
    text: str, parser: QueryParser, *, now: datetime, tz: tzinfo
) -> tuple[Query, list[tuple[datetime, datetime]]]:
    """Query text to a query tree, and the date ranges of its top-level date
    clauses (which filter rather than match); dates are read in ``tz`` and
    relative ones resolved against ``now``. Raises :class:`QuerySyntaxError`
    for a query of more than :data:`MAX_QUERY_WORDS` words."""
    words = len(text.split())
    if words > MAX_QUERY_WORDS:
        raise QuerySyntaxError(text, f"the query has {words:,} words; the limit is {MAX_QUERY_WORDS}")
    if not has_date_clause(text):
        return parser.parse(text), []
    try:
        rest, ranges = split_date_filters(text, now, tz)
    except NewsSearchError as exc:
        raise QuerySyntaxError(text, str(exc)) from None
    try:
        rewritten = rewrite_query(rest, now, tz)
    except NewsSearchError as exc:
        raise QuerySyntaxError(rest, str(exc)) from None
    return parser.parse(rewritten), ranges


def build_filter(filters: Filters, ranges: Sequence[tuple[datetime, datetime]] = ()) -> Query | None:
    """One filter query for the request's filters and the date ranges taken
    out of its query text; several values of one kind are OR'ed."""
    parts: list[Query] = []
    span = filters.date_span
    if span is not None:
        parts.append(DateRange("published", *span))
    for lo, hi in ranges:
        parts.append(DateRange("published", lo, hi))
    for fieldname, values in (("source", filters.sources), ("section", filters.sections), ("agencies", filters.agencies)):
        terms = [Term(fieldname, keyword_term(v)) for v in values]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else Or(terms))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
