"""The timeline's counts (search/timeline.py), against counting the stories of the hits themselves.

The timeline dates a story by its oldest dated copy, from the match set the
search keeps with its session; these tests build stories whose copies are
spread over days, some undated, over several segments with deletions, and
check every bucket against the dates of each story's copies as the search's
hits list them (the slow path: every copy read back).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

import newssearch as ns

UTC = timezone.utc
T0 = datetime(2024, 3, 4, 22, 30, tzinfo=UTC)
WORDS = ("harbour", "tariff", "glacier", "senate", "vaccine", "drought", "merger", "ceasefire", "satellite", "pension")


def _story_body(k: int) -> str:
    # a body of its own per story (copies share it: one story), all naming the port
    own = " ".join(f"{WORDS[(k + j) % len(WORDS)]}{k}x{j}" for j in range(40))
    return f"The port story {k} tells of {own}. Every one mentions the port."


def _articles() -> list[ns.Article]:
    out = []
    for k in range(24):
        for copy in range(1 + k % 4):
            undated = (k % 5 == 0 and copy == 0) or k % 11 == 3  # oldest copy undated; or the whole story
            published = None if undated else T0 + timedelta(hours=7 * k + 3 * copy - (copy == 2) * 30)
            out.append(ns.Article(title=f"Port story {k} copy {copy}", body=_story_body(k), source=f"Outlet {copy}",
                                  url=f"https://example.com/{k}/{copy}", published=published))
    return out


@pytest.fixture
def ix(tmp_index):
    articles = _articles()
    for start in range(0, len(articles), 17):  # several commits: several segments
        tmp_index.add(articles[start : start + 17])
    tmp_index.delete([a.id for a in articles[5::13]])
    return tmp_index


def _by_day_from_hits(ix: ns.NewsIndex, query: str, zone: str) -> tuple[Counter[str], int, int]:
    """Stories per local day at their oldest dated copy, the undated stories, and the stories, from the hits."""
    hits = ix.search(query, limit=500, snippets=False)
    days: Counter[str] = Counter()
    undated = 0
    for hit in hits:
        dates = [a.published for a in (hit.article, *hit.copies) if a.published is not None]
        assert hit.copies_total == len(hit.copies)  # every copy listed: the check sees them all
        if dates:
            days[min(dates).astimezone(ns.SearchRequest.build("", tz=zone).tz).date().isoformat()] += 1
        else:
            undated += 1
    return days, undated, hits.total


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_stories_counted_at_their_oldest_dated_copy_equal_the_hits(ix, zone):
    for query in ("port", "port story", "harbour0x0 OR tariff1x0 OR ceasefire7x0 OR pension9x0 OR senate13x0"):
        tl = ix.timeline(query, by="day", tz=zone)
        days, undated, total = _by_day_from_hits(ix, query, zone)
        assert (tl.total, tl.undated) == (total, undated)
        assert {start.date().isoformat(): n for start, n in tl.buckets if n} == dict(days)
    assert ix.timeline("port").undated >= 2  # the fixture has wholly undated stories to count


def test_every_copy_counted_with_all_copies(ix):
    hits = ix.search("port", all_copies=True, limit=500, snippets=False)
    tl = ix.timeline("port", by="day", all_copies=True)
    days = Counter(h.article.published.date().isoformat() for h in hits if h.article.published is not None)
    assert (tl.total, tl.undated) == (hits.total, sum(h.article.published is None for h in hits))
    assert {start.date().isoformat(): n for start, n in tl.buckets if n} == dict(days)


def test_timelines_kept_with_the_match_set_are_per_period_and_zone(ix):
    """The session keeps each timeline with its match set: asking by another
    period or in another zone, then again, gives each its own right counts."""
    for zone in ("UTC", "Asia/Kolkata", "UTC", "Asia/Kolkata"):
        tl = ix.timeline("port", by="day", tz=zone)
        days, undated, total = _by_day_from_hits(ix, "port", zone)
        assert (tl.tz, tl.total, tl.undated) == (zone, total, undated)
        assert {start.date().isoformat(): n for start, n in tl.buckets if n} == dict(days)
        weekly = ix.timeline("port", by="week", tz=zone)
        assert weekly.by == "week" and sum(n for _s, n in weekly.buckets) == sum(days.values())
    assert ix.timeline("port", by="day") is ix.timeline("port", by="day")  # kept, not counted again
