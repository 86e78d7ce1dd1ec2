"""The web's request parsing and error mapping, in process (no server: they import no framework).

What a query string becomes is checked against the request the library
builds from the same options by hand, and every bound is seen to refuse;
how each error becomes a status is checked for every class the API can
meet, a bug included.
"""

from __future__ import annotations

import pytest

from newssearch.errors import (
    AccessDenied,
    AmbiguousId,
    ConfigError,
    IndexDamaged,
    IndexLocked,
    IndexNotFound,
    IndexVersionMismatch,
    NewsSearchError,
    NotFound,
    QuerySyntaxError,
    RequestTooLarge,
    SearchTimedOut,
)
from newssearch.search.request import FACET_FIELDS, SearchRequest
from newssearch.web.params import (
    Bounds,
    alerts_options,
    facets_request,
    no_params,
    search_request,
    similar_options,
    timeline_request,
)
from newssearch.web.problems import problem_for

NOW = "2024-06-01T12:00:00Z"


def test_a_query_string_is_the_request_the_cli_would_build():
    got = search_request({
        "q": ["minsk agreement"], "match": ["any"], "since": ["3 days ago"], "until": ["2024-06-01"], "now": [NOW],
        "tz": ["Europe/Paris"], "source": ["BBC", "Reuters"], "agency": ["AFP"], "sort": ["recency"], "half_life": ["2d"],
        "page": ["3"], "size": ["20"], "facets": ["source,section", "agencies"], "all_copies": ["true"], "explain": ["on"],
        "timeout": ["2.5"], "token": ["ignored here"], "names": ["false"],
    })
    expected = SearchRequest.build(
        "minsk agreement", match="any", since="3 days ago", until="2024-06-01", now=NOW, tz="Europe/Paris",
        source=["BBC", "Reuters"], agency=["AFP"], sort="recency", half_life="2d", limit=20, offset=40,
        facets=["source", "section", "agencies"], all_copies=True, explain=True, timeout=2.5, names=False,
    )
    assert got == expected
    # name keys (names across scripts) are on unless turned off, as for the CLI's --no-names
    assert search_request({"q": ["Brexit"]}).names and not timeline_request({"q": ["Brexit"], "names": ["0"]})[0].names
    assert not facets_request({"q": ["Brexit"], "names": ["off"]}).names


def test_defaults_are_the_libraries_but_the_servers_budget():
    got = search_request({"now": [NOW]}, Bounds(max_timeout=3.0))
    assert got == SearchRequest.build("", now=NOW, timeout=3.0)
    assert got.limit == 10 and got.offset == 0 and got.match == "all"


@pytest.mark.parametrize(("params", "option", "words"), [
    ({"size": ["101"]}, "size", "at most 100"),
    ({"page": ["101"], "size": ["100"]}, "page", "past the first 10,000"),
    ({"offset": ["9995"], "size": ["10"]}, "offset", "would end at 10,005"),
    ({"page": ["0"]}, "page", "at least 1"),
    ({"offset": ["-1"]}, "offset", "at least 0"),
    ({"page": ["1"], "offset": ["0"]}, "page", "not both"),
    ({"size": ["1e3"]}, "size", "whole number"),
    ({"timeout": ["11"]}, "timeout", "at most 10 s"),
    ({"timeout": ["nan"]}, "timeout", "positive"),
    ({"timeout": ["0"]}, "timeout", "positive"),
    ({"explain": ["maybe"]}, "explain", "true or false"),
    ({"match": ["most"]}, "match", "all, any"),
    ({"sort": ["date", "oldest"]}, "sort", "given 2 times"),
    ({"limit": ["5"]}, "limit", "unknown parameter 'limit'"),
    ({"sort": ["best"]}, "sort", "unknown sort 'best'"),
    ({"since": ["not a date at all"]}, "since", "not a date at all"),
])
def test_a_bad_parameter_is_refused_naming_it(params, option, words):
    with pytest.raises(ConfigError) as caught:
        search_request(params)
    assert caught.value.option == option and words in str(caught.value), str(caught.value)


def test_the_bounds_are_the_servers():
    assert search_request({"size": ["500"]}, Bounds(max_size=500)).limit == 500
    with pytest.raises(ConfigError, match="past the first 50"):
        search_request({"page": ["3"], "size": ["20"]}, Bounds(max_depth=50))
    assert search_request({"offset": ["9990"], "size": ["10"]}).offset == 9990  # the last page that may be served


def test_the_other_addresses_read_their_own_parameters():
    request, by = timeline_request({"q": ["oil"], "by": ["month"], "all_copies": ["1"], "now": [NOW]})
    assert by == "month" and request == SearchRequest.build("oil", all_copies=True, now=NOW)
    with pytest.raises(ConfigError, match="unknown parameter 'size'"):
        timeline_request({"size": ["3"]})
    counted = facets_request({"q": ["oil"], "now": [NOW]})
    assert counted.limit == 0 and set(counted.facets) == set(FACET_FIELDS)
    assert facets_request({"facets": ["source"], "now": [NOW]}).facets == ("source",)
    assert similar_options({"size": ["3"], "source": ["BBC"]}) == {"limit": 3, "source": ["BBC"]}
    with pytest.raises(ConfigError, match="Mars"):
        similar_options({"tz": ["Mars/Olympus"]})
    assert alerts_options({}) == (0, 100) and alerts_options({"after": ["7"], "size": ["5"]}) == (7, 5)
    no_params({"token": ["x"]})
    with pytest.raises(ConfigError, match="takes none"):
        no_params({"q": ["x"]})


@pytest.mark.parametrize(("error", "status", "kind"), [
    (QuerySyntaxError("oil (", "this '(' is never closed"), 400, "QuerySyntaxError"),
    (ConfigError("bad", option="size"), 400, "ConfigError"),
    (AmbiguousId("0", ["01", "02"]), 400, "AmbiguousId"),
    (AccessDenied("no token"), 401, "AccessDenied"),
    (NotFound("no article"), 404, "NotFound"),
    (RequestTooLarge("too big"), 413, "RequestTooLarge"),
    (IndexNotFound("no index at x"), 503, "IndexNotFound"),
    (IndexDamaged("index x is damaged"), 503, "IndexDamaged"),
    (IndexLocked("locked"), 503, "IndexLocked"),
    (IndexVersionMismatch("old"), 503, "IndexVersionMismatch"),
    (SearchTimedOut(2.0), 504, "SearchTimedOut"),
    (NewsSearchError("saved searches x: disk I/O error"), 500, "NewsSearchError"),
])
def test_every_error_has_its_status(error, status, kind):
    problem = problem_for(error)
    assert (problem.status, problem.kind, problem.internal) == (status, kind, False)
    assert problem.body() == {"error": {"type": kind, "message": str(error)}}
    assert ("Retry-After" in problem.headers) == (status == 503)
    assert ("WWW-Authenticate" in problem.headers) == (status == 401)


def test_a_bug_is_500_in_one_line_and_says_it_is_a_bug():
    problem = problem_for(KeyError("snippet\nwith a line break"))
    assert problem.status == 500 and problem.internal and problem.kind == "InternalError"
    assert "\n" not in problem.message and "bug in newssearch" in problem.message and "KeyError" in problem.message
