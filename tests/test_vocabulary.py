"""Did-you-mean's word lists in memory (search/vocabulary.py).

They stand in for two Whoosh lookups: a term's presence in a field, and
Whoosh's edit-distance automaton (``terms_within`` with ``prefix=1``), whose
walk of the term file cost 260-900 ms per rare word. The same terms must
come back, and a list kept across commits must never be a stale one.
"""

from __future__ import annotations

import random

import newssearch as ns
from newssearch.engine.schema import TEXT_FIELDS
from newssearch.search import vocabulary

from tests.helpers import ARTICLES, many_articles


def _typos(words: list[str], rng: random.Random) -> list[str]:
    out = []
    for w in words:
        i = rng.randrange(len(w))
        out += [w[:i] + rng.choice("aeioukxz") + w[i + 1 :], w[:i] + w[i + 1 :], w + rng.choice("se")]
    return out


def test_the_terms_within_two_edits_are_whooshs(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    extra = [
        ns.Article(title="Zürich and Zurich, Köln and Koeln", body="Ukraine, Ukrainian, Ukrainians; the Kremlin's kremlin."),
        ns.Article(title="Москва и Киев", body="Переговоры в Москве о мире; naïve façade résumé."),
    ]
    with ix.writer() as w:
        w.add_many([*ARTICLES, *many_articles(40), *extra])
    with ix.writer() as w:  # a second segment
        w.add_many(many_articles(60)[40:])
    snapshot = ix.session().snapshot
    assert len(snapshot.segments) >= 2
    words = sorted({t for f in TEXT_FIELDS for t in snapshot.lexicon(f)})
    rng = random.Random(3)
    asked = words + _typos(rng.sample(words, 60), rng) + ["ukriane", "kremlni", "moskva", "москвы"]
    for term in filter(None, asked):
        for maxdist in (1, 2):
            whooshs = set().union(*(snapshot.terms_within(f, term, maxdist, prefix=1) for f in TEXT_FIELDS))
            assert vocabulary.within(snapshot, TEXT_FIELDS, term, maxdist) == whooshs, (term, maxdist)
        assert vocabulary.holds(snapshot, TEXT_FIELDS, term) == any(snapshot.doc_frequency(f, term) for f in TEXT_FIELDS), term


def test_words_of_a_later_commit_are_found_and_a_compacted_index_is_read_again(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many(ARTICLES)
    before = ix.session().snapshot
    assert not vocabulary.holds(before, TEXT_FIELDS, "zeppelin")
    assert "ceasefir" in vocabulary.within(before, TEXT_FIELDS, "ceasefor", 2)
    with ix.writer() as w:
        w.add(ns.Article(title="Zeppelin flights return", body="A zeppelin flew over the lake."))
    after = ix.session().snapshot
    assert vocabulary.holds(after, TEXT_FIELDS, "zeppelin")
    assert "zeppelin" in vocabulary.within(after, TEXT_FIELDS, "zepelin", 2)
    ix.delete([a.id for a in ix.iter_articles() if "Zeppelin" in a.title])
    ix.compact()  # one new segment, without the deleted article's words
    compacted = ix.session().snapshot
    assert not vocabulary.holds(compacted, TEXT_FIELDS, "zeppelin")
    assert vocabulary.within(compacted, TEXT_FIELDS, "zepelin", 2) == set()


def test_a_suggestion_reads_the_new_words_of_a_commit(tmp_path):
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add_many(many_articles(30))
    assert ix.suggest("minsk agreemnet") == "minsk agreement"
    assert ix.suggest("zepelins") is None  # no word near it yet
    with ix.writer() as w:
        w.add_many([ns.Article(title=f"Zeppelins {i}", body="Zeppelins over the lake again.") for i in range(6)])
    assert ix.suggest("zepelins") == "zeppelins"
