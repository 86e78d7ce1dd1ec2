"""Old import paths that keep working for one release, with a warning.

When a public name moves (an exception into :mod:`newssearch.errors`, a
module into a package), code written against the old path must not break
on upgrade: the old module keeps a module-level ``__getattr__`` made by
:func:`moved_names`, which returns the object from its new home and issues a
:class:`DeprecationWarning` naming it, so users learn the new path from the
warning rather than from a traceback. Our own code never uses the old
paths (``tests/test_deprecation.py`` checks both sides).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["REMOVED_IN", "moved_names"]

#: The release in which the old paths go.
REMOVED_IN = "0.3"


def moved_names(old_module: str, new_homes: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``old_module`` that resolves each name of
    ``new_homes`` with a :class:`DeprecationWarning`, and raises
    ``AttributeError`` for any other name, as a module does. ``new_homes``
    maps an old name to the module it now lives in (an absolute dotted
    path), or to ``"module:new_name"`` when it was renamed too. The object
    returned is the new one itself, so ``isinstance`` and identity hold."""

    def __getattr__(name: str) -> Any:
        target = new_homes.get(name)
        if target is None:
            raise AttributeError(f"module {old_module!r} has no attribute {name!r}")
        home, _, new_name = target.partition(":")
        new_name = new_name or name
        warnings.warn(
            f"{old_module}.{name} has moved to {home}.{new_name}; the old path goes in newssearch {REMOVED_IN}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(home), new_name)

    return __getattr__
