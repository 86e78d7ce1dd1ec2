"""Query text is read as typed or refused, never silently read as something
else (newssearch.search.syntax): an unclosed quote is a phrase to the end,
with a warning; an unclosed bracket, a ``)`` that closes none and a field
with no value are errors naming the place; an operator that joins nothing is
ignored, with a warning."""

from __future__ import annotations

import pytest

import newssearch as ns
from newssearch.cli import cli
from newssearch.search.syntax import read_text


def ids(results: ns.SearchResults) -> set[str]:
    return {hit.article.id for hit in results}


def test_an_unclosed_quote_is_a_phrase_to_the_end(filled_index, articles) -> None:
    # the phrase matches one article; its words taken loosely, two
    unclosed = filled_index.search('"minsk agreement')
    assert ids(unclosed) == ids(filled_index.search('"minsk agreement"')) == {articles[2].id}
    assert ids(filled_index.search("minsk agreement")) == {articles[0].id, articles[2].id}
    (warning,) = unclosed.warnings
    assert "quote at character 0 is not closed" in warning and '"minsk agreement"' in warning


def test_a_quote_with_nothing_after_it_is_ignored() -> None:
    read = read_text('minsk "')
    assert read.text == "minsk" and "nothing after it" in read.warnings[0]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("(minsk AND", 0, "never closed"),
        ("minsk (grain OR (talks)", 6, "never closed"),
        ("minsk )", 6, "closes no bracket"),
        ("title:", 0, "title: has no value"),
        ("minsk headline:", 6, "headline: has no value"),
        ("title: minsk", 0, "with no space"),
        ("(title:)", 1, "title: has no value"),
        ("NOT", 0, "nothing to search for"),
        ("AND OR", 0, "nothing to search for"),
        ('"', 0, "nothing to search for"),
        ("( )", 0, "nothing to search for"),
    ],
)
def test_what_cannot_be_read_as_typed_is_refused_naming_the_place(filled_index, text: str, where: int, says: str) -> None:
    with pytest.raises(ns.QuerySyntaxError) as refused:
        filled_index.search(text)
    assert refused.value.position == where
    assert says in str(refused.value)


@pytest.mark.parametrize(
    ("text", "read_as", "warned"),
    [
        ("minsk AND", "minsk", ["AND at character 6 has nothing after it"]),
        ("AND minsk", "minsk", ["AND at character 0 has nothing before it"]),
        ("minsk OR", "minsk", ["OR at character 6"]),
        ("minsk NOT", "minsk", ["NOT at character 6 has nothing after it to exclude"]),
        ("minsk AND AND grain", "minsk     AND grain", ["AND at character 6"]),
        ("minsk AND (grain OR )", "minsk AND (grain    )", ["OR at character 17"]),
        ("minsk ()", "minsk", ["brackets at character 6 hold nothing"]),
        ("a ANDNOT ANDMAYBE ANDNOT b", "a                 ANDNOT b", ["ANDNOT at character 2", "ANDMAYBE at character 9"]),
    ],
)
def test_an_operator_that_joins_nothing_is_ignored_with_a_warning(text: str, read_as: str, warned: list[str]) -> None:
    read = read_text(text)
    assert read.text == read_as
    assert len(read.warnings) == len(warned)
    assert all(expected in got for expected, got in zip(warned, read.warnings))


@pytest.mark.parametrize(
    "text",
    [
        "minsk", "minsk AND grain", "NOT minsk", "minsk AND NOT grain", "(minsk OR grain) AND talks", 'title:"minsk talks"',
        "title:(minsk OR grain)", "iran: talks", "published:[2022-01-01 TO 2022-02-01]", '"a AND" OR b', "-(minsk)", "",
        "http://example.com/a", 'since:"last monday" minsk',
    ],
)
def test_what_reads_as_typed_is_left_alone(text: str) -> None:
    read = read_text(text)
    assert read.text == text and read.warnings == ()


def test_the_cli_prints_the_warning_and_refuses_with_exit_2(runner, tmp_path, articles) -> None:
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(articles)
    warned = runner.invoke(cli, ["search", '"minsk agreement', "--index", str(where)])
    assert warned.exit_code == 0
    assert "Warning: the quote at character 0 is not closed" in warned.stderr
    refused = runner.invoke(cli, ["search", "(minsk AND", "--index", str(where)])
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "at character 0" in refused.stderr and "Traceback" not in refused.stderr


def test_a_timeline_says_how_it_read_the_query(filled_index) -> None:
    tl = filled_index.timeline('"minsk agreement')
    assert tl.total == 1 and any("not closed" in w for w in tl.warnings)


def test_a_pasted_text_full_of_dangling_operators_gets_a_few_warnings_and_is_read_fast() -> None:
    read = read_text("oil " + "() " * 1000 + "AND")
    assert read.text == "oil"
    assert len(read.warnings) == 5 and read.warnings[-1].startswith("997 more")
