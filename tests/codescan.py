"""The imports of every newssearch module, read with ``ast`` (nothing is imported).

Shared by ``tests/test_imports.py`` (cycles, private names, function-local
imports) and ``tests/test_engine.py`` (the engine's stated surface), so both
read the code the same way.

A module is named as Python names it (``newssearch.search.rank``); a
package is its ``__init__`` (``newssearch.search``). An import statement
resolves to the newssearch modules it loads: ``import newssearch.a.b`` and
``from newssearch.a import b`` (``b`` a submodule) load ``newssearch.a.b``;
``from newssearch.a import name`` (``name`` not a submodule) loads
``newssearch.a``. Parent packages, which Python also runs first, are not
counted: every module would then depend on its package, and every package
that imports its own submodules (the usual layout) would be a cycle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "newssearch"


@dataclass(frozen=True)
class ImportedName:
    """One ``from X import name`` where X is a newssearch module."""

    source: str  #: the module the name is taken from
    name: str  #: the name as written in that module (before any ``as``)
    submodule: bool  #: the name is itself a module (``from . import ingest``)


@dataclass(frozen=True)
class ImportStatement:
    """One import statement, where it stands and what it loads."""

    module: str  #: the importing module
    line: int
    end_line: int
    function: str | None  #: the enclosing function's qualified name; None at module level
    type_checking: bool  #: under ``if TYPE_CHECKING:``: never runs
    internal: tuple[str, ...]  #: the newssearch modules it loads
    external: tuple[str, ...]  #: the other modules it loads, full dotted names
    names: tuple[ImportedName, ...]  #: for ``from newssearch... import``: each name taken

    @property
    def runtime(self) -> bool:
        return not self.type_checking


@dataclass
class Module:
    """One source file of the package."""

    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    lines: list[str]
    rel: str  #: the path from the project folder, ``newssearch/search/rank.py``
    imports: list[ImportStatement] = field(default_factory=list)


def module_name(path: Path, package: Path = PACKAGE) -> tuple[str, bool]:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def absolute_source(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str, modules: dict[str, Module]) -> str:
    """The newssearch module that ``name`` loads: itself, or the nearest
    package above it that exists (a misspelt import fails elsewhere)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _statement(module: Module, node: ast.Import | ast.ImportFrom, function: str | None, type_checking: bool,
               modules: dict[str, Module]) -> ImportStatement:
    internal: list[str] = []
    external: list[str] = []
    names: list[ImportedName] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == "newssearch" or alias.name.startswith("newssearch."):
                internal.append(_known(alias.name, modules))
            else:
                external.append(alias.name)
    else:
        source = absolute_source(module, node)
        if source == "newssearch" or source.startswith("newssearch."):
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                is_sub = sub in modules
                internal.append(sub if is_sub else _known(source, modules))
                names.append(ImportedName(_known(source, modules), alias.name, is_sub))
        elif source != "__future__":
            external.append(source)
    end = node.end_lineno or node.lineno
    return ImportStatement(module.name, node.lineno, end, function, type_checking,
                           tuple(dict.fromkeys(internal)), tuple(external), tuple(names))


def _walk(module: Module, node: ast.AST, scope: list[str], in_function: bool, type_checking: bool,
          modules: dict[str, Module]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            function = ".".join(scope) if in_function else None
            module.imports.append(_statement(module, child, function, type_checking, modules))
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _walk(module, child, [*scope, child.name], True, type_checking, modules)
        elif isinstance(child, ast.ClassDef):
            _walk(module, child, [*scope, child.name], in_function, type_checking, modules)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                _walk(module, ast.Module(body=[stmt], type_ignores=[]), scope, in_function, True, modules)
            for stmt in child.orelse:
                _walk(module, ast.Module(body=[stmt], type_ignores=[]), scope, in_function, type_checking, modules)
        else:
            _walk(module, child, scope, in_function, type_checking, modules)


def scan(package: Path = PACKAGE) -> dict[str, Module]:
    """Every module of the package by name, with its import statements."""
    modules: dict[str, Module] = {}
    for path in sorted(package.rglob("*.py")):
        name, is_package = module_name(path, package)
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(package.parent).as_posix()
        modules[name] = Module(name, path, is_package, ast.parse(text, str(path)), text.splitlines(), rel)
    for module in modules.values():
        _walk(module, module.tree, [], False, False, modules)
    return modules
