"""The engine door: only newssearch/engine imports Whoosh, and the fast
paths over Whoosh's private codec API are the ones that run.

newssearch.engine.reading reads posting lists a block at a time and columns
in one go through whoosh3 internals, with a slow generic path for any other
class. An upgrade of whoosh3 that renamed those classes would make every
query quietly slower; here the generic paths raise, so it fails the tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import newssearch as ns
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


def test_no_module_outside_the_engine_touches_whooshs_private_attributes():
    # the private names the fast paths use, and the engine's own handles on
    # Whoosh objects: outside engine/ none may appear
    private = {"_read_data", "_blocklength", "_next_block", "_read_ids", "_perdoc", "_cached_reader", "_dbfile",
               "_basepos", "_fixedlen", "_defaultbytes", "_typecode", "_segments", "writelock", "jobqueue", "_ix",
               "whoosh_searcher", "whoosh_index", "whoosh_lock"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("engine/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in private:
                offenders.append(f"{rel}:{node.lineno} .{node.attr}")
    assert offenders == []


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
