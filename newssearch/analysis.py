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

Whoosh pickles the schema, analyzer included, into the index: the classes
here are referenced by name from every index on disk, so they must keep their
names (``SCHEMA_VERSION`` in :mod:`newssearch.schema` marks a change old
indexes cannot serve).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from whoosh.analysis import Tokenizer
from whoosh.analysis.acore import Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.support.charset import accent_map

try:  # Snowball English (Porter2) in C: 50x faster than Whoosh's pure-Python
    import Stemmer as _pystemmer  # copy, with identical stems

    _stem = _pystemmer.Stemmer("english").stemWord
except ImportError:  # pragma: no cover - PyStemmer is a declared dependency
    from whoosh.lang.porter2 import stem as _stem

__all__ = [
    "STOP_WORDS",
    "TOKEN_PATTERN",
    "NewsTokenizer",
    "news_analyzer",
    "news_stem",
    "positions_by_term",
    "term_for",
]

#: A word: letters/digits, with inner apostrophes, dots or ampersands
#: ("U.S.", "AT&T", "it's") but not trailing punctuation.
TOKEN_PATTERN = r"\w+(?:[.'\u2019&]\w+)*"
_TOKEN = re.compile(TOKEN_PATTERN)
_STOP = frozenset(STOP_WORDS)
_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 1_000_000


def news_stem(word: str) -> str:
    """Stem plain words with Snowball English; leave acronyms, numbers and
    names with apostrophes alone (a stemmer turns "u.s" into "u.")."""
    return _stem(word) if word.isalpha() else word


def _normalise(word: str) -> str:
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
    term = _CACHE.get(word)
    if term is None:
        w = _normalise(word)
        term = "" if (not w or w in _STOP) else news_stem(w)
        if len(_CACHE) < _CACHE_LIMIT:
            _CACHE[word] = term
    return term


def positions_by_term(text: str) -> dict[str, list[int]]:
    """Every term of ``text`` with its token positions (stop words keep their
    position, as Whoosh's StopFilter does, so phrases still line up)."""
    out: dict[str, list[int]] = {}
    cache = _CACHE
    for pos, word in enumerate(_TOKEN.findall(text)):
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


def unstemmed_words(text: str) -> set[str]:
    """The distinct normalised, unstemmed, non-stop words (for spelling)."""
    out: set[str] = set()
    for word in _TOKEN.findall(text):
        if term_for(word):
            out.add(_normalise(word))
    return out


class NewsTokenizer(Tokenizer):
    """The whole analysis chain as one Whoosh tokenizer.

    It honours the Token protocol (positions, chars, removestops, boosts) so
    the query parser, highlighter and Whoosh's own tools can use it like any
    analyzer; ``mode`` makes no difference.
    """

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # tokenize=False: the whole value is one token
        spans = ((m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(value)) if tokenize else [(value, 0, len(value))]
        for pos, (word, start, end) in enumerate(spans):
            term = term_for(word)
            if not term and removestops:
                continue
            t.text = term or _normalise(word)
            t.stopped = not term
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def news_analyzer() -> NewsTokenizer:
    """Return the analyzer for title and body text."""
    return NewsTokenizer()
