"""A search request compiled to a query tree and a filter.

Query text first loses its top-level filter clauses (dates, outlets,
agencies, sections, authors, ``site:``, ``inurl:``; see :mod:`.clauses`),
which join the request's own filters; date clauses left inside the query are
rewritten to explicit UTC ranges (:mod:`newssearch.timeexpr`); then the
engine's parser (:mod:`newssearch.engine.parsing`) reads the rest. Prefixes
are expanded against the snapshot, so ``negotiat*`` finds the stems of the
words meant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..engine.parsing import QueryParser, check_text, expand_stemmed_prefixes
from ..engine.query import And, DateRange, MultiTerm, Or, Query, Term, published_by
from ..engine.reading import Snapshot
from ..engine.schema import keyword_term
from ..errors import NewsSearchError, QuerySyntaxError
from ..langanalysis import language_group
from ..languages import language_family
from ..timeexpr import has_date_clause, rewrite_query
from .clauses import Clauses, split_clauses
from .request import Filters, SearchRequest
from .syntax import read_text

__all__ = ["MAX_EXPANSIONS", "MAX_QUERY_WORDS", "CompiledSearch", "bound_expansions", "build_filter", "compile_request", "parse_query"]

#: The longest query taken, in words. Whoosh's matchers evaluate phrases
#: and other shapes the ranker does not, and their cost grows with the
#: query: a 5,000-word pasted text took 20-30 s; at this limit the worst
#: case measured (50 quoted phrases) takes about 0.5 s on 14,384 articles.
MAX_QUERY_WORDS = 100
#: The most index terms a query's wildcards, prefixes and term ranges may
#: stand for, together: Lucene's default limit on a query's clauses (and
#: Elasticsearch's ``indices.query.bool.max_clause_count`` before 8.0). Each
#: term is scored like a word of its own; ``*a*`` stood for 17,717 terms on
#: Reuters 2006-07 and took 3.5-6 s, at this limit a search takes well under
#: a second there.
MAX_EXPANSIONS = 1024


@dataclass(frozen=True)
class CompiledSearch:
    """What a request asks for: the query tree, the filter (None: none), and
    warnings about the query text (a field the index does not have)."""

    query: Query
    restrict: Query | None
    warnings: tuple[str, ...] = field(default=())


def compile_request(request: SearchRequest, parser: QueryParser, snapshot: Snapshot) -> CompiledSearch:
    """Parse the request's query text and build its filter.

    Raises :class:`QuerySyntaxError` for text the parser cannot read and for
    a date in it that cannot be read.
    """
    q, clauses = parse_query(
        request.query, parser, now=request.now, tz=request.tz, match=request.match,
        groups=snapshot.text_groups(), languages=request.filters.languages, names=request.names,
    )
    restrict = build_filter(request.filters, clauses.ranges, clauses.filters, cutoff=request.cutoff)
    q = expand_stemmed_prefixes(q, snapshot)
    bound_expansions(q, snapshot, request.query)
    return CompiledSearch(q, restrict, tuple(clauses.warnings))


def bound_expansions(q: Query, snapshot: Snapshot, text: str) -> None:
    """Refuse a query whose wildcards, prefixes and term ranges stand for
    more than :data:`MAX_EXPANSIONS` index terms together, naming the one
    that passed the limit, before any of them is scored."""
    terms: set[object] = set()
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        if not isinstance(leaf, MultiTerm):
            continue
        terms.update(t for _f, t in snapshot.expand(leaf, limit=MAX_EXPANSIONS))
        if len(terms) > MAX_EXPANSIONS:
            typed = _typed(leaf)
            where = text.lower().find(typed)
            raise QuerySyntaxError(
                text,
                f"{typed} stands for more than {MAX_EXPANSIONS:,} words of the index with the query's other wildcards "
                "(the most a query may); give more letters",
                where if where >= 0 else None,
            )


def _typed(leaf: Query) -> str:
    """How a user typed an expanding leaf, as near as the tree tells."""
    if isinstance(leaf, MultiTerm) and hasattr(leaf, "start") and hasattr(leaf, "end"):
        return f"[{leaf.start} TO {leaf.end}]"
    text = str(getattr(leaf, "text", ""))
    return text + "*" if type(leaf).__name__.endswith("Prefix") else text


def parse_query(
    text: str,
    parser: QueryParser,
    *,
    now: datetime,
    tz: tzinfo,
    match: str = "all",
    groups: tuple[str, ...] = (),
    languages: Sequence[str] = (),
    names: bool = True,
) -> tuple[Query, Clauses]:
    """Query text to a query tree, and the filter clauses taken out of it
    (see :mod:`.clauses`); dates are read in ``tz`` and relative ones
    resolved against ``now``; plain words join as ``match`` says; the words
    are analysed for English and for the language ``groups`` (those the
    index holds), narrowed to the ``languages`` asked for by the request or
    a ``lang:`` clause (:func:`query_groups`), each word with its name key
    where ``names`` (:mod:`newssearch.namekeys`). Raises
    :class:`QuerySyntaxError` for a query of more than :data:`MAX_QUERY_WORDS`
    words and for text that cannot be read as typed (:mod:`.syntax`); how the
    rest was read (an unclosed quote closed at the end) is in the clauses'
    ``warnings``."""
    words = len(text.split())
    if words > MAX_QUERY_WORDS:
        raise QuerySyntaxError(text, f"the query has {words:,} words; the limit is {MAX_QUERY_WORDS}")
    check_text(text)  # before the clauses take values out of it
    read = read_text(text)  # an unclosed quote, an operator joining nothing: said, or refused
    clauses = split_clauses(read.text, now, tz)
    clauses = dataclasses.replace(clauses, warnings=[*read.warnings, *clauses.warnings])
    rest = clauses.text
    if has_date_clause(rest):
        try:
            rest = rewrite_query(rest, now, tz)
        except NewsSearchError as exc:
            raise QuerySyntaxError(clauses.text, str(exc)) from None
    asked = [*languages, *(str(getattr(c, "text", "")) for c in clauses.filters.get("language", ()))]
    return parser.parse(rest, match, query_groups(groups, asked), names), clauses


def query_groups(groups: tuple[str, ...], languages: Sequence[str]) -> tuple[str, ...]:
    """The language groups a query is analysed for: those of the index
    (``groups``), or, when the search is filtered by language, those of the
    filter's languages among them (the English fields are always asked:
    they hold English, articles of no known language and those an index
    wrote before languages had fields of their own)."""
    if not languages:
        return groups
    wanted = {language_group(c) for code in languages for c in language_family(code)}
    return tuple(g for g in groups if g in wanted)


def build_filter(
    filters: Filters,
    ranges: Sequence[tuple[datetime, datetime]] = (),
    clauses: Mapping[str, Sequence[Query]] | None = None,
    *,
    cutoff: datetime | None = None,
) -> Query | None:
    """One filter query for the request's filters, the date ranges taken out
    of its query text and its exact-field clauses (by indexed field); the
    values of one kind are OR'ed, the kinds AND'ed. ``cutoff`` (the
    request's explicit ``now``) leaves out every article published after
    it; undated articles stay, as nothing says they came later."""
    parts: list[Query] = []
    if cutoff is not None:
        parts.append(published_by(cutoff))
    span = filters.date_span
    if span is not None:
        parts.append(DateRange("published", *span))
    for lo, hi in ranges:
        parts.append(DateRange("published", lo, hi))
    for fieldname, values in (("source", filters.sources), ("section", filters.sections), ("agencies", filters.agencies)):
        terms = [Term(fieldname, keyword_term(v)) for v in values]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else Or(terms))
    codes = [c for code in filters.languages for c in language_family(code)]
    if codes:  # the codes are exact (ID field), not keywords: no lowercasing or comma splitting
        parts.append(Term("language", codes[0]) if len(codes) == 1 else Or([Term("language", c) for c in codes]))
    for queries in (clauses or {}).values():
        parts.append(queries[0] if len(queries) == 1 else Or(list(queries)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
