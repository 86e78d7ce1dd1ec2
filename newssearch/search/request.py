"""One search request: the query text and everything that shapes its answer, checked once.

Every way into a search builds a :class:`SearchRequest`: the CLI from its
options, the library from keywords (``ix.search("minsk", since="last
week")``) or from a request a caller built and keeps (a saved search, one
query fanned out to several shards). It is frozen and validated when it is
made: zones are resolved, dates read and relative ones resolved against
``now``, sort and limits checked, so everything downstream (search,
facets, timeline, related stories) receives values that are already right.

``now`` given explicitly is the clock of the whole request
(:attr:`SearchRequest.hide_future`): nothing published after it matches,
so a replay of the archive "as of" a day counts what was known that day.
Left to the real clock it hides nothing: an archive's articles dated ahead
of the clock (a wrong zone, an embargo; indexing refuses dates more than a
day ahead) would otherwise vanish from every search until their date came,
while ``show`` and ``get`` still found them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from ..budget import DEFAULT_TIMEOUT
from ..dates import format_datetime, parse_user_date, resolve_zone
from ..engine.parsing import MATCH_MODES
from ..engine.schema import KEYWORD_FIELDS
from ..errors import ConfigError
from ..languages import parse_language
from ..paths import shown_text
from ..timeexpr import parse_duration, resolve

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "ENGINES",
    "FACET_FIELDS",
    "MATCH_MODES",
    "MAX_LIMIT",
    "SORTS",
    "FilterOptions",
    "Filters",
    "SearchOptions",
    "SearchRequest",
]

UTC = timezone.utc
#: ``relevance`` (BM25F), ``date`` (newest first), ``oldest``, ``recency`` (relevance x freshness).
SORTS = ("relevance", "date", "oldest", "recency")
#: The keyword fields results can be counted by, and the language (ISO 639-1 codes).
FACET_FIELDS = (*KEYWORD_FIELDS, "language")
#: ``auto``: the numpy ranker where it applies; ``whoosh``: Whoosh's own matchers.
ENGINES = ("auto", "whoosh")
#: The largest page a request may ask for (a larger one is refused, never
#: cut short in silence: every match is what :meth:`NewsIndex.export
#: <newssearch.index.NewsIndex.export>` streams).
MAX_LIMIT = 10_000
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)
_T = TypeVar("_T")


class FilterOptions(TypedDict, total=False):
    """Which articles may match, as keywords (see :meth:`SearchRequest.build`)."""

    since: str | datetime | None
    until: str | datetime | None
    source: str | Sequence[str] | None
    section: str | Sequence[str] | None
    agency: str | Sequence[str] | None
    lang: str | Sequence[str] | None
    tz: str | tzinfo | None
    now: str | datetime | None


class SearchOptions(FilterOptions, total=False):
    """Every search option, as keywords (see :meth:`SearchRequest.build`)."""

    sort: str | None
    limit: int
    offset: int
    page: int | None
    half_life: str | timedelta
    facets: Sequence[str]
    explain: bool
    snippets: bool
    snippet_chars: int
    engine: str
    all_copies: bool
    timeout: float | None
    match: str
    names: bool


@dataclass(frozen=True)
class Filters:
    """The restriction on which articles match, beside the query text.

    ``since``/``until`` are UTC instants, both inclusive; ``sources``,
    ``sections`` and ``agencies`` are exact values (any one of each kind
    matches; case does not matter); ``languages`` ISO 639-1 codes (``en``,
    ``bg``; ``en-GB`` and ``eng`` read as ``en``; a value that names no
    language is a ConfigError).
    """

    since: datetime | None = None
    until: datetime | None = None
    sources: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ConfigError(f"Filters.{name} must be timezone-aware", option=name)
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}", option="since")
        for name, option in (("sources", "source"), ("sections", "section"), ("agencies", "agency")):
            values = tuple(v.strip() for v in getattr(self, name) if v and v.strip())
            for value in values:
                if shown_text(value) != value:  # undecodable bytes from the command line: no stored value can match
                    raise ConfigError(f"--{option} '{shown_text(value)}' is not UTF-8 text", option=option)
            object.__setattr__(self, name, values)
        codes = [parse_language(v) for item in self.languages for v in item.split(",") if v.strip()]
        object.__setattr__(self, "languages", tuple(dict.fromkeys(codes)))

    @classmethod
    def build(
        cls,
        *,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        source: str | Sequence[str] | None = None,
        section: str | Sequence[str] | None = None,
        agency: str | Sequence[str] | None = None,
        lang: str | Sequence[str] | None = None,
        tz: tzinfo = UTC,
        now: datetime | None = None,
    ) -> Filters:
        """Filters from what a user typed.

        ``since``/``until``: any date python-dateutil reads or a relative
        one ("3 days ago", "last monday", "2w"), read in ``tz`` against
        ``now``; ``since`` takes the start of what it names and ``until``
        the end, so ``until="2022-01-27"`` includes that whole day. A
        datetime without a zone is read in ``tz``. ``source``, ``section``,
        ``agency``: one value or several; ``lang``: one language code, several,
        or a comma list (``"en,de"``).
        """
        start = _option("since", lambda v: resolve(v, now, tz).start, since) if isinstance(since, str) else _in_zone(since, tz)
        end = _option("until", lambda v: resolve(v, now, tz).end, until) if isinstance(until, str) else _in_zone(until, tz)
        if start and end and start > end:
            raise ConfigError(f"--since {since} is after --until {until}", option="since")
        return cls(start, end, _values(source), _values(section), _values(agency), _values(lang))

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.sections or self.agencies or self.languages)

    @property
    def date_span(self) -> tuple[datetime, datetime] | None:
        """``(since, until)`` with open ends filled in, or None without a date filter."""
        if self.since is None and self.until is None:
            return None
        return self.since or _EARLIEST, self.until or _LATEST


@dataclass(frozen=True)
class SearchRequest:
    """A query and every option of one search, validated.

    Build it with :meth:`build` from what a user typed, or construct it
    from values already parsed (``tz`` a tzinfo, ``now`` and the filter
    dates timezone-aware, ``half_life`` a timedelta). ``query`` is
    newssearch's query language (see the README); an empty query or ``*``
    matches every article. ``limit`` is at most :data:`MAX_LIMIT`.
    """

    query: str = ""
    filters: Filters = field(default_factory=Filters)
    #: The zone dates in the query text are read in (and timelines count in).
    tz: tzinfo = UTC
    #: The name ``tz`` was given by, for display.
    tz_name: str = ""
    #: The time relative dates in the query text are resolved against.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: ``now`` is the clock: nothing published after it matches (set by
    #: :meth:`build` when ``now`` is given; undated articles still match).
    hide_future: bool = False
    #: None: relevance, or newest first when the query matches every article.
    sort: str | None = None
    limit: int = 10
    offset: int = 0
    half_life: timedelta = timedelta(days=7)
    facets: tuple[str, ...] = ()
    explain: bool = False
    snippets: bool = True
    snippet_chars: int = 240
    engine: str = "auto"
    #: Show every copy of a story instead of one hit per story.
    all_copies: bool = False
    #: Seconds the search may run before it is stopped with SearchTimedOut (None: no limit).
    timeout: float | None = DEFAULT_TIMEOUT
    #: How plain words join: ``all`` (each required) or ``any`` (see :data:`MATCH_MODES`).
    match: str = "all"
    #: A query word also asks for its name key in the fields of a language
    #: written in another script (:mod:`newssearch.namekeys`).
    names: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise ConfigError("SearchRequest.tz must be a tzinfo; SearchRequest.build() reads zone names", option="tz")
        if not self.tz_name:
            object.__setattr__(self, "tz_name", _zone_name(self.tz))
        if self.now.tzinfo is None:
            object.__setattr__(self, "now", self.now.replace(tzinfo=UTC))
        if self.hide_future and self.filters.since is not None and self.filters.since > self.now:
            raise ConfigError(
                f"--since {format_datetime(self.filters.since, self.tz)} is after --now {format_datetime(self.now, self.tz)}: "
                "nothing published by then can match",
                option="since",
            )
        if self.sort is not None and self.sort not in SORTS:
            raise ConfigError(f"unknown sort {self.sort!r} (choose from {', '.join(SORTS)})", option="sort")
        if self.limit < 0 or self.offset < 0:
            raise ConfigError("--limit and --offset must not be negative", option="limit" if self.limit < 0 else "offset")
        if self.limit > MAX_LIMIT:
            raise ConfigError(
                f"a page holds at most {MAX_LIMIT:,} results, not {self.limit:,}: page through them (offset, page),"
                " or export every match (NewsIndex.export, 'newssearch export')",
                option="limit",
            )
        object.__setattr__(self, "facets", tuple(self.facets))
        for name in self.facets:
            if name not in FACET_FIELDS:
                raise ConfigError(f"cannot facet on {name!r} (choose from {', '.join(FACET_FIELDS)})", option="facets")
        if self.half_life <= timedelta(0):
            raise ConfigError("the half-life must be positive", option="half_life")
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r} (choose from {', '.join(ENGINES)})", option="engine")
        if self.match not in MATCH_MODES:
            raise ConfigError(f"unknown match {self.match!r} (choose from {', '.join(MATCH_MODES)})", option="match")
        if self.timeout is not None and not self.timeout > 0:
            raise ConfigError("the timeout must be a positive number of seconds", option="timeout")

    @classmethod
    def build(cls, query: str = "", **options: Unpack[SearchOptions]) -> SearchRequest:
        """A request from a query and options as a user gives them.

        ``query``: newssearch's query language (words, "phrases", AND, OR,
        NOT, field:value, date clauses; see the README); empty or ``*`` for
        every article. ``since``/``until``: any date python-dateutil reads ("2022-01-27",
        "27 Jan 2022 14:00 CET") or a relative one ("yesterday", "3 days
        ago", "last monday", "2w"); ``since`` takes the start of what it
        names, ``until`` the end. ``source``/``section``/``agency``: exact
        values, one or several (case-insensitive). ``lang``: ISO 639-1
        codes, one, several or a comma list (``"en,de"``; see
        :mod:`newssearch.languages`). ``tz``: the zone dates
        are read in (IANA name, offset or abbreviation; UTC by default).
        ``now``: the clock of the search (a datetime or text): relative
        dates are resolved against it and nothing published after it
        matches (:attr:`hide_future`); by default the real clock, which
        hides nothing. ``sort``: one of :data:`SORTS`, or
        None (the default) for relevance, or newest first when the query
        matches every article (empty, ``*``, or only filters and dates);
        ``half_life`` (``"7d"``, ``"12h"`` or a timedelta) sets how fast
        freshness fades under ``sort="recency"``. ``limit``, ``offset``,
        or ``page`` (1-based: ``offset = (page - 1) * limit``; not with
        ``offset``); ``limit`` at most :data:`MAX_LIMIT`. ``facets``:
        keyword fields (:data:`FACET_FIELDS`) to count over all matches;
        ``explain``: attach how each score was built; ``snippets`` and
        ``snippet_chars``: whether and how long; ``engine``: ``"whoosh"``
        forces Whoosh's own matchers (for comparison and debugging);
        ``all_copies``: list every copy of a story (another outlet's, another
        version) instead of one hit per story with its copies attached;
        ``timeout``: seconds the search may run (10 by default; None for no
        limit) before it stops with :class:`~newssearch.errors.SearchTimedOut`;
        ``match``: ``"all"`` (the default: an article must hold every plain
        word, or the query's own OR) or ``"any"`` (any of them, those with
        more of them first); ``names``: a word also matches a name written
        in another script by its name key (True, the default; see
        :mod:`newssearch.namekeys`).

        Raises :class:`~newssearch.errors.ConfigError` (with ``option`` set)
        for a bad value and ``TypeError`` for an unknown keyword.
        """
        unknown = sorted(set(options) - set(SearchOptions.__annotations__))
        if unknown:
            raise TypeError(f"unknown search option{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
        raw_tz = options.get("tz")
        zone = _option("tz", resolve_zone, raw_tz)
        now = _now(options.get("now"), zone)
        filters = Filters.build(
            since=options.get("since"),
            until=options.get("until"),
            source=options.get("source"),
            section=options.get("section"),
            agency=options.get("agency"),
            lang=options.get("lang"),
            tz=zone,
            now=now,
        )
        limit = options.get("limit", 10)
        offset = options.get("offset") or 0
        page = options.get("page")
        if page is not None:
            if options.get("offset") is not None:
                raise ConfigError("give either an offset or a page, not both", option="page")
            if page < 1:
                raise ConfigError("--page starts at 1", option="page")
            offset = (page - 1) * min(limit, MAX_LIMIT)  # pages of what is shown: none skipped past the cap
        half_life = options.get("half_life", "7d")
        if not isinstance(half_life, timedelta):
            half_life = _option("half_life", parse_duration, half_life)
        return cls(
            query=query,
            filters=filters,
            tz=zone,
            tz_name=raw_tz.strip() if isinstance(raw_tz, str) and raw_tz.strip() else _zone_name(zone),
            now=now,
            hide_future=options.get("now") is not None,
            sort=options.get("sort"),
            limit=limit,
            offset=offset,
            half_life=half_life,
            facets=tuple(options.get("facets", ())),
            explain=options.get("explain", False),
            snippets=options.get("snippets", True),
            snippet_chars=options.get("snippet_chars", 240),
            engine=options.get("engine", "auto"),
            all_copies=options.get("all_copies", False),
            timeout=options.get("timeout", DEFAULT_TIMEOUT),
            match=options.get("match", "all"),
            names=options.get("names", True),
        )

    @property
    def cutoff(self) -> datetime | None:
        """The latest publication time that may match: ``now`` when it is
        the clock (:attr:`hide_future`), else None (no limit)."""
        return self.now if self.hide_future else None

    def describe_filters(self) -> list[str]:
        """The request's filters as a user would name them (``since
        2007-09-13 00:00 UTC``, ``source Reuters``, ``published by
        2007-09-20 00:00 UTC (--now)``), in ``tz``: for a message that says
        why nothing matched."""
        f = self.filters
        shown = [f"{name} {format_datetime(when, self.tz)}" for name, when in (("since", f.since), ("until", f.until)) if when]
        if self.cutoff is not None and (f.until is None or f.until > self.cutoff):
            shown.append(f"published by {format_datetime(self.cutoff, self.tz)} (--now)")
        for name, values in (("source", f.sources), ("section", f.sections), ("agency", f.agencies), ("language", f.languages)):
            if values:
                shown.append(f"{name} {' or '.join(values)}")
        return shown

    def replace(self, **changes: Any) -> SearchRequest:
        """A copy with ``changes`` (values of this class's fields, not user text), validated again."""
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:
        shown = [repr(self.query)]
        defaults = SearchRequest(now=self.now)
        for f in dataclasses.fields(self):
            if f.name not in ("query", "now", "hide_future", "tz", "tz_name") and getattr(self, f.name) != getattr(defaults, f.name):
                shown.append(f"{f.name}={getattr(self, f.name)!r}")
        if self.tz_name != "UTC":
            shown.append(f"tz={self.tz_name!r}")
        if self.hide_future:
            shown.append(f"now={self.now.isoformat()!r}")
        return f"SearchRequest({', '.join(shown)})"


def _values(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _in_zone(value: datetime | None, zone: tzinfo) -> datetime | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)


def _zone_name(zone: tzinfo) -> str:
    if zone is UTC:
        return "UTC"
    return str(getattr(zone, "zone", None) or zone)


def _now(value: str | datetime | None, zone: tzinfo) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        return _option("now", lambda text: parse_user_date(text, zone), value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _option(name: str, parse: Callable[[Any], _T], value: Any) -> _T:
    """``parse(value)``, with a ConfigError naming the option it came from."""
    try:
        return parse(value)
    except ConfigError as exc:
        raise ConfigError(str(exc), option=name) from None
