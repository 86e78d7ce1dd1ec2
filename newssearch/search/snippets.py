"""Snippets: the best fragment(s) of a text, with the matched words located.

A snippet is data (:class:`~newssearch.model.Snippet`: text plus highlight
spans); renderers for the terminal, HTML and JSON live here too. Fragments
are chosen by re-analysing the stored text with the index's own term rules, so
"agreements" in the text lights up for a query on "agreement", exactly as the
engine matched it.

The window that covers the most *different* query words wins (a snippet that
shows "Minsk" and "agreement" beats one that shows "Minsk" three times); a
second window is added only when it shows words the first does not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from unicodedata import category, east_asian_width

from ..analysis import TERM_CACHE, TOKEN_PATTERN, TOKEN_RE, term_for
from ..langanalysis import ENGLISH, analyse
from ..model import Snippet

__all__ = ["ANSI_HIGHLIGHT", "build_snippet", "language_terms", "lead_snippet", "render_ansi", "render_plain", "text_terms"]

ANSI_HIGHLIGHT = ("\x1b[1;33m", "\x1b[0m")
ELLIPSIS = "\u2026"


def lead_snippet(text: str, max_chars: int = 240) -> Snippet:
    """The opening of a text, cut at a word boundary (used when the query
    matched only the title or a filter); where there is none near (a
    script without spaces), between two characters, never inside one."""
    text = " ".join(text[: max_chars * 8].split())  # a 100 MB field is not joined whole
    if len(text) <= max_chars:
        return Snippet(text)
    cut = text.rfind(" ", 0, max_chars)
    cut = cut if cut > max_chars // 2 else _cluster_start(text, max_chars)
    return Snippet(text[:cut].rstrip(" ,;:") + " " + ELLIPSIS)


def _wide(text: str) -> bool:
    """Whether most of a text's opening is East Asian wide characters (a
    Chinese or Japanese text): its snippet is measured in the columns it
    takes, two a character, so that it fills the lines an English one does."""
    head = text[:200]
    if head.isascii():
        return False
    wide = sum(1 for ch in head if east_asian_width(ch) in ("W", "F"))
    return wide * 2 > len(head)


def _cluster_start(text: str, at: int) -> int:
    """``at``, or the start of the character ``at`` falls inside (a vowel
    sign or tone mark belongs to the letter before it: a cut there would
    leave it on its own)."""
    while 0 < at < len(text) and (category(text[at])[0] == "M" or text[at] in "\u200d\u200c"):
        at -= 1
    return at


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Where the query's terms occur in ``text``: (start, end, term).

    Uses the same term function as the index (so "agreements" matches the
    term "agreement"). A stem never changes a word's first three letters, so
    in ASCII text only tokens starting like one of the terms are analysed;
    building Whoosh Token objects for every word of ten bodies cost more
    than the search itself.
    """
    out: list[tuple[int, int, str]] = []
    if not terms:
        return out
    cache = TERM_CACHE
    finder = _finder(terms) if text.isascii() else TOKEN_RE
    for m in finder.finditer(text):
        word = m.group(0)
        term = cache.get(word)
        if term is None:
            term = term_for(word)
        if term and term in terms:
            out.append((m.start(), m.end(), term))
    return out


#: Every word _finder's patterns can start at (the same look-behind, any head).
_ALL_WORDS = re.compile(r"(?<![\w.'\u2019&])" + TOKEN_PATTERN, re.IGNORECASE)


@lru_cache(maxsize=256)
def _finder(terms: frozenset[str]) -> re.Pattern[str]:
    heads = sorted({re.escape(t[:3]) for t in terms if t.isascii()} | ({"[^\\x00-\\x7f]"} if any(not t.isascii() for t in terms) else set()))
    if not heads:
        return TOKEN_RE
    return re.compile(r"(?<![\w.'\u2019&])(?=(?:" + "|".join(heads) + r"))" + TOKEN_PATTERN, re.IGNORECASE)


def text_terms(text: str) -> list[tuple[int, int, str]]:
    """Every word of ``text`` with its index term: ``(start, end, term)``.
    For snippets of one text for many queries (the saved searches an
    article matches), tokenized once."""
    cache = TERM_CACHE
    out = []
    # the words _matches would find: in ASCII text, those its finder reads
    for m in (_ALL_WORDS if text.isascii() else TOKEN_RE).finditer(text):
        word = m.group(0)
        term = cache.get(word)
        if term is None:
            term = term_for(word)
        if term:
            out.append((m.start(), m.end(), term))
    return out


def language_terms(language: str, text: str, terms: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """:func:`text_terms` by the rules of a language group: where each
    term stands, so a match in a script without spaces is marked from
    its first character to its last, never inside one. A run of
    characters among ``terms`` that its language reads as several terms
    (``北京大学``: the bigrams ``北京 京大 大学``,
    :func:`~newssearch.engine.matching.highlight_terms_by_language`) is
    found as that run: one match over its characters where its bigrams
    stand in a row, and none where only one of them does (``大学`` alone
    in ``清华大学`` is not what the query asked for)."""
    words = [(s, e, term) for term, _pos, s, e in analyse(language, text) if term]
    runs = [(run, seq) for run in terms if len(seq := [t for t, _p, _s, _e in analyse(language, run) if t]) > 1]
    if not runs:
        return words
    found: list[tuple[int, int, str]] = []
    for run, seq in runs:
        k = len(seq)
        for i in range(len(words) - k + 1):
            if words[i][2] == seq[0] and all(
                words[i + j][2] == seq[j] and words[i + j][0] < words[i + j - 1][1] for j in range(1, k)
            ):  # the run's terms in a row, each overlapping the last: the characters typed
                found.append((words[i][0], words[i + k - 1][1], run))
    return sorted([*words, *found])


def build_snippet(
    text: str,
    terms: Iterable[str],
    *,
    max_chars: int = 240,
    fragments: int = 2,
    words: list[tuple[int, int, str]] | None = None,
) -> Snippet:
    """Return the best fragment(s) of ``text`` for the analysed query ``terms``
    (index terms, as :func:`newssearch.analysis.term_for` makes them), about
    ``max_chars`` long, in up to ``fragments`` pieces. ``words``: the text's
    :func:`text_terms`, when they were computed already."""
    termset = frozenset(terms)
    if _wide(text):
        max_chars = max(1, max_chars // 2)  # measured in columns: a wide character takes two
    if not text or not termset:
        return lead_snippet(text, max_chars)
    matches = [w for w in words if w[2] in termset] if words is not None else _matches(text, termset)
    if not matches:
        return lead_snippet(text, max_chars)

    per_fragment = max_chars if fragments <= 1 else max(80, max_chars // fragments)
    first = _best_window(matches, per_fragment, exclude=())
    windows = [first]
    shown = {m[2] for m in matches if first[0] <= m[0] and m[1] <= first[1]}
    if fragments > 1 and len(termset) > 1 and len(shown) < len({m[2] for m in matches}):
        rest = [m for m in matches if m[2] not in shown and not (first[0] <= m[0] < first[1])]
        if rest:
            second = _best_window(rest, per_fragment, exclude=(first,))
            windows.append(second)
    if len(windows) == 1:
        windows = [_best_window(matches, max_chars, exclude=())]
    windows.sort()
    return _assemble(text, windows, matches)


def _best_window(
    matches: list[tuple[int, int, str]], width: int, exclude: tuple[tuple[int, int], ...]
) -> tuple[int, int]:
    """The window of ``width`` characters, starting at a match, that holds
    the most distinct terms, then the most matches, then comes first.

    One pass with two pointers: the window's end only moves forward as its
    start does, so the work is linear in the matches (copying the rest of
    the list at each match made a 4 MB field take seconds)."""
    best: tuple[int, int, int] | None = None
    best_span = (matches[0][0], matches[0][1])
    counts: dict[str, int] = {}
    j = 0  # matches[i:j] end within the current window
    for i, (start, _end, _t) in enumerate(matches):
        if i > 0 and j > i - 1:
            gone = matches[i - 1][2]
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
        if j < i:
            j = i
        limit = start + width
        while j < len(matches) and matches[j][1] <= limit:
            t = matches[j][2]
            counts[t] = counts.get(t, 0) + 1
            j += 1
        last_end = matches[j - 1][1] if j > i else start
        score = (len(counts), j - i, -start)
        if best is None or score > best:
            best, best_span = score, (start, last_end)
    lo, hi = best_span
    # centre the matched words in the window
    spare = max(0, width - (hi - lo))
    lo = max(0, lo - spare // 3)
    hi = lo + width if hi < lo + width else hi
    for a, b in exclude:
        if lo < b and hi > a:  # keep fragments apart
            lo = max(lo, b)
    return lo, hi


def _assemble(text: str, windows: list[tuple[int, int]], matches: list[tuple[int, int, str]]) -> Snippet:
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, (lo, hi) in enumerate(windows):
        lo, hi = _word_bounds(text, lo, hi)
        prefix = ""
        if lo > 0:
            prefix = ELLIPSIS + " " if k == 0 else " " + ELLIPSIS + " "
        elif k > 0:
            prefix = " "
        pieces.append(prefix)
        pos += len(prefix)
        flat, where = _flatten(text[lo:hi])
        pieces.append(flat)
        for s, e, _t in matches:
            if lo <= s and e <= hi:
                spans.append((pos + where(s - lo), pos + where(e - lo - 1) + 1))
        pos += len(flat)
    if windows and _word_bounds(text, *windows[-1])[1] < len(text.rstrip()):
        pieces.append(" " + ELLIPSIS)
    return Snippet("".join(pieces), tuple(_merge(spans, "".join(pieces))))


def _flatten(fragment: str) -> tuple[str, Callable[[int], int]]:
    """Collapse whitespace runs to one space (a snippet is one line); return
    the text and a function mapping an offset in the fragment to the result."""
    starts: list[int] = []
    shifts: list[int] = []
    removed = 0
    pieces: list[str] = []
    pos = 0
    for m in _SPACES.finditer(fragment):
        pieces.append(fragment[pos : m.start()])
        pieces.append(" ")
        removed += (m.end() - m.start()) - 1
        starts.append(m.end())
        shifts.append(removed)
        pos = m.end()
    pieces.append(fragment[pos:])

    def where(offset: int) -> int:
        k = bisect_right(starts, offset)
        return offset - (shifts[k - 1] if k else 0)

    return "".join(pieces), where


_SPACES = re.compile(r"\s{2,}|[^\S ]")


#: How far a fragment's ends move to reach a space: past it, the text has
#: none there (Chinese, Japanese, Thai phrases), and the fragment is cut
#: between two characters instead of growing to the whole paragraph.
_TO_SPACE = 40
#: Where a sentence ends in scripts without spaces (a fragment may start after one).
_FULL_STOPS = "\u3002\uff01\uff1f"


def _word_bounds(text: str, lo: int, hi: int) -> tuple[int, int]:
    # a second fragment kept apart from the first can start past the text's end
    lo = min(lo, len(text))
    hi = min(hi, len(text))
    if lo > 0:
        # start at the text's, a paragraph's or a sentence's start when one is
        # close, else at a word start
        window = max(0, lo - 80)
        if window == 0:
            lo = 0
        else:
            back = max(text.rfind(". ", window, lo), text.rfind("\n", window, lo), *(text.rfind(c, window, lo) for c in _FULL_STOPS))
            if back != -1:
                lo = back + (2 if text[back] == "." else 1)
            else:
                start = lo
                while lo > 0 and not text[lo - 1].isspace() and start - lo < _TO_SPACE:
                    lo -= 1
                if lo > 0 and not text[lo - 1].isspace():
                    lo = _cluster_start(text, start)
    if hi < len(text):
        end = hi
        while hi < len(text) and not text[hi].isspace() and hi - lo < 400 and hi - end < _TO_SPACE:
            hi += 1
        if hi < len(text) and not text[hi].isspace():
            hi = _cluster_start(text, end)
    return lo, hi


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join spans separated only by spaces ("Minsk agreement" lights up as one)."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and (s <= merged[-1][1] or text[merged[-1][1] : s].strip() == ""):
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight_text(text: str, terms: Iterable[str], language: str = ENGLISH) -> Snippet:
    """The whole of a short text (a headline) with its matches marked
    (``language``: the group whose rules analysed it, :mod:`newssearch.langanalysis`)."""
    termset = frozenset(terms)
    flat = " ".join(text.split())
    if not termset:
        return Snippet(flat)
    found = _matches(flat, termset) if language == ENGLISH else [w for w in language_terms(language, flat, termset) if w[2] in termset]
    spans = [(s, e) for s, e, _t in found]
    return Snippet(flat, tuple(_merge(spans, flat)))


def render_ansi(snippet: Snippet) -> str:
    """Matches in bold yellow, for a terminal."""
    return snippet.render(*ANSI_HIGHLIGHT)


def render_plain(snippet: Snippet) -> str:
    """The snippet text with no marks (for pipes and files)."""
    return snippet.text
