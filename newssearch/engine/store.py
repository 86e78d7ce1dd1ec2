"""An index folder on disk, opened through Whoosh: create, open, check, lock, clean up.

A folder holds one Whoosh index named ``newssearch`` (its table of contents,
``_newssearch_N.toc``, names the live segments) and ``newssearch.json``,
which records the schema version, so an index written by another version is
refused with a clear message before Whoosh tries to unpickle its schema.
"""

from __future__ import annotations

import json
import pickle
import re
import time
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F

from ..errors import IndexNotFound, IndexStoreError, IndexVersionMismatch
from .errors import mapped
from .reading import Snapshot
from .schema import SCHEMA_VERSION, build_schema

__all__ = ["INDEX_NAME", "META_FILE", "Store", "WriteLock", "has_index"]

INDEX_NAME = "newssearch"
META_FILE = "newssearch.json"
# files a fresh index folder may already hold (the repo ships index/.gitignore)
_HARMLESS = {".gitignore", ".gitkeep", "README", "README.md", META_FILE}
_TOC = re.compile(rf"_{INDEX_NAME}_\d+\.toc$")


class WriteLock:
    """Whoosh's write lock on one index folder (one writer at a time)."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; say whether it was taken."""
        deadline = time.monotonic() + timeout
        while True:
            if self._lock.acquire():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def release(self) -> None:
        """Give the lock up (never raises: releasing must not mask an error)."""
        try:
            self._lock.release()
        except Exception:  # noqa: BLE001
            pass

    @property
    def whoosh_lock(self) -> Any:
        """The Whoosh lock object, for :mod:`newssearch.engine.writing`."""
        return self._lock


class Store:
    """One index folder opened through Whoosh."""

    def __init__(self, path: Path, ix: whoosh_index.Index) -> None:
        self.path = path
        self._ix = ix

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open the index at ``path``; raise :class:`IndexNotFound` when there
        is none and :class:`IndexVersionMismatch` when another version wrote it."""
        if not has_index(path):
            if path.exists() and not path.is_dir():
                raise IndexNotFound(f"{path} is a file, not an index folder")
            raise IndexNotFound(f"no index at {path}; create one with 'newssearch index PATH --index {path}'")
        _check_meta(path)
        try:
            with mapped(path):
                ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        except (AttributeError, ImportError, pickle.UnpicklingError) as exc:
            # the pickled schema names classes this version does not have
            raise IndexVersionMismatch(
                f"index {path} was written by another version of newssearch ({exc});"
                " re-create it with 'newssearch index --rebuild PATH...'"
            ) from None
        expected = set(build_schema().names())
        actual = set(ix.schema.names())
        if expected != actual:
            raise IndexVersionMismatch(
                f"index {path} has fields {sorted(actual ^ expected)} that differ from this version's schema"
            )
        return cls(path, ix)

    @classmethod
    def create(cls, path: Path, *, overwrite: bool = False) -> Store:
        """Create an empty index at ``path``.

        Refuses a folder that holds other files (so a typo cannot scatter
        index files among a user's documents) and, unless ``overwrite``, one
        that already holds an index.
        """
        if path.exists() and not path.is_dir():
            raise IndexStoreError(f"cannot create an index at {path}: it is a file")
        if path.is_dir():
            present = has_index(path)
            if present and not overwrite:
                raise IndexStoreError(f"an index already exists at {path}")
            others = [
                p.name
                for p in path.iterdir()
                if p.name not in _HARMLESS and not (present and _is_index_file(p.name))
            ]
            if others:
                raise IndexStoreError(
                    f"cannot create an index in {path}: the folder holds other files ({', '.join(sorted(others)[:3])})"
                )
            if present:
                for p in path.iterdir():
                    if _is_index_file(p.name):
                        p.unlink()
        with mapped(path):
            path.mkdir(parents=True, exist_ok=True)
            ix = FileStorage(str(path)).create_index(build_schema(), indexname=INDEX_NAME)
            _write_meta(path)
        return cls(path, ix)

    def lock(self) -> WriteLock:
        """The folder's write lock (not yet taken)."""
        with mapped(self.path):
            return WriteLock(self._ix.lock("WRITELOCK"))

    def snapshot(self, *, k1: float = 1.2, b: float = 0.75) -> Snapshot:
        """Open a view of the index as last committed; Whoosh's own matchers
        (phrases) score with BM25F(``k1``, ``b``)."""
        with mapped(self.path):
            return Snapshot(self._ix.searcher(weighting=BM25F(B=b, K1=k1)), self.path)

    def doc_count_all(self) -> int:
        """Documents in the committed segments, deleted ones included."""
        with mapped(self.path):
            return int(self._ix.doc_count_all())

    def size_on_disk(self) -> int:
        """Bytes of every file in the folder."""
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    def remove_orphans(self) -> None:
        """Delete segment files no committed table of contents refers to, and
        the writers' scratch folder (job files handed to worker processes).
        Call it only while holding the write lock, so no other writer's new
        files are taken for leftovers."""
        import shutil

        folder = getattr(self._ix.storage, "folder", None)
        if folder:
            shutil.rmtree(Path(folder) / f"{INDEX_NAME}.tmp", ignore_errors=True)
        live = {seg.segment_id() for seg in self._ix._segments()}
        prefix = f"{INDEX_NAME}_"
        for name in self._ix.storage.list():
            if not name.startswith(prefix) or name.endswith("WRITELOCK"):
                continue
            segid = name.split(".", 1)[0]
            if segid not in live:
                try:
                    self._ix.storage.delete_file(name)
                except OSError:
                    pass

    @property
    def whoosh_index(self) -> whoosh_index.Index:
        """The Whoosh index, for :mod:`newssearch.engine.writing`."""
        return self._ix


def has_index(where: Path) -> bool:
    """Whether ``where`` holds an index, without unpickling it (an index
    from another version may not unpickle)."""
    if not where.is_dir():
        return False
    return any(_TOC.match(p.name) for p in where.iterdir())


def _is_index_file(name: str) -> bool:
    return (
        name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_"))
        or name.endswith((".seg", ".toc", ".trm", ".pst", ".vps", ".fcs", ".lock"))
        or name == META_FILE
    )


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"newssearch {version('newssearch')}, whoosh3 {version('whoosh3')}"
    except PackageNotFoundError:
        return "newssearch (not installed)"


def _write_meta(path: Path) -> None:
    meta = {
        "format": "newssearch",
        "schema_version": SCHEMA_VERSION,
        "created_by": _versions(),
    }
    (path / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _check_meta(path: Path) -> None:
    meta_path = path / META_FILE
    if not meta_path.exists():
        return  # an index made by Whoosh directly: allow it, the schema check follows
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"index {path}: unreadable {META_FILE}: {exc}") from None
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionMismatch(
            f"index {path} has schema version {version}, this newssearch needs {SCHEMA_VERSION};"
            " re-create it with 'newssearch index --rebuild PATH...'"
        )
