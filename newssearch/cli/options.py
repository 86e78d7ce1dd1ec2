"""The options several commands share, and what the command line makes of them.

One definition per option (``--index``, the filters, ``--tz``, colour), so
that every command spells, documents and checks it the same way; and
:func:`search_request`, the one place the filters become a
:class:`~newssearch.search.request.SearchRequest`, so a bad date or zone is
the same usage error (exit 2) in every command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import tzinfo
from typing import Any, TypeVar

import click

from ..budget import DEFAULT_TIMEOUT
from ..dates import resolve_zone
from ..errors import ConfigError
from ..search.request import SearchRequest

__all__ = ["color_enabled", "filter_options", "index_option", "names_option", "read_zone", "search_request", "timeout_option", "tz_option"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: Options whose bad values are usage errors (exit 2) rather than failed runs.
_USAGE_OPTIONS = {"tz", "now", "half_life", "facets", "since", "until", "limit", "offset", "page", "source", "section", "agency", "lang"}


def index_option(f: _F) -> _F:
    """``--index DIR`` (else ``NEWSSEARCH_INDEX``, else ``./index``), passed as ``index_dir``."""
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        envvar="NEWSSEARCH_INDEX",
        show_envvar=True,
        help="Index folder (default: ./index).",
    )(f)


def tz_option(help_text: str) -> Callable[[_F], _F]:
    """``--tz ZONE``, with the help that says what the zone is for in this command."""
    return click.option("--tz", default=None, metavar="ZONE", help=help_text)


def names_option(f: _F) -> _F:
    """``--names/--no-names``: whether a word also matches a name written in
    another script by its name key (``search``, ``timeline`` and ``export``
    count and list the same articles)."""
    return click.option(
        "--names/--no-names",
        default=True,
        show_default=True,
        help="Let a word match a name written in another script (Brexit / Брекзит) by its name key (README: Names across scripts).",
    )(f)


def timeout_option(f: _F) -> _F:
    """``--timeout SECONDS``: the search's time budget."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Stop a search that runs longer than this, with an error saying so.",
    )(f)


def filter_options(f: _F) -> _F:
    """The options that restrict which articles match, shared by search,
    timeline, delete and saved add; the command receives them in
    ``**filters`` for :func:`search_request`."""
    options = [
        click.option("--since", default=None, metavar="DATE", help="Only articles published at or after DATE: 2022-01-27, '27 Jan 2022 14:00 CET', or relative: yesterday, 'last monday', '3 days ago', 2w."),
        click.option("--until", default=None, metavar="DATE", help="Only articles published up to DATE (a bare date includes the whole day)."),
        click.option("--source", multiple=True, metavar="OUTLET", help="Only this outlet (repeat for several)."),
        click.option("--section", multiple=True, metavar="NAME", help="Only this section (repeat for several)."),
        click.option("--agency", multiple=True, metavar="NAME", help="Only articles crediting this wire agency."),
        click.option("--lang", multiple=True, metavar="CODE", help="Only articles in this language: an ISO 639-1 code (en, bg, nb); repeat or give a comma list for several."),
        click.option("--any", "match_any", is_flag=True, help="Match articles with any of the words (those with more of them first), not only those with all of them."),
        click.option("--now", default=None, metavar="DATE", help="Resolve relative dates against this time instead of the clock (reproducible runs)."),
        tz_option("Zone to read dates in and to show them in (default UTC)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def search_request(query: str, filters: dict[str, Any], **options: Any) -> SearchRequest:
    """The one search request a command's options describe: ``filters`` as
    :func:`filter_options` gave them, ``options`` the other keywords of
    :meth:`SearchRequest.build <newssearch.search.request.SearchRequest.build>`.
    A bad date, zone, half-life or facet is a usage error naming its option."""
    try:
        return SearchRequest.build(
            query,
            since=filters["since"],
            until=filters["until"],
            source=list(filters["source"]) or None,
            section=list(filters["section"]) or None,
            agency=list(filters["agency"]) or None,
            lang=list(filters["lang"]) or None,
            tz=filters["tz"] or None,
            now=filters["now"] or None,
            match="any" if filters.get("match_any") else "all",
            **options,
        )
    except ConfigError as exc:
        if exc.option in _USAGE_OPTIONS:
            raise click.BadParameter(str(exc), param_hint=f"--{exc.option.replace('_', '-')}") from None
        raise


def color_enabled(flag: bool | None) -> bool:
    """Whether to colour: ``--color``/``--no-color`` when given, else only on
    a terminal and never when ``NO_COLOR`` is set."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def read_zone(tz: str | None) -> tzinfo:
    """The zone ``--tz`` names (UTC when not given); a bad one is a usage error."""
    try:
        return resolve_zone(tz)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--tz") from None
