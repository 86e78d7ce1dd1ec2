"""The living archive's commands: ``saved`` (saved searches and their alerts) and ``follow``.

Thin over :mod:`newssearch.live`, like the rest of the CLI: each command
checks its input, makes the library call and prints (alerts and results on
stdout, the report on stderr); errors reach the group's one handler in
:mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .cli import EXIT_ERROR, EXIT_PARTIAL, _filter_options, _index_option, _request, _tz_option, _use_color, _zone, cli, format_hit, hit_to_json
from .errors import ConfigError
from .dates import format_datetime
from .index import open_index
from .live.saved import Alert, SavedSearch
from .search.request import SORTS

__all__ = ["alert_line", "follow_cmd", "format_alert", "saved_cmd"]


def format_alert(alert: Alert, zone: Any) -> str:
    """An alert as text: the saved search and headline, then date, outlet and id, the URL and the snippet."""
    meta = [format_datetime(alert.published, zone)]
    if alert.source:
        meta.append(alert.source)
    if alert.agencies:
        meta.append(", ".join(alert.agencies))
    meta.append(f"id {alert.article_id}")
    lines = [f"[{alert.saved}] {alert.title}", "   " + " · ".join(meta)]
    if alert.url:
        lines.append("   " + alert.url)
    if alert.snippet:
        lines.append("   " + alert.snippet)
    return "\n".join(lines) + "\n"


def alert_line(alert: Alert) -> str:
    """An alert as one JSON line (``--json``)."""
    return json.dumps(alert.as_dict(), ensure_ascii=False)


@cli.group("saved")
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
@_index_option
@_filter_options
@click.option("--sort", type=click.Choice(SORTS), default=None, help="For 'saved run' (alerts come as they are indexed).")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=None, help="For 'saved run' (alerts are never limited).")
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
    _request(text, filters, sort=sort)  # bad dates and zones are usage errors, as for search
    options = {
        "since": filters["since"],
        "until": filters["until"],
        "source": list(filters["source"]),
        "section": list(filters["section"]),
        "agency": list(filters["agency"]),
        "tz": filters["tz"],
        "sort": sort,
        "limit": limit,
        "half_life": half_life,
    }
    with open_index(index_dir) as ix:
        saved = ix.saved.add(name, text, replace=replace, **options)
    click.echo(f"Saved {saved.name!r}: {saved.describe()}. New matches are alerted from now on.", err=True)


@saved_cmd.command("list")
@_index_option
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per saved search.")
def saved_list(index_dir: str | None, as_json: bool) -> None:
    """List the saved searches, with how many alerts each has unread.

    \b
    Example:
      newssearch saved list
    """
    with open_index(index_dir) as ix:
        searches = ix.saved.list()
        unread = {s.name: len(ix.saved.alerts(s.name, after=s.read)) for s in searches}
    for s in searches:
        if as_json:
            click.echo(json.dumps(_saved_json(s) | {"unread": unread[s.name]}, ensure_ascii=False))
        else:
            click.echo(f"{s.name}\t{s.describe()}\t{unread[s.name]} unread")
    if not searches:
        click.echo("No saved searches; add one with 'newssearch saved add NAME QUERY'.", err=True)


def _saved_json(s: SavedSearch) -> dict[str, Any]:
    return {"name": s.name, "query": s.query, "options": s.options, "created": s.created.isoformat()}


@saved_cmd.command("remove")
@click.argument("name")
@_index_option
def saved_remove(name: str, index_dir: str | None) -> None:
    """Forget a saved search and its alerts.

    \b
    Example:
      newssearch saved remove minsk
    """
    with open_index(index_dir) as ix:
        ix.saved.remove(name)
    click.echo(f"Removed {name!r}.", err=True)


@saved_cmd.command("run")
@click.argument("name")
@_index_option
@click.option("-n", "--limit", type=click.IntRange(min=0), default=None, help="How many results (default: the saved search's, else 10).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit, as 'search --json'.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
def saved_run(name: str, index_dir: str | None, limit: int | None, as_json: bool, color: bool | None) -> None:
    """Run a saved search over the whole archive, as 'search' would.

    \b
    Example:
      newssearch saved run minsk -n 5
    """
    with open_index(index_dir) as ix:
        saved = ix.saved.get(name)
        results = ix.saved.run(name, **({"limit": limit} if limit is not None else {}))
    zone = _zone(saved.options.get("tz"))
    use_color = _use_color(color)
    for hit in results:
        click.echo(json.dumps(hit_to_json(hit), ensure_ascii=False) if as_json else format_hit(hit, zone, use_color), color=use_color)
    click.echo(f"{results.total:,} results for saved search {name!r}.", err=True)


@saved_cmd.command("new")
@click.argument("name")
@_index_option
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
    zone = _zone(saved.options.get("tz"))
    for alert in alerts:
        click.echo(alert_line(alert) if as_json else format_alert(alert, zone))
    click.echo(f"{len(alerts):,} new for {name!r}.", err=True)


# --- follow ----------------------------------------------------------------


def _exec_alert(argv: list[str], alert: Alert) -> bool:
    """Run the user's command for one alert: the alert as one JSON line on
    its stdin and as NEWSSEARCH_* environment variables; never through a
    shell, so nothing in an article can become a command."""
    import os
    import subprocess

    env = dict(os.environ)
    for key, value in alert.as_dict().items():
        if value is not None and not isinstance(value, list):
            env[f"NEWSSEARCH_{key.upper()}"] = str(value)
    env["NEWSSEARCH_AGENCIES"] = ", ".join(alert.agencies)
    try:
        done = subprocess.run(argv, input=alert_line(alert) + "\n", text=True, env=env, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        click.echo(f"Warning: --exec {argv[0]}: {exc}; alert {alert.id} is offered again after the next commit", err=True)
        return False
    if done.returncode != 0:
        click.echo(f"Warning: --exec {argv[0]} exited with {done.returncode} for alert {alert.id}; it is offered again after the next commit", err=True)
        return False
    return True


def _print_round(report: Any, verbose: bool) -> None:
    def echo(line: str) -> None:
        click.echo(line, err=True)

    counts: dict[str, int] = {}
    for feed in report.feeds:
        counts[feed.status] = counts.get(feed.status, 0) + 1
    shown = ", ".join(f"{n} {status}" for status, n in counts.items())
    new = sum(f.new for f in report.feeds)
    feeds = f"{len(report.feeds)} feed{'' if len(report.feeds) == 1 else 's'}"
    echo(
        f"{report.started:%Y-%m-%d %H:%M:%S} UTC: {feeds} ({shown}); {new} new entries,"
        f" {report.pages} pages fetched; added {report.added}, updated {report.updated}; {report.alerts} new alerts"
        f" ({report.elapsed:.1f} s)"
    )
    if report.dated_when_seen:
        echo(f"  {report.dated_when_seen} articles had no usable date and are dated when first seen")
    for feed in report.feeds:
        if feed.status in ("failed", "waiting"):
            when = f"{feed.next_try:%Y-%m-%d %H:%M} UTC" if feed.next_try else "the next round"
            what = "failed" if feed.status == "failed" else "waiting after failures"
            echo(f"  {what}: {feed.url}: {feed.problem} ({feed.failures} in a row; next try after {when})")
    for failure in report.page_failures:
        echo(f"  page not fetched: {failure}")
    if verbose:
        for notice in report.notices:
            echo(f"  Warning: {notice}")
        for host, stats in report.hosts.items():
            spent = stats.busy + stats.waited
            rate = stats.requests / spent if spent else 0.0
            echo(
                f"  {host}: {stats.requests} requests, {stats.bytes / 1024:,.0f} KB, {stats.busy:.1f} s in requests"
                f" and {stats.waited:.1f} s waiting (politeness): {rate:.2f} requests/s"
            )
    elif report.notices:
        echo(f"  {len(report.notices)} warnings (-v shows them)")
    if report.stopped:
        echo("  stopped on request after committing what was fetched")


@cli.command("follow")
@click.argument("urls", nargs=-1, metavar="[URL...]")
@_index_option
@click.option("--feeds", "feed_files", multiple=True, type=click.Path(dir_okay=False, exists=True), metavar="FILE", help="Feed URLs from FILE: one per line, or OPML (repeatable).")
@click.option("--once", is_flag=True, help="One round, then exit (for cron).")
@click.option("--every", default="10m", show_default=True, metavar="DURATION", help="Time between rounds (the start of one to the start of the next).")
@click.option("--json", "as_json", is_flag=True, help="Alerts as JSON Lines on stdout (and each round's report as one JSON object on stderr).")
@click.option("--exec", "exec_cmd", default=None, metavar="CMD", help="Run CMD for each alert, with the alert as JSON on its stdin and in NEWSSEARCH_* variables (CMD is split like a shell line but never run by a shell).")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, metavar="SECONDS", help="Least time between two requests to one host.")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True, metavar="SECONDS", help="Connect and read timeout.")
@click.option("--max-mb", type=click.FloatRange(min=0.01), default=10.0, show_default=True, metavar="MB", help="Largest feed or page to download.")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True, help="Articles per commit.")
@_tz_option("Zone for feed times printed without one (default UTC).")
@click.option("-v", "--verbose", is_flag=True, help="Also print warnings and per-host request figures.")
def follow_cmd(
    urls: tuple[str, ...], index_dir: str | None, feed_files: tuple[str, ...], once: bool, every: str, as_json: bool,
    exec_cmd: str | None, delay: float, timeout: float, max_mb: float, batch: int, tz: str | None, verbose: bool,
) -> None:
    """Follow news feeds (RSS, Atom): fetch them, index their new articles,
    and print the alerts of saved searches (stdout) with a report of each
    round (stderr). Feeds given once are remembered: without URLs, the
    feeds followed before are fetched. Entries with only a summary have
    their page fetched. Requests are polite: conditional GET, robots.txt,
    --delay per host, a User-Agent naming newssearch; proxies and CA
    bundles come from HTTP_PROXY, HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE
    and SSL_CERT_FILE. Ctrl-C or SIGTERM stops after the current commit.

    \b
    Example:
      newssearch follow https://feeds.bbci.co.uk/news/rss.xml --once
      newssearch follow --feeds feeds.opml --every 15m --json
      newssearch follow --exec 'notify-send newssearch'
    """
    import shlex
    import signal

    from .live.feedlist import check_url, read_feed_list
    from .live.fetch import Politeness
    from .live.follow import Follower
    from .timeexpr import parse_duration

    _zone(tz)
    try:
        interval = parse_duration(every)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from None
    feeds = []
    for url in urls:
        try:
            feeds.append(check_url(url))
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="URL") from None
    for name in feed_files:
        feeds += read_feed_list(name)
    argv = shlex.split(exec_cmd) if exec_cmd else None
    if exec_cmd is not None and not argv:
        raise click.BadParameter("empty command", param_hint="--exec")
    zone = _zone(tz)

    def deliver(alert: Alert) -> bool:
        if argv is not None:
            return _exec_alert(argv, alert)
        click.echo(alert_line(alert) if as_json else format_alert(alert, zone))
        return True

    def round_done(report: Any) -> None:
        if as_json:
            click.echo(json.dumps(report.as_dict(), ensure_ascii=False), err=True)
        else:
            _print_round(report, verbose)

    politeness = Politeness(delay=delay, timeout=timeout, max_bytes=int(max_mb * 2**20))
    with open_index(index_dir, create=True) as ix:
        follower = Follower(ix, feeds, politeness=politeness, batch=batch, tz=tz, on_alert=deliver)
        if not follower.feeds():
            raise click.UsageError("no feeds to follow: give feed URLs or --feeds FILE (feeds given once are remembered)")

        def stop(signum: int, _frame: Any) -> None:
            if follower.stopping:
                raise KeyboardInterrupt  # a second signal: cancel the commit in progress
            click.echo("Stopping after the current commit (again to stop at once)...", err=True)
            follower.stop()

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            if once:
                report = follower.round()
                round_done(report)
            else:
                follower.run(
                    interval,
                    on_round=round_done,
                    on_error=lambda exc: click.echo(f"Error: {exc} (the next round tries again)", err=True),
                )
        finally:
            follower.close()
            for s, handler in previous.items():
                signal.signal(s, handler)
    if once and report.failed:
        sys.exit(EXIT_PARTIAL if len(report.failed) < len(report.feeds) else EXIT_ERROR)
