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

Writing that line truncates the file, so the lock file is never reached
through a link: a lock file replaced by a symlink to another file emptied
that file (issue 26). It is opened with ``O_NOFOLLOW`` and must be a
regular file; anything else is refused with an error naming it rather than
replaced, because replacing it races: two writers could each put their
own file in place of the other's and both hold "the" lock. A link there
also means someone changed the folder, which its owner should look at.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from whoosh.util.filelock import FileLock

from ..errors import IndexStoreError
from ..paths import shown_path

__all__ = ["LOCK_NAME", "WriteLock"]

#: The lock file's name (Whoosh's, so that older writers and this one exclude each other by name).
LOCK_NAME = "newssearch_WRITELOCK"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: never follow a link to the lock file; never wait on a FIFO put in its place
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

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
        key = self._table_key()
        with _TABLE_LOCK:
            if key in _HELD:  # held by this process: opening the file again would release it
                return False
            fd = self._open()
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

    def _table_key(self) -> str:
        # the folder's real path, not the file's: a link in the file's place must not pass for another lock
        return os.path.join(os.path.realpath(self.path.parent), LOCK_NAME)

    def _open(self) -> int:
        """The lock file, opened for writing without following a link (see
        the module docstring); :class:`IndexStoreError` when it is not a
        regular file of the folder's own."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | _NONBLOCK, 0o644)
        except OSError as exc:
            if exc.errno == errno.EISDIR or (exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(self.path)):
                raise self._refused() from None  # EMLINK: FreeBSD's word for a link under O_NOFOLLOW
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise self._refused()
        return fd

    def _refused(self) -> IndexStoreError:
        if os.path.islink(self.path):
            what = (
                f"is a symlink (to {shown_path(os.readlink(self.path))}), which a writer never follows"
                " (taking the lock would empty the file it leads to)"
            )
        else:
            what = "is not a regular file (a folder, FIFO or device)"
        return IndexStoreError(
            f"index {shown_path(self.path.parent)}: its lock file {LOCK_NAME} {what}: remove {shown_path(self.path)} and run again"
        )

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
            if self._table_key() in _HELD:
                return f"this process ({os.getpid()})"
        try:  # not through a link either: the words of another file are no holder
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            try:
                words = os.read(fd, 200).decode("utf-8", errors="replace").split()
            finally:
                os.close(fd)
        except OSError:
            return None
        if len(words) != 3 or not words[0].isdigit():
            return None
        return f"process {words[0]} on {words[1]} since {words[2]}"

    def __repr__(self) -> str:
        return f"<WriteLock {str(self.path)!r} {'held' if self.held else 'free'}>"
