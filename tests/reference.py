"""An independent implementation of newssearch's ranking, for plain-word queries.

Written from the formulas in :mod:`newssearch.search.bm25`, over the
articles themselves (not the index): it counts term frequencies, field
lengths and document frequencies from the texts, so a test comparing it with
the engine checks the whole scoring path (index statistics, the ranker's
arithmetic, the coordination factor) and not one number against itself. The
only thing taken from the index's design is its storage precision: a
document's field length is kept in one byte (exact up to 10 tokens, then
approximate), so the reference rounds lengths the same way.

Words become terms by a tokenizer of its own (:func:`terms`), written from
the rules :mod:`newssearch.analysis` documents, not by calling it: a bug in
the code's tokenizer then changes one side of the comparison only. It uses
the tables those rules name (Whoosh's stop list and accent table) and
Snowball English from PyStemmer directly.

For a query of words w (each asked in the title and the body)::

    tf~(w, d) = sum over fields f of  W_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
    part(w, d) = idf(w) * tf~ * (k1 + 1) / (k1 + tf~),   idf(w) = ln(1 + (N - df + 0.5) / (df + 0.5))
    score(d)  = (idf held / idf asked) ** (gamma / n) * sum of parts
"""

from __future__ import annotations

import math
import re
from collections import Counter

import Stemmer
from whoosh.analysis import STOP_WORDS
from whoosh.support.charset import accent_map
from whoosh.util.numeric import byte_to_length, length_to_byte

from newssearch.search.bm25 import MODEL

FIELDS = ("title", "body")

#: A word: a run of letters or digits, and runs joined by one inner
#: apostrophe, dot or ampersand ("U.S.", "AT&T", "O'Neill"), without the
#: punctuation around it.
WORD = re.compile(r"\w+(?:['\u2019.&]\w+)*")
STEM = Stemmer.Stemmer("english").stemWord


def term(word):
    """The index term of one word as written, or None for a stop word:
    lowercased, accents folded, the apostrophe straightened, a possessive
    's dropped, stop words out, and Snowball English stemming for words of
    letters only (never "u.s", "3.5" or "o'neill")."""
    w = word.lower().translate(accent_map).replace("\u2019", "'")
    w = w.removesuffix("'s")
    if not w or w in STOP_WORDS:
        return None
    return STEM(w) if w.isalpha() else w


def terms(text):
    """The terms of a text, in order, stop words left out."""
    return [t for t in map(term, WORD.findall(text)) if t]


def stored_length(n):
    """A field length as the index keeps it (one byte)."""
    return byte_to_length(length_to_byte(n))


class Reference:
    def __init__(self, articles, model=MODEL):
        self.model = model
        self.docs = {}
        for a in articles:
            self.docs[a.id] = {f: Counter(terms(getattr(a, f))) for f in FIELDS}
        self.n = len(self.docs)
        self.avg = {f: sum(sum(d[f].values()) for d in self.docs.values()) / self.n for f in FIELDS}
        self.df = Counter(t for d in self.docs.values() for t in set(d["title"]) | set(d["body"]))

    def idf(self, term):
        df = self.df[term]
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5)) if df else 0.0

    def tf(self, doc_id, term):
        """The combined, weighted, length-normalised frequency of a word."""
        total = 0.0
        for f in FIELDS:
            count = self.docs[doc_id][f][term]
            if count:
                b = self.model.field_b(f)
                length = stored_length(sum(self.docs[doc_id][f].values()))
                total += self.model.field_weight(f) * count / ((1 - b) + b * length / self.avg[f])
        return total

    def part(self, doc_id, term):
        """One word's score in one document (0 when it does not occur)."""
        tf = self.tf(doc_id, term)
        k1 = self.model.k1
        return self.idf(term) * tf * (k1 + 1) / (k1 + tf) if tf else 0.0

    def scores(self, query):
        """Relevance of every matching article for a query of plain words."""
        words = [t for t in dict.fromkeys(terms(query)) if self.df[t]]
        asked = sum(self.idf(w) for w in words)
        out = {}
        for doc_id in self.docs:
            parts = {w: self.part(doc_id, w) for w in words}
            held = sum(self.idf(w) for w, p in parts.items() if p)
            if not held:
                continue
            coordination = (held / asked) ** (self.model.coordination / len(words)) if len(words) > 1 else 1.0
            out[doc_id] = coordination * sum(parts.values())
        return out
