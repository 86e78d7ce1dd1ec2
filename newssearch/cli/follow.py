"""``newssearch follow``: follow news feeds, index their new articles and
deliver the alerts of saved searches.

Thin over :class:`~newssearch.live.follow.Follower`: the command checks
its input, runs rounds and prints (alerts on stdout, or to ``--exec``;
each round's report on stderr). Errors reach the group's one handler in
:mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError, NewsSearchError
from ..index import open_index
from ..live.feedlist import check_url, read_feed_list
from ..live.saved import Alert
from ..timeexpr import parse_duration
from .exits import EXIT_ERROR, EXIT_PARTIAL
from .options import index_option, read_zone, tz_option
from .output import (
    alert_line,
    feed_status_record,
    format_alert,
    format_feed_status,
    print_follow_round,
)
from .terminal import echo

if TYPE_CHECKING:
    from ..live.follow import FollowReport

__all__ = ["follow_cmd"]


def _exec_alert(argv: list[str], alert: Alert) -> bool:
    """Run the user's command for one alert: the alert as one JSON line on
    its stdin and as NEWSSEARCH_* environment variables; never through a
    shell, so nothing in an article can become a command."""
    env = dict(os.environ)
    for key, value in alert.as_dict().items():
        if value is not None and not isinstance(value, list):
            env[f"NEWSSEARCH_{key.upper()}"] = str(value)
    env["NEWSSEARCH_AGENCIES"] = ", ".join(alert.agencies)
    try:
        done = subprocess.run(argv, input=alert_line(alert) + "\n", text=True, env=env, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        echo(f"Warning: --exec {argv[0]}: {exc}; alert {alert.id} is offered again after the next commit", err=True)
        return False
    if done.returncode != 0:
        echo(f"Warning: --exec {argv[0]} exited with {done.returncode} for alert {alert.id}; it is offered again after the next commit", err=True)
        return False
    return True


#: ``follow list`` and ``follow remove URL...``: words that are never a feed URL (those start with http:// or https://)
_ACTIONS = ("list", "remove")


def _follow_list(index_dir: str | None, as_json: bool) -> None:
    """Print every followed feed (see :func:`.output.format_feed_status`)."""
    from ..live.follow import Follower  # lazy: as in follow_cmd

    with open_index(index_dir) as ix:
        feeds = Follower(ix).followed()
    for n, feed in enumerate(feeds):
        if as_json:
            click.echo(json.dumps(feed_status_record(feed), ensure_ascii=False))
        else:
            echo(("\n" if n else "") + format_feed_status(feed))
    stopped = sum(1 for f in feeds if f.stopped is not None)
    echo(f"{len(feeds)} feed{'' if len(feeds) == 1 else 's'} followed" + (f", {stopped} stopped." if stopped else "."), err=True)


def _follow_remove(urls: list[str], index_dir: str | None) -> None:
    """Forget followed feeds; a URL that was not followed is an error (exit 1) naming it."""
    from ..live.follow import Follower  # lazy: as in follow_cmd

    with open_index(index_dir) as ix:
        follower = Follower(ix)
        missing = [url for url in urls if not follower.unfollow(url)]
        for url in urls:
            if url not in missing:
                echo(f"Removed {url} (its articles stay in the index).", err=True)
    if missing:
        raise NewsSearchError(f"not followed: {', '.join(missing)} ('newssearch follow list' shows the feeds followed)")


@click.command("follow")
@click.argument("urls", nargs=-1, metavar="[URL...] | list | remove URL...")
@index_option
@click.option("--feeds", "feed_files", multiple=True, type=click.Path(dir_okay=False, exists=True), metavar="FILE", help="Feed URLs from FILE: one per line, or OPML (repeatable).")
@click.option("--source", "outlet", default=None, metavar="NAME", help="The outlet to credit the entries of the feeds given with (remembered; default: each feed's title).")
@click.option("--once", is_flag=True, help="One round, then exit (for cron).")
@click.option("--every", default="10m", show_default=True, metavar="DURATION", help="Time between rounds (the start of one to the start of the next).")
@click.option("--json", "as_json", is_flag=True, help="Alerts as JSON Lines on stdout (and each round's report as one JSON object on stderr).")
@click.option("--exec", "exec_cmd", default=None, metavar="CMD", help="Run CMD for each alert, with the alert as JSON on its stdin and in NEWSSEARCH_* variables (CMD is split like a shell line but never run by a shell).")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, metavar="SECONDS", help="Least time between two requests to one host.")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True, metavar="SECONDS", help="The most one response may take: connecting, headers and body.")
@click.option("--max-mb", type=click.FloatRange(min=0.01), default=10.0, show_default=True, metavar="MB", help="Largest feed or page to download.")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True, help="Articles per commit.")
@click.option("--allow-private", is_flag=True, help="Also fetch entries and redirects on private, loopback and other non-public addresses of any host (never link-local or cloud metadata). Without it, only a followed feed's own host and port may be non-public.")
@tz_option("Zone for feed times printed without one (default UTC).")
@click.option("-v", "--verbose", is_flag=True, help="Also print warnings and per-host request figures.")
def follow_cmd(
    urls: tuple[str, ...], index_dir: str | None, feed_files: tuple[str, ...], once: bool, every: str, as_json: bool,
    exec_cmd: str | None, delay: float, timeout: float, max_mb: float, batch: int, allow_private: bool, tz: str | None,
    verbose: bool, outlet: str | None,
) -> None:
    """Follow news feeds (RSS, Atom): fetch them, index their new articles,
    and print the alerts of saved searches (stdout) with a report of each
    round (stderr). Feeds given once are remembered: without URLs, the
    feeds followed before are fetched. Entries with only a summary have
    their page fetched. Requests are polite: conditional GET, robots.txt,
    --delay per host, a User-Agent naming newssearch; proxies and CA
    bundles come from HTTP_PROXY, HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE
    and SSL_CERT_FILE. A response that takes longer than --timeout in
    all (connecting, headers and body) is cut off. Entries and redirects are never fetched from link-local or cloud
    metadata addresses, nor from other non-public ones (intranet, loopback)
    unless on a followed feed's own host and port or with --allow-private.
    One follower per index: a second one is refused. Ctrl-C or SIGTERM
    stops after the current commit. An entry's outlet is its feed's (the
    name given with --source, else the feed's title). A feed that fails 8
    times in a row with an answer that waiting does not mend (HTTP 404,
    410, not a feed) is no longer fetched.

    'follow list' shows each followed feed (outlet, last fetch, last
    failure, next try; --json for JSON Lines); 'follow remove URL...'
    forgets feeds (their articles stay in the index).

    \b
    Example:
      newssearch follow https://feeds.bbci.co.uk/news/rss.xml --once
      newssearch follow --source 'BBC News' https://feeds.bbci.co.uk/news/rss.xml
      newssearch follow --feeds feeds.opml --every 15m --json
      newssearch follow --exec 'notify-send newssearch'
      newssearch follow list
      newssearch follow remove https://feeds.bbci.co.uk/news/rss.xml
    """
    if urls and urls[0] in _ACTIONS:
        ctx = click.get_current_context()
        allowed = {"urls", "index_dir"} | ({"as_json"} if urls[0] == "list" else set())
        extra = [p.opts[0] if p.opts else p.name for p in ctx.command.params if p.name not in allowed and ctx.get_parameter_source(p.name or "") != click.core.ParameterSource.DEFAULT]
        if extra:
            raise click.UsageError(f"'follow {urls[0]}' takes no {', '.join(map(str, extra))}")
        if urls[0] == "list":
            if len(urls) > 1:
                raise click.UsageError("'follow list' takes no URL")
            _follow_list(index_dir, as_json)
        else:
            if len(urls) < 2:
                raise click.UsageError("'follow remove' needs the URL of a followed feed ('newssearch follow list' shows them)")
            _follow_remove(list(urls[1:]), index_dir)
        return
    from ..live.fetch import AddressPolicy, Politeness  # lazy: the HTTP client (requests) loads only for this command
    from ..live.follow import Follower  # lazy: and the follower, with every reader

    read_zone(tz)
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
    if outlet is not None and not feeds:
        raise click.UsageError("--source names the outlet of the feeds given: give their URLs (or --feeds FILE) with it")
    argv = shlex.split(exec_cmd) if exec_cmd else None
    if exec_cmd is not None and not argv:
        raise click.BadParameter("empty command", param_hint="--exec")
    zone = read_zone(tz)

    def deliver(alert: Alert) -> bool:
        if argv is not None:
            return _exec_alert(argv, alert)
        if as_json:
            click.echo(alert_line(alert))
        else:
            echo(format_alert(alert, zone))
        return True

    def round_done(report: FollowReport) -> None:
        if as_json:
            click.echo(json.dumps(report.as_dict(), ensure_ascii=False), err=True)
        else:
            print_follow_round(report, verbose)

    # --timeout bounds the whole response: a server trickling its headers held the follower for minutes
    politeness = Politeness(delay=delay, timeout=timeout, deadline=timeout, max_bytes=int(max_mb * 2**20))
    with open_index(index_dir, create=True) as ix:
        follower = Follower(
            ix, feeds, politeness=politeness, batch=batch, tz=tz, on_alert=deliver, addresses=AddressPolicy(allow_private=allow_private),
            source=outlet,
        )
        if not follower.feeds():
            raise click.UsageError("no feeds to follow: give feed URLs or --feeds FILE (feeds given once are remembered)")

        def stop(signum: int, _frame: Any) -> None:
            if follower.stopping:
                raise KeyboardInterrupt  # a second signal: cancel the commit in progress
            echo("Stopping after the current commit (again to stop at once)...", err=True)
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
                    on_error=lambda exc: echo(f"Error: {exc} (the next round tries again)", err=True),
                )
        finally:
            follower.close()
            for s, handler in previous.items():
                signal.signal(s, handler)
        if follower.stopping:
            # said, so that the "Stopping..." line is not the last word: a reader
            # could not tell a finished stop from a follower still busy
            echo("Stopped: what was committed is in the index; the next 'follow' goes on from there.", err=True)
    if once and report.failed:
        sys.exit(EXIT_PARTIAL if len(report.failed) < len(report.feeds) else EXIT_ERROR)
