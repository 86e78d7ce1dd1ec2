"""The public API is pinned: the ``__all__`` of ``newssearch``,
``newssearch.search`` and ``newssearch.errors``, exactly.

What a user may import is a promise: adding a name, and above all removing
or renaming one, is a decision to write down (README, changelog, and for a
move a deprecation shim that keeps the old path working for one release),
not a side effect of a refactor. So the lists are written out here, and the
test says what to update when they change. Every name must also resolve
(the lazily loaded ones included), appear in ``dir()`` (so completion and
``help`` see the lazy ones) and be documented: classes and functions by
their docstring, constants by a ``#:`` comment above their assignment.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import newssearch

PACKAGE = Path(newssearch.__file__).resolve().parent

PINNED = {
    "newssearch": [
        "AccessDenied", "AddressPolicy", "AddressRefused", "AmbiguousId", "Alert", "Article", "ArticleWriter", "CheckReport", "ConfigError", "DecompressedTooLarge",
        "EmptyFeed", "Explanation", "FORMATS", "FetchError", "FieldTooLarge", "Filters", "FollowReport", "Follower",
        "FollowerRunning", "Forbidden", "Hit", "IndexDamaged", "IndexLocked", "IndexNotFound", "IndexReport", "IndexStats", "IndexStoreError",
        "IndexVersionMismatch", "IngestError", "IngestNotice", "IngestWarning", "Limits", "NewsIndex",
        "NewsSearchError", "NotFound", "ParseError", "Politeness", "QuerySyntaxError", "RequestRefused", "RequestTooLarge", "SavedSearch", "SavedSearchExists", "SavedSearches", "ScorePart",
        "SearchRequest", "SearchResults", "SearchTimedOut", "Snippet", "Timeline", "UnsupportedFormat", "WorkerFailed", "__version__",
        "check_index", "create_index", "default_index_path", "format_datetime", "open_for_writing", "open_index",
        "parse_date", "read_path",
    ],
    "newssearch.search": [
        "ENGINES", "FACET_FIELDS", "FilterOptions", "Filters", "MAX_LIMIT", "SORTS", "SearchOptions", "SearchRequest",
    ],
    "newssearch.errors": [
        "AccessDenied", "AddressRefused", "AmbiguousId", "ConfigError", "DecompressedTooLarge", "EmptyFeed", "FetchError", "FieldTooLarge",
        "FollowerRunning", "Forbidden", "IndexDamaged", "IndexLocked", "IndexNotFound", "IndexStoreError", "IndexVersionMismatch", "IngestError",
        "IngestNotice", "IngestWarning", "NewsSearchError", "NotFound", "ParseError", "QuerySyntaxError", "RequestRefused",
        "RequestTooLarge", "SavedSearchExists", "SearchTimedOut", "Terminated",
        "UnsupportedFormat", "UnsupportedQueryShape", "WorkerFailed",
    ],
}

#: Names documented by Python's own conventions rather than a docstring.
UNDOCUMENTED_BY_CONVENTION = {"__version__"}


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_all_is_pinned(name):
    found = sorted(_module(name).__all__)
    pinned = sorted(PINNED[name])
    added, removed = sorted(set(found) - set(pinned)), sorted(set(pinned) - set(found))
    assert found == pinned, (
        f"{name}.__all__ changed (added {added}, removed {removed}): that changes the public API. Say so in "
        "README.md ('Using as a library') and in the changelog, give a moved or renamed name a deprecation shim "
        f"for one release, then update PINNED in tests/test_api.py"
    )


@pytest.mark.parametrize("name", sorted(PINNED))
def test_all_has_no_repeats(name):
    listed = _module(name).__all__
    assert len(set(listed)) == len(listed)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_every_public_name_resolves(name):
    module = _module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]  # hasattr runs the lazy __getattr__
    assert missing == []


@pytest.mark.parametrize("name", sorted(PINNED))
def test_dir_lists_every_public_name(name):
    # the lazily loaded names too: completion and help() go by dir()
    assert sorted(set(_module(name).__all__) - set(dir(_module(name)))) == []


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nosuchname'"):
        newssearch.nosuchname  # noqa: B018


def _module_file(name: str) -> Path:
    parts = name.split(".")[1:]
    package = PACKAGE.joinpath(*parts)
    return package / "__init__.py" if package.is_dir() else package.with_suffix(".py")


def _binding(module: str, name: str) -> tuple[str, ast.Module, ast.stmt] | None:
    """Where ``name`` gets its value in ``module``: the module and the
    statement that assigns it, following ``from x import name`` (those under
    ``if TYPE_CHECKING:`` too: they say where a lazily loaded name comes from)."""
    tree = ast.parse(_module_file(module).read_text(encoding="utf-8"))
    statements = list(tree.body)
    while statements:
        node = statements.pop(0)
        if isinstance(node, ast.If):
            statements[:0] = node.body
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return module, tree, node
        elif isinstance(node, ast.ImportFrom) and node.level:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    base = module.split(".") if _module_file(module).name == "__init__.py" else module.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    return _binding(".".join(base + ([node.module] if node.module else [])), alias.name)
    return None


def _constant_documented(module: str, name: str) -> bool:
    found = _binding(module, name)
    if found is None:
        return False
    where, tree, node = found
    lines = _module_file(where).read_text(encoding="utf-8").splitlines()
    above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
    body = tree.body
    after = body[body.index(node) + 1] if node in body and body.index(node) + 1 < len(body) else None
    docstring_after = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)
    return above.startswith("#:") or docstring_after


def _documented(module: str, name: str, obj: object) -> bool:
    if inspect.isclass(obj) or inspect.isfunction(obj):
        doc = obj.__doc__ or ""
        # a dataclass without a docstring gets its signature as one
        return bool(doc.strip()) and not doc.startswith(f"{obj.__name__}(")
    return _constant_documented(module, name)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_every_public_name_is_documented(name):
    module = _module(name)
    undocumented = [
        n for n in module.__all__ if n not in UNDOCUMENTED_BY_CONVENTION and not _documented(name, n, getattr(module, n))
    ]
    assert undocumented == [], "give each a docstring, or a '#:' comment above a constant's assignment"
