"""Old import paths keep working for one release, with a DeprecationWarning
naming the new one (newssearch.deprecation); our own code uses none."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from newssearch.deprecation import REMOVED_IN

MOVED = [
    ("newssearch.writer", "ArticleWriter", "newssearch.write.articles"),
    ("newssearch.writer", "IndexReport", "newssearch.write.transaction"),
    ("newssearch.writer", "Transaction", "newssearch.write.transaction"),
    ("newssearch.sharding", "ShardedWriter", "newssearch.write.sharded"),
    ("newssearch.stories", "StoryGrouper", "newssearch.write.stories"),
    ("newssearch.stories", "same_story", "newssearch.write.stories"),
    ("newssearch.signature", "signature", "newssearch.write.signature"),
    ("newssearch.signature", "SAME_STORY", "newssearch.write.signature"),
    ("newssearch.engine.integrity", "IndexDamaged", "newssearch.errors"),
    ("newssearch.engine.workers", "WorkerFailed", "newssearch.errors"),
    ("newssearch.ingest.base", "FieldTooLarge", "newssearch.errors"),
    ("newssearch.ingest.feeds", "EmptyFeed", "newssearch.errors"),
    ("newssearch.ingest.encoding", "DecompressedTooLarge", "newssearch.errors"),
    ("newssearch.ingest", "IngestWarning", "newssearch.errors"),
    ("newssearch.ingest", "IngestNotice", "newssearch.errors"),
    # the search modules split or renamed ("module:new_name" where the name changed too)
    ("newssearch.search.rank", "BM25_B", "newssearch.search.bm25:BM25_B"),
    ("newssearch.search.rank", "BM25_K1", "newssearch.search.bm25:BM25_K1"),
    ("newssearch.search.rank", "MODEL", "newssearch.search.bm25:MODEL"),
    ("newssearch.search.rank", "RankingModel", "newssearch.search.bm25:RankingModel"),
    ("newssearch.search.rank", "CollectionStats", "newssearch.search.stats:CollectionStats"),
    ("newssearch.search.rank", "GivenStats", "newssearch.search.stats:GivenStats"),
    ("newssearch.search.rank", "RecentStats", "newssearch.search.stats:RecentStats"),
    ("newssearch.search.rank", "WordsAsked", "newssearch.search.stats:WordsAsked"),
    ("newssearch.search.rank", "Ranked", "newssearch.search.ranker:Ranked"),
    ("newssearch.search.rank", "Ranker", "newssearch.search.ranker:Ranker"),
    ("newssearch.search.rank", "Unsupported", "newssearch.errors:UnsupportedQueryShape"),
    ("newssearch.search.rank", "Recency", "newssearch.search.recency:Recency"),
    ("newssearch.search.rank", "Found", "newssearch.search.ranker:ScoredDocs"),
    ("newssearch.search.rank", "Coordination", "newssearch.search.ranker:Coordination"),
    ("newssearch.search.parse", "MAX_QUERY_WORDS", "newssearch.search.compile:MAX_QUERY_WORDS"),
    ("newssearch.search.parse", "ParsedSearch", "newssearch.search.compile:CompiledSearch"),
    ("newssearch.search.parse", "build_filter", "newssearch.search.compile:build_filter"),
    ("newssearch.search.parse", "parse_query", "newssearch.search.compile:parse_query"),
    ("newssearch.search.parse", "parse_request", "newssearch.search.compile:compile_request"),
    ("newssearch.search.count", "count_matches", "newssearch.search.totals:count_matches"),
    ("newssearch.search.count", "matching_docs", "newssearch.search.totals:matching_docs"),
    ("newssearch.search.run", "Matches", "newssearch.search.results:Matches"),
    ("newssearch.search.run", "find_matches", "newssearch.search.results:find_matches"),
    ("newssearch.search.run", "run_search", "newssearch.search.results:run_search"),
]


@pytest.mark.parametrize(("old_module", "name", "new_module"), MOVED)
def test_an_old_path_resolves_to_the_new_object_with_a_warning(old_module: str, name: str, new_module: str) -> None:
    new_module, _, new_name = new_module.partition(":")
    new_name = new_name or name
    module = importlib.import_module(old_module)
    with pytest.warns(DeprecationWarning, match=rf"{old_module}\.{name} has moved to {new_module}\.{new_name}.*{REMOVED_IN}"):
        moved = getattr(module, name)
    assert moved is getattr(importlib.import_module(new_module), new_name)
    with pytest.raises(AttributeError):
        getattr(module, "NoSuchName")


@pytest.mark.parametrize("old_module", sorted({old for old, _name, _new in MOVED if old.startswith("newssearch.search.")}))
def test_a_search_shim_lists_only_names_it_forwards(old_module: str) -> None:
    forwarded = {name for old, name, _new in MOVED if old == old_module}
    assert set(importlib.import_module(old_module).__all__) <= forwarded


def test_a_renamed_class_resolves_to_its_new_name() -> None:
    from newssearch import model

    with pytest.warns(DeprecationWarning, match=r"newssearch\.model\.Copy has moved to newssearch\.model\.StoryCopy"):
        assert model.Copy is model.StoryCopy


def test_a_saved_search_cursor_is_its_seq(tmp_index) -> None:
    saved = tmp_index.saved.add("minsk", "minsk")
    with pytest.warns(DeprecationWarning, match=r"SavedSearch\.cursor is now SavedSearch\.seq"):
        assert saved.cursor == saved.seq == tmp_index.session().snapshot.last_seq


def test_the_cluster_package_keeps_its_names_without_a_warning(recwarn: pytest.WarningsRecorder) -> None:
    import newssearch.cluster as cluster
    from newssearch.cluster.build import build_on_cluster
    from newssearch.cluster.search import fan_out

    assert cluster.build_on_cluster is build_on_cluster and cluster.fan_out is fan_out
    assert callable(cluster.connect)  # the function, not its module
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_the_library_uses_no_old_path() -> None:
    """Loading the library's modules touches no moved name (a fresh
    interpreter, so that nothing is cached from other tests)."""
    modules = [
        "newssearch",
        "newssearch.cli",
        "newssearch.cluster.build",
        "newssearch.cluster.search",
        "newssearch.ingest",
        "newssearch.engine.store",
        "newssearch.engine.workers",
        "newssearch.live.follow",
        "newssearch.live.saved",
        "newssearch.search.results",
        "newssearch.search.timeline",
        "newssearch.search.similar",
        "newssearch.search.spelling",
    ]
    code = (
        "import importlib, warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        + "".join(f"    importlib.import_module({m!r})\n" for m in modules)
        + "print([str(w.message) for w in caught if 'has moved to newssearch' in str(w.message)])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
