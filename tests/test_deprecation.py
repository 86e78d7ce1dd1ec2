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
]


@pytest.mark.parametrize(("old_module", "name", "new_module"), MOVED)
def test_an_old_path_resolves_to_the_new_object_with_a_warning(old_module: str, name: str, new_module: str) -> None:
    module = importlib.import_module(old_module)
    with pytest.warns(DeprecationWarning, match=rf"{old_module}\.{name} has moved to {new_module}\.{name}.*{REMOVED_IN}"):
        moved = getattr(module, name)
    assert moved is getattr(importlib.import_module(new_module), name)
    with pytest.raises(AttributeError):
        getattr(module, "NoSuchName")


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
