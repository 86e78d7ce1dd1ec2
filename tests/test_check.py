"""Damage is found and named, never blamed on the query or shown as an
internal error; `check --repair` gets a damaged index back to a sound one
and says which files to index again."""

from __future__ import annotations

import os
import shutil

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, cli
from newssearch.errors import IndexDamaged

from tests.helpers import EXAMPLES


@pytest.fixture(scope="module")
def sound(tmp_path_factory):
    where = tmp_path_factory.mktemp("sound") / "ix"
    with ns.create_index(where) as ix:
        ix.add(ns.read_path(EXAMPLES))
    return where


@pytest.fixture
def damaged(sound, tmp_path):
    where = tmp_path / "ix"
    shutil.copytree(sound, where)
    return where


def _file(where, suffix):
    (found,) = [p for p in where.iterdir() if p.name.endswith(suffix)]
    return found


@pytest.mark.parametrize(("suffix", "files_known"), [(".pst", True), (".trm", True), ("._stored.col", False)])
def test_a_truncated_file_is_reported_as_damage_and_repair_names_the_files_to_index_again(
    damaged, runner, suffix, files_known
):
    # a truncated postings file made searches quietly find nothing, a
    # truncated stored-fields file made stats an internal error
    f = _file(damaged, suffix)
    os.truncate(f, f.stat().st_size // 2)
    for command in (["search", "oil"], ["stats"], ["timeline", "oil"]):
        result = runner.invoke(cli, [*command, "--index", str(damaged)])
        assert result.exit_code == EXIT_ERROR
        assert f"is damaged: file {f.name} has" in result.stderr and "internal error" not in result.stderr
    with pytest.raises(IndexDamaged):
        ns.open_index(damaged)
    checked = runner.invoke(cli, ["check", "--index", str(damaged)])
    assert checked.exit_code == EXIT_ERROR and "damaged: segment" in checked.stdout and f.name in checked.stdout
    repaired = runner.invoke(cli, ["check", "--repair", "-v", "--index", str(damaged)])  # -v: a line per file
    assert repaired.exit_code == EXIT_OK and "dropped 1 damaged segment(s) holding 14 articles" in repaired.stdout
    again = [line.split(": ", 1)[1] for line in repaired.stdout.splitlines() if line.startswith("index again: ")]
    if files_known:  # the dropped segment's stored fields were still readable
        assert len(again) == 7
    else:
        assert not again and "the files they came from could not be read back" in repaired.stdout
        again = [str(EXAMPLES)]
    result = runner.invoke(cli, ["index", *again, "--index", str(damaged)])
    assert result.exit_code == EXIT_OK
    with ns.open_index(damaged) as ix:
        assert len(ix) == 14
    assert ns.check_index(damaged).ok


def test_a_flipped_byte_is_found_by_check(damaged, runner):
    f = _file(damaged, ".pst")
    data = bytearray(f.read_bytes())
    data[len(data) // 3] ^= 0xFF
    f.write_bytes(bytes(data))
    report = ns.check_index(damaged)
    assert not report.ok and report.problems == [
        f"segment {f.name.split('.')[0]}: file {f.name} changed since it was written (checksum differs)"
    ]
    assert runner.invoke(cli, ["check", "--index", str(damaged)]).exit_code == EXIT_ERROR


def test_a_lost_table_of_contents_is_restored_from_its_copy(damaged, runner):
    # a deleted TOC was a dead end: index and --rebuild both refused
    toc = _file(damaged, ".toc")
    toc.unlink()
    result = runner.invoke(cli, ["search", "oil", "--index", str(damaged)])
    assert result.exit_code == EXIT_ERROR and "table of contents is missing" in result.stderr
    refused = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(damaged)])
    assert refused.exit_code == EXIT_ERROR and "check --repair" in refused.stderr  # not a new empty index over it
    repaired = runner.invoke(cli, ["check", "--repair", "--index", str(damaged)])
    assert repaired.exit_code == EXIT_OK and "restored the table of contents" in repaired.stdout
    with ns.open_index(damaged) as ix:
        assert len(ix) == 14


def test_a_sound_index_checks_sound(sound, runner):
    result = runner.invoke(cli, ["check", "--index", str(sound), "--json"])
    assert result.exit_code == EXIT_OK
    assert '"ok": true' in result.stdout and '"articles": 14' in result.stdout


def _refuse_the_write_lock(monkeypatch) -> None:
    """The index folder cannot be written (as root, permissions do not stop
    writing: the refusal comes from os.open itself, for the lock file)."""
    real_open = os.open

    def refuse(path, flags, *args):
        if str(path).endswith("newssearch_WRITELOCK"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)


def test_an_index_folder_that_cannot_be_written_is_a_clear_error(damaged, monkeypatch, runner):
    # 'index' into a read-only folder said "internal error ... please report it"
    _refuse_the_write_lock(monkeypatch)
    result = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(damaged)])
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.strip() == f"Error: cannot write to the index at {damaged}: Permission denied"


def test_a_damaged_table_of_contents_is_damage_not_another_version(damaged, runner):
    # a damaged TOC said "written by another version"
    toc = _file(damaged, ".toc")
    data = bytearray(toc.read_bytes())
    for k in range(len(data) // 2, len(data) // 2 + 40):
        data[k] ^= 0xFF
    toc.write_bytes(bytes(data))
    result = runner.invoke(cli, ["search", "oil", "--index", str(damaged)])
    assert result.exit_code == EXIT_ERROR and "is damaged: the table of contents" in result.stderr
    assert "another version" not in result.stderr
    repaired = runner.invoke(cli, ["check", "--repair", "--index", str(damaged)])
    assert repaired.exit_code == EXIT_OK and "restored the table of contents" in repaired.stdout
    with ns.open_index(damaged) as ix:
        assert len(ix) == 14


def test_a_term_whose_articles_were_all_deleted_is_not_damage(tmp_path) -> None:
    """Deleted documents keep their postings until their segment is merged:
    check once read the filtered list and called it empty."""
    ix = ns.create_index(tmp_path / "ix")
    gone = ns.Article(title="Wire story", body="A story (Reuters) about a harbour.", agencies=("Reuters",))
    with ix.writer() as w:  # one segment, so the deletion stays in it
        w.add(gone)
        w.add(ns.Article(title="Local story", body="The council met on Monday."))
    ix.delete(gone.id)
    report = ns.check_index(ix.path)
    assert report.ok, report.problems
    ix.close()


def _commit_and_merge(where: str) -> None:
    with ns.open_index(where) as ix:
        ix.add([ns.Article(title="Copper rises", body="Copper rose again. " * 20, url="https://example.com/copper")])
        ix.compact()  # merges every segment into a new one and deletes the old ones' files


def test_a_check_while_another_process_commits_and_merges_finds_no_damage(sound, tmp_path, monkeypatch):
    # 42 of 202 checks run beside a writer reported damage that was not there:
    # "file ... is missing" for segments merged away as they were read,
    # "the checksums of the last commit were not recorded" between a commit's
    # table of contents and its checksums; --repair acted on such a report
    import multiprocessing

    from newssearch.engine import integrity

    where = tmp_path / "ix"
    shutil.copytree(sound, where)
    with ns.open_index(where) as ix:  # two segments, so that the merge replaces the one being read
        ix.add([ns.Article(title="Tin falls", body="Tin fell. " * 20, url="https://example.com/tin")])
    real = integrity._check_segment
    raced: list[str] = []

    def check_segment(folder, ix, segment, recorded):
        if not raced:
            raced.append(segment.segment_id())
            writer = multiprocessing.get_context("fork").Process(target=_commit_and_merge, args=(str(where),))
            writer.start()
            writer.join(60)
        return real(folder, ix, segment, recorded)

    monkeypatch.setattr(integrity, "_check_segment", check_segment)
    report = ns.check_index(where)
    assert raced and not any(p.name.startswith(raced[0]) for p in where.iterdir())  # the race happened
    assert report.ok, report.problems
    assert report.articles == 16 and report.segments == 1  # what the writer committed, checked under the lock
    repaired = ns.check_index(where, repair=True)
    assert repaired.ok and not repaired.found and not repaired.repaired


def _hold_lock(where: str, ready, release) -> None:
    from pathlib import Path

    from newssearch.engine.locking import WriteLock

    lock = WriteLock(Path(where))
    assert lock.acquire(5)
    ready.set()
    release.wait(60)
    lock.release()


def test_damage_found_while_another_writer_holds_the_lock_is_neither_reported_nor_repaired(damaged, monkeypatch, runner):
    # what a writer leaves between its first file and its commit looks like
    # damage from outside: check waits for it, then says why it cannot tell
    import multiprocessing

    from newssearch.engine import store

    f = _file(damaged, ".pst")
    os.truncate(f, f.stat().st_size // 2)
    monkeypatch.setattr(store, "CONFIRM_WAIT", 0.5)
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(damaged), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        for command in (["check"], ["check", "--repair"]):
            result = runner.invoke(cli, [*command, "--index", str(damaged)])
            assert result.exit_code == EXIT_ERROR, result.output
            assert "is being written by another process" in result.stderr
            assert f"run '{' '.join(command)}' again once that writer has finished" in result.stderr
        assert f.exists()  # nothing repaired
    finally:
        release.set()
        holder.join(30)
    checked = runner.invoke(cli, ["check", "--index", str(damaged)])  # the writer gone: the damage is reported
    assert checked.exit_code == EXIT_ERROR and f.name in checked.stdout


def test_damage_in_an_index_no_one_can_write_is_still_reported(damaged, monkeypatch, runner):
    # confirming under the write lock must not hide damage on a read-only copy
    f = _file(damaged, ".pst")
    os.truncate(f, f.stat().st_size // 2)
    _refuse_the_write_lock(monkeypatch)
    checked = runner.invoke(cli, ["check", "--index", str(damaged)])
    assert checked.exit_code == EXIT_ERROR and "damaged: segment" in checked.stdout and f.name in checked.stdout
    repaired = runner.invoke(cli, ["check", "--repair", "--index", str(damaged)])
    assert repaired.exit_code == EXIT_ERROR
    assert repaired.stderr.strip() == f"Error: cannot write to the index at {damaged}: Permission denied"
