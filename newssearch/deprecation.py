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
    ``new_homes`` (name -> the module it now lives in, as an absolute dotted
    path) with a :class:`DeprecationWarning`, and raises ``AttributeError``
    for any other name, as a module does."""

    def __getattr__(name: str) -> Any:
        home = new_homes.get(name)
        if home is None:
            raise AttributeError(f"module {old_module!r} has no attribute {name!r}")
        warnings.warn(
            f"{old_module}.{name} has moved to {home}.{name}; the old path goes in newssearch {REMOVED_IN}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(home), name)

    return __getattr__
