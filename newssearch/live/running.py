"""One follower per index at a time: ``follow.lock`` beside the index.

Two followers of one index each fetched the same feeds, and each delivered
the alerts it found undelivered before the other had recorded them as
delivered: two ``follow --once`` runs started 0.3 s apart printed some
alerts twice. The index's write lock cannot prevent it (a follower holds
it only while committing), so a follower holds this lock for as long as it
runs: a round, or every round of :meth:`~newssearch.live.follow.Follower.run`,
waits included. A second follower is refused at once, naming the first, so
that cron's next ``--once`` does not pile up behind a slow round.

It is an ``flock`` on its own file: the kernel drops it with its holder,
however that dies, so it is never stale, and two followers in one process
exclude each other too (``flock`` belongs to the open file, not the
process). Feed commands run by ``--exec`` do not inherit it (the file is
opened close-on-exec). The file is opened without following a symlink,
and holds the holder's process id, for the message.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import FollowerRunning, IndexStoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None  # type: ignore[assignment]

__all__ = ["FOLLOW_LOCK", "FollowLock"]

#: The lock file's name, beside the index.
FOLLOW_LOCK = "follow.lock"


class FollowLock:
    """The follower lock of the index at ``index_path`` (not taken until :meth:`acquire`)."""

    def __init__(self, index_path: str | Path) -> None:
        self.path = Path(index_path) / FOLLOW_LOCK
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`~newssearch.errors.FollowerRunning` naming its holder."""
        if self._fd is not None or fcntl is None:
            return
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise IndexStoreError(f"cannot open the follower lock {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            raise FollowerRunning(
                f"another follower{holder} is running on the index {self.path.parent}:"
                " one at a time, so that no alert is delivered twice"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the file stays: removing it would race with the next holder)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {text})" if text.isdigit() else ""
