"""Text on a terminal (newssearch/cli/terminal.py): wrapped to the window
at word boundaries with hanging indents, colour codes and wide characters
measured as the terminal shows them; left whole when not a terminal; and
a progress line cleared before any message (issue 20)."""

from __future__ import annotations

import io
import json
import re

from newssearch.cli import cli
from newssearch.cli.terminal import (
    display_width,
    echo,
    hanging_indent,
    showing,
    terminal_width,
    wrap,
)
from newssearch.search.snippets import ANSI_HIGHLIGHT

ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
ON, OFF = ANSI_HIGHLIGHT

HIT = (
    "12. Northern Rock shares slump again as the Bank of England's emergency loan fails to reassure savers\n"
    "   2007-09-17 18:22 UTC · Reuters · id 02533bbd4cfede5c · score 36.93\n"
    "   … Northern Rock is a major issuer of securities backed by UK mortgages, including six deals under its"
    " Granite program between 2004 and 2007 …\n"
    "   also: 2 more outlets (Markets Daily, news.example.org), 1 more version (2007-09-18 00:01 UTC)"
)


def plain(text: str) -> str:
    return ESCAPE.sub("", text)


def test_lines_fit_the_width_and_break_only_between_words():
    for width in (30, 47, 80):
        wrapped = wrap(HIT, width)
        assert all(display_width(line) <= width for line in wrapped.split("\n")), width
        assert wrapped.split() == HIT.split()  # the same words in the same order: none cut in two
        assert wrapped != HIT


def test_continuation_lines_hang_under_their_item():
    lines = wrap(HIT, 40).split("\n")
    title = [line for line in lines[: lines.index(next(x for x in lines if "2007-09-17" in x))]]
    assert title[0].startswith("12. Northern") and len(title) > 1
    assert all(line.startswith("    ") and line[4] != " " for line in title[1:])  # under the headline, past "12. "
    snippet_start = next(i for i, line in enumerate(lines) if "major issuer" in line or "… Northern" in line)
    also = next(i for i, line in enumerate(lines) if line.startswith("   also: "))
    assert all(line.startswith("   ") and line[3] != " " for line in lines[snippet_start + 1 : also])
    assert all(line.startswith(" " * 9) for line in lines[also + 1 :])  # under the text after "also: "
    assert hanging_indent("Error: no such index") == " " * 7
    assert hanging_indent("     date: 2007-09-17") == " " * 11
    assert hanging_indent("[opec] OPEC holds output") == " " * 7
    assert hanging_indent("Opec said: output holds") == ""  # prose, not a label


def test_a_url_or_id_wider_than_the_room_is_never_broken():
    url = "https://www.reuters.com/article/2007/11/23/us-northern-rock-idUSL2315984520071123"
    wrapped = wrap(f"   see the story at {url} for more on the run", 3 + len(url) + 3)  # room for the URL, not for "for"
    assert f"\n   {url}\n" in wrapped  # whole, on the next line, which holds it
    wrapped = wrap(f"      url: {url} and then some words", 60)
    assert wrapped.startswith(f"      url: {url}\n")  # no line holds it: left beside its label for the terminal to fold
    assert wrapped.split() == f"url: {url} and then some words".split()
    assert wrap(url, 20) == url


def test_colour_codes_take_no_width_and_are_never_split():
    words = ["Oil", "rises", "as", "OPEC", "holds", "output", "steady", "while", "Northern", "Rock", "seeks", "a", "buyer", "in", "London"]
    coloured = " ".join(f"{ON}{w}{OFF}" if w in ("OPEC", "Rock", "London") else w for w in words)
    text = "   " + coloured.replace(f"{ON}Rock", f"{ON}Northern Rock").replace("Northern " + f"{ON}Northern", f"{ON}Northern")
    for width in (20, 31, 44):
        wrapped = wrap(text, width)
        # broken where the same text without colour is broken: the codes were not counted
        assert plain(wrapped) == wrap(plain(text), width)
        for line in wrapped.split("\n"):
            assert "\x1b" not in ESCAPE.sub("", line)  # every escape sequence whole
            assert not line.startswith("\x1b")  # the indent is never coloured


def test_a_highlight_across_a_break_is_closed_and_reopened():
    text = f"   the run on {ON}Northern Rock{OFF} was the first"
    wrapped = wrap(text, 22).split("\n")
    assert wrapped[0].endswith(f"{ON}Northern\x1b[0m")
    assert wrapped[1].startswith(f"   {ON}Rock{OFF}")


def test_wide_and_combining_characters_are_measured_as_shown():
    assert display_width("中文") == 4 and display_width("e\u0301te\u0301") == 3 and display_width(f"{ON}ab{OFF}") == 2
    wrapped = wrap("北京 上海 广州 深圳 天津", 10).split("\n")  # 4 columns a word
    assert wrapped == ["北京 上海", "广州 深圳", "天津"]


def test_tabs_are_measured_as_the_spaces_they_stand_for():
    line = "opec\t'opec output' (since 2007-01-01, source Reuters, sorted by date)\t3 unread"
    wrapped = wrap(line, 40, hang="    ")
    assert "\t" not in wrapped and all(display_width(x) <= 40 for x in wrapped.split("\n"))
    assert wrap("a\tb", 40) == "a\tb"  # a line that fits is left as it is


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_only_a_terminal_has_a_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    assert terminal_width(io.StringIO()) is None  # a pipe or a file: no wrapping
    assert terminal_width(FakeTerminal()) == 60
    monkeypatch.setenv("COLUMNS", "10")
    assert terminal_width(FakeTerminal()) is None  # too narrow to wrap into


def test_echo_wraps_on_a_terminal_and_not_when_piped(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    message = "Error: no article with id 'zzz' in /tmp/some/index: give one of the ids search prints"
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    echo(message, err=True)
    assert piped.getvalue() == message + "\n"
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    echo(message, err=True)
    assert terminal.getvalue() == wrap(message, 40) + "\n" and terminal.getvalue().count("\n") > 1


def test_the_cli_does_not_wrap_when_not_a_terminal(runner, tmp_path):
    """CliRunner's streams are not terminals: every logical line stays one line, as a script reads it."""
    body = " ".join(["The central bank said it stood ready to provide liquidity to the lender"] * 6)
    record = {"title": "Bank of England backs Northern Rock with emergency funding", "text": body,
              "url": "https://example.com/" + "n" * 90, "published": "2007-09-14T08:00:00Z", "source": "Wire"}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    where = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(tmp_path / "a.jsonl"), "--index", where]).exit_code == 0
    found = runner.invoke(cli, ["search", "liquidity", "--index", where, "--json"])
    article_id = json.loads(found.stdout.splitlines()[0])["id"]
    shown = runner.invoke(cli, ["show", article_id, "--index", where])
    assert body in shown.stdout.splitlines()  # the body, one line of 400+ characters
    assert f"      url: {record['url']}" in shown.stdout.splitlines()
    listed = runner.invoke(cli, ["search", "liquidity", "--index", where])
    assert any(len(line) > 100 and line.startswith("   ") for line in listed.stdout.splitlines())  # the snippet, whole


class Recorder:
    """A status line that records what happened on the screen, in order."""

    def __init__(self, screen: list[str]) -> None:
        self.screen = screen

    def clear(self) -> None:
        self.screen.append("<clear>")

    def redraw(self) -> None:
        self.screen.append("<redraw>")


class Screen(io.StringIO):
    def __init__(self, screen: list[str]) -> None:
        super().__init__()
        self.screen = screen

    def write(self, text: str | bytes) -> int:
        self.screen.append(text.decode() if isinstance(text, bytes) else text)
        return len(text)


def test_a_message_clears_the_progress_line_first_and_redraws_it_after(monkeypatch):
    screen: list[str] = []
    monkeypatch.setattr("sys.stderr", Screen(screen))
    monkeypatch.setattr("sys.stdout", Screen(screen))
    with showing(Recorder(screen)):
        echo("Warning: a.jsonl:3: date 'Feb 30' not used", err=True)
        echo("1. a hit on stdout")
    echo("Interrupted: the index is as it was at its last commit.", err=True)  # nothing on screen now
    text = [x.strip() for x in screen if x.strip()]
    assert text == [
        "<clear>", "Warning: a.jsonl:3: date 'Feb 30' not used", "<redraw>",
        "<clear>", "1. a hit on stdout", "<redraw>",
        "Interrupted: the index is as it was at its last commit.",
    ]


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_a_line_of_chinese_or_japanese_breaks_between_characters_within_the_width():
    # written for the test; no spaces, as Chinese is written, with a highlighted word and full-width punctuation
    text = "北京大学的学生今天参加了关于气候变化的国际会议，会议讨论了各国减少排放的计划。" * 3
    line = "   " + text.replace("气候变化", "\x1b[1;33m气候变化\x1b[0m", 1)
    wrapped = wrap(line, 80).split("\n")
    assert len(wrapped) > 1
    assert all(display_width(part) <= 80 for part in wrapped)
    assert all(part.startswith("   ") for part in wrapped)  # the hanging indent, on every line
    assert not any(strip_ansi(part).lstrip()[0] in "，。" for part in wrapped[1:])  # no line starts with a comma or full stop
    assert "".join(strip_ansi(part)[3:] for part in wrapped) == text
    assert "\x1b[1;33m" in "".join(wrapped)
