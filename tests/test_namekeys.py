"""Names across scripts (newssearch/namekeys.py and its use in langanalysis and the parser).

The texts here are written for the tests (no corpus text is copied).
"""

from __future__ import annotations

import json

import pytest

import newssearch as ns
from newssearch import langanalysis
from newssearch.cli import cli
from newssearch.engine.parsing import QueryParser
from newssearch.langanalysis import name_term, positions_by_term_in
from newssearch.namekeys import NAME, name_key, script_of

# --- the key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ("Brexit", "Брекзит", "Брексит", "Брексіт", "Brexitu", "Брекзита"),
        ("Ryanair", "Ryanaira", "Райънеър", "Райанэйр"),
        ("Zelensky", "Zelenski", "Зеленски", "Зеленский", "Зеленський", "Zełenski"),
        ("Biden", "Bidena", "Байдън", "Байден"),
        ("Stream", "Стрийм", "Стрім"),
        ("Mattarella", "Матарела"),
    ],
)
def test_the_spellings_of_a_name_in_either_script_share_its_key(spellings):
    keys = {name_key(s) for s in spellings}
    assert len(keys) == 1 and "" not in keys, {s: name_key(s) for s in spellings}


@pytest.mark.parametrize("a, b", [("Brexit", "Biden"), ("Ryanair", "Rainer Maria"), ("Zelensky", "Selena"), ("Trump", "Tram")])
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_a_key_too_short_to_tell_a_name_is_not_made():
    assert name_key("Io") == ""
    assert name_key("Ау") == ""
    assert name_key("Bibi") == "bb"


def test_the_script_of_a_word_is_that_of_its_first_letter():
    assert script_of("Brexit") == "LATIN"
    assert script_of("Брекзит") == "CYRILLIC"
    assert script_of("2020 Biden") == "LATIN"
    assert script_of("2020") == ""


# --- the index and the query ---------------------------------------------------------


def test_a_capitalised_word_is_indexed_with_its_key_at_its_place_and_a_lowercase_one_is_not():
    terms = positions_by_term_in("bg", "Мей говори за Брекзит и брекзит")
    assert terms[NAME + "brkst"] == [3]  # the capitalised one only
    # a consonant ending changes the word's key; in a stemmed language its stem's key is indexed too
    assert name_key("Brexitem") != "brkst"
    assert positions_by_term_in("cs", "o Brexitem")[NAME + "brkst"] == [1]
    assert not any(t.startswith(NAME) for t in positions_by_term_in("", "Brexit and Ryanair"))  # English: no keys
    assert not any(t.startswith(NAME) for t in positions_by_term_in("zh", "Brexit 北京"))  # bigram scripts: none


def test_a_query_word_asks_its_key_only_where_the_languages_script_is_not_its_own():
    assert name_term("bg", "brexit") == NAME + "brkst"
    assert name_term("cs", "брекзит") == NAME + "brkst"
    assert name_term("cs", "brexit") == ""
    assert name_term("bg", "брекзит") == ""
    assert name_term("", "brexit") == ""  # English fields hold no keys
    assert name_term("other", "brexit") == NAME + "brkst"  # any script there


def test_every_word_can_ask_its_key_when_told_to(monkeypatch):
    monkeypatch.setattr(langanalysis, "ACROSS_SCRIPTS_ONLY", False)
    assert name_term("cs", "zelensky") == NAME + "slnsk"


def test_a_words_stem_exact_form_and_key_are_each_one_query_word_over_its_fields(monkeypatch):
    # one flat Or per language: the ranker adds a term's title and body up (BM25F) only when they are siblings
    monkeypatch.setattr(langanalysis, "ACROSS_SCRIPTS_ONLY", False)
    q = QueryParser.for_news().parse("Ryanaira", "all", ("pl",))
    polish = next(sub for sub in q.subqueries if "title_pl" in repr(sub))
    assert [(t.fieldname, t.text) for t in polish.subqueries] == [
        ("title_pl", "ryanair"), ("title_pl", "=ryanaira"), ("title_pl", "~rnr"),
        ("body_pl", "ryanair"), ("body_pl", "=ryanaira"), ("body_pl", "~rnr"),
    ]


def test_the_parser_asks_the_key_beside_the_word_and_not_with_names_off():
    parser = QueryParser.for_news()
    on = repr(parser.parse("Brexit", "all", ("bg", "cs")))
    off = repr(parser.parse("Brexit", "all", ("bg", "cs"), names=False))
    assert "Term('title_bg', '~brkst'" in on and "Term('body_bg', '~brkst'" in on
    assert "Term('title_cs', '~" not in on and "Term('body_cs', '~" not in on  # the word's own script
    assert "~" not in off
    assert "~" not in repr(parser.parse("Brexit", "all", ()))  # an English-only index: as before


@pytest.fixture
def names_index(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many([
            ns.Article(id="bg1", title="Мей и Брекзит", body="Лондон обсъжда Брекзит днес.", language="bg", language_source="given"),
            ns.Article(id="bg2", title="Пазарите днес", body="Нищо за брекзит с малка буква.", language="bg", language_source="given"),
            ns.Article(id="cs1", title="Ryanair ruší lety", body="Aerolinka Ryanair škrtá.", language="cs", language_source="given"),
            ns.Article(id="ru1", title="Зеленский и Байден", body="Встреча в Киеве.", language="ru", language_source="given"),
            ns.Article(id="en1", title="Brexit talks", body="London talks about Brexit.", language="en", language_source="given"),
        ])
    yield ix
    ix.close()


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(h.article.id for h in results)


def test_a_name_finds_the_same_name_in_the_other_script_and_back(names_index):
    assert ids(names_index.search("Brexit")) == ["bg1", "en1"]
    assert ids(names_index.search("Райънеър")) == ["cs1"]
    assert ids(names_index.search("Zelensky")) == ["ru1"]
    assert ids(names_index.search("zelensky biden")) == ["ru1"]


def test_every_query_word_is_still_required(names_index):
    assert ids(names_index.search("Zelensky Ryanair")) == []
    assert ids(names_index.search("Brexit Ryanair", match="any")) == ["bg1", "cs1", "en1"]


def test_names_off_finds_only_the_words_own_script(names_index):
    assert ids(names_index.search("Brexit", names=False)) == ["en1"]
    assert ids(names_index.search("Райънеър", names=False)) == []


def test_the_key_is_shown_in_the_explanation(names_index):
    hit = next(iter(names_index.search("Brexit", lang="bg", explain=True)))
    assert "~brkst" in repr(hit.explanation)


def test_the_key_does_not_count_in_the_fields_length(names_index):
    # "Лондон обсъжда Брекзит днес.": four words, one of them keyed
    hit = next(iter(names_index.search("обсъжда", explain=True)))
    assert "field='body_bg', frequency=1.0, weight=1.0, length=4.0," in repr(hit.explanation)


def test_the_command_line_turns_keys_off(names_index, runner):
    on = runner.invoke(cli, ["search", "Brexit", "--index", str(names_index.path), "--json"])
    off = runner.invoke(cli, ["search", "Brexit", "--index", str(names_index.path), "--json", "--no-names"])
    assert on.exit_code == 0 and off.exit_code == 0, (on.output, off.output)
    assert _hit_ids(on.stdout) == ["bg1", "en1"]
    assert _hit_ids(off.stdout) == ["en1"]
    # timeline and export count and list what search finds (they had no switch: keys always on)
    for names, expected in (([], 2), (["--no-names"], 1)):
        counted = runner.invoke(cli, ["timeline", "Brexit", "--all-copies", "--json", "--index", str(names_index.path), *names])
        exported = runner.invoke(cli, ["export", "Brexit", "--index", str(names_index.path), *names])
        assert counted.exit_code == 0 and exported.exit_code == 0, (counted.output, exported.output)
        total = json.loads(counted.stdout)
        assert total["total"] == expected, total
        assert len(exported.stdout.splitlines()) == expected


def _hit_ids(out: str) -> list[str]:
    rows = [json.loads(line) for line in out.splitlines()]
    return sorted(row["id"] for row in rows if row.get("type") == "hit")
