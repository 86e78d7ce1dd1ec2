"""The ranking model: BM25F over title and body as one document, with a coordination factor.

The model (``MODEL``; Robertson & Zaragoza's BM25F, with a coordination
factor): a query word's occurrences in the headline and the body are added
up first, each field's count weighted and normalised by that field's length,
and only then saturated, so one word in a short headline cannot outweigh a
body that holds every query word (as it did when each field was scored,
saturated and idf-weighted on its own: Whoosh's BM25F). For word ``w`` and
article ``d``::

    tf~(w, d) = sum over fields f of  W_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
    score(d)  = C(d) * sum over query words w of  idf(w) * tf~ * (k1 + 1) / (k1 + tf~)
    idf(w)    = ln(1 + (N - df + 0.5) / (df + 0.5))       (df: articles with w in any field)
    C(d)      = (idf of the words d holds / idf of all the query's words) ** (gamma / n)

``C`` rewards matching the whole query: "Mervyn King" puts the articles
with both words above the nine Burger King stories. It weighs words by idf
(missing a rare word costs more than missing a common one) and fades with
the query's length ``n`` (in a twelve-word question, not every word is
essential). A phrase counts as its words, scored where the phrase matches;
a prefix as one word, its expansions summed. The parameters were chosen on
the tune sets of ``bench/knownitem.py`` (known-item queries on BBC and
Reuters-21578, TIME's odd topics) and are reported on the held-out ones.

This module holds the parameters and the formulas, on numbers and numpy
arrays alike; :mod:`.ranker` applies them to posting lists. Shapes the
ranker does not evaluate (term ranges) are scored by Whoosh's own matchers,
with Whoosh's BM25F (``BM25_K1``, ``BM25_B``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np

__all__ = ["BM25_B", "BM25_K1", "MODEL", "RankingModel", "coordination", "idf", "normalised_tf", "saturated"]

#: Whoosh's BM25F parameters, for the shapes Whoosh's matchers score.
BM25_B = 0.85
BM25_K1 = 2.0

#: A float or an array of them: the formulas work on one document or many.
Num = TypeVar("Num", float, np.ndarray)


@dataclass(frozen=True)
class RankingModel:
    """The parameters of the ranking (see the module docstring).

    ``k1`` saturates a word's combined frequency; ``b`` and ``weights`` are
    per field (length normalisation, and how much one occurrence counts);
    ``coordination`` is the exponent ``gamma`` of the coordination factor
    (0 turns it off).
    """

    k1: float = 2.0
    b: tuple[tuple[str, float], ...] = (("title", 0.3), ("body", 0.85))
    weights: tuple[tuple[str, float], ...] = (("title", 5.0), ("body", 1.0))
    coordination: float = 1.5

    def field_b(self, fieldname: str) -> float:
        """The length normalisation of a field (0: none, 1: full); a
        language's ``title_de`` is a ``title``."""
        return dict(self.b).get(fieldname.partition("_")[0], 0.75)

    def field_weight(self, fieldname: str) -> float:
        """How much one occurrence in a field counts (``title_de`` as ``title``)."""
        return dict(self.weights).get(fieldname.partition("_")[0], 1.0)


#: The shipped model: chosen on the tune sets of bench/knownitem.py.
MODEL = RankingModel()


def idf(docs: int, df: int) -> float:
    """``ln(1 + (N - df + 0.5) / (df + 0.5))`` for a word ``df`` of ``docs``
    articles hold; 0 when none does (a word no article holds asks for nothing)."""
    return float(np.log(1.0 + (docs - df + 0.5) / (df + 0.5))) if df else 0.0


def normalised_tf(model: RankingModel, fieldname: str, tf: Num, length: Num, average_length: float) -> Num:
    """One field's share of ``tf~``: its frequency, weighted, over its length
    normalisation ``(1 - b) + b * len / avglen``."""
    b = model.field_b(fieldname)
    return model.field_weight(fieldname) * tf / ((1.0 - b) + b * length / average_length)


def saturated(model: RankingModel, word_idf: float, tf: Num) -> Num:
    """A word's score from its combined frequency: ``idf * tf~ * (k1 + 1) / (k1 + tf~)``."""
    k1 = model.k1
    return word_idf * tf * (k1 + 1.0) / (k1 + tf)


def coordination(model: RankingModel, held_idf: np.ndarray, words: float, query_idf: float) -> np.ndarray | float:
    """``C(d) = (idf held / idf asked) ** (gamma / words asked)`` per document;
    1 when off, or when the query asks for one word or none."""
    gamma = model.coordination
    if not gamma or words <= 1 or query_idf <= 0:
        return 1.0
    factor: np.ndarray = np.power(np.minimum(held_idf / query_idf, 1.0), gamma / words)
    return factor
