"""A lock taken in the order it was asked for.

A server worker lets one request at a time use its index
(:mod:`.holder`). ``threading.Lock`` makes no promise about which waiter
gets it next, and under load it is often the thread that just let it go or
just arrived: a request can wait behind many that came after it. That tail
is what a reader sees as "the new article took 5 s to show" while the
server reopened the index within a second of the commit (issue 21,
``bench/fresh.py``). Handing the lock to the longest waiter bounds a
request's wait by the work queued in front of it.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType

__all__ = ["TurnLock"]


class TurnLock:
    """A mutual-exclusion lock granted first come, first served.

    The releasing thread hands the lock straight to the oldest waiter (it
    is never free in between), so no later arrival can take it first.
    Not reentrant; used as a context manager.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        """How many threads are waiting for their turn."""
        with self._mutex:
            return len(self._waiting)

    def acquire(self) -> None:
        """Wait for this thread's turn, then hold the lock."""
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder whose turn ends before ours: the lock is ours

    def release(self) -> None:
        """End this thread's turn: the oldest waiter holds the lock next."""
        with self._mutex:
            if not self._held:
                raise RuntimeError("release of a TurnLock that is not held")
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False

    def __enter__(self) -> TurnLock:  # noqa: PYI034 - typing.Self needs Python 3.11; not subclassed
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()
