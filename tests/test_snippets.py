from hypothesis import given, settings
from hypothesis import strategies as st

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


WORDS = st.sampled_from(["minsk", "agreement", "talks", "the", "of", "Ukraine's", "U.S.", "ceasefire", "\n\n", "—", "3.5%", "naïve"])


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=120), st.sets(st.sampled_from(["minsk", "agreement", "ukrain", "u.s", "ceasefir"]), max_size=3), st.integers(40, 400))
def test_every_highlight_lies_inside_its_snippet(words, terms, max_chars):
    text = " ".join(words)
    s = build_snippet(text, terms, max_chars=max_chars)
    assert "\n" not in s.text
    last = -1
    for start, end in s.highlights:
        assert 0 <= start < end <= len(s.text)
        assert start > last  # sorted, not overlapping
        last = end
        assert s.text[start:end].strip() == s.text[start:end]
