"""The write lock of an index folder: one writer at a time, gone with its holder.

Whoosh's own lock is ``flock()`` on a file in the folder. A ``flock`` belongs
to the open file, and a forked process shares its parent's open files: the
multiprocess writer's workers inherited it, so when the indexer was killed
its workers (now children of init) kept the index locked until someone
killed them by hand. This lock is a POSIX record lock (``lockf``), which
belongs to the process that took it: children never hold it, and the kernel
drops it the moment its holder dies, however it dies. A lock file left on
disk by a dead holder is therefore never "stale": the next writer simply
takes the lock, and a live holder's lock can never be taken or deleted.

Record locks have one trap: they belong to the process, so a second lock
taken in the same process succeeds, and closing *any* descriptor of the
file releases them. Locks held here are therefore also kept in a
process-wide table, checked first, and the file is never opened again by
the process that holds it.

The file keeps the holder's process id and start time, so "locked" can say
by whom. Where ``fcntl`` is missing (Windows), Whoosh's lock is used.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh.util.filelock import FileLock

__all__ = ["LOCK_NAME", "WriteLock"]

#: The lock file's name (Whoosh's, so that older writers and this one exclude each other by name).
LOCK_NAME = "newssearch_WRITELOCK"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# lock files this process holds (real paths), guarded by _TABLE_LOCK
_HELD: set[str] = set()
_TABLE_LOCK = threading.Lock()


class WriteLock:
    """The write lock of the index folder ``folder`` (not taken until :meth:`acquire`)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None
        self._key = ""
        self._fallback: Any = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None or self._fallback is not None

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; say whether it was taken."""
        if self.held:
            return True
        deadline = time.monotonic() + timeout
        while True:
            if self._try():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def _try(self) -> bool:
        if fcntl is None:  # pragma: no cover - Windows

            lock = FileLock(str(self.path))
            if lock.acquire():
                self._fallback = lock
                return True
            return False
        key = os.path.realpath(self.path)
        with _TABLE_LOCK:
            if key in _HELD:  # held by this process: opening the file again would release it
                return False
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            _HELD.add(key)
            self._key = key
        self._fd = fd
        try:  # who holds it, for the message another writer gets
            stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {socket.gethostname()} {stamp}\n".encode(), 0)
        except OSError:
            pass
        return True

    def release(self) -> None:
        """Give the lock up (never raises: releasing must not mask an error).
        The file stays: deleting it could let two writers lock two different files."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            with _TABLE_LOCK:
                try:
                    os.close(fd)  # closing drops the record lock
                except OSError:
                    pass
                _HELD.discard(self._key)
        fallback, self._fallback = self._fallback, None
        if fallback is not None:  # pragma: no cover - Windows
            try:
                fallback.release()
            except Exception:  # noqa: BLE001
                pass

    def holder(self) -> str | None:
        """Who holds the lock, as the file says ("process 1234 on host since
        2026-11-29T20:03:00Z"), or None when that cannot be told."""
        with _TABLE_LOCK:
            if os.path.realpath(self.path) in _HELD:
                return f"this process ({os.getpid()})"
        try:
            words = self.path.read_text(encoding="utf-8", errors="replace").split()
        except OSError:
            return None
        if len(words) != 3 or not words[0].isdigit():
            return None
        return f"process {words[0]} on {words[1]} since {words[2]}"

    def __repr__(self) -> str:
        return f"<WriteLock {str(self.path)!r} {'held' if self.held else 'free'}>"
