"""The ``newssearch`` command: parse arguments, call the library, format.

Each command checks its input, makes one library call and prints. Errors are
handled once, in :class:`NewsSearchGroup`: a :class:`NewsSearchError` prints
``Error: ...`` on stderr and exits 1, usage errors exit 2 (click's default),
Ctrl-C exits 130. stdout carries results only; messages go to stderr.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from .version import __version__
from .dates import format_datetime, resolve_zone
from .errors import ConfigError, IndexLocked, IndexStoreError, IngestError, NewsSearchError, Terminated
from .index import NewsIndex, check_index, create_index, default_index_path, open_index
from .model import Article, Explanation, Hit
from .search.request import FACET_FIELDS, SORTS, SearchRequest
from .search.snippets import ANSI_HIGHLIGHT
from .search.timeline import PERIODS, as_rows
from .search.timeline import render as render_timeline
from .write.transaction import IndexReport

if TYPE_CHECKING:
    from .ingest import Notice, Source

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143




def _stop_on_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP raise in the main thread, so a run is
    cancelled the same way whichever ended it. A second signal while the
    first is being handled exits at once: the kernel drops the write lock
    and the writer processes die with this one; the next run removes what
    they left."""
    import signal

    received: list[int] = []

    def handle(signum: int, _frame: Any) -> None:
        if received:
            os._exit(EXIT_INTERRUPTED if received[0] == signal.SIGINT else EXIT_TERMINATED)
        received.append(signum)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handle)


class NewsSearchGroup(click.Group):
    """Maps every library error to one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn every error into one line on stderr and an exit code."""
        try:
            return super().invoke(ctx)
        except NewsSearchError as exc:
            _fail(str(exc))
        except KeyboardInterrupt as exc:
            click.echo("Interrupted: the index is as it was at its last commit.", err=True)
            sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `newssearch search ... | head`: the reader left, nothing is wrong
            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            finally:
                sys.exit(EXIT_OK)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - a traceback shown to a user is a bug
            if os.environ.get("NEWSSEARCH_DEBUG"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}. This is a bug in"
                " newssearch, not a problem with your input or index: please report it with the command"
                " you ran and the traceback that NEWSSEARCH_DEBUG=1 prints."
            )


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _check_format(value: str | None) -> str | None:
    """Reading formats are only imported when indexing (their libraries,
    trafilatura and lxml among them, would slow every search down)."""
    if value is None:
        return None
    from .ingest import FORMATS

    if value not in FORMATS:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(sorted(FORMATS))}", param_hint="--format")
    return value


_F = TypeVar("_F", bound=Callable[..., Any])


def _index_option(f: _F) -> _F:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=str),
        default=None,
        envvar="NEWSSEARCH_INDEX",
        show_envvar=True,
        help="Index folder (default: ./index).",
    )(f)


def _tz_option(help_text: str) -> Callable[[_F], _F]:
    return click.option("--tz", default=None, metavar="ZONE", help=help_text)


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _zone(tz: str | None) -> Any:
    try:
        return resolve_zone(tz)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--tz") from None


@click.group(cls=NewsSearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newssearch")
def cli() -> None:
    """Full-text search for news articles.

    \b
    Example:
      newssearch index examples/
      newssearch search "minsk agreement" --since 2022-01-01
    """


# --- index ---------------------------------------------------------------


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_index_option
@click.option("--format", "fmt", default=None, metavar="FORMAT", callback=lambda ctx, param, value: _check_format(value), help="Read every file in this format instead of detecting it (page, text, header, json, jsonl, csv, html, feed, warc, ...; a wrong name lists them all).")
@_tz_option("Zone for times printed without one (default UTC); the article records that the zone was assumed.")
@click.option("--source", "default_source", default=None, metavar="NAME", help="Outlet for articles that do not name one.")
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
    from .ingest import Limits, read_path

    zone = _zone(tz)
    where = index_dir or default_index_path()
    if cluster:
        _index_on_cluster(paths, Path(where), cluster, shards, rebuild, fmt, tz, default_source, prune, commit_every,
                          Limits(input_bytes=max_input_mb * 2**20, field_chars=max_field_mb * 2**20, title_chars=max_title_chars),
                          follow_links, as_json, quiet)
        return
    ix = _index_to_write(Path(where), rebuild, shards)
    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
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
    if as_json:
        click.echo(json.dumps({"index": str(where)} | report.as_dict() | {"warnings": len(notices)}, ensure_ascii=False))
    if not quiet:
        _print_summary(report, str(where), notices)
    if report.failed and report.articles == 0:
        sys.exit(EXIT_ERROR)
    if report.failed:
        sys.exit(EXIT_PARTIAL)


def _index_on_cluster(
    paths: Sequence[str], where: Path, address: str, shards: int | None, rebuild: bool, fmt: str | None, tz: str | None,
    source: str | None, prune: bool, commit_every: int | None, limits: Any, follow_links: bool, as_json: bool, quiet: bool,
) -> None:
    """``index --cluster``: the build of :mod:`newssearch.cluster`, reported as a local run is."""
    from .cluster import build_on_cluster, connect

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
        click.echo(json.dumps({"index": str(where)} | report.as_dict(), ensure_ascii=False))
    if not quiet:
        _print_summary(report, str(where))
    if report.failed:
        sys.exit(EXIT_ERROR if report.articles == 0 else EXIT_PARTIAL)


def _index_to_write(where: Path, rebuild: bool, shards: int | None) -> NewsIndex:
    """The index an ``index`` run writes to: created with ``shards`` when
    missing; an existing one must have that many (re-sharding is a
    rebuild into a new folder)."""
    from .engine.shards import Manifest, is_sharded
    from .engine.store import has_index

    if shards is not None and (is_sharded(where) or has_index(where)):
        have = Manifest.read(where).shards if is_sharded(where) else 1
        if have != shards:
            raise click.UsageError(
                f"{where} has {have} shard{'s' if have != 1 else ''}, not {shards}: index into a new folder"
                f" with --shards {shards} to re-shard"
            )
    if shards is not None and shards > 1 and not is_sharded(where) and not has_index(where):
        return create_index(where, shards=shards)
    return _open_for_rebuild(where) if rebuild else open_index(where, create=True)


def _open_for_rebuild(where: str | Path) -> NewsIndex:
    """The index to rebuild: the existing one when this version can open it
    (its contents are replaced at the commit), else a new empty one in its
    place (an index from another version, or one too damaged to open)."""
    try:
        return open_index(where, create=True)
    except IndexLocked:
        raise
    except IndexStoreError:
        return create_index(where, overwrite=True)


def _report_notice(notice: Notice, notices: list[Notice], progress: _Progress, quiet: bool) -> None:
    notices.append(notice)
    if not quiet:
        progress.clear()
        click.echo(f"Warning: {notice}", err=True)


def _report_skip(name: str, reason: str, report: IndexReport, progress: _Progress, quiet: bool) -> None:
    """Count a skipped file; name the ones a user did not expect to be
    skipped (symlinks not followed, FIFOs and devices) as it happens."""
    report.skipped.append((name, reason))
    if not quiet and reason.startswith(("symlink", "broken symlink", "not a regular file")):
        progress.clear()
        click.echo(f"Skipped: {name}: {reason}", err=True)


def _report_error(err: IngestError, report: IndexReport, progress: _Progress) -> None:
    report.failed.append(err)
    progress.clear()
    click.echo(f"Error: {err}", err=True)


class _Progress:
    """A one-line rate display on stderr, only when it is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.last = 0.0
        self.shown = False

    def tick(self, report: IndexReport) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.last < 0.5:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        click.echo(
            f"\r{report.files:,} files ({report.files / elapsed:,.1f}/s), {report.articles:,} articles"
            f" ({report.articles / elapsed:,.0f}/s) ",
            err=True,
            nl=False,
        )
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.shown = False


def _print_summary(report: IndexReport, where: str, notices: Sequence[Notice] = ()) -> None:
    rate = report.articles / report.elapsed if report.elapsed else 0.0

    def echo(line: str) -> None:
        click.echo(line, err=True)

    echo(
        f"Read {report.articles:,} articles from {report.files:,} files in {report.elapsed:.1f} s"
        f" ({rate:,.0f} articles/s) into {where}"
    )
    echo(
        f"  added {report.added:,}, updated {report.updated:,}, unchanged {report.unchanged:,},"
        f" duplicates {report.duplicates:,}, failed {len(report.failed):,}"
    )
    if report.leftovers_removed:
        echo(f"  removed {_size(report.leftovers_removed)} left by an interrupted run")
    if report.pruned:
        echo(f"  pruned {report.pruned:,} articles whose files are gone")
    if not report.committed:
        echo("  nothing changed: the index was left as it was")
    if report.merge_problem:
        echo(f"  Warning: the run is committed, but merging segments failed ({report.merge_problem}); the next run merges them")
    if report.alerts:
        echo(f"  {report.alerts:,} new alerts for saved searches ('newssearch saved new NAME' shows them)")
    if report.alert_problem:
        echo(f"  saved searches not matched yet ({report.alert_problem}); the next run or 'saved new' matches them")
    if report.no_date:
        echo(f"  {report.no_date:,} new or updated articles have no date (kept without one)")
    if notices:
        echo(f"  {len(notices):,} warnings (dates not used, archive records that are not pages, damaged files read in part)")
    if report.skipped:
        names = ", ".join(os.path.basename(n) for n, _ in report.skipped[:5])
        more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
        echo(f"  skipped {len(report.skipped):,} files that are not articles: {names}{more}")
    if report.failed:
        failed_files = sorted({e.path or "<input>" for e in report.failed})
        shown = ", ".join(failed_files[:10])
        more = f" and {len(failed_files) - 10} more" if len(failed_files) > 10 else ""
        echo(f"  failed: {shown}{more}")


# --- search --------------------------------------------------------------


def _filter_options(f: _F) -> _F:
    """The options that restrict which articles match, shared by search and
    timeline; the command receives them in ``**filters`` for :func:`_request`."""
    options = [
        click.option("--since", default=None, metavar="DATE", help="Only articles published at or after DATE: 2022-01-27, '27 Jan 2022 14:00 CET', or relative: yesterday, 'last monday', '3 days ago', 2w."),
        click.option("--until", default=None, metavar="DATE", help="Only articles published up to DATE (a bare date includes the whole day)."),
        click.option("--source", multiple=True, metavar="OUTLET", help="Only this outlet (repeat for several)."),
        click.option("--section", multiple=True, metavar="NAME", help="Only this section (repeat for several)."),
        click.option("--agency", multiple=True, metavar="NAME", help="Only articles crediting this wire agency."),
        click.option("--now", default=None, metavar="DATE", help="Resolve relative dates against this time instead of the clock (reproducible runs)."),
        _tz_option("Zone to read dates in and to show them in (default UTC)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


#: Options whose bad values are usage errors (exit 2) rather than failed runs.
_USAGE_OPTIONS = {"tz", "now", "half_life", "facets", "since", "until"}


def _request(query: str, filters: dict[str, Any], **options: Any) -> SearchRequest:
    """The one search request a command's options describe."""
    try:
        return SearchRequest.build(
            query,
            since=filters["since"],
            until=filters["until"],
            source=list(filters["source"]) or None,
            section=list(filters["section"]) or None,
            agency=list(filters["agency"]) or None,
            tz=filters["tz"] or None,
            now=filters["now"] or None,
            **options,
        )
    except ConfigError as exc:
        if exc.option in _USAGE_OPTIONS:
            raise click.BadParameter(str(exc), param_hint=f"--{exc.option.replace('_', '-')}") from None
        raise


@cli.command("search")
@click.argument("query", nargs=-1)
@_index_option
@_filter_options
@click.option("--sort", type=click.Choice(SORTS), default=None, help="relevance (BM25F; the default), date (newest first; the default for an empty query), oldest, or recency (relevance blended with freshness).")
@click.option("--half-life", default="7d", show_default=True, metavar="DURATION", help="With --sort recency: how fast freshness fades (12h, 7d, 2w, 3mo).")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=10, show_default=True, help="How many results to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many results.")
@click.option("--page", type=click.IntRange(min=1), default=None, help="Show this page of --limit results (1-based).")
@click.option("--facets", default=None, metavar="FIELDS", help=f"Count results per value of these fields over all matches ({', '.join(FACET_FIELDS)}), comma-separated.")
@click.option("--explain", is_flag=True, help="Show how each hit's score was built.")
@click.option("--all-copies", is_flag=True, help="List every copy of a story (other outlets, other versions) instead of one hit per story.")
@click.option("--auto-correct", is_flag=True, help="Run the did-you-mean correction instead of only suggesting it.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit, then one {\"total\", \"facets\"} object with --facets.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
def search_cmd(
    query: tuple[str, ...],
    index_dir: str | None,
    sort: str | None,
    half_life: str,
    limit: int,
    offset: int,
    page: int | None,
    facets: str | None,
    explain: bool,
    all_copies: bool,
    auto_correct: bool,
    as_json: bool,
    color: bool | None,
    **filters: Any,
) -> None:
    """Search the index. Plain words match articles with most of them;
    Whoosh's query language works too: AND, OR, NOT, "phrases",
    title:word, source:bbc, wildcards (ukrain*), and dates:
    published:[2022-01-01 TO 2022-02-01], date:>2022-01, published:yesterday,
    since:"last monday". Without a query, every article matching the
    filters is listed, newest first.

    \b
    Example:
      newssearch search "minsk agreement" --since "last week" --sort recency --facets source,agencies
      newssearch search --agency AFP --since yesterday
    """
    text = " ".join(query)
    facet_names = [name.strip() for name in facets.split(",") if name.strip()] if facets else []
    request = _request(
        text, filters, sort=sort, half_life=half_life, limit=limit, offset=offset, page=page, facets=facet_names,
        explain=explain, all_copies=all_copies,
    )
    zone = request.tz
    started = time.perf_counter()
    with open_index(index_dir) as ix:
        suggestion = ix.suggest(text)
        if suggestion and auto_correct:
            click.echo(f"Showing results for {suggestion!r} (instead of {text!r}).", err=True)
            text = suggestion
            request = request.replace(query=suggestion)
        elif suggestion:
            click.echo(f"Did you mean: {suggestion}?", err=True)
        results = ix.search(request)
    for warning in results.warnings:
        click.echo(f"Warning: {warning}", err=True)
    elapsed = time.perf_counter() - started
    if as_json:
        for hit in results:
            click.echo(json.dumps(hit_to_json(hit), ensure_ascii=False))
        if facet_names:
            tail = {"total": results.total, "articles": results.articles, "facets": results.facets}
            click.echo(json.dumps(tail, ensure_ascii=False))
    else:
        use_color = _use_color(color)
        for hit in results:
            click.echo(format_hit(hit, zone, use_color), color=use_color)
        if facet_names:
            click.echo(format_facets(results.facets, results.articles))
    if not results.total:
        click.echo(f"No results for {text!r}.", err=True)
    elif not as_json:
        first = results.offset + 1
        last = results.offset + len(results)
        shown = f"{first}-{last}" if len(results) else "none"
        counted = f"{results.total:,} results"
        if results.articles != results.total:
            stories = "story" if results.total == 1 else "stories"
            counted = f"{results.total:,} {stories} ({results.articles:,} articles; --all-copies lists every copy)"
        click.echo(f"Showing {shown} of {counted} ({elapsed * 1000:.0f} ms).", err=True)


def format_facets(facets: dict[str, dict[str, int]], total: int) -> str:
    """Facet counts as text: a line per field, the twelve commonest values
    (facets count articles, every copy of a story included)."""
    lines = [f"Facets over all {total:,} matching articles:"]
    for name, counts in facets.items():
        shown = list(counts.items())[:12]
        values = ", ".join(f"{value} ({n:,})" for value, n in shown) or "none"
        more = f" and {len(counts) - 12} more" if len(counts) > 12 else ""
        lines.append(f"  {name}: {values}{more}")
    return "\n".join(lines)


def explanation_to_json(e: Explanation) -> dict[str, Any]:
    """The stable JSON shape of an explanation (``--explain --json``)."""
    factors = ("score", "relevance", "coordination", "held_idf", "query_idf", "query_words",
               "recency_factor", "age_days", "half_life_days")
    data: dict[str, Any] = {name: getattr(e, name) for name in factors}
    data["note"] = e.note or None
    data["terms"] = [dataclasses.asdict(p) for p in e.parts]  # term, idf, tf, score, fields [{field, frequency, ...}]
    return data


def format_explanation(e: Explanation) -> list[str]:
    """An explanation as text lines: the factors, then a line per term."""
    head = f"score {e.score:.3f} = BM25F {sum(p.score for p in e.parts):.3f} x coordination {e.coordination:.3f}"
    if e.query_words > 1:
        head += f" (idf {e.held_idf:.2f} of {e.query_idf:.2f}, {e.query_words} words)"
    if e.recency_factor is not None:
        age = f"{e.age_days:.1f} days old" if e.age_days is not None else "no date"
        head += f" x recency {e.recency_factor:.3f} ({age}, half-life {e.half_life_days:g} days)"
    lines = [head]
    if e.note:
        lines.append(e.note)
    for p in e.parts:
        fields = "; ".join(
            f"{m.field}: tf {m.frequency:g} x {m.weight:g}, length {m.length:g} / avg {m.average_length:.1f}" for m in p.fields
        )
        lines.append(f"  {p.term}  idf {p.idf:.2f}, tf~ {p.tf:.2f} ({fields}) -> {p.score:.3f}")
    return lines


# --- timeline ------------------------------------------------------------


@cli.command("timeline")
@click.argument("query", nargs=-1)
@_index_option
@_filter_options
@click.option("--by", type=click.Choice(PERIODS), default="week", show_default=True, help="Count per day, week, month or year (periods start in --tz).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: query, by, tz, total, undated, buckets [{start, count}].")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: start,count.")
@click.option("--all-copies", is_flag=True, help="Count every article, not each story once (at its first copy).")
@click.option("--width", type=click.IntRange(min=20), default=None, help="Chart width in columns (default: the terminal's).")
def timeline_cmd(
    query: tuple[str, ...],
    index_dir: str | None,
    by: str,
    as_json: bool,
    as_csv: bool,
    all_copies: bool,
    width: int | None,
    **filters: Any,
) -> None:
    """Count matching articles per period and draw the coverage as a bar chart.

    \b
    Example:
      newssearch timeline Iran --by week --since 2007-01-01 --tz America/New_York
    """
    request = _request(" ".join(query), filters, all_copies=all_copies)
    with open_index(index_dir) as ix:
        tl = ix.timeline(request, by=by)
    for warning in tl.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps({"query": tl.query, "by": tl.by, "tz": tl.tz, "total": tl.total, "undated": tl.undated, "buckets": as_rows(tl)}))
        return
    if as_csv:
        click.echo("start,count")
        for start, n in tl.buckets:
            click.echo(f"{start.isoformat()},{n}")
        return
    columns = width or shutil.get_terminal_size((80, 24)).columns
    for line in render_timeline(tl, columns):
        click.echo(line)
    dated = tl.total - tl.undated
    note = f"; {tl.undated:,} without a date" if tl.undated else ""
    counted = "articles" if all_copies else "stories (each at its first copy)"
    click.echo(f"{dated:,} {counted} per {tl.by} ({tl.tz}){note}.", err=True)


# --- similar -------------------------------------------------------------


@cli.command("similar")
@click.argument("article_id", metavar="ID")
@_index_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many related stories.")
@_tz_option("Zone to show dates in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
def similar_cmd(article_id: str, index_dir: str | None, limit: int, tz: str | None, as_json: bool, color: bool | None) -> None:
    """List the stories most like a stored one (more-like-this on its key
    terms), without the article itself and its exact duplicates.

    \b
    Example:
      newssearch similar fb53db5fb42457a4 -n 5
    """
    zone = _zone(tz)
    with open_index(index_dir) as ix:
        found = ix.get(article_id.strip())
        if found is None:
            _fail(f"no article with id {article_id!r} in {index_dir or default_index_path()}")
        results = ix.similar(found.id, limit=limit)
    use_color = _use_color(color)
    for hit in results:
        if as_json:
            click.echo(json.dumps(hit_to_json(hit), ensure_ascii=False))
        else:
            click.echo(format_hit(hit, zone, use_color), color=use_color)
    if not results.hits:
        click.echo(f"No stories like {found.title!r}.", err=True)


def _iso(article: Article) -> str | None:
    if article.published is None:
        return None
    return article.published.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def article_to_json(article: Article) -> dict[str, Any]:
    """The stable JSON shape of an article (without its body)."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "agencies": list(article.agencies),
        "authors": list(article.authors),
        "section": article.section,
        "language": article.language,
        "published": _iso(article),
        "tz_assumed": article.tz_assumed,
        "date_source": article.date_source,
        "path": article.path,
    }


def hit_to_json(hit: Hit) -> dict[str, Any]:
    """The stable JSON shape of a hit: the article's fields, rank, score,
    snippet and highlight spans, and the other copies of its story (always
    present, so a consumer need not test for them: 0 and [] for a story with
    one copy, or with ``--all-copies``)."""
    data = article_to_json(hit.article)
    data.update(
        rank=hit.rank,
        score=round(hit.score, 4),
        snippet=hit.snippet.text,
        highlights=[list(span) for span in hit.snippet.highlights],
        title_highlights=[list(span) for span in hit.title_snippet.highlights] if hit.title_snippet else [],
    )
    data["copies_total"] = hit.copies_total
    data["copies"] = [{"id": c.id, "title": c.title, "source": c.source, "published": _iso_time(c.published)} for c in hit.copies]
    if hit.explanation is not None:
        data["explanation"] = explanation_to_json(hit.explanation)
    return data


def _iso_time(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if when else None


def format_copies(hit: Hit, zone: Any) -> str:
    """``also: 2 more outlets (Markets Daily, news.example.org), 1 more version (dates)``."""
    mine = hit.article.source
    outlets = sorted({c.source for c in hit.copies if c.source and c.source != mine})
    versions = sum(1 for c in hit.copies if not c.source or c.source == mine)
    more = hit.copies_total - len(hit.copies)
    pieces = []
    if outlets:
        pieces.append(f"{len(outlets)} more outlet{'s' if len(outlets) > 1 else ''} ({', '.join(outlets[:5])}{', ...' if len(outlets) > 5 else ''})")
    if versions:
        pieces.append(f"{versions} more version{'s' if versions > 1 else ''}")
    if more > 0:
        pieces.append(f"{more} more not listed")
    times = sorted(c.published for c in hit.copies if c.published)
    when = ""
    if times:
        when = f" ({format_datetime(times[0], zone)})" if len(times) == 1 else f" ({format_datetime(times[0], zone)} to {format_datetime(times[-1], zone)})"
    return f"also: {', '.join(pieces)}{when}"


def _when(article: Article, zone: Any) -> str:
    text = format_datetime(article.published, zone)
    if article.published is not None and article.tz_assumed:
        text += " (zone assumed)"
    return text


def format_hit(hit: Hit, zone: Any, color: bool) -> str:
    """A hit as text: rank and headline, date (in ``zone``), outlet, id and score, then the snippet."""
    a = hit.article
    title = hit.title_snippet or None
    head = title.render(*ANSI_HIGHLIGHT) if (color and title) else a.title
    if color:
        head = f"\x1b[1m{head}\x1b[0m"
    meta = [_when(a, zone)]
    if a.source:
        meta.append(a.source)
    if a.agencies:
        meta.append(", ".join(a.agencies))
    meta.append(f"id {a.id}")
    meta.append(f"score {hit.score:.2f}")
    snippet = hit.snippet.render(*ANSI_HIGHLIGHT) if color else hit.snippet.text
    lines = [f"{hit.rank}. {head}", "   " + " · ".join(meta)]
    if snippet:
        lines.append("   " + snippet)
    if hit.copies_total:
        lines.append("   " + format_copies(hit, zone))
    if hit.explanation is not None:
        lines += ["   " + line for line in format_explanation(hit.explanation)]
    return "\n".join(lines) + "\n"


# --- show ----------------------------------------------------------------


@cli.command("show")
@click.argument("article_id", metavar="ID")
@_index_option
@_tz_option("Zone to show the date in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every field and the body.")
def show_cmd(article_id: str, index_dir: str | None, tz: str | None, as_json: bool) -> None:
    """Show one stored article in full (ID as printed by search; a unique prefix works).

    \b
    Example:
      newssearch show fb53db5fb42457a4
    """
    zone = _zone(tz)
    with open_index(index_dir) as ix:
        article = ix.get(article_id.strip())
    if article is None:
        _fail(f"no article with id {article_id!r} in {index_dir or default_index_path()}")
    if as_json:
        data = article_to_json(article)
        data["body"] = article.body
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    lines = [article.title, ""]
    fields = [
        ("date", _when(article, zone)),
        ("outlet", article.source),
        ("agencies", ", ".join(article.agencies)),
        ("authors", ", ".join(article.authors)),
        ("section", article.section),
        ("url", article.url),
        ("file", article.path),
        ("id", article.id),
    ]
    lines += [f"{name:>9}: {value}" for name, value in fields if value]
    lines += ["", article.body]
    click.echo("\n".join(lines))


# --- delete --------------------------------------------------------------


@cli.command("delete")
@click.argument("ids", nargs=-1, metavar="[ID...]")
@_index_option
@click.option("--query", "query", default=None, metavar="QUERY", help="Delete every article this search matches (every copy; with the filter options).")
@_filter_options
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
        _fail("give article ids or --query, not both", EXIT_USAGE)
    with open_index(index_dir) as ix:
        if ids:
            deleted = ix.delete(ids)
            click.echo(f"Deleted {len(deleted):,} article{'s' if len(deleted) != 1 else ''}: {', '.join(deleted)}", err=True)
            return
        request = _request(query or "", filters, all_copies=True, limit=1)
        if not yes:
            found = ix.search(request)
            click.echo(f"{found.articles:,} articles match; add --yes to delete them", err=True)
            return
        deleted = ix.delete_matching(request)
        click.echo(f"Deleted {len(deleted):,} article{'s' if len(deleted) != 1 else ''}", err=True)


# --- check ---------------------------------------------------------------


@cli.command("check")
@_index_option
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
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for problem in report.found if repair else report.problems:
            click.echo(f"damaged: {problem}")
        for done in report.repaired:
            click.echo(f"repaired: {done}")
        for name in report.lost_files:
            click.echo(f"index again: {name}")
        if report.lost_articles and not report.lost_files:
            click.echo(f"{report.lost_articles:,} articles were dropped; the files they came from could not be read back")
        if not report.checksums:
            click.echo("note: no checksums recorded for this commit (written by an older version); files were read, not compared")
        if report.leftover_bytes and not repair:
            click.echo(f"note: {_size(report.leftover_bytes)} left by interrupted runs (the next 'index' or 'check --repair' removes them)")
        state = "sound" if report.ok else "DAMAGED"
        click.echo(f"index {where}: {state}; {report.segments} segment(s), {report.articles:,} articles readable")
    if not report.ok:
        sys.exit(EXIT_ERROR)


# --- stats ---------------------------------------------------------------


@cli.command("stats")
@_index_option
@_tz_option("Zone to show dates in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def stats_cmd(index_dir: str | None, tz: str | None, as_json: bool) -> None:
    """Summarise the index: article count, date range, outlets, size on disk.

    \b
    Example:
      newssearch stats --json
    """
    zone = _zone(tz)
    with open_index(index_dir) as ix:
        st = ix.stats()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "index": st.path,
                    "articles": st.articles,
                    "earliest": st.earliest.isoformat().replace("+00:00", "Z") if st.earliest else None,
                    "latest": st.latest.isoformat().replace("+00:00", "Z") if st.latest else None,
                    "undated": st.undated,
                    "outlets": st.outlets,
                    "size_bytes": st.size_bytes,
                    "segments": st.segments,
                },
                ensure_ascii=False,
            )
        )
        return
    outlets = ", ".join(f"{name} ({n:,})" for name, n in list(st.outlets.items())[:10]) or "none named"
    if len(st.outlets) > 10:
        outlets += f" and {len(st.outlets) - 10} more"
    span = (
        f"{format_datetime(st.earliest, zone)} to {format_datetime(st.latest, zone)}"
        if st.earliest
        else "no dated articles"
    )
    click.echo(f"index:     {st.path} ({_size(st.size_bytes)} on disk, {st.segments} segment{'s' if st.segments != 1 else ''})")
    click.echo(f"articles:  {st.articles:,}")
    click.echo(f"dates:     {span}" + (f"; {st.undated:,} without a date" if st.undated else ""))
    click.echo(f"outlets:   {outlets}")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


# the living archive's commands (follow, saved) live in their own module
from . import cli_live as _cli_live  # noqa: E402,F401


def main() -> None:
    """Console-script entry point."""
    _stop_on_signals()
    cli(prog_name="newssearch")


__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_TERMINATED", "EXIT_PARTIAL", "EXIT_USAGE", "cli", "main"]
