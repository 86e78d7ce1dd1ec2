"""Time, facets, did-you-mean and related stories on the real corpora:
January 2007 of the Reuters headlines (zoned timestamps, day by day) and the
Reuters 2006-07 full articles."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

import newssearch as ns

from tests.helpers import shared

pytestmark = pytest.mark.slow  # indexes real headlines from ../shared

UTC = timezone.utc
ZONES = {"EST": timedelta(hours=-5), "EDT": timedelta(hours=-4)}


def _when(ts: str) -> datetime:
    """Independent reading of the headline timestamps ("20070101 11:47 PM EST")."""
    ts = ts.replace("\u00a0", " ")
    local = datetime.strptime(ts[:-4], "%Y%m%d %I:%M %p")
    return (local - ZONES[ts[-3:]]).replace(tzinfo=UTC)


@pytest.fixture(scope="session")
def headlines(tmp_path_factory):
    files = sorted(shared("data", "reuters-headlines-2007h1", "data").glob("200701*.jsonl"))
    records = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").split("\n") if line.strip()]
    ix = ns.create_index(tmp_path_factory.mktemp("headlines") / "ix")
    errors: list = []
    ix.add(ns.read_path(files, on_error=errors.append))
    assert errors == []
    yield ix, records
    ix.close()


def _mentions(title: str, word: str) -> bool:
    # the word on its own, possibly possessive; not inside another word
    return re.search(rf"(?<![\w.'\u2019&]){word}(?:['\u2019]s)?(?![\w&]|[.'\u2019]\w)", title, re.I) is not None


def test_iran_timeline_by_week_matches_an_independent_count(headlines):
    ix, records = headlines
    expected: Counter[str] = Counter()
    for r in records:
        if _mentions(r["title"], "iran"):
            when = _when(r["ts"])
            monday = (when - timedelta(days=when.weekday())).date()
            expected[monday.isoformat()] += 1
    tl = ix.timeline("iran", by="week", all_copies=True)  # articles, as counted here
    got = {start.date().isoformat(): n for start, n in tl.buckets if n}
    assert got == dict(expected)
    assert sum(expected.values()) > 100


def test_relative_window_with_a_fixed_now(headlines):
    ix, records = headlines
    now = datetime(2007, 1, 20, 17, 0, tzinfo=UTC)
    results = ix.search("*", since="3 days ago", until="now", now=now, limit=0)
    expected = [r for r in records if now - timedelta(days=3) <= _when(r["ts"]) <= now]
    assert results.articles == len(expected) > 1000 and results.total <= results.articles
    # the same window written in the query itself
    assert ix.search('since:"3 days ago" until:now', now=now, limit=0).articles == len(expected)
    # yesterday, in New York
    ny = ix.search("*", since="yesterday", until="yesterday", tz="America/New_York", now=now, limit=0)
    start = datetime(2007, 1, 19, 5, 0, tzinfo=UTC)
    assert ny.articles == sum(1 for r in records if start <= _when(r["ts"]) < start + timedelta(days=1))


def test_facet_counts_equal_filtered_searches(headlines):
    ix, _ = headlines
    # facets count articles (copies of one story included), as .articles does
    results = ix.search("iran", facets=["section", "source"], limit=5)
    assert results.articles > 100
    sections = results.facets["section"]
    assert sum(sections.values()) == results.articles  # one section per headline
    for value, n in list(sections.items())[:8]:
        assert ix.search("iran", section=value, limit=0).articles == n
    assert results.facets["source"] == {"Reuters": results.articles}


@pytest.mark.parametrize(
    "typed, meant",
    [("Iarn", "Iran"), ("Chavz", "Chavez"), ("Gogle", "Google"), ("Microsfot", "Microsoft"), ("Ahmadinejd", "Ahmadinejad"), ("Saddm Husein", "Saddam Hussein")],
)
def test_did_you_mean_fixes_real_misspellings(headlines, typed, meant):
    ix, _ = headlines
    assert ix.search(typed, limit=0).total < ix.search(meant, limit=0).total
    assert ix.suggest(typed) == meant


def test_did_you_mean_leaves_known_words_alone(headlines):
    ix, _ = headlines
    for text in ("Iran nuclear talks", "oil prices", "Google", "Bush Iraq troops"):
        assert ix.suggest(text) is None


def test_did_you_mean_leaves_tickers_acronyms_urls_and_pasted_text_alone(reuters_index):
    # each was "corrected" on Reuters 2006-07: AAPL.O -> Apple.O, CBI -> Cpi, www -> wowed
    ix, _, _ = reuters_index
    for text in ("AAPL.O earnings", "CBI survey", "www.reuters.com", "http://www.reuters.com/article/x", "IBM q3 2007", "NYSE:IBM"):
        assert ix.suggest(text) is None, text
    assert ix.suggest("presidnet bush") == "president bush"  # prose is still checked
    assert ix.suggest("PRESIDNET bush") == "President bush"  # caps lock is not an acronym
    pasted = " ".join(a.body for a in ix.iter_articles() if len(a.body) > 2000)[:40_000]
    assert len(pasted.split()) > 5000
    assert ix.suggest(pasted.replace("the ", "teh ")) is None  # a pasted text is not a typed query


def test_similar_stories(reuters_index):
    ix, _, _ = reuters_index
    univar = ix.search("Univar Chemcentral bid", limit=1)[0].article
    related = ix.similar(univar.id, limit=5)
    assert univar.id not in [h.article.id for h in related]
    assert sum("Univar" in h.article.title for h in related[:2]) == 2


@pytest.mark.parametrize("query", ["Mervyn King", "Mervyn King rates"])
def test_articles_holding_every_word_come_first(reuters_index, query):
    # "Mervyn King": nine Burger King stories ranked above the first article
    # with both words (a coordination factor of 0.672 against 0.674)
    from newssearch.analysis import TOKEN_RE, term_for

    ix, _, _ = reuters_index
    words = {term_for(w) for w in query.split()}
    results = ix.search(query, limit=50, snippets=False)
    holds = [words <= {term_for(t) for t in TOKEN_RE.findall(h.article.title + " " + h.article.body)} for h in results]
    assert holds[0]
    first_without = holds.index(False) if False in holds else len(holds)
    assert all(not h for h in holds[first_without:]), holds  # every article with all the words, then the rest
