"""Analysis per language (newssearch/langanalysis.py): the rules, the fields, the queries.

The texts here are written for the tests (no corpus text is copied).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import NO_MERGE, SegmentWriter

import newssearch as ns
from newssearch.analysis import TOKEN_RE, term_for
from newssearch.engine.fastwrite import FastSegmentWriter
from newssearch.engine.schema import build_schema, to_fields
from newssearch.langanalysis import (
    ENGLISH,
    EXACT,
    OTHER,
    analyse,
    exact_term,
    field_group,
    group_fields,
    language_group,
    positions_by_term_in,
)
from newssearch.namekeys import NAME
from newssearch.search.bm25 import idf
from newssearch.search.compile import query_groups


def terms(group: str, text: str) -> list[str]:
    return [t for t, _pos, _s, _e in analyse(group, text)]


def without_keys(positions: dict[str, list[int]]) -> dict[str, list[int]]:
    """The terms less the name keys of capitalised words (tests/test_namekeys.py)."""
    return {t: p for t, p in positions.items() if not t.startswith(NAME)}


# --- the rules ---------------------------------------------------------------------


def test_english_is_analysed_exactly_as_before():
    text = "The U.S. agreements on Russia's oil, AT&T and O'Neill: news in 3.5 minutes."
    assert terms(ENGLISH, text) == [term_for(w) for w in TOKEN_RE.findall(text)]


@pytest.mark.parametrize(
    ("group", "a", "b"),
    [
        ("de", "Verhandlungen", "Verhandlung"),  # Snowball German
        ("pl", "Ryanaira", "Ryanair"),  # Polish case endings
        ("cs", "Brexitu", "Brexit"),
        ("ru", "переговоров", "переговоры"),
        ("fr", "négociations", "négociation"),
        ("tr", "ISPARTA", "ısparta"),  # dotless capital I stays dotless
        ("tr", "İzmir", "izmir"),  # dotted capital I is i
        ("el", "ΛΟΓΟΣ", "λογος"),  # final sigma is sigma
        ("ar", "أحمد", "احمد"),  # alef with hamza is alef
        ("ar", "مُحَمَّد", "محمد"),  # short vowels go
        ("fa", "كتاب", "کتاب"),  # Arabic kaf is Persian kaf
        ("fa", "علي", "علی"),  # Arabic yeh is Persian yeh
    ],
)
def test_the_forms_a_language_treats_as_one_word_meet(group, a, b):
    assert terms(group, a) == terms(group, b) != [""]


@pytest.mark.parametrize(
    ("group", "a", "b"),
    [
        ("vi", "mà", "ma"),  # Vietnamese diacritics tell words apart
        ("vi", "bán", "bàn"),
        ("other", "Straße", "strasse"),  # the neutral analysis folds nothing
        ("other", "résumé", "resume"),
        ("es", "año", "ano"),  # nor do the stemmed languages ("year", "anus")
        ("fr", "pêche", "péché"),
    ],
)
def test_what_tells_words_apart_is_kept(group, a, b):
    assert terms(group, a) != terms(group, b)


def test_the_neutral_analysis_lowercases_and_normalises_only():
    assert terms(OTHER, "Ｆｕｌｌｗｉｄｔｈ Running runs") == ["fullwidth", "running", "runs"]


def test_a_word_keeps_its_combining_vowel_signs():
    # Python's \w leaves out Devanagari's vowel signs: "हिन्दी" would be four pieces
    assert terms("hi", "हिन्दी") == ["हिन्दी"]
    assert len(analyse("ta", "தமிழ்நாடு")) == 1


def test_every_word_of_another_language_is_kept_in_its_place():
    # no stop words (stopwords-iso's lists lowered known-item MRR: see newssearch/langanalysis.py)
    found = analyse("de", "Die Verhandlungen der Regierung")
    assert [p for _t, p, _s, _e in found] == [0, 1, 2, 3]
    assert without_keys(positions_by_term_in("de", "Die Verhandlungen der Regierung")) == {
        "die": [0], "verhandl": [1], "der": [2], "regier": [3], "=verhandlungen": [1], "=regierung": [3],
    }


def test_a_stemmed_word_is_also_indexed_as_written_at_its_place():
    # keyword_repeat + remove_duplicates: the exact form beside the stem, at
    # the word's position; none for a word that is its own stem
    assert without_keys(positions_by_term_in("pl", "Strajk Ryanaira, strajku Ryanair")) == {
        "strajk": [0, 2], "ryanair": [1, 3], "=ryanaira": [1], "=strajku": [2],
    }
    # no stemmer, no exact forms: Slovak, Hebrew, bigram scripts, the neutral analysis
    assert without_keys(positions_by_term_in("sk", "Brexit Brexitu")) == {"brexit": [0], "brexitu": [1]}
    assert positions_by_term_in("zh", "北京大学") == {"北京": [0], "京大": [1], "大学": [2]}
    assert exact_term("pl", "Ryanaira") == EXACT + "ryanaira"
    assert exact_term("pl", "Ryanair") == exact_term("pl", "dwa słowa") == exact_term(ENGLISH, "talks") == ""
    # what snippets and highlights read stays one term a word
    assert terms("pl", "Ryanaira") == ["ryanair"]


def test_a_query_word_ranks_its_exact_form_first_and_still_finds_every_form(tmp_path):
    # the article with the other form is shorter (BM25 would rank it first)
    # and its id sorts first: only the exact form can put pl-b above it
    articles = [
        ns.Article(id="pl-a", title="Ryanairowi", body="Ryanairowi strajk.", language="pl"),
        ns.Article(id="pl-b", title="Ryanaira", body="Ryanaira strajk pilotów w Irlandii i w Polsce trwa.", language="pl"),
    ]
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many(articles)
    exact = ids(ix.search("ryanaira"))
    other = ids(ix.search("ryanairowi"))
    phrase = ids(ix.search('"ryanaira strajk"'))
    prefix = ids(ix.search("ryanai*"))
    length = next(f for f in ix.search("ryanaira", explain=True)[0].explanation.parts[0].fields if f.field == "title_pl")
    ix.close()
    assert exact == ["pl-b", "pl-a"]
    assert other == ["pl-a", "pl-b"]
    assert sorted(phrase) == ["pl-a", "pl-b"]  # phrases ask for stems: both hold it
    assert sorted(prefix) == ["pl-a", "pl-b"]
    assert length.average_length == pytest.approx(1.0)  # the exact form is no extra word


def test_scripts_without_spaces_are_character_bigrams():
    assert terms("zh", "北京大学") == ["北京", "京大", "大学"]
    assert terms("zh", "年") == ["年"]
    assert terms("zh", "北京2008年") == ["北京", "2008", "年"]
    assert terms("ja", "東京タワー") == ["東京", "京タ", "タワ", "ワー"]


def test_a_thai_mark_never_leaves_its_letter():
    text = "ภาษาไทยง่ายนิดเดียว"
    found = analyse("th", text)
    assert len(found) > 5
    for term, _pos, start, end in found:
        assert unicodedata.category(term[0])[0] != "M", term
        assert text[start:end] == term
        assert end == len(text) or unicodedata.category(text[end])[0] != "M"


def test_bigram_spans_point_at_their_characters():
    text = "据报道，北京大学的学生"
    for term, _pos, start, end in analyse("zh", text):
        assert text[start:end] == term


def test_languages_map_to_their_groups():
    assert language_group(None) == language_group("en") == ENGLISH
    assert language_group("de") == "de"
    assert language_group("sr") == language_group("bs") == "hr"
    assert language_group("nn") == "nb"
    assert language_group("sw") == OTHER  # no rules of its own: the neutral analysis
    assert group_fields(ENGLISH) == ("title", "body")
    assert group_fields("zh") == ("title_zh", "body_zh")
    assert field_group("body_zh") == "zh" and field_group("title") == ENGLISH
    assert field_group("site_name") is None and field_group("language_source") is None


def test_a_filter_narrows_the_languages_a_query_is_analysed_for():
    groups = ("de", "pl", "zh")
    assert query_groups(groups, ()) == groups
    assert query_groups(groups, ("pl",)) == ("pl",)
    assert query_groups(groups, ("en",)) == ()
    assert query_groups(("hr",), ("sr",)) == ("hr",)


# --- the fields ------------------------------------------------------------------------

ARTICLES = [
    ns.Article(id="de1", title="Neue Verhandlungen über den Zoll", body="Die Regierung plant weitere Verhandlungen mit der Kommission.", language="de"),
    ns.Article(id="pl1", title="Strajk pilotów Ryanaira", body="Piloci linii Ryanair zapowiedzieli strajk w sierpniu.", language="pl"),
    ns.Article(id="zh1", title="北京大学举行会议", body="今天北京大学的学生参加了会议。", language="zh"),
    ns.Article(id="th1", title="ภาษาไทยง่ายนิดเดียว", body="ข่าวภาษาไทยวันนี้", language="th"),
    ns.Article(id="en1", title="New customs negotiations", body="The government plans further negotiations with the commission.", language="en"),
    ns.Article(id="xx1", title="Gift", body="A gift for the commission.", language=None),
]


def test_an_article_is_indexed_in_its_languages_fields_and_stored_as_ever():
    fields = to_fields(ARTICLES[0])
    assert fields["title_de"] == ARTICLES[0].title and fields["body_de"] == ARTICLES[0].body
    assert fields["title"] == fields["body"] == ""
    assert fields["_stored_title"] == ARTICLES[0].title
    english = to_fields(ARTICLES[4])
    assert english["title"] == ARTICLES[4].title and not any(k.startswith(("title_", "body_")) for k in english)
    assert to_fields(ARTICLES[5])["body"] == ARTICLES[5].body  # no language: the English fields, as before


def _write(folder: Path, writer_class) -> dict:  # type: ignore[no-untyped-def]
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    w = writer_class(ix, compound=False)
    for a in ARTICLES:
        w.add_document(**to_fields(a))
    w.commit(mergetype=NO_MERGE)
    with whoosh_index.open_dir(str(folder)).reader() as r:
        postings = {}
        for fieldname, btext in r.all_terms():
            m = r.postings(fieldname, btext)
            postings[(fieldname, btext)] = []
            while m.is_active():
                postings[(fieldname, btext)].append((m.id(), m.weight(), m.value()))
                m.next()
        lengths = {name: [r.doc_field_length(d, name) for d in range(len(ARTICLES))] for name in r.indexed_field_names()}
        stored = [r.stored_fields(d) for d in range(len(ARTICLES))]
    return {"postings": postings, "lengths": lengths, "stored": stored}


def test_the_fast_writer_writes_a_languages_fields_as_whoosh_does(tmp_path):
    expected, got = _write(tmp_path / "whoosh", SegmentWriter), _write(tmp_path / "fast", FastSegmentWriter)
    assert got == expected
    fields = {f for f, _t in expected["postings"]}
    assert {"title_de", "body_de", "title_zh", "body_pl", "body_th", "title", "body"} <= fields
    # the English fields hold nothing of the German article
    assert not any(f in ("title", "body") and t.decode() == "verhandlungen" for f, t in expected["postings"])
    assert expected["stored"][0]["title"] == ARTICLES[0].title


@pytest.fixture
def multilingual(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many(ARTICLES)
    yield ix
    ix.close()


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.article.id for h in results]


def test_a_word_finds_its_forms_in_its_own_language(multilingual):
    assert ids(multilingual.search("Verhandlung")) == ["de1"]
    assert ids(multilingual.search("Ryanair strajku")) == ["pl1"]
    assert ids(multilingual.search("negotiation")) == ["en1"]
    assert set(ids(multilingual.search("commission"))) == {"en1", "xx1"}


def test_a_chinese_or_thai_piece_of_a_word_is_found(multilingual):
    assert ids(multilingual.search("大学")) == ["zh1"]
    assert ids(multilingual.search("北京大学 会议")) == ["zh1"]
    assert ids(multilingual.search("ภาษาไทย")) == ["th1"]
    assert ids(multilingual.search("京会")) == []  # not a piece of the text


def test_phrases_work_within_a_language(multilingual):
    assert ids(multilingual.search('"weitere Verhandlungen"')) == ["de1"]
    assert ids(multilingual.search('"Verhandlungen weitere"')) == []
    assert ids(multilingual.search('"Regierung plant"')) == ["de1"]
    assert ids(multilingual.search('"plant Regierung"')) == []
    assert ids(multilingual.search('"北京大学的学生"')) == ["zh1"]
    assert ids(multilingual.search('"北京大学学生"')) == []


def test_the_language_filter_narrows_the_analysis(multilingual):
    assert ids(multilingual.search("Ryanair", lang="pl")) == ["pl1"]
    assert ids(multilingual.search("Ryanair", lang="de")) == []


def test_highlights_cover_whole_characters_in_every_script(multilingual):
    hit = multilingual.search("大学")[0]
    title = hit.title_snippet
    assert [title.text[s:e] for s, e in title.highlights] == ["大学"]
    body = hit.snippet
    assert [body.text[s:e] for s, e in body.highlights] == ["大学"]
    de = multilingual.search("Verhandlung")[0]
    assert [de.title_snippet.text[s:e] for s, e in de.title_snippet.highlights] == ["Verhandlungen"]


def test_a_words_idf_and_lengths_are_counted_within_its_language(tmp_path):
    english = [
        ns.Article(id=f"en{i}", title=f"Story number {i}", body="brexit talks" if i == 0 else "other news today", language="en")
        for i in range(4)
    ]
    german = [
        ns.Article(id="de0", title="Brexit", body="Gespräche über den Brexit", language="de"),
        ns.Article(id="de1", title="Wetter", body="Regen am Montag", language="de"),
    ]
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many(english + german)
    hits = {h.article.id: h for h in ix.search("brexit", explain=True)}
    ix.close()
    assert set(hits) == {"en0", "de0"}
    # four English articles and two German ones, one of each holding the word
    assert hits["en0"].explanation.parts[0].idf == pytest.approx(idf(4, 1))
    assert hits["de0"].explanation.parts[0].idf == pytest.approx(idf(2, 1))
    body = next(f for f in hits["de0"].explanation.parts[0].fields if f.field == "body_de")
    # four and three words: over the six articles Whoosh would say 7 / 6
    assert body.average_length == pytest.approx(3.5)


def test_the_fallback_names_the_words_a_hit_lacks_in_its_own_language(multilingual):
    results = multilingual.search("Verhandlungen Zollunion")
    assert not results.total and results.fallback is not None
    hit = next(h for h in results.fallback if h.article.id == "de1")
    assert hit.missing == ("Zollunion",)


def test_similar_stories_are_found_within_the_articles_language(tmp_path):
    articles = [
        ns.Article(id="de-a", title="Streik bei der Fluggesellschaft", body="Piloten der Fluggesellschaft streiken am Freitag wegen der Gehälter.", language="de"),
        ns.Article(id="de-b", title="Fluggesellschaft sagt Flüge ab", body="Wegen des Streiks der Piloten sagt die Fluggesellschaft hunderte Flüge ab.", language="de"),
        ns.Article(id="de-c", title="Regen am Wochenende", body="Das Wetter bleibt nass und kühl.", language="de"),
        ns.Article(id="en-a", title="Airline pilots strike", body="Pilots of the airline strike on Friday over pay.", language="en"),
    ]
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many(articles)
    found = ix.similar("de-a")
    ix.close()
    assert [h.article.id for h in found][:1] == ["de-b"]
    assert "en-a" not in [h.article.id for h in found]


# --- the Slavic languages Snowball has no stemmer for ---------------------------------


@pytest.mark.parametrize(
    ("group", "text", "expected"),
    [
        ("uk", "Брекзиту", {"брекзит": [0], EXACT + "брекзиту": [0]}),  # the light stemmer
        ("sl", "volitvah", {"volitv": [0], EXACT + "volitvah": [0]}),
        ("bg", "министрите", {"министър": [0], EXACT + "министрите": [0]}),  # simplemma's lemma
        ("sk", "voľbách", {"voľbách": [0]}),  # no topics to choose by: unstemmed
    ],
)
def test_bulgarian_ukrainian_and_slovene_are_stemmed_with_exact_forms(group, text, expected):
    assert without_keys(positions_by_term_in(group, text)) == expected


def test_an_index_keeps_the_rules_its_fields_were_written_by(tmp_path, monkeypatch):
    """A field written before its language was stemmed (its pickled
    tokenizer has no revision: as here, where the tokenizer's __init__ of
    before sets the group alone) is read, and written, unstemmed; a new
    index stems. Both answer a word as it was written."""
    from newssearch.engine import schema

    articles = [
        ns.Article(id="a", title="Изборите в България", body="Изборите бяха вчера.", language="bg"),
        ns.Article(id="b", title="Изборът на министрите", body="Министрите.", language="bg"),
        ns.Article(id="u", title="Вибори", body="Брекзиту немає.", language="uk"),
    ]
    found = {}
    for name in ("old", "new"):
        with monkeypatch.context() as m:
            if name == "old":
                m.setattr(schema.LanguageTokenizer, "__init__", lambda self, group: setattr(self, "group", group))
            ix = ns.create_index(tmp_path / name)
        with ix.writer() as w:
            w.add_many(articles[:2])
        with ix.writer() as w:  # a later write, by this version's code
            w.add_many(articles[2:])
        found[name] = {q: sorted(ids(ix.search(q))) for q in ("изборите", "избор", "министър", "брекзиту", "брекзит")}
        ix.close()
    assert found["old"] == {"изборите": ["a"], "избор": [], "министър": [], "брекзиту": ["u"], "брекзит": []}
    assert found["new"] == {"изборите": ["a", "b"], "избор": ["a", "b"], "министър": ["b"], "брекзиту": ["u"], "брекзит": ["u"]}
