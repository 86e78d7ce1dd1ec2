"""The README's "Following the news" session runs as written.

The commands are taken from the README's first console block of that
section, not kept in a copy here, so the README cannot drift from what
runs. The block starts a web server on 127.0.0.1:8000 over ``tests/data``;
here a loopback server on a free port (tests/loopback.py) serves the same
files, and every ``http://127.0.0.1:8000`` in a command or a served file
points at it. Each command runs in a fresh folder (``--index live`` is
relative, as for a reader in a fresh clone), must exit 0, and must print
the lines the README shows, times, durations and request rates aside.
"""

from __future__ import annotations

import re
import shlex
from email.utils import formatdate
from pathlib import Path

import pytest

from newssearch.cli import cli
from tests.helpers import ROOT, readme_session
from tests.loopback import Loopback, refuse_off_machine

DATA = ROOT / "tests" / "data"
README_SERVER = "http://127.0.0.1:8000"
SERVED = {"/feeds/northbay-live.xml": "application/rss+xml", "/html/harbour-tunnel.html": "text/html; charset=utf-8"}


def session() -> list[tuple[str, list[str]]]:
    """``(command, lines shown after it)`` for each ``$`` line of the section's console block."""
    return readme_session("## Following the news")


def normalised(line: str) -> str:
    """A printed line without what changes from run to run: times, durations, rates, the server's port."""
    line = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC", "<time>", line)
    line = re.sub(r"\d+\.\d+ s\b", "<s>", line)
    line = re.sub(r"\d+\.\d+ requests/s", "<rate>", line)
    return re.sub(r"127\.0\.0\.1:\d+", "<server>", line).rstrip()


def test_the_readme_session_has_the_commands_this_test_runs() -> None:
    commands = [command for command, _shown in session()]
    assert commands[0].startswith("python -m http.server 8000 --bind 127.0.0.1 --directory tests/data")
    assert commands[1].startswith("newssearch saved add ")  # before any index exists: the first command a reader types
    assert all(c.startswith("newssearch ") for c in commands[1:])
    assert {c.split()[1] for c in commands[1:]} >= {"saved", "follow"}
    assert any(c.startswith("newssearch follow list") for c in commands)


def test_the_readme_following_session_runs_as_written(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    off = refuse_off_machine(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with Loopback() as server:
        for path, kind in SERVED.items():
            file = DATA / path.lstrip("/")
            body = file.read_bytes().replace(README_SERVER.encode(), server.url.encode())
            # as http.server does: Last-Modified from the file, and 304 to a request that sends it back
            server.add(path, body, content_type=kind, last_modified=formatdate(file.stat().st_mtime, usegmt=True))
        steps = session()
        for command, shown in steps[1:]:
            argv = shlex.split(command.replace(README_SERVER, server.url), comments=True)[1:]
            result = runner.invoke(cli, argv, catch_exceptions=False)
            assert result.exit_code == 0, (command, result.stderr)
            printed = {normalised(line) for line in (result.stdout + result.stderr).splitlines()}
            missing = [line for line in shown if line.strip() != "..." and normalised(line) not in printed]
            assert missing == [], (command, result.stdout, result.stderr)
    assert off.tried == []
