"""Percolation (newssearch.search.percolate): a request matched against only
the articles later commits added, in the order they were added, with
snippets; what the saved searches' alerts are made of (tests/test_saved.py
holds the alerts themselves to a full re-search)."""

from __future__ import annotations

import pytest

import newssearch as ns
from newssearch.errors import QuerySyntaxError
from newssearch.search.percolate import Percolator


@pytest.mark.parametrize("engine", ["auto", "whoosh"])
def test_only_articles_added_after_a_seq_match_in_the_order_added(tmp_index, articles, engine) -> None:
    tmp_index.add(articles[:2])
    after_seq = tmp_index.session().snapshot.last_seq
    tmp_index.add([articles[3]])
    tmp_index.add([articles[2]])
    session = tmp_index.session()
    percolator = Percolator(session)
    found = percolator.match(ns.SearchRequest.build("", engine=engine), after_seq)
    assert [percolator.article(m).id for m in found] == [articles[3].id, articles[2].id]
    assert found[0].seq < found[1].seq and all(m.seq > after_seq for m in found)
    (minsk,) = percolator.match(ns.SearchRequest.build("minsk", engine=engine, sort="date", limit=1), after_seq)
    assert percolator.article(minsk).id == articles[2].id
    assert "Minsk" in percolator.snippet(minsk).text and percolator.snippet(minsk).highlights
    assert percolator.match(ns.SearchRequest.build("minsk", source="Example Times", engine=engine), after_seq) == []
    assert percolator.match(ns.SearchRequest.build("", engine=engine), session.snapshot.last_seq) == []


def test_a_request_that_does_not_compile_raises(tmp_index, articles) -> None:
    tmp_index.add(articles)
    with pytest.raises(QuerySyntaxError):
        Percolator(tmp_index.session()).match(ns.SearchRequest.build("minsk " * 200), 0)
