"""How the command line shows what the library returns: hits, articles,
facets, explanations, alerts as text or as stable JSON, and the reports
of an indexing run and of a follow round.

Text goes where the house rules send it: results on stdout, reports and
progress on stderr (the commands choose the stream; the ``print_*``
functions here write reports to stderr). Text is written with
:func:`newssearch.cli.terminal.echo`, which wraps it to a terminal's width
(continuation lines indented under their item) and leaves it whole when
piped; the functions here build one logical line per item and never wrap
themselves. The JSON shapes are stable: a key is never renamed or dropped,
so scripts can rely on them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from ..dates import format_datetime
from ..langanalysis import OTHER, language_group
from ..model import Article, Explanation, Hit
from ..paths import shown_path
from ..search.snippets import ANSI_HIGHLIGHT
from .terminal import echo as say

if TYPE_CHECKING:  # named in annotations only: a search loads neither saved searches (sqlite3) nor the writer
    from ..index import IndexStats
    from ..ingest import Notice
    from ..live.follow import FollowReport
    from ..live.saved import Alert, SavedSearch
    from ..live.state import FeedStatus
    from ..write.transaction import IndexReport

__all__ = [
    "REANALYSE_NOTE",
    "alert_line",
    "article_to_json",
    "explanation_to_json",
    "format_alert",
    "format_copies",
    "format_explanation",
    "format_facets",
    "format_hit",
    "format_published",
    "format_size",
    "full_article_to_json",
    "hit_to_json",
    "print_follow_round",
    "print_index_summary",
    "saved_search_to_json",
    "similar_scope",
    "stats_to_json",
]

#: What ``stats`` and ``search`` say of an index holding articles analysed by
#: an older version (:meth:`newssearch.NewsIndex.reanalyse_needed`).
REANALYSE_NOTE = (
    "some articles were analysed by an older version: those in other languages than English"
    " stay in the English fields until re-analysed"
)


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
        "site": article.site,
        "agencies": list(article.agencies),
        "authors": list(article.authors),
        "section": article.section,
        "language": article.language,
        "language_source": article.language_source,
        "published": _iso(article),
        "tz_assumed": article.tz_assumed,
        "date_source": article.date_source,
        "path": article.path,
    }


def full_article_to_json(article: Article) -> dict[str, Any]:
    """An article's stable JSON shape with its ``body``: a line of ``export``,
    the object ``show --json`` prints (JSON Lines that ``index`` reads back)."""
    return {**article_to_json(article), "body": article.body}


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
    data["missing"] = list(hit.missing)  # the query's words it lacks: only when none held them all
    if hit.explanation is not None:
        data["explanation"] = explanation_to_json(hit.explanation)
    return data


def _iso_time(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if when else None


def format_copies(hit: Hit, zone: str | tzinfo | None) -> str:
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


def format_published(article: Article, zone: str | tzinfo | None) -> str:
    """An article's date in ``zone``, noting when its zone was assumed at indexing."""
    text = format_datetime(article.published, zone)
    if article.published is not None and article.tz_assumed:
        text += " (zone assumed)"
    return text


def format_hit(hit: Hit, zone: str | tzinfo | None, color: bool) -> str:
    """A hit as text: rank and headline, date (in ``zone``), outlet, id and score, then the snippet."""
    a = hit.article
    title = hit.title_snippet or None
    highlight, reset = ANSI_HIGHLIGHT
    # inside the bold headline, a highlight's reset turns bold on again (else the rest of the headline is plain)
    head = title.render(highlight, reset + "\x1b[1m") if (color and title) else a.title
    if color:
        head = f"\x1b[1m{head}\x1b[0m"
    meta = [format_published(a, zone)]
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
    if hit.missing:
        lines.append("   missing: " + ", ".join(hit.missing))
    if hit.explanation is not None:
        lines += ["   " + line for line in format_explanation(hit.explanation)]
    return "\n".join(lines) + "\n"


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
        if e.age_days is not None and e.age_days < 0:  # dated after the clock (no --now): as fresh as can be
            age = f"dated {-e.age_days:.1f} days after now, counted as new"
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


def format_alert(alert: Alert, zone: str | tzinfo | None) -> str:
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


def saved_search_to_json(saved: SavedSearch) -> dict[str, Any]:
    """The stable JSON shape of a saved search (``saved list --json`` adds its ``unread`` count)."""
    return {"name": saved.name, "query": saved.query, "options": saved.options, "created": saved.created.isoformat()}


def stats_to_json(st: IndexStats) -> dict[str, Any]:
    """The stable JSON shape of an index's summary (``stats --json``, the web API's ``/api/stats``)."""
    return {
        "index": shown_path(st.path),
        "articles": st.articles,
        "earliest": _iso_time(st.earliest),
        "latest": _iso_time(st.latest),
        "undated": st.undated,
        "outlets": st.outlets,
        "size_bytes": st.size_bytes,
        "segments": st.segments,
        "deleted": st.deleted,
        "shards": [
            {"shard": sh.number, "articles": sh.articles, "deleted": sh.deleted, "size_bytes": sh.size_bytes, "segments": sh.segments}
            for sh in st.shards
        ],
    }


def print_index_summary(report: IndexReport, where: str, notices: Sequence[Notice] = ()) -> None:
    """The summary of an indexing run on stderr: what was read, added, updated,
    skipped and failed, and what the user may want to do about it."""
    rate = report.articles / report.elapsed if report.elapsed else 0.0

    def echo(line: str) -> None:
        say(line, err=True)

    echo(
        f"Read {report.articles:,} article{'' if report.articles == 1 else 's'} from {report.files:,}"
        f" file{'' if report.files == 1 else 's'} in {report.elapsed:.1f} s"
        f" ({rate:,.0f} articles/s) into {where}"
    )
    echo(
        f"  added {report.added:,}, updated {report.updated:,}, unchanged {report.unchanged:,},"
        f" duplicates {report.duplicates:,}, failed {len(report.failed):,}"
    )
    if report.leftovers_removed:
        echo(f"  removed {format_size(report.leftovers_removed)} left by an interrupted run")
    if report.pruned:
        echo(f"  pruned {report.pruned:,} articles whose files are gone")
    if report.removed:
        echo(f"  removed {report.removed:,} articles this rebuild did not read (the index holds what it read)")
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
        files = "1 file that is not an article" if len(report.skipped) == 1 else f"{len(report.skipped):,} files that are not articles"
        echo(f"  skipped {files}: {names}{more}")
    if report.failed:
        failed_files = sorted({e.path or "<input>" for e in report.failed})
        shown = ", ".join(failed_files[:10])
        more = f" and {len(failed_files) - 10} more" if len(failed_files) > 10 else ""
        echo(f"  failed: {shown}{more}")


def format_size(n: int) -> str:
    """A size in bytes as people read it: ``512 B``, ``1.5 MB``."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def print_follow_round(report: FollowReport, verbose: bool) -> None:
    """The report of one follow round on stderr: feeds by status, new entries
    and articles, alerts, and the failures with when each is tried again;
    ``verbose`` adds the warnings and per-host request figures."""

    def echo(line: str) -> None:
        say(line, err=True)

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
        if feed.status == "failed" and feed.stopped:
            echo(
                f"  stopped following {feed.url}: {feed.problem} ({feed.failures} failures in a row that waiting does not mend);"
                f" 'newssearch follow remove URL' forgets it, and giving it again follows it anew"
            )
        elif feed.status == "stopped" and verbose:
            echo(f"  not fetched, stopped: {feed.url}: {feed.problem} ('follow remove URL' forgets it)")
        elif feed.status in ("failed", "waiting"):
            when = f"{feed.next_try:%Y-%m-%d %H:%M} UTC" if feed.next_try else "the next round"
            what = "failed" if feed.status == "failed" else "waiting after failures"
            echo(f"  {what}: {feed.url}: {feed.problem} ({feed.failures} in a row; next try after {when})")
    for failure in report.page_failures:
        echo(f"  page not fetched: {failure}")
    for skipped in report.skipped:
        echo(f"  entry skipped: {skipped}")
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


def feed_status_record(feed: FeedStatus) -> dict[str, object]:
    """One followed feed as ``follow list --json`` prints it (stable keys; times in UTC, ISO 8601)."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    return {
        "url": feed.url,
        "outlet": feed.name or feed.outlet,
        "named": feed.name is not None,
        "fetched": when(feed.fetched),
        "ok": when(feed.ok),
        "failures": feed.failures,
        "problem": feed.problem,
        "next_try": when(feed.next_try) if feed.stopped is None else None,
        "stopped": when(feed.stopped),
    }


def format_feed_status(feed: FeedStatus) -> str:
    """One followed feed for ``follow list``: its URL, then its outlet, last
    fetch, last failure and next try, one to a line."""

    def when(value: datetime | None) -> str:
        return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"

    outlet = f"{feed.name} (given with --source)" if feed.name else (feed.outlet or "not read yet") + (" (the feed's title)" if feed.outlet else "")
    if feed.failures:
        failure = f"{when(feed.fetched)}: {feed.problem} ({feed.failures} in a row)"
    else:
        failure = "none since the last fetch that worked" if feed.ok else "none"
    if feed.stopped is not None:
        upcoming = f"none: stopped {when(feed.stopped)} ('newssearch follow remove URL' forgets it, then give it again)"
    elif feed.next_try is None:
        upcoming = "the next round"
    else:
        upcoming = when(feed.next_try)
    return "\n".join(
        [
            feed.url,
            f"   outlet:       {outlet}",
            f"   last fetch:   {when(feed.ok)}" + (f" (last tried {when(feed.fetched)})" if feed.failures else ""),
            f"   last failure: {failure}",
            f"   next try:     {upcoming}",
        ]
    )


#: English names of the languages with fields of their own (:mod:`newssearch.langanalysis`), for messages.
_LANGUAGE_NAMES = {
    "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech",
    "da": "Danish", "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian, Bosnian and Serbian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ms": "Malay", "nb": "Norwegian", "ne": "Nepali", "nl": "Dutch", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovene", "st": "Sesotho",
    "sv": "Swedish", "ta": "Tamil", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
    "yi": "Yiddish", "zh": "Chinese",
}


def similar_scope(language: str | None) -> str:
    """Where ``similar`` looked for an article in ``language``, said in
    words: its own language's articles (a translation of it is another
    language's story, not a copy), or, for an article of no known language,
    English's and those of no known language, which share their fields."""
    group = language_group(language)
    if not group:
        return "in English and in articles of no known language" if language in (None, "") else "in English"
    if group == OTHER:
        return f"in its language ({language})"
    return f"in {_LANGUAGE_NAMES.get(group, group)}"
