"""The JSON bodies of the API: what the CLI's ``--json`` prints, as one object each.

A hit, an article, a timeline, an index's summary, a saved search and an
alert have one stable JSON shape each, defined where the CLI prints them
(:mod:`newssearch.cli.output`, :mod:`newssearch.cli.fields`); the API
reuses them rather than drawing its own, so a script that moves from
``newssearch search --json`` to ``GET /api/search`` reads the same keys. A
search's body is the summary line of ``search --json`` (less its ``type``),
the did-you-mean ``suggestion``, and its ``hits`` in order.
"""

from __future__ import annotations

from typing import Any

from ..cli.fields import summary_record
from ..cli.output import (
    full_article_to_json,
    hit_to_json,
    saved_search_to_json,
    stats_to_json,
)
from ..index import IndexStats
from ..live.saved import Alert, SavedSearch
from ..model import Article, SearchResults, Timeline
from ..search.timeline import as_rows

__all__ = [
    "alerts_body",
    "article_body",
    "facets_body",
    "hits_body",
    "saved_body",
    "search_body",
    "stats_body",
    "timeline_body",
]


def search_body(results: SearchResults, query: str, suggestion: str | None, facets: bool) -> dict[str, Any]:
    """A search's answer. When no article holds every word, the hits are
    those with most of them (each with its ``missing`` words) and
    ``fallback`` says so, never counted in ``total``: as ``search --json``."""
    fallback = results.fallback if not results.total else None
    listed = fallback or results
    summary = summary_record(results, query, facets, fallback)
    del summary["type"]
    return {**summary, "suggestion": suggestion, "hits": [hit_to_json(hit) for hit in listed]}


def facets_body(results: SearchResults, query: str) -> dict[str, Any]:
    """The counts of a search without its hits."""
    return {"query": query, "total": results.total, "articles": results.articles, "warnings": list(results.warnings), "facets": results.facets}


def hits_body(results: SearchResults) -> dict[str, Any]:
    """Related stories: the hits, as a search's."""
    return {"hits": [hit_to_json(hit) for hit in results]}


def article_body(article: Article) -> dict[str, Any]:
    """One article with its body, as ``show --json`` prints it."""
    return full_article_to_json(article)


def timeline_body(tl: Timeline) -> dict[str, Any]:
    """A timeline, as ``timeline --json`` prints it."""
    return {"query": tl.query, "by": tl.by, "tz": tl.tz, "total": tl.total, "undated": tl.undated, "buckets": as_rows(tl), "warnings": list(tl.warnings)}


def stats_body(stats: IndexStats) -> dict[str, Any]:
    """The index's summary, as ``stats --json`` prints it."""
    return stats_to_json(stats)


def saved_body(saved: SavedSearch, unread: int) -> dict[str, Any]:
    """A saved search with its count of unread alerts, as ``saved list --json`` prints it."""
    return saved_search_to_json(saved) | {"unread": unread}


def alerts_body(alerts: list[Alert]) -> dict[str, Any]:
    """Alerts, oldest first, as ``saved new --json`` prints them, and the last one's number to ask ``after``."""
    return {"alerts": [alert.as_dict() for alert in alerts], "last": alerts[-1].id if alerts else None}
