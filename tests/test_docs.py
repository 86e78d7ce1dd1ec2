"""The README promises what the code does: two quick-start commands, the test
command CI runs, the exit codes, and every command documented."""

import re

from conftest import ROOT

from newssearch import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_one_line_commands():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "newssearch index examples/" in commands[0] and "newssearch search" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci


def test_exit_code_table_matches_the_cli():
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, flags=re.M))
    assert set(map(int, table)) == {cli.EXIT_OK, cli.EXIT_ERROR, cli.EXIT_USAGE, cli.EXIT_PARTIAL, cli.EXIT_INTERRUPTED}


def test_every_command_is_documented():
    for name in cli.cli.commands:
        assert f"newssearch {name}" in README
