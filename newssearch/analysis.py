"""The token chain used at index time and at query time, fused into one step.

Both sides must agree, so the rules live in one function, :func:`term_for`,
used by the tokenizer the query parser and highlighter call *and* by the fast
indexing path in :mod:`newssearch.schema`. News needs: words with inner
apostrophes, dots and ampersands kept whole ("U.S.", "AT&T", "O'Neill"),
possessives dropped ("Russia's" is "Russia"), accents folded ("Zürich" finds
"Zurich"), stop words dropped, and English stemming so "agreements" finds
"agreement" (but never on "u.s" or "3.5").

Why fused: Whoosh's analyzers are a chain of Python generators, one per
filter, run for every token; on news text that chain was half of indexing
time. Here each distinct word is analysed once (cached) and a token costs one
dict lookup. Stemming is Snowball English (Porter2) through PyStemmer (C),
not Whoosh's Porter, which conflates "news" with "new".

The rules here are plain Python; the Whoosh tokenizer that applies them at
query time is :class:`newssearch.engine.schema.NewsTokenizer`, and the stop
list and accent table come from Whoosh through :mod:`newssearch.engine.language`.
"""

from __future__ import annotations

import re
from typing import Callable

from .engine.language import STOP_WORDS, accent_map

_stem: Callable[[str], str]
try:  # Snowball English (Porter2) in C: 50x faster than Whoosh's pure-Python
    import Stemmer as _pystemmer  # copy, with identical stems

    _stem = _pystemmer.Stemmer("english").stemWord
except ImportError:  # pragma: no cover - PyStemmer is a declared dependency
    from .engine.language import porter2_stem as _stem

__all__ = [
    "STOP_WORDS",
    "TOKEN_PATTERN",
    "TOKEN_RE",
    "TERM_CACHE",
    "news_stem",
    "normalise",
    "positions_by_term",
    "term_for",
]

#: A word: letters/digits, with inner apostrophes, dots or ampersands
#: ("U.S.", "AT&T", "it's") but not trailing punctuation.
TOKEN_PATTERN = r"\w+(?:[.'\u2019&]\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)
_STOP = frozenset(STOP_WORDS)
#: term_for's memo, read directly by the hot loops (indexing, snippets) to save a call per word.
TERM_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 1_000_000


def news_stem(word: str) -> str:
    """Stem plain words with Snowball English; leave acronyms, numbers and
    names with apostrophes alone (a stemmer turns "u.s" into "u.")."""
    return _stem(word) if word.isalpha() else word


def normalise(word: str) -> str:
    """Lowercase, fold accents, straighten apostrophes, drop a possessive."""
    w = word.lower()
    if not w.isascii():
        w = w.translate(accent_map)
        if "\u2019" in w:
            w = w.replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w


def term_for(word: str) -> str:
    """The index term for one token as the tokenizer found it, or "" for a
    stop word. Cached: news text repeats its words."""
    term = TERM_CACHE.get(word)
    if term is None:
        w = normalise(word)
        term = "" if (not w or w in _STOP) else news_stem(w)
        if len(TERM_CACHE) < _CACHE_LIMIT:
            TERM_CACHE[word] = term
    return term


def positions_by_term(text: str) -> dict[str, list[int]]:
    """Every term of ``text`` with its token positions (stop words keep their
    position, as Whoosh's StopFilter does, so phrases still line up)."""
    out: dict[str, list[int]] = {}
    cache = TERM_CACHE
    for pos, word in enumerate(TOKEN_RE.findall(text)):
        term = cache.get(word)
        if term is None:
            term = term_for(word)
        if term:
            poslist = out.get(term)
            if poslist is None:
                out[term] = [pos]
            else:
                poslist.append(pos)
    return out
