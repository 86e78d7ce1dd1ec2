"""A time budget for one search, checked where its work can grow.

Bounds on the query text (length, nesting, wildcard expansions) stop most
costly searches before they run; the budget stops the rest: a search that
runs past ``timeout`` seconds raises :class:`~newssearch.errors.SearchTimedOut`
at its next checkpoint (between the ranker's steps, every few hundred
wildcard expansions or matches), so one query cannot hold a server's worker.

The deadline is a context variable rather than an argument: the checkpoints
sit deep in the engine and the ranker, several calls below the request, and
a context variable is per thread and per asyncio task, so concurrent
searches in one process keep their own budgets.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import SearchTimedOut

__all__ = ["DEFAULT_TIMEOUT", "check_budget", "time_budget"]

#: Seconds a search may run by default (the library's and the CLI's): a
#: hundred times the slowest benchmark query at a million articles.
DEFAULT_TIMEOUT = 10.0

#: (monotonic deadline, the budget in seconds) of the search running here.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("newssearch_deadline", default=None)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of ``seconds`` (None: no budget). Inside
    another budget, the earlier deadline holds."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    current = _DEADLINE.get()
    if current is not None and current[0] <= deadline:
        yield
        return
    token = _DEADLINE.set((deadline, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_budget() -> None:
    """Raise :class:`SearchTimedOut` when the running search's budget is spent."""
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise SearchTimedOut(current[1])
