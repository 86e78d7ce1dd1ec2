"""One result per story: copies from other outlets and other versions collapse (issue 9)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

import newssearch as ns
import newssearch.write.signature as signature_module
from newssearch.cli import cli
from newssearch.write.signature import SAME_STORY, signature
from newssearch.write.stories import REPUBLISHED, SAME_STORY_WITHIN, same_story
from tests.helpers import search_json

UTC = timezone.utc
T0 = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
STORY = [
    "Dock workers at the port of Lisbon walked out on Monday after talks over pay and automation broke down, the union said.",
    "The strike halted container traffic at the country's largest port, leaving a dozen ships waiting at anchor off the coast.",
    "Port operators said they had offered a five percent raise over two years and guarantees that no jobs would be cut.",
    "The union wants a commitment that automated cranes will not replace crane operators before the end of the decade.",
    "Exporters of wine, cork and machinery said they were diverting shipments to Spanish ports to avoid long delays.",
]
UPDATE = "The government called both sides to a meeting on Tuesday and said it was ready to mediate if talks stalled again."
OTHER = [
    "Dock workers in Rotterdam voted on Monday to accept a new contract that raises pay by four percent this year.",
    "The agreement ends a month of short stoppages that had slowed the handling of grain and oil at Europe's busiest port.",
    "Port officials said the deal also sets up a joint committee to plan the introduction of automated terminals.",
]


def article(title, paragraphs, source, minutes, url):
    return ns.Article(title=title, body="\n\n".join(paragraphs), source=source, url=url, published=T0 + timedelta(minutes=minutes))


@pytest.fixture
def ix(tmp_index):
    tmp_index.add(
        [
            article("Lisbon dock workers strike over pay", STORY, "Wire", 0, "https://wire.example/lisbon"),
            article("Lisbon port strike halts container traffic", STORY, "Daily", 40, "https://daily.example/port"),
            article("UPDATE 1-Lisbon dock workers strike, government offers mediation", STORY + [UPDATE], "Wire", 90, "https://wire.example/lisbon-1"),
            article("Rotterdam dock workers accept new contract", OTHER, "Wire", 30, "https://wire.example/rotterdam"),
        ]
    )
    return tmp_index


def test_signatures_tell_copies_from_other_stories():
    first = signature("a", "\n\n".join(STORY))
    assert first.similarity(signature("b", "\n\n".join(STORY))) == 1.0
    assert first.similarity(signature("c", "\n\n".join(STORY + [UPDATE]))) >= SAME_STORY  # a version with a paragraph added
    assert first.similarity(signature("d", "\n\n".join(STORY[:3]))) >= SAME_STORY  # one cut short
    assert first.similarity(signature("e", "\n\n".join(OTHER))) < SAME_STORY
    assert set(first.bands().tolist()) & set(signature("f", "\n\n".join(STORY + [UPDATE])).bands().tolist())
    assert len(signature("", "").bands()) == 0  # no words, no bands: empty articles are not one story
    # texts shorter than a shingle are one shingle of all their words
    assert signature("Oil falls", "").similarity(signature("Gold rises", "")) < SAME_STORY
    assert signature("Oil falls", "").similarity(signature("Oil falls", "")) == 1.0


def test_a_signature_is_the_same_in_every_process():
    code = "from newssearch.write.signature import signature; print(signature('t', 'one two three four five six seven eight').values.hex())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert runs == {signature("t", "one two three four five six seven eight").values.hex() + "\n"}


#: Signatures are stored in every index (the ``minhash`` column) and compared
#: with new articles' across versions, so they must never change: these are
#: the values newssearch 174c4ca computed.
KNOWN_SIGNATURES = {
    ("Oil Prices", "Oil prices ROSE on Monday as OPEC said it would cut output; oil traders said prices rose."): (
        "a823ed00e1005f06f0bc6f1d5e0f0902547f0f0d87e0f502d77333069b016132c54acc2563a316204d861409621be32bf0773702ac9b220d57357911b5e4d025"
        "62627d081b919b16c6156f0def5845071807502bec5c41121ef3d504daec830b4c586e0501726b1047d2180541a40305b38c9018714ca9258a429a17c73c550b"
        "a7e44a0d0ea7321658202414d5152f19559adf0d9d3ace1fa47ee5453b7849124a7f5d19f533ad0ad9b47707005523046289f8015c022503aa880201f2fe7c02"
        "21ef861175b0090ee42f7c0464330a0747a6fb05409d44036fd5a536909ff9061db6960484607b2d920035032cee0a0548f94e08f223e019d745a95b7dd95f00"
    ),
    ("Z\u00fcrich bank", "Banks said oil prices fell"): (
        "3ad1817f3f85e556233e262e705c1edd95fd5303e2b1e24f78b315897fab002c8d0e363573dd413594c5d624b4a9d09ba62fb568309dc7174d0174371474fbb3"
        "5acfd1226b86a2136a10a652bce2470483398645ddcccf57e869ccae1ff5004a77364e2261d07e0ab8dbcc2ababa850dcbbcbf204e350101c4044431186b3c3c"
        "ebd4051c880ff35f427def13c2957edd1d7092b15b85f216adcadb1263f8046632cdd50e7fee550221490a33acf5f73de7e2f95c848716858b24ff114e6bb774"
        "47a9d66bb1ef865d87daf12c0d0a1251b1d2170de1f6244251b1f74548ea5d212bbf8107bcde045c057f4906b1e8d8234e0fcf1218422439636a921f422fe636"
    ),
}


def test_signatures_keep_their_values_whether_words_are_remembered_or_not(monkeypatch):
    # the words' hashes are remembered (a cache, bounded): a word new or
    # remembered, and a cache that is full, give the same values
    (first, first_hex), (second, second_hex) = KNOWN_SIGNATURES.items()
    monkeypatch.setattr(signature_module, "_TOKEN_HASHES", {})
    assert signature(*first).values.hex() == first_hex  # every word new
    assert signature(*first).values.hex() == first_hex  # every word remembered
    remembered = dict(signature_module._TOKEN_HASHES)
    monkeypatch.setattr(signature_module, "_TOKEN_HASHES_LIMIT", len(remembered))
    assert signature(*second).values.hex() == second_hex  # a full cache: some words remembered, some not
    assert signature_module._TOKEN_HASHES == remembered  # and none added


def test_copies_collapse_under_the_best_one(ix):
    results = ix.search("lisbon strike")
    assert (results.total, results.articles) == (1, 3)  # the Rotterdam story does not mention Lisbon
    (hit,) = results
    assert hit.copies_total == 2 and {c.source for c in hit.copies} | {hit.article.source} == {"Wire", "Daily"}
    assert [c.published for c in hit.copies] == sorted(c.published for c in hit.copies)  # oldest first
    every = ix.search("lisbon strike", all_copies=True)
    assert (every.total, every.articles, len(every)) == (3, 3, 3) and all(h.copies_total == 0 for h in every)
    # totals count stories, facets count articles
    port = ix.search("dock workers", facets=["source"])
    assert (port.total, port.articles) == (2, 4) and port.facets["source"] == {"Wire": 3, "Daily": 1}


def test_date_sorts_show_the_newest_or_oldest_copy(ix):
    newest = ix.search("lisbon", sort="date")
    oldest = ix.search("lisbon", sort="oldest")
    assert newest[0].article.title.startswith("UPDATE 1-") and oldest[0].article.title == "Lisbon dock workers strike over pay"


def test_a_story_stays_right_when_its_best_copy_is_deleted_or_changed(ix):
    best = ix.search("lisbon strike")[0].article
    with ix.writer() as w:
        assert w.delete(best.id)
    (hit,) = ix.search("lisbon strike")
    assert hit.article.id != best.id and hit.copies_total == 1
    # the other copy is rewritten into a different story: the two part
    other = next(c for c in [hit.article, *hit.copies] if c.id != hit.article.id)
    ix.add(ix.get(other.id).replace(body="\n\n".join(OTHER[::-1]) + " Lisbon dockers watched the vote."))
    assert ix.search("lisbon", all_copies=True).total == 2 and ix.search("lisbon").total == 2


def test_a_copy_indexed_later_joins_its_story(ix):
    ix.add(article("Portugal port strike: ships wait off Lisbon", STORY[:4], "Gazette", 200, "https://gazette.example/strike"))
    (hit,) = ix.search("lisbon strike")
    assert hit.copies_total == 3 and "Gazette" in {c.source for c in hit.copies} | {hit.article.source}


def test_similar_leaves_out_the_articles_own_story_and_timeline_counts_stories_once(ix):
    lisbon = ix.search("lisbon")[0].article
    related = ix.similar(lisbon.id)
    assert [h.article.title for h in related] == ["Rotterdam dock workers accept new contract"]
    assert ix.timeline("dock workers", by="day").total == 2
    assert ix.timeline("dock workers", by="day", all_copies=True).total == 4


def test_copies_are_one_story_only_within_a_news_cycle():
    assert same_story(SAME_STORY, T0, T0 + SAME_STORY_WITHIN) and same_story(SAME_STORY, T0 + SAME_STORY_WITHIN, T0)
    assert not same_story(SAME_STORY - 0.01, T0, T0)
    assert not same_story(0.8, T0, T0 + SAME_STORY_WITHIN + timedelta(minutes=1))  # a follow-up days later
    assert same_story(REPUBLISHED, T0, T0 + timedelta(days=30))  # the same text republished
    assert not same_story(0.8, T0, None) and not same_story(0.8, None, None) and same_story(1.0, None, T0)


def test_a_follow_up_days_later_is_its_own_story_but_a_republished_copy_is_not(ix):
    days = 60 * 24 * 3
    ix.add(article("Lisbon port strike enters fourth day", STORY[:4] + [UPDATE], "Wire", days, "https://wire.example/day4"))
    ix.add(article("Lisbon dock workers strike over pay", STORY, "Weekly", days + 1, "https://weekly.example/lisbon"))
    ix.add(ns.Article(title="Lisbon strike, undated rewrite", body="\n\n".join([UPDATE] + STORY[2:]), source="Blog", url="https://blog.example/x"))
    blog = signature("", "\n\n".join([UPDATE] + STORY[2:]))
    assert SAME_STORY <= blog.similarity(signature("", "\n\n".join(STORY))) < REPUBLISHED
    hits = ix.search("lisbon strike")
    assert hits.total == 3 and hits.articles == 6
    by_title = {h.article.title: h for h in hits}
    assert by_title["Lisbon port strike enters fourth day"].copies_total == 0
    assert by_title["Lisbon strike, undated rewrite"].copies_total == 0
    (first,) = [h for h in hits if h.copies_total]
    assert "Weekly" in {c.source for c in first.copies} | {first.article.source}


def test_the_cli_shows_copies_and_lists_them_all_on_request(ix, runner):
    ix.close()
    args = ["search", "lisbon strike", "--index", str(ix.path), "--no-color"]
    text = runner.invoke(cli, args)
    assert text.exit_code == 0 and "also: " in text.stdout and "more outlet" in text.stdout
    assert "of 1 story (3 articles; --all-copies lists every copy)" in text.stderr
    (data,), summary = search_json(runner.invoke(cli, [*args, "--json"]).stdout)
    assert (summary["total"], summary["articles"]) == (1, 3)
    assert data["copies_total"] == 2 and {c["source"] for c in data["copies"]} <= {"Wire", "Daily"}
    assert all(c["published"].endswith("Z") and c["id"] and c["title"] for c in data["copies"])
    every, _summary = search_json(runner.invoke(cli, [*args, "--json", "--all-copies"]).stdout)
    assert len(every) == 3 and all(x["copies"] == [] and x["copies_total"] == 0 for x in every)


def test_the_same_reuters_copy_is_listed_once(reuters_index):
    # "U.S. tech stocks fall on Texas Instruments outlook" listed the same copy twice
    ix, _, _ = reuters_index
    query = "U.S. tech stocks fall on Texas Instruments outlook"
    titles = [h.article.title for h in ix.search(query, limit=10)]
    assert titles.count(query) == 1
    assert [h.article.title for h in ix.search(query, limit=2, all_copies=True)] == [query, query]
