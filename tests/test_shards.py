"""Sharded indexes (newssearch.engine.shards, newssearch.write.sharded): searched
as one index holding the same articles would be, to the score."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.engine.shards import ShardedStore, shard_of
from newssearch.search.request import MAX_LIMIT

from tests.helpers import REUTERS, ROOT, shared


SHARDS = 3


def _queries(count: int) -> list[tuple[str, dict]]:
    rows = [r for r in csv.reader((ROOT / "bench" / "queries" / "news.tsv").open(encoding="utf-8"), delimiter="\t") if r and not r[0].startswith("#")]
    out = []
    for kind, query, since, until in rows[1 : count + 1]:
        options = {k: v for k, v in (("since", since), ("until", until)) if v}
        out.append((query, options))
    return out + [("merg*", {}), ("shares NOT bank", {}), ("title:china", {}), ("opec", {"source": "Reuters"})]


@pytest.fixture(scope="module")
def sharded(reuters_index, tmp_path_factory):
    """The Reuters 2006-07 articles in a 3-shard index, read in the same
    order as the session's single index."""
    where = tmp_path_factory.mktemp("sharded") / "ix"
    ix = ns.create_index(where, shards=SHARDS)
    with ix.writer() as w:
        w.add_many(ns.read_path([shared(*REUTERS)]))
    yield ix
    ix.close()


@pytest.mark.shared
def test_a_sharded_index_ranks_as_one_index(reuters_index, sharded) -> None:
    one = reuters_index[0]
    assert len(one) == len(sharded) > 14_000
    assert sharded.stats().segments >= SHARDS
    for query, options in _queries(40):
        a = one.search(query, all_copies=True, limit=MAX_LIMIT, snippets=False, facets=["source", "agencies"], **options)
        b = sharded.search(query, all_copies=True, limit=MAX_LIMIT, snippets=False, facets=["source", "agencies"], **options)
        assert a.total == b.total and a.facets == b.facets, query
        assert [round(h.score, 9) for h in a] == [round(h.score, 9) for h in b], query
        if a.total <= MAX_LIMIT:  # every match on the page: the same articles, each with its score
            scores = {h.article.id: h.score for h in a}
            assert scores.keys() == {h.article.id for h in b}, query
            assert max((abs(scores[h.article.id] - h.score) for h in b), default=0.0) < 1e-9, query
        assert [h.article.id for h in a] == [h.article.id for h in b], query  # ties by article id, not by shard
        # one hit per story, pages
        c = one.search(query, limit=20, offset=10, snippets=False, **options)
        d = sharded.search(query, limit=20, offset=10, snippets=False, **options)
        assert (c.total, c.articles) == (d.total, d.articles), query
        assert [round(h.score, 9) for h in c] == [round(h.score, 9) for h in d], query
        assert [h.article.id for h in c] == [h.article.id for h in d], query
    for query in ('"oil prices"', '"federal reserve" rates'):  # Whoosh's own matchers, over every shard
        a = one.search(query, engine="whoosh", all_copies=True, limit=MAX_LIMIT, snippets=False)
        b = sharded.search(query, engine="whoosh", all_copies=True, limit=MAX_LIMIT, snippets=False)
        scores = {h.article.id: h.score for h in a}
        assert a.total == b.total > 0 and max(abs(scores[h.article.id] - h.score) for h in b) < 1e-9
        assert [h.article.id for h in a] == [h.article.id for h in b], query
    assert one.timeline("oil", by="month").buckets == sharded.timeline("oil", by="month").buckets
    assert one.stats().outlets == sharded.stats().outlets


@pytest.mark.shared
def test_wire_copies_are_one_story_across_shards(reuters_index, sharded) -> None:
    """Story labels come from one grouper over every shard: the same as in one index."""
    one, other = reuters_index[0].session().snapshot, sharded.session().snapshot
    story_one, story_other = one.column("story"), other.column("story")
    labels = {}
    for docnum in range(one.doc_count_all()):
        article_id = one.stored(docnum)["id"]
        labels[article_id] = int(story_one[docnum])
    copies = 0
    for docnum in range(other.doc_count_all()):
        article_id = other.stored(docnum)["id"]
        assert int(story_other[docnum]) == labels[article_id], article_id
        copies += labels[article_id] != int(article_id[:16], 16)
    assert copies > 100  # copies of stories are in the corpus, and across shards
    spread = {}
    for article_id, label in labels.items():
        spread.setdefault(label, set()).add(shard_of(article_id, SHARDS))
    assert sum(len(s) > 1 for s in spread.values()) > 50


def test_writing_routes_by_id_and_reindexing_changes_nothing(tmp_path: Path, articles) -> None:
    ix = ns.create_index(tmp_path / "ix", shards=SHARDS)
    report = ix.add(articles)
    assert report.added == len(articles) and report.committed
    again = ix.add(articles)
    assert (again.unchanged, again.added, again.committed) == (len(articles), 0, False)
    changed = ns.Article(**{**{f: getattr(articles[0], f) for f in ("title", "url", "published", "source", "agencies", "section")}, "body": articles[0].body + " Talks go on."})
    assert changed.id == articles[0].id
    assert ix.add(changed).updated == 1
    assert len(ix) == len(articles)
    store = ShardedStore.open(ix.path)
    where = shard_of(changed.id, SHARDS)
    for n, shard in enumerate(store.stores):
        holds = shard.snapshot().docnum_for_id(changed.id) is not None
        assert holds == (n == where)
    assert ix.get(changed.id).body.endswith("Talks go on.")
    assert ix.delete(changed.id) == [changed.id] and ix.get(changed.id) is None
    assert ns.check_index(ix.path).ok
    ix.close()


def test_saved_searches_alert_on_a_sharded_index(tmp_path: Path, articles) -> None:
    ix = ns.create_index(tmp_path / "ix", shards=SHARDS)
    ix.add(articles[:2])
    ix.saved.add("minsk", "minsk OR grain")
    before = ShardedStore.open(ix.path).last_seq()
    report = ix.add(articles[2:])
    assert ShardedStore.open(ix.path).last_seq() == before + 1
    expected = {a.id for a in articles[2:] if "minsk" in (a.title + a.body).lower() or "grain" in (a.title + a.body).lower()}
    assert report.alerts == len(expected) > 0
    assert {a.article_id for a in ix.saved.new("minsk")} == expected
    ix.close()


def test_cli_index_with_shards(runner, tmp_path: Path) -> None:
    from newssearch.cli import cli

    where = tmp_path / "ix"
    result = runner.invoke(cli, ["index", str(ROOT / "examples"), "--index", str(where), "--shards", "3", "-q"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in where.iterdir()) == ["shard-000", "shard-001", "shard-002", "shards.json"]
    result = runner.invoke(cli, ["search", "port strike", "--index", str(where), "--json"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 4 + 1  # the hits, then the summary
    result = runner.invoke(cli, ["index", str(ROOT / "examples"), "--index", str(where), "--shards", "2"])
    assert result.exit_code == 2 and "has 3 shards" in result.stderr
    assert runner.invoke(cli, ["check", "--index", str(where)]).exit_code == 0


@pytest.mark.parametrize("shards", [1, SHARDS])
def test_an_empty_index_answers_every_command(tmp_path: Path, shards: int) -> None:
    """Before anything is added (stats once raised AttributeError: Whoosh's
    empty reader has no per-document data)."""
    ix = ns.create_index(tmp_path / "ix", shards=shards)
    stats = ix.stats()
    assert (stats.articles, stats.earliest, stats.outlets) == (0, None, {})
    assert ix.search("harbour").total == 0 and ix.search("").total == 0
    assert ix.timeline("harbour").total == 0
    ix.saved.add("harbour", "harbour")
    assert ix.saved.match_new() == []
    assert len(ix.session().snapshot.column("story")) == 0  # once NotImplementedError, from Whoosh's empty reader
    ix.close()
