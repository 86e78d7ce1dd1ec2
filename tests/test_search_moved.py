"""The search modules that moved keep their old import paths for one release:
each old name warns (DeprecationWarning, naming the new home) and is the very
object at the new path; our own imports never warn."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tests.helpers import ROOT

MOVED = {
    "newssearch.search.rank": {
        "BM25_B": "newssearch.search.bm25:BM25_B",
        "BM25_K1": "newssearch.search.bm25:BM25_K1",
        "MODEL": "newssearch.search.bm25:MODEL",
        "RankingModel": "newssearch.search.bm25:RankingModel",
        "CollectionStats": "newssearch.search.stats:CollectionStats",
        "GivenStats": "newssearch.search.stats:GivenStats",
        "RecentStats": "newssearch.search.stats:RecentStats",
        "WordsAsked": "newssearch.search.stats:WordsAsked",
        "Ranked": "newssearch.search.ranker:Ranked",
        "Ranker": "newssearch.search.ranker:Ranker",
        "Unsupported": "newssearch.errors:UnsupportedQueryShape",
        "Recency": "newssearch.search.recency:Recency",
    },
    "newssearch.search.parse": {
        "MAX_QUERY_WORDS": "newssearch.search.compile:MAX_QUERY_WORDS",
        "ParsedSearch": "newssearch.search.compile:CompiledSearch",
        "build_filter": "newssearch.search.compile:build_filter",
        "parse_query": "newssearch.search.compile:parse_query",
        "parse_request": "newssearch.search.compile:compile_request",
    },
    "newssearch.search.count": {
        "count_matches": "newssearch.search.totals:count_matches",
        "matching_docs": "newssearch.search.totals:matching_docs",
    },
    "newssearch.search.run": {
        "Matches": "newssearch.search.results:Matches",
        "find_matches": "newssearch.search.results:find_matches",
        "run_search": "newssearch.search.results:run_search",
    },
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_warns_and_gives_the_new_object(old: str) -> None:
    module = importlib.import_module(old)
    assert set(module.__all__) <= set(MOVED[old])
    for name, target in MOVED[old].items():
        new_module, new_name = target.split(":")
        with pytest.warns(DeprecationWarning, match=f"{old}.{name} has moved to {new_module}.{new_name}"):
            found = getattr(module, name)
        assert found is getattr(importlib.import_module(new_module), new_name)
    with pytest.raises(AttributeError):
        getattr(module, "no_such_name")


def test_the_library_and_its_search_modules_import_without_a_deprecation_warning() -> None:
    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "import newssearch, newssearch.cli, newssearch.index, newssearch.live.saved\n"
        "import newssearch.search.results, newssearch.search.timeline, newssearch.search.similar, newssearch.search.spelling\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
