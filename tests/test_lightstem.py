"""The light stemmer (newssearch/lightstem.py), rule by rule.

The words are made up of a three-letter stem and each ending (no corpus
text): a stem of consonants no ending begins with, so only the ending
under test can match.
"""

from __future__ import annotations

import pytest

from newssearch.lightstem import ENDINGS, MIN_STEM, light_stem

#: A stem per script that no ending of its languages completes into a longer ending.
STEM = {"bg": "брк", "uk": "брк", "sk": "brk", "sl": "brk"}


@pytest.mark.parametrize(("code", "ending"), [(code, e) for code, ends in ENDINGS.items() for e in ends])
def test_each_ending_is_removed(code, ending):
    assert light_stem(code, STEM[code] + ending) == STEM[code]


def test_the_longest_ending_wins():
    assert light_stem("bg", "изборите") == "избор"  # "ите", not "е"
    assert light_stem("bg", "коронавирусът") == "коронавирус"  # "ът", not "т"... nor "ъ"
    assert light_stem("uk", "виборами") == "вибор"  # "ами", not "и"
    assert light_stem("sk", "voľbách") == "voľb"  # "ách", not "ch"


def test_one_ending_at_most():
    assert light_stem("sl", "volitvah") == "volitv"  # "ah" goes, "v" stays
    assert light_stem("uk", "коронавірусу") == "коронавірус"


def test_a_stem_keeps_its_letters():
    assert MIN_STEM == 3
    assert light_stem("sk", "ova") == "ova"  # "a" would leave two letters
    assert light_stem("bg", "ята") == "ята"
    assert light_stem("sl", "mama") == "mam"  # three letters are enough


def test_a_language_without_endings_is_left_alone():
    assert light_stem("xx", "words") == "words"
    assert light_stem("cs", "volbách") == "volbách"  # Czech has Snowball's rules, not these
