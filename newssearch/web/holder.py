"""The index a server worker keeps open, shared by its requests one at a time.

Opening an index costs far more than a query, and the decoded posting lists
cached with its snapshot are what makes the second query fast, so a worker
opens it once (at start-up) and keeps it. Every request then asks
:meth:`NewsIndex.session <newssearch.index.NewsIndex.session>` for the
snapshot, which checks the index's generation on disk (a listing of the
index folder's tables of contents; every shard's for a sharded index) and
reopens it when ``index`` or ``follow`` committed in another process: a
commit is seen by the first request after it, without a restart and without
a timer.

A :class:`~newssearch.index.NewsIndex` is not made for threads (a reopen
closes the snapshot another search may be reading), and the web framework
runs requests in a pool of threads: :class:`IndexHolder` lets one request at
a time use it, in the order they asked (:class:`~.turns.TurnLock`: with a
plain lock a request could wait behind many that came after it). Searches
are CPU work under the GIL, so the lock costs no throughput; ``--workers``
adds processes, each with its own index.

When the index cannot be read (deleted, damaged, replaced by another
version), the request gets the error and the holder forgets the index, so
that the next request opens it again from disk: the server stays up and
recovers as soon as the index is fixed, with nothing to restart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import IndexStoreError
from ..index import NewsIndex, open_index
from .turns import TurnLock

__all__ = ["IndexHolder"]

_T = TypeVar("_T")


class IndexHolder:
    """One worker's index at ``path``, opened on first use and after a failure."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = TurnLock()
        self._index: NewsIndex | None = None

    def use(self, work: Callable[[NewsIndex], _T]) -> _T:
        """``work(index)``, alone; an error reading the index makes the next request reopen it."""
        with self._lock:
            try:
                if self._index is None:
                    self._index = open_index(self.path)
                return work(self._index)
            except IndexStoreError:
                self._forget()
                raise

    def close(self) -> None:
        """Close the index (the next request opens it again)."""
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        index, self._index = self._index, None
        if index is not None:
            with contextlib.suppress(Exception):  # a damaged index may fail to close too; it is being dropped anyway
                index.close()
