"""The bounded table that a search session remembers lookups in (search/memo.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone

import numpy as np
import pytest

import newssearch as ns
from newssearch.search import results as results_module
from newssearch.search import session as session_module
from newssearch.search.memo import Memo


def test_a_value_is_computed_once_and_the_least_recently_used_goes_first():
    computed: list[str] = []
    memo: Memo[str, str] = Memo(2)

    def upper(key: str) -> str:
        computed.append(key)
        return key.upper()

    assert [memo.get(k, upper) for k in ("a", "b", "a")] == ["A", "B", "A"]
    assert computed == ["a", "b"]
    assert memo.get("c", upper) == "C"  # over its size: "b", used least recently, is dropped, not "a"
    assert len(memo) == 2
    assert memo.get("a", upper) == "A" and memo.get("b", upper) == "B"
    assert computed == ["a", "b", "c", "b"]
    memo.clear()
    assert len(memo) == 0 and memo.get("a", upper) == "A" and computed[-1] == "a"


def test_a_none_is_remembered_too():
    """Did-you-mean's commonest answer is None (nothing misspelled): it must not be looked up again."""
    calls: list[str] = []
    memo: Memo[str, None] = Memo(4)
    for _ in range(3):
        assert memo.get("minsk", lambda k: calls.append(k)) is None
    assert calls == ["minsk"]


def test_a_memo_holds_at_least_one_entry():
    with pytest.raises(ValueError, match="at least one"):
        Memo(0)


def test_a_budget_bounds_the_weight_kept_and_a_value_over_it_is_not_kept():
    computed: list[str] = []
    memo: Memo[str, str] = Memo(10, budget=10, weigh=len)

    def value(key: str) -> str:
        computed.append(key)
        return key * 4

    memo.get("a", value), memo.get("b", value)  # 4 + 4
    assert (len(memo), memo.weight) == (2, 8)
    memo.get("a", value)  # "a" used last: "b" goes when "c" comes
    memo.get("c", value)
    assert (len(memo), memo.weight) == (2, 8) and computed == ["a", "b", "c"]
    memo.get("a", value), memo.get("b", value)
    assert computed == ["a", "b", "c", "b"]
    assert memo.get("toolong", lambda k: k * 2) == "toolongtoolong"  # 14 > 10: answered, not kept
    assert (len(memo), memo.weight) == (2, 8)
    memo.clear()
    assert (len(memo), memo.weight) == (0, 0)
    with pytest.raises(ValueError, match="weigh"):
        Memo(2, budget=10)


def _oil(i: int) -> ns.Article:
    return ns.Article(title=f"Oil report {i}", body=f"Oil prices moved on day {i} as {'traders' if i % 2 else 'refiners'} watched.",
                      url=f"https://example.com/oil/{i}", source=("Wire", "Daily")[i % 2],
                      published=datetime(2024, 5, 1 + i % 28, tzinfo=timezone.utc))


def test_the_match_sets_kept_are_bounded_by_count_and_bytes(tmp_index, monkeypatch):
    tmp_index.add([_oil(i) for i in range(40)])
    monkeypatch.setattr(session_module, "MATCHES_KEPT", 3)
    monkeypatch.setattr(session_module, "MATCHES_BYTES", 40 * 16)  # 40 matches, id and score
    session = tmp_index.session()
    computed: list[int] = []

    def matches_of(n: int):
        def compute():
            computed.append(n)
            return (np.arange(n, dtype=np.int64), np.zeros(n)), False
        return compute

    for n in (5, 6, 7, 8):  # four small sets: the count bound keeps three
        session.matches(("q", n), matches_of(n))
    assert session.matches(("q", 8), matches_of(8))[0][0].tolist() == list(range(8)) and computed == [5, 6, 7, 8]
    session.matches(("q", 5), matches_of(5))
    assert computed == [5, 6, 7, 8, 5]  # 5 had gone: the least recently used of four
    session.matches(("q", 30), matches_of(30))  # 7 + 8 + 5 + 30 > 40 matches: 7 and 8 go, 5 and 30 stay
    session.matches(("q", 5), matches_of(5))
    session.matches(("q", 8), matches_of(8))
    assert computed == [5, 6, 7, 8, 5, 30, 8]
    (ids, _scores), _ = session.matches(("q", 30), matches_of(30))
    with pytest.raises(ValueError, match="read-only"):  # shared by every search that asks again: none may change it
        ids[0] = 7
    # the page's search runs its query once for the hits, the facets and the timeline
    ranker = session.ranker
    run = ranker.matches
    asked: list[object] = []
    monkeypatch.setattr(ranker, "matches", lambda q, restrict: asked.append(q) or run(q, restrict))
    found = tmp_index.search("traders", facets=["source"])
    assert found.total == 20 and found.facets["source"] == {"Daily": 20}
    assert tmp_index.timeline("traders").total == 20 and len(asked) == 1


def test_a_commit_by_another_process_changes_every_answer_within_two_seconds(tmp_index):
    tmp_index.add([_oil(i) for i in range(10)])
    assert (tmp_index.search("traders").total, tmp_index.timeline("traders").total) == (5, 5)
    assert tmp_index.search("traders", facets=["source"]).facets["source"] == {"Daily": 5}
    code = ("import sys, datetime, newssearch as ns\n"
            "with ns.open_index(sys.argv[1]) as ix:\n"
            "    ix.add(ns.Article(title='Oil late', body='Oil traders in Oslo.', url='https://example.com/late', source='Gazette',"
            " published=datetime.datetime(2024, 6, 9, tzinfo=datetime.timezone.utc)))\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_index.path)], check=True)
    deadline = time.monotonic() + 2.0
    while tmp_index.search("traders").total != 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    found = tmp_index.search("traders", facets=["source"])
    assert found.total == 6 and found.facets["source"] == {"Daily": 5, "Gazette": 1}
    tl = tmp_index.timeline("traders", by="month")
    assert tl.total == 6 and [n for _start, n in tl.buckets] == [5, 1]


def test_what_is_made_of_a_match_set_is_kept_with_it_and_a_copy_handed_out(tmp_index, monkeypatch):
    tmp_index.add([_oil(i) for i in range(40)])
    grouped: list[str] = []
    counted: list[object] = []
    group, count = results_module.collapse, results_module.facet_counts
    monkeypatch.setattr(results_module, "collapse", lambda ranker, found, sort, *a, **k: grouped.append(sort) or group(ranker, found, sort, *a, **k))
    monkeypatch.setattr(results_module, "facet_counts", lambda *a: counted.append(a) or count(*a))
    first = tmp_index.search("traders", facets=["source"])
    first.facets["source"]["Daily"] = 0  # the caller's copy: what is kept does not change
    again = tmp_index.search("traders", facets=["source"])
    assert again.facets == {"source": {"Daily": 20}} and [h.article.id for h in again] == [h.article.id for h in first]
    assert grouped == ["relevance"] and len(counted) == 1
    tmp_index.search("traders", sort="recency"), tmp_index.search("traders", sort="recency")
    assert grouped == ["relevance", "recency", "recency"]  # a blend with the time of asking: never kept


def test_what_is_made_of_match_sets_is_bounded(tmp_index, monkeypatch):
    tmp_index.add([_oil(i) for i in range(40)])
    monkeypatch.setattr(session_module, "DERIVED_KEPT", 1)
    grouped: list[str] = []
    group = results_module.collapse
    monkeypatch.setattr(results_module, "collapse", lambda ranker, found, sort, *a, **k: grouped.append(sort) or group(ranker, found, sort, *a, **k))
    for query in ("traders", "traders", "refiners", "traders"):  # one kept: each evicts the other
        tmp_index.search(query)
    assert len(grouped) == 3


def test_a_request_past_its_budget_fails_even_when_its_matches_were_kept(tmp_index):
    tmp_index.add([_oil(i) for i in range(10)])
    assert tmp_index.search("traders").total == 5  # the match set is kept
    with pytest.raises(ns.SearchTimedOut):
        tmp_index.search("traders", timeout=1e-9)
    with pytest.raises(ns.SearchTimedOut):
        tmp_index.timeline("traders", timeout=1e-9)
