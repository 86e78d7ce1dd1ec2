"""The exit codes the command line promises (the README's table) and
:func:`fail`, the one way a command stops on an error of its own.

Library errors never come here: they reach the group's one handler in
:mod:`newssearch.cli`, which prints them with :func:`fail` too, so every
error a user sees is one ``Error: ...`` line on stderr.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from ..paths import shown_text
from .terminal import echo

__all__ = [
    "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_NO_MATCH", "EXIT_OK", "EXIT_PARTIAL", "EXIT_TERMINATED", "EXIT_USAGE", "fail",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
#: A search, count or export that ran and found nothing: its own status, as
#: grep's and ripgrep's 1, but 4 here since 1 already means the run failed,
#: so that ``newssearch search ... || ...`` can tell "nothing" from "broken".
EXIT_NO_MATCH = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``Error: message`` on stderr and exit with ``code``. A name or
    value from the command line that is not UTF-8 is shown escaped
    (``\\xff``), as every file name is (see :mod:`newssearch.paths`)."""
    echo(f"Error: {shown_text(message)}", err=True)
    sys.exit(code)
