"""Files and articles stay in step: ids that survive edits, pruning of
articles whose files are gone, deleting by id or by query."""

from __future__ import annotations

import json

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, cli


def _story(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


def test_an_edited_file_without_a_url_updates_its_article(tmp_path, runner):
    # an edited file without a URL was added as a second article
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    story = corpus / "story.txt"
    story.write_text(_story("Harbour reopens", "The harbour reopened on Monday."))
    ix = ns.create_index(tmp_path / "ix")
    assert ix.add(ns.read_path(corpus)).added == 1
    story.write_text(_story("Harbour reopens after storm", "The harbour reopened on Monday after the storm."))
    report = ix.add(ns.read_path(corpus))
    assert (report.added, report.updated) == (0, 1) and len(ix) == 1
    assert ix.search("storm").hits[0].article.title == "Harbour reopens after storm"
    ix.close()


def test_records_keep_their_ids_by_key_or_by_position(tmp_path):
    keyed = tmp_path / "keyed.jsonl"
    rows = [{"id": f"r{i}", "title": f"Story {i}", "text": f"Body {i}."} for i in range(3)]
    keyed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    first = {a.title: a.id for a in ns.read_path(keyed)}
    keyed.write_text("\n".join(json.dumps(r) for r in reversed(rows)) + "\n")  # reordered
    assert {a.title: a.id for a in ns.read_path(keyed)} == first
    plain = tmp_path / "plain.csv"
    plain.write_text("title,text\nOne,First body.\nTwo,Second body.\n")
    before = [a.id for a in ns.read_path(plain)]
    plain.write_text("title,text\nOne,First body edited.\nTwo,Second body.\n")
    assert [a.id for a in ns.read_path(plain)] == before  # by position: the edit keeps the id
    assert len(set(before)) == 2


def test_prune_removes_articles_whose_files_are_gone_and_nothing_else(tmp_path, runner):
    # a deleted file's article stayed until --rebuild
    corpus, corpus2 = tmp_path / "corpus", tmp_path / "corpus2"  # a sibling sharing the prefix
    for folder in (corpus, corpus2):
        (folder / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(_story("Alpha story", "Alpha body text."))
    (corpus / "sub" / "b.txt").write_text(_story("Beta story", "Beta body text."))
    (corpus2 / "c.txt").write_text(_story("Gamma story", "Gamma body text."))
    where = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(corpus), str(corpus2), "--index", where]).exit_code == EXIT_OK
    assert runner.invoke(cli, ["index", "-", "--index", where], input=_story("Delta story", "Delta from stdin.")).exit_code == EXIT_OK
    (corpus / "sub" / "b.txt").unlink()
    (corpus2 / "c.txt").unlink()
    kept = runner.invoke(cli, ["index", str(corpus), "--index", where])
    assert kept.exit_code == EXIT_OK and "pruned" not in kept.stderr
    pruned = runner.invoke(cli, ["index", str(corpus), "--index", where, "--prune", "--json"])
    assert pruned.exit_code == EXIT_OK and json.loads(pruned.stdout)["pruned"] == 1
    with ns.open_index(where) as ix:
        assert sorted(a.title for a in ix.iter_articles()) == ["Alpha story", "Delta story", "Gamma story"]


def test_delete_by_id_or_by_query(tmp_path, runner):
    where = str(tmp_path / "ix")
    with ns.create_index(where) as ix:
        ix.add([
            ns.Article(title=f"Story {i}", body=f"Copper prices {i}.", id=f"{i:x}" * 16, agencies=("Xinhua",) if i < 3 else ())
            for i in range(1, 6)
        ])
    prefix = runner.invoke(cli, ["delete", "1111", "--index", where])  # a prefix alone deleted at once
    assert prefix.exit_code == EXIT_ERROR and "'1111' is the start of 1111111111111111 (Story 1)" in prefix.stderr
    one = runner.invoke(cli, ["delete", "1111", "--yes", "--index", where])
    assert one.exit_code == EXIT_OK and "Deleted 1 article: 1111111111111111" in one.stderr
    missing = runner.invoke(cli, ["delete", "9999", "--index", where])
    assert missing.exit_code == EXIT_ERROR and "no article with id '9999'" in missing.stderr
    asked = runner.invoke(cli, ["delete", "--query", "copper", "--agency", "Xinhua", "--index", where])
    assert asked.exit_code == EXIT_OK and "1 articles match; add --yes" in asked.stderr
    done = runner.invoke(cli, ["delete", "--query", "copper", "--agency", "Xinhua", "--yes", "--index", where])
    assert done.exit_code == EXIT_OK and "Deleted 1 article" in done.stderr
    both = runner.invoke(cli, ["delete", "3333", "--query", "copper", "--index", where])
    assert both.exit_code == EXIT_USAGE
    with ns.open_index(where) as ix:
        assert sorted(a.id[0] for a in ix.iter_articles()) == ["3", "4", "5"]
        with pytest.raises(ns.NewsSearchError, match="refusing to delete every article"):
            ix.delete_matching("")
        assert ix.delete_matching("", agency="nobody") == [] and len(ix) == 3
