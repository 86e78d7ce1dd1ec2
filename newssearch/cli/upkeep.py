"""The commands that look after an index: ``delete``, ``check``,
``stats`` and ``compact``.

Each checks its input, makes its library call and says what it did: a
destructive run lists what it will delete before it deletes it, a repair
summarises what it found (the full lists with ``-v`` or in a file), and a
compaction gives the sizes before and after. Errors reach the group's one
handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ..dates import format_datetime
from ..errors import NewsSearchError
from ..index import NewsIndex, check_index, default_index_path, open_index
from ..live import saved as living_archive  # noqa: F401 - attaches saved searches to the index: a delete or compact commits
from ..model import Article
from ..paths import shown_path
from .exits import EXIT_ERROR, EXIT_USAGE, fail
from .options import filter_options, index_option, read_zone, search_request, tz_option
from .output import REANALYSE_NOTE, format_size, stats_to_json
from .terminal import echo

__all__ = ["check_cmd", "compact_cmd", "delete_cmd", "stats_cmd"]


# --- delete --------------------------------------------------------------

#: Articles a deletion lists before it asks; the rest are counted.
_LISTED = 10


@click.command("delete")
@click.argument("ids", nargs=-1, metavar="[ID...]")
@index_option
@click.option("--query", "query", default=None, metavar="QUERY", help="Delete every article this search matches (every copy; with the filter options).")
@filter_options
@click.option("--yes", is_flag=True, help="Delete without asking (what is deleted is still listed); also allows a unique id prefix.")
def delete_cmd(ids: tuple[str, ...], index_dir: str | None, query: str | None, yes: bool, **filters: Any) -> None:
    """Delete articles by full id, or every article a query matches.

    What would be deleted is listed first (id, date, headline); on a
    terminal you are asked to confirm, elsewhere nothing is deleted without
    --yes (ids: exit 1; --query: the matches are counted, exit 0). A unique
    prefix of an id is taken only with --yes (without it the full id is
    named); a prefix of several ids is always refused. The deletion is one
    commit; what 'index' reads again is added again.

    \b
    Example:
      newssearch delete 92f0694af8c492c0
      newssearch delete --query 'agency:xinhua' --until 2006-12-31 --yes
    """
    if bool(ids) == (query is not None):
        fail("give article ids or --query, not both", EXIT_USAGE)
    zone = read_zone(filters.get("tz"))
    with open_index(index_dir) as ix:
        if ids:
            articles = _articles_to_delete(ix, ids, yes)
            _list_articles(articles, len(articles), zone)
            if not yes and not _confirmed(len(articles)):
                return
            deleted = ix.delete([a.id for a in articles])
            echo(f"Deleted {len(deleted):,} article{'s' if len(deleted) != 1 else ''}: {', '.join(deleted)}", err=True)
            return
        request = search_request(query or "", filters, all_copies=True, limit=_LISTED, snippets=False, sort="date")
        found = ix.search(request)
        _list_articles([hit.article for hit in found.hits], found.articles, zone)
        if not found.articles:
            echo("0 articles match: nothing to delete", err=True)
            return
        if not yes:
            if not _can_ask():
                echo(f"{found.articles:,} articles match; add --yes to delete them", err=True)
                return
            if not _confirmed(found.articles):
                return
        deleted = ix.delete_matching(request)
        echo(f"Deleted {len(deleted):,} article{'s' if len(deleted) != 1 else ''}", err=True)


def _articles_to_delete(ix: NewsIndex, ids: Sequence[str], yes: bool) -> list[Article]:
    """The stored articles ``ids`` name, in the order given, each once. A
    prefix is taken only with ``yes``: deleting whatever happens to start
    with four typed characters is too easy a mistake (the error names the
    full id, to give back). An unknown id or an ambiguous prefix refuses
    the whole deletion (the library says which)."""
    found: dict[str, Article] = {}
    prefixes: list[tuple[str, Article]] = []
    for given in ids:
        article = ix.get(given)
        if article is None:
            raise NewsSearchError(f"no article with id {given!r} in {shown_path(ix.path)}")
        if article.id != given.lower():
            prefixes.append((given, article))
        found.setdefault(article.id, article)
    if prefixes and not yes:
        named = "; ".join(f"{given!r} is the start of {a.id} ({_headline(a)})" for given, a in prefixes)
        fail(f"{named}: give the full id, or add --yes to delete by a unique prefix")
    return list(found.values())


def _headline(article: Article, width: int = 60) -> str:
    title = " ".join(article.title.split())
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def _list_articles(articles: Sequence[Article], total: int, zone: Any) -> None:
    """What a deletion will delete, on stderr: id, date and headline, the
    first :data:`_LISTED` of ``total``."""
    if total:
        echo(f"To delete ({total:,} article{'s' if total != 1 else ''}):", err=True)
    for article in articles[:_LISTED]:
        echo(f"  {article.id}  {format_datetime(article.published, zone)}  {_headline(article)}", err=True)
    if total > _LISTED:
        echo(f"  ... and {total - _LISTED:,} more", err=True)


def _can_ask() -> bool:
    """Whether someone is there to answer: stdin and stderr are terminals."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _confirmed(count: int) -> bool:
    """Ask on the terminal whether to delete ``count`` articles; elsewhere
    refuse (exit 1): a script that meant to delete says so with --yes."""
    if not _can_ask():
        fail(f"not deleting {count:,} article{'s' if count != 1 else ''} without --yes (there is no terminal to ask on)")
    if click.confirm(f"Delete {'this article' if count == 1 else f'these {count:,} articles'}?", default=False, err=True):
        return True
    echo("Nothing deleted.", err=True)
    return False


# --- check ---------------------------------------------------------------

#: Lines of a long list (problems, files to index again) shown without -v.
_SHOWN = 5


@click.command("check")
@index_option
@click.option("--repair", is_flag=True, help="Restore a lost table of contents from its copy, drop damaged segments and list the files to index again.")
@click.option("--list", "list_file", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE", help="Write the files to index again to FILE, one a line (with --repair; empty when there are none).")
@click.option("-v", "--verbose", is_flag=True, help="List every problem and every file to index again (without it: the first 5 of each and a count).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (every list in full).")
def check_cmd(index_dir: str | None, repair: bool, list_file: str | None, verbose: bool, as_json: bool) -> None:
    """Check the index for damage: every file against the size and checksum
    recorded at its commit, every stored article and posting list, the counts.

    Exit 0 when the index is sound (after --repair: when it is sound now),
    1 when damage remains. The files listed after a repair are where the
    dropped articles came from: index them again to restore those articles.
    Long lists show their first 5 lines and a count: -v shows them all,
    --list FILE writes the files to index again to FILE.

    \b
    Example:
      newssearch check
      newssearch check --repair --list again.txt && xargs -d '\\n' -r newssearch index < again.txt
    """
    if list_file is not None and not repair:
        raise click.UsageError("--list writes the files a repair names: add --repair")
    where = index_dir or default_index_path()
    report = check_index(where, repair=repair)
    if list_file is not None:
        _write_list(list_file, report.lost_files)
    if as_json:
        click.echo(json.dumps(report.as_dict() | {"index": shown_path(where)}, ensure_ascii=False))
    else:
        more = "-v for all" + (f", or see {shown_path(list_file)}" if list_file else ", or --list FILE" if repair else "")
        damaged = report.found if repair else report.problems
        _print_list(f"damaged: {len(damaged):,} problems:", "damaged: ", damaged, verbose, "-v for all")
        for done in report.repaired:
            echo(f"repaired: {done}")
        if report.lost_files:
            count = len(report.lost_files)
            _print_list(f"index again: {count:,} file{'s' if count != 1 else ''}, where the dropped articles came from:",
                        "index again: ", report.lost_files, verbose, more)
        for gone in report.lost_data:
            echo(f"lost: {gone}")
        if report.lost_articles and not report.lost_files:
            echo(f"{report.lost_articles:,} articles were dropped; the files they came from could not be read back")
        elif report.lost_untraced:
            echo(f"{report.lost_untraced:,} of the {report.lost_articles:,} articles dropped are not from the files listed:"
                       " theirs could not be read back (or they came from no file), so index their sources again too")
        if not report.checksums and not report.sums_missing:
            echo("note: no checksums recorded for this commit (written by an older version); files were read, not compared")
        if report.leftover_bytes and not repair:
            echo(f"note: {format_size(report.leftover_bytes)} left by interrupted runs (the next 'index' or 'check --repair' removes them)")
        state = "sound" if report.ok else "DAMAGED"
        echo(f"index {shown_path(where)}: {state}; {report.segments} segment(s), {report.articles:,} articles readable")
    if not report.ok:
        sys.exit(EXIT_ERROR)


def _print_list(heading: str, prefix: str, items: Sequence[str], verbose: bool, more: str) -> None:
    """A list a repair or check found: a line each when short (``PREFIX
    item``, as always) or with ``verbose``; otherwise a heading with the
    count, the first :data:`_SHOWN` items and how many more (a repair of
    one damaged segment of Reuters printed 815 lines)."""
    if verbose or len(items) <= _SHOWN:
        for item in items:
            echo(f"{prefix}{item}")
        return
    echo(heading)
    for item in items[:_SHOWN]:
        echo(f"  {item}")
    echo(f"  ... and {len(items) - _SHOWN:,} more ({more})")


def _write_list(target: str, lines: Sequence[str]) -> None:
    """``lines`` to ``target``, one a line (an empty file when there are
    none, so a script can always read it); a file that cannot be written is
    an error naming it."""
    try:
        with open(target, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.writelines(f"{line}\n" for line in lines)
    except OSError as exc:
        raise NewsSearchError(f"cannot write {shown_path(target)}: {exc.strerror or exc}") from None


# --- stats ---------------------------------------------------------------


@click.command("stats")
@index_option
@tz_option("Zone to show dates in (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def stats_cmd(index_dir: str | None, tz: str | None, as_json: bool) -> None:
    """Summarise the index: article count, date range, outlets, size on
    disk, deleted articles still on disk, and each shard of a sharded index.

    \b
    Example:
      newssearch stats --json
    """
    zone = read_zone(tz)
    with open_index(index_dir) as ix:
        st = ix.stats()
    if as_json:
        # said here, not in stats_to_json, the web API's /api/stats shape as well (its schema is its own)
        click.echo(json.dumps(stats_to_json(st) | {"reanalyse_needed": st.reanalyse_needed}, ensure_ascii=False))
        return
    outlets = ", ".join(f"{name} ({n:,})" for name, n in list(st.outlets.items())[:10]) or "none named"
    if len(st.outlets) > 10:
        outlets += f" and {len(st.outlets) - 10} more"
    span = (
        f"{format_datetime(st.earliest, zone)} to {format_datetime(st.latest, zone)}"
        if st.earliest
        else "no dated articles"
    )
    echo(f"index:     {shown_path(st.path)} ({format_size(st.size_bytes)} on disk, {_plural(st.segments, 'segment')})")
    echo(f"articles:  {st.articles:,}" + (f"; {st.deleted:,} deleted still on disk ('newssearch compact' drops them)" if st.deleted else ""))
    echo(f"dates:     {span}" + (f"; {st.undated:,} without a date" if st.undated else ""))
    echo(f"outlets:   {outlets}")
    if st.reanalyse_needed:
        echo(f"analysis:  {REANALYSE_NOTE} ('newssearch reanalyse --index {shown_path(st.path)}')")
    if st.shards:
        echo(f"shards:    {len(st.shards)}")
        for sh in st.shards:
            deleted = f", {sh.deleted:,} deleted" if sh.deleted else ""
            echo(f"  shard {sh.number:03d}: {sh.articles:,} articles{deleted}, {format_size(sh.size_bytes)}, {_plural(sh.segments, 'segment')}")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


# --- compact -------------------------------------------------------------


@click.command("compact")
@index_option
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object on stdout.")
def compact_cmd(index_dir: str | None, wait: float, as_json: bool) -> None:
    """Merge the index's segments into one (one per shard) and drop the
    deleted articles, whose bytes a delete or a prune leaves on disk.

    Runs under the write lock, as one commit: interrupted or killed, the
    index is as its last commit left it. Searches find the same articles
    before and after.

    \b
    Example:
      newssearch index articles/ --prune && newssearch compact
    """
    with open_index(index_dir) as ix:
        report = ix.compact(timeout=wait)
    if as_json:
        click.echo(json.dumps(report.as_dict() | {"path": shown_path(report.path)}, ensure_ascii=False))
        return
    where = shown_path(report.path)
    if not report.changed:
        echo(f"Nothing to compact in {where}: {_plural(report.segments_after, 'segment')}, no deleted articles"
                   f" ({format_size(report.size_after)} on disk)", err=True)
        return
    echo(f"Compacted {where} in {report.elapsed:.1f} s: {report.articles:,} articles", err=True)
    echo(f"  size:     {format_size(report.size_before)} -> {format_size(report.size_after)}", err=True)
    echo(f"  segments: {report.segments_before:,} -> {report.segments_after:,}", err=True)
    if report.deleted_dropped:
        echo(f"  dropped {report.deleted_dropped:,} deleted articles", err=True)
    if report.leftovers_removed:
        echo(f"  removed {format_size(report.leftovers_removed)} left by an interrupted run", err=True)
    if report.sums_recorded:
        echo("  recorded the checksums an interrupted run had not (its segments written again)", err=True)
