"""No query text breaks a search: every input is answered or refused with a
QuerySyntaxError (issue 26). Queries are generated from the pieces the
language is made of (words, quotes, brackets, AND/OR/NOT/ANDNOT/ANDMAYBE,
+ and -, fields and their aliases, wildcards, ranges, comparisons, boosts,
fuzzy marks: ``bench.fuzz_queries.PIECES``, whose 100,000-query run is the
benchmark's) and from raw text with odd characters, lone surrogates
included."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newssearch as ns
from newssearch.engine.parsing import MAX_NESTING

from bench.fuzz_queries import PIECES
from tests.helpers import ARTICLES, EXAMPLES

@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ns.NewsIndex:
    ix = ns.create_index(Path(tmp_path_factory.mktemp("fuzz")) / "ix")
    ix.add(ARTICLES)
    return ix


def _answered_or_refused(ix: ns.NewsIndex, text: str) -> None:
    try:
        ix.search(text, limit=3, facets=["source"])
    except ns.QuerySyntaxError:
        pass
    except ns.ConfigError:  # a date clause with a value that is no date ("since:AND")
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map(" ".join))
def test_queries_from_the_language_are_answered_or_refused(index: ns.NewsIndex, text: str) -> None:
    _answered_or_refused(index, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join))
def test_pieces_run_together_are_answered_or_refused(index: ns.NewsIndex, text: str) -> None:
    _answered_or_refused(index, text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=40))
def test_any_text_is_answered_or_refused(index: ns.NewsIndex, text: str) -> None:
    _answered_or_refused(index, text)


@pytest.mark.parametrize(
    "text",
    ["oil (opec -iran)", "x (y -z)", "(a +b) c", "talks (minsk -grain)", "(minsk +agreement) museum"],
)
def test_plus_and_minus_inside_brackets_mean_what_they_mean_outside(index: ns.NewsIndex, text: str) -> None:
    index.search(text)  # once NotImplementedError (Minus, Plus)


def test_minus_inside_brackets_excludes_as_at_the_top(index: ns.NewsIndex) -> None:
    def ids(text: str, match: str = "all") -> set[str]:
        return {h.article.id for h in index.search(text, all_copies=True, match=match)}

    for match in ("all", "any"):
        assert ids("(minsk -ceasefire)", match) == ids("minsk -ceasefire", match) == {ARTICLES[2].id}
        assert ids("museum OR (minsk -ceasefire)", match) == {ARTICLES[2].id, ARTICLES[3].id}
    assert ids("(+minsk grain)", "any") == ids("+minsk grain", "any") == {ARTICLES[0].id, ARTICLES[2].id}
    both = ids("minsk AND agreement", "any")
    assert both and ids("(+minsk agreement)") == ids("+minsk agreement") == ids("minsk agreement") == both  # + adds nothing


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("> oil", None),
        ("path:x", 0),
        ("minsk story:*", 6),
        ("title:date:{0000-01-01 TO 2007-01}", None),
        ("source:\udcff", 7),
        ("(" * (MAX_NESTING + 1) + "oil" + ")" * (MAX_NESTING + 1), MAX_NESTING),
    ],
)
def test_what_broke_the_engine_is_refused_naming_the_place(index: ns.NewsIndex, text: str, where: int | None) -> None:
    with pytest.raises(ns.QuerySyntaxError) as refused:
        index.search(text)
    assert refused.value.position == where
    assert "\n" not in str(refused.value)


def test_nesting_up_to_the_limit_is_answered(index: ns.NewsIndex) -> None:
    assert index.search("(" * MAX_NESTING + "minsk" + ")" * MAX_NESTING).total == 2


def test_a_second_fragment_past_the_end_of_the_text_is_no_error(tmp_path: Path) -> None:
    """Found by bench/fuzz_queries.py (9 of 100,000): a snippet's second
    fragment, kept apart from the first, could start past the body's end,
    and snippets.py read beyond it (IndexError)."""
    ix = ns.create_index(tmp_path / "ix")
    ix.add(ns.read_path(EXAMPLES))
    assert ix.search("-museum:>=>NOT*~2of").total >= 0
    ix.close()
