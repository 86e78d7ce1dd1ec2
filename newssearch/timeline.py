"""Coverage over time: matching articles counted per day, week, month or year.

"When did coverage spike?" is a count of matches per period. Periods start
at local midnight (Monday for weeks, the 1st for months) in the user's zone,
because a day in Sofia is not a day in UTC; every period between the first
and the last match is listed, empty ones included, so the series can be
drawn or charted as is.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from whoosh.util.times import datetime_to_long, long_to_datetime

from .dates import UTC, resolve_zone
from .errors import ConfigError
from .model import Timeline

if TYPE_CHECKING:
    from .indexer import NewsIndex

__all__ = ["PERIODS", "timeline"]

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


def _long(when: datetime) -> int:
    return datetime_to_long(when.astimezone(UTC).replace(tzinfo=None))


def timeline(
    index: NewsIndex,
    query: str = "",
    *,
    by: str = "week",
    tz: str | tzinfo | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    source: str | Sequence[str] | None = None,
    section: str | Sequence[str] | None = None,
    agency: str | Sequence[str] | None = None,
    now: str | datetime | None = None,
) -> Timeline:
    """Count the articles matching ``query`` (and the filters) per period."""
    from .counting import matching_docs
    from .query import expand_stemmed_prefixes
    from .searcher import _now, _ranker, parse_search

    if by not in PERIODS:
        raise ConfigError(f"unknown period {by!r} (choose from {', '.join(PERIODS)})")
    zone = resolve_zone(tz)
    now = _now(now, zone)
    q, restrict = parse_search(index, query, since=since, until=until, source=source, section=section, agency=agency, tz=zone, now=now)
    s = index.searcher()
    q = expand_stemmed_prefixes(q, s.reader())
    ranker = _ranker(index, s)
    found = ranker.matches(q, restrict)
    ids = found[0] if found is not None else np.array(sorted(matching_docs(s, q, restrict)), dtype=np.int64)
    undated_mask = ranker.column(ids, "undated") != 0
    values = ranker.column(ids, "published")[~undated_mask]
    zone_name = tz if isinstance(tz, str) else (getattr(zone, "zone", None) or str(zone) if tz else "UTC")
    if not len(values):
        return Timeline(query, by, zone_name, (), int(len(ids)), int(undated_mask.sum()))
    first = long_to_datetime(int(values.min())).replace(tzinfo=UTC).astimezone(zone)
    last = long_to_datetime(int(values.max())).replace(tzinfo=UTC).astimezone(zone)
    starts = [_period_start(first, by)]
    while True:
        nxt = _next_start(starts[-1], by, zone)
        if nxt > last:
            break
        starts.append(nxt)
    edges = np.array([_long(start) for start in starts], dtype=np.uint64)
    slots = np.searchsorted(edges, values, side="right") - 1
    counts = np.bincount(slots, minlength=len(starts))
    buckets = tuple((start, int(n)) for start, n in zip(starts, counts))
    return Timeline(query, by, zone_name, buckets, int(len(ids)), int(undated_mask.sum()))


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
    return [{"start": start.isoformat(), "count": n} for start, n in tl.buckets]
