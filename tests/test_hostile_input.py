"""Hostile and odd input costs an error message, never the machine or the
batch: size caps, special files, symlinks, unreadable folders, NUL bytes,
and a declared encoding the bytes contradict. Every input is generated here."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest

import newssearch as ns
from newssearch.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, cli

from tests.helpers import shared


def _read(paths, **kwargs):
    errors, notices, skipped = [], [], []
    articles = list(
        ns.read_path(paths, on_error=errors.append, on_notice=notices.append, on_skip=skipped.append, **kwargs)
    )
    return articles, errors, notices, skipped


def _story(n: int) -> str:
    return f"Harbour reopens after storm {n}\n\nThe harbour reopened on Monday after the storm, officials said. Ships queued.\n"


def test_a_gzip_bomb_is_an_error_naming_the_file_and_the_limit(tmp_path, runner):
    # a 9 MB .html.gz inflating to 2.7 GB was parsed to 512 MB (3.6 GB RSS)
    bomb = tmp_path / "pages" / "bomb.html.gz"
    bomb.parent.mkdir()
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        block = b"<p>" + b"a" * 1_000_000 + b"</p>"
        f.write(b"<html><body>")
        for _ in range(4):
            f.write(block)
    (tmp_path / "pages" / "fine.txt").write_text(_story(1))
    articles, errors, _, _ = _read(tmp_path / "pages", limits=ns.Limits(input_bytes=2 * 2**20))
    assert [a.title for a in articles] == ["Harbour reopens after storm 1"]
    assert len(errors) == 1 and "bomb.html.gz" in str(errors[0])
    assert "decompresses to more than 2 MB" in str(errors[0])
    result = runner.invoke(cli, ["index", str(bomb), "--index", str(tmp_path / "ix"), "--max-input-mb", "2"])
    assert result.exit_code == EXIT_ERROR and "bomb.html.gz: decompresses to more than 2 MB" in result.stderr


def test_an_oversized_field_costs_its_article_not_the_file(tmp_path, runner):
    rows = tmp_path / "rows.csv"
    huge = "word " * 300_000  # 1.5 M characters
    rows.write_text(f"title,text\nFirst,Short body one.\nHuge,{huge}\nLast,Short body two.\n")
    articles, errors, _, _ = _read(rows, limits=ns.Limits(field_chars=2**20))
    assert [a.title for a in articles] == ["First", "Last"]
    assert len(errors) == 1 and "'Huge'" in str(errors[0]) and "more than the 1 M one field may have" in str(errors[0])
    result = runner.invoke(cli, ["index", str(rows), "--index", str(tmp_path / "ix"), "--max-field-mb", "1"])
    assert result.exit_code == EXIT_PARTIAL and "rows.csv" in result.stderr


def test_a_one_line_file_does_not_become_a_megabyte_headline(tmp_path):
    # a 300 MB one-line .txt was stored as a 314 MB headline
    line = tmp_path / "line.txt"
    line.write_text("word " * 50_000)
    articles, errors, notices, _ = _read(line)
    assert not errors and len(articles) == 1
    assert len(articles[0].title) <= 1000
    assert any("characters was cut to" in str(n) and "line.txt" in str(n) for n in notices)


def test_a_line_longer_than_a_field_is_an_error_before_any_line_is_analysed(tmp_path):
    line = tmp_path / "line.txt"
    line.write_text("word " * 300_000)  # 1.5 M characters on one line
    articles, errors, _, _ = _read(line, limits=ns.Limits(field_chars=2**20))
    assert not articles and len(errors) == 1
    assert "line.txt: a line of 1.4 M characters, more than the 1 M one field may have" in str(errors[0])


def _record(n: int) -> dict:
    return {"title": f"Harbour story {n}", "text": f"The harbour reopened for the {n}th time, officials said. " * 20,
            "url": f"https://example.com/{n}"}


LIMIT = 64 * 2**10  # a small cap, so that files "over" it are small


@pytest.mark.parametrize("name", ["big.jsonl", "big.json", "big.jsonl.gz"])
def test_a_json_lines_file_longer_than_the_cap_is_read_record_by_record(tmp_path, name):
    # a 650 MB export of 100,000 articles was refused whole by the 512 MB cap
    lines = "".join(json.dumps(_record(n)) + "\n" for n in range(300))
    path = tmp_path / name
    path.write_bytes(gzip.compress(lines.encode()) if name.endswith(".gz") else lines.encode())
    assert len(lines) > 4 * LIMIT
    articles, errors, _, _ = _read(path, limits=ns.Limits(input_bytes=LIMIT))
    assert not errors and [a.title for a in articles] == [f"Harbour story {n}" for n in range(300)]


def test_a_json_lines_record_over_the_cap_is_an_error_and_the_rest_is_read(tmp_path, runner):
    huge = json.dumps({"title": "Huge", "text": "word " * (LIMIT // 4)})
    path = tmp_path / "recs.jsonl"
    path.write_text("\n".join([json.dumps(_record(1)), huge, json.dumps(_record(2)), ""]))
    articles, errors, _, _ = _read(path, limits=ns.Limits(input_bytes=LIMIT))
    assert [a.title for a in articles] == ["Harbour story 1", "Harbour story 2"]
    assert len(errors) == 1 and errors[0].line == 2
    assert "recs.jsonl:2: a line of " in str(errors[0]) and "more than the 65,536 bytes one record may have" in str(errors[0])
    big = tmp_path / "big.jsonl"  # the command line: --max-input-mb bounds a record, not the file
    big.write_text("".join(json.dumps(_record(n) | {"unread": "x" * 8000}) + "\n" for n in range(300)))  # padding: few words to index
    assert big.stat().st_size > 2 * 2**20
    result = runner.invoke(cli, ["index", str(big), "--index", str(tmp_path / "ix"), "--max-input-mb", "1", "-q"])
    assert result.exit_code == EXIT_OK, result.stderr
    with ns.open_index(tmp_path / "ix") as ix:
        assert len(ix) == 300


def test_a_csv_file_longer_than_the_cap_is_read_row_by_row(tmp_path):
    rows = "title,text\n" + "".join(f'Harbour story {n},"The harbour reopened, officials said.\nShips queued {n}."\n' for n in range(2000))
    path = tmp_path / "rows.csv"
    path.write_text(rows)
    assert len(rows) > 2 * LIMIT
    articles, errors, _, _ = _read(path, limits=ns.Limits(input_bytes=LIMIT))
    assert not errors and len(articles) == 2000 and articles[-1].body.endswith("Ships queued 1999.")
    # a row over the cap ends the file there (where a quoted row ends is unknown past it), named
    path.write_text("title,text\nFirst,Short.\nHuge," + "word " * LIMIT + "\nLast,Short.\n")
    articles, errors, _, _ = _read(path, limits=ns.Limits(input_bytes=LIMIT))
    assert [a.title for a in articles] == ["First"]
    assert len(errors) == 1 and errors[0].line == 3 and "one record may have" in str(errors[0])


def test_a_whole_file_format_over_the_cap_is_still_refused(tmp_path):
    path = tmp_path / "array.json"
    path.write_text(json.dumps([_record(n) for n in range(300)]))
    articles, errors, _, _ = _read(path, limits=ns.Limits(input_bytes=LIMIT))
    assert not articles and len(errors) == 1 and "more than the 65,536 bytes one input may have" in str(errors[0])


def test_a_truncated_gzip_json_lines_file_is_read_as_far_as_it_goes(tmp_path):
    data = gzip.compress("".join(json.dumps(_record(n)) + "\n" for n in range(300)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, errors, notices, _ = _read(path, limits=ns.Limits(input_bytes=LIMIT))
    assert 10 < len(articles) < 300 and [a.title for a in articles] == [f"Harbour story {n}" for n in range(len(articles))]
    assert len(errors) <= 1  # the line cut in the middle, if the cut fell inside one
    assert any("cut.jsonl.gz" in str(n) and "truncated" in str(n) for n in notices)


def test_json_lines_on_stdin_are_streamed_past_the_cap(tmp_path, runner):
    # newssearch export | newssearch index -: an export of any length reads back
    lines = "".join(json.dumps(_record(n) | {"unread": "x" * 8000}) + "\n" for n in range(300))
    assert len(lines) > 2 * 2**20
    result = runner.invoke(cli, ["index", "-", "--index", str(tmp_path / "ix"), "--max-input-mb", "1", "-q"], input=lines)
    assert result.exit_code == EXIT_OK, result.stderr
    with ns.open_index(tmp_path / "ix") as ix:
        assert len(ix) == 300
    gz = runner.invoke(cli, ["index", "-", "--index", str(tmp_path / "ix2"), "--max-input-mb", "1", "-q"], input=gzip.compress(lines.encode()))
    assert gz.exit_code == EXIT_OK, gz.stderr


def test_stdin_has_a_cap(tmp_path, runner):
    result = runner.invoke(
        cli, ["index", "-", "--index", str(tmp_path / "ix"), "--max-input-mb", "1"], input="x" * (2**20 + 10)
    )
    assert result.exit_code == EXIT_ERROR and "<stdin>: more than 1 MB on stdin" in result.stderr


def test_a_fifo_in_a_folder_is_skipped_and_named_not_waited_on(tmp_path):
    # open() on a FIFO waited forever, holding the index's lock
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_story(1))
    os.mkfifo(folder / "pipe.txt")
    done = subprocess.run(
        [sys.executable, "-m", "newssearch", "index", str(folder), "--index", str(tmp_path / "ix")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == EXIT_OK
    assert "pipe.txt: not a regular file (a FIFO, socket or device)" in done.stderr
    assert "Read 1 article from 1 file" in done.stderr


def test_symlinks_out_of_the_folder_are_skipped_unless_asked(tmp_path, runner):
    # ln -s /etc/passwd corpus/passwd.txt got indexed and shown
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(_story(9))
    (outside / "sub").mkdir()
    (outside / "sub" / "b.txt").write_text(_story(8))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(_story(1))
    (corpus / "inner").mkdir()
    (corpus / "inner" / "c.txt").write_text(_story(2))
    (corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus / "linked").symlink_to(outside / "sub")
    (corpus / "again.txt").symlink_to(corpus / "inner" / "c.txt")  # inside the tree: read
    (corpus / "inner" / "loop").symlink_to(corpus)  # a cycle

    articles, errors, _, skipped = _read(corpus)
    assert sorted(a.title[-1] for a in articles) == ["1", "2", "2"] and not errors
    reasons = {os.path.basename(s.name): s.reason for s in skipped}
    assert "outside the folder given; --follow-links reads it" in reasons["passwd.txt"]
    assert reasons["linked"].startswith("symlink to a folder outside the folder")
    assert reasons["loop"].startswith("symlink to a folder inside the folder")

    followed, errors, _, _ = _read(corpus, follow_links=True)
    assert sorted(a.title[-1] for a in followed) == ["1", "2", "2", "8", "9"] and not errors

    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert result.exit_code == EXIT_OK and "Skipped: " in result.stderr and "passwd.txt" in result.stderr


def test_an_unreadable_folder_is_an_error_not_silence(tmp_path, monkeypatch):
    # as root (CI) permissions do not stop reading, so the refusal is made by os.scandir itself
    corpus = tmp_path / "corpus"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "a.txt").write_text(_story(1))
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    articles, errors, _, _ = _read(corpus)
    assert len(articles) == 1
    assert len(errors) == 1 and str(errors[0]).endswith("locked: cannot read folder: Permission denied")


def test_one_nul_byte_does_not_cost_a_file_of_a_thousand_articles(tmp_path):
    original = shared("data", "reuters21578", "reut2-000.sgm")
    data = original.read_bytes()
    damaged = tmp_path / "reut2-000.sgm"
    early = 5000  # within the bytes read to detect the format
    damaged.write_bytes(data[:early] + b"\x00" + data[early:])
    whole, _, _, _ = _read(original)
    read, errors, _, _ = _read(damaged)
    assert not errors and len(read) == len(whole) == 1000
    assert all("\x00" not in a.title + a.body for a in read)


def test_a_nul_byte_in_a_text_file_is_dropped_not_the_file(tmp_path):
    story = tmp_path / "story.txt"
    story.write_bytes(b"Harbour\x00 reopens\n\nThe harbour reopened\x00 on Monday, officials said.\n")
    (article,), errors, _, _ = _read(story)
    assert not errors and article.title == "Harbour reopens" and article.body.startswith("The harbour reopened on")


def test_nul_bytes_in_record_titles_are_not_stored(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"title": "Copper\x00 climbs", "text": "Copper rose.\x00 Traders said."}) + "\n")
    (article,), errors, _, _ = _read(rows)
    assert not errors and article.title == "Copper climbs" and "\x00" not in article.body


def test_binary_files_are_still_refused(tmp_path):
    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    blob = tmp_path / "blob.txt"
    blob.write_bytes(bytes(range(256)) * 40)
    _, errors, _, _ = _read([png, blob])
    assert [str(e).split(": ", 1)[1] for e in errors] == ["binary file, not text"] * 2


@pytest.mark.parametrize(
    ("declared", "encoding"), [("iso-8859-1", "utf-8"), ("iso-8859-1", "latin-1"), ("windows-1252", "utf-8")]
)
def test_a_declared_single_byte_encoding_yields_to_valid_utf8(tmp_path, declared, encoding):
    # a page declaring iso-8859-1 that is valid UTF-8 came out as mojibake
    text = "Zürich café reopens after a long closure, the owners said on Monday in Zürich. " * 3
    page = tmp_path / "page.html"
    page.write_bytes(
        f'<html><head><meta charset="{declared}"><title>Café in Zürich reopens</title></head>'
        f"<body><article><h1>Café in Zürich reopens</h1><p>{text}</p><p>{text}</p></article></body></html>".encode(encoding)
    )
    (article,), errors, _, _ = _read(page)
    assert not errors and article.title == "Café in Zürich reopens"
    assert "Zürich café" in article.body and "Ã" not in article.body


def _bad_name_corpus(tmp_path):
    """A folder holding a good file and one whose name is the bytes b"bad\\xff.txt"."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(_story(1))
    bad = os.path.join(os.fsencode(corpus), b"bad\xff.txt")
    with open(bad, "wb") as f:
        f.write(_story(2).encode())
    return corpus, bad


def test_a_file_name_that_is_not_utf8_is_indexed_and_shown_escaped(tmp_path):
    # the byte 0xff in one name raised UnicodeEncodeError and indexed nothing of the batch
    corpus, bad = _bad_name_corpus(tmp_path)
    for given in (corpus, os.fsencode(corpus), [bad, corpus / "good.txt"]):
        articles, errors, _, _ = _read(given)
        assert not errors and sorted(a.title[-1] for a in articles) == ["1", "2"]
        by_title = {a.title[-1]: a for a in articles}
        assert by_title["2"].path.endswith("corpus/bad\\xff.txt")
        by_title["2"].path.encode("utf-8")
    ix = ns.create_index(tmp_path / "ix")
    with ix:
        with ix.writer() as w:
            w.add_many(ns.read_path(corpus))
        assert w.report.added == 2 and not w.report.failed
        paths = {hit.article.title[-1]: hit.article.path for hit in ix.search("storm").hits}
        assert paths["2"].endswith("corpus/bad\\xff.txt") and paths["1"].endswith("corpus/good.txt")
        with ix.writer() as w:  # the file is there: pruning keeps its article
            assert w.prune([corpus]) == 0
        os.remove(bad)
        with ix.writer() as w:  # gone: pruning finds it from its shown name
            assert w.prune([os.fsencode(corpus)]) == 1
        assert ix.search("storm").total == 1
    with pytest.raises(ns.ConfigError, match=r"--source 'X\\xff' is not UTF-8 text"):
        list(ns.read_path(corpus, source=os.fsdecode(b"X\xff")))  # stored, it stopped the run


def test_a_name_that_is_not_utf8_through_the_command_line(tmp_path, runner):
    corpus, _ = _bad_name_corpus(tmp_path)
    where = os.path.join(os.fsdecode(tmp_path), os.fsdecode(b"ix\xff"))  # the index folder too
    result = runner.invoke(cli, ["index", str(corpus), "--index", where, "--json"])
    assert result.exit_code == EXIT_OK, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == 2 and report["index"].endswith("/ix\\xff")
    assert result.stderr.count("\n") == 3 and result.stderr.rstrip().endswith("have no date (kept without one)")
    assert "into " + os.fsdecode(tmp_path) + "/ix\\xff" in result.stderr

    result = runner.invoke(cli, ["search", "storm", "--index", where, "--json"])
    lines = map(json.loads, result.stdout.splitlines())
    hits = {hit["title"][-1]: hit for hit in lines if hit["type"] == "hit"}
    assert result.exit_code == EXIT_OK and hits["2"]["path"].endswith("corpus/bad\\xff.txt")
    result = runner.invoke(cli, ["show", hits["2"]["id"], "--index", where])
    assert result.exit_code == EXIT_OK and f"file: {corpus}/bad\\xff.txt\n" in result.stdout
    for command in (["stats", "--json"], ["check", "--json"]):
        result = runner.invoke(cli, [*command, "--index", where])
        assert result.exit_code == EXIT_OK and json.loads(result.stdout)["index"].endswith("/ix\\xff")
    result = runner.invoke(cli, ["stats", "--index", where])
    assert result.exit_code == EXIT_OK and result.stdout.startswith("index:     " + os.fsdecode(tmp_path) + "/ix\\xff (")

    missing = os.fsdecode(b"nope\xff\n.txt")
    result = runner.invoke(cli, ["index", missing, str(corpus), "--index", str(tmp_path / "ix2")])
    assert result.exit_code == EXIT_PARTIAL
    assert result.stderr.splitlines()[0] == "Error: nope\\xff\\x0a.txt: no such file or folder"
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(tmp_path / "ix3"), "--source", os.fsdecode(b"X\xff")])
    assert result.exit_code == EXIT_USAGE and "--source: 'X\\xff' is not UTF-8 text" in result.stderr
    result = runner.invoke(cli, ["stats", "--index", os.fsdecode(b"/nonexistent/ix\xff")])
    assert result.exit_code == EXIT_ERROR and result.stderr.startswith("Error: no index at /nonexistent/ix\\xff;")
