from datetime import datetime, timedelta, timezone

import pytest

from newssearch.errors import ConfigError
from newssearch.search.clauses import split_clauses
from newssearch.timeexpr import clause_range, parse_duration, resolve, rewrite_query

UTC = timezone.utc
NOW = datetime(2022, 1, 27, 15, 30, tzinfo=UTC)  # a Thursday


def span(text, zone=None):
    s = resolve(text, NOW, zone)
    return s.start, s.end


def day(y, m, d):
    start = datetime(y, m, d, tzinfo=UTC)
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("today", day(2022, 1, 27)),
        ("yesterday", day(2022, 1, 26)),
        ("last monday", day(2022, 1, 24)),
        ("thursday", day(2022, 1, 20)),  # the last one before today
        ("2022-01-20", day(2022, 1, 20)),
        ("last week", (datetime(2022, 1, 17, tzinfo=UTC), datetime(2022, 1, 24, tzinfo=UTC) - timedelta(microseconds=1))),
        ("this month", (datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 2, 1, tzinfo=UTC) - timedelta(microseconds=1))),
        ("last year", (datetime(2021, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC) - timedelta(microseconds=1))),
        ("2021-12", (datetime(2021, 12, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC) - timedelta(microseconds=1))),
        ("3 days ago", (NOW - timedelta(days=3), NOW - timedelta(days=3))),
        ("2w", (NOW - timedelta(weeks=2), NOW - timedelta(weeks=2))),
        ("now", (NOW, NOW)),
    ],
)
def test_resolve(text, expected):
    assert span(text) == expected


def test_resolve_in_a_zone():
    # "today" in Sofia (UTC+2) starts at 22:00 UTC the day before
    start, end = span("today", "Europe/Sofia")
    assert start == datetime(2022, 1, 26, 22, tzinfo=UTC) and end == datetime(2022, 1, 27, 21, 59, 59, 999999, tzinfo=UTC)


def test_bad_expressions():
    for text in ("someday", "", "3 fortnights ago"):
        with pytest.raises(ConfigError):
            resolve(text, NOW)


def test_durations():
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("2w") == timedelta(weeks=2)
    with pytest.raises(ConfigError):
        parse_duration("soon")


def test_rewrite_and_split():
    assert rewrite_query("published:yesterday", NOW) == "published:[20220126000000 TO 20220126235959]"
    assert rewrite_query("date:>=2022-01", NOW) == "published:[20220101000000 TO 99991231235959]"
    assert rewrite_query("published:[2021 TO ]", NOW) == "published:[20210101000000 TO 99991231235959]"
    assert clause_range("date:2022-01", NOW) == (datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 1, 31, 23, 59, 59, 999999, tzinfo=UTC))
    found = split_clauses('minsk since:"last monday" AND until:today', NOW, UTC)
    assert found.text == "minsk"
    assert found.ranges[0][0] == datetime(2022, 1, 24, tzinfo=UTC)
    assert found.ranges[1][1] == datetime(2022, 1, 27, 23, 59, 59, 999999, tzinfo=UTC)
    # inside parentheses or after OR/NOT a date clause stays in the query
    kept = split_clauses("a OR published:2021", NOW, UTC)
    assert (kept.text, kept.ranges) == ("a OR published:2021", [])
