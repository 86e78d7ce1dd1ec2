from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newssearch.dates import (
    UNREADABLE,
    ZONE_ABBREVIATIONS,
    RejectedDate,
    find_date,
    format_datetime,
    judge_date,
    judge_found_date,
    parse_date,
    parse_user_date,
    resolve_zone,
)
from newssearch.errors import ConfigError

UTC = timezone.utc


@pytest.mark.parametrize(
    "text, expected, assumed",
    [
        ("Wed Mar 21, 2007 3:36am EDT", datetime(2007, 3, 21, 7, 36, tzinfo=UTC), False),
        ("Sun Dec 31, 2006 8:57am EST", datetime(2006, 12, 31, 13, 57, tzinfo=UTC), False),
        ("20070101\u00a011:47 PM EST", datetime(2007, 1, 2, 4, 47, tzinfo=UTC), False),
        ("2022-01-27 13:34:44", datetime(2022, 1, 27, 13, 34, 44, tzinfo=UTC), True),
        ("2024-09-22T10:40:25+03:00", datetime(2024, 9, 22, 7, 40, 25, tzinfo=UTC), False),
        ("Fri, 13 Sep 2024 07:00:00 GMT", datetime(2024, 9, 13, 7, 0, tzinfo=UTC), False),
        ("14 March 2024, 08:15 CET", datetime(2024, 3, 14, 7, 15, tzinfo=UTC), False),
        ("3 June 2021 09:12 BST", datetime(2021, 6, 3, 8, 12, tzinfo=UTC), False),
        ("2021-06-03 14:00 IST", datetime(2021, 6, 3, 8, 30, tzinfo=UTC), False),
        ("2021-06-03 09:00 JST", datetime(2021, 6, 3, 0, 0, tzinfo=UTC), False),
        ("2021-06-03 10:00 EEST", datetime(2021, 6, 3, 7, 0, tzinfo=UTC), False),
    ],
)
def test_parse_date_converts_to_utc(text, expected, assumed):
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.tz_assumed is assumed


def test_naive_time_is_read_in_the_default_zone_and_flagged():
    parsed = parse_date("2022-01-27 13:34:44", "Europe/Sofia")
    assert parsed.value == datetime(2022, 1, 27, 11, 34, 44, tzinfo=UTC)
    assert parsed.tz_assumed


def test_epoch_numbers_are_utc():
    parsed = parse_date(1643290484)
    assert parsed.value == datetime(2022, 1, 27, 13, 34, 44, tzinfo=UTC)
    assert not parsed.tz_assumed
    assert parse_date(1643290484000).value == parsed.value  # milliseconds


@pytest.mark.parametrize("text", ["", "no date here", "March 5", "13:34", "Copyright 1700", "2999-01-01", "2020-13-45"])
def test_implausible_or_missing_dates_give_none(text):
    assert parse_date(text) is None


def test_future_dates_are_rejected_relative_to_now():
    now = datetime(2020, 1, 1, tzinfo=UTC)
    assert parse_date("2021-05-01", now=now) is None
    assert parse_date("2019-05-01", now=now) is not None


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Link [2022-01-27 13:34:44]", datetime(2022, 1, 27, 13, 34, 44, tzinfo=UTC)),
        ("Published: January 27, 2022 at 1:34 p.m. EET", datetime(2022, 1, 27, 11, 34, tzinfo=UTC)),
        ("Posted on 27.01.2022 14:05", datetime(2022, 1, 27, 14, 5, tzinfo=UTC)),
        ("Updated 3 June 2021, 09:12 BST", datetime(2021, 6, 3, 8, 12, tzinfo=UTC)),
        ("Reuters November 18, 2019 11:03 PM", datetime(2019, 11, 18, 23, 3, tzinfo=UTC)),
    ],
)
def test_find_date_inside_a_line(line, expected):
    assert find_date(line).value == expected


def test_find_date_ignores_ids_and_bare_numbers():
    assert find_date("story id 20070101 and 1643290484") is None


def test_resolve_zone_forms():
    assert resolve_zone("UTC") is UTC
    assert resolve_zone("+02:00").utcoffset(None) == timedelta(hours=2)
    assert resolve_zone("EST").utcoffset(None) == timedelta(hours=-5)
    assert resolve_zone("Europe/Sofia") is not None
    with pytest.raises(ConfigError):
        resolve_zone("Mars/Olympus_Mons")


def test_user_dates_cover_the_whole_day_at_the_end():
    assert parse_user_date("2022-01-27") == datetime(2022, 1, 27, tzinfo=UTC)
    assert parse_user_date("2022-01-27", end=True) == datetime(2022, 1, 27, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_user_date("2022-01-27", "Europe/Sofia") == datetime(2022, 1, 26, 22, tzinfo=UTC)
    with pytest.raises(ConfigError):
        parse_user_date("not a date")


def test_format_datetime_in_a_chosen_zone():
    when = datetime(2022, 1, 27, 13, 34, tzinfo=UTC)
    assert format_datetime(when) == "2022-01-27 13:34 UTC"
    assert format_datetime(when, "Europe/Sofia") == "2022-01-27 15:34 EET"
    assert format_datetime(None) == "no date"


def test_every_abbreviation_parses():
    for name, offset in ZONE_ABBREVIATIONS.items():
        if len(name) < 2:
            continue
        parsed = parse_date(f"2021-01-15 12:00 {name}")
        assert parsed is not None, name
        assert parsed.value == datetime(2021, 1, 15, 12, tzinfo=UTC) - timedelta(seconds=offset), name


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_read_without_error(text):
    # random text almost never holds a date: this only shows that reading
    # never raises; the test below holds what is read to the instant written
    for parsed in (parse_date(text), find_date(text)):
        if parsed is not None:
            assert parsed.value.utcoffset() == timedelta(0)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _clock12(when: datetime, pm: str = "pm", am: str = "am") -> str:
    return f"{when.hour % 12 or 12}:{when:%M}{pm if when.hour >= 12 else am}"


#: How newsrooms, feeds and pages write a time (the shapes the tests above
#: pin one example of each): (format, whether it shows seconds). ``{z}`` is
#: the zone as written; formats without one are read in the default zone.
DATE_FORMATS = {
    "iso": (lambda w, z: f"{w:%Y-%m-%dT%H:%M:%S}{z}", True),
    "iso_space": (lambda w, z: f"{w:%Y-%m-%d %H:%M:%S} {z}".rstrip(), True),
    "wire": (lambda w, z: f"{WEEKDAYS[w.weekday()][:3]} {MONTHS[w.month - 1][:3]} {w.day}, {w.year} {_clock12(w)} {z}", False),
    "compact": (lambda w, z: f"{w:%Y%m%d}\u00a0{_clock12(w, ' PM', ' AM')} {z}", False),
    "rfc822": (lambda w, z: f"{WEEKDAYS[w.weekday()][:3]}, {w.day:02d} {MONTHS[w.month - 1][:3]} {w.year} {w:%H:%M:%S} {z}".rstrip(), True),
    "day_month": (lambda w, z: f"{w.day} {MONTHS[w.month - 1]} {w.year}, {w:%H:%M} {z}".rstrip(), False),
    "month_day_at": (lambda w, z: f"{MONTHS[w.month - 1]} {w.day}, {w.year} at {_clock12(w, ' p.m.', ' a.m.')} {z}".rstrip(), False),
    "dotted": (lambda w, z: f"{w:%d.%m.%Y %H:%M} {z}".rstrip(), False),
}
#: Formats that only read with a zone abbreviation after them.
NEEDS_ABBREVIATION = {"wire", "compact"}
FIXED = sorted(k for k in ZONE_ABBREVIATIONS if len(k) > 1)


@st.composite
def written_dates(draw):
    """A time as a page or feed writes it, and the UTC instant it means:
    (text, default zone, expected UTC value, whether the zone is assumed)."""
    wall = draw(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2019, 12, 30)))
    name = draw(st.sampled_from(sorted(DATE_FORMATS)))
    render, with_seconds = DATE_FORMATS[name]
    wall = wall.replace(microsecond=0, second=wall.second if with_seconds else 0)
    kinds = ["abbreviation"] if name in NEEDS_ABBREVIATION else ["abbreviation", "offset", "none"]
    kind = draw(st.sampled_from(kinds))
    default = draw(st.sampled_from(["+02:00", "-05:00", "+05:30", "UTC"]))
    if kind == "abbreviation":
        zone = draw(st.sampled_from(FIXED))
        offset = timedelta(seconds=ZONE_ABBREVIATIONS[zone])
    elif kind == "offset":
        minutes = draw(st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15))
        offset = timedelta(minutes=minutes)
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        if name != "iso":
            zone = zone.replace(":", "")  # "+0200", as RFC 822 and most pages write it
    else:
        zone = ""
        offset = resolve_zone(default).utcoffset(None)
    text = render(wall, zone if name != "iso" or kind != "abbreviation" else " " + zone)
    expected = (wall - offset).replace(tzinfo=UTC)
    return text, default, expected, kind == "none"


@settings(max_examples=400, deadline=None)
@given(written_dates(), st.sampled_from(["", "Published: ", "Updated ", "By Staff | ", "Posted on "]), st.sampled_from(["", ".", " - Reuters", " | Politics"]))
def test_a_written_date_is_read_as_the_instant_it_means_in_utc(written, before, after):
    text, default, expected, assumed = written
    for parsed in (parse_date(text, default), find_date(before + text + after, default)):
        assert parsed is not None, (text, before, after)  # every example is a date the reader must read
        assert parsed.value.tzinfo is not None and parsed.value.utcoffset() == timedelta(0)
        assert parsed.value == expected, (text, default)
        assert parsed.tz_assumed is assumed, text


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2020, 1, 1)), st.sampled_from(sorted(ZONE_ABBREVIATIONS)))
def test_round_trip_with_zone_abbreviations(when, zone):
    if len(zone) < 2:
        return
    text = when.strftime("%Y-%m-%d %H:%M:%S ") + zone
    parsed = parse_date(text)
    expected = (when - timedelta(seconds=ZONE_ABBREVIATIONS[zone])).replace(microsecond=0, tzinfo=UTC)
    assert parsed is not None and parsed.value == expected


def test_judge_date_says_why_a_date_is_not_used():
    from newssearch.dates import ParsedDate, RejectedDate, judge_date, judge_found_date

    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert judge_date("2091-03-01", now=now) == RejectedDate("2091-03-01", "date 2091-03-01 is in the future")
    assert judge_date("1712-05-01").reason == "date 1712-05-01 is before 1800"
    assert judge_date(4102444800, now=now).reason.endswith("is in the future")  # epoch seconds, 2100
    assert judge_date("not a date") is None and judge_date("March 3") is None  # no year: not a date
    assert isinstance(judge_date("2024-03-01", now=now), ParsedDate)
    found = judge_found_date("Published 3 Mar 2095, updated 4 Apr 2096", now=now)
    assert isinstance(found, RejectedDate) and "2095-03-03" in found.reason
    assert judge_found_date("Updated 4 Apr 2096; first published 3 Mar 2024", now=now).value.year == 2024


def test_region_zones_follow_daylight_saving():
    from newssearch.dates import parse_date

    # "ET" is EST in January and EDT in July
    assert parse_date("Jan 15, 2024 10:00 ET").value == datetime(2024, 1, 15, 15, 0, tzinfo=timezone.utc)
    assert parse_date("Jul 15, 2024 10:00 ET").value == datetime(2024, 7, 15, 14, 0, tzinfo=timezone.utc)
    assert parse_date("15.07.2024 10:00 MESZ").value == datetime(2024, 7, 15, 8, 0, tzinfo=timezone.utc)
    assert not parse_date("Jul 15, 2024 10:00 PT").tz_assumed


@pytest.mark.parametrize("text", ["Fri Feb 30, 2007 25:61pm EST", "Fri Feb 30, 2007 1:01pm EST", "Jun 31, 2007", "13/45/2007"])
def test_a_value_shaped_like_a_date_that_names_no_real_day_is_rejected_with_a_reason(text):
    assert judge_date(text) == RejectedDate(text, UNREADABLE)
    found = judge_found_date(f"Published {text}")
    assert isinstance(found, RejectedDate) and found.reason == UNREADABLE
    assert parse_date(text) is None and find_date(text) is None  # the plain readers still return no date


def test_text_that_is_no_date_is_not_rejected():
    assert judge_date("hello") is None and judge_date("n/a") is None
    assert judge_found_date("no date here, 2007 was a year") is None
