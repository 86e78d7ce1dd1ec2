"""Queries, snippets and highlights in every language, on real articles (issue 22).

The articles are read at run time from ``../shared/data/multilingual-news``
(research and testing use only: no text of theirs is copied here). What a
query should find is worked out from the articles themselves by the
language's own analysis (:func:`newssearch.langanalysis.analyse`), so the
expectations are not the code's answers written down.
"""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

import newssearch as ns
from newssearch.langanalysis import analyse
from tests.helpers import shared

CORPUS = ("data", "multilingual-news")
#: BSNLP news (real outlets, inflected forms) and NTREX documents in scripts of every kind
BSNLP = ("pl", "bg", "ru")
NTREX = ("zh", "ja", "th", "ar", "he", "hi", "en")
PER_LANGUAGE = 40


def _records(lang: str) -> list[dict]:
    with shared(*CORPUS, f"{lang}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _sample() -> list[dict]:
    rows: list[dict] = []
    for lang in BSNLP:
        # the first articles of two topics, so that their names recur in inflected forms
        for topic in ("ryanair", "brexit"):
            rows += [r for r in _records(lang) if r["topic"] == topic][: PER_LANGUAGE // 2]
    for lang in NTREX:
        rows += _records(lang)[:PER_LANGUAGE]
    return rows


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return _sample()


@pytest.fixture(scope="module")
def real_index(tmp_path_factory, records):
    ix = ns.create_index(tmp_path_factory.mktemp("langq") / "ix")
    with ix.writer() as w:
        w.add_many(
            ns.Article(id=r["id"], title=r["title"], body=r["body"], language=r["lang"], source=r["source"], url=r["url"])
            for r in records
        )
    yield ix
    ix.close()


def _found(ix: ns.NewsIndex, query: str, lang: str) -> set[str]:
    results = ix.search(query, lang=lang, limit=500, all_copies=True, snippets=False)
    return {h.article.id for h in results}


def _terms(lang: str, text: str) -> list[str]:
    return [t for t, _pos, _s, _e in analyse(lang, text) if t]


def _holding(records: list[dict], lang: str, field: str, word: str) -> set[str]:
    """The articles of ``lang`` whose ``field`` holds ``word`` as the language analyses both."""
    (term,) = _terms(lang, word)
    return {r["id"] for r in records if r["lang"] == lang and term in _terms(lang, r[field])}


# --- field clauses -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "clause", "field", "word"),
    [
        ("pl", "title:Ryanaira", "title", "Ryanaira"),  # an inflected form: the stem's articles
        ("pl", "intitle:brexitu", "title", "brexitu"),
        ("bg", "headline:Брекзит", "title", "Брекзит"),
        ("ru", "body:Ryanair", "body", "Ryanair"),
    ],
)
def test_a_field_clause_searches_that_field_in_the_articles_language(real_index, records, lang, clause, field, word):
    expected = _holding(records, lang, field, word)
    assert expected, f"the sample holds no {lang} article with {word!r} in its {field}"
    assert _found(real_index, clause, lang) == expected
    # the clause is narrower than the plain word where the word is also elsewhere
    assert expected <= _found(real_index, word, lang)


def test_a_field_clause_on_a_script_without_spaces_finds_the_run_of_characters(real_index, records):
    zh = [r for r in records if r["lang"] == "zh"]
    # a run of four Han characters from one headline: found wherever a headline holds it
    title = next(r["title"] for r in zh if sum("\u4e00" <= c <= "\u9fff" for c in r["title"]) >= 6)
    start = next(i for i, c in enumerate(title) if all("\u4e00" <= d <= "\u9fff" for d in title[i : i + 4]))
    run = title[start : start + 4]
    expected = {r["id"] for r in zh if run in r["title"]}
    assert _found(real_index, f"title:{run}", "zh") == expected
    assert _found(real_index, f"body:{run}", "zh") == {r["id"] for r in zh if run in r["body"]}


def test_a_phrase_and_a_prefix_inside_a_field_clause_work_in_the_articles_language(real_index, records):
    pl = [r for r in records if r["lang"] == "pl"]
    stems = {r["id"]: _terms("pl", r["title"]) for r in pl}
    phrase = {i for i, t in stems.items() if any(a == "nord" and b == "stream" for a, b in pairwise(t))}
    bg_phrase = {
        r["id"] for r in records if r["lang"] == "bg" and "ryanair" in _terms("bg", r["body"])
    }
    assert _found(real_index, 'title:"nord stream"', "pl") == phrase
    assert bg_phrase and _found(real_index, 'body:"Ryanair"', "bg") == bg_phrase
    prefixed = {i for i, t in stems.items() if any(term.startswith("ryana") for term in t)}
    assert prefixed and _found(real_index, "title:ryana*", "pl") == prefixed


def test_a_field_clause_still_searches_english_articles_in_english(real_index, records):
    en = [r for r in records if r["lang"] == "en"]
    word = next(w for w in en[0]["title"].split() if len(w) > 5 and w.isalpha())
    assert en[0]["id"] in _found(real_index, f"title:{word}", "en")
