"""Analysis per language: each article's words become terms by its own language's rules.

Design (issue 22, step 2). An article in English, or in no language we can
tell, is analysed exactly as before (:mod:`newssearch.analysis`, the fields
``title``/``body``): an English-only index, its terms and every English
result stay bit-identical, and an index written before this step still
answers. An article in any other language is indexed in fields of its own,
``title_<code>``/``body_<code>`` (``title_de``, ``body_zh``), analysed by
that language's rules; languages this module has no rules for share
``title_other``/``body_other`` with the neutral analysis. Why fields and
not one field with language-tagged terms: each language gets its own
statistics for free (a word's idf and the fields' average lengths are
counted within its language, as the issue asks, so "gift" in German and in
English never share a document frequency), Whoosh's parser already analyses
a query once per field with that field's analyzer (so a query is analysed
for every language it may be in, each word still required: the word
matches its forms in any of them), phrases and positions stay within one
field, and a language's terms can be dropped or re-analysed by field.

The rules for one language (:func:`analyse`, the one function the
tokenizer used by the query parser, the index writer and the snippets call):

* words: letters, digits and the combining marks of their script (Python's
  ``\\w`` leaves out the vowel signs of Devanagari, Tamil or Thai, and the
  Arabic short vowels, splitting words in pieces), with inner dots and
  ampersands; an apostrophe separates (French "l'Europe", Turkish
  "Ankara'da" become two words);
* NFKC, then lowercase, with the script's normalisation: Turkish and
  Azerbaijani dotted and dotless i, Greek final sigma, Arabic and Persian
  letter variants (alef with hamza or madda, alef maqsura, teh marbuta,
  Arabic yeh and kaf in Persian), their short vowels and tatweel, Hebrew
  points; Vietnamese keeps its diacritics (they tell words apart), and no
  language's accents are folded (Snowball's stemmers expect them);
* no stop words: the stopwords-iso lists (``stopwordsiso``, MIT, the one
  well-kept registry package with lists for all these languages) lowered
  known-item MRR@100 on the tune half of ``bench/languages.py --search`` in
  13 of 16 languages (0.947 against 0.960 without, all 16 together): they
  hold content words ("sagt", "bekannt"), and a word a headline query asks
  for was dropped. Every word is kept, so phrases match word for word;
* Snowball stemming through PyStemmer (C) wherever it has the language
  (:data:`SNOWBALL`; Croatian, Bosnian and Serbian share Snowball's
  Serbian); Bulgarian gets simplemma's lemmas (:mod:`newssearch.lemmas`),
  Ukrainian and Slovene a light stemmer (:mod:`newssearch.lightstem`),
  each chosen by ``bench/languages.py --stemmers`` on the BSNLP topics'
  held-out half (a lemmatizer was no better than Snowball for Czech,
  Polish and Russian); Slovak (no topics to choose by), Hebrew and
  Vietnamese get none. Each field records the revision of its group's
  rules that wrote it (:data:`REVISIONS`, :func:`rules_key`): an index
  written before a language was stemmed keeps its unstemmed rules for it;
* exact forms beside stems (Elasticsearch's ``keyword_repeat`` and
  ``remove_duplicates``): in a stemmed language each word whose stem is
  not the word itself is also indexed as it is written (lowercased, marked
  with :data:`EXACT`: ``=ryanaira`` beside ``ryanair``) at the same
  position, and a query word asks for its stem or its exact form, the
  exact form weighted :data:`EXACT_BOOST` (:func:`exact_term`): stemming
  finds every form of a word, and the form asked for ranks first. A
  headline query is an article's own words, where stemming alone added
  rivals (known-item MRR under the neutral analysis in 17 of 33
  languages); ``bench/languages.py --search`` and ``--topics`` measure both
  sides. Only the index and the query parser see the exact forms
  (:func:`positions_by_term_in`); :func:`analyse`, which snippets and
  highlights read, gives one term per word as before;
* name keys (:mod:`newssearch.namekeys`): in every group but English and
  the bigram scripts, a capitalised word is also indexed with the key of
  its transliteration at its place (``~brkst`` beside "брекзит"), and a
  query word asks for its key where the group's script is not its own
  (:func:`name_term`), so a name finds itself across scripts;
* Chinese, Japanese, Korean and Thai: overlapping character bigrams of
  each run of their scripts, as Elasticsearch's ``cjk`` analyzer makes
  them (a lone character stays a unigram), over grapheme clusters, so a
  Thai vowel or tone mark never leaves its consonant. Such a field asks a
  query word as a phrase of its bigrams. Dictionary segmenters were left
  out, not measured: PyThaiNLP 5.4's wheel is 22 MB and jieba 0.42's
  source 19 MB (pure Python, a dictionary loaded at first use), against
  none for bigrams, which find Chinese, Japanese and Thai known items at
  0.99, 0.97 and 0.88 MRR (``bench/languages.py --search``).

The neutral analysis (:data:`NEUTRAL`, for a language without rules) is
NFKC and lowercase, on the same words: no stemming, no folding that
merges words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from itertools import pairwise

import Stemmer

from .analysis import TOKEN_RE, term_for
from .lemmas import LEMMATIZED, lemmatizer
from .lightstem import ENDINGS, light_stem
from .namekeys import NAME, is_name, name_key, script_of

__all__ = [
    "BIGRAM_LANGUAGES",
    "ENGLISH",
    "EXACT",
    "EXACT_BOOST",
    "GROUPS",
    "LIGHT_STEMMED",
    "NEUTRAL",
    "OTHER",
    "REVISIONS",
    "SNOWBALL",
    "analyse",
    "analyse_neutrally",
    "exact_term",
    "field_group",
    "group_fields",
    "group_script",
    "index_name_terms",
    "language_group",
    "name_term",
    "positions_by_term_in",
    "rules_key",
    "takes_name_keys",
    "text_field_names",
    "use_stemmer",
]

#: The group whose fields are ``title``/``body``: English, and articles in no known language.
ENGLISH = ""
#: The group of languages without rules of their own.
OTHER = "other"
#: Not a group: the neutral analysis by name, for the evaluation.
NEUTRAL = "neutral"
#: ISO 639-1 code -> PyStemmer's algorithm.
SNOWBALL: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "nb": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "hr": "serbian", "es": "spanish",
    "st": "sesotho", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
#: Scripts without spaces between words: character bigrams.
BIGRAM_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})
#: Languages Snowball has no stemmer for that get the light stemmer
#: (:mod:`newssearch.lightstem`), chosen by ``bench/languages.py --stemmers``;
#: Bulgarian gets lemmas (:mod:`newssearch.lemmas`).
LIGHT_STEMMED = frozenset({"uk", "sl"})
#: Languages with fields of their own but no stemmer: Slovak (the light
#: stemmer has endings for it, but no topic evaluation could choose one),
#: and languages nothing was measured for.
_UNSTEMMED = frozenset({"sk", "he", "vi", "az", "lv", "mk", "be", "ms"})
#: The revision of a group's rules, where they changed after fields of the
#: group could be written (missing: 0). An index's fields record the
#: revision that wrote them (:func:`rules_key`). 1: bg lemmatized, uk and
#: sl light-stemmed (before: no stemmer).
REVISIONS: dict[str, int] = {"bg": 1, "uk": 1, "sl": 1}
#: Every group with fields of its own, besides English.
GROUPS: tuple[str, ...] = tuple(sorted(set(SNOWBALL) | BIGRAM_LANGUAGES | set(LEMMATIZED) | LIGHT_STEMMED | _UNSTEMMED)) + (
    OTHER,
)
#: The mark of an exact form's term (``=ryanaira``): no word holds "=", so it
#: never meets a stem, and a prefix query (``ryan*``) never expands into exact forms.
EXACT = "="
#: The weight of a query word's exact form beside its stem (chosen on the
#: tune halves of ``bench/languages.py --search`` and ``--topics``).
EXACT_BOOST = 1.0
#: Codes analysed as another: hr, bs and sr are one language to this index, as nb, nn and no are.
_SAME = {"bs": "hr", "sr": "hr", "nn": "nb", "no": "nb"}


def language_group(code: str | None) -> str:
    """The group an article in language ``code`` is indexed in: ``""``
    (the English fields) for English and for no language, the code for a
    language with fields of its own, else :data:`OTHER`."""
    if not code or code == "en":
        return ENGLISH
    code = _SAME.get(code, code)
    return code if code in GROUPS else OTHER


def group_fields(group: str) -> tuple[str, str]:
    """The title and body fields of a group."""
    return ("title", "body") if group == ENGLISH else (f"title_{group}", f"body_{group}")


def text_field_names() -> tuple[str, ...]:
    """Every language's text fields (not the English ones)."""
    return tuple(name for group in GROUPS for name in group_fields(group))


def field_group(fieldname: str) -> str | None:
    """The group a text field belongs to, or None for a field that is no text field."""
    if fieldname in ("title", "body"):
        return ENGLISH
    head, sep, group = fieldname.partition("_")
    if sep and head in ("title", "body") and group in GROUPS:
        return group
    return None


# --- words -------------------------------------------------------------------


def _mark_ranges() -> str:
    """A character class body of every combining mark (categories Mn, Mc, Me)."""
    out: list[str] = []
    start = prev = -2
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp))[0] == "M":
            if cp != prev + 1:
                if start >= 0:
                    out.append(f"{chr(start)}-{chr(prev)}")
                start = cp
            prev = cp
    out.append(f"{chr(start)}-{chr(prev)}")
    out.append("\U000e0100-\U000e01ef")  # variation selectors supplement
    return "".join(out)


@cache
def _word_re() -> re.Pattern[str]:
    # built at the first analysis of a language other than English: the
    # scan of the code points costs some 50 ms, and an English search never pays it
    char = f"[\\w{_mark_ranges()}\u200d]"
    return re.compile(f"{char}+(?:[.&]{char}+)*")


def _bigram_char(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0E00 <= cp <= 0x0E7F  # Thai
        or 0x3040 <= cp <= 0x30FF  # kana
        or 0x31F0 <= cp <= 0x31FF
        or 0x3400 <= cp <= 0x4DBF  # Han
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xAC00 <= cp <= 0xD7AF  # Hangul
        or 0x1100 <= cp <= 0x11FF
        or 0x3130 <= cp <= 0x318F
        or 0x20000 <= cp <= 0x2FFFF
    )


# --- normalisation ------------------------------------------------------------

_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_PERSIAN = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ـ": None})
_ARABIC_VOWELS = re.compile("[\u064b-\u065f\u0670]")
_HEBREW_POINTS = re.compile("[\u0591-\u05c7]")


def _lower(group: str, word: str) -> str:
    if group in ("tr", "az"):
        word = word.replace("I", "ı").replace("İ", "i")
    w = unicodedata.normalize("NFKC", word).lower() if not word.isascii() else word.lower()
    if group == "el":
        w = w.replace("ς", "σ")
    elif group in ("ar", "fa"):
        w = _ARABIC_VOWELS.sub("", w).translate(_PERSIAN if group == "fa" else _ARABIC)
    elif group == "he":
        w = _HEBREW_POINTS.sub("", w)
    return w


@dataclass(frozen=True)
class _Rules:
    """One group's analysis of a word."""

    group: str
    stem: Callable[[str], str] | None
    bigrams: bool


_NEUTRAL_EVERYWHERE = [False]


def analyse_neutrally(on: bool) -> None:
    """Give every language group the neutral analysis, in the same fields
    (English keeps its own): the baseline of the evaluation in
    ``bench/languages.py --search``, set before an index is written and
    searched, in that process and the writer processes it starts."""
    _NEUTRAL_EVERYWHERE[0] = on
    _rules.cache_clear()
    _CACHES.clear()
    _EXACT_CACHES.clear()


_STEMMERS: dict[str, Callable[[str], str] | None] = {}


def use_stemmer(group: str, stem: Callable[[str], str] | None, shipped: bool = False) -> None:
    """Give ``group`` another stemmer (``None``: none) in place of its own,
    or (``shipped``) its own again: the candidates ``bench/languages.py
    --stemmers`` compares, set before an index is written and searched, as
    :func:`analyse_neutrally` is."""
    if shipped:
        _STEMMERS.pop(group, None)
    else:
        _STEMMERS[group] = stem
    _rules.cache_clear()
    _CACHES.clear()
    _EXACT_CACHES.clear()


def rules_key(group: str, revision: int) -> str:
    """The name of the rules a field of ``group`` written by revision
    ``revision`` of that group's rules is read by: ``group`` itself for the
    current rules, else ``group@revision`` (``bg@0``: Bulgarian as it was
    analysed before it was lemmatized). Every function here taking a group
    takes such a name too, so an index keeps answering by the rules that
    wrote it (its fields record their revision) until it is analysed again."""
    if revision == REVISIONS.get(group, 0):
        return group
    return f"{group}@{revision}"


def _base(key: str) -> tuple[str, int]:
    """A rules name's group and revision."""
    group, sep, revision = key.partition("@")
    return group, int(revision) if sep else REVISIONS.get(group, 0)


@cache
def _rules(key: str) -> _Rules:
    group, revision = _base(key)
    if group in (NEUTRAL, OTHER) or _NEUTRAL_EVERYWHERE[0]:
        return _Rules(group, None, False)
    if group in _STEMMERS:
        return _Rules(group, _STEMMERS[group], group in BIGRAM_LANGUAGES)
    if revision < REVISIONS.get(group, 0):
        # every revision so far gave a group without a stemmer one: the
        # rules before it are no stemmer
        return _Rules(group, None, group in BIGRAM_LANGUAGES)
    algorithm = SNOWBALL.get(group)
    stem = Stemmer.Stemmer(algorithm).stemWord if algorithm else None
    if group in LEMMATIZED:
        stem = lemmatizer(group)
    elif group in LIGHT_STEMMED and group in ENDINGS:
        stem = partial(light_stem, group)
    return _Rules(group, stem, group in BIGRAM_LANGUAGES)


_CACHES: dict[str, dict[str, str]] = {}
_CACHE_LIMIT = 200_000


def _term(rules: _Rules, word: str) -> str:
    """The term of one word (not a bigram script's run)."""
    w = _lower(rules.group, word)
    if not w:
        return ""
    if rules.stem is not None and w.isalpha():
        return rules.stem(w)
    return w


def _clusters(text: str) -> list[tuple[int, int]]:
    """Grapheme clusters (a character and the marks after it) as spans."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if spans and (unicodedata.category(ch)[0] == "M" or ch == "\u200d"):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def _origins(original: str, normalised: str) -> list[int]:
    """For each character of ``normalised`` (``original`` after NFKC), the
    offset in ``original`` of the character it came from: NFKC makes two
    of some (Thai SARA AM, U+0E33, is NIKHAHIT and SARA AA), so a bigram's
    place in the text is counted back through them, never guessed (a
    highlight would cut a character)."""
    at: list[int] = []
    for i, ch in enumerate(original):
        at.extend([i] * len(unicodedata.normalize("NFKC", ch)))
    if len(at) != len(normalised):  # NFKC joined characters (Hangul jamo): spread evenly, as near as it gets
        scale = len(original) / len(normalised)
        return [min(len(original) - 1, int(k * scale)) for k in range(len(normalised))]
    return at


def _bigram_tokens(rules: _Rules, word: str, start: int) -> Iterable[tuple[str, int, int]]:
    """A word of a bigram language: runs of its script as bigrams of
    clusters, the rest as words. ``(term, start, end)`` each."""
    runs: list[tuple[bool, int, int]] = []
    for i, ch in enumerate(word):
        kind = _bigram_char(ch) or (bool(runs) and runs[-1][0] and unicodedata.category(ch)[0] == "M")
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], i + 1)
        else:
            runs.append((kind, i, i + 1))
    for kind, s, e in runs:
        piece = word[s:e]
        if not kind:
            yield _term(rules, piece), start + s, start + e
            continue
        original = piece
        piece = unicodedata.normalize("NFKC", piece)
        spans = _clusters(piece)
        if len(spans) == 1:
            yield piece.lower(), start + s, start + e
            continue
        at = _origins(original, piece)
        for (a, _b), (_c, d) in pairwise(spans):
            yield piece[a:d], start + s + at[a], start + s + at[d - 1] + 1


def analyse(group: str, text: str) -> list[tuple[str, int, int, int]]:
    """``(term, position, start, end)`` for each token of ``text`` by the
    rules of ``group`` (a term is "" for an English stop word, which keeps its
    position). The English group is :func:`newssearch.analysis.term_for`
    over its own tokens, unchanged."""
    out: list[tuple[str, int, int, int]] = []
    if group == ENGLISH:
        for pos, m in enumerate(TOKEN_RE.finditer(text)):
            out.append((term_for(m.group(0)), pos, m.start(), m.end()))
        return out
    rules = _rules(group)
    cache = _CACHES.setdefault(group, {})
    pos = 0
    for m in _word_re().finditer(text):
        word = m.group(0)
        if rules.bigrams and any(_bigram_char(ch) for ch in word):
            for term, s, e in _bigram_tokens(rules, word, m.start()):
                out.append((term, pos, s, e))
                pos += 1
            continue
        known = cache.get(word)
        if known is None:
            known = _term(rules, word)
            if len(cache) < _CACHE_LIMIT:
                cache[word] = known
        out.append((known, pos, m.start(), m.end()))
        pos += 1
    return out


_EXACT_CACHES: dict[str, dict[str, str]] = {}


def _exact(group: str, rules: _Rules, word: str, term: str) -> str:
    """The exact-form term of ``word`` whose stem is ``term``, or "" where
    the group stems nothing or the word is its own stem."""
    if rules.stem is None or not term:
        return ""
    cache = _EXACT_CACHES.setdefault(group, {})
    known = cache.get(word)
    if known is None:
        lowered = _lower(group, word)
        known = EXACT + lowered if lowered != term else ""
        if len(cache) < _CACHE_LIMIT:
            cache[word] = known
    return known


def exact_term(group: str, text: str) -> str:
    """The exact-form term a query word ``text`` asks for beside its stem in
    ``group``'s fields, or "" when there is none (a group without a
    stemmer, a word that is its own stem, text of several words)."""
    if group == ENGLISH:
        return ""
    tokens = analyse(group, text)
    if len(tokens) != 1:
        return ""
    term, _pos, start, end = tokens[0]
    return _exact(group, _rules(group), text[start:end], term)


def positions_by_term_in(group: str, text: str) -> dict[str, list[int]]:
    """Every term of ``text`` by ``group``'s rules with its positions, the
    exact forms of stemmed words and the name keys of capitalised words
    (:func:`index_name_term`) at the same positions."""
    out: dict[str, list[int]] = {}
    rules = _rules(group) if group != ENGLISH else None
    keys = takes_name_keys(group)
    for term, pos, start, end in analyse(group, text):
        if term:
            out.setdefault(term, []).append(pos)
            if rules is not None and rules.stem is not None:
                exact = _exact(group, rules, text[start:end], term)
                if exact:
                    out.setdefault(exact, []).append(pos)
            if keys:
                for key in index_name_terms(group, text[start:end], term):
                    out.setdefault(key, []).append(pos)
    return out


# --- names across scripts (newssearch.namekeys) ----------------------------------

#: The script each language group is written in, where it is not Latin
#: (Serbian's Cyrillic is indexed with Croatian, and Latin counts there).
_SCRIPTS: dict[str, str] = {
    "bg": "CYRILLIC", "ru": "CYRILLIC", "uk": "CYRILLIC", "mk": "CYRILLIC", "be": "CYRILLIC",
    "el": "GREEK", "ar": "ARABIC", "fa": "ARABIC", "he": "HEBREW", "yi": "HEBREW",
    "hi": "DEVANAGARI", "ne": "DEVANAGARI", "ta": "TAMIL", "hy": "ARMENIAN",
}
#: Whether a query word asks for its name key only in the fields of a
#: language written in another script than the word (measured against
#: asking it everywhere in ``bench/languages.py --names``).
ACROSS_SCRIPTS_ONLY = True


def takes_name_keys(group: str) -> bool:
    """Whether ``group``'s fields hold name keys: every language but
    English (whose index, terms and results stay as they were, and which
    pays nothing) and the scripts without spaces (read as bigrams)."""
    return group != ENGLISH and group not in BIGRAM_LANGUAGES


def group_script(group: str) -> str:
    """The script of a language group's articles ("" for the group of
    languages without rules, which holds any script)."""
    return "" if group == OTHER else _SCRIPTS.get(group, "LATIN")


def index_name_terms(group: str, word: str, term: str) -> tuple[str, ...]:
    """The name key terms an article's ``word`` (whose term is ``term``) is
    indexed with beside its own: none for a word that does not look like a
    name, else the key of the word (``~brkst``) and, in a stemmed language,
    of its stem where that differs: Czech "Brexitem" keys ``brkstm``, its
    stem "brexit" the ``brkst`` that "Брекзит" asks for."""
    if not is_name(word):
        return ()
    key = name_key(word)
    rules = _rules(group)
    stem_key = name_key(term) if rules.stem is not None and term else ""
    keys = [k for k in dict.fromkeys((key, stem_key)) if k]
    return tuple(NAME + k for k in keys)


def name_term(group: str, text: str) -> str:
    """The name key term a query word ``text`` asks for in ``group``'s
    fields, or "" where it asks none: a group without keys, a word in the
    group's own script (:data:`ACROSS_SCRIPTS_ONLY`), a key too short."""
    if not takes_name_keys(group) or not text:
        return ""
    if ACROSS_SCRIPTS_ONLY and script_of(text) == group_script(group):
        return ""
    key = name_key(text)
    return NAME + key if key else ""

