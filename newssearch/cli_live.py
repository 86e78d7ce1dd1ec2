"""Deprecated: the living archive's commands moved into the :mod:`newssearch.cli` package.

``format_alert`` and ``alert_line`` are in :mod:`newssearch.cli.output`,
``saved_cmd`` in :mod:`newssearch.cli.saved` and ``follow_cmd`` in
:mod:`newssearch.cli.follow`. Importing them from here still works, with a
:class:`DeprecationWarning`, for one release.
"""

from __future__ import annotations

import warnings
from importlib import import_module
from typing import Any

__all__ = ["alert_line", "follow_cmd", "format_alert", "saved_cmd"]

#: Each old name and the module that now holds it.
_MOVED = {
    "alert_line": "newssearch.cli.output",
    "format_alert": "newssearch.cli.output",
    "saved_cmd": "newssearch.cli.saved",
    "follow_cmd": "newssearch.cli.follow",
}


def __getattr__(name: str) -> Any:
    """Return a moved name from its new module, warning that this path goes away."""
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"newssearch.cli_live.{name} is deprecated: import it from {_MOVED[name]}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(import_module(_MOVED[name]), name)
