"""The commands that read an index: ``search``, ``timeline``, ``similar`` and ``show``.

Each builds its request from the shared options (:mod:`newssearch.cli.options`),
makes one library call and prints with :mod:`newssearch.cli.output`: results
on stdout, counts, suggestions and warnings on stderr. Errors reach the
group's one handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from typing import Any

import click

from ..index import default_index_path, open_index
from ..model import Article
from ..paths import shown_path
from ..search.request import FACET_FIELDS, MAX_LIMIT, SORTS
from ..search.timeline import PERIODS, as_rows
from ..search.timeline import render as render_timeline
from .exits import EXIT_NO_MATCH, fail
from .fields import CSV_FIELDS, FIELDS, TableWriter, hit_record, parse_fields, summary_record
from .options import color_enabled, filter_options, index_option, names_option, read_zone, search_request, timeout_option, tz_option
from .output import REANALYSE_NOTE, format_facets, format_hit, format_published, full_article_to_json, similar_scope
from .terminal import echo

__all__ = ["search_cmd", "show_cmd", "similar_cmd", "timeline_cmd"]


@click.command("search")
@click.argument("query", nargs=-1)
@index_option
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default=None, help="relevance (BM25F; the default), date (newest first; the default for an empty query), oldest, or recency (relevance blended with freshness).")
@click.option("--half-life", default="7d", show_default=True, metavar="DURATION", help="With --sort recency: how fast freshness fades (12h, 7d, 2w, 3mo).")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=10, show_default=True, help=f"How many results to show (at most {MAX_LIMIT:,}; 'newssearch export' writes every match).")
@click.option("--offset", type=click.IntRange(min=0), default=None, help="Skip this many results.")
@click.option("--page", type=click.IntRange(min=1), default=None, help="Show this page of --limit results (1-based; not with --offset).")
@click.option("--facets", default=None, metavar="FIELDS", help=f"Count results per value of these fields over all matches ({', '.join(FACET_FIELDS)}), comma-separated.")
@click.option("--explain", is_flag=True, help="Show how each hit's score was built.")
@click.option("--all-copies", is_flag=True, help="List every copy of a story (other outlets, other versions) instead of one hit per story.")
@names_option
@click.option("--auto-correct", is_flag=True, help="Run the did-you-mean correction instead of only suggesting it.")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matching stories (articles with --all-copies); with --json, the summary object.")
@click.option("--json", "as_json", is_flag=True, help='JSON Lines: one {"type": "hit", ...} object per hit, then one {"type": "summary", "total", "articles", ...} object (with "facets" when asked).')
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row: one row per hit (columns: --fields).")
@click.option("--tsv", "as_tsv", is_flag=True, help="Tab-separated, as --csv.")
@click.option("--fields", default=None, metavar="NAMES", help=f"The fields of --json, --csv or --tsv, comma-separated ({', '.join(FIELDS)}); CSV's default: {','.join(CSV_FIELDS)}.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
@timeout_option
def search_cmd(
    query: tuple[str, ...],
    index_dir: str | None,
    sort: str | None,
    half_life: str,
    limit: int,
    offset: int | None,
    page: int | None,
    facets: str | None,
    explain: bool,
    all_copies: bool,
    names: bool,
    auto_correct: bool,
    count_only: bool,
    as_json: bool,
    as_csv: bool,
    as_tsv: bool,
    fields: str | None,
    color: bool | None,
    timeout: float,
    **filters: Any,
) -> None:
    """Search the index. Plain words match articles with most of them;
    Whoosh's query language works too: AND, OR, NOT, "phrases",
    title:word, source:bbc, wildcards (ukrain*), and dates:
    published:[2022-01-01 TO 2022-02-01], date:>2022-01, published:yesterday,
    since:"last monday". Without a query, every article matching the
    filters is listed, newest first. Exits 4 when nothing matches.

    \b
    Example:
      newssearch search "minsk agreement" --since "last week" --sort recency --facets source,agencies
      newssearch search --agency AFP --since yesterday
      newssearch search opec --csv --fields published,source,title,url > opec.csv
    """
    text = " ".join(query)
    facet_names = [name.strip() for name in facets.split(",") if name.strip()] if facets else []
    output = _output_format(as_json, as_csv, as_tsv, count_only, fields, facet_names)
    chosen = parse_fields(fields) if fields is not None else None
    if limit > MAX_LIMIT:
        raise click.BadParameter(
            f"a page holds at most {MAX_LIMIT:,} results, not {limit:,}: use --page for the next ones,"
            " or 'newssearch export' for every match",
            param_hint="--limit",
        )
    if page is not None and offset is not None:
        raise click.UsageError("give --offset or --page, not both (--page N starts at (N - 1) x --limit)")
    paging: dict[str, Any] = {"page": page} if page is not None else {"offset": offset or 0}
    request = search_request(
        text, filters, sort=sort, half_life=half_life, limit=0 if count_only else limit, facets=facet_names,
        explain=explain or bool(chosen and "explanation" in chosen), all_copies=all_copies, timeout=timeout,
        snippets=not count_only, names=names, **paging,
    )
    zone = request.tz
    started = time.perf_counter()
    with open_index(index_dir) as ix:
        suggestion = ix.suggest(text)
        if suggestion and auto_correct:
            echo(f"Showing results for {suggestion!r} (instead of {text!r}).", err=True)
            text = suggestion
            request = request.replace(query=suggestion)
        elif suggestion:
            echo(f"Did you mean: {suggestion}?", err=True)
        results = ix.search(request)
        if ix.reanalyse_needed():  # a small file per shard, read once per command
            echo(f"Note: {REANALYSE_NOTE} ('newssearch reanalyse --index {shown_path(ix.path)}').", err=True)
    for warning in results.warnings:
        echo(f"Warning: {warning}", err=True)
    elapsed = time.perf_counter() - started
    # with none holding every word, those with most of them, marked (never counted: --count says 0)
    fallback = results.fallback if not results.total and not count_only else None
    listed = fallback or results
    if fallback is not None:  # said before the list, so no one reads it as what was asked
        shown = "the text and --json outputs list" if output in ("csv", "tsv") else f"showing 1-{len(fallback)} of"
        echo(
            f"No article has every word of {text!r}; {shown} {fallback.total:,} with some of them, "
            "most first (--any asks for any word).",
            err=True,
        )
    if count_only:
        if output == "json":
            click.echo(json.dumps(summary_record(results, text, bool(facet_names)), ensure_ascii=False))
        else:
            click.echo(str(results.total))
    elif output == "json":
        for hit in listed:
            click.echo(json.dumps(hit_record(hit, chosen), ensure_ascii=False))
        click.echo(json.dumps(summary_record(results, text, bool(facet_names), fallback), ensure_ascii=False))
    elif output in ("csv", "tsv"):
        table = TableWriter("\t" if output == "tsv" else ",", chosen, zone)
        for hit in results:  # a table holds what was asked for; a fallback is a suggestion, not rows
            table.write(hit)
    else:
        use_color = color_enabled(color)
        for hit in listed:
            echo(format_hit(hit, zone, use_color), color=use_color)
        if facet_names:
            echo(format_facets(results.facets, results.articles))
    if fallback is not None:
        sys.exit(EXIT_NO_MATCH)
    if not results.total:
        filtered = request.describe_filters()  # so that a filter nobody remembers is not taken for the query's fault
        echo(f"No results for {text!r}" + (f" within: {'; '.join(filtered)}." if filtered else "."), err=True)
        sys.exit(EXIT_NO_MATCH)
    if not count_only and output != "json":
        first = results.offset + 1
        last = results.offset + len(results)
        shown = f"{first}-{last}" if len(results) else "none"
        counted = f"{results.total:,} results"
        if results.articles != results.total:
            stories = "story" if results.total == 1 else "stories"
            counted = f"{results.total:,} {stories} ({results.articles:,} articles; --all-copies lists every copy)"
        echo(f"Showing {shown} of {counted} ({elapsed * 1000:.0f} ms).", err=True)


def _output_format(as_json: bool, as_csv: bool, as_tsv: bool, count_only: bool, fields: str | None, facets: list[str]) -> str:
    """``text``, ``json``, ``csv`` or ``tsv``; combinations that cannot
    both be honoured are usage errors rather than one silently winning."""
    chosen = [name for name, on in (("json", as_json), ("csv", as_csv), ("tsv", as_tsv)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one output format, not {' and '.join('--' + c for c in chosen)}")
    output = chosen[0] if chosen else "text"
    if fields is not None and (output == "text" or count_only):
        raise click.UsageError("--fields chooses the fields of --json, --csv or --tsv hits")
    if count_only and output in ("csv", "tsv"):
        raise click.UsageError(f"--count prints one number (or, with --json, the summary object), not --{output} rows")
    if facets and output in ("csv", "tsv"):
        raise click.UsageError(f"facets are not rows of --{output}: use --json (the summary line holds them) or the text output")
    if facets and count_only and output == "text":
        raise click.UsageError("--count prints one number: add --json for the facets with it")
    return output


# --- timeline -----------------------------------------------------------


@click.command("timeline")
@click.argument("query", nargs=-1)
@index_option
@filter_options
@click.option("--by", type=click.Choice(PERIODS), default="week", show_default=True, help="Count per day, week, month or year (periods start in --tz).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: query, by, tz, total, undated, buckets [{start, count}].")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: start,count.")
@click.option("--all-copies", is_flag=True, help="Count every article, not each story once (at its first copy).")
@click.option("--width", type=click.IntRange(min=20), default=None, help="Chart width in columns (default: the terminal's).")
@names_option
@timeout_option
def timeline_cmd(
    query: tuple[str, ...],
    index_dir: str | None,
    by: str,
    as_json: bool,
    as_csv: bool,
    all_copies: bool,
    width: int | None,
    names: bool,
    timeout: float,
    **filters: Any,
) -> None:
    """Count matching stories per period (each at its first copy; every
    article with --all-copies) and draw the coverage as a bar chart.

    \b
    Example:
      newssearch timeline Iran --by week --since 2007-01-01 --tz America/New_York
    """
    request = search_request(" ".join(query), filters, all_copies=all_copies, names=names, timeout=timeout)
    with open_index(index_dir) as ix:
        tl = ix.timeline(request, by=by)
    for warning in tl.warnings:
        echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps({"query": tl.query, "by": tl.by, "tz": tl.tz, "total": tl.total, "undated": tl.undated, "buckets": as_rows(tl)}))
    elif as_csv:
        click.echo("start,count")
        for start, n in tl.buckets:
            click.echo(f"{start.isoformat()},{n}")
    if not tl.total:  # as search: nothing counted is a status of its own, after the (empty) output
        filtered = request.describe_filters()
        echo(f"No results for {tl.query!r}" + (f" within: {'; '.join(filtered)}." if filtered else "."), err=True)
        sys.exit(EXIT_NO_MATCH)
    if as_json or as_csv:
        return
    columns = width or shutil.get_terminal_size((80, 24)).columns
    for line in render_timeline(tl, columns):
        click.echo(line)
    dated = tl.total - tl.undated
    note = f"; {tl.undated:,} without a date" if tl.undated else ""
    counted = "articles" if all_copies else "stories (each at its first copy)"
    echo(f"{dated:,} {counted} per {tl.by} ({tl.tz}){note}.", err=True)


# --- similar ------------------------------------------------------------


@click.command("similar")
@click.argument("article_id", metavar="ID")
@index_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many related stories.")
@tz_option("Zone to show dates in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help='JSON Lines: one {"type": "hit", ...} object per hit, as search\'s.')
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
def similar_cmd(article_id: str, index_dir: str | None, limit: int, tz: str | None, as_json: bool, color: bool | None) -> None:
    """List the stories most like a stored one (more-like-this on its key
    terms), without the article itself and its exact duplicates, in the
    article's language (stderr says which).

    \b
    Example:
      newssearch similar fb53db5fb42457a4 -n 5
    """
    zone = read_zone(tz)
    with open_index(index_dir) as ix:
        found = ix.get(article_id.strip())
        if found is None:
            fail(f"no article with id {article_id!r} in {index_dir or default_index_path()}")
        results = ix.similar(found.id, limit=limit)
    use_color = color_enabled(color)
    scope = similar_scope(found.language)
    for hit in results:
        if as_json:
            click.echo(json.dumps(hit_record(hit, None), ensure_ascii=False))
        else:
            echo(format_hit(hit, zone, use_color), color=use_color)
    if not results.hits:
        echo(f"No stories like {found.title!r} {scope}.", err=True)
        sys.exit(EXIT_NO_MATCH)
    # on stderr, as every message: a reader of the list learns why no translation is in it
    echo(f"Stories {scope}, the article's language (a translation is another language's story: search finds it).", err=True)


# --- show ---------------------------------------------------------------


@click.command("show")
@click.argument("article_id", metavar="ID")
@index_option
@tz_option("Zone to show the date in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every field and the body.")
def show_cmd(article_id: str, index_dir: str | None, tz: str | None, as_json: bool) -> None:
    """Show one stored article in full (ID as printed by search; a unique prefix works).

    \b
    Example:
      newssearch show fb53db5fb42457a4
    """
    zone = read_zone(tz)
    with open_index(index_dir) as ix:
        article = ix.get(article_id.strip())
    if article is None:
        fail(f"no article with id {article_id!r} in {index_dir or default_index_path()}")
    if as_json:
        click.echo(json.dumps(full_article_to_json(article), ensure_ascii=False))
        return
    echo(article.title + "\n", hang="")
    fields = [
        ("date", format_published(article, zone)),
        ("outlet", article.source),
        ("site", article.site),
        ("agencies", ", ".join(article.agencies)),
        ("authors", ", ".join(article.authors)),
        ("section", article.section),
        ("language", _language(article)),
        ("url", article.url),
        ("file", article.path),
        ("id", article.id),
    ]
    echo("\n".join(f"{name:>9}: {value}" for name, value in fields if value) + "\n")  # continued under the value
    echo(article.body, hang="")  # paragraphs: prose, whatever their first words


def _language(article: Article) -> str:
    """``bg (detected)``: the code with where it came from, as a date shows
    an assumed zone; ``unknown`` when it could not be told."""
    if article.language is None:
        return "unknown" if article.language_source == "unknown" else ""
    return f"{article.language} ({article.language_source})" if article.language_source else article.language
