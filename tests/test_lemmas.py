"""Bulgarian lemmas (newssearch/lemmas.py): what simplemma's dictionary gives,
pinned (lemmas are index terms: an upgrade that changes them changes what an
index holds), and that a process pays for the dictionary only at its first
Bulgarian word."""

from __future__ import annotations

import subprocess
import sys

from newssearch.langanalysis import EXACT, positions_by_term_in
from newssearch.lemmas import LEMMATIZED, lemmatizer
from newssearch.namekeys import NAME, name_key


def test_bulgarian_words_become_their_lemmas():
    lemma = lemmatizer("bg")
    assert lemma("изборите") == "избор"  # the article as an ending goes with the plural
    assert lemma("министрите") == "министър"
    assert lemma("коронавируса") == "коронавирус"
    assert lemma("канада") == "канада"  # lowercased: simplemma gives names their capital ("Канада")
    assert lemma("брекзита") == "брекзита"  # a word the dictionary lacks is its own lemma
    assert set(LEMMATIZED) == {"bg"}


def test_bulgarian_is_indexed_as_lemmas_with_exact_forms():
    terms = positions_by_term_in("bg", "Изборите и изборът")
    assert {t: p for t, p in terms.items() if not t.startswith(NAME)} == {
        "избор": [0, 2], EXACT + "изборите": [0], "и": [1], EXACT + "изборът": [2],
    }
    assert terms[NAME + name_key("Изборите")] == [0]  # a capitalised word's name key (newssearch.namekeys)


def test_the_dictionary_loads_at_the_first_bulgarian_word_only():
    code = (
        "import sys\n"
        "from newssearch.langanalysis import analyse\n"
        "analyse('de', 'Die Verhandlungen'); analyse('uk', 'Вибори'); analyse('', 'talks')\n"
        "print('simplemma' in sys.modules)\n"
        "analyse('bg', 'Изборите')\n"
        "print('simplemma' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
