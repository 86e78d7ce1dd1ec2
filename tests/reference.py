"""An independent BM25F with newssearch's coordination bonus, for plain-word queries.

Written from the formulas, over the articles themselves (not the index): it
counts term frequencies, field lengths and document frequencies from the
texts, so a test comparing it with the engine checks the whole scoring path
(index statistics, the ranker's arithmetic, the coordination factor) and
not one number against itself. The only thing taken from the index's design
is its storage precision: a document's field length is kept in one byte
(exact up to 10 tokens, then approximate), so the reference rounds lengths
the same way.

A plain-word query ``w1 w2 ...`` matches each word in the title (whose
frequencies count ``TITLE_BOOST`` times) and the body: with ``n`` such
(field, word) clauses present anywhere in the collection and ``h`` of them
matched by a document whose BM25F parts sum to ``S``, the relevance is
``(S + (h - 1) / (n - 0.9) ** 2) * (n - 1) / n`` (the coordination bonus;
just ``S`` when ``n`` is 1).
"""

from __future__ import annotations

import math
from collections import Counter

from whoosh.util.numeric import byte_to_length, length_to_byte

from newssearch.analysis import TOKEN_RE, term_for
from newssearch.engine.schema import TITLE_BOOST
from newssearch.search.rank import BM25_B, BM25_K1

FIELDS = {"title": TITLE_BOOST, "body": 1.0}


def _terms(text):
    return [t for t in (term_for(w) for w in TOKEN_RE.findall(text)) if t]


def stored_length(n):
    """A field length as the index keeps it (one byte)."""
    return byte_to_length(length_to_byte(n))


class Reference:
    def __init__(self, articles):
        self.docs = {}
        for a in articles:
            self.docs[a.id] = {f: Counter(_terms(getattr(a, f))) for f in FIELDS}
        self.n = len(self.docs)
        self.avg = {f: sum(sum(d[f].values()) for d in self.docs.values()) / self.n for f in FIELDS}
        self.df = {f: Counter(t for d in self.docs.values() for t in d[f]) for f in FIELDS}

    def idf(self, field, term):
        return math.log(self.n / (self.df[field][term] + 1)) + 1

    def part(self, doc_id, field, term):
        """One clause's BM25F score in one document (0 when it does not match)."""
        tf = self.docs[doc_id][field][term]
        if not tf:
            return 0.0
        weight = tf * FIELDS[field]
        length = stored_length(sum(self.docs[doc_id][field].values()))
        norm = (1 - BM25_B) + BM25_B * length / self.avg[field]
        return self.idf(field, term) * weight * (BM25_K1 + 1) / (weight + BM25_K1 * norm)

    def scores(self, query):
        """Relevance of every matching article for a query of plain words."""
        clauses = [(f, t) for t in _terms(query) for f in FIELDS if self.df[f][t]]
        n = len(clauses)
        out = {}
        for doc_id in self.docs:
            parts = [self.part(doc_id, f, t) for f, t in clauses]
            hits = sum(1 for p in parts if p)
            if not hits:
                continue
            total = sum(parts)
            out[doc_id] = (total + (hits - 1) / (n - 0.9) ** 2) * (n - 1) / n if n > 1 else total
        return out
