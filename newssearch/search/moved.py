"""Old import paths of search modules, kept for one release with a ``DeprecationWarning``.

A module that moved or was split leaves a shim at its old path whose
module-level ``__getattr__`` is made here: importing a name from it warns,
naming the new home, and returns the object from there (the same object,
so ``isinstance`` checks and identity hold).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["forwarding"]


def forwarding(old: str, names: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the shim at ``old``: ``names`` maps each
    old name to ``"new.module:new_name"``."""

    def __getattr__(name: str) -> Any:
        target = names.get(name)
        if target is None:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        module, new_name = target.split(":")
        warnings.warn(
            f"{old}.{name} moved to {module}.{new_name}; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(module), new_name)

    return __getattr__
