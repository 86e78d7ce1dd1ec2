"""Date expressions people type, resolved to UTC ranges at search time.

Reporters ask for "yesterday", "last week", "3 days ago", "2w", "since last
monday", not only for "2022-01-27". Every such expression is resolved here,
against a "now" given per search (``--now`` fixes it, so a saved query never
goes stale and tests are reproducible), in the user's zone (``--tz``; UTC by
default). Each expression means a *span*: "2022-01" is all of January,
"yesterday" the whole day, "3 days ago" the instant three days before now.

Query text gets the same treatment: ``published:yesterday``,
``date:>2022-01``, ``published:[last monday TO now]``, ``since:"3 days ago"``
are rewritten to explicit UTC ranges before Whoosh parses the query
(:func:`rewrite_query`), or become filters (:func:`clause_range`, used by
:mod:`newssearch.search.clauses`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Callable

from .dates import UTC, parse_user_date, resolve_zone
from .errors import ConfigError

__all__ = ["DATE_FIELDS", "Span", "clause_range", "has_date_clause", "parse_duration", "resolve", "rewrite_query"]

_UNITS = {
    "s": "seconds", "sec": "seconds", "second": "seconds", "seconds": "seconds",
    "m": "minutes", "min": "minutes", "minute": "minutes", "minutes": "minutes",  # m as Elasticsearch reads it (M: months)
    "h": "hours", "hr": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks",
    "mo": "months", "month": "months", "months": "months", "M": "months",
    "y": "years", "yr": "years", "year": "years", "years": "years",
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$")


@dataclass(frozen=True)
class Span:
    """A stretch of time in UTC, ``start <= t <= end``; a point has start == end."""

    start: datetime
    end: datetime


def _add_months(when: datetime, months: int) -> datetime:
    month = when.month - 1 + months
    year = when.year + month // 12
    month = month % 12 + 1
    day = min(when.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return when.replace(year=year, month=month, day=day)


def _shift(when: datetime, amount: float, unit: str) -> datetime:
    if unit == "months":
        return _add_months(when, -int(amount))
    if unit == "years":
        return _add_months(when, -int(amount) * 12)
    return when - timedelta(**{unit: amount})


def parse_duration(text: str) -> timedelta:
    """``7d``, ``12h``, ``2w``, ``1 month`` -> a timedelta (months are 30 days)."""
    m = _DURATION.match(text)
    unit = _UNITS.get(m.group(2)) or _UNITS.get(m.group(2).lower()) if m else None
    if not m or not unit:
        raise ConfigError(f"cannot read {text!r} as a duration (try 7d, 12h, 2w, 3mo)")
    amount = float(m.group(1))
    if amount <= 0:
        raise ConfigError(f"duration {text!r} must be positive")
    if unit == "months":
        return timedelta(days=30 * amount)
    if unit == "years":
        return timedelta(days=365 * amount)
    return timedelta(**{unit: amount})


def _day(local: datetime) -> Span:
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Span(start, start + timedelta(days=1) - timedelta(microseconds=1))


def _to_utc(span: Span) -> Span:
    return Span(span.start.astimezone(UTC), span.end.astimezone(UTC))


def resolve(text: str, now: datetime | None = None, zone: str | tzinfo | None = None) -> Span:
    """Resolve a date expression to a UTC span.

    Relative forms: ``now``, ``today``, ``yesterday``, ``this/last
    week|month|year``, ``monday`` / ``last monday`` (the most recent one
    before today), ``3 days ago``, ``2w`` (two weeks ago). Anything else is
    read by python-dateutil, and a partial date covers its whole period
    (``2022`` is the year, ``2022-01`` the month, ``2022-01-27`` the day).
    Raises :class:`ConfigError` for text that is not a date, or names a
    month, day or year that does not exist (``2007-13``, ``400000 days ago``).
    """
    try:
        return _resolve(text, now, zone)
    except (ValueError, OverflowError) as exc:
        # only date arithmetic on what the user typed runs here: a value out
        # of the calendar's range ("month must be in 1..12")
        raise ConfigError(f"cannot read {text.strip()!r} as a date: {exc}") from None


def _resolve(text: str, now: datetime | None, zone: str | tzinfo | None) -> Span:
    tz = resolve_zone(zone)
    now = (now or datetime.now(UTC)).astimezone(tz)
    raw = text.strip().strip('"').strip()
    low = " ".join(raw.lower().split())
    if not low:
        raise ConfigError("empty date")
    if low == "now":
        return Span(now.astimezone(UTC), now.astimezone(UTC))
    if low in ("today", "yesterday", "tomorrow"):
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[low]
        return _to_utc(_day(now + timedelta(days=offset)))
    m = re.fullmatch(r"(this|last|previous|past)\s+(week|month|year)", low)
    if m:
        which, unit = m.groups()
        if which == "past":  # "past week": the last seven days up to now
            back = {"week": timedelta(days=7), "month": timedelta(days=30), "year": timedelta(days=365)}[unit]
            return _to_utc(Span(now - back, now))
        day = _day(now).start
        if unit == "week":
            start = day - timedelta(days=day.weekday())
            if which != "this":
                start -= timedelta(days=7)
            end = start + timedelta(days=7)
        elif unit == "month":
            start = day.replace(day=1)
            if which != "this":
                start = _add_months(start, -1)
            end = _add_months(start, 1)
        else:
            start = day.replace(month=1, day=1)
            if which != "this":
                start = start.replace(year=start.year - 1)
            end = start.replace(year=start.year + 1)
        return _to_utc(Span(start, end - timedelta(microseconds=1)))
    m = re.fullmatch(r"(?:(last|this|previous)\s+)?(" + "|".join(_WEEKDAYS) + r")", low)
    if m:
        target = _WEEKDAYS.index(m.group(2))
        days_back = (now.weekday() - target) % 7 or 7
        return _to_utc(_day(now - timedelta(days=days_back)))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]+)\s+ago", low) or re.fullmatch(r"(\d+(?:\.\d+)?)\s*(d|w|h|mo|y|min)", low)
    if m and m.group(2) in _UNITS:
        when = _shift(now, float(m.group(1)), _UNITS[m.group(2)])
        return Span(when.astimezone(UTC), when.astimezone(UTC))
    return _absolute(raw, tz)


def _absolute(raw: str, tz: tzinfo) -> Span:
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", raw)
    if m:  # a year or a month: the whole period
        year, month = int(m.group(1)), m.group(2)
        if month:
            start = datetime(year, int(month), 1, tzinfo=tz)
            end = _add_months(start, 1)
        else:
            start = datetime(year, 1, 1, tzinfo=tz)
            end = start.replace(year=year + 1)
        return _to_utc(Span(start, end - timedelta(microseconds=1)))
    start = parse_user_date(raw, tz)
    end = parse_user_date(raw, tz, end=True)
    return Span(start, end)


# --- query text ----------------------------------------------------------

#: The field names a date clause may use in query text.
DATE_FIELDS = ("published", "date", "time", "when", "since", "until")
_CLAUSE = re.compile(
    r"(?<![\w:])(?P<field>" + "|".join(DATE_FIELDS) + r"):(?P<op>>=|<=|>|<)?"
    r"(?P<value>\[[^\]]*\]|\{[^}]*\}|\"[^\"]*\"|'[^']*'|[^\s()]+)",
    re.IGNORECASE,
)
_WHOOSH_OPEN_START = "18000101000000"
_WHOOSH_OPEN_END = "99991231235959"


def has_date_clause(text: str) -> bool:
    """Whether query text holds a date clause (``published:...``, ``date:...``,
    ``since:...``): the cheap test before rewriting or splitting it."""
    return _CLAUSE.search(text) is not None


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def clause_range(clause: str, now: datetime | None = None, zone: str | tzinfo | None = None) -> tuple[datetime, datetime]:
    """The UTC range one date clause (``published:yesterday``, ``since:2w``,
    ``date:>=2022-01``, ``published:[2021 TO 2022]``) stands for, both ends
    inclusive; raises :class:`ConfigError` when it cannot be read."""
    rewritten = rewrite_query(clause, now, zone)
    m = re.fullmatch(r"published:\[(\d+) TO (\d+)\]", rewritten)
    if m is None:
        raise ConfigError(f"{clause!r} is not a date clause")
    return _from_stamp(m.group(1), end=False), _from_stamp(m.group(2), end=True)


def _from_stamp(stamp: str, end: bool) -> datetime:
    when = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return when + timedelta(microseconds=999999) if end else when


def rewrite_query(text: str, now: datetime | None = None, zone: str | tzinfo | None = None) -> str:
    """Replace every date clause in query text by an explicit UTC range
    Whoosh can read: ``published:yesterday`` becomes
    ``published:[20220126000000 TO 20220126235959]``."""

    def replace(m: re.Match[str]) -> str:
        field = m.group("field").lower()
        op = m.group("op") or ""
        value = m.group("value")
        resolve_here: Callable[[str], Span] = lambda v: resolve(v, now, zone)  # noqa: E731
        try:
            if value[0] in "[{":
                inner = value[1:-1]
                parts = re.split(r"(?:^|\s+)to(?:\s+|$)", inner.strip(), flags=re.IGNORECASE)
                if len(parts) != 2:
                    raise ConfigError(f"a date range needs 'A TO B', got {value!r}")
                lo = _stamp(resolve_here(parts[0]).start) if parts[0].strip() else _WHOOSH_OPEN_START
                hi = _stamp(resolve_here(parts[1]).end) if parts[1].strip() else _WHOOSH_OPEN_END
            else:
                span = resolve_here(value)
                if field == "since" or op in (">", ">="):
                    lo, hi = _stamp(span.end if op == ">" else span.start), _WHOOSH_OPEN_END
                elif field == "until" or op in ("<", "<="):
                    lo, hi = _WHOOSH_OPEN_START, _stamp(span.start if op == "<" else span.end)
                else:
                    if span.start == span.end:  # "2w" as a value: that whole day
                        local = span.start.astimezone(resolve_zone(zone))
                        span = _to_utc(_day(local))
                    lo, hi = _stamp(span.start), _stamp(span.end)
        except ConfigError as exc:
            raise ConfigError(f"in {m.group(0)!r}: {exc}") from None
        return f"published:[{lo} TO {hi}]"

    return _CLAUSE.sub(replace, text)
