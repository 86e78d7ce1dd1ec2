"""Bulgarian lemmas from simplemma's dictionary: the analysis
``bench/languages.py --stemmers`` chose for Bulgarian, which Snowball has
no stemmer for.

Why a dictionary for Bulgarian and not the light stemmer
(:mod:`newssearch.lightstem`) that Ukrainian and Slovene got: on the tune
half of the BSNLP topics its lemmas found the most (MAP 0.787, against
0.773 for the light stemmer and 0.730 unstemmed) without losing the
known items (MRR@100 0.932 against 0.934 as shipped before), and on the
held-out half they kept the lead (MAP 0.738 against 0.686 unstemmed;
the README's "Topic search" has every figure). A Bulgarian noun carries
its article as an ending ("изборите", "министърът"), which a dictionary
undoes where a list of endings cuts too little or too much.

simplemma (MIT, A. Barbaresi) ships a dictionary of word forms and their
lemmas per language inside its wheel (19 MB, pure Python): nothing is
downloaded at run time. The package is imported, and Bulgarian's
dictionary (0.2 MB compressed) read, at the first Bulgarian word analysed:
about 0.3 s of CPU and 30 MB of memory, once a process, paid by the first
query of an index holding Bulgarian and by each writer process; a process
that never meets Bulgarian never pays it. A word the dictionary lacks
(most names: "Брекзита") is its own lemma, so its exact form and its
other forms stay apart, as before.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LEMMATIZED", "lemmatizer"]

#: ISO 639-1 code -> simplemma's language code, for the languages lemmatized.
LEMMATIZED: dict[str, str] = {"bg": "bg"}


def lemmatizer(code: str) -> Callable[[str], str]:
    """The lemma of a lowercased word of language ``code``, lowercased
    (simplemma gives names their capital)."""
    # imported at the first word of a lemmatized language: 0.08 s, which an
    # index without such a language, and every English search, never pays
    import simplemma

    lang = LEMMATIZED[code]

    def lemma(word: str) -> str:
        return str(simplemma.lemmatize(word, lang=lang)).lower()

    return lemma
