"""Clauses of query text that filter rather than match.

``minsk published:yesterday`` means Minsk stories from yesterday and ``oil
agency:xinhua`` oil stories credited to Xinhua: what ``--since`` and
``--agency`` do. Read the way Whoosh reads them, with OR as the default
group, they would mean "minsk, or anything from yesterday" and "oil, or
anything from Xinhua" (1,547 results on Reuters 2006-07 where the option
gives 2). So a clause on a date or on an exact field (outlet, agency,
section, author, the URL's host, words of the URL) that stands at the top
level of the query is taken out of the text and becomes part of the filter.
Next to OR, after NOT or a ``-``/``+``, or inside parentheses, it stays an
ordinary clause of the query.

Several clauses on one field mean any of their values (as repeating an
option does); clauses on different fields must all hold. A ``field:`` the
index does not have is searched as words, with a warning naming the fields
that exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..engine.query import And, Or, Query, Term
from ..engine.schema import keyword_term, url_words
from ..errors import ConfigError, NewsSearchError, QuerySyntaxError
from ..languages import language_family, parse_language
from ..timeexpr import DATE_FIELDS, clause_range

__all__ = ["FILTER_FIELDS", "KNOWN_FIELDS", "Clauses", "split_clauses"]

#: Field names (and the aliases people type) whose top-level clauses filter,
#: with the indexed field each stands for.
FILTER_FIELDS: dict[str, str] = {
    "source": "source", "outlet": "source", "publisher": "source",
    "agency": "agencies", "agencies": "agencies", "wire": "agencies",
    "author": "authors", "authors": "authors", "by": "authors", "byline": "authors",
    "section": "section", "category": "section", "topic": "section", "desk": "section",
    "site": "host",
    "inurl": "urlwords",
    "lang": "language", "language": "language",
}
#: Every field name a query may use (to warn about the others).
KNOWN_FIELDS = frozenset(FILTER_FIELDS) | frozenset(DATE_FIELDS) | {
    "title", "headline", "intitle", "body", "text", "content", "id", "url", "language", "lang", "host", "urlwords",
}
_SHOWN_FIELDS = "title (headline, intitle), body (text), source (outlet), agency, author, section, site, inurl, lang (language), published (date, since, until)"
_CLAUSE = re.compile(
    r"(?<![\w:.])(?P<field>[A-Za-z_]+):(?P<op>>=|<=|>|<)?"
    r"(?P<value>\[[^\]]*\]|\{[^}]*\}|\"[^\"]*\"|'[^']*'|[^\s()]+)"
)


@dataclass(frozen=True)
class Clauses:
    """Query text with its filter clauses taken out.

    ``text`` is what is left to parse; ``ranges`` the date ranges (UTC,
    inclusive); ``filters`` the exact-field clauses, by indexed field (any
    one of a field's queries may hold); ``warnings`` one line per clause on a
    field the index does not have.
    """

    text: str
    ranges: list[tuple[datetime, datetime]] = field(default_factory=list)
    filters: dict[str, list[Query]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def split_clauses(text: str, now: datetime | None, tz: tzinfo) -> Clauses:
    """Take the top-level date and exact-field clauses out of ``text``.

    Raises :class:`QuerySyntaxError` for a date clause that cannot be read.
    """
    found = Clauses(text)
    out: list[str] = []
    pos = 0
    for m in _CLAUSE.finditer(text):
        name = m.group("field").lower()
        value = m.group("value")
        if name not in KNOWN_FIELDS:
            if not value.startswith("//"):  # not a URL's scheme (http://...)
                found.warnings.append(f"unknown field {m.group('field')!r} in {m.group(0)!r}, searched as words (fields: {_SHOWN_FIELDS})")
            continue
        if not _top_level(text, m):
            continue
        if name in DATE_FIELDS:
            try:
                found.ranges.append(clause_range(m.group(0), now, tz))
            except NewsSearchError as exc:
                raise QuerySyntaxError(text, str(exc)) from None
        elif name in FILTER_FIELDS and not m.group("op"):
            indexed = FILTER_FIELDS[name]
            try:
                q = _clause_query(indexed, value.strip("\"'"))
            except ConfigError as exc:  # lang:xx names no language: the query cannot be read
                raise QuerySyntaxError(text, f"{name}: {exc}") from None
            if q is None:
                continue
            found.filters.setdefault(indexed, []).append(q)
        else:
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
    out.append(text[pos:])
    rest = re.sub(r"\s+", " ", "".join(out)).strip()
    rest = re.sub(r"^(?:AND\s+)+|(?:\s+AND)+$", "", rest).strip()
    return Clauses(rest, found.ranges, found.filters, found.warnings)


def _top_level(text: str, m: re.Match[str]) -> bool:
    """Whether a clause stands on its own at the top of the query: not in
    parentheses, not next to OR or after NOT, not marked ``-`` or ``+``."""
    before = text[: m.start()]
    if before.count("(") - before.count(")"):
        return False
    previous = before.split()[-1].upper() if before.split() else ""
    after = text[m.end() :].split()
    following = after[0].upper() if after else ""
    return not (
        previous in ("NOT", "OR", "ANDNOT", "ANDMAYBE")
        or following in ("OR", "ANDMAYBE")
        or before.rstrip().endswith(("-", "+"))
    )


def _clause_query(indexed: str, value: str) -> Query | None:
    """The filter one clause stands for (None when its value is empty)."""
    if indexed == "host":
        host = _host(value)
        return Term("host", host) if host else None
    if indexed == "urlwords":
        words = url_words(value)
        if not words:
            return None
        return Term("urlwords", words[0]) if len(words) == 1 else And([Term("urlwords", w) for w in words])
    if indexed == "language":  # an exact code and the codes read as the same language (hr, bs, sr)
        codes = language_family(parse_language(value)) if value.strip() else ()
        if not codes:
            return None
        return Term("language", codes[0]) if len(codes) == 1 else Or([Term("language", c) for c in codes])
    term = keyword_term(value)
    return Term(indexed, term) if term else None


def _host(value: str) -> str:
    """``https://www.Reuters.com:443/world`` -> ``www.reuters.com``."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip().lower())
    return host.split("/", 1)[0].split(":", 1)[0].strip(".")
