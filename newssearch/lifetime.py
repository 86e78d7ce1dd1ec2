"""A child process that ends when the process that started it dies.

A parent killed outright (SIGKILL, the OOM killer) runs no clean-up: its
children become children of init and go on, an index writer waiting
forever for its next batch, a server worker still answering on the port
of a server its user believes stopped. :func:`die_with_parent` asks the
kernel to signal the child when its parent goes (``PR_SET_PDEATHSIG`` on
Linux; elsewhere a thread that watches the parent's process id).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have ``signum`` sent to this process when ``parent`` (the process id
    that started it) dies: SIGKILL for a worker with nothing to finish,
    SIGTERM for one that should end as if asked to stop. Call it in the
    child, from the thread that will live as long as the process.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the request took effect
                    os.kill(os.getpid(), signum)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:  # pragma: no cover - platforms without prctl
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os.kill(os.getpid(), signum)

    threading.Thread(target=watch, daemon=True).start()
