"""Ranking regressions fail here: newssearch's MAP and nDCG@10 on the TIME
collection, and its MRR@100 and success@10 on known-item queries over
Reuters 2006-07, must stay above floors pinned a little under what it
reaches.

It runs exactly what ``bench/relevance.py`` and ``bench/knownitem.py``
report for newssearch (same loaders, same queries, same metrics, the same
call through ``bench.engines``), so the floors and the reports cannot
disagree. Raise the floors when ranking improves; never lower them to make
a change pass.

Which match mode each floor is for (issue 20 made every word required by
default): TIME's topics are long questions, so its floors are for
``match="any"`` (``bench/relevance.py --match any``), the ranking of
any-word searches; the known-item floors are for the default,
``match="all"`` with the fallback a user sees when no article holds every
word (``bench/knownitem.py``).
"""

from __future__ import annotations

import pytest

from bench import knownitem, languages, relevance, trec
from bench.engines import BenchQuery, newssearch_answer
from newssearch.langanalysis import analyse_neutrally
from tests.helpers import shared

pytestmark = pytest.mark.slow  # runs the TIME and known-item evaluations

#: Measured with the ranking of newssearch/search/rank.py (MODEL): MAP 0.7016, nDCG@10 0.7651 (all 83 topics),
#: with match="any" (every engine's TIME figure is reported so; see the module's docstring).
FLOORS = {"MAP": 0.69, "nDCG@10": 0.755}
#: Measured on the 300 known-item queries over Reuters 2006-07 (held out from tuning), every word required with
#: the fallback (2026-12-07): MRR@100 0.627, success@10 0.75 (with any word: 0.622 and 0.77; the 12 story
#: queries with a word their target lacks, answered by other articles, are the difference).
KNOWN_ITEM_FLOORS = {"MRR@100": 0.61, "S@10": 0.75}


@pytest.fixture(scope="module")
def time_eval(tmp_path_factory):
    collection = trec.load_time(shared("data", "time"))
    run, _, _ = relevance.run_engine("newssearch", collection, tmp_path_factory.mktemp("time") / "ix", match="any")
    return collection, run


def test_time_collection_loads_as_documented(time_eval):
    collection, _ = time_eval
    assert len(collection.docs) == 423 and len(collection.topics) == 83
    assert sum(len(r) for r in collection.qrels.values()) == 324
    # SOURCE.md's worked example: topic 15 "Park Chung Hee", judgment 424 -> record 422 = TEXT 562
    assert "562" in collection.qrels["15"] and "PARK" in next(d.text for d in collection.docs if d.docid == "562")


def test_every_topic_finds_something(time_eval):
    _, run = time_eval
    assert all(run.values())


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_time_ranking_floor(time_eval, metric):
    collection, run = time_eval
    score = trec.evaluate(run, collection.qrels)[metric]
    assert score >= FLOORS[metric], f"{metric} on TIME fell to {score:.4f} (floor {FLOORS[metric]})"


@pytest.fixture(scope="module")
def known_item(reuters_index):
    ix, _, _ = reuters_index
    records = [{"id": a.id, "title": a.title, "body": a.body} for a in ix.iter_articles()]
    queries = knownitem.make_queries(records)
    ranks = []
    for q in queries:
        ids = [hit[0] for hit in newssearch_answer(ix, BenchQuery(q.text, kind=q.style), knownitem.DEPTH).hits]
        ranks.append(ids.index(q.target) + 1 if q.target in ids else None)
    return queries, ranks


@pytest.mark.parametrize("metric", sorted(KNOWN_ITEM_FLOORS))
def test_known_item_floor_on_reuters(known_item, metric):
    queries, ranks = known_item
    assert len(queries) == 300 and {q.style for q in queries} == set(knownitem.STYLES)
    score = knownitem.measures(ranks)[metric]
    assert score >= KNOWN_ITEM_FLOORS[metric], f"{metric} on Reuters known-item queries fell to {score:.4f} (floor {KNOWN_ITEM_FLOORS[metric]})"


#: Known-item MRR@100 per language (bench/languages.py --search, headline queries, held-out half), on the
#: NTREX documents of four languages alone (123 each: the same stories in each), measured 2026-12-07:
#: de 0.960 (neutral 0.966), pl 0.983 (0.983), zh 0.992 (0.188), th 0.880 (0.110).
LANGUAGE_FLOORS = {"de": 0.93, "pl": 0.95, "zh": 0.96, "th": 0.85}
#: How far under the neutral analysis a language may be: on queries of a headline's own words, stemming
#: can only add other articles (German loses 0.006 here); the bigrams must win by far.
BELOW_NEUTRAL = {"de": 0.02, "pl": 0.02, "zh": -0.5, "th": -0.5}


@pytest.fixture(scope="module")
def language_eval(tmp_path_factory):
    path = shared("data", "multilingual-news")
    records = [r for r in languages.corpus_records(set(LANGUAGE_FLOORS)) if r["collection"] == "ntrex128"]
    assert path.is_dir() and len(records) == 123 * len(LANGUAGE_FLOORS)
    items = languages.known_items(records, 100)
    figures = {}
    try:
        for name, neutral in (("per-language", False), ("neutral", True)):
            ix = languages.build_index(tmp_path_factory.mktemp(name) / "ix", records, neutral)
            figures[name] = languages.mrr(ix, items)
            ix.close()
    finally:
        analyse_neutrally(False)
    return figures


@pytest.mark.parametrize("lang", sorted(LANGUAGE_FLOORS))
def test_known_items_are_found_in_their_own_language(language_eval, lang):
    got = language_eval["per-language"][lang]
    assert got >= LANGUAGE_FLOORS[lang], f"{lang}: MRR@100 {got:.3f} under the floor {LANGUAGE_FLOORS[lang]}"
    neutral = language_eval["neutral"][lang]
    assert got >= neutral - BELOW_NEUTRAL[lang], f"{lang}: MRR@100 {got:.3f} against the neutral analysis's {neutral:.3f}"
