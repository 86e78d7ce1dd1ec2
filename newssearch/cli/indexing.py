"""The command that writes an index: ``index``.

It reads with :mod:`newssearch.ingest` and writes through the index
:func:`~newssearch.index.open_for_writing` gives (which decides whether to
create, open, or re-create it). The commands that look after an index
(``delete``, ``check``, ``stats``, ``compact``) are in :mod:`.upkeep`.
Errors reach the group's one handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ..cluster.client import connect
from ..errors import ConfigError, IngestError
from ..index import default_index_path, index_exists, open_for_writing
from ..live import saved as living_archive  # noqa: F401 - attaches saved searches to the index: each commit here matches them
from ..paths import shown_path, shown_text
from ..write.transaction import IndexReport
from .exits import EXIT_ERROR, EXIT_NO_MATCH, EXIT_PARTIAL
from .options import index_option, read_zone, tz_option
from .output import REANALYSE_NOTE, print_index_summary
from .terminal import echo

if TYPE_CHECKING:
    from ..ingest import Limits, Notice, Skipped, Source

__all__ = ["index_cmd"]


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
@click.option("--max-input-mb", type=click.IntRange(min=1), default=512, show_default=True, metavar="MB", help="Largest file, decompressed file or stdin to read whole; for JSON Lines, CSV and WARC, largest record (their files may be of any length).")
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
    from ..ingest import (  # the reading formats load only to index (see _check_format)
        Limits,
        read_path,
        survey,
    )

    zone = read_zone(tz)
    where = index_dir or default_index_path()
    found = survey(paths, follow_links=follow_links)
    if not found.readable and not (prune and index_exists(where)):  # a prune of an emptied folder still has work
        _nothing_to_index(paths, found.skipped, Path(where))
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
    # tqdm and the listing of the input load only to index, as the readers do (see _check_format)
    from .progress import IndexProgress

    progress = IndexProgress(paths, enabled=not quiet and sys.stderr.isatty(), follow_links=follow_links)
    notices: list[Notice] = []
    with progress, ix, ix.writer(timeout=wait, commit_every=commit_every, rebuild=rebuild) as writer:
        progress.start()  # once the lock is held: a --wait for another writer shows no frozen bar
        report = writer.report

        def opened(source: Source) -> None:
            report.files += 1
            progress.opened(source, report)

        articles = read_path(
            paths,
            format=fmt,
            tz=zone,
            source=default_source,
            on_error=lambda err: _report_error(err, report),
            on_notice=lambda notice: _report_notice(notice, notices, quiet),
            on_file=opened,
            on_skip=lambda skipped: _report_skip(skipped.name, skipped.reason, report, quiet),
            limits=Limits(input_bytes=max_input_mb * 2**20, field_chars=max_field_mb * 2**20, title_chars=max_title_chars),
            follow_links=follow_links,
        )
        for article in articles:
            writer.add(article)
            progress.tick(report)
        if prune:
            progress.stage("removing the articles of files that are gone")
            writer.prune(paths)
        progress.stage(f"committing {report.changed:,} articles and merging segments")
    if report.resumed_rebuild:  # shown with --quiet too: the run finished what an earlier one left
        echo("Resumed the rebuild an earlier run had stopped after committing part of it.", err=True)
    if as_json:
        click.echo(json.dumps({"index": shown_path(where)} | report.as_dict() | {"warnings": len(notices)}, ensure_ascii=False))
    if not quiet:
        print_index_summary(report, shown_path(where), notices)
        if ix.reanalyse_needed():  # the new articles are in their language's fields; older ones may not be
            echo(f"Note: {REANALYSE_NOTE} ('newssearch reanalyse --index {shown_path(where)}').", err=True)
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


def _nothing_to_index(paths: Sequence[str], skipped: Sequence[Skipped], where: Path) -> NoReturn:
    """Stop a run that has no file to read, with status 4 ("found nothing",
    as a search that matches nothing), before an index is created or
    touched: an empty folder made an empty index without a word, and a
    ``--rebuild`` from a mistyped or emptied folder would empty the index."""
    what = ", ".join(shown_path(p) for p in paths)
    why = "no files"
    if skipped:
        names = ", ".join(s.name.rsplit("/", 1)[-1] for s in skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        why = f"no article files (skipped {len(skipped):,} that are not articles: {names})"
    state = "left as it was" if index_exists(where) else "not created"
    echo(f"Nothing to index in {what}: {why}; the index {shown_path(where)} was {state}.", err=True)
    sys.exit(EXIT_NO_MATCH)


def _report_notice(notice: Notice, notices: list[Notice], quiet: bool) -> None:
    notices.append(notice)
    if not quiet:
        echo(f"Warning: {notice}", err=True)  # echo clears the progress line first


def _report_skip(name: str, reason: str, report: IndexReport, quiet: bool) -> None:
    """Count a skipped file; name the ones a user did not expect to be
    skipped (symlinks not followed, FIFOs and devices) as it happens."""
    report.skipped.append((name, reason))
    if not quiet and reason.startswith(("symlink", "broken symlink", "not a regular file", "not an article")):
        echo(f"Skipped: {name}: {reason}", err=True)


def _report_error(err: IngestError, report: IndexReport) -> None:
    report.failed.append(err)
    echo(f"Error: {err}", err=True)
