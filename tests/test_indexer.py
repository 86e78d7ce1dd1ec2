"""Index lifecycle: create/open, add/update/unchanged/duplicate, one commit per
run, and an index that stays as it was when a run fails or is interrupted."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

import newssearch as ns
from newssearch.engine import store as store_module
from newssearch.engine import writing as writing_module
from newssearch.engine.schema import build_schema
from newssearch.engine.store import sealed
from newssearch.errors import (
    IndexLocked,
    IndexNotFound,
    IndexStoreError,
    IndexVersionMismatch,
)
from tests.helpers import many_articles


def test_open_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFound, match="no index at"):
        ns.open_index(tmp_path / "nothing")


def test_open_with_create_and_default_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSSEARCH_INDEX", raising=False)
    assert str(ns.default_index_path()) == "index"
    ix = ns.open_index(create=True)
    assert (tmp_path / "index" / "newssearch.json").exists()
    ix.close()
    monkeypatch.setenv("NEWSSEARCH_INDEX", str(tmp_path / "elsewhere"))
    assert ns.default_index_path() == tmp_path / "elsewhere"


def test_create_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(IndexStoreError, match="holds other files"):
        ns.create_index(tmp_path)
    (tmp_path / "notes.txt").unlink()
    (tmp_path / ".gitignore").write_text("*\n")  # the shipped index/ placeholder is fine
    ns.create_index(tmp_path).close()


def test_add_then_reindex_changes_nothing(tmp_index, articles):
    first = tmp_index.add(articles)
    assert (first.added, first.updated, first.unchanged, first.committed) == (4, 0, 0, True)
    files_before = sorted(p.name for p in tmp_index.path.iterdir())
    again = tmp_index.add(articles)
    assert (again.added, again.updated, again.unchanged, again.committed) == (0, 0, 4, False)
    assert sorted(p.name for p in tmp_index.path.iterdir()) == files_before
    assert len(tmp_index) == 4


def test_changed_article_is_updated_not_duplicated(filled_index, articles):
    changed = articles[0].replace(body="A corrected body about the Minsk ceasefire.")
    assert changed.id == articles[0].id
    report = filled_index.add(changed)
    assert (report.added, report.updated) == (0, 1)
    assert len(filled_index) == 4
    assert filled_index.get(articles[0].id).body == changed.body


def test_same_id_twice_in_one_run_keeps_the_first(tmp_index, articles):
    report = tmp_index.add([articles[0], articles[0].replace(title="Second version")])
    assert (report.added, report.duplicates) == (1, 1)
    assert tmp_index.get(articles[0].id).title == articles[0].title


def test_error_mid_run_leaves_the_index_as_committed(filled_index, articles):
    def failing():
        yield articles[0].replace(url="https://example.com/new-1", id="")
        raise RuntimeError("reader died")

    with pytest.raises(RuntimeError):
        with filled_index.writer() as w:
            w.add_many(failing())
    assert len(filled_index) == 4
    # the lock was released: another run can write
    assert filled_index.add(articles[0].replace(url="https://example.com/new-2", id="")).added == 1
    assert len(filled_index) == 5


def test_failed_run_leaves_no_files_behind(filled_index, articles):
    before = sorted(p.name for p in filled_index.path.iterdir())
    with pytest.raises(RuntimeError):
        with filled_index.writer() as w:
            w.add(articles[0].replace(url="https://example.com/new-1", id=""))
            raise RuntimeError("stop")
    assert sorted(p.name for p in filled_index.path.iterdir()) == before


def test_ctrl_c_mid_run_leaves_the_index_as_committed(filled_index, articles):
    def interrupted():
        yield articles[0].replace(url="https://example.com/new-1", id="")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with filled_index.writer() as w:
            w.add_many(interrupted())
    assert len(filled_index) == 4


def test_second_writer_gets_index_locked(filled_index):
    with filled_index.writer():
        with pytest.raises(IndexLocked, match="locked by another writer"):
            filled_index.writer()


def test_get_by_id_and_prefix(filled_index, articles):
    assert filled_index.get(articles[2].id) == articles[2]
    assert filled_index.get(articles[2].id[:8]).id == articles[2].id
    assert filled_index.get("0000000000000000") is None


def test_stored_article_round_trips_exactly(filled_index, articles):
    stored = {a.id: a for a in filled_index.iter_articles()}
    assert stored == {a.id: a for a in articles}


def test_stats(filled_index):
    st = filled_index.stats()
    assert st.articles == 4 and st.undated == 1
    assert st.earliest == ns.parse_date("2022-01-24T09:00Z").value
    assert st.latest == ns.parse_date("2022-01-27T11:00Z").value
    assert st.outlets == {"Example Times": 2, "Wire Daily": 2}
    assert st.size_bytes > 0


def test_deleted_article_leaves_stats_and_search(filled_index, articles):
    with filled_index.writer() as w:
        assert w.delete(articles[1].id)
        assert not w.delete("nope")
    assert len(filled_index) == 3
    assert filled_index.stats().outlets == {"Example Times": 1, "Wire Daily": 2}


def test_schema_version_mismatch_is_reported(filled_index):
    meta = filled_index.path / "newssearch.json"
    data = json.loads(meta.read_text())
    data["schema_version"] = 999
    meta.write_text(json.dumps(sealed(data)))  # sealed, as another version writes it (not damage)
    with pytest.raises(IndexVersionMismatch, match="schema version 999"):
        ns.open_index(filled_index.path)


def test_searcher_is_kept_open_and_refreshed_after_a_commit(filled_index, articles):
    s1 = filled_index.session()
    assert filled_index.session() is s1
    filled_index.add(articles[0].replace(url="https://example.com/another", id=""))
    assert len(filled_index.search("minsk", all_copies=True)) == 3
    assert filled_index.session() is not s1


@pytest.fixture
def parallel_from_10(monkeypatch):
    monkeypatch.setattr(ns.ArticleWriter, "PARALLEL_FROM", 10)
    monkeypatch.setattr(ns.ArticleWriter, "PARALLEL_BATCH", 5)


def test_parallel_writer_gives_the_same_index(tmp_path, parallel_from_10):
    articles = many_articles(60)
    single = ns.create_index(tmp_path / "one")
    with single.writer(procs=1) as w:
        w.add_many(articles)
    double = ns.create_index(tmp_path / "two")
    with double.writer(procs=2) as w:
        w.add_many(articles)
    assert len(double) == len(single) == 60
    assert double.stats().segments >= 2  # written in parallel, one segment per process
    for q in ("minsk agreement", "number7", '"grain ports"', "story"):
        a = [(h.article.id, round(h.score, 6)) for h in single.search(q, limit=60, all_copies=True)]
        b = [(h.article.id, round(h.score, 6)) for h in double.search(q, limit=60, all_copies=True)]
        assert sorted(a) == sorted(b), q
    # updates and unchanged work across segments
    report = double.add([articles[3].replace(body="changed"), *articles[4:]])
    assert (report.updated, report.unchanged, report.added) == (1, 56, 0)
    assert len(double) == 60 and double.get(articles[3].id).body == "changed"
    single.close()
    double.close()


def test_parallel_run_cancelled_leaves_nothing(tmp_path, parallel_from_10):
    ix = ns.create_index(tmp_path / "ix")
    ix.add(many_articles(5))
    before = sorted(p.name for p in ix.path.iterdir())

    def interrupted():
        yield from many_articles(40)[5:]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with ix.writer(procs=2) as w:
            w.add_many(interrupted())
    assert sorted(p.name for p in ix.path.iterdir()) == before
    assert len(ix) == 5
    import multiprocessing

    assert multiprocessing.active_children() == []  # no worker outlives the run
    assert ix.add(many_articles(40)).added == 35  # lock released, index usable
    ix.close()


@pytest.mark.parametrize("procs", [1, 2])
def test_commit_every_writes_in_batches(tmp_path, parallel_from_10, procs):
    ix = ns.create_index(tmp_path / "ix")
    articles = many_articles(60)
    with ix.writer(procs=procs, commit_every=25) as w:
        w.add_many(articles)
    assert w.report.added == 60 and len(ix) == 60
    assert ix.stats().segments >= 2  # more than one commit
    assert ix.add(articles).unchanged == 60  # a re-run still changes nothing


def test_interrupted_batched_run_keeps_committed_batches(tmp_path, parallel_from_10):
    ix = ns.create_index(tmp_path / "ix")

    def interrupted():
        yield from many_articles(60)[:55]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with ix.writer(procs=1, commit_every=25) as w:
            w.add_many(interrupted())
    assert len(ix) == 50  # two batches of 25 committed, the last 5 dropped
    import multiprocessing

    assert multiprocessing.active_children() == []
    assert ix.add(many_articles(60)).added == 10  # the lock was released


def test_an_id_prefix_finds_one_article_or_says_which_ones_it_could_be(tmp_index, runner):
    # "show 459" with four ids starting so said "no article"
    from newssearch.cli import cli

    ids = ["459a000000000001", "459b000000000002", "459c000000000003", "459d000000000004", "7a00000000000005"]
    tmp_index.add([ns.Article(title=f"Story {i}", body="Text.", id=i) for i in ids])
    assert tmp_index.get("7a").id == ids[4] and tmp_index.get("459b").id == ids[1]
    assert tmp_index.get("459b000000000002").id == ids[1] and tmp_index.get("ffff") is None
    with pytest.raises(ns.AmbiguousId) as raised:
        tmp_index.get("459")
    assert raised.value.candidates == ids[:4] and not raised.value.more
    assert "id prefix '459' matches 4 articles (459a000000000001, 459b000000000002" in str(raised.value)
    tmp_index.close()
    for command in ("show", "similar"):
        result = runner.invoke(cli, [command, "459", "--index", str(tmp_index.path)])
        assert result.exit_code == 1 and result.stderr.startswith("Error: id prefix '459' matches 4 articles")
    shown = runner.invoke(cli, ["show", "459c", "--index", str(tmp_index.path), "--json"])
    assert shown.exit_code == 0 and '"459c000000000003"' in shown.stdout


def test_a_batched_run_keeps_reading_the_index_it_started_with(tmp_path):
    # A batch commit used to merge small segments, deleting the files of the
    # snapshot the run had started from: the next copy of a stored story
    # failed with IndexError (found by bench/crashtest.py), and a delete by
    # number could hit another article.
    ix = ns.create_index(tmp_path / "ix")
    import random

    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(3000)]
    stories = [
        ns.Article(title=f"Dock strike {i}", body="dock strike " + " ".join(rng.sample(vocabulary, 80)),
                   url=f"https://a.example/{i}", published=datetime(2024, 3, 1, 9, tzinfo=timezone.utc))
        for i in range(12)
    ]
    with pytest.raises(KeyboardInterrupt):  # a run stopped after its batches: one small segment each
        with ix.writer(procs=1, commit_every=1) as w:
            w.add_many(stories)
            raise KeyboardInterrupt
    assert len(ix) == 12 and ix.stats().segments == 12
    copies = [a.replace(url=f"https://b.example/{i}", id="") for i, a in enumerate(stories)]
    with ix.writer(procs=1, commit_every=2) as w:
        for copy in copies:
            w.add(copy)
        assert w.delete(stories[11].id)
    assert len(ix) == 23 and ix.get(stories[11].id) is None and ix.get(stories[10].id) is not None
    results = ix.search("dock strike")
    assert results.total == 12  # each story once: its copy joined it (story 11 lives on in its copy)
    ix.close()


def test_stats_leave_out_deleted_articles(tmp_path):
    # stats are read from columns and posting arrays; deleted articles must not count
    ix = ns.create_index(tmp_path / "ix")
    ix.add([
        ns.Article(title="Early", body="First.", url="https://a.example/1", source="Alpha",
                   published=datetime(2020, 1, 1, tzinfo=timezone.utc)),
        ns.Article(title="Middle", body="Second.", url="https://a.example/2", source="Alpha",
                   published=datetime(2021, 6, 1, tzinfo=timezone.utc)),
        ns.Article(title="Late", body="Third.", url="https://b.example/3", source="Beta",
                   published=datetime(2022, 12, 31, tzinfo=timezone.utc)),
        ns.Article(title="Undated", body="Fourth.", url="https://b.example/4", source="Beta"),
    ])
    before = ix.stats()
    assert (before.articles, before.undated, before.outlets) == (4, 1, {"Alpha": 2, "Beta": 2})
    assert (before.earliest.year, before.latest.year) == (2020, 2022)
    early, late = (ix.search(t).hits[0].article.id for t in ("early", "late"))
    ix.delete([early, late])
    after = ix.stats()
    assert (after.articles, after.undated, after.outlets) == (2, 1, {"Alpha": 1, "Beta": 1})
    assert after.earliest == after.latest == datetime(2021, 6, 1, tzinfo=timezone.utc)
    ix.close()


# --- open_for_writing: what `newssearch index` writes to ------------------


def _another_version(where) -> None:
    """Make the index at ``where`` look written by another version."""
    meta = where / "newssearch.json"
    data = json.loads(meta.read_text())
    data["schema_version"] = 999
    meta.write_text(json.dumps(sealed(data)))  # sealed, as another version writes it (not damage)


def test_open_for_writing_creates_a_missing_index_with_the_shards_asked(tmp_path):
    from newssearch.engine.shards import is_sharded
    from newssearch.index import open_for_writing

    with open_for_writing(tmp_path / "plain") as ix:
        assert len(ix) == 0 and not is_sharded(ix.path)
    with open_for_writing(tmp_path / "one", shards=1) as ix:
        assert not is_sharded(ix.path)
    with open_for_writing(tmp_path / "three", shards=3) as ix:
        assert is_sharded(ix.path) and len(ix) == 0
    assert sorted(p.name for p in (tmp_path / "three").iterdir()) == ["shard-000", "shard-001", "shard-002", "shards.json"]


def test_open_for_writing_keeps_an_index_and_refuses_to_reshard_it(tmp_path, articles):
    from newssearch.errors import ConfigError
    from newssearch.index import open_for_writing

    for name, shards in (("plain", 1), ("sharded", 2)):
        with ns.create_index(tmp_path / name, shards=shards) as ix:
            ix.add(articles)
    for name, have in (("plain", 1), ("sharded", 2)):
        for shards in (None, have):
            with open_for_writing(tmp_path / name, shards=shards) as ix:
                assert len(ix) == len(articles)
        with pytest.raises(ConfigError) as raised:
            open_for_writing(tmp_path / name, shards=3)
        assert raised.value.option == "shards"
        plural = "s" if have > 1 else ""
        assert str(raised.value) == (
            f"{tmp_path / name} has {have} shard{plural}, not 3: index into a new folder with --shards 3 to re-shard"
        )
        with pytest.raises(ConfigError):  # a rebuild does not re-shard either
            open_for_writing(tmp_path / name, shards=3, rebuild=True)
        with ns.open_index(tmp_path / name) as ix:
            assert len(ix) == len(articles)


def test_open_for_writing_re_creates_an_index_of_another_version_only_to_rebuild_it(tmp_path, articles):
    from newssearch.index import open_for_writing

    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(articles)
    _another_version(where)
    with pytest.raises(IndexVersionMismatch):
        open_for_writing(where)
    with pytest.raises(IndexVersionMismatch):
        ns.open_index(where)  # nothing was touched
    with open_for_writing(where, rebuild=True) as ix:
        assert len(ix) == 0
        with ix.writer(rebuild=True) as w:
            w.add_many(articles[:2])
    with ns.open_index(where) as ix:
        assert len(ix) == 2


def test_open_for_writing_to_rebuild_an_index_it_can_open_keeps_it_until_the_commit(filled_index, articles):
    from newssearch.index import open_for_writing

    filled_index.close()
    with open_for_writing(filled_index.path, rebuild=True) as ix:
        assert len(ix) == len(articles)  # searchable until the rebuild commits


def test_open_for_writing_never_takes_over_a_locked_index(tmp_path, articles):
    from newssearch.engine.locking import WriteLock
    from newssearch.index import open_for_writing

    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(articles)
    _another_version(where)
    lock = WriteLock(where)
    assert lock.acquire()
    try:
        with pytest.raises(IndexLocked, match="locked by another writer"):
            open_for_writing(where, rebuild=True)
    finally:
        lock.release()
    with pytest.raises(IndexVersionMismatch):
        ns.open_index(where)  # left as it was


def _schema_before_site():
    """The schema of an index written before ``site`` was added."""
    schema = build_schema()
    schema.remove("site_name")
    return schema


@pytest.mark.parametrize("parallel", [False, True])
def test_an_index_written_before_the_site_field_opens_and_gains_it_at_its_first_write(tmp_path, monkeypatch, parallel):
    with monkeypatch.context() as m:  # an index as version 7 wrote it before the field: no `site` in its schema
        m.setattr(store_module, "build_schema", _schema_before_site)
        m.setattr(writing_module, "ADDED_FIELDS", ())
        with ns.create_index(tmp_path / "ix") as ix:
            ix.add(many_articles(5))
    assert "site_name" not in store_module.Store.open(tmp_path / "ix").whoosh_index.schema
    with ns.open_index(tmp_path / "ix") as ix:  # opens, searches and reads as ever
        assert len(ix) == 5 and ix.search("minsk", match="any").total > 0
        assert {a.site for a in ix.iter_articles()} == {None}
    if parallel:  # the worker processes read the schema from the table of contents too
        monkeypatch.setattr(ns.ArticleWriter, "PARALLEL_FROM", 2)
    wired = [a.replace(id="", url=f"https://partner.example/{n}", site="Partner Daily") for n, a in enumerate(many_articles(4))]
    with ns.open_index(tmp_path / "ix") as ix:
        ix.add(wired)
    with ns.open_index(tmp_path / "ix") as ix:
        assert len(ix) == 9
        assert sorted(a.site or "" for a in ix.iter_articles()) == [""] * 5 + ["Partner Daily"] * 4
    assert "site_name" in store_module.Store.open(tmp_path / "ix").whoosh_index.schema
    assert ns.check_index(tmp_path / "ix").ok


def test_an_article_with_a_site_keeps_the_digest_it_had_without_one():
    article = many_articles(1)[0]
    assert article.replace(site=None).fingerprint() == article.fingerprint() != article.replace(site="Partner Daily").fingerprint()
