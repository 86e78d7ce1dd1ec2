"""File names as people see them: every byte a name may hold, shown as text
that any terminal, JSON parser or index can take.

A POSIX file name is bytes, not text. Python hands a name that is not
UTF-8 over as a string holding lone surrogates (``b"bad\\xff.txt"`` becomes
``"bad\\udcff.txt"``, PEP 383), and such a string cannot be encoded: not
into the index's terms, not into JSON a client can parse, not onto a
strict terminal. It stopped a whole ``index`` run (issue 26). A name may
also hold control characters (a newline would split a one-line message,
an escape sequence would drive the terminal).

So every name that leaves the filesystem layer goes through
:func:`shown_path`: such bytes become ``\\xNN`` escapes, the rest of the name
is unchanged (so valid names, backslashes included, read as before, and
showing a shown name again changes nothing). The escape is close to what
``ls --quoting-style=escape`` and Python's ``backslashreplace`` print.
The real name stays with the file handle (``Source.path``); where a
shown name must lead back to the file (pruning the articles of deleted
files), :func:`shown_path_exists` tries both readings.
"""

from __future__ import annotations

import os
import re

__all__ = ["shown_path", "shown_path_exists", "shown_text"]

#: C0 controls, DEL, C1 controls and every surrogate: what a name may hold
#: that cannot be encoded or would act on the terminal
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def shown_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """``path`` as valid, printable text: undecodable bytes and control
    characters as ``\\xNN`` (C1 controls and other lone surrogates as
    ``\\uNNNN``), everything else as it is."""
    return _UNSHOWABLE.sub(_escape, os.fsdecode(path))


def shown_text(text: str) -> str:
    """``text`` (a message that may quote a name or a command-line value)
    with its lone surrogates escaped as in :func:`shown_path`, so it can be
    printed and encoded; control characters are left to the message."""
    return _SURROGATE.sub(_escape, text)


def _unescape(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        code = int(match.group(1), 16)
        return chr(code) if code < 0x80 else chr(0xDC00 + code)
    return chr(int(match.group(2), 16))


def shown_path_exists(shown: str) -> bool:
    """Whether the file a shown name stands for exists (a symlink counts,
    broken or not): the name as written, else with its escapes read back
    into the bytes they stand for. Both, because a name may hold a
    backslash of its own; a file is only called gone when neither is there."""
    if os.path.lexists(shown):
        return True
    real = _ESCAPE.sub(_unescape, shown)
    return real != shown and os.path.lexists(real)
