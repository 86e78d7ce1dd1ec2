"""A light stemmer for Slavic languages Snowball has no stemmer for.

After Savoy's light stemmers (as Lucene's Czech and Bulgarian ones): a
word loses at most one inflectional ending (case and number, the
Bulgarian article), the longest of its language's that leaves a stem of
:data:`MIN_STEM` letters, and nothing else: no derivational suffixes, so
it merges few words that mean different things. A candidate, measured against no
stemming and against simplemma's lemmas in ``bench/languages.py``.
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
