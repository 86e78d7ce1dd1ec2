"""Queries, snippets and highlights in every language, on real articles (issue 22).

The articles are read at run time from ``../shared/data/multilingual-news``
(research and testing use only: no text of theirs is copied here). What a
query should find is worked out from the articles themselves by the
language's own analysis (:func:`newssearch.langanalysis.analyse`), so the
expectations are not the code's answers written down.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timezone
from itertools import pairwise

import pytest

import newssearch as ns
from newssearch.cli import cli
from newssearch.langanalysis import analyse
from newssearch.search.percolate import Percolator
from newssearch.write.stories import StoryGrouper
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


# --- snippets and highlights in every script ------------------------------------------


def _marked(snippet: ns.Snippet) -> list[str]:
    return [snippet.text[a:b] for a, b in snippet.highlights]


def _han_run(records: list[dict], lang: str, length: int) -> str:
    """A run of ``length`` Han characters from the body of the first article of ``lang`` that has one."""
    for r in records:
        if r["lang"] == lang:
            body = r["body"]
            for i in range(len(body) - length):
                if all("\u4e00" <= c <= "\u9fff" for c in body[i : i + length]):
                    return body[i : i + length]
    raise AssertionError(f"no {lang} article holds {length} Han characters in a row")


def test_a_run_of_characters_is_marked_as_the_run_never_as_its_pieces(real_index, records):
    run = _han_run(records, "zh", 4)
    hits = list(real_index.search(run, lang="zh", all_copies=True, limit=50))
    assert hits
    for hit in hits:
        assert set(_marked(hit.snippet)) | set(_marked(hit.title_snippet)) <= {run}, hit.article.id
        assert _marked(hit.snippet) or _marked(hit.title_snippet)


def test_a_bigram_of_a_run_standing_alone_is_not_marked(tmp_path):
    # written for the test: the run 北京大学 once, and its bigram 大学 once more inside another run
    ix = ns.create_index(tmp_path / "ix")
    ix.add([ns.Article(id="zh-run", title="北京大学和清华大学", body="今天北京大学的学生和清华大学的学生参加了会议。", language="zh")])
    (hit,) = ix.search("北京大学")
    assert _marked(hit.snippet) == _marked(hit.title_snippet) == ["北京大学"]
    ix.close()


def test_a_bigrams_place_is_where_its_characters_stand_in_real_thai(records):
    # NFKC makes two characters of SARA AM (U+0E33), common in Thai: the places are counted back through it
    bodies = [r["body"] for r in records if r["lang"] == "th" and "\u0e33" in r["body"]]
    assert bodies
    for body in bodies:
        for term, _pos, start, end in analyse("th", body):
            # the span holds the bigram's characters and no others (SARA AM, where a bigram ends or
            # starts inside it, is taken whole: a mark never cuts a character)
            assert term in unicodedata.normalize("NFKC", body[start:end]).lower(), (term, body[start:end])
            assert end - start <= len(term), (term, body[start:end])


@pytest.mark.parametrize("lang", ["th", "hi", "ar", "he", "ja", "ru", "bg"])
def test_every_mark_covers_whole_characters_and_the_words_that_matched(real_index, records, lang):
    # a word of four letters or more from the middle of an article's body: what a reader would type
    body = next(r["body"] for r in records if r["lang"] == lang)
    tokens = analyse(lang, body)
    word = next(body[s:e] for t, _p, s, e in tokens[len(tokens) // 3 :] if e - s >= 4 and body[s:e].isalpha())
    hits = list(real_index.search(word, lang=lang, all_copies=True, limit=20))
    assert hits, word
    wanted = set(_terms(lang, word))
    for hit in hits:
        for snippet in (hit.snippet, hit.title_snippet):
            for a, b in snippet.highlights:
                piece = snippet.text[a:b]
                # no mark starts on a vowel sign, tone mark or point, nor stops before one
                assert not unicodedata.category(piece[0]).startswith("M"), (word, piece)
                assert b == len(snippet.text) or not unicodedata.category(snippet.text[b]).startswith("M"), (word, piece)
                # and what is marked is the word asked for, as its language reads it
                assert set(_terms(lang, piece)) <= wanted or "".join(_terms(lang, piece)) == "".join(_terms(lang, word)), (word, piece)


def test_an_inflected_polish_word_marks_every_form_of_its_stem(real_index):
    hits = list(real_index.search("Ryanairowi", lang="pl", all_copies=True, limit=20))
    marked = {piece for hit in hits for piece in _marked(hit.snippet) + _marked(hit.title_snippet)}
    assert marked and {_terms("pl", piece)[0] for piece in marked} == {"ryanair"}
    assert len(marked) > 1  # other forms than the one typed: "Ryanaira", "Ryanair", ...


def test_a_chinese_snippet_is_a_window_of_characters_not_the_paragraph(real_index, records):
    long = [r for r in records if r["lang"] == "zh" and len(r["body"]) > 600]
    assert long
    run = _han_run(long, "zh", 2)
    hit = next(h for h in real_index.search(run, lang="zh", all_copies=True, limit=50, snippet_chars=240) if h.article.id == long[0]["id"])
    # 240 columns: about 120 wide characters, give or take the ends taken to a full stop
    assert 60 <= len(hit.snippet.text) <= 200, len(hit.snippet.text)
    assert run in hit.snippet.text


def test_a_saved_searchs_alert_marks_a_chinese_article_by_its_runs(tmp_path, records):
    ix = ns.create_index(tmp_path / "ix")
    zh = [r for r in records if r["lang"] == "zh"][:10]
    ix.add([ns.Article(id=r["id"], title=r["title"], body=r["body"], language="zh") for r in zh])
    run = _han_run(zh, "zh", 4)
    percolator = Percolator(ix.session())
    found = percolator.match(ns.SearchRequest.build(run), 0)
    assert found and all(m.language == "zh" for m in found)
    for match in found:
        snippet = percolator.snippet(match)
        assert _marked(snippet) and set(_marked(snippet)) == {run}
    ix.close()


# --- did-you-mean in other languages ----------------------------------------------------


def _frequent_word(ix: ns.NewsIndex, records: list[dict], lang: str) -> str:
    """A long word of ``lang``'s headlines that many of its articles use, as written."""
    counts: dict[str, int] = {}
    for r in records:
        if r["lang"] == lang:
            for term, _p, s, e in analyse(lang, r["title"]):
                word = r["title"][s:e]
                if len(word) >= 7 and word.isalpha() and word.islower():
                    counts[word] = counts.get(word, 0) + 1
    assert counts
    return max(counts, key=lambda w: (counts[w], w))


@pytest.mark.parametrize("lang", ["pl", "ru", "bg"])
def test_a_misspelt_word_is_corrected_from_its_own_languages_vocabulary(real_index, records, lang):
    word = _frequent_word(real_index, records, lang)
    typo = word[:3] + word[4] + word[3] + word[5:]  # two letters swapped
    suggestion = real_index.suggest(typo)
    assert suggestion is not None, (word, typo)
    assert _terms(lang, suggestion) == _terms(lang, word), (word, typo, suggestion)
    assert real_index.suggest(word) is None  # the word as written is left alone


def test_a_word_its_language_knows_is_not_corrected_into_english(real_index):
    # Polish case forms of names: not in English's vocabulary, in Polish articles
    for word in ("Ryanaira", "brexitu"):
        assert real_index.suggest(word) is None, word


def test_a_real_rare_word_is_not_corrected_into_a_common_one(tmp_path):
    # written for the test: "botched" in one article, "both" in many (the case that made the rule)
    ix = ns.create_index(tmp_path / "ix")
    ix.add([ns.Article(id=f"both-{n}", title=f"Both sides talk {n}", body="Both sides met again.", language="en") for n in range(12)])
    ix.add([ns.Article(id="rare", title="A botched launch", body="The launch was botched.", language="en")])
    assert ix.suggest("botched") is None
    assert ix.suggest("bothh") == "both"  # a word no article uses is still corrected
    ix.close()


def test_a_chinese_query_is_never_corrected(real_index, records):
    run = _han_run(records, "zh", 4)
    assert real_index.suggest(run) is None
    assert real_index.suggest(run[:2] + "\u7684" + run[3:]) is None  # one character changed: another word, not a typo


# --- stories and similar within a language ---------------------------------------------


def test_translations_of_one_document_are_never_grouped_as_one_story(records):
    # NTREX: the same document in each language, published the same day (as a newsroom's versions would be)
    day = datetime(2019, 1, 1, tzinfo=timezone.utc)
    grouper = StoryGrouper(None)
    stories: dict[int, set[str]] = {}
    ntrex = [r for r in records if r["collection"] == "ntrex128"]
    assert len({r["lang"] for r in ntrex}) >= 5
    for r in ntrex:
        story, _sig = grouper.assign(r["id"], r["title"], r["body"], day)
        stories.setdefault(story, set()).add(r["lang"])
    assert all(len(langs) == 1 for langs in stories.values())


def test_similar_keeps_to_the_articles_language_where_languages_share_fields(tmp_path):
    # written for the test: Swahili and Tagalog have no fields of their own, and share the names and numbers
    ix = ns.create_index(tmp_path / "ix")
    ix.add([
        ns.Article(id="sw-a", title="Ryanair Nairobi 2019 Kenyatta", body="Ryanair Nairobi Kenyatta 2019 marubani mgomo Ijumaa.", language="sw"),
        ns.Article(id="sw-b", title="Ryanair Kenyatta Nairobi", body="Ryanair Nairobi Kenyatta marubani wanagoma tena.", language="sw"),
        ns.Article(id="tl-a", title="Ryanair Nairobi 2019 Kenyatta", body="Ryanair Nairobi Kenyatta 2019 mga piloto welga Biyernes.", language="tl"),
    ])
    assert [a.language for a in (ix.get("sw-a"), ix.get("tl-a"))] == ["sw", "tl"]
    found = [h.article.id for h in ix.similar("sw-a")]
    assert found == ["sw-b"]
    ix.close()


def test_the_similar_command_says_which_language_it_kept_to(real_index, runner):
    pl = next(h for h in real_index.search("Ryanaira", lang="pl", limit=1))
    result = runner.invoke(cli, ["similar", pl.article.id, "--index", str(real_index.path), "-n", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["language"] for line in result.stdout.splitlines()} == {"pl"}
    assert "Stories in Polish, the article's language" in result.stderr
