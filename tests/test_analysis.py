from newssearch.analysis import news_stem
from newssearch.engine.schema import NewsTokenizer


def words(text):
    return [t.text for t in NewsTokenizer()(text)]


def test_stemming_and_stop_words():
    assert words("The agreements of the signing") == ["agreement", "sign"]
    assert words("running runs ran") == ["run", "run", "ran"]


def test_news_is_not_new():
    # Whoosh's default Porter stemmer maps "news" to "new"
    assert words("news") == ["news"] and words("new") == ["new"]


def test_acronyms_numbers_and_names_are_kept_whole():
    assert words("U.S. AT&T O'Neill 3.5%") == ["u.s", "at&t", "o'neill", "3.5"]
    assert news_stem("u.s") == "u.s"


def test_possessives_and_accents():
    assert words("Russia's Zürich café’s") == ["russia", "zurich", "cafe"]


def test_positions_and_characters_survive_the_chain():
    toks = [(t.text, t.pos, t.startchar, t.endchar) for t in NewsTokenizer()("The Minsk agreement", positions=True, chars=True)]
    assert toks == [("minsk", 1, 4, 9), ("agreement", 2, 10, 19)]


def test_fast_index_path_equals_whooshs_generic_path():
    # NewsText.index() bypasses the token generator; it must produce exactly
    # the postings Whoosh's own TEXT.index() makes through the analyzer
    from whoosh.fields import TEXT

    from newssearch.engine.schema import build_schema

    field = build_schema()["body"]
    text = ("The U.S. and Russia's envoys met in Zürich; the agreements (3.5% of GDP) were "
            "signed -- AT&T, O'Neill and naïve café owners said it’s news. " * 3)
    fast = sorted(field.index(text))
    slow = sorted(TEXT.index(field, text))
    assert fast == slow and fast
