"""``newssearch saved``: saved searches and their alerts.

Thin over :class:`~newssearch.live.saved.SavedSearches` (``ix.saved``):
each subcommand checks its input, makes the library call and prints
(alerts and results on stdout, the report on stderr). Errors reach the
group's one handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..index import default_index_path, open_index
from ..live import saved as living_archive  # noqa: F401 - attaches saved searches to the index: ix.saved is what this command runs
from ..search.request import MAX_LIMIT, SORTS
from .exits import EXIT_NO_MATCH
from .fields import hit_record, summary_record
from .options import color_enabled, filter_options, index_option, read_zone, search_request
from .output import alert_line, format_alert, format_hit, saved_search_to_json
from .terminal import echo

__all__ = ["saved_cmd"]


@click.group("saved")
def saved_cmd() -> None:
    """Saved searches: keep a query by name, run it, and see the new
    articles that matched it since you last looked.

    After every indexing run (index or follow), each saved search is
    matched against the articles that run added, and each new match is
    recorded once as an alert; another outlet's copy of a story already
    alerted is not alerted again.

    \b
    Example:
      newssearch saved add opec 'opec output' --source Reuters
      newssearch saved new opec
    """


@saved_cmd.command("add")
@click.argument("name")
@click.argument("query", nargs=-1)
@index_option
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default=None, help="For 'saved run' (alerts come as they are indexed).")
@click.option("-n", "--limit", type=click.IntRange(min=1, max=MAX_LIMIT), default=None, help="For 'saved run' (alerts are never limited).")
@click.option("--half-life", default=None, metavar="DURATION", help="With --sort recency, for 'saved run'.")
@click.option("--replace", is_flag=True, help="Replace a saved search of the same name.")
def saved_add(name: str, query: tuple[str, ...], index_dir: str | None, sort: str | None, limit: int | None, half_life: str | None, replace: bool, **filters: Any) -> None:
    """Save a search under NAME: the query language and options of 'search'.
    Relative dates stay relative (--since 2d is the last two days whenever
    it is matched). It alerts on articles indexed from now on.

    \b
    Example:
      newssearch saved add minsk 'minsk ceasefire' --since 7d
      newssearch saved add "bbc tech" --source BBC --section technology
    """
    if filters.get("now"):
        raise click.BadParameter("a saved search is matched against the clock; --now does not apply", param_hint="--now")
    text = " ".join(query)
    search_request(text, filters, sort=sort)  # bad dates and zones are usage errors, as for search
    options = {
        "since": filters["since"],
        "until": filters["until"],
        "source": list(filters["source"]),
        "section": list(filters["section"]),
        "agency": list(filters["agency"]),
        "lang": list(filters["lang"]),
        "tz": filters["tz"],
        "sort": sort,
        "limit": limit,
        "half_life": half_life,
        "match": "any" if filters.get("match_any") else "all",
    }
    where = Path(index_dir or default_index_path())
    created = not where.exists()
    # a saved search is kept beside its index, so one is created (empty) as 'follow' would:
    # the README's walkthrough saves its searches first, so that the first round alerts
    with open_index(where, create=True) as ix:
        saved = ix.saved.add(name, text, replace=replace, **options)
    if created:
        echo(f"Created an empty index at {where} for the articles 'index' or 'follow' add.", err=True)
    echo(f"Saved {saved.name!r}: {saved.describe()}. New matches are alerted from now on.", err=True)


@saved_cmd.command("list")
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per saved search.")
def saved_list(index_dir: str | None, as_json: bool) -> None:
    """List the saved searches, with how many alerts each has unread (an
    alert shown by 'saved new' or printed by 'follow' is read).

    \b
    Example:
      newssearch saved list
    """
    with open_index(index_dir) as ix:
        searches = ix.saved.list()
        unread = {s.name: len(ix.saved.unread(s.name)) for s in searches}
    for s in searches:
        if as_json:
            click.echo(json.dumps(saved_search_to_json(s) | {"unread": unread[s.name]}, ensure_ascii=False))
        else:
            echo(f"{s.name}\t{s.describe()}\t{unread[s.name]} unread", hang="    ")  # on a terminal: tabs as spaces, then wrapped
    if not searches:
        echo("No saved searches; add one with 'newssearch saved add NAME QUERY'.", err=True)


@saved_cmd.command("remove")
@click.argument("name")
@index_option
def saved_remove(name: str, index_dir: str | None) -> None:
    """Forget a saved search and its alerts.

    \b
    Example:
      newssearch saved remove minsk
    """
    with open_index(index_dir) as ix:
        ix.saved.remove(name)
    echo(f"Removed {name!r}.", err=True)


@saved_cmd.command("run")
@click.argument("name")
@index_option
@click.option("-n", "--limit", type=click.IntRange(min=0, max=MAX_LIMIT), default=None, help="How many results (default: the saved search's, else 10).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit, then the summary line, as 'search --json'.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
def saved_run(name: str, index_dir: str | None, limit: int | None, as_json: bool, color: bool | None) -> None:
    """Run a saved search over the whole archive, as 'search' would
    (exit 4 when nothing matches).

    \b
    Example:
      newssearch saved run minsk -n 5
    """
    with open_index(index_dir) as ix:
        saved = ix.saved.get(name)
        results = ix.saved.run(name, **({"limit": limit} if limit is not None else {}))
    zone = read_zone(saved.options.get("tz"))
    use_color = color_enabled(color)
    for hit in results:
        if as_json:
            click.echo(json.dumps(hit_record(hit, None), ensure_ascii=False))
        else:
            echo(format_hit(hit, zone, use_color), color=use_color)
    if as_json:
        click.echo(json.dumps(summary_record(results, saved.query, False), ensure_ascii=False))
    echo(f"{results.total:,} results for saved search {name!r}.", err=True)
    if not results.total:
        sys.exit(EXIT_NO_MATCH)


@saved_cmd.command("new")
@click.argument("name")
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per alert.")
@click.option("--peek", is_flag=True, help="Show them without marking them read.")
def saved_new(name: str, index_dir: str | None, as_json: bool, peek: bool) -> None:
    """Show the alerts of a saved search since it was last read (matching
    first what was indexed since the last match), oldest first.

    \b
    Example:
      newssearch saved new minsk --json
    """
    with open_index(index_dir) as ix:
        saved = ix.saved.get(name)
        alerts = ix.saved.new(name, mark_read=not peek)
    zone = read_zone(saved.options.get("tz"))
    for alert in alerts:
        if as_json:
            click.echo(alert_line(alert))
        else:
            echo(format_alert(alert, zone))
    echo(f"{len(alerts):,} new for {name!r}.", err=True)
