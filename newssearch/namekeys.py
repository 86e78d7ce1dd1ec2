"""Name keys: one spelling-tolerant key for a name in any script.

Why: a name written in Cyrillic ("Брекзит", "Райънеър", "Зеленски") never
meets the same name in Latin script ("Brexit", "Ryanair", "Zelensky"):
their terms share no letter. Plain transliteration is not enough either
("Brekzit", "Ray'ne'r", "Zelenski"), so a name's key is a skeleton of its
transliteration that the usual spelling variants leave alone:

* transliterated to ASCII by ``anyascii`` (ISC, every script in one table
  per Unicode block, no language to choose: a query word's language is not
  known), lowercased, everything but letters dropped (the soft and hard
  signs come out as apostrophes);
* letters that spell one sound alike: ``x`` is ``ks``, ``ph`` is ``f``,
  ``ck``/``c``/``q`` are ``k``, ``z`` is ``s``, ``w`` is ``v``, ``y`` and
  ``j`` are vowels, and an ``h`` after a consonant is dropped (``sh``,
  ``kh``, ``zh``);
* doubled letters collapsed ("Mattarella", "Матарела"), then the vowels
  after the first letter dropped (the Bulgarian ``ъ`` becomes an
  apostrophe or a vowel, Ukrainian "Зеленський" a "y" and an "i").

So "Brexit", "Брекзит", "Брексіт" and "Brexitu" all key ``brkst``; "Ryanair",
"Ryanaira" and "Райънеър" key ``rnr``; "Zelensky", "Зеленски" and
"Зеленський" key ``slnsk``. A key shorter than :data:`MIN_KEY` letters
says too little and is not made.

How keys are used (:mod:`newssearch.langanalysis`): a capitalised word of
an article in a language other than English is indexed with its key beside
it (``~brkst``, at the word's position, not counted in the field's length),
and a query word asks for its key, weighted :data:`NAME_BOOST`, in the
fields of a language written in another script than the word (a Latin word
in the Bulgarian fields, a Cyrillic one in the Czech fields), beside its
stem and exact form: the word is still required, and it matches itself, its
forms, or its name key. The choices are measured in ``bench/languages.py
--names`` (README, "Names across scripts").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = ["MIN_KEY", "NAME", "NAME_BOOST", "is_name", "name_key", "script_of"]

#: The mark of a name key's term (``~brkst``): no word holds "~", so a key
#: never meets a word's term, and a prefix query never expands into keys.
NAME = "~"
#: The weight of a query word's name key beside its stem, chosen on the tune
#: half of ``bench/languages.py --names``: at 0.5, 1 and 2 the topic figures
#: were the same (MAP 0.365 across scripts), and known-item MRR@100 0.938,
#: 0.928 and 0.907 (0.937 without keys): a key matches looser than a word,
#: and at full weight articles holding a query's skeletons rose past the one
#: holding its words.
NAME_BOOST = 0.5
#: The fewest letters a key has: one letter would match every name it starts.
MIN_KEY = 2

_NOT_LETTERS = re.compile(r"[^a-z]+")
_DIGRAPHS = (("sch", "s"), ("ph", "f"), ("ck", "k"), ("x", "ks"))
_LETTERS = str.maketrans({"c": "k", "q": "k", "z": "s", "w": "v", "y": "i", "j": "i"})
_H_AFTER = re.compile(r"(?<=[bcdfgjklmnpqrstvwxz])h")
_VOWELS = re.compile(r"(?<=.)[aeiou]+")
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def name_key(word: str) -> str:
    """The name key of ``word`` (without the :data:`NAME` mark), or "" when
    it is too short to tell a name (see the module docstring)."""
    s = _NOT_LETTERS.sub("", anyascii(word).lower())
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = _H_AFTER.sub("", s.translate(_LETTERS))
    s = _VOWELS.sub("", _DOUBLES.sub(r"\1", s))
    return s if len(s) >= MIN_KEY else ""


def is_name(word: str) -> bool:
    """Whether an article's word may be a name: it starts with a capital
    letter (in scripts without case, no word does)."""
    return word[:1].isupper()


@lru_cache(maxsize=100_000)
def script_of(word: str) -> str:
    """The script of a word's first letter, as Unicode names it ("LATIN",
    "CYRILLIC", "GREEK"); "" for a word with no letter."""
    for ch in word:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            return name.split(" ", 1)[0]
    return ""
