"""Search: ranking, filters, sorting, pagination and totals on fixed articles."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

import newssearch as ns
from newssearch.errors import ConfigError, QuerySyntaxError

UTC = timezone.utc


def ids(results):
    return [h.article.id for h in results]


def test_plain_words_find_partial_matches_and_rank_fuller_ones_first(filled_index, articles):
    results = filled_index.search("minsk agreement diplomats", match="any")
    assert results.total == 2
    assert ids(results) == [articles[2].id, articles[0].id]
    assert results[0].score > results[1].score > 0


def test_hits_carry_article_snippet_and_rank(filled_index, articles):
    (hit, _) = filled_index.search("minsk agreement")
    assert hit.article == articles[2]
    assert hit.rank == 1
    assert "Minsk agreement" in hit.snippet.text
    marked = [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
    assert marked and all(m.lower() in ("minsk agreement", "minsk", "agreement") for m in marked)
    assert [hit.title_snippet.text[s:e] for s, e in hit.title_snippet.highlights] == ["Minsk agreement"]


def test_filters(filled_index, articles):
    assert ids(filled_index.search("minsk", source="wire daily")) == [articles[2].id]
    assert ids(filled_index.search("minsk", agency="Reuters")) == [articles[0].id]
    assert ids(filled_index.search("*", section=["business", "culture"], sort="oldest")) == [articles[1].id, articles[3].id]
    assert set(ids(filled_index.search("*", since="2022-01-25", until="2022-01-26"))) == {articles[1].id}
    # a bare --until date includes that whole day
    assert set(ids(filled_index.search("*", until="2022-01-24"))) == {articles[0].id}
    # dates typed in another zone
    assert ids(filled_index.search("*", since="2022-01-27 12:30", tz="Europe/Sofia")) == [articles[2].id]


def test_sort_by_date_keeps_scores(filled_index, articles):
    newest = filled_index.search("minsk", sort="date")
    assert ids(newest) == [articles[2].id, articles[0].id]
    assert all(h.score > 0 for h in newest)
    assert ids(filled_index.search("minsk", sort="oldest")) == [articles[0].id, articles[2].id]


def test_undated_articles_sort_last_when_newest_first(filled_index, articles):
    assert ids(filled_index.search("*", sort="date"))[-1] == articles[3].id


def test_pagination_and_total(filled_index):
    everything = ids(filled_index.search("*", sort="oldest", limit=10))
    page2 = filled_index.search("*", sort="oldest", limit=2, page=2)
    assert page2.total == 4 and page2.offset == 2
    assert ids(page2) == everything[2:4]
    assert [h.rank for h in page2] == [3, 4]
    assert ids(filled_index.search("*", sort="oldest", limit=2, offset=3)) == everything[3:]
    assert len(filled_index.search("*", limit=0)) == 0 and filled_index.search("*", limit=0).total == 4


def test_no_hits_is_empty_not_an_error(filled_index):
    results = filled_index.search("zebra")
    assert results.total == 0 and list(results) == []


def test_bad_options(filled_index):
    with pytest.raises(ConfigError):
        filled_index.search("x", sort="sideways")
    with pytest.raises(ConfigError):
        filled_index.search("x", since="2022-02-01", until="2022-01-01")
    with pytest.raises(ConfigError):
        filled_index.search("x", since="someday maybe")
    with pytest.raises(QuerySyntaxError):
        filled_index.search("published:[garbage TO 2020]")


def test_now_may_be_given_as_text(filled_index):
    # it was a datetime only, and text raised AttributeError from inside the search
    as_text = filled_index.search("*", since="yesterday", now="2022-01-27 12:00", limit=10)
    as_datetime = filled_index.search("*", since="yesterday", now=datetime(2022, 1, 27, 12, tzinfo=timezone.utc), limit=10)
    assert {h.article.title for h in as_text} == {h.article.title for h in as_datetime} == {
        "Grain exports climb at Black Sea ports", "Diplomats meet on the Minsk agreement"}
    sofia = filled_index.search("*", since="today", now="2022-01-27 14:00", tz="Europe/Sofia", limit=10)
    assert [h.article.title for h in sofia] == ["Diplomats meet on the Minsk agreement"]  # 27 Jan in Sofia starts at 22:00 UTC on the 26th
    with pytest.raises(ConfigError):
        filled_index.search("minsk", now="not a time")
    with pytest.raises(ConfigError):
        filled_index.timeline("minsk", now="not a time")


def test_an_unknown_zone_is_an_error_even_without_dates(filled_index):
    # it was accepted silently unless a date filter needed it
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        filled_index.search("minsk", tz="Mars/Olympus")
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        filled_index.timeline("minsk", tz="Mars/Olympus")
    assert filled_index.search("minsk", tz="Europe/Sofia").total == 2


def test_wildcards_are_highlighted_by_their_expansions(filled_index):
    hits = filled_index.search("negotiat*")
    assert [hits[0].snippet.text[s:e] for s, e in hits[0].snippet.highlights] == ["Negotiators"]


def test_query_language_date_range(filled_index, articles):
    assert ids(filled_index.search("published:[2022-01-26 TO 2022-01-27]", sort="oldest")) == [articles[1].id, articles[2].id]


def test_a_query_longer_than_the_limit_is_a_clear_error(filled_index):
    # a 5,000-word pasted text ran for 20-30 s and printed a 5,000-word "Did you mean"
    from newssearch.search.compile import MAX_QUERY_WORDS

    words = ("minsk grain museum ceasefire " * 2000).split()
    with pytest.raises(QuerySyntaxError, match=f"the query has 8,000 words; the limit is {MAX_QUERY_WORDS}") as raised:
        filled_index.search(" ".join(words))
    assert len(str(raised.value)) < 200
    assert filled_index.suggest(" ".join(words)) is None
    assert filled_index.search(" ".join(words[:MAX_QUERY_WORDS]), match="any").total == 4  # at the limit it runs


def test_an_empty_query_means_every_article_the_filters_keep_newest_first(filled_index, articles):
    # it returned every article scored 1.00 in index order; a saved search
    # such as "everything from AFP" needs it
    newest_first = [articles[2].id, articles[1].id, articles[0].id, articles[3].id]  # the undated one last
    for text in ("", "*", "  "):
        assert ids(filled_index.search(text)) == newest_first
    assert ids(filled_index.search("", source="Example Times")) == [articles[1].id, articles[0].id]
    assert ids(filled_index.search("since:2022-01-25", now="2022-02-01")) == [articles[2].id, articles[1].id]
    assert ids(filled_index.search("", sort="oldest")) == [articles[0].id, articles[1].id, articles[2].id, articles[3].id]
    # a query with words keeps relevance order
    default = filled_index.search("minsk agreement ceasefire", match="any")
    assert ids(default) == ids(filled_index.search("minsk agreement ceasefire", sort="relevance", match="any"))
    assert [h.score for h in default] == sorted((h.score for h in default), reverse=True) and len(default) == 2


def test_dropping_the_caches_forgets_decoded_postings_and_changes_no_answer(filled_index):
    # what bench/compare.py calls before each cold query
    first = filled_index.search("minsk agreement")
    ranker = filled_index.session().ranker
    assert ranker.postings.cached_bytes > 0
    filled_index.drop_caches()
    assert ranker.postings.cached_bytes == 0 and not len(ranker.postings)
    again = filled_index.search("minsk agreement")
    assert [(h.article.id, h.score) for h in again] == [(h.article.id, h.score) for h in first]


def _shown(results):
    return [(h.article, h.snippet, h.title_snippet, h.copies) for h in results]


def test_remembered_articles_and_snippets_are_those_a_fresh_search_builds(filled_index, articles):
    """A session remembers the articles and snippets its pages were built
    from; a snippet belongs to its query's words and length, not to the
    article alone: the same article asked for by other words, or shorter,
    is built again."""
    asked = [("minsk", {}), ("agreement", {}), ("minsk agreement", {"snippet_chars": 40}), ("minsk", {}),
             ("ceasefire OR grain", {}), ("minsk agreement", {}), ("agreement", {"snippet_chars": 40})]
    for query, options in asked:
        with ns.open_index(filled_index.path) as fresh:  # a new handle remembers nothing
            expected = _shown(fresh.search(query, **options))
        assert _shown(filled_index.search(query, **options)) == expected, (query, options)
    firsts = {(q, o.get("snippet_chars")): filled_index.search(q, **o)[0] for q, o in asked}
    # the same article, asked for by other words or shorter, was shown otherwise
    assert len({hit.snippet for hit in firsts.values()}) >= 4 and len({hit.article.id for hit in firsts.values()}) <= 2


def test_an_article_another_handle_rewrites_is_shown_rewritten(filled_index, articles):
    """What a session remembers lives with its snapshot: a commit by another
    process (here another handle) is seen by the next search, body and snippet."""
    assert "revive" in filled_index.search("negotiators")[0].snippet.text
    with ns.open_index(filled_index.path) as other:
        report = other.add(dataclasses.replace(articles[0], body="Negotiators left Minsk on Tuesday without a deal."))
    assert report.updated == 1
    (hit,) = filled_index.search("negotiators")
    assert hit.article.body.startswith("Negotiators left") and "without a deal" in hit.snippet.text


def test_articles_renumbered_by_another_handle_compacting_are_not_mixed_up(filled_index, articles):
    """A merge renumbers documents: a remembered article is only good for the
    snapshot it was read from, or a hit would show another article."""
    everything = ids(filled_index.search("*", sort="oldest"))
    assert len(everything) == len(articles)
    with ns.open_index(filled_index.path) as other:
        other.delete(articles[0].id)
        other.compact()
    assert ids(filled_index.search("*", sort="oldest")) == everything[1:]
    assert {h.article.id: h.article for h in filled_index.search("*")} == {a.id: a for a in articles[1:]}
