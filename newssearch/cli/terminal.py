"""Writing text to a terminal: lines wrapped to its width at word
boundaries with hanging indents, and messages that never land on the end
of a progress line.

Every command prints what people read through :func:`echo`. On a terminal
a long line is wrapped to the window's width: a hit's snippet, a body's
paragraph, an ``Error:`` line. Its continuation lines keep an indent, so
a wrapped line still reads as one item. When the stream is not a terminal
(a pipe, a file, the test runner), nothing is wrapped: scripts and
``grep`` see one logical line, as before.

Widths are what the terminal shows, not ``len()``: colour codes take no
column, an East Asian wide character takes two and a combining accent
none. The standard library's ``textwrap`` measures with ``len()`` (a
highlighted word would count its escape bytes, and a line of Chinese
would be twice the window), so the greedy fill here is our own; like
``textwrap`` with ``break_long_words=False`` and ``break_on_hyphens=False``,
it breaks at spaces, so a URL or an article id is never cut: it
moves whole to the next line, and one wider than the window stays where it
is (the terminal folds it; a click or a copy still gets all of it). Chinese
and Japanese, written without spaces, also break between two wide
characters (never before closing punctuation), so that a snippet of them
keeps its indent instead of being folded by the terminal.

A progress display (:mod:`newssearch.cli.progress`) registers itself
with :func:`showing`; :func:`echo` clears its line before printing and
draws it again after, so a warning or "Interrupted: ..." starts on a fresh
line instead of the end of the progress line.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol

import click

__all__ = ["StatusLine", "display_width", "echo", "hanging_indent", "showing", "terminal_width", "wrap"]

#: CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks,
#: window titles): they take no column and must never be split.
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_SGR = re.compile(r"\x1b\[([0-9;]*)m")

#: What a continuation line is aligned after: a rank (``12. ``), a saved
#: search's name (``[opec] ``), a bullet, a message's kind (``Error: ``,
#: ``Did you mean: ``) or a field's label (``     date: ``, ``  source: ``,
#: ``also: ``). Read on the visible text. Capitalised labels are only the
#: kinds of message, so that a line of prose ("Opec said: ...") keeps a
#: plain indent.
_MARKER = re.compile(
    r"[ ]*(?:\d{1,5}\. |\[[^\]\n]{1,40}\] |[-*\u2022] "
    r"|(?:Error|Warning|Skipped|Interrupted|Note|Did you mean): |[a-z][a-z_ ]{0,15}: +)"
)


class StatusLine(Protocol):
    """A line redrawn in place on stderr (a progress display)."""

    def clear(self) -> None:
        """Erase the line, leaving the cursor at its start (a :meth:`redraw` always follows)."""

    def redraw(self) -> None:
        """Draw the line again after a message was printed above it."""


_shown: list[StatusLine] = []  # the status line on screen now, if any


@contextmanager
def showing(status: StatusLine) -> Iterator[StatusLine]:
    """Register ``status`` as the line on screen while the block runs, so
    that :func:`echo` clears it before a message (see the module's docstring)."""
    _shown.append(status)
    try:
        yield status
    finally:
        _shown.remove(status)


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: escape sequences none, a
    combining mark none, a wide (East Asian) character two, the rest one."""
    visible = _ESCAPE.sub("", text) if "\x1b" in text else text
    if visible.isascii():
        return len(visible)
    width = 0
    for ch in visible:
        if unicodedata.combining(ch) or ch == "\u200b" or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def hanging_indent(line: str) -> str:
    """The indent of ``line``'s continuation lines: as wide as its leading
    spaces and its marker, if it starts with one (``12. ``, ``[name] ``,
    ``Error: ``, ``   date: ``), so that they line up under its text."""
    visible = _ESCAPE.sub("", line) if "\x1b" in line else line
    found = _MARKER.match(visible)
    prefix = found.group(0) if found else visible[: len(visible) - len(visible.lstrip(" "))]
    return " " * display_width(prefix)


def wrap(text: str, width: int, hang: str | None = None) -> str:
    """``text`` with every line longer than ``width`` columns broken at
    spaces, its continuation lines indented by ``hang`` (by default,
    :func:`hanging_indent` of the line). A word wider than the room left
    (a URL, an id) is never broken: it goes whole on the next line, or, when
    no line could hold it, stays where it is for the terminal to fold.
    A colour open at a break is closed at the end of the line and opened
    again after the indent, so that the indent is never coloured."""
    return "\n".join(_wrap_line(line, width, hang) for line in text.split("\n"))


def _wrap_line(line: str, width: int, hang: str | None) -> str:
    expanded = line.expandtabs(8) if "\t" in line else line  # a tab's width depends on its column
    if display_width(expanded) <= width:
        return line  # tabs kept: a terminal shows them as those spaces, and a copy keeps the columns
    line = expanded
    indent = hang if hang is not None else hanging_indent(line)
    if display_width(indent) > width // 2:  # a narrow window: keep room for words
        indent = " " * (width // 2)
    lead = line[: len(line) - len(line.lstrip(" "))]
    pieces = _wide_breaks(re.split(r"( +)", line[len(lead):]))  # word, spaces, word, ...
    lines: list[str] = []
    current, used = lead + pieces[0], display_width(lead + pieces[0])
    colours = _colours_after(pieces[0], [])
    room = width - display_width(indent)  # on a continuation line
    for i in range(1, len(pieces), 2):
        spaces, word = pieces[i], pieces[i + 1]
        need = display_width(word)
        # a word no line can hold (a long URL or path) stays where it is: the
        # terminal folds it wherever it starts, and "url: ..." stays together
        if used + len(spaces) + need <= width or not word or need > room:
            current += spaces + word
            used += len(spaces) + need
        else:
            lines.append(current + ("\x1b[0m" if colours else ""))
            current = indent + "".join(colours) + word
            used = display_width(indent) + need
        colours = _colours_after(word, colours)
    lines.append(current)
    return "\n".join(lines)


#: Characters a line may not start with (closing punctuation, the
#: prolonged sound mark): the break goes before the character ahead of them,
#: as Chinese and Japanese typesetting has it (kinsoku).
_NO_LINE_START = frozenset("\u3001\u3002\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\u300d\u300f\u3011\uff09\u3009\u300b\u30fc\u3005\u2026,.!?:;)]}\u201d\u2019")


def _wide_breaks(pieces: list[str]) -> list[str]:
    """``pieces`` (word, spaces, word, ...) with each word that holds East
    Asian wide characters split where a line may break without a space:
    before and after each wide character (Chinese and Japanese are written
    without spaces, and a line of them is broken between any two
    characters), never before closing punctuation; the pieces between
    are joined by "" (no space). A colour code stays with the character it
    colours."""
    if all(p.isascii() for p in pieces):
        return pieces
    out: list[str] = []
    for k, piece in enumerate(pieces):
        if k % 2 or not any(_east_asian_wide(ch) for ch in piece):
            out.append(piece)
            continue
        units: list[str] = []
        current, pending, after_wide = "", "", False
        for m in _UNIT.finditer(piece):
            token = m.group(0)
            if token.startswith("\x1b"):
                pending += token
                continue
            wide = _east_asian_wide(token[0])
            if current and (wide or after_wide) and token[0] not in _NO_LINE_START:
                units.append(current)
                current = ""
            current += pending + token
            pending, after_wide = "", wide
        units.append(current + pending)
        for i, unit in enumerate(units):
            if i:
                out.append("")
            out.append(unit)
    return out


#: A piece of a word: an escape sequence, or a character with the marks that follow it.
_UNIT = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|.[\u0300-\u036f\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200d\ufe00-\ufe0f]*", re.DOTALL)


def _east_asian_wide(ch: str) -> bool:
    """Whether a character takes two columns (East Asian wide or fullwidth)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _colours_after(word: str, colours: list[str]) -> list[str]:
    """The colour codes still in force after ``word`` (a reset clears them)."""
    if "\x1b" not in word:
        return colours
    colours = list(colours)
    for found in _SGR.finditer(word):
        if found.group(1) in ("", "0"):
            colours.clear()
        else:
            colours.append(found.group(0))
    return colours


def terminal_width(stream: IO[Any] | None) -> int | None:
    """The width to wrap ``stream``'s lines to, or None when it is not a
    terminal (then nothing is wrapped). ``COLUMNS`` overrides the window's
    width, as :func:`shutil.get_terminal_size` reads it."""
    try:
        if stream is None or not stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or odd stream: no terminal to fit
        return None
    columns = shutil.get_terminal_size((0, 0)).columns if os.environ.get("COLUMNS") else 0
    if not columns:
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = shutil.get_terminal_size((80, 24)).columns
    return columns if columns >= 20 else None  # a window too narrow to wrap into: let the terminal fold


def echo(message: str = "", *, err: bool = False, color: bool | None = None, hang: str | None = None) -> None:
    """Print ``message`` and a newline as :func:`click.echo` does, wrapped
    to the terminal's width when the stream is one (``hang``: the indent of
    continuation lines, by default each line's :func:`hanging_indent`),
    after clearing a progress line on screen."""
    stream = sys.stderr if err else sys.stdout
    width = terminal_width(stream)
    if width is not None:
        message = wrap(message, width, hang)
    for status in _shown:
        status.clear()
    try:
        click.echo(message, err=err, color=color)
    finally:
        for status in _shown:
            status.redraw()
