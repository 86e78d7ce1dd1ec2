"""The SQLite files beside an index (saved searches, the follower's state):
checked by ``check``, mended by ``check --repair``.

Neither file can be rebuilt from the index: a saved search is what a user
typed, a feed's state what the follower learnt. So damage must be found and
said, never papered over: an emptied ``saved.sqlite`` used to look like an
index with no saved searches, and a truncated ``follow.sqlite`` made every
round of ``follow`` fail while ``check`` said the index was sound.

* :func:`check_files` runs SQLite's own ``PRAGMA integrity_check`` on each
  file and compares its tables and columns with the schema its module
  creates (:mod:`.schemas`); a file of 0 bytes is damage (SQLite would
  silently start an empty database in it).
* :func:`repair_files` keeps a damaged file aside (``NAME.damaged-TIME``,
  never deleted), writes a new one with the same tables, copies over every
  row that can still be read, and says in one line what was lost.
* :func:`refuse_emptied` is what the modules that use the files call before
  opening one, so an emptied file is an error naming it, not silence.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from ..errors import NewsSearchError
from .schemas import FOLLOW_FILE, FOLLOW_SCHEMA, SAVED_FILE, SAVED_SCHEMA

__all__ = ["FILES", "check_files", "refuse_emptied", "repair_files"]

#: Each file beside the index: its name, what it holds (for messages), its schema.
FILES: tuple[tuple[str, str, str], ...] = (
    (SAVED_FILE, "saved searches", SAVED_SCHEMA),
    (FOLLOW_FILE, "the follower's state", FOLLOW_SCHEMA),
)


def refuse_emptied(path: Path, what: str) -> None:
    """Raise when ``path`` exists but holds 0 bytes: SQLite would open it as
    a new, empty database, and ``what`` it held would be gone without a word."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return
    if empty:
        raise NewsSearchError(
            f"{path} ({what}) is empty (0 bytes): what it held is gone; 'newssearch check --repair --index {path.parent}'"
            " keeps it aside and starts a new one"
        )


def _tables(schema: str) -> dict[str, list[str]]:
    """Table -> columns, as the schema creates them (in a database in memory)."""
    with closing(sqlite3.connect(":memory:")) as con:
        con.executescript(schema)
        return _tables_of(con)


def _tables_of(con: sqlite3.Connection) -> dict[str, list[str]]:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {n: [r[1] for r in con.execute(f"PRAGMA table_info({_quote(n)})")] for n in names}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_problem(path: Path, what: str, schema: str) -> str | None:
    """What is wrong with one SQLite file (None: sound, or absent: nothing was ever kept)."""
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        return f"{path.name} ({what}) is empty (0 bytes): what it held is gone"
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as con:
            found = [r[0] for r in con.execute("PRAGMA integrity_check")]
            if found != ["ok"]:
                return f"{path.name} ({what}) is damaged: {'; '.join(str(f) for f in found[:2])}"
            tables = _tables_of(con)
    except sqlite3.Error as exc:
        return f"{path.name} ({what}) cannot be read: {exc}"
    for table, columns in _tables(schema).items():
        have = tables.get(table)
        if have is None:
            return f"{path.name} ({what}) has no table {table}"
        missing = [c for c in columns if c not in have]
        if missing:
            return f"{path.name} ({what}): table {table} lacks {', '.join(missing)}"
    return None


def check_files(index: Path) -> list[str]:
    """What is wrong with the SQLite files beside the index at ``index``."""
    return [p for name, what, schema in FILES if (p := file_problem(index / name, what, schema))]


def repair_files(index: Path) -> tuple[list[str], list[str]]:
    """Mend each damaged file beside ``index``: keep it aside, start a new one
    with every row that can still be read. Returns (what was done, what was
    lost), a line each. Call it while no follower or saved-search run is
    writing them (``check --repair`` holds the index's write lock)."""
    done: list[str] = []
    lost: list[str] = []
    for name, what, schema in FILES:
        path = index / name
        if file_problem(path, what, schema) is None:
            continue
        aside = path.with_name(f"{name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            side = path.with_name(name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        copied, gone = _salvage(aside, path, schema)
        done.append(f"{name} ({what}) kept aside as {aside.name}; a new one holds the {copied:,} rows that could still be read")
        if gone:
            lost.append(f"{name} ({what}): lost {gone}")
    return done, lost


def _salvage(source: Path, target: Path, schema: str) -> tuple[int, str]:
    """Copy every readable row of ``source``'s tables into a new ``target``;
    return the rows copied and, in words, what could not be read."""
    copied = 0
    gone: list[str] = []
    with closing(sqlite3.connect(target)) as out:
        out.executescript(schema)
        wanted = _tables(schema)
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True) if source.stat().st_size else None
        except sqlite3.Error:
            src = None
        if src is None:
            gone.append("everything it held (" + ", ".join(wanted) + ")")
        else:
            with closing(src):
                for table, columns in wanted.items():
                    cols = ", ".join(_quote(c) for c in columns)
                    try:
                        rows = src.execute(f"SELECT {cols} FROM {_quote(table)}").fetchall()
                    except sqlite3.Error as exc:
                        gone.append(f"table {table} ({exc})")
                        continue
                    marks = ", ".join("?" for _ in columns)
                    with out:
                        out.execute("PRAGMA foreign_keys = OFF")
                        before = out.total_changes
                        out.executemany(f"INSERT OR IGNORE INTO {_quote(table)} ({cols}) VALUES ({marks})", rows)
                        copied += out.total_changes - before
    return copied, "; ".join(gone)
