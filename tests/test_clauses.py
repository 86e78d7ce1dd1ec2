"""Field clauses in query text filter exactly as the options do (issue 9)."""

from __future__ import annotations

import pytest



def ids(results):
    return [h.article.id for h in results]


def scored(results):
    return [(h.article.id, round(h.score, 9)) for h in results]


@pytest.mark.parametrize(
    "clause, options",
    [
        ("agency:afp", {"agency": "AFP"}),
        ("wire:AFP", {"agency": "AFP"}),
        ("source:wire daily", {"source": "Wire"}),  # only "source:wire" is the clause here
        ('outlet:"Example Times"', {"source": "Example Times"}),
        ("section:world", {"section": "world"}),
        ("agency:reuters agency:afp", {"agency": ["Reuters", "AFP"]}),  # one field: any of its values
        ("section:world agency:afp", {"section": "world", "agency": "AFP"}),  # two fields: both
    ],
)
def test_a_top_level_field_clause_filters_like_the_option(filled_index, clause, options):
    # "agency:xinhua oil" was "agency xinhua OR oil": 1,547 results where the option gave 2
    text = "minsk agreement grain"
    if clause == "source:wire daily":
        text, clause = "daily", "source:wire"
    assert scored(filled_index.search(f"{text} {clause}")) == scored(filled_index.search(text, **options))
    assert scored(filled_index.search(f"{clause} {text}")) == scored(filled_index.search(text, **options))


def test_next_to_or_or_negated_a_field_clause_is_part_of_the_query(filled_index, articles):
    both = filled_index.search("grain OR agency:afp")
    assert set(ids(both)) == {articles[1].id, articles[2].id}  # grain, or an AFP story
    assert ids(filled_index.search("minsk -agency:afp")) == [articles[0].id]
    assert set(ids(filled_index.search("(minsk agency:afp)", match="any"))) == {articles[0].id, articles[2].id}  # in parentheses: OR
    assert set(ids(filled_index.search("(minsk agency:afp)"))) == {articles[2].id}  # or every word, the default


def test_site_inurl_and_intitle(filled_index, articles):
    by_host = {a.id for a in articles if a.url and "example.com/" in a.url}
    for clause in ("site:example.com", "site:https://example.com/world", "site:EXAMPLE.COM"):
        assert set(ids(filled_index.search(clause))) == by_host, clause
    assert ids(filled_index.search("site:wire.example.org")) == [articles[2].id]
    assert ids(filled_index.search("site:example.org")) == [articles[2].id]  # a parent domain finds its subdomains
    assert ids(filled_index.search("inurl:minsk")) == [articles[2].id, articles[0].id]  # newest first: only a filter
    assert ids(filled_index.search("inurl:minsk-agreement")) == [articles[2].id]  # every word of the value
    assert set(ids(filled_index.search("intitle:minsk"))) == {articles[0].id, articles[2].id}
    assert filled_index.search("intitle:capacity").total == 0 and filled_index.search("capacity").total == 1  # only in a body


def test_an_unknown_field_is_searched_as_words_with_a_warning(filled_index, runner):
    results = filled_index.search("foo:minsk agreement")
    assert results.total == 0 and len(results.warnings) == 1  # "foo" is a word no article has
    assert filled_index.search("foo:minsk agreement", match="any").total == 2
    assert results.warnings[0].startswith("unknown field 'foo' in 'foo:minsk', searched as words (fields: title")
    assert filled_index.search("minsk 12:30").warnings == ()  # a time, not a field
    assert filled_index.search("http://example.com minsk").warnings == ()  # a URL, not a field
    filled_index.close()

    from newssearch.cli import cli

    result = runner.invoke(cli, ["search", "foo:minsk", "--index", str(filled_index.path)])
    # no article has "foo" and "minsk" both: nothing found (exit 4), the warning says why
    assert result.exit_code == 4 and "Warning: unknown field 'foo'" in result.stderr


def test_agency_clause_equals_the_option_on_reuters(reuters_index):
    ix, _, _ = reuters_index
    clause, option = ix.search("agency:xinhua oil", limit=50), ix.search("oil", agency="xinhua", limit=50)
    assert clause.total == option.total and 0 < clause.total < 50
    assert scored(clause) == scored(option)
    assert ix.search("site:reuters.com oil").total == ix.search("oil").total - ix.search("oil -site:reuters.com").total
