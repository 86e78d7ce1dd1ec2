"""Exact counts from posting lists must equal Whoosh's own matching."""

from __future__ import annotations

import pytest

import newssearch as ns
from newssearch.counting import count_matches, matching_docs
from newssearch.query import build_filter, expand_stemmed_prefixes
from newssearch.searcher import _builder
from test_indexer import _many

QUERIES = [
    "minsk", "minsk agreement", "minsk AND agreement", "minsk NOT agreement", "minsk -talks +grain",
    '"grain ports"', "gra*", "negotiat*", "*", "title:story", "zebra", "the of",
    "published:[2022-01-01 TO 2022-01-31]", "story OR number7 OR number13", "(minsk OR wheat) AND NOT museum",
]


@pytest.fixture
def messy_index(tmp_path, monkeypatch):
    # several segments, deletions and updates: the cases counting must get right
    monkeypatch.setattr(ns.ArticleWriter, "PARALLEL_FROM", 10)
    monkeypatch.setattr(ns.ArticleWriter, "PARALLEL_BATCH", 7)
    ix = ns.create_index(tmp_path / "ix")
    arts = _many(80)
    with ix.writer(procs=2) as w:
        w.add_many(arts[:50])
    with ix.writer(procs=1) as w:
        w.add_many(arts[50:])
    with ix.writer() as w:
        w.delete(arts[3].id)
        w.delete(arts[60].id)
    ix.add([arts[5].replace(body="museum renovation only"), arts[70].replace(title="Changed title")])
    yield ix
    ix.close()


@pytest.mark.parametrize("text", QUERIES)
def test_counts_equal_whooshs_matching(messy_index, text):
    s = messy_index.searcher()
    q = expand_stemmed_prefixes(_builder(messy_index).parse(text), s.reader())
    expected = set(s.docs_for_query(q))
    assert matching_docs(s, q) == expected
    restrict = build_filter(section="none") or None
    assert count_matches(s, q, restrict) == 0 or restrict is None
    assert messy_index.search(text).total == len(expected)


def test_counts_with_filters(filled_index):
    s = filled_index.searcher()
    q = _builder(filled_index).parse("minsk OR grain OR museum")
    restrict = build_filter(source="Example Times")
    expected = set(s.docs_for_query(q)) & set(s.docs_for_query(restrict))
    assert count_matches(s, q, restrict) == len(expected) == 2
