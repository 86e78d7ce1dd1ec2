"""The import structure of newssearch, read from the source with ``ast``
(nothing is imported): no cycles, no private names taken from another
module, and function-local imports only where they pay for themselves.

How modules and imports are counted is in ``tests/codescan.py``: a package
is its ``__init__``; ``import newssearch.a.b`` and ``from newssearch.a import
b`` (``b`` a submodule) are an edge to ``newssearch.a.b``, ``from
newssearch.a import name`` an edge to ``newssearch.a``; the parent packages
Python runs first are not edges (else every package importing its own
submodules, the usual layout, would be a cycle).

(a) No import cycle among newssearch modules. Every import that runs is an
    edge, function-local ones included: a cycle hidden in a function still
    ties the two modules together and only moves the failure to run time.
    Imports under ``if TYPE_CHECKING:`` never run and are not edges.
    A violation is an edge that lies on a cycle (both ends in one strongly
    connected component): breaking a cycle removes its edges from the list.
(b) No module imports a private (``_x``) name of another newssearch module:
    ``from .a import _x``, or ``a._x`` on a module bound by an import.
(c) A function-local import must load something heavy or optional, and say
    why beside it. Heavy or optional: a third-party package (or a module
    of the standard library, named in full) in :data:`HEAVY_OR_OPTIONAL`, or a newssearch module that loads one of those
    when imported (its module-level imports, transitively; computed). The
    reason: a comment on the import's lines or a comment line directly above
    (``noqa``/``type: ignore``/``pragma`` markers alone do not count), or an
    ``except ImportError`` around it, whose handler says what happens without.
    Anything else belongs at the top of the module, where a reader sees what
    the module depends on.

:data:`KNOWN_VIOLATIONS_ISSUE_19` listed what the code broke when this test
came (90 violations, two cycles among them); it is empty now and the test
fails on any violation not in it, and on a listed one that no longer
occurs, so it can only shrink.
``python -m tests.test_imports`` prints the current violations and cycles.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path
from collections.abc import Iterator
from functools import cache

from tests import codescan

#: Third-party packages worth loading only when used, with why. Import times
#: measured on the busy 2-core test machine (``python -c 'import x'`` less
#: the interpreter's own start); ``import newssearch`` itself takes about 0.45 s.
HEAVY_OR_OPTIONAL = {
    "dask": "optional (newssearch[cluster]); 0.3 s",
    "distributed": "optional (newssearch[cluster]); 1.4 s",
    "trafilatura": "0.6 s, only for HTML pages",
    "feedparser": "0.2 s, only for feeds",
    "warcio": "0.3 s, only for crawl archives",
    "charset_normalizer": "0.2 s, only for undeclared encodings",
    "requests": "0.3 s, only for following feeds",
    "lxml": "0.07 s, only for HTML, feeds and OPML",
    "tantivy": "optional (bench only)",
    "starlette": "optional (newssearch[web]); 0.16 s, only for 'serve'",
    "uvicorn": "optional (newssearch[web]); 0.2 s, only for 'serve'",
    "h11": "optional (newssearch[web], with uvicorn), only for 'serve'",
    "tqdm": "0.01-0.06 s, only for the progress bar of 'index'",
    # a module of the standard library, named in full (issue 23: a search's start-up)
    "importlib.metadata": "0.02 s (email, zipfile, csv), only when an index is created",
    "multiprocessing": "0.02-0.05 s (with whoosh.multiproc), only to write an index",
    "sqlite3": "0.005 s, only for saved searches, the follower's state and checking them",
    "simplemma": "0.08 s, only at the first Bulgarian word (newssearch/lemmas.py)",
}


def heavy_or_optional(module: str) -> bool:
    """Whether ``module`` (dotted) is, or is part of, a listed package or module."""
    parts = module.split(".")
    return any(".".join(parts[:n]) in HEAVY_OR_OPTIONAL for n in range(1, len(parts) + 1))

#: What the code breaks today (issue 19); fix one, then delete its line.
KNOWN_VIOLATIONS_ISSUE_19: set[str] = set()


# -- (a) cycles ---------------------------------------------------------------


def runtime_edges(modules: dict[str, codescan.Module]) -> dict[str, dict[str, list[str]]]:
    """module -> imported module -> where (``path:line``, ``in function`` if local)."""
    edges: dict[str, dict[str, list[str]]] = {}
    for module in modules.values():
        for statement in module.imports:
            if not statement.runtime:
                continue
            for target in statement.internal:
                if target != module.name:
                    where = f"{module.rel}:{statement.line}" + (f" in {statement.function}()" if statement.function else "")
                    edges.setdefault(module.name, {}).setdefault(target, []).append(where)
    return edges


def strongly_connected(nodes: list[str], edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def cycles(modules: dict[str, codescan.Module]) -> tuple[set[str], str]:
    """The edges on cycles, and a description of each cycle in full."""
    edges = runtime_edges(modules)
    violations: set[str] = set()
    text = []
    for component in strongly_connected(sorted(modules), edges):
        text.append("cycle among " + ", ".join(component) + ":")
        for source in component:
            for target, where in sorted(edges.get(source, {}).items()):
                if target in component:
                    violations.add(f"cycle: {source} -> {target}")
                    text.append(f"  {source} -> {target}  ({'; '.join(where)})")
    return violations, "\n".join(text)


# -- (b) private names ----------------------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(modules: dict[str, codescan.Module]) -> set[str]:
    violations = set()
    for module in modules.values():
        bound: dict[str, str] = {}  # local name -> the newssearch module it is bound to
        for statement in module.imports:
            for imported in statement.names:
                if imported.source != module.name and _private(imported.name):
                    violations.add(f"private: {module.name} imports {imported.source}.{imported.name}")
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name.startswith("newssearch."):
                        bound[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = codescan.absolute_source(module, node)
                for alias in node.names:
                    if f"{source}.{alias.name}" in modules:
                        bound[alias.asname or alias.name] = f"{source}.{alias.name}"
        for node in ast.walk(module.tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                    and _private(node.attr) and bound[node.value.id] != module.name):
                violations.add(f"private: {module.name} uses {bound[node.value.id]}.{node.attr}")
    return violations


# -- (c) function-local imports ----------------------------------------------------


def heavy_modules(modules: dict[str, codescan.Module]) -> dict[str, set[str]]:
    """The newssearch modules that load a heavy or optional package when
    imported (through their module-level imports, transitively), and which."""
    direct = {
        name: {e for s in m.imports if s.runtime and s.function is None for e in s.external if heavy_or_optional(e)}
        for name, m in modules.items()
    }
    loads = {name: set(found) for name, found in direct.items()}
    changed = True
    while changed:  # until nothing more spreads along the module-level imports
        changed = False
        for name, module in modules.items():
            for statement in module.imports:
                if statement.runtime and statement.function is None:
                    for target in statement.internal:
                        if not loads[target] <= loads[name]:
                            loads[name] |= loads[target]
                            changed = True
    return {name: found for name, found in loads.items() if found}


_MARKERS = re.compile(r"noqa(:\s*[A-Z0-9, ]+)?|type:\s*ignore(\[[^\]]*\])?|pragma:\s*no\s*cover")


def comments(lines: list[str]) -> tuple[dict[int, str], set[int]]:
    """line number -> the reason a comment on it gives (markers removed);
    and the lines that hold nothing but a comment."""
    found: dict[int, str] = {}
    alone: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
        if token.type == tokenize.COMMENT:
            reason = _MARKERS.sub("", token.string.lstrip("#")).strip(" -:")
            if re.search(r"[A-Za-z]{2}", reason):
                found[token.start[0]] = reason
                if token.line.lstrip().startswith("#"):
                    alone.add(token.start[0])
    return found, alone


def guarded_by_import_error(tree: ast.Module) -> set[int]:
    """Lines of imports inside a ``try`` that catches ImportError."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if any("ImportError" in c or "ModuleNotFoundError" in c for c in caught):
                for stmt in node.body:
                    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                        lines.add(stmt.lineno)
    return lines


def local_imports(modules: dict[str, codescan.Module]) -> set[str]:
    heavy = heavy_modules(modules)
    violations = set()
    for module in modules.values():
        reasons, alone = comments(module.lines)
        guarded = guarded_by_import_error(module.tree)
        for statement in module.imports:
            if statement.function is None or not statement.runtime:
                continue
            where = f"{module.name}.{statement.function}"
            light = [t for t in statement.internal if t not in heavy]
            light += [e for e in statement.external if not heavy_or_optional(e)]
            if light:
                violations.add(f"local, light: {where} imports {', '.join(light)}")
                continue
            beside = any(n in reasons for n in range(statement.line, statement.end_line + 1))
            above = statement.line - 1 in alone
            if statement.line not in guarded and not beside and not above:
                what = ", ".join(statement.internal + statement.external)
                violations.add(f"local, no reason given: {where} imports {what}")
    return violations


# -- the test --------------------------------------------------------------------


@cache
def violations() -> tuple[frozenset[str], str]:
    modules = codescan.scan()
    found, described = cycles(modules)
    return frozenset(found | private_imports(modules) | local_imports(modules)), described


def test_the_scan_sees_the_package():
    modules = codescan.scan()
    assert len(modules) > 50 and "newssearch.search.request" in modules
    assert any(s.function for m in modules.values() for s in m.imports)
    assert any(s.type_checking for m in modules.values() for s in m.imports)


def test_the_cycle_finder_finds_cycles():
    edges = {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}
    assert strongly_connected(["a", "b", "c", "d"], edges) == [["a", "b", "c"]]


FIXTURE = {
    "__init__.py": "from .a import thing\n",
    "a.py": (
        "from typing import TYPE_CHECKING\n"
        "from . import b\n"
        "from .c import _hidden\n"
        "if TYPE_CHECKING:\n"
        "    from .d import Later\n"
        "thing = b._secret\n"
        "def f():\n"
        "    import json\n"
        "    from .heavy import parse  # lazy: the parser loads trafilatura\n"
        "    from .heavy import other\n"
        "    # feeds are rare\n"
        "    import feedparser\n"
        "    try:\n"
        "        import distributed\n"
        "    except ImportError:\n"
        "        return None\n"
        "    import requests  # noqa: F401\n"
        "    from importlib.metadata import version  # only when creating\n"
        "    from importlib import resources  # a module named in full is not its package\n"
    ),
    "b.py": "def g():\n    from .c import h  # breaks a cycle\n",
    "c.py": "from .a import thing\n_hidden = 1\ndef h(): ...\n",
    "d.py": "from .a import thing\nclass Later: ...\n",
    "heavy.py": "import trafilatura\ndef parse(): ...\nother = 1\n",
}


def test_the_rules_on_a_made_up_package(tmp_path):
    package = tmp_path / "newssearch"
    package.mkdir()
    for name, text in FIXTURE.items():
        (package / name).write_text(text, encoding="utf-8")
    modules = codescan.scan(package)
    found, described = cycles(modules)
    # a -> b -> c -> a (b's edge made in a function) and a -> c -> a; d's
    # import of a is no cycle, as a imports d only for type checking
    assert found == {"cycle: newssearch.a -> newssearch.b", "cycle: newssearch.b -> newssearch.c",
                     "cycle: newssearch.c -> newssearch.a", "cycle: newssearch.a -> newssearch.c"}
    assert "newssearch/b.py:2 in g()" in described
    assert private_imports(modules) == {"private: newssearch.a imports newssearch.c._hidden",
                                        "private: newssearch.a uses newssearch.b._secret"}
    assert local_imports(modules) == {
        "local, light: newssearch.a.f imports json",
        "local, light: newssearch.b.g imports newssearch.c",
        "local, no reason given: newssearch.a.f imports newssearch.heavy",
        "local, no reason given: newssearch.a.f imports requests",
        "local, light: newssearch.a.f imports importlib",
    }


def test_the_import_structure_breaks_no_rule_beyond_the_known_ones():
    found, described = violations()
    new = sorted(found - KNOWN_VIOLATIONS_ISSUE_19)
    assert not new, "\n".join(["new import-structure violations (see the docstring of tests/test_imports.py):", *new,
                               "", described])


def test_the_known_violations_only_shrink():
    found, _ = violations()
    fixed = sorted(KNOWN_VIOLATIONS_ISSUE_19 - found)
    assert not fixed, "\n".join(["fixed, so delete from KNOWN_VIOLATIONS_ISSUE_19:", *fixed])


if __name__ == "__main__":
    found, described = violations()
    print("KNOWN_VIOLATIONS_ISSUE_19 = {")
    for item in sorted(found):
        print(f'    "{item}",')
    print("}")
    print(described, file=sys.stderr)


#: Packages held to :data:`MAX_LINES` a module: the two that had grown hubs
#: (search/rank.py, 931 lines; cli.py, 964) before issue 19 split them.
SMALL_MODULE_PACKAGES = ("search", "cli")
MAX_LINES = 600


def test_no_module_of_search_or_the_cli_is_a_hub():
    package = Path(__file__).resolve().parents[1] / "newssearch"
    big = {
        str(path.relative_to(package)): n
        for name in SMALL_MODULE_PACKAGES
        for path in sorted((package / name).glob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert big == {}, f"split these by job (at most {MAX_LINES} lines a module)"
