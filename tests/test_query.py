"""Query parsing: every word by default (or any with match="any"), NOT that subtracts, fields, dates, errors."""

from datetime import datetime, timezone

import pytest
from whoosh import query as wq

from newssearch.engine.parsing import QueryParser
from newssearch.engine.query import NewsAndNot
from newssearch.errors import QuerySyntaxError
from newssearch.search.compile import build_filter, parse_query
from newssearch.search.request import Filters

UTC = timezone.utc


class _Parser:
    """Query text as a search parses it (dates first), without an index."""

    def __init__(self):
        self.parser = QueryParser.for_news()

    def parse(self, text):
        q, clauses = parse_query(text, self.parser, now=datetime(2022, 1, 28, tzinfo=UTC), tz=UTC)
        assert not clauses.ranges and not clauses.filters, "top-level date and field clauses are filters"
        return q


@pytest.fixture(scope="module")
def qb():
    return _Parser()


def test_plain_words_are_each_required_in_title_or_body(qb):
    q = qb.parse("minsk agreement")
    assert isinstance(q, wq.And) and all(isinstance(sub, wq.Or) for sub in q.subqueries)
    assert [set(sub.all_terms()) for sub in q.subqueries] == [
        {("title", "minsk"), ("body", "minsk")},
        {("title", "agreement"), ("body", "agreement")},
    ]


def test_with_any_plain_words_are_ored_across_title_and_body() -> None:
    q = QueryParser.for_news().parse("minsk agreement", "any")
    assert isinstance(q, wq.Or)
    assert set(q.all_terms()) == {("title", "minsk"), ("body", "minsk"), ("title", "agreement"), ("body", "agreement")}


def test_not_subtracts_instead_of_matching_everything_else(qb):
    q = qb.parse("minsk agreement NOT russia")
    assert isinstance(q, wq.AndNot)
    assert ("body", "russia") in set(q.b.all_terms())
    q2 = qb.parse("minsk -russia")
    assert isinstance(q2, wq.AndNot)


def test_explicit_and_phrases_and_fields(qb):
    assert isinstance(qb.parse("minsk AND agreement"), wq.And)
    phrase = qb.parse('"minsk agreement"')
    assert all(isinstance(p, wq.Phrase) for p in phrase.subqueries)
    # next to OR a field clause is an ordinary clause (at the top level it filters: test_clauses.py)
    assert qb.parse("x OR agency:Reuters").subqueries[-1] == wq.Term("agencies", "reuters")
    assert qb.parse('x OR outlet:"Sofia News Agency"').subqueries[-1] == wq.Term("source", "sofia news agency")
    assert qb.parse("x OR site:reuters.com").subqueries[-1] == wq.Term("host", "reuters.com")
    assert set(qb.parse("x OR intitle:oil").subqueries[-1].all_terms()) == {("title", "oil")}


def test_date_ranges(qb):
    q = qb.parse("minsk OR published:[2022-01-01 TO 2022-02-01]")
    assert isinstance(q.subqueries[-1], wq.NumericRange) and q.subqueries[-1].fieldname == "published"
    assert isinstance(qb.parse("minsk OR date:>2022-01").subqueries[-1], wq.NumericRange)
    q, clauses = parse_query("minsk date:2022-01", qb.parser, now=datetime(2022, 3, 1, tzinfo=UTC), tz=UTC)
    assert clauses.ranges == [(datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 1, 31, 23, 59, 59, 999999, tzinfo=UTC))]
    assert set(q.all_terms()) == {("title", "minsk"), ("body", "minsk")}


@pytest.mark.parametrize("text", ["published:2020-13-45", "published:[garbage TO 2020]", "a OR published:[garbage TO 2020]"])
def test_bad_dates_are_query_errors(qb, text):
    with pytest.raises(QuerySyntaxError, match="cannot parse query"):
        qb.parse(text)


def test_match_all_and_only_stop_words(qb):
    assert isinstance(qb.parse("*"), wq.Every)
    assert isinstance(qb.parse(""), wq.Every)
    assert qb.parse("the of") is wq.NullQuery


def test_build_filter():
    assert build_filter(Filters()) is None
    f = build_filter(Filters.build(since="2022-01-25", until="2022-01-26", source=["A", "B"], agency="AFP"))
    assert isinstance(f, wq.And)
    kinds = [type(p).__name__ for p in f.subqueries]
    assert kinds == ["DateRange", "Or", "Term"]


def test_every_andnot_uses_the_fixed_matcher(qb):
    for text in ("grain NOT talks", "grain -talks", "NOT talks", "(wheat AND NOT talks) OR grain"):
        q = qb.parse(text)
        found = [n for n in _walk(q) if isinstance(n, wq.AndNot)]
        assert found and all(isinstance(n, NewsAndNot) for n in found), text


def _walk(q):
    yield q
    if not q.is_leaf():
        for c in q.children():
            yield from _walk(c)
