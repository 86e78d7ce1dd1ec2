"""Work a stopped run left unfinished is finished by the next one: a rebuild
that commits in batches (--rebuild --commit-every) and was stopped after
dropping the old contents is reported by `check` and resumed by the next
--rebuild; a merge that did not happen is done by the next writer, even one
with nothing new to write."""

from __future__ import annotations

from pathlib import Path

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, cli
from newssearch.engine import writing
from newssearch.engine.store import REBUILD_FILE
from tests.helpers import many_articles


def ids(where: Path) -> set[str]:
    with ns.open_index(where) as ix:
        return {a.id for a in ix.session().snapshot.articles()}


def test_a_stopped_rebuild_in_batches_is_reported_and_resumed(tmp_path, runner) -> None:
    where = tmp_path / "ix"
    old = many_articles(50)
    new = [ns.Article(title=f"New story {i}", body=f"a new body number {i} about grain", url=f"https://example.org/{i}") for i in range(60)]
    with ns.create_index(where) as ix:
        ix.add(old)
    # a rebuild that committed one batch of 20, then was stopped (Ctrl-C cancels the rest)
    ix = ns.open_index(where)
    writer = ix.writer(commit_every=20, rebuild=True)
    for article in new[:30]:
        writer.add(article)
    writer.cancel()
    ix.close()
    assert (where / REBUILD_FILE).exists()
    assert ids(where) == {a.id for a in new[:20]}  # the old contents went with the first batch
    checked = runner.invoke(cli, ["check", "--index", str(where)])
    assert checked.exit_code == EXIT_ERROR
    assert "run the same 'newssearch index --rebuild' again: it resumes" in checked.output
    # the next rebuild (of a slightly different set: one article gone) resumes
    with ns.open_index(where) as ix, ix.writer(commit_every=20, rebuild=True) as writer:
        writer.add_many(new[1:])
        report = writer.report
    assert report.resumed_rebuild
    assert report.unchanged == 19  # the stopped run's batch, less the article no longer read
    assert ids(where) == {a.id for a in new[1:]}
    assert not (where / REBUILD_FILE).exists()
    assert runner.invoke(cli, ["check", "--index", str(where)]).exit_code == EXIT_OK


def test_a_rebuild_in_batches_that_finishes_leaves_no_mark(tmp_path, runner) -> None:
    where = tmp_path / "ix"
    with ns.create_index(where) as ix:
        ix.add(many_articles(30))
    with ns.open_index(where) as ix, ix.writer(commit_every=10, rebuild=True) as writer:
        writer.add_many(many_articles(75)[30:])
    assert not (where / REBUILD_FILE).exists()
    assert runner.invoke(cli, ["check", "--index", str(where)]).exit_code == EXIT_OK


def test_a_rebuild_stopped_before_its_first_commit_leaves_the_old_contents(tmp_path) -> None:
    where = tmp_path / "ix"
    old = many_articles(30)
    with ns.create_index(where) as ix:
        ix.add(old)
    ix = ns.open_index(where)
    writer = ix.writer(commit_every=100, rebuild=True)
    writer.add_many(many_articles(40)[30:])
    writer.cancel()
    ix.close()
    assert ids(where) == {a.id for a in old}
    with ns.open_index(where) as ix:
        assert ix._store.unfinished_rebuild() is None


def test_a_merge_not_done_is_done_by_the_next_writer_with_nothing_new(tmp_path, monkeypatch) -> None:
    where = tmp_path / "ix"
    articles = many_articles(100)
    failing = {"on": True}
    real = writing.merge_segments_of

    def merge(store, *args, **kwargs):
        if failing["on"]:
            raise OSError(28, "No space left on device")
        return real(store, *args, **kwargs)

    monkeypatch.setattr(writing, "merge_segments_of", merge)
    with ns.create_index(where) as ix:
        for i in range(10):  # ten small segments: one tier, due for a merge
            report = ix.add(articles[i * 10 : (i + 1) * 10])
    assert report.merge_problem
    with ns.open_index(where) as ix:
        assert ix.stats().segments == 10
    failing["on"] = False
    with ns.open_index(where) as ix:
        report = ix.add(articles[:10])  # nothing new
        assert report.changed == 0
    with ns.open_index(where) as ix:
        assert ix.stats().segments == 1
        assert ix.stats().articles == 100
