"""Ctrl-C, SIGTERM and SIGHUP end a run the same way, wherever they land.

The handler raises in the main thread, so a run is cancelled through its own
``finally`` blocks and ends with "Interrupted: ..." and exit 130 (143 for
SIGTERM). A second signal while the first is being handled exits at once:
the kernel drops the write lock and the writer processes die with this one;
the next run removes what they left.

Python runs a signal handler between any two bytecodes of the main thread,
including inside code whose exceptions it cannot pass on: an at-fork hook
(logging's ``_releaseLock`` runs after every fork of an indexing worker), a
``__del__`` method, a weakref or garbage-collector callback. There the
``KeyboardInterrupt`` is printed as "Exception ignored in ..." with a
traceback and dropped, and the run goes on to finish with exit 0 as if
Ctrl-C had never been pressed (seen in one SIGINT in six sent as the workers
start). :func:`stop_on_signals` therefore also installs an unraisable-hook:
an interrupt dropped there is not printed but delivered again a moment
later, from a helper thread, by which time the main thread has left the
place that swallowed it. Every other unraisable error goes to the hook that
was there before.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from typing import Any

from ..errors import Terminated
from .exits import EXIT_INTERRUPTED, EXIT_TERMINATED

__all__ = ["stop_on_signals"]

#: Seconds before a swallowed interrupt is delivered again: long enough for
#: the main thread to leave the hook or destructor that swallowed it (these
#: take microseconds), short enough that nobody notices the wait.
REDELIVER_AFTER = 0.05


def stop_on_signals() -> None:
    """Install the handlers for SIGINT, SIGTERM and SIGHUP and the hook
    that redelivers an interrupt Python dropped."""
    received: list[int] = []

    def handle(signum: int, _frame: Any) -> None:
        if received:
            os._exit(EXIT_INTERRUPTED if received[0] == signal.SIGINT else EXIT_TERMINATED)
        received.append(signum)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated

    def redeliver(signum: int) -> None:
        time.sleep(REDELIVER_AFTER)
        _thread.interrupt_main(signal.Signals(signum))

    previous_hook = sys.unraisablehook

    def on_unraisable(unraisable: Any) -> None:
        exc = unraisable.exc_value
        if isinstance(exc, KeyboardInterrupt) and received:
            # the interrupt never reached the run: forget it, so that its
            # second delivery is handled as the first, not as a second Ctrl-C
            signum = received.pop()
            threading.Thread(target=redeliver, args=(signum,), name="newssearch-redeliver", daemon=True).start()
            return
        previous_hook(unraisable)

    sys.unraisablehook = on_unraisable
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handle)
