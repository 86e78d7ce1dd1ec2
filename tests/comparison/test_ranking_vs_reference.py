"""newssearch's ranking against an independent implementation (tests/reference.py).

The ranking departs from Whoosh's BM25F (title and body are scored as one
document; a coordination factor), so its scores are held, through the
public search API, to scores computed from the articles' texts alone, on
indexes written in several segments by several processes (a score must not
depend on how articles fall into segments). The reference reads words with
its own tokenizer, so the articles here include the words its rules are
about (AT&T, U.S., O'Neill, possessives, accents). The other comparison file
holds what the ranker matches to Whoosh's own matching.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter

import pytest

import newssearch as ns
from newssearch.analysis import positions_by_term
from newssearch.langanalysis import ENGLISH, language_group
from newssearch.search.request import MAX_LIMIT

from tests.helpers import ARTICLES, many_articles
from tests.reference import Reference, terms


def check(ix, reference, query, elsewhere=frozenset()):
    """``elsewhere``: the ids of articles in another language than English,
    indexed in their language's fields by its rules (which the reference
    does not model): they may match too, and are left out of the comparison."""
    expected = reference.scores(query)
    # the reference scores every article with any of the words (match="any")
    results = ix.search(query, limit=min(len(expected) + len(elsewhere) + 5, MAX_LIMIT), snippets=False, all_copies=True,
                        match="any")
    others = [h for h in results if h.article.id in elsewhere]
    assert results.total == len(expected) + len(others), query
    got = {h.article.id: h.score for h in results if h.article.id not in elsewhere}
    for doc_id, score in got.items():
        assert math.isclose(score, expected[doc_id], rel_tol=1e-9), (query, doc_id, score, expected[doc_id])
    left_out = [score for doc_id, score in expected.items() if doc_id not in got]
    assert len(left_out) == len(expected) - len(got)
    if left_out:  # a page capped at MAX_LIMIT holds the best of them
        assert max(left_out) <= min(got.values()) * (1 + 1e-9), query
    ranked = [h.score for h in results]
    assert ranked == sorted(ranked, reverse=True)


#: Words the tokenizer's rules are about: inner dots, ampersands and
#: apostrophes, possessives, curly apostrophes, accents, numbers.
WORDY = [
    ns.Article(
        title="AT&T's U.S. deal approved",
        body="Regulators in the U.S. approved AT&T\u2019s deal; O'Neill said the agreements were signed in Z\u00fcrich, up 3.5% on the year.",
        url="https://example.com/att-deal",
    ),
    ns.Article(
        title="O\u2019Neill visits Zurich",
        body="Talks with AT&T and the U.S. Treasury: Russia's ministers and the caf\u00e9 owners' agreement on na\u00efve pricing with P&G.",
        url="https://example.com/oneill-zurich",
    ),
]
WORDY_QUERIES = ["AT&T", "U.S. agreement", "zurich", "O'Neill", "Russia", "cafe agreements", "3.5", "naive Zürich deals", "P&G pricing"]


def test_the_reference_reads_words_as_the_index_does():
    # the same terms, counted alike, as the indexing path makes from each text
    for article in [*ARTICLES, *WORDY, *many_articles(10)]:
        for text in (article.title, article.body):
            index_terms = {t: len(positions) for t, positions in positions_by_term(text).items()}
            assert Counter(terms(text)) == index_terms, text


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory):
    # three commits, the first two by two writer processes: five segments;
    # built once, as the tests only read it
    articles = many_articles(90) + list(ARTICLES) + WORDY
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ns.ArticleWriter, "PARALLEL_FROM", 10)
        mp.setattr(ns.ArticleWriter, "PARALLEL_BATCH", 7)
        ix = ns.create_index(tmp_path_factory.mktemp("segmented") / "ix")
        with ix.writer(procs=2) as w:
            w.add_many(articles[:40])
        with ix.writer(procs=2) as w:
            w.add_many(articles[40:80])
        ix.add(articles[80:])
    assert len(ix.session().snapshot.segments) >= 3
    yield ix, Reference(articles)
    ix.close()


@pytest.mark.parametrize(
    "query",
    ["minsk", "minsk agreement", "grain ports wheat", "story number7", "ceasefire talks diplomats museum",
     "renovation", "zebra", "zebra minsk", "Negotiators Minsk ceasefire agreement", *WORDY_QUERIES],
)
def test_scores_equal_the_reference_on_a_segmented_index(segmented_index, query):
    ix, reference = segmented_index
    check(ix, reference, query)


def test_explain_parts_are_the_reference_parts(segmented_index):
    ix, reference = segmented_index
    expected = reference.scores("minsk agreement talks")
    for hit in ix.search("minsk agreement talks", explain=True, limit=5, all_copies=True):
        e = hit.explanation
        assert e.parts
        for p in e.parts:
            assert math.isclose(p.score, reference.part(hit.article.id, p.term), rel_tol=1e-9)
            assert math.isclose(p.tf, reference.tf(hit.article.id, p.term), rel_tol=1e-9)
            assert math.isclose(p.idf, reference.idf(p.term), rel_tol=1e-9)
        assert math.isclose(e.relevance, expected[hit.article.id], rel_tol=1e-9)
        assert math.isclose(e.relevance, e.coordination * sum(p.score for p in e.parts), rel_tol=1e-9)


def test_scores_equal_the_reference_on_reuters(reuters_index):
    ix, _, _ = reuters_index
    assert len(ix.session().snapshot.segments) >= 2  # written by two processes
    articles = sorted(ix.iter_articles(), key=lambda a: a.id)  # the same queries whatever the docnum order
    # the English fields' statistics count the articles indexed in them (one
    # Reuters article is detected as French and has fields of its own)
    english = [a for a in articles if language_group(a.language) == ENGLISH]
    elsewhere = frozenset(a.id for a in articles) - {a.id for a in english}
    assert len(elsewhere) < 10
    reference = Reference(english)
    rng = random.Random(11)
    for _ in range(25):
        words = re.findall(r"[A-Za-z]{3,}", rng.choice(articles).title)
        if words:
            check(ix, reference, " ".join(rng.sample(words, min(rng.choice((1, 2, 3)), len(words)))), elsewhere)
