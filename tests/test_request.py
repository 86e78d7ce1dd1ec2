"""SearchRequest: one request type, validated once, built from keywords or values."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import newssearch as ns
from newssearch.errors import ConfigError
from newssearch.search.request import MAX_LIMIT, Filters, SearchRequest

UTC = timezone.utc
NOW = datetime(2022, 1, 28, 12, tzinfo=UTC)


def test_build_reads_what_a_user_types():
    r = SearchRequest.build("minsk", since="yesterday", until="2022-01-28", source="Wire", agency=["Reuters", "AFP"],
                            tz="Europe/Sofia", now=NOW, half_life="3d", page=3, limit=20, facets=["source"])
    # yesterday in Sofia (UTC+2) starts at 22:00 UTC the day before; a bare --until includes that whole day
    assert r.filters.since == datetime(2022, 1, 26, 22, tzinfo=UTC)
    assert r.filters.until == datetime(2022, 1, 28, 21, 59, 59, 999999, tzinfo=UTC)
    assert r.filters.sources == ("Wire",) and r.filters.agencies == ("Reuters", "AFP") and r.filters.sections == ()
    assert r.tz_name == "Europe/Sofia" and r.now == NOW and r.half_life == timedelta(days=3)
    assert (r.offset, r.limit, r.facets) == (40, 20, ("source",))
    assert SearchRequest.build("x", now="2022-01-28 14:00", tz="Europe/Sofia").now == datetime(2022, 1, 28, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "options, option",
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"now": "not a time"}, "now"),
        ({"since": "someday maybe"}, "since"),
        ({"until": "2022-13-45"}, "until"),
        ({"since": "2022-02-01", "until": "2022-01-01"}, "since"),
        ({"sort": "sideways"}, "sort"),
        ({"limit": -1}, "limit"),
        ({"offset": -5}, "offset"),
        ({"page": 0}, "page"),
        ({"page": 2, "offset": 5}, "page"),  # the offset was ignored in silence
        ({"limit": MAX_LIMIT + 1}, "limit"),  # was cut to MAX_LIMIT in silence
        ({"half_life": "soon"}, "half_life"),
        ({"facets": ["colour"]}, "facets"),
        ({"engine": "lucene"}, "engine"),
    ],
)
def test_bad_values_are_config_errors_naming_the_option(options, option):
    with pytest.raises(ConfigError) as raised:
        SearchRequest.build("minsk", **options)
    assert raised.value.option == option and "\n" not in str(raised.value)


def test_a_misspelled_keyword_is_a_type_error_not_ignored(filled_index):
    with pytest.raises(TypeError, match="limt"):
        SearchRequest.build("minsk", limt=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="limt"):
        filled_index.search("minsk", limt=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="sort"):
        filled_index.timeline("minsk", sort="date")  # type: ignore[call-arg]


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError):
        SearchRequest(query="x", sort="sideways")
    with pytest.raises(ConfigError):
        SearchRequest(query="x", tz="Europe/Sofia")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        Filters(since=datetime(2022, 1, 1))  # a naive date is ambiguous
    with pytest.raises(ConfigError):
        Filters(since=NOW, until=NOW - timedelta(days=1))
    assert SearchRequest(limit=MAX_LIMIT).limit == MAX_LIMIT
    # a larger page is refused, naming the limit and the way to every match, never cut short in silence
    with pytest.raises(ConfigError, match="at most 10,000 results, not 30,000.*export") as raised:
        SearchRequest(limit=MAX_LIMIT * 3)
    assert raised.value.option == "limit"
    with pytest.raises(ConfigError):
        SearchRequest.build("x").replace(limit=-1)


def test_a_request_is_a_value_search_and_timeline_take(filled_index):
    request = SearchRequest.build("minsk", since="2022-01-01", now=NOW, limit=1)
    assert request == SearchRequest.build("minsk", since="2022-01-01", now=NOW, limit=1)
    first, second = filled_index.search(request), filled_index.search(request.replace(offset=1))
    keywords = filled_index.search("minsk", since="2022-01-01", now=NOW, limit=1)
    assert first.total == second.total == keywords.total == 2
    assert [h.article.id for h in first] == [h.article.id for h in keywords]
    assert first[0].article.id != second[0].article.id
    assert filled_index.timeline(request, by="day").total == 2
    with pytest.raises(TypeError, match="not both"):
        filled_index.search(request, limit=5)
    assert "minsk" in repr(request) and len(repr(request)) < 300


def test_the_cli_and_the_library_agree(ix_dir, runner):
    # the CLI builds the same request from its options
    import json

    from newssearch.cli import cli

    args = ["search", "port strike", "--index", str(ix_dir), "--json", "--since", "2024-10-01", "--source", "Markets Daily",
            "--source", "Energy Desk", "--sort", "oldest", "-n", "5"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    ids = [line["id"] for line in map(json.loads, result.stdout.splitlines()) if line["type"] == "hit"]
    with ns.open_index(ix_dir) as ix:
        expected = ix.search("port strike", since="2024-10-01", source=["Markets Daily", "Energy Desk"], sort="oldest", limit=5)
    assert ids == [h.article.id for h in expected] and len(ids) == 2
