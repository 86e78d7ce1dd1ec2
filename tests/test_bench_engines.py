"""The benchmarks' engines answer the same question: bench/engines.py gives
newssearch, SQLite FTS5 and tantivy the same words with the same ``match``
(every word, or any) and the same fallback, or the known-item, TIME and
speed comparisons compare different searches.

Each engine indexes the same five small articles and must return the same
set of ids for each query and mode. FTS5 is Python's own sqlite3; tantivy
comes with the ``bench`` extra, so its cases are skipped without it.
"""

from __future__ import annotations

import argparse
import importlib.util

import pytest

from bench.engines import (
    BenchQuery,
    Engine,
    fts5_match,
    make_engine,
    parse_match_modes,
    tantivy_text,
)

RECORDS = [
    {"id": "a1", "title": "Oil prices rise", "body": "Crude oil prices rose on Monday as OPEC held output.", "published": "2007-01-02T00:00:00+00:00"},
    {"id": "a2", "title": "Oil output", "body": "OPEC members kept oil output steady this winter.", "published": "2007-01-03T00:00:00+00:00"},
    {"id": "a3", "title": "Gas prices", "body": "Natural gas prices fell in a mild winter.", "published": "2007-01-04T00:00:00+00:00"},
    {"id": "a4", "title": "Bank of England holds rates", "body": "The Bank of England kept its rate at 5 percent.", "published": "2007-02-08T00:00:00+00:00"},
    {"id": "a5", "title": "Rates and prices", "body": "Central banks watch prices of oil and of houses.", "published": "2007-03-01T00:00:00+00:00"},
]

#: query -> (every word, any word): the ids each must find, whatever the engine
EXPECTED = {
    "oil prices": ({"a1", "a5"}, {"a1", "a2", "a3", "a5"}),
    'opec "oil output"': ({"a2"}, {"a1", "a2"}),
    '"bank of england" rates': ({"a4"}, {"a4", "a5"}),
    "winter gas": ({"a3"}, {"a2", "a3"}),
}


#: tantivy comes with the bench extra, which CI's test install lacks
ENGINES = ["newssearch", "fts5"] + (["tantivy"] if importlib.util.find_spec("tantivy") else [])


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory) -> Engine:
    e = make_engine(request.param)
    where = tmp_path_factory.mktemp(request.param) / "ix"
    assert e.build(where, RECORDS) == len(RECORDS)
    e.open(where)
    yield e
    e.close()


def _ids(engine: Engine, q: BenchQuery) -> set[str]:
    return {hit[0] for hit in engine.search(q, k=10)}


@pytest.mark.parametrize("text", sorted(EXPECTED))
def test_every_engine_requires_every_word_by_default_and_any_on_request(engine, text):
    every, any_word = EXPECTED[text]
    assert _ids(engine, BenchQuery(text)) == every
    assert _ids(engine, BenchQuery(text, match="any")) == any_word


def test_a_date_window_filters_in_both_modes(engine):
    for match in ("all", "any"):
        assert _ids(engine, BenchQuery("oil prices", since="2007-02-01", match=match)) == {"a5"}


def test_the_fallback_is_the_same_for_every_engine(engine):
    # no article holds "zebra": the user sees the articles with the other words
    q = BenchQuery("oil zebra")
    answer = engine.answer(q, k=10)
    assert answer.fallback
    assert {hit[0] for hit in answer.hits} == {"a1", "a2", "a5"}
    # without the fallback, the strict answer: nothing
    strict = engine.answer(BenchQuery("oil zebra", fallback=False), k=10)
    assert strict.hits == [] and not strict.fallback
    # a query that finds something is never a fallback, nor is match="any"
    assert not engine.answer(BenchQuery("oil prices"), k=10).fallback
    assert not engine.answer(BenchQuery("oil zebra", match="any"), k=10).fallback
    # one word alone has nothing to relax
    lone = engine.answer(BenchQuery("zebra"), k=10)
    assert lone.hits == [] and not lone.fallback


def test_the_fallback_keeps_the_date_window(engine):
    answer = engine.answer(BenchQuery("oil zebra", until="2007-01-02"), k=10)
    assert answer.fallback and {hit[0] for hit in answer.hits} == {"a1"}


def test_the_query_texts_the_peers_are_given():
    q = BenchQuery('oil "Bank of England" the u.s rates')
    assert fts5_match(q) == '"oil" AND "Bank of England" AND "u.s" AND "rates"'
    assert tantivy_text(q) == '+"oil" +"Bank of England" +"u.s" +"rates"'
    loose = q.relaxed()
    assert loose.match == "any" and not loose.fallback
    assert fts5_match(loose) == '"oil" OR "Bank of England" OR "u.s" OR "rates"'
    assert tantivy_text(loose) == '"oil" "Bank of England" "u.s" "rates"'
    assert fts5_match(BenchQuery("the of")) == tantivy_text(BenchQuery("the of")) == ""


def test_match_modes_are_checked():
    with pytest.raises(ValueError, match="match must be one of all, any"):
        BenchQuery("oil", match="some")
    assert parse_match_modes("all") == ["all"]
    assert parse_match_modes(" any , all,any") == ["any", "all"]
    for bad in ("", "all,some", "or"):
        with pytest.raises(argparse.ArgumentTypeError, match="takes all or any"):
            parse_match_modes(bad)
