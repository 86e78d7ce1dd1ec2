"""``now`` as the clock: given explicitly, nothing published after it is
returned or counted (hits, totals, facets, timelines, related stories,
saved searches' alerts), relative ranges end at it and recency never sees a
negative age; left to the real clock, articles dated ahead of it are kept.

The fixed articles (tests/helpers.py): Minsk talks 2022-01-24, grain
2022-01-26, the Minsk agreement 2022-01-27, the museum undated.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import newssearch as ns
from newssearch.cli import cli
from newssearch.errors import ConfigError
from newssearch.search.percolate import Percolator
from tests.helpers import utc

#: Between the Minsk talks (24th) and the Minsk agreement (27th).
NOW = "2022-01-26 18:00"


def ids(results: ns.SearchResults) -> set[str]:
    return {hit.article.id for hit in results}


def test_nothing_published_after_an_explicit_now_is_returned_or_counted(filled_index, articles) -> None:
    found = filled_index.search("minsk", now=NOW, facets=["source"])
    assert ids(found) == {articles[0].id}
    assert found.total == found.articles == 1
    assert found.facets["source"] == {"Example Times": 1}
    # a relative range ends at now: "since 3 days ago" is not "since 3 days ago, and everything after"
    assert ids(filled_index.search("*", since="3 days ago", now=NOW)) == {articles[0].id, articles[1].id}
    # the same request without now keeps the later article
    assert ids(filled_index.search("minsk", facets=["source"])) == {articles[0].id, articles[2].id}


def test_undated_articles_are_kept_under_a_clock(filled_index, articles) -> None:
    # nothing says the museum story came after now
    assert articles[3].id in ids(filled_index.search("museum", now=NOW))
    assert ids(filled_index.search("*", now="2000-01-01")) == {articles[3].id}


def test_the_timeline_counts_nothing_after_now(filled_index) -> None:
    tl = filled_index.timeline("minsk", now=NOW, by="day")
    assert tl.total == 1
    assert [start.day for start, n in tl.buckets if n] == [24]


def test_related_stories_stop_at_now(filled_index, articles) -> None:
    assert articles[2].id in ids(filled_index.similar(articles[0].id))
    assert articles[2].id not in ids(filled_index.similar(articles[0].id, now=NOW))


def test_recency_never_sees_a_negative_age(filled_index) -> None:
    found = filled_index.search("minsk", now=NOW, sort="recency", explain=True)
    assert found.hits and all(h.explanation is not None and h.explanation.age_days >= 0 for h in found)


def test_the_real_clock_hides_nothing(filled_index, articles) -> None:
    """An archive may hold articles dated a little ahead of the clock (a
    wrong zone, an embargo): without an explicit now they are found, and
    recency counts them as new."""
    ahead = ns.Article(title="Embargoed harbour report", body="The harbour report is embargoed.", published=datetime.now(timezone.utc) + timedelta(hours=20))
    filled_index.add(ahead)
    request = ns.SearchRequest.build("harbour", sort="recency", explain=True)
    assert not request.hide_future and request.cutoff is None
    (hit,) = filled_index.search(request)
    assert hit.article.id == ahead.id
    assert hit.explanation is not None and hit.explanation.age_days < 0 and hit.explanation.recency_factor == pytest.approx(1.0)


def test_the_request_records_whether_now_was_given() -> None:
    given = ns.SearchRequest.build("oil", now=NOW)
    assert given.hide_future and given.cutoff == utc(2022, 1, 26, 18)
    assert "now=" in repr(given)
    assert not ns.SearchRequest.build("oil").hide_future
    # a request built from parsed values states it
    assert ns.SearchRequest(query="oil", now=utc(2022, 1, 26), hide_future=True).cutoff == utc(2022, 1, 26)
    assert ns.SearchRequest(query="oil", now=utc(2022, 1, 26)).cutoff is None
    # and says it among its filters, for a message about no results
    assert any("--now" in shown for shown in given.describe_filters())


def test_since_after_now_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        ns.SearchRequest.build("oil", since="2022-02-01", now=NOW)
    assert caught.value.option == "since" and "--now" in str(caught.value)


def test_saved_searches_matched_with_a_now_alert_on_nothing_after_it(tmp_index, articles, monkeypatch) -> None:
    tmp_index.saved.add("minsk", "minsk")
    saved = tmp_index.saved.get("minsk")
    after = tmp_index.session().snapshot.last_seq
    tmp_index.add(articles)
    percolator = Percolator(tmp_index.session())
    by_clock = {percolator.article(m).id for m in percolator.match(saved.request(), after)}
    as_of = {percolator.article(m).id for m in percolator.match(saved.request(ns.SearchRequest.build(now=NOW).now), after)}
    assert by_clock == {articles[0].id, articles[2].id}
    assert as_of == {articles[0].id}


def test_match_new_with_a_now_records_no_alert_after_it(tmp_index, articles, monkeypatch) -> None:
    tmp_index.saved.add("minsk", "minsk")
    monkeypatch.setattr(tmp_index, "after_commit", lambda report: None)  # match by hand, below
    tmp_index.add(articles)
    alerts = tmp_index.saved.match_new(now=utc(2022, 1, 26, 18))
    assert [a.article_id for a in alerts] == [articles[0].id]


def test_cli_now_is_the_clock(runner, tmp_path, articles) -> None:
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(articles)
    result = runner.invoke(cli, ["search", "minsk", "--now", NOW, "--json", "--index", str(where)])
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [h["id"] for h in hits if "id" in h] == [articles[0].id]
    nothing = runner.invoke(cli, ["search", "minsk", "--now", "2022-01-20", "--index", str(where)])
    assert "published by 2022-01-20 00:00 UTC (--now)" in nothing.stderr
    refused = runner.invoke(cli, ["search", "minsk", "--since", "2022-02-01", "--now", NOW, "--index", str(where)])
    assert refused.exit_code == 2 and "--now" in refused.stderr
