"""Destructive and repair runs say what they did (issue 20): a rebuild
counts what it removes, `check` lists in short, `delete` lists what it will
delete and asks, `stats` shows the shards, `compact` gives an index its
deleted articles' bytes back (the CLI in ``cli/upkeep.py``, the library in
``write/compact.py`` and ``NewsIndex``)."""

from __future__ import annotations

import json
import os
import pty
import random
import select
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, cli

from tests.helpers import EXAMPLES, many_articles

# --- index --rebuild reports what it removed --------------------------------


@pytest.mark.parametrize("shards", [1, 3])
def test_a_rebuild_of_part_of_the_index_says_how_many_articles_it_removed(tmp_path, runner, shards):
    # `--rebuild` of a subfolder said "added 401" and never that it removed 1,438
    where = tmp_path / "ix"
    with ns.create_index(where, shards=shards) as ix:
        ix.add(many_articles(30))
    kept, changed = many_articles(30)[:8], many_articles(30)[8:10]
    changed = [ns.Article(title=a.title + " (corrected)", body=a.body, url=a.url, published=a.published) for a in changed]
    new = [ns.Article(title="A new story", body="Nothing like the others.", url="https://example.com/new")]
    with ns.open_index(where) as ix:
        with ix.writer(rebuild=True) as w:
            w.add_many([*kept, *changed, *new])
        assert (w.report.unchanged, w.report.updated, w.report.added, w.report.removed) == (8, 2, 1, 20)
        assert w.report.as_dict()["removed"] == 20
        assert len(ix) == 11
    (tmp_path / "part").mkdir()
    shutil.copytree(EXAMPLES / "wire", tmp_path / "part" / "wire")
    assert runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(tmp_path / "ex")]).exit_code == EXIT_OK
    done = runner.invoke(cli, ["index", "--rebuild", str(EXAMPLES / "wire"), "--index", str(tmp_path / "ex"), "--json"])
    assert done.exit_code == EXIT_OK
    report = json.loads(done.stdout)
    assert report["removed"] == 13 and report["unchanged"] == 1 and report["added"] == 0
    assert "removed 13 articles this rebuild did not read" in done.stderr


def test_a_rebuild_that_reads_everything_again_removes_nothing_and_says_nothing_of_it(tmp_path, runner):
    where = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(EXAMPLES), "--index", where]).exit_code == EXIT_OK
    again = runner.invoke(cli, ["index", "--rebuild", str(EXAMPLES), "--index", where, "--json"])
    assert json.loads(again.stdout)["removed"] == 0 and json.loads(again.stdout)["unchanged"] == 14
    assert "removed" not in again.stderr


# --- check: long lists in short ---------------------------------------------


@pytest.fixture
def damaged(tmp_path):
    """The examples' index (one segment, 14 articles from 7 files) with its postings cut in half."""
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(ns.read_path(EXAMPLES))
    (postings,) = [p for p in where.iterdir() if p.name.endswith(".pst")]
    os.truncate(postings, postings.stat().st_size // 2)
    return where


def test_repair_shows_the_first_files_to_index_again_and_a_count(damaged, runner, tmp_path):
    # `check --repair` printed one "index again:" line per file: 815 of them
    listed = tmp_path / "again.txt"
    repaired = runner.invoke(cli, ["check", "--repair", "--list", str(listed), "--index", str(damaged)])
    assert repaired.exit_code == EXIT_OK
    lines = repaired.stdout.splitlines()
    heading = lines.index("index again: 7 files, where the dropped articles came from:")
    shown = lines[heading + 1 : heading + 6]
    assert all(line.startswith(f"  {EXAMPLES}") for line in shown)
    assert lines[heading + 6] == f"  ... and 2 more (-v for all, or see {listed})"
    files = listed.read_text(encoding="utf-8").splitlines()
    assert len(files) == 7 and [f"  {f}" for f in files[:5]] == shown
    assert runner.invoke(cli, ["index", *files, "--index", str(damaged)]).exit_code == EXIT_OK
    with ns.open_index(damaged) as ix:
        assert len(ix) == 14


def test_repair_lists_every_file_with_v_and_check_summarises_many_problems(damaged, runner):
    for f in damaged.iterdir():
        if f.name.endswith(".col"):
            os.truncate(f, 10)
    checked = runner.invoke(cli, ["check", "--index", str(damaged)])
    assert checked.exit_code == EXIT_ERROR
    assert checked.stdout.startswith("damaged: 10 problems:\n") and "  ... and 5 more (-v for all)\n" in checked.stdout
    every = runner.invoke(cli, ["check", "-v", "--index", str(damaged)])
    assert sum(line.startswith("damaged: segment") for line in every.stdout.splitlines()) == 10
    as_json = json.loads(runner.invoke(cli, ["check", "--json", "--index", str(damaged)]).stdout)
    assert len(as_json["problems"]) == 10  # scripts get everything


def test_repair_with_v_prints_a_line_per_file_as_before(damaged, runner):
    repaired = runner.invoke(cli, ["check", "--repair", "-v", "--index", str(damaged)])
    again = [line.split(": ", 1)[1] for line in repaired.stdout.splitlines() if line.startswith("index again: ")]
    assert len(again) == 7 and "more" not in repaired.stdout


def test_list_needs_repair_and_a_file_it_can_write(damaged, runner, tmp_path):
    alone = runner.invoke(cli, ["check", "--list", str(tmp_path / "x.txt"), "--index", str(damaged)])
    assert alone.exit_code == EXIT_USAGE and "add --repair" in alone.stderr
    blocked = runner.invoke(cli, ["check", "--repair", "--list", str(tmp_path / "no" / "x.txt"), "--index", str(damaged)])
    assert blocked.exit_code == EXIT_ERROR and f"cannot write {tmp_path / 'no' / 'x.txt'}" in blocked.stderr
    assert "Traceback" not in blocked.stderr and "internal error" not in blocked.stderr


def test_a_sound_index_writes_an_empty_list(runner, tmp_path):
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(many_articles(3))
    listed = tmp_path / "again.txt"
    done = runner.invoke(cli, ["check", "--repair", "--list", str(listed), "--index", str(where)])
    assert done.exit_code == EXIT_OK and listed.read_text() == ""


# --- delete: full ids, a listing, a question ----------------------------------


@pytest.fixture
def five(tmp_path):
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add([
            ns.Article(title=f"Story {i}", body=f"Copper prices {i}.", id=("ab" if i < 3 else "cd") + f"{i:x}" * 14,
                       published=datetime(2024, 5, i, 10, 0, tzinfo=timezone.utc))
            for i in range(1, 6)
        ])
    return str(where)


def _ids(where: str) -> list[str]:
    with ns.open_index(where) as ix:
        return sorted(a.id for a in ix.iter_articles())


def test_a_prefix_is_refused_without_yes_naming_the_full_id(five, runner):
    # `delete 4fbc` deleted by a 4-character prefix with no confirmation
    refused = runner.invoke(cli, ["delete", "cd33", "--index", five])
    assert refused.exit_code == EXIT_ERROR
    assert "'cd33' is the start of cd33333333333333 (Story 3): give the full id, or add --yes" in refused.stderr
    assert len(_ids(five)) == 5
    done = runner.invoke(cli, ["delete", "cd33", "--yes", "--index", five])
    assert done.exit_code == EXIT_OK
    assert "  cd33333333333333  2024-05-03 10:00 UTC  Story 3\n" in done.stderr  # listed even with --yes
    assert "Deleted 1 article: cd33333333333333" in done.stderr and len(_ids(five)) == 4


def test_an_ambiguous_prefix_is_refused_even_with_yes_listing_the_candidates(five, runner):
    refused = runner.invoke(cli, ["delete", "ab", "--yes", "--index", five])
    assert refused.exit_code == EXIT_ERROR
    assert "matches 2 articles (ab11111111111111, ab22222222222222)" in refused.stderr
    assert len(_ids(five)) == 5


def test_full_ids_are_listed_and_not_deleted_without_yes_where_no_one_can_answer(five, runner):
    asked = runner.invoke(cli, ["delete", "ab11111111111111", "cd44444444444444", "--index", five], input="y\n")
    assert asked.exit_code == EXIT_ERROR  # stdin is not a terminal: "y" on it is not an answer
    assert "To delete (2 articles):\n  ab11111111111111  2024-05-01 10:00 UTC  Story 1\n" in asked.stderr
    assert "not deleting 2 articles without --yes (there is no terminal to ask on)" in asked.stderr
    assert len(_ids(five)) == 5
    missing = runner.invoke(cli, ["delete", "ab11111111111111", "ffff000000000000", "--yes", "--index", five])
    assert missing.exit_code == EXIT_ERROR and "no article with id 'ffff000000000000'" in missing.stderr
    assert len(_ids(five)) == 5  # nothing, when one id is wrong
    done = runner.invoke(cli, ["delete", "ab11111111111111", "cd44444444444444", "ab11111111111111", "--yes", "--index", five])
    assert done.exit_code == EXIT_OK and "Deleted 2 articles" in done.stderr
    assert _ids(five) == ["ab22222222222222", "cd33333333333333", "cd55555555555555"]


def test_delete_query_lists_what_it_matches_and_counts_without_yes(five, runner):
    asked = runner.invoke(cli, ["delete", "--query", "copper", "--since", "2024-05-03", "--index", five])
    assert asked.exit_code == EXIT_OK and "3 articles match; add --yes to delete them" in asked.stderr
    assert "  cd55555555555555  2024-05-05 10:00 UTC  Story 5" in asked.stderr and len(_ids(five)) == 5
    none = runner.invoke(cli, ["delete", "--query", "zinc", "--index", five])
    assert none.exit_code == EXIT_OK and "0 articles match: nothing to delete" in none.stderr


def _on_a_terminal(args: list[str], answer: bytes) -> tuple[int, str]:
    """Run ``newssearch ARGS`` with a pseudo-terminal as stdin, stdout and
    stderr (a person at a terminal), type ``answer`` once it asks; return
    its exit code and everything it wrote."""
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "newssearch", *args], stdin=child, stdout=child, stderr=child,
                            close_fds=True, env=dict(os.environ, COLUMNS="200"))
    os.close(child)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal: it is done
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(main, answer)
                answered = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(main)
        if proc.poll() is None:
            proc.kill()
    return code, seen.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.parametrize(("answer", "deleted"), [(b"y\n", True), (b"n\n", False), (b"\n", False)])
def test_on_a_terminal_delete_asks_before_deleting(five, answer, deleted):
    code, shown = _on_a_terminal(["delete", "cd33333333333333", "--index", five], answer)
    assert code == EXIT_OK
    assert "To delete (1 article):\n  cd33333333333333  2024-05-03 10:00 UTC  Story 3\nDelete this article? [y/N]" in shown
    assert ("Deleted 1 article" in shown) is deleted and ("Nothing deleted." in shown) is not deleted
    assert ("cd33333333333333" in _ids(five)) is not deleted


def test_on_a_terminal_delete_query_asks_too(five):
    code, shown = _on_a_terminal(["delete", "--query", "copper", "--index", five], b"y\n")
    assert code == EXIT_OK and "Delete these 5 articles? [y/N]" in shown and "Deleted 5 articles" in shown
    assert _ids(five) == []


def test_delete_help_says_what_yes_skips(runner):
    shown = runner.invoke(cli, ["delete", "--help"]).stdout
    assert "without listing" not in shown and "Delete without asking (what is deleted is still listed)" in " ".join(shown.split())


# --- stats shows the shards ---------------------------------------------------


def test_stats_shows_each_shard_in_text_and_json(tmp_path, runner):
    # `stats` of a sharded index did not say it was sharded
    where = tmp_path / "ix"
    with ns.create_index(where, shards=3) as ix:
        ix.add(many_articles(40))
        ix.delete([a.id for a in many_articles(40)[:4]])
        st = ix.stats()
    assert [s.number for s in st.shards] == [0, 1, 2]
    assert sum(s.articles for s in st.shards) == st.articles == 36 and sum(s.deleted for s in st.shards) == st.deleted == 4
    assert sum(s.size_bytes for s in st.shards) < st.size_bytes  # and the manifest
    text = runner.invoke(cli, ["stats", "--index", str(where)]).stdout
    assert "shards:    3\n" in text
    for s in st.shards:
        assert f"  shard {s.number:03d}: {s.articles} articles" in text
    assert "articles:  36; 4 deleted still on disk ('newssearch compact' drops them)" in text
    data = json.loads(runner.invoke(cli, ["stats", "--json", "--index", str(where)]).stdout)
    assert [(s["shard"], s["articles"], s["deleted"], s["segments"]) for s in data["shards"]] == [
        (s.number, s.articles, s.deleted, s.segments) for s in st.shards
    ]
    plain = tmp_path / "plain"
    with ns.create_index(plain) as ix:
        ix.add(many_articles(5))
        assert ix.stats().shards == ()
    text = runner.invoke(cli, ["stats", "--index", str(plain)]).stdout
    assert "shards" not in text and "deleted" not in text
    assert json.loads(runner.invoke(cli, ["stats", "--json", "--index", str(plain)]).stdout)["shards"] == []


# --- compact --------------------------------------------------------------------


def _answers(ix: ns.NewsIndex) -> list[tuple[str, float]]:
    found = []
    for query in ("minsk agreement", "grain OR wheat", '"ceasefire grain"', ""):
        results = ix.search(query, limit=50, sort="relevance" if query else "date", all_copies=True)
        found += [(hit.article.id, round(hit.score, 6)) for hit in results.hits] + [("total", results.total)]
    return found


@pytest.mark.parametrize("shards", [1, 2])
def test_compact_drops_deleted_articles_and_shrinks_the_index_answering_the_same(tmp_path, shards):
    # after a prune of 386 articles the index grew, with no way to compact it
    arts = many_articles(120)
    with ns.create_index(tmp_path / "ix", shards=shards) as ix:
        for start in range(0, 120, 30):  # four commits: several segments per shard
            ix.add(arts[start : start + 30])
        ix.delete([a.id for a in arts[::2]])
        before = ix.stats()
        matched = {query: sorted(h.article.id for h in ix.search(query, limit=100).hits) for query in ("minsk", "grain OR wheat")}
        assert before.deleted == 60
        report = ix.compact()
        after = ix.stats()
        assert (report.articles, report.deleted_dropped) == (60, 60)
        assert (report.size_before, report.size_after) == (before.size_bytes, after.size_bytes)
        assert after.size_bytes < before.size_bytes * 0.8
        assert (report.segments_before, report.segments_after) == (before.segments, shards) and after.segments == shards
        assert after.deleted == 0 and after.articles == 60
        assert {query: sorted(h.article.id for h in ix.search(query, limit=100).hits) for query in matched} == matched
        assert ns.check_index(ix.path).ok  # sums, posting arrays and columns of the merged segments
        # deleted articles no longer count in the statistics: scores are
        # those of an index that only ever held the live articles
        with ns.create_index(tmp_path / "fresh", shards=shards) as fresh:
            fresh.add(arts[1::2])
            assert _answers(ix) == _answers(fresh)
        again = ix.compact()
        assert not again.changed and again.size_after == again.size_before


def test_compact_cli_reports_sizes_and_segments_and_takes_the_lock(tmp_path, runner):
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(many_articles(20))
        ix.add(many_articles(40)[20:])
        ix.delete([a.id for a in many_articles(10)])
        with ix.writer():  # another writer holds the lock
            locked = runner.invoke(cli, ["compact", "--index", str(where)])
            assert locked.exit_code == EXIT_ERROR and "locked by another writer" in locked.stderr
            with pytest.raises(ns.IndexLocked):
                ix.compact()
    done = runner.invoke(cli, ["compact", "--index", str(where)])
    assert done.exit_code == EXIT_OK
    assert done.stderr.startswith(f"Compacted {where} in ")
    assert "  segments: 2 -> 1\n" in done.stderr and "  dropped 10 deleted articles\n" in done.stderr
    assert " KB -> " in done.stderr and done.stdout == ""
    nothing = runner.invoke(cli, ["compact", "--index", str(where), "--json"])
    data = json.loads(nothing.stdout)
    assert nothing.exit_code == EXIT_OK and data["segments_before"] == data["segments_after"] == 1 and data["deleted_dropped"] == 0
    assert runner.invoke(cli, ["check", "--index", str(where)]).exit_code == EXIT_OK
    missing = runner.invoke(cli, ["compact", "--index", str(tmp_path / "none")])
    assert missing.exit_code == EXIT_ERROR and "no index at" in missing.stderr


def test_a_compact_removes_what_an_interrupted_run_left(tmp_path):
    with ns.create_index(tmp_path / "ix") as ix:
        ix.add(many_articles(5))
        (ix.path / "newssearch_deadbeef12345678.pst").write_bytes(b"y" * 7000)
        report = ix.compact()
        assert report.leftovers_removed == 7000 and report.changed
        assert not (ix.path / "newssearch_deadbeef12345678.pst").exists()


def test_a_session_open_during_a_compact_keeps_reading_its_snapshot(tmp_path):
    with ns.create_index(tmp_path / "ix") as ix:
        ix.add(many_articles(20))
        ix.add(many_articles(30)[20:])
        ix.delete([a.id for a in many_articles(5)])
        other = ns.open_index(ix.path)
        session = other.session()
        ix.compact()
        assert session.snapshot.doc_count() == 25
        assert [a.id for a in session.snapshot.articles()] != []  # its files are still readable
        assert len(other) == 25 and other.stats().segments == 1  # the next query sees the compacted index
        other.close()


def test_compact_on_an_empty_index_and_one_emptied_by_deletes(tmp_path):
    with ns.create_index(tmp_path / "ix") as ix:
        assert not ix.compact().changed
        ix.add(many_articles(4))
        ix.delete([a.id for a in many_articles(4)])  # its commit's merge drops the emptied segment
        report = ix.compact()
        assert not report.changed and report.articles == 0 and report.segments_after == 0
        assert len(ix) == 0 and ns.check_index(ix.path).ok
        ix.add(many_articles(2))
        assert len(ix) == 2



def test_repair_says_how_many_dropped_articles_it_cannot_trace_to_a_file(tmp_path, runner):
    # a block of stored fields damaged: 300 articles dropped, 262 files listed, the 38 others not mentioned
    folder = tmp_path / "articles"
    folder.mkdir()
    rng = random.Random(20)
    for i in range(60):  # one article a file, bodies that fill several 64 KiB blocks of stored fields, compressed
        words = " ".join(f"w{rng.getrandbits(40):x}" for _ in range(700))
        (folder / f"story-{i:02d}.txt").write_text(f"Story {i} about tin\n\n{words}.\n", encoding="utf-8")
    where = tmp_path / "ix"
    assert runner.invoke(cli, ["index", str(folder), "--index", str(where)]).exit_code == EXIT_OK
    (stored,) = [p for p in where.iterdir() if p.name.endswith("._stored.col")]
    data = bytearray(stored.read_bytes())
    assert len(data) > 3 * 65536
    for i in range(len(data) // 2, len(data) // 2 + 16):
        data[i] ^= 0xFF
    stored.write_bytes(bytes(data))
    listed = tmp_path / "again.txt"
    repaired = runner.invoke(cli, ["check", "--repair", "--list", str(listed), "--index", str(where)])
    assert repaired.exit_code == EXIT_OK
    files = listed.read_text(encoding="utf-8").splitlines()
    report = json.loads(runner.invoke(cli, ["check", "--json", "--index", str(where)]).stdout)
    assert report["ok"]
    untraced = 60 - len(files)
    assert 0 < untraced < 60
    assert f"{untraced} of the 60 articles dropped are not from the files listed" in repaired.stdout
