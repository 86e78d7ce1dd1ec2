"""The commands that read an index: ``search``, ``timeline``, ``similar`` and ``show``.

Each builds its request from the shared options (:mod:`newssearch.cli.options`),
makes one library call and prints with :mod:`newssearch.cli.output`: results
on stdout, counts, suggestions and warnings on stderr. Errors reach the
group's one handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import shutil
import time
from typing import Any

import click

from ..index import default_index_path, open_index
from ..search.request import FACET_FIELDS, MAX_LIMIT, SORTS
from ..search.timeline import PERIODS, as_rows
from ..search.timeline import render as render_timeline
from .exits import fail
from .options import color_enabled, filter_options, index_option, read_zone, search_request, tz_option
from .output import article_to_json, format_facets, format_hit, format_published, hit_to_json

__all__ = ["search_cmd", "show_cmd", "similar_cmd", "timeline_cmd"]


@click.command("search")
@click.argument("query", nargs=-1)
@index_option
@filter_options
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
    request = search_request(
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
    if limit > MAX_LIMIT:  # the cap is stated, never silent
        click.echo(f"Note: a page holds at most {MAX_LIMIT:,} results (--limit {limit:,} asked); --page 2 shows the next {MAX_LIMIT:,}.", err=True)
    elapsed = time.perf_counter() - started
    if as_json:
        for hit in results:
            click.echo(json.dumps(hit_to_json(hit), ensure_ascii=False))
        if facet_names:
            tail = {"total": results.total, "articles": results.articles, "facets": results.facets}
            click.echo(json.dumps(tail, ensure_ascii=False))
    else:
        use_color = color_enabled(color)
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
    request = search_request(" ".join(query), filters, all_copies=all_copies)
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


# --- similar ------------------------------------------------------------


@click.command("similar")
@click.argument("article_id", metavar="ID")
@index_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many related stories.")
@tz_option("Zone to show dates in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit.")
@click.option("--color/--no-color", default=None, help="Highlight matches (default: on a terminal, unless NO_COLOR is set).")
def similar_cmd(article_id: str, index_dir: str | None, limit: int, tz: str | None, as_json: bool, color: bool | None) -> None:
    """List the stories most like a stored one (more-like-this on its key
    terms), without the article itself and its exact duplicates.

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
    for hit in results:
        if as_json:
            click.echo(json.dumps(hit_to_json(hit), ensure_ascii=False))
        else:
            click.echo(format_hit(hit, zone, use_color), color=use_color)
    if not results.hits:
        click.echo(f"No stories like {found.title!r}.", err=True)


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
        data = article_to_json(article)
        data["body"] = article.body
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    lines = [article.title, ""]
    fields = [
        ("date", format_published(article, zone)),
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
