"""A sharded index: N Whoosh indexes in one folder, searched as one.

The folder holds ``shards.json`` (the manifest: shard count, routing rule,
schema version, and the sharded index's ingest sequence) and one folder per
shard (``shard-000``...), each an ordinary index (:class:`~.store.Store`:
its own table of contents, write lock, checksums). An article's shard is
its id modulo the shard count (:func:`shard_of`): the id is stable, so an
update replaces the old copy in the same shard.

Searching opens every shard's segment readers under one Whoosh
``MultiReader``: the snapshot's segments are all the shards' segments, and
its statistics (document frequencies, field lengths, document counts) are
summed over them, so scores are those of one index holding the same
articles, for the numpy ranker and Whoosh's own matchers alike.

The ingest sequence (see :mod:`.schema`) of a sharded index is the
manifest's ``sequence``: a run's articles carry ``sequence + 1`` in every
shard, and the manifest is rewritten (atomically) only after every shard
has committed. A snapshot's ``last_seq`` is the manifest's sequence when it
was opened, so articles of a run still committing its shards are always
past it, and saved searches match them once the run is done.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from whoosh.reading import MultiReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from .. import errors
from ..errors import IndexNotFound, IndexStoreError, IndexVersionMismatch
from .reading import Snapshot
from .schema import SCHEMA_VERSION
from .store import Store, has_index, open_snapshot, seal_broken, sealed

__all__ = ["MANIFEST", "Manifest", "ShardedStore", "is_sharded", "shard_of"]

MANIFEST = "shards.json"
#: The only routing rule so far: the article id (16 hex digits) modulo the shard count.
ROUTING = "id-mod"
#: The most shards an index may have (a folder of thousands of indexes helps no one).
MAX_SHARDS = 256


def shard_of(article_id: str, shards: int) -> int:
    """The shard an article belongs to: its id as a number, modulo ``shards``."""
    try:
        number = int(article_id[:16], 16)
    except ValueError:
        number = zlib.crc32(article_id.encode("utf-8"))
    return number % shards


def is_sharded(path: Path) -> bool:
    """Whether ``path`` holds a sharded index (a manifest, or shard folders
    whose manifest was lost: then reading it says so)."""
    return (path / MANIFEST).is_file() or (path / MANIFEST).is_symlink() or has_index(path / "shard-000")


def _manifest_problem(path: Path) -> str | None:
    """What is wrong with ``shards.json`` (None: it reads and is as written;
    another version's is not damage, :meth:`Manifest.read` refuses it)."""
    return _parse(path)[1]


def _parse(path: Path) -> tuple[Manifest | None, str | None]:
    """The manifest as written, or None and what is wrong with it."""
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or seal_broken(data):
            raise ValueError("changed since it was written")
        manifest = Manifest(int(data["shards"]), str(data["routing"]), int(data["schema_version"]), int(data.get("sequence", 0)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        what = "is missing" if isinstance(exc, FileNotFoundError) else f"cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())[:80]})"
        return None, f"{MANIFEST}, the list of its shards, {what}"
    return manifest, None


def _rebuild_manifest(path: Path) -> str:
    """Write ``shards.json`` again from the shard folders (their count, the
    newest ingest sequence any of them holds), the damaged one kept aside;
    return what was done. Call it while no writer runs."""
    count = 0
    while has_index(ShardedStore.shard_path(path, count)):
        count += 1
    if not count:
        raise errors.IndexDamaged(f"index {path}: {MANIFEST} is damaged and no shard folder holds an index: nothing to rebuild it from")
    sequence = 0
    for n in range(count):
        snapshot = Store.open(ShardedStore.shard_path(path, n)).snapshot()
        try:
            sequence = max([sequence, *(seg.newest() for seg in snapshot.segments)])
        finally:
            snapshot.close()
    aside = ""
    target = path / MANIFEST
    if target.exists() or target.is_symlink():
        kept = path / f"{MANIFEST}.damaged-{time.strftime('%Y%m%dT%H%M%S')}"
        os.replace(target, kept)
        aside = f" (the damaged one kept as {kept.name})"
    Manifest(count, ROUTING, SCHEMA_VERSION, sequence).write(path)
    return f"wrote {MANIFEST} again from the {count} shard folders, last ingest sequence {sequence}{aside}"


@dataclass(frozen=True)
class Manifest:
    """What a sharded index is: ``shards`` and how articles are routed to
    them, the ``schema_version`` they were written with, and the last
    ingest ``sequence`` every shard has committed."""

    shards: int
    routing: str = ROUTING
    schema_version: int = SCHEMA_VERSION
    sequence: int = 0

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest in ``path``; a clear error when it is unreadable or from another version."""
        manifest, problem = _parse(path)
        if manifest is None:
            raise errors.IndexDamaged(
                f"index {path} is damaged: {problem}. 'newssearch check --repair --index {path}' writes it again from the shard folders"
            )
        if manifest.schema_version != SCHEMA_VERSION:
            raise IndexVersionMismatch(
                f"index {path} has schema version {manifest.schema_version}, this newssearch needs {SCHEMA_VERSION};"
                " re-create it with 'newssearch index --rebuild PATH...'"
            )
        if manifest.routing != ROUTING or not 1 <= manifest.shards <= MAX_SHARDS:
            raise IndexVersionMismatch(f"index {path}: {manifest.shards} shards routed by {manifest.routing!r} are not known here")
        return manifest

    @staticmethod
    def problem(path: Path) -> str | None:
        """What is wrong with ``shards.json`` in ``path``, or None (see :func:`_manifest_problem`)."""
        return _manifest_problem(path)

    @staticmethod
    def rebuild(path: Path) -> str:
        """Write ``shards.json`` again from the shard folders; say what was done (see :func:`_rebuild_manifest`)."""
        return _rebuild_manifest(path)

    def write(self, path: Path) -> None:
        """Replace the manifest in ``path`` atomically (written aside, synced, renamed)."""
        tmp = path / (MANIFEST + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(sealed({"format": "newssearch-shards"} | asdict(self)), indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path / MANIFEST)


class ShardedStore:
    """A sharded index folder opened through Whoosh (see the module docstring)."""

    def __init__(self, path: Path, manifest: Manifest, stores: list[Store]) -> None:
        self.path = path
        self.manifest = manifest
        self.stores = stores

    @property
    def shards(self) -> int:
        """How many shards the index has."""
        return self.manifest.shards

    @staticmethod
    def shard_path(path: Path, number: int) -> Path:
        """The folder of shard ``number``."""
        return path / f"shard-{number:03d}"

    @classmethod
    def create(cls, path: Path, shards: int, *, overwrite: bool = False) -> ShardedStore:
        """Create an empty index of ``shards`` shards at ``path`` (refusing a
        folder that holds anything else, and an existing index unless ``overwrite``)."""
        if not 1 <= shards <= MAX_SHARDS:
            raise IndexStoreError(f"an index has 1 to {MAX_SHARDS} shards, not {shards}")
        if path.exists() and not path.is_dir():
            raise IndexStoreError(f"cannot create an index at {path}: it is a file")
        if path.is_dir() and any(path.iterdir()):
            if not overwrite or not is_sharded(path):
                raise IndexStoreError(f"cannot create a sharded index in {path}: the folder is not empty")
            for child in path.iterdir():
                if child.name.startswith("shard-") and child.is_dir():
                    shutil.rmtree(child)
        path.mkdir(parents=True, exist_ok=True)
        stores = [Store.create(cls.shard_path(path, n)) for n in range(shards)]
        manifest = Manifest(shards)
        manifest.write(path)
        return cls(path, manifest, stores)

    @classmethod
    def open(cls, path: Path) -> ShardedStore:
        """Open the sharded index at ``path``."""
        if not is_sharded(path):
            raise IndexNotFound(f"no sharded index at {path}")
        manifest = Manifest.read(path)
        stores = [Store.open(cls.shard_path(path, n)) for n in range(manifest.shards)]
        return cls(path, manifest, stores)

    def last_seq(self) -> int:
        """The last ingest sequence every shard has committed (read from disk)."""
        return Manifest.read(self.path).sequence

    def set_last_seq(self, seq: int) -> None:
        """Record that every shard has committed the run of ingest sequence ``seq``."""
        manifest = Manifest.read(self.path)
        if seq > manifest.sequence:
            manifest = Manifest(manifest.shards, manifest.routing, manifest.schema_version, seq)
            manifest.write(self.path)
        self.manifest = manifest

    def snapshot(self, *, k1: float = 1.2, b: float = 0.75) -> Snapshot:
        """A view of every shard as last committed, as one index (opened
        again when a commit removed files meanwhile: :func:`~newssearch.engine.store.open_snapshot`)."""
        indexes = [store.whoosh_index for store in self.stores]
        return open_snapshot(lambda: self._snapshot(k1, b), lambda: [ix.latest_generation() for ix in indexes])

    def _snapshot(self, k1: float, b: float) -> Snapshot:
        last_seq = self.last_seq()
        for store in self.stores:
            store.verify()
        indexes = [store.whoosh_index for store in self.stores]
        generations = [ix.latest_generation() for ix in indexes]
        readers = []
        for ix in indexes:
            reader = ix.reader()
            if reader.doc_count_all():
                readers += [sub for sub, _offset in reader.leaf_readers()]
            else:
                reader.close()
        if not readers:  # an empty index: the first shard's own (empty) searcher
            searcher = indexes[0].searcher(weighting=BM25F(B=b, K1=k1))
        else:
            searcher = Searcher(MultiReader(readers), weighting=BM25F(B=b, K1=k1))

        def current() -> bool:
            return [ix.latest_generation() for ix in indexes] == generations

        return Snapshot(searcher, self.path, is_current=current, last_seq=last_seq)

    def doc_count_all(self) -> int:
        """Documents in every shard, deleted ones included."""
        return sum(store.doc_count_all() for store in self.stores)

    def size_on_disk(self) -> int:
        """Bytes of every file of every shard, and the manifest."""
        return sum(store.size_on_disk() for store in self.stores) + (self.path / MANIFEST).stat().st_size
