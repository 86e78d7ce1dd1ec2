"""An index folder on disk, opened through Whoosh: create, open, check, lock, clean up.

A folder holds one Whoosh index named ``newssearch`` (its table of contents,
``_newssearch_N.toc``, names the live segments) and ``newssearch.json``,
which records the schema version, so an index written by another version is
refused with a clear message before Whoosh tries to unpickle its schema.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.scoring import BM25F

from .. import errors
from ..deprecation import moved_names
from ..errors import IndexLocked, IndexNotFound, IndexStoreError, IndexVersionMismatch
from .errors import mapped
from .integrity import (
    SUMS_FILE,
    CheckReport,
    check_index,
    damage_message,
    load_sums,
    path_size,
    record_commit,
    repair_index,
    restore_toc,
    toc_problem,
    verify_sizes,
)
from .locking import LOCK_NAME, WriteLock
from .reading import Snapshot
from .schema import ADDED_FIELDS, ANALYSIS_VERSION, SCHEMA_VERSION, build_schema, outdated_fields
from .verified import VerifiedStorage

_T = TypeVar("_T")

__all__ = [
    "INDEX_NAME",
    "META_FILE",
    "OPEN_ATTEMPTS",
    "REBUILD_FILE",
    "SCRATCH",
    "CheckReport",
    "Store",
    "WriteLock",
    "check_store",
    "has_index",
    "open_snapshot",
    "schema_fits",
    "take_lock",
]

INDEX_NAME = "newssearch"
META_FILE = "newssearch.json"
#: Present while a rebuild that commits in batches has dropped the old contents and not finished
REBUILD_FILE = "newssearch.rebuild.json"
# files a fresh index folder may already hold (the repo ships index/.gitignore)
_HARMLESS = {".gitignore", ".gitkeep", "README", "README.md", META_FILE, LOCK_NAME, SUMS_FILE, REBUILD_FILE}
# what lives beside the index and outlives a rebuild: saved searches and
# their alerts, the follower's state (newssearch.live)
_HARMLESS |= {f"{name}{suffix}" for name in ("saved.sqlite", "follow.sqlite") for suffix in ("", "-journal", "-wal", "-shm")}
#: Whoosh's scratch folder (job files for worker processes, sorted runs)
SCRATCH = f"{INDEX_NAME}.tmp"
_TOC = re.compile(rf"_{INDEX_NAME}_\d+\.toc$")


class Store:
    """One index folder opened through Whoosh."""

    def __init__(self, path: Path, ix: whoosh_index.Index) -> None:
        self.path = path
        self._ix = ix

    @classmethod
    def open(cls, path: Path, *, verify: bool = True, meta: bool = True) -> Store:
        """Open the index at ``path``; raise :class:`IndexNotFound` when there
        is none, :class:`IndexVersionMismatch` when another version wrote it
        and (with ``verify``) :class:`~newssearch.errors.IndexDamaged` when a file is missing or
        truncated. Opened again when another process's commit removed the
        table of contents or a file while it was read (see :func:`open_snapshot`)."""
        return _unraced(lambda: cls._open(path, verify=verify, meta=meta), lambda: _generation_on_disk(path), None)

    @classmethod
    def _open(cls, path: Path, *, verify: bool, meta: bool) -> Store:
        if not has_index(path):
            if path.exists() and not path.is_dir():
                raise IndexNotFound(f"{path} is a file, not an index folder")
            if _remains(path):
                raise errors.IndexDamaged(
                    f"index {path} is damaged: its table of contents is missing. 'newssearch check --repair"
                    f" --index {path}' restores it from the copy kept at the last commit"
                )
            raise IndexNotFound(f"no index at {path}; create one with 'newssearch index PATH --index {path}'")
        if meta:  # without: check and repair, which read the manifest themselves
            _check_meta(path)
        try:
            with mapped(path):
                ix = VerifiedStorage(str(path), _sums_lookup(path)).open_index(INDEX_NAME)
        except Exception as exc:
            # a table of contents that is not what its commit wrote is damage,
            # whatever unpickling it raised; otherwise see below
            problem = toc_problem(path, INDEX_NAME)
            if problem:
                raise errors.IndexDamaged(damage_message(path, problem)) from None
            if not isinstance(exc, (AttributeError, ImportError, pickle.UnpicklingError)):
                raise
            # the pickled schema names classes this version does not have
            raise IndexVersionMismatch(
                f"index {path} was written by another version of newssearch ({exc});"
                " re-create it with 'newssearch index --rebuild PATH...'"
            ) from None
        if not schema_fits(ix.schema.names()):
            expected, actual = set(build_schema().names()), set(ix.schema.names())
            raise IndexVersionMismatch(
                f"index {path} has fields {sorted((actual ^ expected) - set(ADDED_FIELDS))} that differ from this version's schema"
            )
        store = cls(path, ix)
        if verify:
            store.verify()
        return store

    def verify(self) -> None:
        """Raise :class:`~newssearch.errors.IndexDamaged` when a file of the last commit is
        missing or not the size it was written with (cheap: a stat per file)."""
        with mapped(self.path):
            verify_sizes(self.path, self._ix.latest_generation(), expected=sums_expected(self.path))

    def record_commit(self) -> None:
        """Record the sums of the commit just made (under the write lock).
        Failing to record them does not undo the commit: the index is sound,
        only the next check has less to compare with."""
        try:
            record_commit(self.path, self._ix)
            _mark_meta(self.path)
        except OSError:
            pass

    @classmethod
    def create(cls, path: Path, *, overwrite: bool = False) -> Store:
        """Create an empty index at ``path``.

        Refuses a folder that holds other files (so a typo cannot scatter
        index files among a user's documents) and, unless ``overwrite``, one
        that already holds an index. Overwriting takes the write lock first
        (a running writer is never pulled from under), deletes only the
        index's own files and leaves anything else in the folder.
        """
        if path.exists() and not path.is_dir():
            raise IndexStoreError(f"cannot create an index at {path}: it is a file")
        lock = WriteLock(path)
        if path.is_dir():
            present = has_index(path)
            if present and not overwrite:
                raise IndexStoreError(f"an index already exists at {path}")
            others = [p.name for p in path.iterdir() if p.name not in _HARMLESS and not _is_index_file(p.name)]
            if others and not present:
                raise IndexStoreError(
                    f"cannot create an index in {path}: the folder holds other files ({', '.join(sorted(others)[:3])})"
                )
            if _remains(path) and not present:
                if not overwrite:
                    raise errors.IndexDamaged(
                        f"index {path} is damaged: its table of contents is missing. 'newssearch check --repair"
                        f" --index {path}' restores it; 'index --rebuild' replaces the index"
                    )
                present = True
            if present:
                take_lock(path, lock)
        try:
            with mapped(path):
                if lock.held:
                    for p in path.iterdir():
                        if p.name == LOCK_NAME or not _is_index_file(p.name):
                            continue
                        if p.is_dir():
                            shutil.rmtree(p, ignore_errors=True)
                        else:
                            p.unlink()
                path.mkdir(parents=True, exist_ok=True)
                ix = VerifiedStorage(str(path), _sums_lookup(path)).create_index(build_schema(), indexname=INDEX_NAME)
                _write_meta(path)
                store = cls(path, ix)
                store.record_commit()
        finally:
            lock.release()
        return store

    def analysis_version(self) -> int:
        """The analysis every article of the index was written with, as its
        manifest records it (:data:`~.schema.ANALYSIS_VERSION`); 0 for an
        index whose manifest records none (written before the analysis had a
        version, or its manifest rebuilt by ``check --repair``): its articles
        may be in the English fields whatever their language."""
        meta = _read_meta(self.path)
        value = meta.get("analysis") if meta else None
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def outdated_fields(self) -> dict[str, Any]:
        """The index's language fields written by earlier rules than this
        version's, each with today's definition (:func:`~.schema.outdated_fields`):
        what a commit that writes every article again writes them with."""
        return outdated_fields(self._ix.schema)

    def mark_analysed(self, version: int = ANALYSIS_VERSION) -> None:
        """Record in the manifest that every article was written with the
        analysis ``version`` (under the write lock, after the commit that
        wrote them: a crash in between leaves the old mark, and the next
        ``reanalyse`` does the work again rather than trusting it)."""
        meta = _read_meta(self.path)
        if meta is None:
            _write_meta(self.path, analysis=version)
        elif meta.get("analysis") != version:
            _write_json(self.path / META_FILE, sealed(meta | {"analysis": version}))

    def mark_rebuild(self) -> None:
        """Note, before a rebuild's first intermediate commit (which drops
        the old contents), that the index holds a rebuild in progress from
        that commit on (under the write lock): a run killed after it leaves
        an index holding part of what it read, which :meth:`unfinished_rebuild`
        reports and the next ``--rebuild`` resumes."""
        _write_json(self.path / REBUILD_FILE, {"generation": self.last_seq() + 1})

    def unfinished_rebuild(self) -> int | None:
        """The commit from which the index holds an unfinished rebuild, or
        None (no mark, or one whose commit never landed: the old contents
        are intact)."""
        try:
            generation = int(json.loads((self.path / REBUILD_FILE).read_text(encoding="utf-8"))["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return generation if self.last_seq() >= generation else None

    def clear_rebuild(self) -> None:
        """The rebuild has committed its last batch (or the mark is stale): forget it."""
        try:
            (self.path / REBUILD_FILE).unlink()
        except FileNotFoundError:
            pass

    def lock(self) -> WriteLock:
        """The folder's write lock (not yet taken)."""
        return WriteLock(self.path)

    def snapshot(self, *, k1: float = 1.2, b: float = 0.75) -> Snapshot:
        """Open a view of the index as last committed; Whoosh's own matchers
        (phrases) score with BM25F(``k1``, ``b``). Retried when another
        process's commit removed files while it opened (see :func:`open_snapshot`)."""

        def attempt() -> Snapshot:
            self.verify()
            with mapped(self.path):
                return Snapshot(self._ix.searcher(weighting=BM25F(B=b, K1=k1)), self.path)

        return open_snapshot(attempt, self.last_seq)

    def last_seq(self) -> int:
        """The ingest sequence of the last commit (its table of contents'
        generation): it only ever grows, so a run's articles carry the next
        one as their ``seq``."""
        with mapped(self.path):
            return int(self._ix.latest_generation())

    def doc_count_all(self) -> int:
        """Documents in the committed segments, deleted ones included."""
        return self._from_toc(lambda: int(self._ix.doc_count_all()))

    def size_on_disk(self) -> int:
        """Bytes of every file in the folder, leftovers of interrupted runs included."""
        return sum(path_size(p) for p in self.path.iterdir())

    def sums_behind(self) -> bool:
        """Whether the checksums recorded are not those of the last commit
        (a writer killed between its commit and recording them): the next
        commit records them; ``compact`` makes one for that reason alone."""
        sums = load_sums(self.path)
        if sums is None:
            return sums_expected(self.path)
        with mapped(self.path):
            return bool(sums.get("generation") != self._ix.latest_generation())

    def segment_counts(self) -> list[tuple[int, int]]:
        """Each committed segment's documents: (live, deleted), in the order
        of the table of contents. Read from the table alone (no segment is
        opened): for ``stats`` per shard and ``compact``'s before and after."""
        return self._from_toc(lambda: [(s.doc_count_all() - s.deleted_count(), s.deleted_count()) for s in self._ix._segments()])

    def _from_toc(self, read: Callable[[], _T]) -> _T:
        """``read()`` of the newest table of contents, read again when a
        commit in another process replaced it between its name being listed
        and the file being opened (a server's stats under ``follow`` failed
        so: see :func:`open_snapshot`)."""

        def attempt() -> _T:
            with mapped(self.path):
                return read()

        return _unraced(attempt, lambda: _generation_on_disk(self.path), None)

    def leftovers(self) -> list[Path]:
        """Files and folders in the index folder that no commit refers to:
        what an interrupted or killed run left behind (its new segments, the
        writers' scratch folder, a half-written table of contents)."""
        live = {seg.segment_id() for seg in self._ix._segments()}
        current = f"_{INDEX_NAME}_{self._ix.latest_generation()}.toc"
        found = []
        for p in self.path.iterdir():
            name = p.name
            if name == SCRATCH:
                found.append(p)
            elif name.startswith(f"_{INDEX_NAME}_") and ".toc" in name and name != current:
                found.append(p)
            elif name.startswith(f"{INDEX_NAME}_") and name != LOCK_NAME and name.split(".", 1)[0] not in live:
                found.append(p)
        return sorted(found)

    def remove_orphans(self) -> int:
        """Delete :meth:`leftovers`; return the bytes freed. Call it only
        while holding the write lock, so no other writer's new files are
        taken for leftovers."""
        freed = 0
        with mapped(self.path):
            for p in self.leftovers():
                freed += path_size(p)
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    try:
                        p.unlink()
                    except FileNotFoundError:
                        pass
        return freed

    @property
    def whoosh_index(self) -> whoosh_index.Index:
        """The Whoosh index, for :mod:`newssearch.engine.writing`."""
        return self._ix


#: How often a snapshot is opened again when commits keep removing its files.
OPEN_ATTEMPTS = 20


def open_snapshot(attempt: Callable[[], Snapshot], generation: Callable[[], object]) -> Snapshot:
    """``attempt()``, kept only when no commit happened while it ran.

    A merge or rebuild deletes the segments it replaced right after writing
    the new table of contents. An open that read the old one may then find
    a file gone (an error, but no damage) or, worse, list a segment's
    column files while they are being deleted and miss some (a silently
    wrong count later). Files of a commit are only deleted once a newer one
    exists, so an open during which the generation did not change saw every
    file whole; otherwise it is closed (or its error dropped) and done
    again. An error with no commit in between is real and raised as it is;
    after :data:`OPEN_ATTEMPTS` tries (commits without pause) the last
    open is kept, or its error raised."""
    return _unraced(attempt, generation, lambda snapshot: snapshot.close())



def _unraced(attempt: Callable[[], _T], generation: Callable[[], object], discard: Callable[[_T], None] | None) -> _T:
    """``attempt()`` until no commit happened while it ran (see
    :func:`open_snapshot`); ``discard`` closes what an attempt opened
    during a commit (None: what it opened holds no files, keep it)."""
    for tries in range(1, OPEN_ATTEMPTS + 1):
        before = generation()
        try:
            opened = attempt()
        except (IndexStoreError, OSError):
            if tries == OPEN_ATTEMPTS or generation() == before:
                raise
            continue
        if discard is None or tries == OPEN_ATTEMPTS or generation() == before:
            return opened
        discard(opened)
    raise AssertionError("unreachable")  # pragma: no cover


def _generation_on_disk(path: Path) -> int:
    """The newest table of contents' number in ``path`` (-1 when there is none)."""
    try:
        names = os.listdir(path)
    except OSError:
        return -1
    return max((int(name.rsplit("_", 1)[1][:-4]) for name in names if _TOC.match(name)), default=-1)


def has_index(where: Path) -> bool:
    """Whether ``where`` holds an index, without unpickling it (an index
    from another version may not unpickle)."""
    if not where.is_dir():
        return False
    return any(_TOC.match(p.name) for p in where.iterdir())


def check_store(path: Path, *, repair: bool = False) -> CheckReport:
    """Check the index at ``path`` (see :mod:`newssearch.engine.integrity`);
    with ``repair``, under the write lock, restore a lost table of contents
    from its copy, drop damaged segments and remove leftovers, then check
    again: the report's ``found`` is what was wrong, ``problems`` what
    remains, ``repaired`` what was done."""
    if not path.is_dir():
        raise IndexNotFound(f"no index at {path}")

    def check() -> CheckReport:
        found = check_index(path, INDEX_NAME, lambda: Store.open(path, verify=False, meta=False), expected=sums_expected(path))
        problem = meta_problem(path)
        if problem:
            found.problems.insert(0, problem)
            found.meta_damaged = True
        if not found.toc_damaged:
            since = Store.open(path, verify=False, meta=False).unfinished_rebuild()
            if since is not None:
                found.problems.append(
                    f"a rebuild that commits in batches (--rebuild --commit-every) stopped after its commit {since}: the index"
                    " holds only what it had committed; run the same 'newssearch index --rebuild' again: it resumes"
                )
        return found

    report = check()
    report.found = list(report.problems)
    if report.ok and not report.leftover_bytes:
        return report  # files of a commit only go once a newer one exists: a read that found all of them whole is sound
    # What another process's commit looks like from outside its lock (a segment
    # merged away as it was read, checksums not yet recorded for the table just
    # written, its new segment's files, a rebuild under way) is what damage and
    # leftovers look like too: only what a check under the write lock finds is
    # reported, and only that is repaired.
    lock = WriteLock(path)
    if not _lock_to_confirm(path, lock, repair):
        return report  # a folder no one can write to: no commit can have been under way either
    try:
        with mapped(path):
            report = check()
            report.found = list(report.problems)
            if not repair or (report.ok and not report.leftover_bytes):
                return report
            found, repaired = report.found, []
            lost = untraced = 0
            files: list[str] = []
            if report.toc_damaged:
                name = restore_toc(path)
                if name is None:
                    raise errors.IndexDamaged(
                        f"index {path}: {found[0]}, and no copy of it was kept (an index from before"
                        " newssearch kept one): re-create it with 'newssearch index --rebuild PATH...'"
                    )
                repaired.append(f"restored the table of contents {name} from the copy kept at the last commit")
                report = check()
            store = Store.open(path, verify=False, meta=False)
            if report.meta_damaged:
                repaired.append(rewrite_meta(path, store.whoosh_index))
            if report.damaged_segments:
                lost, files, untraced = repair_index(path, store.whoosh_index, report.damaged_segments)
                store.record_commit()
                repaired.append(f"dropped {len(report.damaged_segments)} damaged segment(s) holding {lost:,} articles")
            if report.sums_missing and not report.damaged_segments:
                # every segment was read whole without fault: record what is there now
                store.record_commit()
                repaired.append(
                    f"recorded the checksums again ({SUMS_FILE}) from the files as they are now: every one was read without fault"
                )
            freed = store.remove_orphans()
            if freed:
                repaired.append(f"removed {freed:,} bytes left by interrupted runs")
        after = check()
    finally:
        lock.release()
    after.found, after.repaired, after.lost_articles, after.lost_files = found, repaired, lost, files
    after.lost_untraced = untraced
    return after


#: Seconds ``check`` waits for another writer's commit to end before
#: confirming what it found under the write lock (``follow`` and ``index``
#: hold it for one commit at a time).
CONFIRM_WAIT = 30.0


def _lock_to_confirm(path: Path, lock: WriteLock, repair: bool) -> bool:
    """Take ``lock`` to check again (or repair) what a check found, waiting
    :data:`CONFIRM_WAIT` seconds for another writer; still held, that is
    :class:`IndexLocked` saying why: what was found may be that writer's
    commit in progress, so it is neither reported as damage nor repaired.
    False when the folder cannot be written (a read-only copy: a check
    reports what it found; a repair cannot be made and says so)."""
    try:
        take_lock(path, lock, CONFIRM_WAIT)
        return True
    except IndexLocked:
        holder = lock.holder()
        by = f" by another process ({holder})" if holder else " by another process"
        raise IndexLocked(
            f"index {path} is being written{by}, and what it is writing looks like damage from outside: "
            f"run '{'check --repair' if repair else 'check'}' again once that writer has finished"
        ) from None
    except IndexStoreError:
        if repair:
            raise
        return False


def _remains(path: Path) -> bool:
    """Whether a folder without a table of contents holds an index's
    segments or sums: an index whose TOC was lost, not an empty folder."""
    if not path.is_dir():
        return False
    return any(
        p.name == SUMS_FILE or (p.name.startswith(f"{INDEX_NAME}_") and p.name != LOCK_NAME and "." in p.name)
        for p in path.iterdir()
    )


def take_lock(path: Path, lock: WriteLock, timeout: float = 0.0) -> None:
    """Take ``lock`` or raise :class:`IndexLocked` saying who holds it (and
    :class:`IndexStoreError` when the folder cannot be written at all)."""
    try:
        if lock.acquire(timeout):
            return
    except OSError as exc:
        raise IndexStoreError(f"cannot write to the index at {path}: {exc.strerror or exc}") from None
    holder = lock.holder()
    by = f" ({holder})" if holder else ""
    raise IndexLocked(
        f"index {path} is locked by another writer{by}; wait for it to finish"
        " or use --wait (Whoosh allows one writer at a time)"
    )


def _is_index_file(name: str) -> bool:
    return (
        name == SCRATCH
        or name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_"))
        or name.endswith((".seg", ".toc", ".trm", ".pst", ".vps", ".fcs", ".lock"))
        or name in (META_FILE, SUMS_FILE, REBUILD_FILE)
    )


def _versions() -> str:
    # lazy: importlib.metadata loads email, zipfile and csv (~20 ms), and only creating an index asks
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"newssearch {version('newssearch')}, whoosh3 {version('whoosh3')}"
    except PackageNotFoundError:
        return "newssearch (not installed)"


def _write_meta(path: Path, created_by: str | None = None, analysis: int | None = ANALYSIS_VERSION) -> None:
    """Write the manifest; ``analysis`` is the analysis version its articles
    were written with (None: not known, for a manifest rebuilt after damage)."""
    meta: dict[str, Any] = {
        "format": "newssearch",
        "schema_version": SCHEMA_VERSION,
        "created_by": created_by or _versions(),
        "checksums": SUMS_FILE,
    }
    if analysis is not None:
        meta["analysis"] = analysis
    _write_json(path / META_FILE, sealed(meta))


def sealed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its own checksum (``crc32`` of the rest, keys sorted):
    a flipped digit in a small JSON file (a schema version, a shard count)
    still parses, and would be taken for another version's index."""
    rest = {k: v for k, v in data.items() if k != "crc32"}
    return rest | {"crc32": zlib.crc32(json.dumps(rest, sort_keys=True).encode("utf-8"))}


def seal_broken(data: dict[str, Any]) -> bool:
    """Whether ``data`` carries a checksum (files written before them do not) that does not match."""
    return "crc32" in data and sealed(data)["crc32"] != data["crc32"]


def meta_problem(path: Path) -> str | None:
    """What is wrong with the manifest ``newssearch.json`` (None: sound, or
    absent from an index that never had one: one made by Whoosh directly)."""
    target = path / META_FILE
    if not target.exists():
        return f"{META_FILE}, its manifest, is missing" if (path / SUMS_FILE).exists() else None
    try:
        meta = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"{META_FILE}, its manifest, cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())[:80]})"
    if not isinstance(meta, dict) or meta.get("format") != "newssearch" or seal_broken(meta):
        return f"{META_FILE}, its manifest, changed since it was written"
    return None


def schema_fits(names: Iterable[str]) -> bool:
    """Whether an index with these fields is one this version serves: this
    version's fields, where those added since the schema version was last
    bumped (:data:`~.schema.ADDED_FIELDS`) may be missing."""
    expected, actual = set(build_schema().names()), set(names)
    return actual <= expected and expected - actual <= set(ADDED_FIELDS)


def rewrite_meta(path: Path, ix: whoosh_index.Index) -> str:
    """Write the manifest again from the index itself (its schema, pickled
    in the table of contents, must be this version's), the damaged one kept
    aside; return what was done. Call it under the write lock."""
    if not schema_fits(ix.schema.names()):
        raise IndexVersionMismatch(f"index {path} has a schema this version does not know: its {META_FILE} cannot be rebuilt")
    target = path / META_FILE
    aside = ""
    if target.exists():
        kept = path / f"{META_FILE}.damaged-{time.strftime('%Y%m%dT%H%M%S')}"
        os.replace(target, kept)
        aside = f" (the damaged one kept as {kept.name})"
    # what analysed its articles is not known any more: 'reanalyse' will say, and redo it
    _write_meta(path, created_by=f"{_versions()} (rebuilt by check --repair)", analysis=None)
    return f"wrote {META_FILE} again from the index's own schema{aside}"


def _write_json(target: Path, data: dict[str, Any]) -> None:
    """Write a small JSON file whole or not at all (a crash leaves the old one)."""
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def _read_meta(path: Path) -> dict[str, Any] | None:
    """The manifest, or None when there is none or it cannot be read."""
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def sums_expected(path: Path) -> bool:
    """Whether the index keeps sums, so their absence is damage: its
    manifest says so (written by this version, or an older index this
    version has committed to since). An index from before the manifest
    named them opens without, as it always did."""
    meta = _read_meta(path)
    return bool(meta and meta.get("checksums") == SUMS_FILE)


def _mark_meta(path: Path) -> None:
    """Note in the manifest that sums are kept (once: an older index's first commit by this version)."""
    meta = _read_meta(path)
    if meta is not None and meta.get("checksums") != SUMS_FILE:
        _write_json(path / META_FILE, meta | {"checksums": SUMS_FILE})


def _sums_lookup(path: Path) -> Callable[[str], list[Any] | None]:
    """A file name -> its recorded sums entry, for :class:`VerifiedStorage`:
    the sums are read when first asked and again when a name is not in
    them (a newer commit's file); a segment file's entry never changes."""
    cache: dict[str, Any] = {"files": None, "stamp": None}

    def lookup(name: str) -> list[Any] | None:
        files = cache["files"]
        if files is None or name not in files:
            try:
                stamp = (path / SUMS_FILE).stat().st_mtime_ns
            except OSError:
                return None
            if stamp != cache["stamp"]:
                sums = load_sums(path)
                cache["stamp"] = stamp
                cache["files"] = files = (sums or {}).get("files", {})
        return (files or {}).get(name)

    return lookup


def _check_meta(path: Path) -> None:
    problem = meta_problem(path)
    if problem:
        raise errors.IndexDamaged(damage_message(path, problem))
    meta_path = path / META_FILE
    if not meta_path.exists():
        return  # an index made by Whoosh directly: allow it, the schema check follows
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionMismatch(
            f"index {path} has schema version {version}, this newssearch needs {SCHEMA_VERSION};"
            " re-create it with 'newssearch index --rebuild PATH...'"
        )
