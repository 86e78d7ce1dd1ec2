"""The numpy ranker against Whoosh's own matching of every query shape.

newssearch.search.ranker evaluates query trees (words, OR/AND/NOT/AND MAYBE,
prefixes, phrases with stop-word gaps, dates) over whole posting lists. Its
scores follow its own model (title and body as one document, see
tests/comparison/test_ranking_vs_reference.py), but what it matches must be
what Whoosh's matchers match: the same articles, the same totals, the same
date order, on a messy multi-segment index and on Reuters 2006-07.

The reference walks Whoosh's matcher tree over every document. Not
Searcher.search(): its collector "replaces" matchers as it goes, and with
the coordination bonus (CoordMatcher) that changes scores and can drop hits
from the top k (test_collector_scores_differ_from_the_matchers pins it).
"""

from __future__ import annotations

import math
import random
import re

import pytest
from whoosh import sorting

import newssearch as ns
from newssearch.search.ranker import Ranker

from tests.helpers import QUERIES, many_articles, parse_for

FILTERS = [{}, {"since": "2007-05-01", "until": "2007-06-15"}, {"source": "Reuters"}, {"section": ["none", "world"]}]


def matcher_scores(s, q):
    """Every match and its score, straight from Whoosh's matcher tree."""
    out = {}
    for sub, offset in s.leaf_searchers():
        m = q.matcher(sub, sub.context())
        while m.is_active():
            out[m.id() + offset] = m.score()
            m.next()
    return out


def check(ix, text, restrict_kw=None):
    """The ranker matches exactly the live documents Whoosh's matchers do."""
    snapshot, q, restrict = parse_for(ix, text, **(restrict_kw or {}))
    s = snapshot.whoosh_searcher
    expected = set(matcher_scores(s, q))
    if restrict is not None:
        expected &= set(s.docs_for_query(restrict))
    found = Ranker(snapshot).matches(q, restrict)
    assert found is not None, text
    ids, scores = found
    assert set(ids.tolist()) == expected and len(ids) == len(expected), text
    assert (scores > 0).all() or text.strip() in ("*", "") or "published:" in text, text
    assert ix.search(text, limit=0, all_copies=True, **(restrict_kw or {})).total == len(expected), text


PHRASES = ['"grain ports"', '"ports of wheat"', '"minsk agreement"~3', 'title:"story about grain"', '"grain ports" minsk',
           '"ceasefire of the talks"', '"museum wheat"~2 OR "talks diplomats"']


@pytest.mark.parametrize("text", QUERIES + PHRASES)
def test_messy_index(messy_index, text):
    check(messy_index, text)
    check(messy_index, text, {"section": "business"})


def test_other_shapes_fall_back_to_whoosh(messy_index):
    snapshot, q, _ = parse_for(messy_index, "id:[0 TO 9] grain")  # a term range
    assert Ranker(snapshot).run(q, None, limit=10) is None
    assert messy_index.search("id:[0 TO 9] grain", all_copies=True).total == len(snapshot.docs_for_query(q)) > 0


def _reuters_queries(ix, n=120):
    rng = random.Random(7)
    titles = sorted(a.title for a in ix.iter_articles())  # the same queries whatever the docnum order
    queries = []
    while len(queries) < n:
        words = re.findall(r"[A-Za-z]{3,}", rng.choice(titles))
        if words:
            k = rng.choice((1, 2, 3))
            queries.append(" ".join(rng.sample(words, min(k, len(words)))))
    return queries + ["oil AND (price OR prices) NOT opec", "bank -mortgage +rates", "merg* acqui*", "*", "published:[2007-03-01 TO 2007-03-31] oil",
                      '"bank of england"', '"interest rates" rise', '"run on the bank"~3', 'title:"bank of america"', '"oil prices" -opec']


def test_reuters_matches_equal_whooshs(reuters_index):
    ix, _, _ = reuters_index
    for i, text in enumerate(_reuters_queries(ix)):
        check(ix, text, FILTERS[i % len(FILTERS)])


def test_reuters_date_order_equals_whooshs(reuters_index):
    ix, _, _ = reuters_index
    for text in _reuters_queries(ix, 30):
        snapshot, q, _ = parse_for(ix, text)
        s = snapshot.whoosh_searcher
        published = s.reader().column_reader("published", translate=False)
        for sort in ("date", "oldest"):
            facets = [sorting.FieldFacet("undated"), sorting.FieldFacet("published", reverse=sort == "date")]
            truth = [d for _, d in s.search(q, limit=None, sortedby=facets).top_n][:25]
            got = [d for d, _ in Ranker(snapshot).run(q, None, limit=25, sort=sort).page]
            assert [published[d] for d in got] == [published[d] for d in truth], text


def test_collector_scores_differ_from_the_matchers(reuters_index):
    # Why the reference walks the matchers: Whoosh's collector replaces
    # matchers while collecting, and with the coordination bonus that
    # changes scores. When this fails, Whoosh fixed it.
    ix, _, _ = reuters_index
    differ = 0
    for text in _reuters_queries(ix, 40):
        snapshot, q, _ = parse_for(ix, text, match="any")  # the coordination bonus is OR's
        s = snapshot.whoosh_searcher
        direct = matcher_scores(s, q)
        collected = {d: sc for sc, d in s.search(q, limit=None).top_n}
        differ += any(not math.isclose(direct[d], collected[d], rel_tol=1e-9) for d in collected)
    assert differ > 0


def _page(results):
    return results.total, [h.article.id for h in results]


SORTS = ("date", "oldest")


def test_engine_whoosh_matches_what_the_ranker_matches(tmp_path):
    # engine="whoosh" runs Whoosh's matchers (and its BM25F scores, another
    # model): the same articles, totals, facets and date orders
    ix = ns.create_index(tmp_path / "one")
    with ix.writer(procs=1) as w:
        w.add_many(many_articles(80))
    for text in QUERIES + PHRASES:
        ours = ix.search(text, limit=200, snippets=False, facets=["section"], all_copies=True)
        whoosh = ix.search(text, limit=200, snippets=False, facets=["section"], engine="whoosh", all_copies=True)
        assert ours.total == whoosh.total and ours.facets == whoosh.facets, text
        assert {h.article.id for h in ours} == {h.article.id for h in whoosh}, text
        for sort in SORTS:
            for options in ({}, {"since": "2022-01-01"}, {"offset": 3}):
                a = ix.search(text, sort=sort, limit=7, snippets=False, all_copies=True, **options)
                b = ix.search(text, sort=sort, limit=7, snippets=False, engine="whoosh", all_copies=True, **options)
                assert _page(a) == _page(b), (text, sort, options)


def test_phrases_match_what_whooshs_span_matching_matches(reuters_index):
    # phrases, stop-word gaps and slop included, match the articles Whoosh's
    # span matchers (GapPhrase.matcher) match; recency works with them
    ix, _, _ = reuters_index
    for text in ['"interest rates"', '"oil prices" OR opec', '"central bank" rates', '"Bank of America"', '"run on the bank"~3']:
        snapshot, q, _ = parse_for(ix, text)
        truth = set(matcher_scores(snapshot.whoosh_searcher, q))
        got = ix.search(text, limit=len(truth) + 5, snippets=False, all_copies=True)
        assert got.total == len(truth) and {h.article.id for h in got} == {snapshot.article(d).id for d in truth}, text
        # now after the last article: --now is the clock, and hides what comes after it
        recent = ix.search(text, sort="recency", now="2008-01-31", limit=5, explain=True, all_copies=True)
        assert recent.total == len(truth) and all(h.explanation.recency_factor for h in recent)
