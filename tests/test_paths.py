"""File names as they are shown (newssearch.paths): every byte a POSIX name
may hold becomes printable, encodable text, and a shown name still leads
back to its file."""

from __future__ import annotations

import json
import os

from newssearch.paths import shown_path, shown_path_exists, shown_text


def test_undecodable_bytes_are_shown_as_backslash_escapes():
    assert shown_path(b"dir/bad\xff.txt") == "dir/bad\\xff.txt"
    assert shown_path(os.fsdecode(b"bad\xff\xfe.txt")) == "bad\\xff\\xfe.txt"
    json.dumps(shown_path(b"bad\xff.txt"), ensure_ascii=False).encode("utf-8")  # raised UnicodeEncodeError unescaped


def test_control_characters_cannot_split_a_line_or_drive_the_terminal():
    assert shown_path("a\nb\x1b[31m\x7f\u009b.txt") == "a\\x0ab\\x1b[31m\\x7f\\u009b.txt"


def test_a_valid_name_is_shown_as_it_is_and_showing_twice_changes_nothing():
    for name in ("Zürich/café – 2006.txt", "back\\slash.txt", "日本.html"):
        assert shown_path(name) == name
    once = shown_path(b"bad\xff\n.txt")
    assert shown_path(once) == once


def test_shown_text_escapes_only_what_cannot_be_encoded():
    assert shown_text("no index at ix\udcff\tnow") == "no index at ix\\xff\tnow"


def test_a_shown_name_leads_back_to_its_file(tmp_path):
    for raw in (b"bad\xff.txt", b"tab\tname.txt"):
        real = os.path.join(os.fsencode(tmp_path), raw)
        shown = shown_path(real)
        assert not os.path.lexists(shown)
        assert not shown_path_exists(shown)
        open(real, "wb").close()
        assert shown_path_exists(shown)
        os.remove(real)
    # a backslash of the name's own is the name as written
    literal = tmp_path / "literal\\xff.txt"
    literal.write_text("x")
    assert shown_path_exists(str(literal))
