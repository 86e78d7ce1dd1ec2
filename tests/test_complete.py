"""Search-as-you-type (newssearch/search/complete.py): what a prefix completes to, and that it follows commits."""

from __future__ import annotations

from datetime import datetime, timezone

import newssearch as ns
from newssearch.search.complete import MAX_ENTRIES, Completions, Harvest, normalise

HEADLINES = [
    "Northern Rock shares plunge as savers queue",
    "Bank of England lends to Northern Rock",
    "Northern Rock bid talks stall",
    "Oil prices rise on supply fears",
    "oil prices fall as OPEC meets",
    "Société Générale reports trading loss",
    "Société Générale chief resigns",
    "Fed cuts rates again",
]


def _texts(found: list[ns.Article] | list) -> list[str]:
    return [c.text for c in found]


def test_a_name_is_completed_from_its_first_letters_and_across_its_words():
    done = Completions(HEADLINES, {})
    assert _texts(done.complete("northern ro"))[0] == "Northern Rock"
    assert done.complete("northern ro")[0].kind == "name"
    assert _texts(done.complete("North"))[0] == "Northern Rock"  # a name weighs more than the word alone
    assert "Bank of England" in _texts(done.complete("bank o"))  # a lower-case "of" joins a name


def test_words_and_phrases_keep_the_headlines_spelling():
    done = Completions(HEADLINES, {})
    found = done.complete("oil p")
    assert found[0].text == "Oil prices" and found[0].kind == "phrase" and found[0].weight == 2
    assert "OPEC" in _texts(done.complete("op"))
    assert done.complete("trading") == [] or all(c.text.lower().startswith("trading") for c in done.complete("trading"))


def test_a_phrase_in_one_headline_only_is_not_offered():
    done = Completions(HEADLINES, {})
    assert [c.text for c in done.complete("bid")] == ["bid"]
    assert "Oil prices" in _texts(done.complete("oil"))  # in two: offered


def test_accents_case_quotes_and_spaces_do_not_matter():
    done = Completions(HEADLINES, {})
    assert _texts(done.complete("societe g"))[0] == "Société Générale"
    assert _texts(done.complete('  "NORTHERN   ro'))[0] == "Northern Rock"
    assert normalise("  Société  Générale ") == "societe generale "


def test_outlets_are_offered_and_weigh_most():
    done = Completions(HEADLINES, {"Financial Desk": 3, "Fed Watch": 1})
    found = done.complete("f")
    assert found[0].text == "Financial Desk" and found[0].kind == "outlet"
    assert "Fed Watch" in _texts(found)


def test_the_last_word_is_completed_after_words_no_entry_starts_with():
    done = Completions(HEADLINES, {})
    assert _texts(done.complete("cheap oil pri"))[:1] == ["cheap Oil prices"]
    assert done.complete("zzz qqq") == []


def test_nothing_for_nothing_and_at_most_the_limit():
    done = Completions(HEADLINES, {})
    assert done.complete("") == [] and done.complete("   ") == [] and done.complete("n", limit=0) == []
    assert len(done.complete("o", limit=2)) == 2
    ranked = done.complete("r", limit=20)
    assert [c.weight for c in ranked] == sorted((c.weight for c in ranked), reverse=True)


def test_the_entries_are_capped(monkeypatch):
    monkeypatch.setattr("newssearch.search.complete.MAX_ENTRIES", 5)
    done = Completions(HEADLINES, {})
    assert len(done) == 5 and MAX_ENTRIES > 5
    assert _texts(done.complete("northern"))[0] == "Northern Rock"  # the heaviest are the ones kept


def test_an_index_completes_from_its_headlines_and_sees_a_commit(tmp_path):
    when = datetime(2024, 5, 1, tzinfo=timezone.utc)
    with ns.create_index(tmp_path / "ix") as ix:
        ix.add([ns.Article(title=t, body="text", url=f"https://example.org/{i}", published=when, source="Example Wire")
                for i, t in enumerate(HEADLINES)])
        assert _texts(ix.complete("northern ro"))[0] == "Northern Rock"
        assert _texts(ix.complete("exa")) == ["Example Wire"]
        assert ix.complete("zanz") == []
        ix.add(ns.Article(title="Zanzibar ferry sinks", body="text", url="https://example.org/z", published=when))
        assert _texts(ix.complete("zanz")) == ["Zanzibar"]  # rebuilt for the new commit
        ix.delete([a.id for a in ix.iter_articles() if a.title.startswith("Zanzibar")])
        assert ix.complete("zanz") == []  # a deleted headline is gone from the completions
        assert _texts(ix.complete("fed")) == ["Fed"]
        ix.delete([a.id for a in ix.iter_articles() if a.title.startswith("Fed")])  # one of a segment's eight
        assert ix.complete("fed") == []  # its segment's counts were made again


def test_counts_made_segment_by_segment_add_up_to_one_count_of_all():
    whole = Completions(HEADLINES, {"Example Wire": 2})
    parts = Completions.of_harvests([Harvest.of(HEADLINES[:3]), Harvest.of(HEADLINES[3:5]), Harvest.of(HEADLINES[5:])], {"Example Wire": 2})
    for prefix in ("n", "oil p", "soc", "e", "bank o", "f"):
        assert parts.complete(prefix, 20) == whole.complete(prefix, 20), prefix
    assert len(parts) == len(whole) and parts.headlines == whole.headlines == len(HEADLINES)
    assert "Oil prices" in _texts(parts.complete("oil"))  # a phrase in two headlines of two segments still counts twice
