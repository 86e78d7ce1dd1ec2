"""A light stemmer for the Slavic languages Snowball has no stemmer for.

Why a light stemmer: ``bench/languages.py --stemmers`` compared, for
Bulgarian, Ukrainian, Slovene and Slovak, no stemmer, these rules,
simplemma's dictionary lemmas and the lemma else these rules (the README's
"Topic search"). A reporter's inflected form ("коронавирусът",
"Brexitom") must meet the article's other forms, and the exact forms
beside the stems (:mod:`newssearch.langanalysis`) keep a headline's own
words first.

The rules, after Savoy's light stemmers (J. Savoy, "Searching strategies
for the Bulgarian language", Information Retrieval 10, 2007; L. Dolamic
and J. Savoy, "Indexing and stemming approaches for the Czech language",
IP&M 45, 2009; Lucene's BulgarianStemmer and CzechStemmer follow them): a
word loses at most one inflectional ending, the longest of its language's
that leaves :data:`MIN_STEM` letters, and nothing else. The endings are
the case and number endings of each language's noun and adjective
declensions (and the Bulgarian definite article), from its grammar; no
derivational suffix is removed, so few words that mean different things
are merged. A word is expected lowercased (:mod:`newssearch.langanalysis`
lowercases first).
"""

from __future__ import annotations

__all__ = ["ENDINGS", "MIN_STEM", "light_stem"]

#: The fewest letters a stem keeps.
MIN_STEM = 3
#: Inflectional endings by ISO 639-1 code, tried longest first.
ENDINGS: dict[str, tuple[str, ...]] = {
    "bg": ("ията", "ите", "ият", "ове", "ища", "ище", "ът", "ят", "та", "то", "те", "а", "о", "е", "и", "я", "у", "ъ", "й"),
    "uk": (
        "ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми", "ею", "єю", "ою", "ої", "ій", "ий", "ів", "їв", "ах",
        "ях", "ам", "ям", "ом", "ем", "єм", "им", "их", "іх", "а", "я", "о", "е", "є", "у", "ю", "и", "і", "ї", "й", "ь",
    ),
    "sk": (
        "iach", "ami", "ovi", "ého", "ému", "ými", "ých", "ách", "ích", "om", "ou", "ej", "ov", "mi", "ch", "ám", "ím",
        "ým", "a", "á", "e", "é", "i", "í", "o", "u", "y", "ý",
    ),
    "sl": ("ami", "ama", "ema", "emu", "ega", "ih", "im", "ov", "ev", "om", "em", "ah", "mi", "a", "e", "i", "o", "u"),
}
_BY_LENGTH = {code: tuple(sorted(ends, key=len, reverse=True)) for code, ends in ENDINGS.items()}


def light_stem(code: str, word: str) -> str:
    """``word`` (lowercase) less its longest inflectional ending in language ``code``."""
    for ending in _BY_LENGTH.get(code, ()):
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word
