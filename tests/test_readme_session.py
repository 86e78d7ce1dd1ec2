"""The README's "A session" runs as written, from a fresh clone's folder.

The commands and the lines they print are read from the section's console
block, so the README cannot drift from what the program says (issue 20:
"the README's session ... run as written from a fresh clone"). Each
command runs in a folder holding a copy of ``examples/`` (``index
examples/`` and the default ``./index`` are relative, as for a reader in a
fresh clone) and must exit as a shell would let the session go on; every
line the README shows must be printed, after setting aside what changes
from run to run or from folder to folder: durations, rates, sizes on disk,
and the ids of articles without a URL (taken from the file's absolute
path). A line ending in "..." stands for any line it starts; a line of
"..." alone stands for lines left out.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from newssearch.cli import cli
from tests.helpers import ROOT, readme_session


def session() -> list[tuple[str, list[str]]]:
    """``(command, lines shown after it)`` for each ``$`` line of the section's console block."""
    return readme_session("## A session")


def normalised(line: str) -> str:
    """A printed line without what changes between runs and folders."""
    line = re.sub(r"\(\d+ ms\)", "(<ms>)", line)
    line = re.sub(r"in \d+\.\d s \([\d,]+ articles/s\)", "in <s> (<rate>)", line)
    line = re.sub(r"[\d.]+ [KMG]?B on disk", "<size> on disk", line)
    line = re.sub(r'"id": "[0-9a-f]{16}"', '"id": "<id>"', line)
    return line.rstrip()


def shown_in(expected: str, printed: list[str]) -> bool:
    """Whether the README's line is among the printed ones ("..." at its end: as a prefix)."""
    want = normalised(expected)
    for cut in ("...", "…"):
        if want.endswith(cut):
            stem = want[: -len(cut)].rstrip()
            return any(line.startswith(stem) for line in printed)
    return want in printed


def test_the_session_has_the_commands_this_test_runs() -> None:
    commands = [command for command, _shown in session()]
    assert commands[0] == "newssearch index examples/"
    assert {c.split()[1] for c in commands} >= {"index", "search", "timeline", "show", "stats"}
    assert sum(len(shown) for _c, shown in session()) > 40


def test_the_readme_session_runs_as_written(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    for command, shown in session():
        argv = shlex.split(command)[1:]
        result = runner.invoke(cli, argv, catch_exceptions=False)
        nothing_found = "No results" in result.stderr
        assert result.exit_code == (4 if nothing_found else 0), (command, result.stderr)
        printed = [normalised(line) for line in (result.stdout + result.stderr).splitlines()]
        missing = [line for line in shown if line.strip() != "..." and not shown_in(line, printed)]
        assert missing == [], (command, result.stdout, result.stderr)
