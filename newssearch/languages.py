"""The language of an article: an ISO 639-1 code and where it came from.

An article's language is what its source states (an HTML ``lang``,
``og:locale`` or ``Content-Language``, a record's ``lang``/``language``, a
feed's ``language``) when the text agrees or is too short to tell, else
what the text says (detected with py3langid, chosen by measurement in
``bench/languages.py``), else unknown. Its provenance is kept beside it, as
a date keeps ``date_source``: ``given``, ``detected`` or ``unknown``. Later
steps (analysis per language, queries in several languages) read the
stored code, so it is one code per article, lowercased ISO 639-1, with
Norwegian as ``nb`` (Snowball's "norwegian").

Detection reads a bounded prefix of the text (:data:`PREFIX_CHARS`): past
it a news article's language does not change, and the cost stays flat
whatever the length (the budget: an English-only archive pays at most 10%
more indexing CPU).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Literal

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from .errors import ConfigError

__all__ = [
    "ISO_639_1",
    "LANGUAGE_SOURCES",
    "MIN_CONFIDENCE",
    "MIN_LETTERS",
    "OVERRULE_CONFIDENCE",
    "PREFIX_CHARS",
    "LanguageSource",
    "detect_language",
    "language_family",
    "normalize_code",
    "parse_language",
    "resolve_language",
    "same_language",
]

LanguageSource = Literal["given", "detected", "unknown"]
#: The provenance values, as stored and shown.
LANGUAGE_SOURCES: tuple[LanguageSource, ...] = ("given", "detected", "unknown")
#: Characters of the body read after the title, what the budget allows:
#: an English-only archive may pay at most 10% more indexing CPU, and
#: 300 characters cost Reuters 2006-07 17% more (six runs each). With 100,
#: 8,821 of the multilingual corpus's 8,833 articles are told right (hr,
#: bs and sr as one; nine Indonesian read as Malay), with 200 all but
#: four, at 0.18 and 0.26 CPU ms an article in bench/languages.py --prefix.
PREFIX_CHARS = 100
#: Fewer letters than this are too short to tell a language by.
MIN_LETTERS = 12
#: Below this probability (py3langid's, calibrated over lengths) the
#: detector is unsure and says nothing. On the corpus's 8,833 headlines
#: alone, 0.3 leaves 2.3% unknown and 1.9% wrong; 0.5 left 6.4% unknown
#: for 0.9% wrong, and with a body nothing falls below either.
MIN_CONFIDENCE = 0.3
#: The probability the text must have to overrule the language its source
#: states: 0.02% of those headlines are wrong above it (a wrong override
#: would hide an article from its own language's filter).
OVERRULE_CONFIDENCE = 0.8
#: Codes that name one language as far as this index is concerned: the
#: detectors cannot tell Croatian, Bosnian and Serbian in Latin script apart
#: reliably, nor Bokmål from Nynorsk in a headline (``nb``, ``nn``, ``no``).
_SAME = {"bs": "hr", "sr": "hr", "no": "nb", "nn": "nb"}
#: Three-letter (ISO 639-2/3) codes sources use for the languages news comes in.
_THREE = {
    "ara": "ar", "bul": "bg", "ces": "cs", "cze": "cs", "dan": "da", "deu": "de", "ger": "de", "ell": "el",
    "gre": "el", "eng": "en", "spa": "es", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr", "fre": "fr",
    "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "ind": "id", "ita": "it", "jpn": "ja", "kor": "ko",
    "nob": "nb", "nor": "nb", "nld": "nl", "dut": "nl", "pol": "pl", "por": "pt", "ron": "ro", "rum": "ro",
    "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "swe": "sv", "tha": "th", "tur": "tr", "ukr": "uk",
    "vie": "vi", "zho": "zh", "chi": "zh",
}
#: Every ISO 639-1 code: a value outside it names no language (``xx``).
ISO_639_1 = frozenset({
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo",
    "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo",
    "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi",
    "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka",
    "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng",
    "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn",
    "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su",
    "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur",
    "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
})
#: The detector's labels that have no ISO 639-1 code of their own but
#: belong to a macrolanguage that has one (Wu and Cantonese Chinese,
#: Moroccan and Egyptian Arabic...); its other such labels (``zxx``, no
#: language; Kabyle, Ligurian...) leave the language unknown.
_DETECTED = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "uzs": "uz", "gug": "gn", "hbo": "he", "no": "nb"}
_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def normalize_code(value: str | None) -> str | None:
    """The ISO 639-1 code a source's language value names (``en-US``,
    ``en_GB``, ``eng``, ``EN`` -> ``en``; ``no`` -> ``nb``), or None for
    what is no language code (``English``, ``x-klingon``, empty)."""
    if not value or not _CODE.fullmatch(value.strip()):
        return None
    primary = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    code = _THREE.get(primary) if len(primary) == 3 else primary
    if code not in ISO_639_1:
        return None
    return "nb" if code == "no" else code


def parse_language(value: str, option: str = "lang") -> str:
    """The code a user asked for (``--lang``, ``lang:``), or a ConfigError
    naming the option: a filter on a code no article can carry would match
    nothing in silence."""
    code = normalize_code(value)
    if code is None:
        raise ConfigError(
            f"{value.strip()!r} is not a language code (ISO 639-1: en, bg, nb, zh...)", option=option
        )
    return code


def language_family(code: str) -> tuple[str, ...]:
    """The codes a filter on ``code`` matches: the code and those this index
    treats as the same language (``hr`` -> ``hr``, ``bs``, ``sr``)."""
    root = _SAME.get(code, code)
    return (root, *sorted(c for c, r in _SAME.items() if r == root))


def same_language(a: str, b: str) -> bool:
    """Whether two codes name what this index treats as one language."""
    return _SAME.get(a, a) == _SAME.get(b, b)


@cache
def _identifier() -> LanguageIdentifier:
    # the model (4 MB compressed) is read at the first detection, not at
    # import: a search never detects, and loading it takes 0.3 s
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch).startswith("L"))


def detect_language(title: str, body: str = "") -> tuple[str | None, float]:
    """``(code, probability)`` the text is in, from the title and the first
    :data:`PREFIX_CHARS` characters of the body; ``(None, 0.0)`` when it is
    too short to tell, ``(None, p)`` when the detector is unsure."""
    text = f"{title}\n{body[:PREFIX_CHARS]}" if body else title
    if _letters(text[: MIN_LETTERS * 4]) < MIN_LETTERS and _letters(text) < MIN_LETTERS:
        return None, 0.0
    label, probability = _identifier().classify(text)
    code = _DETECTED.get(label, label)
    if probability < MIN_CONFIDENCE or code not in ISO_639_1:
        return None, probability
    return code, probability


def resolve_language(given: str | None, title: str, body: str) -> tuple[str | None, LanguageSource]:
    """The article's language and its provenance.

    ``given`` (the source's value, in any form :func:`normalize_code` reads)
    stands when the text agrees or cannot tell (too short, or the detector
    short of :data:`OVERRULE_CONFIDENCE`); when the text says another
    language with confidence, that one is taken as ``detected`` (a page
    template's ``lang="en"`` around a Polish story). Without a usable ``given`` value the text decides, or
    the language is ``unknown`` (None)."""
    code = normalize_code(given)
    detected, probability = detect_language(title, body)
    if code is not None and (detected is None or same_language(code, detected) or probability < OVERRULE_CONFIDENCE):
        return code, "given"
    if detected is not None:
        return detected, "detected"
    return None, "unknown"
