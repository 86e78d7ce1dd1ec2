"""The progress display of ``newssearch index`` (newssearch/cli/progress.py):
a total known before reading, percent by bytes (inside a streamed file
too), a stage shown once reading is over, the line erased before any
message, and nothing at all off a terminal or for a search (issue 20)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newssearch.cli import cli
from newssearch.cli.progress import IndexProgress, input_size
from newssearch.cli.terminal import echo
from newssearch.ingest import Source
from newssearch.write.transaction import IndexReport


def two_files(folder: Path) -> list[Path]:
    folder.mkdir()
    a, b = folder / "a.txt", folder / "b.txt"
    a.write_text("Oil rises\n\n" + "OPEC held output steady. " * 40, encoding="utf-8")
    b.write_text("Oil falls\n\n" + "OPEC cut output at last. " * 40, encoding="utf-8")
    (folder / "README.md").write_text("# about these files\n", encoding="utf-8")  # skipped by index: not counted
    return [a, b]


def test_the_input_is_counted_before_reading(tmp_path):
    files = two_files(tmp_path / "in")
    assert input_size([str(tmp_path / "in")]) == (2, sum(p.stat().st_size for p in files))
    assert input_size([str(tmp_path / "in"), "-"]) is None  # stdin's size is unknown until read
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "linked").symlink_to(tmp_path / "in")
    assert input_size([str(tmp_path / "top")]) == (0, 0)  # a link out of the folder is skipped, as index skips it
    assert input_size([str(tmp_path / "top")], follow_links=True) == input_size([str(tmp_path / "in")])


def test_percent_files_articles_then_a_stage_then_an_erased_line(tmp_path, capsys):
    files = two_files(tmp_path / "in")
    report = IndexReport()
    with IndexProgress([str(tmp_path / "in")], enabled=True) as progress:
        progress.start()
        for n, path in enumerate(files, 1):
            report.files = n
            progress.opened(Source(name=path.name, path=path), report)
            report.added = n
            progress.tick(report, force=True)
        shown = capsys.readouterr().err
        assert " 50%|" in shown and "2/2 files, 2 articles" in shown  # the first file done when the second opens
        progress.stage("committing 2 articles and merging segments")
        shown = capsys.readouterr().err
        assert "committing 2 articles and merging segments... 0 s" in shown
    assert capsys.readouterr().err.endswith("\r")  # the line erased for the report that follows


def test_inside_one_big_streamed_file_the_bytes_read_count(tmp_path, capsys):
    big = tmp_path / "crawl.warc"
    big.write_bytes(b"x" * 10_000)
    source = Source(name="crawl.warc", path=big)
    report = IndexReport(files=1)
    with IndexProgress([str(big)], enabled=True) as progress:
        progress.start()
        progress.opened(source, report)
        with source.open_raw() as stream:
            stream.read(2_500)
            assert source.bytes_read() == 2_500
            progress.tick(report, force=True)
            assert " 25%|" in capsys.readouterr().err
        assert source.bytes_read() == 0  # closed: counted whole when the next file opens or the run ends


def test_a_message_starts_on_a_fresh_line(tmp_path, capsys):
    """Before issue 20, 'Interrupted: ...' was printed on the end of the progress line."""
    files = two_files(tmp_path / "in")
    with IndexProgress([str(tmp_path / "in")], enabled=True) as progress:
        progress.start()
        progress.opened(Source(name=files[0].name, path=files[0]), IndexReport(files=1))
        echo("Warning: a.txt: date 'Feb 30' not used", err=True)
    err = capsys.readouterr().err
    before, _, after = err.partition("Warning: ")
    assert "%|" in before and before.endswith("\r")  # the bar was drawn, then erased: the cursor is at the line's start
    assert after.startswith("a.txt: date 'Feb 30' not used\n")
    assert "%|" in after  # drawn again under the message


def test_no_progress_when_disabled_or_off_a_terminal(tmp_path, capsys, runner):
    two_files(tmp_path / "in")
    with IndexProgress([str(tmp_path / "in")], enabled=False) as progress:
        progress.start()
        progress.opened(Source(name="a.txt", path=tmp_path / "in" / "a.txt"), IndexReport(files=1))
        progress.stage("committing")
    assert capsys.readouterr().err == ""
    result = runner.invoke(cli, ["index", str(tmp_path / "in"), "--index", str(tmp_path / "ix")])  # stderr not a terminal
    assert result.exit_code == 0 and "%|" not in result.stderr and "committing" not in result.stderr
    assert result.stderr.startswith("Read 2 articles from 2 files")


def test_a_search_never_loads_the_progress_library(tmp_path, runner):
    two_files(tmp_path / "in")
    where = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(tmp_path / "in"), "--index", where, "-q"]).exit_code == 0
    code = (
        "import sys\nfrom newssearch.cli import cli\n"
        f"try:\n    cli(['search', 'opec', '--index', {where!r}])\nexcept SystemExit:\n    pass\n"
        "print('tqdm' in sys.modules, 'newssearch.cli.progress' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "NEWSSEARCH_DEBUG"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.stdout.splitlines()[-1] == "False False", done.stderr


def test_reading_stdin_counts_without_a_percent(capsys):
    with IndexProgress(["-"], enabled=True) as progress:
        progress.start()
        progress.opened(Source(name="<stdin>"), IndexReport(files=1))
        progress.tick(IndexReport(files=1, added=3), force=True)
        shown = capsys.readouterr().err
    assert "1 file, 3 articles [" in shown and "%" not in shown
