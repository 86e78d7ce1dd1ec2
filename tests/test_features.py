"""Facets, timeline, recency, explain, did-you-mean and related stories on
fixed articles (the real-data versions are in test_features_real.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import newssearch as ns
from newssearch.search import spelling
from tests.reference import Reference

UTC = timezone.utc
NOW = datetime(2022, 1, 28, 12, tzinfo=UTC)


def art(title, body, days_ago, source="Daily", agencies=(), section="world", url=None):
    when = NOW - timedelta(days=days_ago) if days_ago is not None else None
    return ns.Article(title=title, body=body, published=when, source=source, agencies=agencies, section=section, url=url or f"https://ex.com/{title}")


@pytest.fixture
def ix(tmp_index):
    tmp_index.add(
        [
            art("Minsk agreement talks", "Diplomats discussed the Minsk agreement in detail.", 400, "Wire", ("Reuters",)),
            art("Minsk agreement revived", "The Minsk agreement was revived at talks.", 1, "Daily", ("AFP",)),
            art("Talks in Minsk", "Talks were held.", 2, "Daily", ("Reuters", "AFP"), "europe"),
            art("Grain prices", "Grain prices rose.", 4, "Wire", (), "business"),
            art("Minsk weather", "Snow fell in Minsk.", None, "Wire", (), "europe"),
            art("Minsk agreement revived", "The Minsk agreement was revived at talks.", 1, "Other", (), "world", url="https://other.example/copy"),
        ]
    )
    return tmp_index


def test_facets_count_all_matches_not_the_page(ix):
    r = ix.search("minsk", facets=["source", "agencies", "section"], limit=1)
    # five articles, four stories: "Minsk agreement revived" is in Daily and Other
    assert (r.total, r.articles, len(r)) == (4, 5, 1)
    assert r.facets["source"] == {"Daily": 2, "Wire": 2, "Other": 1}
    assert r.facets["agencies"] == {"AFP": 2, "Reuters": 2}
    assert r.facets["section"] == {"world": 3, "europe": 2}
    for name, counts in r.facets.items():
        for value, n in counts.items():
            assert ix.search("minsk", **{ {"source": "source", "agencies": "agency", "section": "section"}[name]: value}).articles == n


def test_recency_lifts_fresh_relevant_stories_but_keeps_old_exact_ones(ix):
    # any word: recency must not drown an old exact story under new partial ones
    by_relevance = [h.article.title for h in ix.search("minsk agreement", now=NOW, limit=10, match="any")]
    by_recency = ix.search("minsk agreement", sort="recency", half_life="7d", now=NOW, limit=10, explain=True, match="any")
    titles = [h.article.title for h in by_recency]
    # the 400-day-old story ties for first by relevance, and falls behind the fresh copies...
    assert by_relevance.index("Minsk agreement talks") == 0
    assert titles.index("Minsk agreement talks") > titles.index("Minsk agreement revived")
    # ...but stays above a two-day-old story that matches only one word: not drowned by weak new ones
    assert by_relevance.index("Minsk agreement talks") < by_relevance.index("Talks in Minsk")
    assert titles.index("Minsk agreement talks") < titles.index("Talks in Minsk")
    old = next(h for h in by_recency if h.article.title == "Minsk agreement talks")
    assert old.explanation.recency_factor == pytest.approx(0.3, abs=1e-6)
    assert old.score == pytest.approx(old.explanation.relevance * old.explanation.recency_factor)
    undated = next(h for h in by_recency if h.article.title == "Minsk weather")
    assert undated.explanation.recency_factor == pytest.approx(0.3) and undated.explanation.age_days is None


def test_explain_parts_are_what_bm25f_gives(ix):
    # each part, each factor and the relevance against an independent
    # computation from the articles' texts (tests/reference.py), not against
    # each other
    reference = Reference(list(ix.iter_articles()))
    expected = reference.scores("minsk agreement")
    asked = reference.idf("minsk") + reference.idf("agreement")
    for hit in ix.search("minsk agreement", explain=True, match="any"):
        e = hit.explanation
        matched = {t for t in ("minsk", "agreement") if reference.part(hit.article.id, t)}
        assert {p.term for p in e.parts} == matched
        for p in e.parts:
            assert p.score == pytest.approx(reference.part(hit.article.id, p.term), rel=1e-9)
            assert {m.field for m in p.fields} == {f for f in ("title", "body") if p.term in getattr(hit.article, f).lower()}
        held = sum(reference.idf(t) for t in matched)
        assert (e.held_idf, e.query_idf, e.query_words) == (pytest.approx(held), pytest.approx(asked), 2)
        assert e.coordination == pytest.approx((held / asked) ** (1.5 / 2), rel=1e-9)
        assert e.relevance == pytest.approx(expected[hit.article.id], rel=1e-9)
        assert e.score == e.relevance == hit.score  # no recency factor under sort=relevance
        assert e.recency_factor is None


def test_relative_dates_in_options_and_query(ix):
    got = {h.article.title for h in ix.search("*", since="3 days ago", now=NOW, limit=20)}
    assert got == {"Minsk agreement revived", "Talks in Minsk"}
    # "yesterday" is 27 January: the two copies of the revived story; OR grain adds the grain story
    found = ix.search("published:yesterday OR grain", now=NOW)
    assert (found.total, found.articles) == (2, 3) and {h.article.title for h in found} == {"Minsk agreement revived", "Grain prices"}
    assert {h.article.title for h in ix.search("published:yesterday", now=NOW)} == {"Minsk agreement revived"}
    assert {h.article.title for h in ix.search("minsk since:2d", now=NOW, limit=20)} == {"Minsk agreement revived", "Talks in Minsk"}


def test_timeline_counts_and_zone(ix):
    # stories: the revived story's two copies count once
    tl = ix.timeline("minsk", by="day", now=NOW)
    assert tl.total == 4 and tl.undated == 1
    counts = {start.date().isoformat(): n for start, n in tl.buckets if n}
    assert counts == {"2020-12-24": 1, "2022-01-26": 1, "2022-01-27": 1}
    every = ix.timeline("minsk", by="day", now=NOW, all_copies=True)
    assert every.total == 5 and {start.date().isoformat(): n for start, n in every.buckets if n}["2022-01-27"] == 2
    weekly = ix.timeline("minsk", by="week")
    assert all(start.weekday() == 0 for start, _ in weekly.buckets)
    sofia = ix.timeline("minsk", by="day", tz="Europe/Sofia")
    # periods start at local midnight: UTC+2 in winter, UTC+3 in summer
    assert all((start.hour, start.minute) == (0, 0) for start, _ in sofia.buckets)
    assert {start.utcoffset() for start, _ in sofia.buckets} == {timedelta(hours=2), timedelta(hours=3)}
    assert sum(n for _, n in sofia.buckets) == 3


def test_did_you_mean(ix):
    assert ix.suggest("mnisk agreemnt") == "minsk agreement"
    assert ix.suggest("minsk agreement") is None


def test_did_you_mean_does_not_spell_out_a_pasted_blob(ix, monkeypatch):
    """The edits of a word grow with its length squared: one of 4,000
    letters took minutes (a web request holding its worker); words over
    MAX_WORD_CHARS are not checked at all."""
    edited: list[int] = []
    real = spelling._edits1
    monkeypatch.setattr(spelling, "_edits1", lambda word: edited.append(len(word)) or real(word))
    assert ix.suggest("minsk " + "q" * 4000) is None
    assert ix.suggest("mnisk agreemnt") == "minsk agreement"
    assert edited and max(edited) <= spelling.MAX_WORD_CHARS


def test_did_you_mean_is_looked_up_once_per_snapshot_and_again_after_a_commit(ix, monkeypatch):
    """A server asks for a suggestion on every search: a word's options are
    remembered with the snapshot (only sooner, the same answer), and a
    commit, here by another handle on the index as by another process,
    brings a snapshot whose words are weighed afresh."""
    looked_up: list[str] = []
    real = spelling._options
    monkeypatch.setattr(spelling, "_options", lambda snapshot, word: looked_up.append(word) or real(snapshot, word))
    assert ix.suggest("mnisk agreemnt") == "minsk agreement"
    assert looked_up == ["mnisk", "agreemnt"]
    assert ix.suggest("mnisk agreemnt") == "minsk agreement"
    assert ix.suggest("agreemnt") == "agreement"  # another query, a word already weighed
    assert looked_up == ["mnisk", "agreemnt"]
    with ns.open_index(ix.path) as other:  # five articles make "mnisk" a word spelled as meant
        other.add([art(f"Mnisk report {n}", "The mnisk region.", n, "Wire") for n in range(spelling.KNOWN_FROM)])
    assert ix.suggest("mnisk agreemnt") == "mnisk agreement"
    assert looked_up == ["mnisk", "agreemnt", "mnisk", "agreemnt"]


def test_did_you_mean_with_and_without_its_memo_agree(ix):
    snapshot = ix.session().snapshot
    memo = spelling.SpellingMemo(words=1, answers=1)  # every entry pushed out by the next
    queries = ["mnisk agreemnt", "agreemnt", "minsk", "grian prices", "talsk in mnisk", "mnisk agreemnt", "grian"]
    expected = [spelling.suggest(snapshot, q) for q in queries]
    assert [spelling.suggest(snapshot, q, memo) for q in queries] == expected
    assert [spelling.suggest(snapshot, q, memo) for q in queries] == expected
    assert sum(e is not None for e in expected) >= 4 and len(memo.answers) == 1


def test_a_pasted_blob_is_not_remembered(ix):
    """The memos are bounded by entries, so an entry must be small: a query
    or a word too long to be checked is answered without being kept."""
    memo = ix.session().spelling
    assert ix.suggest("minsk " + "q" * 4000) is None
    assert ix.suggest("minsk " * 100) is None
    assert (len(memo.answers), len(memo.options)) == (0, 1)  # "minsk" alone


def test_similar_excludes_the_article_and_its_duplicates(ix):
    source = ix.search("minsk agreement revived", source="Daily")[0].article
    related = ix.similar(source.id)
    titles = [h.article.title for h in related]
    assert source.id not in [h.article.id for h in related]
    assert "Minsk agreement revived" not in titles  # the copy at another URL
    assert titles[0] == "Minsk agreement talks"
