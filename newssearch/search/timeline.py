"""Coverage over time: matching articles counted per day, week, month or year.

"When did coverage spike?" is a count of matches per period. Periods start
at local midnight (Monday for weeks, the 1st for months) in the user's zone,
because a day in Sofia is not a day in UTC; every period between the first
and the last match is listed, empty ones included, so the series can be
drawn or charted as is.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

import numpy as np

from ..budget import time_budget
from ..engine.query import from_long, to_long
from ..errors import ConfigError
from ..model import Timeline
from .ranker import Ranker
from .request import SearchRequest
from .results import find_matches
from .session import SearchSession

__all__ = ["PERIODS", "as_rows", "bar", "render", "timeline"]

#: The periods a timeline counts by.
PERIODS = ("day", "week", "month", "year")
#: An undated article's key when a story's oldest copy is looked for: after every date.
_UNDATED = np.uint64(2**64 - 1)


def _period_start(local: datetime, by: str) -> datetime:
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_start(start: datetime, by: str, zone: tzinfo) -> datetime:
    if by in ("day", "week"):
        naive = start.replace(tzinfo=None) + timedelta(days=1 if by == "day" else 7)
    elif by == "month":
        naive = start.replace(tzinfo=None, year=start.year + start.month // 12, month=start.month % 12 + 1)
    else:
        naive = start.replace(tzinfo=None, year=start.year + 1)
    return naive.replace(tzinfo=zone)  # wall-clock midnight, whatever the DST offset


def timeline(session: SearchSession, request: SearchRequest, by: str = "week") -> Timeline:
    """Count the stories matching the request's query and filters per
    period (``by``: day, week, month or year), periods starting at local
    midnight in the request's zone. A story counts once, when its first
    matching copy was published; with ``request.all_copies`` every article
    counts. Raises :class:`~newssearch.errors.SearchTimedOut` when it runs
    past the request's ``timeout``."""
    if by not in PERIODS:
        raise ConfigError(f"unknown period {by!r} (choose from {', '.join(PERIODS)})", option="by")
    with time_budget(request.timeout):
        return _count(session, request, by)


def _count(session: SearchSession, request: SearchRequest, by: str) -> Timeline:
    # the same match set as the search's (remembered with the session: the search page asks for both)
    matches = find_matches(session, request)
    ids = matches.found[0]
    per_story = not request.all_copies

    def dates() -> tuple[tuple[np.ndarray, np.ndarray], int]:
        undated, published = _dates(session.ranker, ids, per_story=per_story)
        undated.flags.writeable = published.flags.writeable = False
        return (undated, published), undated.nbytes + published.nbytes

    def count() -> tuple[Timeline, int]:
        # the dates of a kept match set are kept with it (a timeline by another period, in another zone)
        undated, values = session.derived(("dates", matches.key, per_story), dates) if matches.key is not None else dates()[0]
        tl = _periods(request, by, undated, values, matches.warnings)
        return tl, 100 + 64 * len(tl.buckets)

    # a timeline is immutable: the one counted for this match set, period and zone is kept whole
    return session.derived(("timeline", matches.key, per_story, by, request.tz_name), count) if matches.key is not None else count()[0]


def _periods(request: SearchRequest, by: str, undated_mask: np.ndarray, values: np.ndarray, warnings: tuple[str, ...]) -> Timeline:
    """The counts per period of the dated ``values`` (publication times), every period from the first to the last."""
    zone = request.tz
    query, total, undated = request.query, len(undated_mask), int(undated_mask.sum())
    if not len(values):
        return Timeline(query, by, request.tz_name, (), total, undated, warnings)
    first = from_long(int(values.min())).astimezone(zone)
    last = from_long(int(values.max())).astimezone(zone)
    starts = [_period_start(first, by)]
    while True:
        nxt = _next_start(starts[-1], by, zone)
        if nxt > last:
            break
        starts.append(nxt)
    edges = np.array([to_long(start) for start in starts], dtype=np.uint64)
    slots = np.searchsorted(edges, values, side="right") - 1
    counts = np.bincount(slots, minlength=len(starts))
    buckets = tuple((start, int(n)) for start, n in zip(starts, counts))
    return Timeline(query, by, request.tz_name, buckets, total, undated, warnings)


def _dates(ranker: Ranker, ids: np.ndarray, *, per_story: bool) -> tuple[np.ndarray, np.ndarray]:
    """Whether each counted item is undated, and the publication times of
    the dated ones: per article, or per story (``per_story``) at its oldest
    dated copy, a story with no dated copy counting as undated.

    Per story, one stable sort by story and a minimum per run: which of
    equally old copies stands for the story does not change its date, so
    there is no representative to choose (collapsing as the hits do ordered
    every match by three keys; the counts are the same)."""
    undated = ranker.column(ids, "undated") != 0
    published = ranker.column(ids, "published")
    if not per_story or not len(ids):
        return undated, published[~undated]
    stories = ranker.column(ids, "story")
    order = np.argsort(stories, kind="stable")
    ordered = stories[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    oldest = np.minimum.reduceat(np.where(undated, _UNDATED, published)[order], starts)
    story_undated = oldest == _UNDATED
    return story_undated, oldest[~story_undated]


def bar(fraction: float, width: int) -> str:
    """A horizontal bar of ``fraction`` x ``width`` cells, in eighths."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return "\u2588" * full + ("" if not rest else " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"[rest])


def render(tl: Timeline, width: int, label_format: str | None = None) -> list[str]:
    """The timeline as text lines: label, bar, count; fits ``width`` columns."""
    if not tl.buckets:
        return []
    fmt = label_format or {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[tl.by]
    labels = [start.strftime(fmt) for start, _ in tl.buckets]
    peak = max(n for _, n in tl.buckets) or 1
    count_width = len(f"{peak:,}")
    bar_width = max(10, width - max(len(x) for x in labels) - count_width - 3)
    return [f"{label} {bar(n / peak, bar_width):<{bar_width}} {n:>{count_width},}" for label, (_, n) in zip(labels, tl.buckets)]


def as_rows(tl: Timeline) -> list[dict[str, Any]]:
    """The buckets as JSON-ready rows: ``{"start": ISO 8601, "count": n}``."""
    return [{"start": start.isoformat(), "count": n} for start, n in tl.buckets]
