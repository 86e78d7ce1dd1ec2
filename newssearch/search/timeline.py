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
from .collapse import collapse
from .compile import compile_request
from .recency import Recency
from .request import SearchRequest
from .session import SearchSession
from .totals import matching_docs

__all__ = ["PERIODS", "as_rows", "bar", "render", "timeline"]

#: The periods a timeline counts by.
PERIODS = ("day", "week", "month", "year")


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
    zone = request.tz
    parsed = compile_request(request, session.parser, session.snapshot)
    ranker = session.ranker
    found = ranker.matches(parsed.query, parsed.restrict)
    if found is not None:
        ids = found[0]
    else:
        ids = np.array(sorted(matching_docs(session.snapshot, parsed.query, parsed.restrict)), dtype=np.int64)
    if not request.all_copies:
        # a story counts at its oldest copy's date; which of equally old copies it is does not matter
        oldest = collapse(ranker, (ids, np.zeros(len(ids))), "oldest", Recency(), want=0)
        ids = oldest.representatives[0]
    undated_mask = ranker.column(ids, "undated") != 0
    values = ranker.column(ids, "published")[~undated_mask]
    query, total, undated = request.query, int(len(ids)), int(undated_mask.sum())
    if not len(values):
        return Timeline(query, by, request.tz_name, (), total, undated, parsed.warnings)
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
    return Timeline(query, by, request.tz_name, buckets, total, undated, parsed.warnings)


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
