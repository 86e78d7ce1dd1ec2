"""The group's commands, each module imported when its command is first asked for.

A run of ``newssearch`` uses one command, but importing every command's
module to register it loaded them all before the first answer (issue 23): a
search paid for the server's configuration, the follower's feed lists, the
cluster client, the indexer's progress bar and their libraries. Click reads
a group's commands through ``Group.commands`` (a mutable mapping) only:
:class:`LazyCommands` knows each name and where its command is defined,
imports that module on the first ``commands[name]``, and lists every name
without importing anything, so ``newssearch search`` loads the search
commands' module only, and ``--help`` (which shows every command's summary)
loads them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from importlib import import_module

import click

__all__ = ["LazyCommands"]


class LazyCommands(MutableMapping[str, click.Command]):
    """Command name -> command, imported on first use from ``where[name]``:
    a ``(module, attribute)`` pair, the module relative to ``package``.

    An import that fails is not a missing command: the error propagates (a
    ``KeyError`` would turn a broken install into "No such command")."""

    def __init__(self, package: str, where: Mapping[str, tuple[str, str]]) -> None:
        self._package = package
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        found = self._loaded.get(name)
        if found is None:
            module, attribute = self._where[name]  # KeyError: no such command
            found = getattr(import_module(module, self._package), attribute)
            self._loaded[name] = found
        return found

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        known = name in self._where or name in self._loaded
        self._where.pop(name, None)
        self._loaded.pop(name, None)
        if not known:
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._where, *self._loaded]))

    def __len__(self) -> int:
        return len(set(self._where) | set(self._loaded))

    def __contains__(self, name: object) -> bool:
        # without importing: "is there such a command?" is asked before running one
        return name in self._where or name in self._loaded
