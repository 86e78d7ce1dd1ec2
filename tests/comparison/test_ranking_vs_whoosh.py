"""The numpy ranker against Whoosh's own scoring of every match.

newssearch.search.rank re-implements Whoosh's BM25F evaluation for speed; these
tests hold it to Whoosh's numbers: same total, same top documents, same
scores, on a messy multi-segment index and on the Reuters 2006-07 corpus.
The ranker runs with coordination="segment", Whoosh's way of counting the
query terms for the coordination bonus (newssearch counts them over the whole
index, so scores do not depend on how documents fall into segments; see
test_indexer.test_parallel_writer_gives_the_same_index).

The reference walks Whoosh's matcher tree over every document and asks it
for each score. Not Searcher.search(): its collector "replaces" matchers as
it goes, and with the coordination bonus (CoordMatcher) that changes scores
(a document matching "post" in title and body scored 6.05 through search()
and 9.43, as the formula says, through the matcher) and can drop hits from
the top k. See test_collector_scores_differ_from_the_matchers.
"""

from __future__ import annotations

import math
import random
import re
import sys
from pathlib import Path

import pytest
from whoosh import sorting

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import parse_for  # noqa: E402
from test_counting import QUERIES, messy_index  # noqa: E402,F401
from test_indexer import _many  # noqa: E402

import newssearch as ns  # noqa: E402

from newssearch.search.rank import Ranker  # noqa: E402

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


def check(ix, text, restrict_kw=None, k=20):
    snapshot, q, restrict = parse_for(ix, text, **(restrict_kw or {}))
    s = snapshot.whoosh_searcher
    scores = matcher_scores(s, q)
    if restrict is not None:
        allowed = set(s.docs_for_query(restrict))
        scores = {d: sc for d, sc in scores.items() if d in allowed}
    reference = sorted((-score, docnum) for docnum, score in scores.items())[:k]
    got = Ranker(snapshot, coordination="segment").run(q, restrict, limit=k)
    assert got is not None, text
    assert got.total == len(scores), text
    assert len(got.page) == len(reference)
    for (docnum, score), (neg, ref_doc) in zip(got.page, reference):
        assert math.isclose(score, -neg, rel_tol=1e-9, abs_tol=1e-12), (text, docnum, ref_doc)
    # the same documents, allowing swaps only between equal scores
    assert {d for d, _ in got.page if _ > got.page[-1][1]} <= {d for _, d in reference}


PHRASES = ['"grain ports"', '"ports of wheat"', '"minsk agreement"~3', 'title:"story about grain"', '"grain ports" minsk',
           '"ceasefire of the talks"', '"museum wheat"~2 OR "talks diplomats"']


@pytest.mark.parametrize("text", QUERIES + PHRASES)
def test_messy_index(messy_index, text):  # noqa: F811
    check(messy_index, text)
    check(messy_index, text, {"section": "none"})


def test_other_shapes_fall_back_to_whoosh(messy_index):  # noqa: F811
    snapshot, q, _ = parse_for(messy_index, "id:[0 TO 9] grain")  # a term range
    assert Ranker(snapshot, coordination="segment").run(q, None, limit=10) is None
    assert messy_index.search("id:[0 TO 9] grain").total == len(snapshot.docs_for_query(q)) > 0


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


def test_reuters_scores_equal_whooshs(reuters_index):
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
            got = [d for d, _ in Ranker(snapshot, coordination="segment").run(q, None, limit=25, sort=sort).page]
            assert [published[d] for d in got] == [published[d] for d in truth], text


def test_collector_scores_differ_from_the_matchers(reuters_index):
    # Why the reference walks the matchers: Whoosh's collector replaces
    # matchers while collecting, and with the coordination bonus that
    # changes scores. When this fails, Whoosh fixed it.
    ix, _, _ = reuters_index
    differ = 0
    for text in _reuters_queries(ix, 40):
        snapshot, q, _ = parse_for(ix, text)
        s = snapshot.whoosh_searcher
        direct = matcher_scores(s, q)
        collected = {d: sc for sc, d in s.search(q, limit=None).top_n}
        differ += any(not math.isclose(direct[d], collected[d], rel_tol=1e-9) for d in collected)
    assert differ > 0


def _page(results):
    return results.total, [(h.article.id, round(h.score, 9)) for h in results]


SORTS = ("relevance", "date", "oldest", "recency")


def test_engine_whoosh_gives_the_rankers_results_on_one_segment(tmp_path):
    # engine="whoosh" promises the same results, only slower; on one segment
    # Whoosh's per-segment coordination count is the index-wide one
    ix = ns.create_index(tmp_path / "one")
    with ix.writer(procs=1) as w:
        w.add_many(_many(80))
    assert len(ix.session().snapshot.segments) == 1
    for text in [q for q in QUERIES if '"' not in q]:
        for sort in SORTS:
            for options in ({}, {"since": "2022-01-01"}, {"offset": 3, "facets": ["section"]}):
                ours = ix.search(text, sort=sort, limit=7, now="2022-02-01", snippets=False, **options)
                whoosh = ix.search(text, sort=sort, limit=7, now="2022-02-01", snippets=False, engine="whoosh", **options)
                assert _page(whoosh) == _page(ours) and whoosh.facets == ours.facets, (text, sort, options)


def test_phrase_results_are_the_best_matches_by_whooshs_formula(reuters_index):
    # phrases are scored by Whoosh's matchers; the page must hold the
    # highest-scoring matches (Whoosh's collector dropped some of them)
    ix, _, _ = reuters_index
    for text in ['"interest rates"', '"oil prices" OR opec', '"central bank" rates', '"Bank of America"']:
        snapshot, q, _ = parse_for(ix, text)
        truth = matcher_scores(snapshot.whoosh_searcher, q)
        best = sorted(truth.values(), reverse=True)[:10]
        got = ix.search(text, limit=10, snippets=False)
        assert got.total == len(truth), text
        assert [round(h.score, 9) for h in got] == [round(s, 9) for s in best], text
        recent = ix.search(text, sort="recency", now="2007-12-31", limit=5)  # refused before
        assert recent.total == len(truth) and all(h.explanation is None for h in recent)
