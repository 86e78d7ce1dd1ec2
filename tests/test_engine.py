"""The engine door: only newssearch/engine imports Whoosh; the rest of
newssearch imports only the engine names it states (``SURFACE`` in
``newssearch/engine/__init__.py``) and touches none of Whoosh's private
attributes; the engine's own uses of them are listed, from the code, in
``newssearch/engine/whoosh_private.txt``; and the fast paths over Whoosh's
private codec API are the ones that run.

newssearch.engine.reading reads posting lists a block at a time and columns
in one go through whoosh3 internals, with a slow generic path for any other
class. An upgrade of whoosh3 that renamed those classes would make every
query quietly slower; here the generic paths raise, so it fails the tests.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from tests import codescan
import newssearch as ns
from tests import whoosh_private
from newssearch import engine
from newssearch.engine import reading

from tests.helpers import QUERIES

PACKAGE = Path(ns.__file__).resolve().parent


def _whoosh_importers() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "whoosh" or n.startswith("whoosh.") for n in names):
                found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_only_the_engine_imports_whoosh():
    importers = _whoosh_importers()
    assert importers, "the scan found no import of whoosh at all"
    assert {p for p in importers if not p.startswith("engine/")} == set()


# -- the surface: what the rest of newssearch imports from the engine ---------


def _engine_imports_outside() -> dict[str, dict[str, set[str]]]:
    """engine module -> name -> the modules outside engine/ importing it
    (under ``if TYPE_CHECKING:`` too: a type named is a name used)."""
    used: dict[str, dict[str, set[str]]] = {}

    def note(target: str, name: str, where: str) -> None:
        if target == "newssearch.engine" or target.startswith("newssearch.engine."):
            key = target.removeprefix("newssearch.engine").lstrip(".")
            used.setdefault(key, {}).setdefault(name, set()).add(where)

    for module in codescan.scan().values():
        if module.name == "newssearch.engine" or module.name.startswith("newssearch.engine."):
            continue
        for statement in module.imports:
            if not statement.names:  # import newssearch.engine.x
                for target in statement.internal:
                    note(target, "<the module itself>", module.rel)
            for imported in statement.names:
                if imported.submodule:  # from newssearch.engine import x
                    note(f"{imported.source}.{imported.name}", "<the module itself>", module.rel)
                else:
                    note(imported.source, imported.name, module.rel)
    return used


def test_outside_the_engine_only_the_stated_surface_is_imported():
    used = _engine_imports_outside()
    assert "query" in used and "reading" in used, "the scan found none of the engine's usual importers"
    unstated = {
        f"newssearch.engine.{key}: {name} (imported by {', '.join(sorted(where))})"
        for key, names in used.items()
        for name, where in names.items()
        if name not in engine.SURFACE.get(key, ())
    }
    assert not unstated, (
        "code outside newssearch/engine imports engine names that are not in its stated surface: import a name "
        "the engine already offers, or add the name to SURFACE and to the docstring of newssearch/engine/__init__.py:\n"
        + "\n".join(sorted(unstated))
    )


def test_the_surface_lists_only_names_in_use():
    used = _engine_imports_outside()
    unused = {f"{key}.{name}" for key, names in engine.SURFACE.items() for name in names if name not in used.get(key, {})}
    assert not unused, (
        "nothing outside the engine imports these any more: drop them from SURFACE and the docstring: "
        + ", ".join(sorted(unused))
    )


def test_every_surface_name_exists():
    for key, names in engine.SURFACE.items():
        module = importlib.import_module(f"newssearch.engine.{key}")
        assert [n for n in names if not hasattr(module, n)] == [], key


def _docstring_surface() -> dict[str, set[str]]:
    """The bullets of the engine docstring's surface section: ``* ``module``  names, ...``."""
    doc = engine.__doc__ or ""
    section = doc.split("What the rest of newssearch may import", 1)[1]
    stated: dict[str, set[str]] = {}
    for bullet in re.split(r"\n\* ", section)[1:]:
        bullet = bullet.split("\n\n", 1)[0]
        found = re.match(r"``(\w+)``\s+(.*)", bullet, flags=re.S)
        assert found, f"not a surface bullet: {bullet!r}"
        stated[found.group(1)] = set(re.findall(r"\w+", found.group(2)))
    return stated


def test_the_engine_docstring_states_the_surface():
    assert _docstring_surface() == {key: set(names) for key, names in engine.SURFACE.items()}


def test_the_engine_docstring_names_every_engine_module():
    doc = engine.__doc__ or ""
    modules = {p.stem for p in (PACKAGE / "engine").glob("*.py")} - {"__init__"}
    assert {m for m in modules if f":mod:`.{m}`" not in doc} == set()


def test_the_engine_package_loads_no_part_of_the_engine():
    # loading newssearch.engine.query must not load the writers (and
    # multiprocessing) or the store: SURFACE is a constant. The one import is
    # .deferred, which must run before Whoosh loads and loads nothing itself
    tree = ast.parse((PACKAGE / "engine" / "__init__.py").read_text(encoding="utf-8"))
    found = [(n.module, n.level) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert found == [("deferred", 1)]
    tree = ast.parse((PACKAGE / "engine" / "deferred.py").read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert names <= {"__future__", "sys", "importlib", "types", "typing"}, names


# -- Whoosh's private attributes ----------------------------------------------


def test_the_listing_of_whooshs_private_attributes_matches_the_code():
    expected = whoosh_private.render(whoosh_private.generate())
    listed = whoosh_private.LISTING.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(listed.splitlines(True), expected.splitlines(True),
                                        "whoosh_private.txt (checked in)", "from the code now"))
    assert diff == "", (
        "the engine's uses of Whoosh's private attributes changed: check them against whoosh3, then run "
        "`python -m tests.whoosh_private` and commit newssearch/engine/whoosh_private.txt\n" + diff
    )


def _whoosh_class(key: str) -> type:
    parts = key.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(key)


def test_the_pinned_whoosh3_defines_every_listed_attribute():
    # the listing was made against the pinned whoosh3: the version installed
    # is that one, and each listed class still has each listed attribute
    pin = re.search(r'"whoosh3==([^"]+)"', (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert pin and version("whoosh3") == pin.group(1)
    listing = whoosh_private.read_listing(whoosh_private.LISTING.read_text(encoding="utf-8"))
    assert len(listing) > 30
    defined = whoosh_private.whoosh_definitions()
    missing = []
    for name, (_modules, owners) in sorted(listing.items()):
        if not owners:
            missing.append(f"{name}: no whoosh3 class defines it")
        for key in owners:
            try:
                cls = _whoosh_class(key)
            except (ImportError, AttributeError):
                missing.append(f"{name}: whoosh3 has no class {key}")
                continue
            if not hasattr(cls, name) and name not in defined.get(key, ()):
                missing.append(f"{name}: {key} no longer defines it")
    assert not missing, "the engine relies on what whoosh3 no longer has:\n" + "\n".join(missing)


def test_no_module_outside_the_engine_touches_whooshs_private_attributes():
    # Whoosh's private attributes the engine uses (the listing), the private
    # state of the engine's own classes, and the engine's handles on Whoosh
    # objects (``whoosh_index``, ``whoosh_searcher``...): outside engine/
    # none may appear, except on an object's own ``self``
    listing = whoosh_private.read_listing(whoosh_private.LISTING.read_text(encoding="utf-8"))
    private = set(listing) | whoosh_private.engine_private_names()
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("engine/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("whoosh_"):
                offenders.append(f"{rel}:{node.lineno} .{node.attr}")
            access = whoosh_private.private_access(node)
            if access and access[1] in private and not whoosh_private.is_self(access[0]):
                offenders.append(f"{rel}:{node.lineno} .{access[1]}")
    assert not offenders, "outside newssearch/engine, ask the engine instead:\n" + "\n".join(sorted(offenders))


@pytest.fixture
def generic_paths_fail(monkeypatch):
    def slow(*args, **kwargs):
        raise AssertionError("a fast path fell back to the generic one: whoosh3's internals changed")

    for name in ("_generic_arrays", "_generic_ids", "_generic_length_bytes", "_generic_numbers"):
        monkeypatch.setattr(reading, name, slow)


def test_the_fast_paths_run_on_a_messy_index(messy_index, generic_paths_fail):
    ix = messy_index
    assert len(ix.session().snapshot.segments) >= 2 and any(s.deleted is not None for s in ix.session().snapshot.segments)
    for text in QUERIES:
        for sort in ("relevance", "date", "recency"):
            ix.search(text, sort=sort, facets=["section"], explain=True, limit=5)
        ix.timeline(text, by="month")
    ix.similar(ix.search("minsk")[0].article.id)


def live(seg, ids, weights):
    keep = [d not in seg.deleted_docs for d in ids]
    return ids[keep], weights[keep]


def test_the_generic_paths_give_what_the_fast_ones_give(messy_index):
    # the fallbacks are exact, only slow: the same arrays from both paths
    import numpy as np

    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    snapshot = messy_index.session().snapshot
    compared = 0
    for seg in snapshot.segments:
        for word in ("minsk", "grain", "number7", "stori"):
            for field in ("title", "body"):
                if not seg.has(field, word):
                    continue
                # Whoosh's deletion filter may have stepped past deleted
                # documents at the head of a list; deleted ones are masked
                # later anyway, so the live postings are what must agree
                fast_ids, fast_weights = live(seg, *seg.postings(field, word))
                slow_ids, slow_weights = live(seg, *reading._generic_arrays(reading._unfiltered(seg._reader.postings(field, word))))
                assert np.array_equal(fast_ids, slow_ids) and np.array_equal(fast_weights, slow_weights)
                fast = [d for d in seg.posting_ids(field, word) if d not in seg.deleted_docs]
                slow = [d for d in reading._generic_ids(reading._unfiltered(seg._reader.postings(field, word))) if d not in seg.deleted_docs]
                assert fast == slow
                compared += 1
        lengths = seg._reader._perdoc._cached_reader("_body_len", LENGTHS_COLUMN)
        assert np.array_equal(seg._length_bytes("body"), reading._generic_length_bytes(lengths, seg.size))
        published = seg._reader.column_reader("published", translate=False)
        assert np.array_equal(seg.numeric_column("published"), reading._generic_numbers(published, seg.size))
    assert compared >= 2 * len(snapshot.segments)
