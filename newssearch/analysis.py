"""The token chain used at index time and at query time.

Both sides must agree, so the chain is built here once and attached to the
schema's text fields; Whoosh's query parser then analyses query words with
the same chain. News needs: words with inner apostrophes and dots kept whole
("U.S.", "AT&T", "O'Neill"), possessives dropped ("Russia's" is "Russia"),
accents folded ("Zürich" finds "Zurich"), stop words dropped, and English
stemming so "agreements" finds "agreement" (but never on "u.s" or "3.5").
Stemming is Snowball English through PyStemmer (C).

Whoosh pickles the schema, analyzer included, into the index: the classes
and functions here are referenced by name from every index on disk, so they
must keep their names (``SCHEMA_VERSION`` in :mod:`newssearch.schema` marks a
change old indexes cannot serve).
"""

from __future__ import annotations

from typing import Iterator

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.acore import Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.support.charset import accent_map

try:  # Snowball English (Porter2) in C: 50x faster than Whoosh's pure-Python
    import Stemmer as _pystemmer  # copy, with identical stems

    _stem = _pystemmer.Stemmer("english").stemWord
    _HAVE_C_STEMMER = True
except ImportError:  # pragma: no cover - PyStemmer is a declared dependency
    from whoosh.lang.porter2 import stem as _stem

    _HAVE_C_STEMMER = False

__all__ = ["STOP_WORDS", "TOKEN_PATTERN", "PossessiveFilter", "news_analyzer", "news_stem"]

#: A word: letters/digits, with inner apostrophes, dots or ampersands
#: ("U.S.", "AT&T", "it's") but not trailing punctuation.
TOKEN_PATTERN = r"\w+(?:[.'\u2019&]\w+)*"


class PossessiveFilter(Filter):
    """Drop a trailing possessive ``'s`` and spell curly apostrophes straight."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if "\u2019" in text:
                text = text.replace("\u2019", "'")
            if text.endswith("'s"):
                text = text[:-2]
            t.text = text
            yield t


def news_stem(word: str) -> str:
    """Stem plain words with Snowball English (Porter2); leave acronyms,
    numbers and names with apostrophes alone (a stemmer turns "u.s" into "u.").

    Not Whoosh's default Porter stemmer: it conflates "news" with "new" and
    leaves "running" as "runn".
    """
    return _stem(word) if word.isalpha() else word


def news_analyzer(stem_cache: int | None = None) -> Analyzer:
    """Return the analyzer for title and body text.

    The C stemmer is faster than Whoosh's Python LRU cache in front of it, so
    the cache is only used with the pure-Python fallback.
    """
    if stem_cache is None and not _HAVE_C_STEMMER:
        stem_cache = 100_000
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | PossessiveFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(stemfn=news_stem, cachesize=stem_cache)
    )
