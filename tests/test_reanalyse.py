"""``reanalyse``: an index written before analysis per language, analysed again in place.

The old index is made by this version's writer with one thing changed, a
test-only ``to_fields`` that puts every article's text in the English
fields (as every version before analysis per language did, commit
93a2c2a's parent: language and language_source stored, ``title``/``body``
indexed by the English analysis), and its manifest without the
``analysis`` mark those versions did not write. Running the old commit
itself from a git worktree was not chosen: CI runs in a checkout of main
whose history it cannot count on. The texts below are written for these
tests (no corpus text)."""

from __future__ import annotations

import dataclasses
import json
import signal
from datetime import datetime, timezone
from pathlib import Path

import pytest

import newssearch as ns
from bench import crashtest
from newssearch.cli import cli
from newssearch.engine.schema import ANALYSIS_VERSION, to_fields
from newssearch.engine.store import META_FILE, sealed
from newssearch.write import articles as article_writer
from tests.helpers import EXAMPLES

POLISH = [
    ("Strajk w liniach Ryanair", "Tanie linie lotnicze Ryanair odwołały w piątek setki lotów, a pasażerowie czekali na lotniskach w całej Europie."),
    ("Piloci Ryanaira protestują", "Związkowcy z Ryanaira domagają się nowych umów o pracę i zapowiadają kolejne protesty w wakacje."),
]
CHINESE = [("北京大学举办国际会议", "来自二十多个国家的学者今天在北京大学参加了关于气候变化的国际会议，讨论了减少排放的办法。")]
ENGLISH = [
    ("Central bank raises rates", "The central bank raised interest rates on Tuesday as inflation climbed for a third month."),
    ("Storm closes ports", "A powerful storm closed the main ports on the coast and grounded flights for most of the day."),
]


def _id(n: int, k: int) -> str:
    """The id of the k-th article of the n-th language (ids of both parities: a sharded index routes them to both shards)."""
    return "0" * 12 + f"{n:02d}{k:02d}"


def _articles(language_source: str | None = "given") -> list[ns.Article]:
    """Polish, Chinese and English articles as an index of that time held
    them: their language with its provenance (``None``: stored before
    languages had one, the source's value alone)."""
    out = []
    for n, (lang, pairs) in enumerate((("pl", POLISH), ("zh", CHINESE), ("en", ENGLISH))):
        for k, (title, body) in enumerate(pairs):
            out.append(ns.Article(
                id=_id(n, k), title=title, body=body, url=f"https://news.example/{lang}/{k}",
                published=datetime(2024, 5, 1 + n, 8, k, tzinfo=timezone.utc), source=f"outlet-{lang}",
                language=lang, language_source=language_source, path=f"feeds/{lang}-{k}.json",
            ))
    return out


def _old_fields(article: ns.Article) -> dict:
    """What a version before analysis per language wrote: the text in the
    English fields, the language and its source stored beside it."""
    fields = to_fields(dataclasses.replace(article, language=None))
    if article.language:
        fields["language"] = article.language
    fields["fingerprint"] = article.fingerprint()
    return fields


def _forget_analysis(path: Path) -> None:
    """The manifest as those versions wrote it: no ``analysis`` mark."""
    meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    meta.pop("analysis", None)
    (path / META_FILE).write_text(json.dumps(sealed(meta), indent=2) + "\n", encoding="utf-8")


def old_index(where: Path, articles: list[ns.Article], monkeypatch: pytest.MonkeyPatch, *, shards: int = 1) -> Path:
    """An index of ``articles`` in the old layout (see the module docstring)."""
    with monkeypatch.context() as patch:
        patch.setattr(article_writer, "to_fields", _old_fields)
        with ns.create_index(where, shards=shards) as ix:
            ix.add(articles)
    for meta in [where] if shards == 1 else sorted(where.glob("shard-*")):
        _forget_analysis(meta)
    return where


def _ids(results: ns.SearchResults) -> set[str]:
    return {hit.article.id for hit in results.hits}


def _by_id(ix: ns.NewsIndex) -> dict[str, dict]:
    """Every live article's stored fields and columns, by id."""
    snapshot = ix.session().snapshot
    out = {}
    stories, signatures, sequences = snapshot.column("story"), snapshot.column("minhash"), snapshot.column("seq")
    for docnum, article in snapshot.numbered_articles():
        out[article.id] = snapshot.stored(docnum) | {
            "_story": int(stories[docnum]), "_minhash": bytes(signatures[docnum]), "_seq": int(sequences[docnum]),
        }
    return out


def test_other_languages_move_out_of_the_english_fields(tmp_path, monkeypatch):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    with ns.open_index(where) as ix:
        assert ix.reanalyse_needed()
        # the English analysis: one form of a Polish word, one token per run of Chinese
        assert _ids(ix.search("Ryanaira")) == {_id(0, 1)}
        assert not ix.search("北京", lang="zh").hits
        report = ix.reanalyse()
        assert (report.articles, report.moved, report.moved_to, report.already) == (5, 3, {"pl": 2, "zh": 1}, False)
        assert _ids(ix.search("Ryanaira")) == {_id(0, 0), _id(0, 1)}
        assert _ids(ix.search("北京", lang="zh")) == {_id(1, 0)}
        assert _ids(ix.search("rates")) == {_id(2, 0)}
        snapshot = ix.session().snapshot
        for docnum, article in snapshot.numbered_articles():
            english = snapshot.field_length(docnum, "body")
            assert (english > 0) == (article.language == "en"), article.id
        assert not ix.reanalyse_needed()


def test_everything_but_the_analysis_is_kept(tmp_path, monkeypatch):
    articles = _articles()
    where = old_index(tmp_path / "ix", articles[:3], monkeypatch)
    with monkeypatch.context() as patch:  # a second commit: another ingest sequence
        patch.setattr(article_writer, "to_fields", _old_fields)
        with ns.open_index(where) as ix:
            ix.add(articles[3:])
            ix.delete(articles[4].id)
    _forget_analysis(where)
    with ns.open_index(where) as ix:
        before = _by_id(ix)
        origins = set(ix.session().snapshot.lexicon("origin"))
        assert len({v["_seq"] for v in before.values()}) == 2 and articles[4].id not in before
        monkeypatch.chdir(tmp_path)  # origins were made absolute from another folder: they must not be made again
        ix.reanalyse()
        after = _by_id(ix)
        assert after == before
        # the deleted article's file goes with it (compact drops it too)
        assert set(ix.session().snapshot.lexicon("origin")) == {o for o in origins if not o.endswith("en-1.json")}
        assert ix.get(articles[4].id) is None and len(ix) == 4 and ix.stats().deleted == 0


def test_saved_searches_raise_no_alert_for_articles_written_again(tmp_path, monkeypatch):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    with ns.open_index(where) as ix:
        ix.saved.add("ryanair", "Ryanaira")
        assert ix.saved.match_new() == []
        ix.reanalyse()
        assert ix.saved.match_new() == []  # they now match it, and are not news
        fresh = dataclasses.replace(_articles()[1], id="9" * 16, url="https://news.example/pl/new", title="Ryanaira znowu krytykują")
        report = ix.add(fresh)
        assert report.alerts == 1


def test_an_article_stored_before_languages_had_a_source_is_resolved_as_index_would(tmp_path, monkeypatch):
    articles = _articles(language_source=None)
    articles[0] = dataclasses.replace(articles[0], language="en")  # a template's lang="en" around a Polish story
    articles[2] = dataclasses.replace(articles[2], language=None)  # no language given at all
    where = old_index(tmp_path / "ix", articles, monkeypatch)
    with ns.open_index(where) as ix:
        report = ix.reanalyse()
        assert report.resolved == 5
        found = {a.id: (a.language, a.language_source) for a in ix.iter_articles()}
    assert found[articles[0].id] == ("pl", "detected")
    assert found[articles[1].id] == ("pl", "given")
    assert found[articles[2].id] == ("zh", "detected")
    assert found[articles[3].id] == ("en", "given")
    # what index would make of them: indexing the same articles again changes nothing
    with ns.open_index(where) as ix:
        again = [dataclasses.replace(a, language=found[a.id][0], language_source=found[a.id][1]) for a in articles]
        assert ix.add(again).unchanged == 5


def test_nothing_to_do_is_said_and_reads_nothing(tmp_path, monkeypatch, filled_index):
    assert not filled_index.reanalyse_needed()  # made by this version: marked at its creation
    meta = json.loads((filled_index.path / META_FILE).read_text(encoding="utf-8"))
    assert meta["analysis"] == ANALYSIS_VERSION
    monkeypatch.setattr("newssearch.write.reanalyse._rewritten", lambda *a: pytest.fail("read an index already analysed"))
    report = filled_index.reanalyse()
    assert report.already and report.articles == 0


def test_an_empty_old_index_is_only_marked(tmp_path, monkeypatch):
    where = old_index(tmp_path / "ix", [], monkeypatch)
    with ns.open_index(where) as ix:
        assert not ix.reanalyse_needed()  # nothing in it is in the wrong fields
        report = ix.reanalyse()
        assert not report.already and report.articles == 0
    assert json.loads((where / META_FILE).read_text(encoding="utf-8"))["analysis"] == ANALYSIS_VERSION


def test_a_rebuild_marks_the_index_analysed(tmp_path, monkeypatch):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    with ns.open_index(where) as ix:
        with ix.writer(rebuild=True) as w:
            w.add_many(_articles())
        assert not ix.reanalyse_needed()
        assert _ids(ix.search("Ryanaira")) == {_id(0, 0), _id(0, 1)}


def test_a_sharded_index_is_reanalysed_shard_by_shard(tmp_path, monkeypatch):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch, shards=2)
    shards = sorted(where.glob("shard-*"))
    with ns.open_index(where) as ix:
        before = _by_id(ix)
        assert ix.reanalyse_needed()
        report = ix.reanalyse()
        assert (report.articles, report.moved, report.shards_done) == (5, 3, 2)
        assert _ids(ix.search("Ryanaira")) == {_id(0, 0), _id(0, 1)}
        assert _by_id(ix) == before and not ix.reanalyse_needed()
        # a run killed after its first shard: the next one does the others alone
        _forget_analysis(shards[1])
        assert ix.reanalyse_needed()
        report = ix.reanalyse()
        assert (report.shards_done, report.shards_skipped) == (1, 1)
        assert 0 < report.articles < 5 and _by_id(ix) == before


def test_the_command(tmp_path, monkeypatch, runner):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    stats = runner.invoke(cli, ["stats", "--index", str(where)])
    assert stats.exit_code == 0 and "analysis:  some articles were analysed by an older version" in stats.output
    searched = runner.invoke(cli, ["search", "rates", "--index", str(where)])
    assert searched.exit_code == 0 and "newssearch reanalyse --index" in searched.stderr
    added = runner.invoke(cli, ["index", str(EXAMPLES), "--index", str(where)])
    assert added.exit_code == 0 and "newssearch reanalyse --index" in added.stderr
    done = runner.invoke(cli, ["reanalyse", "--index", str(where)])
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    assert "moved to their language's fields: 3 (pl 2, zh 1)" in done.stderr
    again = runner.invoke(cli, ["reanalyse", "--index", str(where), "--json"])
    assert again.exit_code == 0
    record = json.loads(again.stdout)
    assert record["already"] is True and record["articles"] == 0
    assert "analysis:" not in runner.invoke(cli, ["stats", "--index", str(where)]).output
    assert json.loads(runner.invoke(cli, ["stats", "--index", str(where), "--json"]).stdout)["reanalyse_needed"] is False
    searched = runner.invoke(cli, ["search", "rates", "--index", str(where)])
    assert "reanalyse" not in searched.stderr


def test_the_command_refuses_a_locked_or_missing_index(tmp_path, monkeypatch, runner):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    with ns.open_index(where) as ix, ix.writer():
        locked = runner.invoke(cli, ["reanalyse", "--index", str(where)])
    assert locked.exit_code == 1 and "Traceback" not in locked.output
    assert locked.stderr.startswith("Error:") and "lock" in locked.stderr
    missing = runner.invoke(cli, ["reanalyse", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: no index at")


@pytest.mark.parametrize("at", crashtest.REANALYSE_KILL_POINTS)
def test_a_reanalyse_killed_at_any_step_leaves_the_index_as_a_commit(tmp_path, monkeypatch, at):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    trial = crashtest.compact_killed(where, at=at, command="reanalyse")
    assert trial.exit_code == -signal.SIGKILL, trial.notes
    assert trial.clean, (trial, trial.notes)
    with ns.open_index(where) as ix:
        assert not ix.reanalyse_needed()
        assert _ids(ix.search("北京", lang="zh")) == {_id(1, 0)}


@pytest.mark.parametrize("at", ["postings", "toc"])
def test_killed_before_its_commit_the_index_is_wholly_old(tmp_path, monkeypatch, at):
    where = old_index(tmp_path / "ix", _articles(), monkeypatch)
    proc = crashtest.subprocess.run(
        [crashtest.sys.executable, "-c", crashtest.KILLED_AT, str(where), at, "reanalyse"], capture_output=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL
    with ns.open_index(where) as ix:
        assert ix.reanalyse_needed()
        snapshot = ix.session().snapshot
        assert all(snapshot.field_length(d, "body") > 0 for d, _ in snapshot.numbered_articles())  # every article as it was
        assert not ix.search("北京", lang="zh").hits


# --- a language stemmed since its fields were written ---------------------------------

BULGARIAN = [
    ("Изборите в България", "Изборите бяха вчера, а гласуваха много хора."),
    ("Изборът на министрите", "Министрите се събраха в събота."),
]


def _unstemmed_bulgarian(where: Path, monkeypatch: pytest.MonkeyPatch, *, procs: int | None = None) -> ns.NewsIndex:
    """An index whose Bulgarian fields were written before Bulgarian was
    stemmed (their tokenizer records no revision, as one pickled then), and
    whose manifest records the analysis of that time (1)."""
    from newssearch.engine import schema

    with monkeypatch.context() as m:
        m.setattr(schema.LanguageTokenizer, "__init__", lambda self, group: setattr(self, "group", group))
        ix = ns.create_index(where)
    ix.add([ns.Article(id=f"bg{k}", title=t, body=b, language="bg", language_source="given") for k, (t, b) in enumerate(BULGARIAN)])
    ix._store.mark_analysed(1)
    return ix


def _found(ix: ns.NewsIndex) -> dict[str, list[str]]:
    return {q: sorted(h.article.id for h in ix.search(q, all_copies=True)) for q in ("изборите", "избор", "министър")}


def test_fields_written_before_their_language_was_stemmed_are_written_again_by_todays_rules(tmp_path, monkeypatch):
    # a reanalyse kept the index's own field definitions, so Bulgarian stayed unstemmed for good
    ix = _unstemmed_bulgarian(tmp_path / "ix", monkeypatch)
    reader = ns.open_index(tmp_path / "ix")  # open before, as a server's index is: it must follow the change
    before = {"изборите": ["bg0"], "избор": [], "министър": []}
    assert _found(ix) == before and _found(reader) == before
    assert ix.reanalyse_needed()
    report = ix.reanalyse()
    assert report.articles == 2 and not ix.reanalyse_needed()
    after = {"изборите": ["bg0", "bg1"], "избор": ["bg0", "bg1"], "министър": ["bg1"]}
    assert _found(ix) == after
    assert _found(reader) == after  # its parser now reads the fields by the rules that wrote them
    ix.add([ns.Article(id="bg9", title="Нови избори", body="Изборите ще са през май.", language="bg")])
    assert _found(ix)["избор"] == ["bg0", "bg1", "bg9"]  # a later write keeps today's rules
    reader.close()
    ix.close()


def test_a_rebuild_writes_such_fields_by_todays_rules_too(tmp_path, monkeypatch):
    ix = _unstemmed_bulgarian(tmp_path / "ix", monkeypatch)
    ix.close()
    source = tmp_path / "bg.jsonl"
    source.write_text("".join(json.dumps({"id": f"bg{k}", "title": t, "body": b, "lang": "bg"}, ensure_ascii=False) + "\n"
                              for k, (t, b) in enumerate(BULGARIAN)), encoding="utf-8")
    with ns.open_index(tmp_path / "ix") as again:
        with again.writer(rebuild=True) as w:
            w.add_many(ns.read_path(source))
        assert _found(again)["избор"] == sorted(h.article.id for h in again.search("изборите", all_copies=True))
        assert len(_found(again)["избор"]) == 2 and not again.reanalyse_needed()


def test_writer_processes_write_such_fields_by_todays_rules(tmp_path, monkeypatch):
    from newssearch.write import reanalyse as reanalysing

    ix = _unstemmed_bulgarian(tmp_path / "ix", monkeypatch)
    monkeypatch.setattr(reanalysing, "PARALLEL_FROM", 1)  # the two articles through the workers
    ix.reanalyse(procs=2)
    assert _found(ix) == {"изборите": ["bg0", "bg1"], "избор": ["bg0", "bg1"], "министър": ["bg1"]}
    ix.close()
