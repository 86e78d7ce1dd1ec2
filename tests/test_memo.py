"""The bounded table that a search session remembers lookups in (search/memo.py)."""

from __future__ import annotations

import pytest

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
