"""Typed use of the public API, checked with ``mypy --strict`` by tests/test_typing.py.

The README's library examples are checked too (the test extracts them);
this file adds what a caller of the request API writes, and the mistakes
mypy must catch: each ``# type: ignore[code]`` below is an error mypy has
to report, or ``warn_unused_ignores`` (on under --strict) fails the run.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import newssearch as ns
from newssearch.search import FACET_FIELDS, SORTS, Filters, SearchOptions, SearchRequest


def keep_a_request(ix: ns.NewsIndex) -> list[str]:
    request = SearchRequest.build("minsk agreement", since="last week", agency=["Reuters", "AFP"], tz="Europe/Sofia", limit=20)
    later = request.replace(offset=20)
    exact = SearchRequest(
        query="minsk",
        filters=Filters(since=datetime(2022, 1, 1, tzinfo=timezone.utc), sources=("Sofia News Agency",)),
        sort=SORTS[3],
        half_life=timedelta(days=3),
        facets=FACET_FIELDS[:2],
    )
    pages = [ix.search(request), ix.search(later), ix.search(exact)]
    coverage = ix.timeline(request, by="month")
    ids = [hit.article.id for page in pages for hit in page]
    return ids + [start.isoformat() for start, _count in coverage.buckets]


def pass_options_along(ix: ns.NewsIndex) -> None:
    settings: SearchOptions = {"sort": "date", "limit": 5, "facets": ["source"]}
    for hit in ix.search("grain", **settings):
        title: str = hit.article.title
        published: datetime | None = hit.article.published
        spans: tuple[tuple[int, int], ...] = hit.snippet.highlights
        print(title, published, spans)


def mistakes_mypy_must_catch(ix: ns.NewsIndex) -> None:
    ix.search("minsk", limt=5)  # type: ignore[call-arg]
    ix.search("minsk", limit="5")  # type: ignore[arg-type]
    ix.search("minsk", since=2022)  # type: ignore[arg-type]
    ix.timeline("minsk", sort="date")  # type: ignore[call-arg]
    article = ix.get("4f00d87a")
    print(article.title)  # type: ignore[union-attr]
    first: ns.Hit = ix.search("minsk")[0]
    print(first.score + "1")  # type: ignore[operator]


def follow_and_alert(ix: ns.NewsIndex) -> list[str]:
    saved: ns.SavedSearch = ix.saved.add("tunnel", "harbour tunnel", since="7d", source=["Northbay Courier"])
    delivered: list[str] = []

    def deliver(alert: ns.Alert) -> bool:
        delivered.append(f"{alert.saved}: {alert.title} {alert.url or ''}")
        return True

    follower = ns.Follower(ix, ["https://courier.example.org/rss.xml"], politeness=ns.Politeness(delay=2.0), on_alert=deliver)
    report: ns.FollowReport = follower.round()
    failed: list[str] = [f"{f.url}: {f.problem}" for f in report.failed]
    fresh: list[ns.Alert] = ix.saved.new(saved.name)
    follower.close()
    return delivered + failed + [a.article_id for a in fresh]


def saved_search_mistakes_mypy_must_catch(ix: ns.NewsIndex) -> None:
    ix.saved.add("tunnel", "harbour tunnel", sinse="7d")  # type: ignore[call-arg]
    ix.saved.add("tunnel", "harbour tunnel", limit="5")  # type: ignore[arg-type]
