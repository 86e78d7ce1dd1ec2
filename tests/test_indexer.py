"""Index lifecycle: create/open, add/update/unchanged/duplicate, one commit per
run, and an index that stays as it was when a run fails or is interrupted."""

from __future__ import annotations

import json

import pytest

import newssearch as ns
from newssearch.errors import IndexLocked, IndexNotFound, IndexStoreError, IndexVersionMismatch


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
    meta.write_text(json.dumps(data))
    with pytest.raises(IndexVersionMismatch, match="schema version 999"):
        ns.open_index(filled_index.path)


def test_searcher_is_kept_open_and_refreshed_after_a_commit(filled_index, articles):
    s1 = filled_index.searcher()
    assert filled_index.searcher() is s1
    filled_index.add(articles[0].replace(url="https://example.com/another", id=""))
    assert len(filled_index.search("minsk")) == 3
