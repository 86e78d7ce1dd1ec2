"""What an HTTP request's query string asks for, read into the library's own requests.

The JSON API and (later) the pages take the same parameters as the CLI's
options, and read them here, once: ``q``, ``match``, ``since``/``until``/``now``,
``tz``, ``source``/``section``/``agency``/``lang`` (repeatable), ``sort``,
``half_life``, ``page``/``size`` or ``offset``, ``facets``, ``all_copies``,
``explain``, ``timeout``, and ``by`` for a timeline. Everything else about a
search (dates read, zones resolved, sorts checked) is
:meth:`SearchRequest.build <newssearch.search.request.SearchRequest.build>`'s
job, so a value the CLI refuses is refused here with the same message.

The server's bounds are checked here too, because the CLI has none of them: a
page holds at most :attr:`Bounds.max_size` hits (a person reads ten; a
program that wants thousands wants ``newssearch export``), no page reaches past
:attr:`Bounds.max_depth` (deep pages cost a sort of everything before them),
and a search may not ask for more time than :attr:`Bounds.max_timeout`. A
parameter this module does not know is refused rather than ignored: a typo
(``?sourse=BBC``) would otherwise widen the search without a word.

Nothing here imports the web framework: the parameters are a plain mapping
of names to lists of values (what :func:`urllib.parse.parse_qs` gives), so
the reading is tested without a server and reused by every front end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..search.request import FACET_FIELDS, MAX_LIMIT, SearchRequest
from ..search.timeline import PERIODS

__all__ = [
    "ALERT_PARAMS",
    "DOWNLOAD_PARAMS",
    "FACET_PARAMS",
    "FEED_ENTRIES",
    "FEED_PARAMS",
    "FILTER_PARAMS",
    "SEARCH_PARAMS",
    "SIMILAR_PARAMS",
    "SUGGEST_PARAMS",
    "TIMELINE_PARAMS",
    "Bounds",
    "Params",
    "alerts_options",
    "download_request",
    "facets_request",
    "feed_request",
    "no_params",
    "search_request",
    "similar_options",
    "suggest_options",
    "timeline_request",
]

#: A query string as :func:`urllib.parse.parse_qs` reads it: each name with every value given.
Params = Mapping[str, Sequence[str]]

#: The parameters that choose which articles may match (as the CLI's filter options).
FILTER_PARAMS = ("since", "until", "now", "tz", "source", "section", "agency", "lang")
#: Every parameter of a search.
SEARCH_PARAMS = ("q", "match", "names", *FILTER_PARAMS, "sort", "half_life", "page", "size", "offset", "facets", "all_copies", "explain", "timeout")
#: Every parameter of a timeline.
TIMELINE_PARAMS = ("q", "match", "names", *FILTER_PARAMS, "all_copies", "by", "timeout")
#: Every parameter of the facet counts.
FACET_PARAMS = ("q", "match", "names", *FILTER_PARAMS, "all_copies", "facets", "timeout")
#: Every parameter of the related stories.
SIMILAR_PARAMS = (*FILTER_PARAMS, "size")
#: The parameters of a saved search's alerts.
ALERT_PARAMS = ("after", "size")
#: The parameters of a search's Atom feed: what chooses the articles (its order is the newest first).
FEED_PARAMS = ("q", "match", "names", *FILTER_PARAMS, "all_copies", "timeout")
#: The most entries a feed holds (a feed reader keeps what it has seen; it needs the newest).
FEED_ENTRIES = 50
#: The parameters of a download (every match as CSV or JSON Lines, up to the server's row cap).
DOWNLOAD_PARAMS = ("q", "match", "names", *FILTER_PARAMS, "sort", "half_life", "all_copies", "timeout")
#: The parameters of search-as-you-type.
SUGGEST_PARAMS = ("q", "size")
#: Read by the server's access check (``?token=``), never by a search.
_ACCESS_PARAMS = ("token",)
_REPEATABLE = frozenset({"source", "section", "agency", "lang", "facets"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True)
class Bounds:
    """What one request may ask of a server (``newssearch serve`` sets them)."""

    #: The largest page of hits (``size``).
    max_size: int = 100
    #: No hit past this rank is served (``offset + size``): the CLI's page cap.
    max_depth: int = MAX_LIMIT
    #: The most seconds a search may run, and what it gets when it names no ``timeout``.
    max_timeout: float = 10.0
    #: The most rows a download (``/api/search.csv``, ``.jsonl``) writes; the answer says when it stopped there.
    max_rows: int = MAX_LIMIT


class _Reader:
    """The parameters of one request, checked against those the endpoint takes."""

    def __init__(self, params: Params, allowed: Sequence[str]) -> None:
        unknown = sorted(set(params) - set(allowed) - set(_ACCESS_PARAMS))
        if unknown:
            raise ConfigError(
                f"unknown parameter {unknown[0]!r} (this address takes {', '.join(allowed) or 'none'})", option=unknown[0]
            )
        self._params = params

    def many(self, name: str) -> list[str]:
        """Every value given for ``name`` (comma-separated lists split for ``facets``)."""
        values = [v for v in self._params.get(name, ()) if v.strip()]
        if name == "facets":
            values = [part.strip() for v in values for part in v.split(",") if part.strip()]
        return values

    def one(self, name: str) -> str | None:
        """The value of ``name``, None when absent or empty; given twice, an error (which one was meant?)."""
        values = list(self._params.get(name, ()))
        if len(values) > 1 and name not in _REPEATABLE:
            raise ConfigError(f"parameter {name!r} is given {len(values)} times; give it once", option=name)
        value = values[0].strip() if values else ""
        return value or None

    def typed(self, name: str) -> str | None:
        """The value of ``name`` as given, spaces kept (what is typed in a search box: a trailing
        space says the last word is whole); None when absent."""
        values = list(self._params.get(name, ()))
        if len(values) > 1:
            raise ConfigError(f"parameter {name!r} is given {len(values)} times; give it once", option=name)
        return values[0] if values else None

    def integer(self, name: str, minimum: int) -> int | None:
        """A whole number of at least ``minimum``, or None when absent."""
        text = self.one(name)
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(f"parameter {name!r} must be a whole number, not {_shown(text)}", option=name) from None
        if value < minimum:
            raise ConfigError(f"parameter {name!r} must be at least {minimum}, not {value}", option=name)
        return value

    def seconds(self, name: str, bounds: Bounds) -> float:
        """A positive number of seconds within the server's budget (its budget when absent)."""
        text = self.one(name)
        if text is None:
            return bounds.max_timeout
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(f"parameter {name!r} must be a number of seconds, not {_shown(text)}", option=name) from None
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"parameter {name!r} must be a positive number of seconds, not {_shown(text)}", option=name)
        if value > bounds.max_timeout:
            raise ConfigError(
                f"parameter {name!r} asks for {value:g} s; this server gives a search at most {bounds.max_timeout:g} s",
                option=name,
            )
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off`` (absent: ``default``)."""
        given = self.one(name)
        if given is None:
            return default
        text = given.lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"parameter {name!r} must be true or false, not {_shown(text)}", option=name)

    def choice(self, name: str, choices: Sequence[str]) -> str | None:
        """One of ``choices``, or None when absent."""
        text = self.one(name)
        if text is not None and text not in choices:
            raise ConfigError(f"parameter {name!r} must be one of {', '.join(choices)}, not {_shown(text)}", option=name)
        return text

    def filters(self) -> dict[str, Any]:
        """The filter keywords of :meth:`SearchRequest.build`, as given."""
        return {
            "since": self.one("since"),
            "until": self.one("until"),
            "now": self.one("now"),
            "tz": self.one("tz"),
            "source": self.many("source") or None,
            "section": self.many("section") or None,
            "agency": self.many("agency") or None,
            "lang": self.many("lang") or None,
        }


def _shown(text: str) -> str:
    """A value quoted for a message, cut short: a parameter can be kilobytes long."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def search_request(params: Params, bounds: Bounds = Bounds()) -> SearchRequest:
    """The search a request asks for (``GET /api/search?q=...``).

    ``size`` is the page's length (10 by default; at most
    :attr:`Bounds.max_size`), ``page`` (1-based) or ``offset`` where it
    starts; a page reaching past :attr:`Bounds.max_depth` is refused with
    a message that points at ``newssearch export``. Raises
    :class:`~newssearch.errors.ConfigError` naming the parameter at fault.
    """
    read = _Reader(params, SEARCH_PARAMS)
    size = read.integer("size", 0)
    size = 10 if size is None else size
    if size > bounds.max_size:
        raise ConfigError(f"a page holds at most {bounds.max_size} hits, not {size}: ask for the next page", option="size")
    page = read.integer("page", 1)
    offset = read.integer("offset", 0)
    if page is not None and offset is not None:
        raise ConfigError("give either an offset or a page, not both", option="page")
    start = (page - 1) * size if page is not None else offset or 0
    if start + size > bounds.max_depth:
        raise ConfigError(
            f"results past the first {bounds.max_depth:,} are not served page by page (this page would end at"
            f" {start + size:,}): narrow the search, or export every match with 'newssearch export'",
            option="page" if page is not None else "offset",
        )
    return SearchRequest.build(
        read.one("q") or "",
        match=read.choice("match", ("all", "any")) or "all",
        names=read.flag("names", default=True),
        **read.filters(),
        sort=read.one("sort"),
        half_life=read.one("half_life") or "7d",
        limit=size,
        offset=start,
        facets=read.many("facets"),
        all_copies=read.flag("all_copies"),
        explain=read.flag("explain"),
        timeout=read.seconds("timeout", bounds),
    )


def facets_request(params: Params, bounds: Bounds = Bounds()) -> SearchRequest:
    """The counts a request asks for (``GET /api/facets``): a search
    without a page, counting ``facets`` (every countable field when none is
    named) over every match."""
    read = _Reader(params, FACET_PARAMS)
    return SearchRequest.build(
        read.one("q") or "",
        match=read.choice("match", ("all", "any")) or "all",
        names=read.flag("names", default=True),
        **read.filters(),
        limit=0,
        snippets=False,
        facets=read.many("facets") or list(FACET_FIELDS),
        all_copies=read.flag("all_copies"),
        timeout=read.seconds("timeout", bounds),
    )


def timeline_request(params: Params, bounds: Bounds = Bounds()) -> tuple[SearchRequest, str]:
    """The timeline a request asks for (``GET /api/timeline``): the search, and ``by`` (week by default)."""
    read = _Reader(params, TIMELINE_PARAMS)
    by = read.choice("by", PERIODS) or "week"
    request = SearchRequest.build(
        read.one("q") or "",
        match=read.choice("match", ("all", "any")) or "all",
        names=read.flag("names", default=True),
        **read.filters(),
        all_copies=read.flag("all_copies"),
        timeout=read.seconds("timeout", bounds),
    )
    return request, by


def similar_options(params: Params, bounds: Bounds = Bounds()) -> dict[str, Any]:
    """The keywords of :meth:`NewsIndex.similar <newssearch.index.NewsIndex.similar>`
    a request asks for (``GET /api/articles/{id}/similar``): ``size`` and the filters."""
    read = _Reader(params, SIMILAR_PARAMS)
    size = read.integer("size", 1)
    size = 10 if size is None else size
    if size > bounds.max_size:
        raise ConfigError(f"at most {bounds.max_size} related stories, not {size}", option="size")
    options = {k: v for k, v in read.filters().items() if v is not None}
    SearchRequest.build("", **options)  # a bad date or zone is refused here, named, before the index is read
    return {"limit": size, **options}


def alerts_options(params: Params, bounds: Bounds = Bounds()) -> tuple[int, int]:
    """``after`` (the last alert already seen; 0 by default) and ``size``
    (how many alerts, oldest first: 100 by default, at most :attr:`Bounds.max_size`)."""
    read = _Reader(params, ALERT_PARAMS)
    after = read.integer("after", 0) or 0
    size = read.integer("size", 1)
    size = bounds.max_size if size is None else size
    if size > bounds.max_size:
        raise ConfigError(f"at most {bounds.max_size} alerts at a time, not {size}: ask again after the last", option="size")
    return after, size


def no_params(params: Params) -> None:
    """Refuse any parameter (but the access token): for addresses that take none."""
    _Reader(params, ())


def feed_request(params: Params, bounds: Bounds = Bounds()) -> SearchRequest:
    """The search an Atom feed follows (``GET /feed?q=...``): the filters
    of a search, its newest :data:`FEED_ENTRIES` stories first (no page:
    a feed reader asks for the newest and keeps what it has seen)."""
    read = _Reader(params, FEED_PARAMS)
    return SearchRequest.build(
        read.one("q") or "",
        match=read.choice("match", ("all", "any")) or "all",
        names=read.flag("names", default=True),
        **read.filters(),
        sort="date",
        limit=FEED_ENTRIES,
        all_copies=read.flag("all_copies"),
        timeout=read.seconds("timeout", bounds),
    )


def download_request(params: Params, bounds: Bounds = Bounds()) -> SearchRequest:
    """The search a download writes out (``GET /api/search.csv``): a
    search's query, filters and sort, without a page (the rows run from the
    first match to the last, up to the server's cap)."""
    read = _Reader(params, DOWNLOAD_PARAMS)
    return SearchRequest.build(
        read.one("q") or "",
        match=read.choice("match", ("all", "any")) or "all",
        names=read.flag("names", default=True),
        **read.filters(),
        sort=read.one("sort"),
        half_life=read.one("half_life") or "7d",
        all_copies=read.flag("all_copies"),
        timeout=read.seconds("timeout", bounds),
    )


def suggest_options(params: Params) -> tuple[str, int]:
    """What is typed so far (``q``; empty when absent) and how many
    completions are wanted (``size``: 10 by default, at most 20)."""
    read = _Reader(params, SUGGEST_PARAMS)
    size = read.integer("size", 1)
    size = 10 if size is None else size
    if size > 20:
        raise ConfigError(f"at most 20 suggestions, not {size}", option="size")
    return read.typed("q") or "", size
