from hypothesis import given, settings
from hypothesis import strategies as st

from newssearch.analysis import TOKEN_RE, term_for
from newssearch.model import Snippet
from newssearch.search.snippets import build_snippet, highlight_text, lead_snippet, render_ansi

LONG = (
    "The meeting opened with a long statement on trade. " * 6
    + "Later the ministers turned to the Minsk agreement and its future. "
    + "Officials said more talks were planned. " * 6
    + "A separate ceasefire was discussed at the end."
)


def marked(snippet: Snippet) -> list[str]:
    return [snippet.text[s:e] for s, e in snippet.highlights]


def test_best_window_shows_the_matched_words():
    s = build_snippet(LONG, {"minsk", "agreement"})
    assert "Minsk agreement" in s.text
    assert marked(s) == ["Minsk agreement"]
    assert len(s.text) <= 320
    assert s.text.startswith("\u2026") and s.text.endswith("\u2026")


def test_second_fragment_adds_words_the_first_lacks():
    s = build_snippet(LONG, {"minsk", "ceasefir"})
    assert set(m.lower() for m in marked(s)) == {"minsk", "ceasefire"}


def test_no_match_gives_the_lead():
    s = build_snippet(LONG, {"zebra"})
    assert s.text.startswith("The meeting opened") and s.highlights == ()
    assert lead_snippet("short text") == Snippet("short text")


def test_stemmed_forms_are_marked_as_matched():
    s = build_snippet("Two agreements were signed.", {"agreement"})
    assert marked(s) == ["agreements"]


def test_headline_highlight_and_ansi():
    t = highlight_text("Talks on the Minsk agreement", {"minsk", "agreement"})
    assert marked(t) == ["Minsk agreement"]
    assert render_ansi(t) == "Talks on the \x1b[1;33mMinsk agreement\x1b[0m"


#: The words a query here can ask for, with their index terms ("U.S." is the token "U.S", the term "u.s").
ASKED = {word: term_for(TOKEN_RE.search(word).group()) for word in ("minsk", "agreement", "Ukraine's", "U.S.", "ceasefire")}

#: Words no query here asks for: stop words, a paragraph break, a dash, a comma, a number, an accent, a sentence end.
FILLER = st.sampled_from(["talks", "the", "of", "\n\n", "—", ",", "3.5%", "naïve", "Negotiators", "returned", "on", "Monday."])


@st.composite
def texts_with_a_match(draw):
    """Words, the query terms, and a word for each term placed at random in
    the text: the asked words are few among the others, so a long text often
    needs a second fragment."""
    size = draw(st.integers(0, 120))  # drawn apart: lists of many words are otherwise rare
    words = draw(st.lists(FILLER, min_size=size, max_size=size))
    terms = draw(st.sets(st.sampled_from(sorted(ASKED.values())), min_size=1, max_size=3))
    asked = sorted(w for w, t in ASKED.items() if t in terms) + draw(st.lists(st.sampled_from(sorted(ASKED)), max_size=6))
    for word in asked:
        words.insert(draw(st.integers(0, len(words))), word)
    return " ".join(words), terms


@settings(max_examples=200, deadline=None)
@given(texts_with_a_match(), st.integers(40, 400))
def test_every_highlight_lies_inside_its_snippet(text_and_terms, max_chars):
    # every example has a match, so every example's spans are checked: they
    # lie inside the text, in order, apart, and mark exactly the snippet's
    # words whose term was asked for (every one of them, nothing else)
    text, terms = text_and_terms
    s = build_snippet(text, terms, max_chars=max_chars)
    assert "\n" not in s.text
    assert s.highlights, (text, terms)
    last = -1
    for start, end in s.highlights:
        assert 0 <= start < end <= len(s.text)
        assert start > last  # sorted, not overlapping
        last = end
        assert s.text[start:end].strip() == s.text[start:end]
        assert s.text[start:end] == " ".join(s.text[start:end].split())  # whole words joined by single spaces
    marked_at = {i for start, end in s.highlights for i in range(start, end)}
    asked_at = set()
    for word in TOKEN_RE.finditer(s.text):
        at = set(range(word.start(), word.end()))
        if term_for(word.group()) in terms:
            assert at <= marked_at, (s.text, word.group(), terms, s.highlights)
            asked_at |= at
        else:
            assert not at & marked_at, (s.text, word.group(), terms, s.highlights)
    assert all(s.text[i] == " " for i in marked_at - asked_at), (s.text, s.highlights)


def _quadratic_best_window(matches, width):
    """The window choice as first written (rescanning from every match):
    the reference the linear version must agree with."""
    best, best_span = None, (matches[0][0], matches[0][1])
    for i, (start, _end, _t) in enumerate(matches):
        distinct, count, last_end = set(), 0, start
        for s, e, t in matches[i:]:
            if e > start + width:
                break
            distinct.add(t)
            count += 1
            last_end = e
        score = (len(distinct), count, -start)
        if best is None or score > best:
            best, best_span = score, (start, last_end)
    return best_span


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.integers(1, 30), st.sampled_from("abcd")), min_size=1, max_size=60),
    st.integers(5, 120),
)
def test_the_linear_window_search_picks_what_rescanning_picked(raw, width):
    # rescanning from every match made one 4 MB field take seconds to snippet
    from newssearch.search.snippets import _best_window

    matches = sorted((start, start + length, term) for start, length, term in raw)
    lo, hi = _quadratic_best_window(matches, width)
    spare = max(0, width - (hi - lo))
    lo = max(0, lo - spare // 3)
    expected = (lo, lo + width if hi < lo + width else hi)
    assert _best_window(matches, width, exclude=()) == expected


def test_snippets_from_words_tokenized_once_match_those_found_per_query():
    """Alerts build many snippets of one body (one per saved search that
    matched it) from its words tokenized once (text_terms)."""
    from newssearch.search.snippets import build_snippet, text_terms

    body = (
        "Negotiators returned to Minsk on Monday to revive the ceasefire agreement, Reuters reports. "
        "The talks, the third round this year, were held at the Independence Palace. "
        "Grain exports rose for a third month as ports on the Black Sea worked at full capacity."
    )
    from newssearch.analysis import term_for

    words = text_terms(body)
    for query in (["Minsk"], ["ceasefire", "agreements"], ["grain", "exports"], ["palace", "talks", "round"], ["absent"]):
        terms = [term_for(w) for w in query]
        snippet = build_snippet(body, terms, words=words)
        assert snippet == build_snippet(body, terms), query
        assert bool(snippet.highlights) == (query != ["absent"]), query
