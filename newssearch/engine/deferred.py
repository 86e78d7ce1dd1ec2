"""Whoosh's English morphology, loaded when first called rather than when Whoosh's queries load.

``whoosh.query.terms`` imports ``variations`` from ``whoosh.lang.morph_en``
when it loads, for its ``Variations`` query (a word and its English
suffixed forms), and ``morph_en`` builds a table of 2,518 exceptions and
compiles its 115 suffix rules into 6 large regular expressions as it
loads: 11-20 ms on a busy 2-core machine, a third of the time a CLI search
spent compiling regular expressions before its first answer (issue 23).
newssearch never builds a ``Variations`` query (it stems with Porter2, in
:mod:`.language`). :func:`defer_morphology` puts a small module in
``morph_en``'s place before Whoosh's queries load; its ``variations`` loads
the real module at its first call and hands the word on, so a program that
does use ``Variations`` gets the same answers (pinned in
``tests/test_whoosh_behaviour.py``).

Called once, from this package's ``__init__``, which every module that
imports Whoosh loads first. If Whoosh's queries are already loaded (a
program imported Whoosh itself before newssearch), there is nothing to
defer and nothing is replaced.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any

__all__ = ["MORPHOLOGY", "defer_morphology"]

#: The module deferred.
MORPHOLOGY = "whoosh.lang.morph_en"


class _StandIn(ModuleType):
    """In ``sys.modules`` in place of :data:`MORPHOLOGY` until its first call."""


def _morphology() -> ModuleType:
    """The real module, loaded (once) in place of the stand-in."""
    module = sys.modules.get(MORPHOLOGY)
    if module is None or isinstance(module, _StandIn):
        sys.modules.pop(MORPHOLOGY, None)
        module = import_module(MORPHOLOGY)
    return module


def _variations(word: str) -> Any:
    """``whoosh.lang.morph_en.variations``, loading the module at the first call."""
    return _morphology().variations(word)


def defer_morphology() -> None:
    """Stand in for :data:`MORPHOLOGY` until its ``variations`` is called,
    unless it (or a Whoosh query module that imports it) is loaded already."""
    if MORPHOLOGY in sys.modules or "whoosh.query.terms" in sys.modules:
        return
    stand_in = _StandIn(MORPHOLOGY, "whoosh.lang.morph_en, loaded at the first call of variations() (newssearch)")
    stand_in.variations = _variations  # type: ignore[attr-defined]
    sys.modules[MORPHOLOGY] = stand_in
