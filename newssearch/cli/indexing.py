"""The commands that write and look after an index: ``index``, ``delete``,
``check`` and ``stats``.

``index`` reads with :mod:`newssearch.ingest` and writes through the
index :func:`~newssearch.index.open_for_writing` gives (which decides
whether to create, open, or re-create it); the rest are one library call
each. Errors reach the group's one handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..cluster.client import connect
from ..dates import format_datetime
from ..errors import ConfigError, IngestError
from ..index import check_index, default_index_path, open_for_writing, open_index
from ..paths import shown_path, shown_text
from ..write.transaction import IndexReport
from .exits import EXIT_ERROR, EXIT_PARTIAL, EXIT_USAGE, fail
from .options import filter_options, index_option, read_zone, search_request, tz_option
from .output import Progress, format_size, print_index_summary, stats_to_json

if TYPE_CHECKING:
    from ..ingest import Limits, Notice, Source

__all__ = ["check_cmd", "delete_cmd", "index_cmd", "stats_cmd"]


def _check_format(value: str | None) -> str | None:
    """Reading formats are only imported when indexing (their libraries,
    trafilatura and lxml among them, would slow every search down)."""
    if value is None:
        return None
    from ..ingest import FORMATS  # loads every reader

    if value not in FORMATS:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(sorted(FORMATS))}", param_hint="--format")
    return value


def _check_source(value: str | None) -> str | None:
    """``--source`` checked before the run starts (a usage error, exit 2)
    rather than when the first article is read: undecodable bytes from the
    command line cannot be stored (``ReadOptions.build`` refuses them too)."""
    if value is not None and shown_text(value) != value:
        raise click.BadParameter(f"'{shown_text(value)}' is not UTF-8 text", param_hint="--source")
    return value


@click.command("index")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@index_option
@click.option("--format", "fmt", default=None, metavar="FORMAT", callback=lambda ctx, param, value: _check_format(value), help="Read every file in this format instead of detecting it (page, text, header, json, jsonl, csv, html, feed, warc, ...; a wrong name lists them all).")
@tz_option("Zone for times printed without one (default UTC); the article records that the zone was assumed.")
@click.option("--source", "default_source", default=None, metavar="NAME", callback=lambda ctx, param, value: _check_source(value), help="Outlet for articles that do not name one.")
@click.option("--rebuild", is_flag=True, help="Replace the index's contents with what this run reads (the old contents stay searchable until it commits; an index from another version is re-created).")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@click.option("--commit-every", type=click.IntRange(min=1), default=None, metavar="N", help="Commit after every N new or changed articles (for very large runs: bounds scratch disk space; an interrupted run keeps what was committed).")
@click.option("--prune", is_flag=True, help="Also delete the stored articles read from files under PATH... that no longer exist.")
@click.option("--follow-links", is_flag=True, help="Follow symlinks that lead out of a folder given (they are skipped and listed otherwise).")
@click.option("--max-input-mb", type=click.IntRange(min=1), default=512, show_default=True, metavar="MB", help="Largest file, decompressed file or stdin to read.")
@click.option("--max-field-mb", type=click.IntRange(min=1), default=10, show_default=True, metavar="MB", help="Largest body (or other field) of one article, in millions of characters; a longer one is an error for that article.")
@click.option("--max-title-chars", type=click.IntRange(min=20), default=1000, show_default=True, metavar="N", help="Longer headlines are cut at a word, with a warning.")
@click.option("--shards", type=click.IntRange(min=1, max=256), default=None, metavar="N", help="Spread a new index over N shards (Whoosh indexes searched as one; articles routed by id). An existing index keeps its shards.")
@click.option("--cluster", default=None, metavar="ADDRESS", help="Read, extract and write the shards on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); needs newssearch[cluster], and the files and the index at the same paths on every machine.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary (errors are still shown).")
def index_cmd(
    paths: tuple[str, ...],
    index_dir: str | None,
    fmt: str | None,
    tz: str | None,
    default_source: str | None,
    rebuild: bool,
    wait: float,
    commit_every: int | None,
    prune: bool,
    follow_links: bool,
    max_input_mb: int,
    max_field_mb: int,
    max_title_chars: int,
    shards: int | None,
    cluster: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Index articles from files, folders (recursively) or - (stdin).

    Formats are detected per file: HTML pages (also .html.gz), RSS and Atom
    feeds, WARC archives (.warc, .warc.gz), scraped page text, plain text
    (headline then body), '-- ' header blocks, JSON, JSON Lines, CSV, the
    Reuters-21578 SGML files and the TIME collection. Re-indexing the same
    files changes nothing; a changed article is updated in place. A broken
    file or record is reported and skipped, something worth knowing (a date
    not used, archive records that are not pages) is a warning; the rest is
    indexed and committed once at the end (Ctrl-C leaves the index as it was).

    \b
    Example:
      newssearch index ../shared/data/reuters-news-2006-2007 --index index/
      newssearch index saved-pages/ feeds/ crawl.warc.gz
    """
    from ..ingest import Limits, read_path  # the reading formats load only to index (see _check_format)

    zone = read_zone(tz)
    where = index_dir or default_index_path()
    if cluster:
        _index_on_cluster(paths, Path(where), cluster, shards, rebuild, fmt, tz, default_source, prune, commit_every,
                          Limits(input_bytes=max_input_mb * 2**20, field_chars=max_field_mb * 2**20, title_chars=max_title_chars),
                          follow_links, as_json, quiet)
        return
    try:
        ix = open_for_writing(where, rebuild=rebuild, shards=shards)
    except ConfigError as exc:
        if exc.option == "shards":  # re-sharding needs a new folder: a wrong --shards, so a usage error (exit 2)
            raise click.UsageError(str(exc)) from None
        raise
    progress = Progress(enabled=not quiet and sys.stderr.isatty())
    notices: list[Notice] = []
    with ix, ix.writer(timeout=wait, commit_every=commit_every, rebuild=rebuild) as writer:
        report = writer.report

        def opened(_source: Source) -> None:
            report.files += 1
            progress.tick(report)

        articles = read_path(
            paths,
            format=fmt,
            tz=zone,
            source=default_source,
            on_error=lambda err: _report_error(err, report, progress),
            on_notice=lambda notice: _report_notice(notice, notices, progress, quiet),
            on_file=opened,
            on_skip=lambda skipped: _report_skip(skipped.name, skipped.reason, report, progress, quiet),
            limits=Limits(input_bytes=max_input_mb * 2**20, field_chars=max_field_mb * 2**20, title_chars=max_title_chars),
            follow_links=follow_links,
        )
        for article in articles:
            writer.add(article)
            progress.tick(report)
        if prune:
            writer.prune(paths)
    progress.clear()
    if report.resumed_rebuild:  # shown with --quiet too: the run finished what an earlier one left
        click.echo("Resumed the rebuild an earlier run had stopped after committing part of it.", err=True)
    if as_json:
        click.echo(json.dumps({"index": shown_path(where)} | report.as_dict() | {"warnings": len(notices)}, ensure_ascii=False))
    if not quiet:
        print_index_summary(report, shown_path(where), notices)
    if report.failed and report.articles == 0:
        sys.exit(EXIT_ERROR)
    if report.failed:
        sys.exit(EXIT_PARTIAL)


def _index_on_cluster(
    paths: Sequence[str], where: Path, address: str, shards: int | None, rebuild: bool, fmt: str | None, tz: str | None,
    source: str | None, prune: bool, commit_every: int | None, limits: Limits, follow_links: bool, as_json: bool, quiet: bool,
) -> None:
    """``index --cluster``: the build of :mod:`newssearch.cluster`, reported as a local run is."""
    from ..cluster.build import build_on_cluster  # lazy: the readers, only to index

    if prune or commit_every or "-" in paths:
        raise click.UsageError("--cluster does not take --prune, --commit-every or - (stdin)")
    with connect(address) as client:
        report = build_on_cluster(
            paths, where, client=client, shards=shards, rebuild=rebuild, format=fmt, tz=tz, source=source,
            limits=limits, follow_links=follow_links,
        )
    for err in report.failed:
        click.echo(f"Error: {err}", err=True)
    if as_json:
        click.echo(json.dumps({"index": shown_path(where)} | report.as_dict(), ensure_ascii=False))
    if not quiet:
        print_index_summary(report, shown_path(where))
    if report.failed:
        sys.exit(EXIT_ERROR if report.articles == 0 else EXIT_PARTIAL)


def _report_notice(notice: Notice, notices: list[Notice], progress: Progress, quiet: bool) -> None:
    notices.append(notice)
    if not quiet:
        progress.clear()
        click.echo(f"Warning: {notice}", err=True)


def _report_skip(name: str, reason: str, report: IndexReport, progress: Progress, quiet: bool) -> None:
    """Count a skipped file; name the ones a user did not expect to be
    skipped (symlinks not followed, FIFOs and devices) as it happens."""
    report.skipped.append((name, reason))
    if not quiet and reason.startswith(("symlink", "broken symlink", "not a regular file")):
        progress.clear()
        click.echo(f"Skipped: {name}: {reason}", err=True)


def _report_error(err: IngestError, report: IndexReport, progress: Progress) -> None:
    report.failed.append(err)
    progress.clear()
    click.echo(f"Error: {err}", err=True)


# --- delete --------------------------------------------------------------


@click.command("delete")
@click.argument("ids", nargs=-1, metavar="[ID...]")
@index_option
@click.option("--query", "query", default=None, metavar="QUERY", help="Delete every article this search matches (every copy; with the filter options).")
@filter_options
@click.option("--yes", is_flag=True, help="Delete what --query matches without listing it first.")
def delete_cmd(ids: tuple[str, ...], index_dir: str | None, query: str | None, yes: bool, **filters: Any) -> None:
    """Delete articles by id (a unique prefix is enough) or by query.

    With --query, the matches are counted and nothing is deleted unless
    --yes is given. The deletion is one commit; what 'index' reads again is
    added again.

    \b
    Example:
      newssearch delete 92f0694a
      newssearch delete --query 'agency:xinhua' --until 2006-12-31 --yes
    """
    if bool(ids) == (query is not None):
        fail("give article ids or --query, not both", EXIT_USAGE)
    with open_index(index_dir) as ix:
        if ids:
            deleted = ix.delete(ids)
            click.echo(f"Deleted {len(deleted):,} article{'s' if len(deleted) != 1 else ''}: {', '.join(deleted)}", err=True)
            return
        request = search_request(query or "", filters, all_copies=True, limit=1)
        if not yes:
            found = ix.search(request)
            click.echo(f"{found.articles:,} articles match; add --yes to delete them", err=True)
            return
        deleted = ix.delete_matching(request)
        click.echo(f"Deleted {len(deleted):,} article{'s' if len(deleted) != 1 else ''}", err=True)


# --- check ---------------------------------------------------------------


@click.command("check")
@index_option
@click.option("--repair", is_flag=True, help="Restore a lost table of contents from its copy, drop damaged segments and list the files to index again.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def check_cmd(index_dir: str | None, repair: bool, as_json: bool) -> None:
    """Check the index for damage: every file against the size and checksum
    recorded at its commit, every stored article and posting list, the counts.

    Exit 0 when the index is sound (after --repair: when it is sound now),
    1 when damage remains. The files listed after a repair are where the
    dropped articles came from: index them again to restore those articles.

    \b
    Example:
      newssearch check
      newssearch check --repair && newssearch index FILES-IT-LISTED...
    """
    where = index_dir or default_index_path()
    report = check_index(where, repair=repair)
    if as_json:
        click.echo(json.dumps(report.as_dict() | {"index": shown_path(where)}, ensure_ascii=False))
    else:
        for problem in report.found if repair else report.problems:
            click.echo(f"damaged: {problem}")
        for done in report.repaired:
            click.echo(f"repaired: {done}")
        for name in report.lost_files:
            click.echo(f"index again: {name}")
        for gone in report.lost_data:
            click.echo(f"lost: {gone}")
        if report.lost_articles and not report.lost_files:
            click.echo(f"{report.lost_articles:,} articles were dropped; the files they came from could not be read back")
        if not report.checksums and not report.sums_missing:
            click.echo("note: no checksums recorded for this commit (written by an older version); files were read, not compared")
        if report.leftover_bytes and not repair:
            click.echo(f"note: {format_size(report.leftover_bytes)} left by interrupted runs (the next 'index' or 'check --repair' removes them)")
        state = "sound" if report.ok else "DAMAGED"
        click.echo(f"index {shown_path(where)}: {state}; {report.segments} segment(s), {report.articles:,} articles readable")
    if not report.ok:
        sys.exit(EXIT_ERROR)


# --- stats ---------------------------------------------------------------


@click.command("stats")
@index_option
@tz_option("Zone to show dates in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def stats_cmd(index_dir: str | None, tz: str | None, as_json: bool) -> None:
    """Summarise the index: article count, date range, outlets, size on disk.

    \b
    Example:
      newssearch stats --json
    """
    zone = read_zone(tz)
    with open_index(index_dir) as ix:
        st = ix.stats()
    if as_json:
        click.echo(json.dumps(stats_to_json(st), ensure_ascii=False))
        return
    outlets = ", ".join(f"{name} ({n:,})" for name, n in list(st.outlets.items())[:10]) or "none named"
    if len(st.outlets) > 10:
        outlets += f" and {len(st.outlets) - 10} more"
    span = (
        f"{format_datetime(st.earliest, zone)} to {format_datetime(st.latest, zone)}"
        if st.earliest
        else "no dated articles"
    )
    click.echo(f"index:     {shown_path(st.path)} ({format_size(st.size_bytes)} on disk, {st.segments} segment{'s' if st.segments != 1 else ''})")
    click.echo(f"articles:  {st.articles:,}")
    click.echo(f"dates:     {span}" + (f"; {st.undated:,} without a date" if st.undated else ""))
    click.echo(f"outlets:   {outlets}")
