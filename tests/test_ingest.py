"""The format dispatcher, the record readers and bad input (own small files)."""

from __future__ import annotations

import io
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest

import newssearch as ns
from newssearch.errors import IngestError
from newssearch.errors import IngestWarning
from newssearch.ingest import ReadOptions, Skipped, Source, Survey, detect_format, iter_sources, read_source, survey

from tests.helpers import DATA, EXAMPLES

UTC = timezone.utc


def read_one(path: Path, **kw) -> list:
    return list(read_source(Source(name=str(path), path=path, root=path.parent), ReadOptions.build(**kw)))


def test_examples_cover_every_format_and_read_cleanly():
    seen = {}
    for src in iter_sources([EXAMPLES]):
        assert isinstance(src, Source), src
        seen[detect_format(src)] = src.name
        results = list(read_source(src, ReadOptions.build()))
        assert results and not [r for r in results if isinstance(r, IngestError)]
    assert set(seen) == {"page", "text", "header", "json", "jsonl", "csv"}


@pytest.mark.parametrize(
    "name, format",
    [("other-site-page.txt", "page"), ("latin1.txt", "text"), ("broken.jsonl", "jsonl"), ("rows.csv", "csv"), ("bad.json", "json")],
)
def test_detection(name, format):
    assert detect_format(Source(name=name, path=DATA / name)) == format


def test_detection_sniffs_json_without_extension(tmp_path):
    p = tmp_path / "feed"
    p.write_text('{"title": "T", "text": "B"}\n{"title": "U", "text": "C"}\n')
    assert detect_format(Source(name="feed", path=p)) == "json"
    assert [a.title for a in ns.read_path(p)] == ["T", "U"]  # JSON Lines under a JSON guess


def test_broken_record_is_reported_with_its_line_and_the_rest_kept():
    results = read_one(DATA / "broken.jsonl")
    titles = [r.title for r in results if isinstance(r, ns.Article)]
    errors = [r for r in results if isinstance(r, IngestError)]
    assert titles == ["Good one", "Good two"]
    assert len(errors) == 1 and errors[0].line == 2
    assert str(errors[0]).startswith(f"{DATA / 'broken.jsonl'}:2: invalid JSON")


def test_csv_bad_row_and_bad_date():
    results = read_one(DATA / "rows.csv")
    good = [r for r in results if isinstance(r, ns.Article)]
    bad = [r for r in results if isinstance(r, IngestError)]
    assert [a.title for a in good] == ["Row one", "Row three"]
    assert good[0].published == datetime(2022, 1, 1, tzinfo=UTC) and good[0].tz_assumed
    assert good[1].published is None  # "not a date": kept, without a date
    assert bad[0].line == 3 and "more fields" in bad[0].problem


@pytest.mark.parametrize(
    "name, problem",
    [("bad.json", "invalid JSON"), ("empty.txt", "empty file"), ("blob.bin.txt", "binary file")],
)
def test_whole_file_problems_are_one_error_naming_the_file(name, problem):
    (err,) = read_one(DATA / name)
    assert isinstance(err, IngestError)
    assert err.path.endswith(name) and problem in err.problem
    assert "\n" not in str(err)


def test_latin1_bytes_never_crash():
    (article,) = read_one(DATA / "latin1.txt")
    assert article.title == "Café owners welcome £ rate cut"
    assert "£1" in article.body


def test_record_field_names_are_mapped(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(
        '[{"Headline": "H", "content": "C", "pubDate": "Tue, 08 Oct 2024 18:45:00 -0400",'
        ' "link": "https://www.reuters.com/world/x", "author": ["A One", "B Two"],'
        ' "publisher": {"name": "Reuters"}, "category": ["World", "Europe"], "lang": "en"}]'
    )
    (a,) = ns.read_path(p)
    assert (a.title, a.body, a.url, a.source, a.section, a.language) == ("H", "C", "https://www.reuters.com/world/x", "Reuters", "World", "en")
    assert a.authors == ("A One", "B Two")
    assert a.published == datetime(2024, 10, 8, 22, 45, tzinfo=UTC) and not a.tz_assumed
    assert a.date_source == "record"


def test_outlet_and_section_fall_back_to_the_url(tmp_path):
    p = tmp_path / "h.jsonl"
    p.write_text('{"ts": "20070101\\u00a011:47 PM EST", "title": "T", "href": "http://www.reuters.com/article/worldNews/idUS1"}\n')
    (a,) = ns.read_path(p)
    assert a.source == "Reuters" and a.section == "worldNews"
    assert a.published == datetime(2007, 1, 2, 4, 47, tzinfo=UTC)


def test_default_source_and_zone_options(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text('{"title": "T", "text": "B", "date": "2022-01-27 13:34"}\n')
    (a,) = ns.read_path(p, source="My Outlet", tz="Europe/Sofia")
    assert a.source == "My Outlet"
    assert a.published == datetime(2022, 1, 27, 11, 34, tzinfo=UTC) and a.tz_assumed


def test_record_without_text_is_an_error(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text('{"date": "2022-01-01"}\n[1, 2]\n')
    errors = [r for r in read_one(p) if isinstance(r, IngestError)]
    assert [e.line for e in errors] == [1, 2]


def test_folders_recurse_skip_documentation_and_hidden_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story.txt").write_text("Headline\n\nBody text here.\n")
    (tmp_path / "README.md").write_text("# about")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    items = list(iter_sources([tmp_path]))
    sources = [i for i in items if isinstance(i, Source)]
    skipped = {Path(i.name).name for i in items if isinstance(i, Skipped)}
    assert [Path(s.name).name for s in sources] == ["story.txt"]
    assert skipped == {"README.md", ".hidden.txt", "image.png"}


SGML_STORY = (
    '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS TOPICS="YES" NEWID="1">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n'
    "<TEXT><TITLE>COCOA TALKS RESUME</TITLE>\n<BODY>Cocoa producers and consumers resumed talks in London on"
    " Thursday, delegates said.</BODY></TEXT>\n</REUTERS>\n"
)
TIME_STORY = "*TEXT 017 01/04/63 PAGE 020\n\nTHE ALLIES, after a week of talks, agreed on a plan.\n\n*STOP\n"
NOTES = "Some notes on the categories\n\nThe list below gives the category names used in the collection and how they were chosen.\n"
HEADER = "-- Cocoa prices rise\n-- By Jane Doe\n-- Thu Mar 15, 2007 6:11pm EDT\n-- http://example.com/cocoa\n\nCocoa rose.\n"


@pytest.mark.parametrize("name, collection", [("data.sgm", SGML_STORY), ("TIME.ALL", TIME_STORY), ("corpus.sgml", SGML_STORY)])
def test_plain_text_beside_a_collection_is_its_documentation(tmp_path, name, collection):
    # names of our own, none a collection's: the rule is by what the files hold
    (tmp_path / name).write_text(collection)
    (tmp_path / "notes-on-categories.txt").write_text(NOTES)
    (tmp_path / "places").write_text("afghanistan\nalbania\nalgeria\n")
    (tmp_path / "wire.txt").write_text(HEADER)  # structure a reader recognises: read as ever
    (tmp_path / "records.txt").write_text('{"title": "A record", "text": "Its body."}\n')
    items = list(iter_sources([tmp_path]))
    read = sorted(Path(i.name).name for i in items if isinstance(i, Source))
    skipped = {Path(i.name).name: i.reason for i in items if isinstance(i, Skipped)}
    assert read == sorted([name, "records.txt", "wire.txt"])
    assert set(skipped) == {"notes-on-categories.txt", "places"}
    assert skipped["places"].startswith("not an article (plain text beside the ") and name in skipped["places"]
    # named on the command line, a file is read whatever is beside it
    (article,) = ns.read_path(tmp_path / "notes-on-categories.txt")
    assert article.title == "Some notes on the categories"


def test_plain_text_is_read_where_no_collection_is_beside_it(tmp_path):
    (tmp_path / "notes.txt").write_text(NOTES)
    (tmp_path / "other.sgm").write_text("<doc>not Reuters-21578</doc>\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.sgm").write_text(SGML_STORY)  # a collection in a sub-folder rules only its own folder
    items = list(iter_sources([tmp_path]))
    assert sorted(Path(i.name).name for i in items if isinstance(i, Source)) == ["data.sgm", "notes.txt", "other.sgm"]


def test_survey_says_whether_there_is_anything_to_read(tmp_path):
    assert survey([tmp_path]) == Survey(readable=False)
    (tmp_path / "README").write_text("about")
    (tmp_path / ".hidden").write_text("x")
    assert not survey([tmp_path]).readable
    assert sorted(Path(s.name).name for s in survey([tmp_path]).skipped) == [".hidden", "README"]
    assert survey([tmp_path, "-"]).readable  # stdin is something to read (and is not read here)
    assert survey([tmp_path / "missing"]).readable  # reading it reports the error
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "story.txt").write_text("Headline\n\nBody.\n")
    assert survey([tmp_path]).readable


def test_missing_path_is_an_error_not_an_exception():
    (err,) = list(iter_sources(["/no/such/place"]))
    assert isinstance(err, IngestError) and "no such file" in str(err)


def test_read_path_warns_by_default_and_calls_on_error(tmp_path):
    errors: list[IngestError] = []
    titles = [a.title for a in ns.read_path(DATA / "broken.jsonl", on_error=errors.append)]
    assert titles == ["Good one", "Good two"] and len(errors) == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(ns.read_path(DATA / "broken.jsonl"))
    assert [w.category for w in caught] == [IngestWarning]


def test_forced_format(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text("Headline here\n\nFirst paragraph of the story that is long enough to count.\n")
    (a,) = ns.read_path(p, format="text")
    assert a.title == "Headline here"


def test_stdin_is_read_with_dash(monkeypatch):
    data = b'{"title": "From stdin", "text": "Body"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    (a,) = ns.read_path("-")
    assert a.title == "From stdin" and a.path == "<stdin>"


def test_a_reader_bug_becomes_an_error_for_that_file(monkeypatch, tmp_path):
    from newssearch import ingest

    def boom(source, options):
        raise RuntimeError("kaboom")
        yield  # pragma: no cover

    monkeypatch.setitem(ingest.FORMATS, "csv", boom)
    p = tmp_path / "x.csv"
    p.write_text("title,text\na,b\n")
    (err,) = read_one(p)
    assert isinstance(err, IngestError) and "RuntimeError: kaboom" in str(err)
