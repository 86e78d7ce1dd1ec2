"""Every word by default (issue 20): plain words are each required, ``match="any"``
(``--any``) asks for any of them; what a search counts is what it asked for;
a query no article answers in full shows those with most of its words, as a
fallback that is never counted; saved searches keep the meaning they were
saved with."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import newssearch as ns
from newssearch.analysis import TOKEN_RE, term_for
from newssearch.cli import cli

from tests.helpers import ARTICLES, many_articles

MINSK_DIPLOMATS = {a.id for a in ARTICLES if all(w in f"{a.title} {a.body}".lower() for w in ("minsk", "diplomats"))}
MINSK_OR_DIPLOMATS = {a.id for a in ARTICLES if any(w in f"{a.title} {a.body}".lower() for w in ("minsk", "diplomats"))}


@pytest.fixture()
def index(tmp_path: Path) -> ns.NewsIndex:
    ix = ns.create_index(tmp_path / "ix")
    ix.add(ARTICLES)
    yield ix
    ix.close()


def ids(results: ns.SearchResults) -> set[str]:
    return {h.article.id for h in results}


def test_every_plain_word_is_required_by_default(index: ns.NewsIndex) -> None:
    assert MINSK_DIPLOMATS and MINSK_DIPLOMATS < MINSK_OR_DIPLOMATS  # the articles tell the modes apart
    assert ids(index.search("minsk diplomats", all_copies=True)) == MINSK_DIPLOMATS
    assert ids(index.search("minsk diplomats", all_copies=True, match="any")) == MINSK_OR_DIPLOMATS
    assert ids(index.search("minsk OR agreement", all_copies=True)) == MINSK_OR_DIPLOMATS  # the query's own OR


def test_what_is_counted_is_what_was_asked(index: ns.NewsIndex) -> None:
    every = index.search("minsk diplomats", facets=["source"], all_copies=True)
    assert every.total == len(MINSK_DIPLOMATS)
    assert sum(every.facets["source"].values()) == len(MINSK_DIPLOMATS)
    assert index.timeline("minsk diplomats", all_copies=True).total == len(MINSK_DIPLOMATS)
    assert index.timeline("minsk diplomats", all_copies=True, match="any").total == len(MINSK_OR_DIPLOMATS)
    assert ids(index.search("minsk diplomats", sort="date", all_copies=True)) == MINSK_DIPLOMATS


def test_not_subtracts_from_every_word(index: ns.NewsIndex) -> None:
    with_ceasefire = ids(index.search("minsk ceasefire", all_copies=True))
    assert with_ceasefire
    assert ids(index.search("minsk NOT ceasefire", all_copies=True)) == MINSK_OR_DIPLOMATS - with_ceasefire
    assert ids(index.search("minsk diplomats -ceasefire", all_copies=True)) == MINSK_DIPLOMATS - with_ceasefire
    assert ids(index.search("minsk agreement -ceasefire", all_copies=True)) == MINSK_DIPLOMATS


def test_a_query_no_article_answers_in_full_shows_those_with_most_words_as_a_fallback(index: ns.NewsIndex) -> None:
    results = index.search("minsk diplomats zebra", facets=["source"])
    assert (results.total, results.articles, len(results), results.facets["source"]) == (0, 0, 0, {})
    assert results.fallback is not None
    fallback = results.fallback
    assert {h.article.id for h in fallback} == MINSK_OR_DIPLOMATS
    assert fallback[0].article.id in MINSK_DIPLOMATS  # most of the words first
    assert fallback[0].missing == ("zebra",)
    assert all("zebra" in h.missing for h in fallback)
    assert {h.missing for h in fallback if h.article.id not in MINSK_DIPLOMATS} <= {("diplomats", "zebra"), ("minsk", "zebra")}
    assert index.timeline("minsk diplomats zebra").total == 0  # never counted


@pytest.mark.parametrize("text", ["museum number7 number13 wheat", "Renovation museum only zebra", "title:story grain number5"])
def test_the_missing_words_read_from_the_index_are_those_the_text_lacks(messy_index: ns.NewsIndex, text: str) -> None:
    # several segments, deletions and updated articles: doc numbers must line up with the postings read
    fallback = messy_index.search(text, limit=100, all_copies=True, snippets=False).fallback
    assert fallback is not None and len(fallback) > 3
    words = text.replace("title:", "").split()
    for hit in fallback:
        held = {term_for(w) for w in TOKEN_RE.findall(f"{hit.article.title} {hit.article.body}")}
        assert hit.missing == tuple(w for w in words if term_for(w) not in held), hit.article.title
    assert len({h.missing for h in fallback}) > 1  # the hits lack different words


def test_the_missing_words_of_a_sharded_index_are_read_from_its_shards(tmp_path: Path) -> None:
    with ns.create_index(tmp_path / "ix", shards=3) as ix:
        ix.add(many_articles(60))
        fallback = ix.search("museum number7 number13 wheat", limit=100, all_copies=True, snippets=False).fallback
    assert fallback is not None and len(fallback) > 3
    for hit in fallback:
        held = {term_for(w) for w in TOKEN_RE.findall(f"{hit.article.title} {hit.article.body}")}
        assert hit.missing == tuple(w for w in ("museum", "number7", "number13", "wheat") if term_for(w) not in held)


@pytest.mark.parametrize("text", ["zebra", "minsk AND zebra", "+minsk +zebra", '"minsk zebra"'])
def test_no_fallback_when_every_word_was_asked_for_explicitly(index: ns.NewsIndex, text: str) -> None:
    results = index.search(text)
    assert results.total == 0 and results.fallback is None


def test_a_search_that_answers_has_no_fallback(index: ns.NewsIndex) -> None:
    assert index.search("minsk diplomats").fallback is None
    assert index.search("minsk zebra", match="any").fallback is None


def test_saved_searches_keep_the_match_they_were_saved_with(index: ns.NewsIndex) -> None:
    saved = index.saved.add("every", "minsk diplomats")
    assert saved.options["match"] == "all"
    index.saved.add("either", "minsk diplomats", match="any")
    index.add([ns.Article(title="Minsk weather turns", body="Snow in Minsk.", url="https://example.com/new/1")])
    assert [a.title for a in index.saved.new("every")] == []
    assert [a.title for a in index.saved.new("either")] == ["Minsk weather turns"]
    assert "--any" in index.saved.get("either").describe() and "--any" not in index.saved.get("every").describe()


def test_a_search_saved_before_match_existed_keeps_matching_any_word(index: ns.NewsIndex) -> None:
    index.saved.add("old", "minsk diplomats")
    with sqlite3.connect(index.saved.path) as con:  # as 0.1 stored it: no match among the options
        con.execute("UPDATE saved SET options = ? WHERE name = 'old'", (json.dumps({}),))
    old = index.saved.get("old")
    assert old.options["match"] == "any" and old.request().match == "any"
    assert ids(index.saved.run("old")) == ids(index.search("minsk diplomats", match="any"))


def test_the_command_line_asks_for_every_word_or_any_and_marks_a_fallback(index: ns.NewsIndex) -> None:
    runner = CliRunner()
    where = str(index.path)
    every = runner.invoke(cli, ["search", "minsk diplomats", "--index", where, "--json", "--all-copies"])
    any_word = runner.invoke(cli, ["search", "minsk diplomats", "--index", where, "--json", "--all-copies", "--any"])
    assert every.exit_code == any_word.exit_code == 0
    listed = lambda r: {json.loads(line)["id"] for line in r.stdout.splitlines() if '"id"' in line}  # noqa: E731
    assert listed(every) == MINSK_DIPLOMATS and listed(any_word) == MINSK_OR_DIPLOMATS
    fallback = runner.invoke(cli, ["search", "minsk diplomats zebra", "--index", where, "--no-color"])
    assert "No article has every word of 'minsk diplomats zebra'" in fallback.stderr
    assert "   missing: zebra" in fallback.stdout
    # said before the list, so that no one takes the list for what was asked
    assert fallback.output.index("No article has every word") < fallback.output.index("missing: zebra")
    as_json = runner.invoke(cli, ["search", "minsk diplomats zebra", "--index", where, "--json"])
    first = json.loads(as_json.stdout.splitlines()[0])
    assert first["missing"] == ["zebra"]
