"""Every date becomes timezone-aware UTC here, and only here.

News text carries dates in every shape (``Wed Mar 21, 2007 3:36am EDT``,
``2022-01-27 13:34:44``, ``20070101 11:47 PM EST``, epoch numbers in JSON).
python-dateutil parses them; this module adds what news needs on top:

* the zone abbreviations newsrooms print (EST/EDT, CET/CEST, EET/EEST, BST,
  IST, JST, ...), which dateutil does not know by itself;
* a *default zone* for times printed without one, and a flag saying the zone
  was assumed, so nobody mistakes a guess for a fact;
* plausibility: a date before 1800 or in the future of the run is a misread
  (a page's copyright year, a build stamp), not a publication time.

Whoosh's DATETIME field drops ``tzinfo`` without converting, so the indexer
must only ever see the UTC values made here.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Union

from dateutil import parser as du_parser
from dateutil import tz as du_tz

from .errors import ConfigError

__all__ = [
    "UTC",
    "ParsedDate",
    "RejectedDate",
    "UNREADABLE",
    "ZONE_ABBREVIATIONS",
    "ZONE_REGIONS",
    "find_date",
    "date_span",
    "format_datetime",
    "implausible",
    "judge_date",
    "judge_found_date",
    "parse_date",
    "parse_user_date",
    "resolve_zone",
]

UTC = timezone.utc

_H = 3600
#: Zone abbreviations seen in news datelines, as UTC offsets in seconds.
#: Where an abbreviation is ambiguous the newsroom reading wins (IST is India,
#: CST is US Central).
ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0,
    "BST": 1 * _H, "IST": int(5.5 * _H), "CET": 1 * _H, "CEST": 2 * _H, "MET": 1 * _H,
    "MEST": 2 * _H, "WEST": 1 * _H, "EET": 2 * _H, "EEST": 3 * _H, "MSK": 3 * _H,
    "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H,
    "AKST": -9 * _H, "AKDT": -8 * _H, "HST": -10 * _H, "AST": -4 * _H, "ADT": -3 * _H,
    "NST": int(-3.5 * _H), "NDT": int(-2.5 * _H),
    "JST": 9 * _H, "KST": 9 * _H, "HKT": 8 * _H, "SGT": 8 * _H, "PHT": 8 * _H,
    "WIB": 7 * _H, "ICT": 7 * _H, "PKT": 5 * _H, "GST": 4 * _H, "SAST": 2 * _H,
    "WAT": 1 * _H, "CAT": 2 * _H, "EAT": 3 * _H, "TRT": 3 * _H,
    "AEST": 10 * _H, "AEDT": 11 * _H, "ACST": int(9.5 * _H), "ACDT": int(10.5 * _H),
    "AWST": 8 * _H, "NZST": 12 * _H, "NZDT": 13 * _H,
    "MEZ": 1 * _H, "MESZ": 2 * _H, "OEZ": 2 * _H, "OESZ": 3 * _H, "WEZ": 0, "WESZ": 1 * _H,
    "BRT": -3 * _H, "ART": -3 * _H, "CLT": -4 * _H, "COT": -5 * _H, "PET": -5 * _H,
    "WITA": 8 * _H, "WIT": 9 * _H, "NPT": int(5.75 * _H), "IRST": int(3.5 * _H),
}
#: Abbreviations that name a region's clock rather than one offset ("10 a.m.
#: ET" is EDT in July and EST in January): read in that region's IANA zone.
ZONE_REGIONS: dict[str, str] = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles", "UK": "Europe/London",
}

_TZINFOS: dict[str, tzinfo] = {name: du_tz.tzoffset(name, off) for name, off in ZONE_ABBREVIATIONS.items()}
_TZINFOS.update({name: du_tz.gettz(region) for name, region in ZONE_REGIONS.items() if du_tz.gettz(region)})
# dateutil fills missing fields from ``default``: year 1 makes a date without a
# year implausible instead of silently "this year".
_NO_YEAR = datetime(1, 1, 1)
EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
#: Why a value shaped like a date is not used when no day or time it names exists.
UNREADABLE = "no such day or time (it does not read as a date)"

DateInput = Union[str, int, float, datetime, date, None]


@dataclass(frozen=True)
class ParsedDate:
    """A publication time in UTC, and whether its zone was a guess."""

    value: datetime
    tz_assumed: bool


@dataclass(frozen=True)
class RejectedDate:
    """A date that was read but cannot be a publication time, and why
    (``date 2091-03-01 is in the future``), so readers can report it."""

    text: str
    reason: str


def resolve_zone(zone: str | tzinfo | None) -> tzinfo:
    """Return the tzinfo for an IANA name (``Europe/Sofia``), an abbreviation,
    an offset (``+02:00``) or ``UTC``; raise :class:`ConfigError` otherwise."""
    if zone is None:
        return UTC
    if isinstance(zone, tzinfo):
        return zone
    name = zone.strip()
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    if name.upper() in _TZINFOS:
        return _TZINFOS[name.upper()]
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?", name, re.I)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        seconds = sign * (int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60)
        offset: tzinfo = du_tz.tzoffset(name, seconds)
        return offset
    found: tzinfo | None = du_tz.gettz(name)
    if found is None:
        raise ConfigError(f"unknown time zone {zone!r} (use an IANA name such as Europe/Sofia, or an offset such as +02:00)")
    return found


def _finish(value: datetime, default_tz: tzinfo, now: datetime | None, text: str = "") -> ParsedDate | RejectedDate | None:
    assumed = value.tzinfo is None or value.utcoffset() is None
    if assumed:
        value = value.replace(tzinfo=default_tz)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return RejectedDate(text or str(value), f"year {value.year} is out of range")
    reason = implausible(utc, now)
    if reason is not None:
        return RejectedDate(text or value.isoformat(), reason)
    return ParsedDate(utc, assumed)


def implausible(value: datetime, now: datetime | None = None) -> str | None:
    """Return why ``value`` cannot be a publication time, or None if it can."""
    now = now or datetime.now(UTC)
    if value < EARLIEST:
        return f"date {value.date().isoformat()} is before 1800"
    if value > now + timedelta(days=1):
        return f"date {value.date().isoformat()} is in the future"
    return None


def parse_date(
    value: DateInput, default_tz: str | tzinfo | None = None, *, now: datetime | None = None
) -> ParsedDate | None:
    """Parse a whole value that should be a date (a JSON field, a header line).

    Strings go through dateutil with the news zone abbreviations; numbers are
    Unix epoch seconds (or milliseconds when too large to be seconds), which
    are UTC by definition. Returns None for anything that is not a plausible
    publication time, so a reader keeps the article and records no date
    (:func:`judge_date` says why).
    """
    judged = judge_date(value, default_tz, now=now)
    return judged if isinstance(judged, ParsedDate) else None


def judge_date(
    value: DateInput, default_tz: str | tzinfo | None = None, *, now: datetime | None = None
) -> ParsedDate | RejectedDate | None:
    """Like :func:`parse_date`, but a date that was read and is implausible,
    or text shaped like a date all through that names no real day or time
    (``Feb 30, 2007 25:61pm``), comes back as a :class:`RejectedDate` with
    the reason, so the reader can tell the user why an article has no
    date. None means "not a date"."""
    zone = resolve_zone(default_tz)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _finish(value, zone, now)
    if isinstance(value, date):
        return _finish(datetime(value.year, value.month, value.day), zone, now)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch(float(value), now)
    text = _clean(str(value))
    if not text:
        return None
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text), now)
    quick = _quick_parse(text)
    if quick is not None:
        return _finish(quick, zone, now, text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = du_parser.parse(text, default=_NO_YEAR, tzinfos=_TZINFOS, dayfirst=_dayfirst(text))
    except (ValueError, OverflowError, TypeError, du_parser.ParserError):
        # a value shaped like a date all through ("Fri Feb 30, 2007 25:61pm
        # EST") is a date that cannot be, and the reader says so
        return RejectedDate(text, UNREADABLE) if date_span(text) == (0, len(text)) else None
    if parsed.year == 1:
        return None  # no year in the text: not a date we can place
    return _finish(parsed, zone, now, text)


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# "Wed Mar 21, 2007 3:36am EDT" (wire copy) and "20070101 11:47 PM EST" (feeds)
_WIRE = re.compile(
    r"(?:[A-Za-z]{3},? )?([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2}) ?([ap]m) ([A-Z]{2,5})",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2}) (\d{1,2}):(\d{2}) ?([ap]m) ([A-Z]{2,5})", re.IGNORECASE)


def _quick_parse(text: str) -> datetime | None:
    """The few shapes that make up most news timestamps, without dateutil
    (about 30x faster; dateutil was a tenth of indexing wire copy). Anything
    else, or anything odd in these, returns None and goes to dateutil."""
    if len(text) >= 10 and text[4:5] == "-" and text[:4].isdigit():
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        except ValueError:
            return None
    m = _WIRE.fullmatch(text) or _COMPACT.fullmatch(text)
    if m is None:
        return None
    if m.re is _WIRE:
        month = _MONTHS.get(m.group(1).lower())
        day, year = int(m.group(2)), int(m.group(3))
    else:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hour, minute = int(m.group(4)), int(m.group(5))
    zone = _TZINFOS.get(m.group(7).upper())
    if month is None or zone is None or not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if m.group(6).lower() == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None


def _from_epoch(seconds: float, now: datetime | None) -> ParsedDate | RejectedDate | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000.0
    try:
        value = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return RejectedDate(f"{seconds:.0f}", "epoch time out of range")
    reason = implausible(value, now)
    return ParsedDate(value, False) if reason is None else RejectedDate(f"{seconds:.0f}", reason)


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    text = re.sub(r"\s+", " ", text)
    # "3:36am" and "3.36 p.m." are common in news; dateutil wants "3:36 am".
    text = re.sub(r"\b([ap])\.m\.", r"\1m", text, flags=re.I)
    return text.strip("[]() ")


def _dayfirst(text: str) -> bool:
    # 27.01.2022 is European; 01/27/2022 is American. A first number over 12
    # settles it either way.
    m = re.search(r"\b(\d{1,2})([./])(\d{1,2})\2\d{2,4}\b", text)
    if not m:
        return False
    first, sep = int(m.group(1)), m.group(2)
    return first > 12 or sep == "."


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
# a time after the date: "27 January 2022 13:34", "..., at 1:34 p.m.", and
# after a separator page templates put between them ("27 January 2022 | 13:34",
# "January 27, 2022 • 1:34 PM", "27.01.2022 - 13:34")
_TIME_SEPARATOR = r"\s*[|\u2022\u00b7\u2013\u2014]\s*|\s+[-/]\s+"
_TIME = (
    r"(?:(?:(?:,|\s)\s*(?:at\s+)?|" + _TIME_SEPARATOR + r")\d{1,2}(?:[:.]\d{2}){1,2}(?:\.\d+)?\s*(?:[ap]\.?m\.?)?"
    r"|\s*,?\s+\d{1,2}\s*[ap]\.?m\.?)?"
)
_ZONE = (
    r"(?:\s*\(?(?:(?:UTC|GMT)?\s*[+-]\d{2}:?\d{2}|"
    + "|".join(sorted((k for k in [*ZONE_ABBREVIATIONS, *ZONE_REGIONS] if len(k) > 1), key=len, reverse=True))
    + r")\)?(?![A-Za-z]))?"
)
_DATE_PATTERNS = [
    # 2022-01-27 13:34:44, 2022-01-27T13:34:44+02:00, 2022/01/27
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s*Z|[+-]\d{2}:?\d{2})?",
    # Wed Mar 21, 2007 3:36am EDT; January 27, 2022 at 1:34 p.m.
    _WEEKDAY + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}",
    # 27 January 2022 13:34
    _WEEKDAY + r"\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+\d{4}",
    # 27.01.2022 13:34, 01/27/2022
    r"\d{1,2}[./]\d{1,2}[./]\d{4}",
    # 20070101 11:47 PM EST (compact date, only with a time after it)
    r"(?:19|20)\d{6}(?=\s+\d{1,2}:\d{2})",
]


@cache
def _finder() -> re.Pattern[str]:
    """Every date shape above in one pattern, compiled on first use: ~8 ms,
    and only reading articles looks for dates in text (a search's start-up
    does not)."""
    return re.compile(
        r"(?<![\w.:/-])(?:" + "|".join(f"(?:{p})" for p in _DATE_PATTERNS) + r")" + _TIME + _ZONE + r"(?![\w])",
        re.I,
    )


def find_date(
    text: str, default_tz: str | tzinfo | None = None, *, now: datetime | None = None
) -> ParsedDate | None:
    """Find the first plausible date written inside ``text`` (a date line, a
    dateline, a ``Published:`` line) and parse it."""
    judged = judge_found_date(text, default_tz, now=now)
    return judged if isinstance(judged, ParsedDate) else None


def judge_found_date(
    text: str, default_tz: str | tzinfo | None = None, *, now: datetime | None = None
) -> ParsedDate | RejectedDate | None:
    """Like :func:`find_date`; when no date in the text can be used (each
    implausible, or shaped like a date but naming no real day or time), the
    first one comes back as a :class:`RejectedDate` saying why."""
    rejected: RejectedDate | None = None
    for m in _finder().finditer(text.replace("\u00a0", " ")):
        found = judge_date(re.sub(_TIME_SEPARATOR, " ", m.group(0)), default_tz, now=now)
        if isinstance(found, ParsedDate):
            return found
        if rejected is None:
            rejected = found if isinstance(found, RejectedDate) else RejectedDate(m.group(0), UNREADABLE)
    return rejected


def date_span(text: str) -> tuple[int, int] | None:
    """Return where the first date expression in ``text`` lies, if any."""
    m = _finder().search(text.replace("\u00a0", " "))
    return (m.start(), m.end()) if m else None


def parse_user_date(
    value: str | datetime, zone: str | tzinfo | None = None, *, end: bool = False
) -> datetime:
    """Parse a date a user typed (``--since 2022-01-01``) into UTC.

    A bare date means the start of that day in ``zone`` or, with ``end=True``,
    the end of it, so ``--until 2022-01-27`` includes the whole 27th.
    Raises :class:`ConfigError` for text that is not a date.
    """
    tzone = resolve_zone(zone)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=tzone)
        return aware.astimezone(UTC)
    text = _clean(value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed: datetime = du_parser.parse(text, tzinfos=_TZINFOS, dayfirst=_dayfirst(text), default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError, du_parser.ParserError):
        raise ConfigError(f"cannot read {value!r} as a date (try 2022-01-27 or '27 Jan 2022 14:00 CET')") from None
    has_time = bool(re.search(r"\d:\d|\d\s*[ap]\.?m", text, re.I))
    if end and not has_time:
        parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999999)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tzone)
    return parsed.astimezone(UTC)


def format_datetime(value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """Show a stored UTC time in ``zone`` (UTC by default), with the zone named."""
    if value is None:
        return "no date"
    tzone = resolve_zone(zone)
    local = value.astimezone(tzone)
    name = local.tzname() or "UTC"
    return local.strftime("%Y-%m-%d %H:%M ") + name
