"""What was written, so that damage is found and named: checksums, a copy of
the table of contents, and the check that uses them.

Whoosh keeps no checksums: a truncated postings file made searches quietly
return nothing, a truncated stored-fields file made ``stats`` crash, and a
flipped byte went unnoticed. After every commit the writer records, in
``newssearch.sums.json``, each live segment file's size and CRC-32 (segment
files never change once written, so only new ones are read), the segments'
document counts, and a copy of the table of contents (a few KB: without it a
deleted or damaged TOC leaves the segments unreadable).

* Opening an index compares the recorded sizes with the files (a ``stat``
  each): a truncated or missing file is reported as damage, naming it, before
  any query can return a wrong answer.
* :func:`check_index` reads everything: checksums, every stored document,
  every posting list, the counts.
* :func:`repair_index` restores a missing or damaged TOC from its copy and
  drops damaged segments, listing the files their articles came from, so
  that ``index`` can read them again.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from .. import errors
from ..deprecation import moved_names
from .verified import block_sums, encode_blocks

__all__ = [
    "SUMS_FILE",
    "CheckReport",
    "check_index",
    "damage_message",
    "load_sums",
    "path_size",
    "record_commit",
    "repair_index",
    "restore_toc",
    "toc_problem",
    "verify_sizes",
]

SUMS_FILE = "newssearch.sums.json"
#: 2: each file's entry also holds its 64 KiB blocks' CRCs (read checks, :mod:`.verified`)
_FORMAT = 2
_FORMATS = (1, 2)


#: IndexDamaged now lives in newssearch.errors
__getattr__ = moved_names(__name__, {"IndexDamaged": "newssearch.errors"})


@dataclass
class CheckReport:
    """What :func:`check_index` found: ``problems`` in plain words (empty
    when the index is sound), the segments checked and the damaged ones, the
    live articles counted, and the bytes left by interrupted runs. After a
    repair, ``found`` keeps what was wrong before it, ``repaired`` says what
    was done, ``lost_files`` where the dropped articles came from and
    ``lost_untraced`` how many of them came from a file it could not name."""

    path: str
    segments: int = 0
    articles: int = 0
    damaged_segments: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    toc_damaged: bool = False
    checksums: bool = True
    #: the manifest says sums are kept, and those of the last commit are not there
    sums_missing: bool = False
    #: newssearch.json is missing, unreadable or changed
    meta_damaged: bool = False
    leftover_bytes: int = 0
    found: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    lost_files: list[str] = field(default_factory=list)
    lost_articles: int = 0
    #: dropped articles whose file is not among ``lost_files`` (stored fields damaged, or read from no file)
    lost_untraced: int = 0
    #: what a repair could not bring back, a line each (rows of a damaged saved.sqlite...)
    lost_data: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing is damaged."""
        return not self.problems

    @classmethod
    def combined(cls, path: str, shards: list[CheckReport]) -> CheckReport:
        """One report for a sharded index: every shard's, its problems and
        repairs named by shard."""
        out = cls(path)
        for n, r in enumerate(shards):
            out.segments += r.segments
            out.articles += r.articles
            out.damaged_segments += r.damaged_segments
            out.problems += [f"shard {n}: {p}" for p in r.problems]
            out.toc_damaged |= r.toc_damaged
            out.sums_missing |= r.sums_missing
            out.meta_damaged |= r.meta_damaged
            out.checksums &= r.checksums
            out.leftover_bytes += r.leftover_bytes
            out.found += [f"shard {n}: {p}" for p in r.found]
            out.repaired += [f"shard {n}: {p}" for p in r.repaired]
            out.lost_files += r.lost_files
            out.lost_articles += r.lost_articles
            out.lost_untraced += r.lost_untraced
            out.lost_data += [f"shard {n}: {p}" for p in r.lost_data]
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "index": self.path,
            "ok": self.ok,
            "segments": self.segments,
            "articles": self.articles,
            "damaged_segments": self.damaged_segments,
            "problems": self.problems,
            "found": self.found,
            "checksums": self.checksums,
            "leftover_bytes": self.leftover_bytes,
            "repaired": self.repaired,
            "lost_articles": self.lost_articles,
            "lost_files": self.lost_files,
            "lost_untraced": self.lost_untraced,
            "lost": self.lost_data,
        }


def _crc(path: Path) -> int:
    value = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            value = zlib.crc32(chunk, value)
    return value


def _toc_name(indexname: str, generation: int) -> str:
    return f"_{indexname}_{generation}.toc"


def _segment_files(folder: Path, segid: str) -> list[str]:
    prefix = segid + "."
    return sorted(name for name in os.listdir(folder) if name.startswith(prefix))


def load_sums(folder: Path) -> dict[str, Any] | None:
    """The recorded sums, or None when there are none (an index from before
    they were kept) or they cannot be read."""
    try:
        data = json.loads((folder / SUMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") in _FORMATS else None


def record_commit(folder: Path, ix: Any) -> None:
    """Record the sums of the commit just made (call it under the write lock)."""
    indexname = ix.indexname
    generation = ix.latest_generation()
    previous = load_sums(folder) or {}
    known = previous.get("files", {})
    files: dict[str, list[Any]] = {}
    segments: dict[str, int] = {}
    for segment in ix._segments():
        segid = segment.segment_id()
        segments[segid] = int(segment.doc_count_all())
        for name in _segment_files(folder, segid):
            size = (folder / name).stat().st_size
            old = known.get(name)
            if old and old[0] == size and len(old) >= 3:
                files[name] = old  # segment files never change: read once, at their commit
            else:
                # new, or recorded by a version without block sums: read it once more
                size, crc, blocks = block_sums(folder / name)
                files[name] = [size, crc, encode_blocks(blocks)]
    toc_name = _toc_name(indexname, generation)
    toc = (folder / toc_name).read_bytes()
    data = {
        "format": _FORMAT,
        "generation": generation,
        "toc": toc_name,
        "toc_crc32": zlib.crc32(toc),
        "toc_copy": base64.b64encode(toc).decode("ascii"),
        "segments": segments,
        "files": files,
    }
    tmp = folder / (SUMS_FILE + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / SUMS_FILE)


def verify_sizes(folder: Path, generation: int, *, expected: bool = False) -> None:
    """Raise :class:`~newssearch.errors.IndexDamaged` when a file recorded for commit
    ``generation`` is missing or has another size (a ``stat`` per file), or
    the table of contents is not the one written (its checksum: a few KB).

    ``expected``: the index's manifest says this version keeps sums, so
    none at all (deleted, emptied, unreadable) is damage too: without them
    a flipped byte could not be found. Sums recorded for an earlier commit
    are not (a writer records them just after its commit, so a reader may
    open in between, and a run killed there leaves them behind: the next
    writer or ``check --repair`` records them); the files they name are
    still checked."""
    sums = load_sums(folder)
    if sums is None:
        if expected:
            raise errors.IndexDamaged(_damage_message(folder, f"{SUMS_FILE}, the checksums of its files, is missing or unreadable"))
        return
    if sums.get("generation") != generation:
        return
    toc = folder / str(sums.get("toc"))
    try:
        if zlib.crc32(toc.read_bytes()) != sums.get("toc_crc32"):  # a few KB, read by Whoosh anyway
            raise errors.IndexDamaged(_damage_message(folder, f"the table of contents {toc.name} changed since it was written"))
    except FileNotFoundError:
        raise errors.IndexDamaged(_damage_message(folder, "the table of contents is missing")) from None
    for name, entry in sorted(sums.get("files", {}).items()):
        size = entry[0]
        try:
            actual = (folder / name).stat().st_size
        except FileNotFoundError:
            raise errors.IndexDamaged(_damage_message(folder, f"file {name} is missing")) from None
        if actual != size:
            raise errors.IndexDamaged(_damage_message(folder, f"file {name} has {actual:,} bytes; {size:,} were written"))


def damage_message(folder: Path, what: str) -> str:
    """The one-line message for damage found in the index at ``folder``."""
    return _damage_message(folder, what)


def toc_problem(folder: Path, indexname: str) -> str | None:
    """What is wrong with the table of contents according to the recorded
    sums (missing, or changed since its commit), or None."""
    return _toc_state(folder, indexname, load_sums(folder))


def _damage_message(folder: Path, what: str) -> str:
    return (
        f"index {folder} is damaged: {what}. 'newssearch check --index {folder}' says what is affected;"
        " 'check --repair' drops the damaged part and lists the files to index again"
    )


def _toc_state(folder: Path, indexname: str, sums: dict[str, Any] | None) -> str | None:
    """What is wrong with the table of contents, or None."""
    generation = whoosh_index.TOC._latest_generation(_storage(folder), indexname)
    if generation < 0:
        return "the table of contents is missing"
    if sums is not None and sums.get("generation") == generation:
        data = (folder / _toc_name(indexname, generation)).read_bytes()
        if zlib.crc32(data) != sums.get("toc_crc32"):
            return f"the table of contents {_toc_name(indexname, generation)} changed since it was written"
    return None


def _storage(folder: Path) -> Any:
    return FileStorage(str(folder))


def check_index(folder: Path, indexname: str, open_store: Callable[[], Any], *, expected: bool = False) -> CheckReport:
    """Read every part of the index at ``folder`` and say what is damaged.

    ``open_store`` opens it (the caller's :class:`Store`), so version and
    schema checks stay in one place. ``expected``: the manifest says sums
    are kept, so their absence is a problem (``sums_missing``), which
    ``check --repair`` mends by recording them again once every file has
    been read without fault."""
    report = CheckReport(str(folder))
    sums = load_sums(folder)
    report.checksums = sums is not None
    toc_problem = _toc_state(folder, indexname, sums)
    if toc_problem:
        report.toc_damaged = True
        report.problems.append(toc_problem + ("; check --repair restores it from the copy kept at the last commit" if sums else ""))
        return report
    try:
        store = open_store()
    except errors.IndexStoreError as exc:
        report.toc_damaged = True
        report.problems.append(f"the index cannot be opened: {exc}")
        return report
    ix = store.whoosh_index
    report.leftover_bytes = sum(path_size(p) for p in store.leftovers())
    current = sums is not None and sums.get("generation") == ix.latest_generation()
    # the entries of files still live are valid whatever commit recorded them (segment files never change)
    recorded: dict[str, list[Any]] = sums.get("files", {}) if sums is not None else {}
    report.checksums = current
    if expected and sums is None:
        report.sums_missing = True
        report.problems.append(f"{SUMS_FILE}, the checksums of its files, is missing or unreadable: damage in the segments could not be found")
    elif expected and not current:
        report.sums_missing = True
        report.problems.append(f"the checksums of the last commit were not recorded ({SUMS_FILE} is for another commit)")
    for segment in ix._segments():
        report.segments += 1
        segid = segment.segment_id()
        problems = _check_segment(folder, ix, segment, recorded)
        if problems:
            report.damaged_segments.append(segid)
            report.problems += [f"segment {segid}: {p}" for p in problems]
        else:
            report.articles += int(segment.doc_count())
    return report


def _check_segment(folder: Path, ix: Any, segment: Any, recorded: dict[str, list[Any]]) -> list[str]:
    problems: list[str] = []
    segid = segment.segment_id()
    for name, entry in sorted(recorded.items()):
        if not name.startswith(segid + "."):
            continue
        size, crc32 = entry[0], entry[1]
        path = folder / name
        if not path.exists():
            problems.append(f"file {name} is missing")
        elif path.stat().st_size != size:
            problems.append(f"file {name} has {path.stat().st_size:,} bytes; {size:,} were written")
        elif _crc(path) != crc32:
            problems.append(f"file {name} changed since it was written (checksum differs)")
    if problems:
        return problems
    try:
        reader = SegmentReader(ix.storage, ix.schema, segment)
        try:
            stored = sum(1 for _ in reader.all_stored_fields())
            if stored != reader.doc_count():
                problems.append(f"{stored:,} stored articles where {reader.doc_count():,} were written")
            for fieldname, text in reader.all_terms():
                # deleted documents count: a term whose every article was
                # deleted keeps its postings until the segment is merged
                raw = reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)
                if not any(True for _ in raw.all_ids()):
                    problems.append(f"the posting list of {fieldname}:{text!r} is empty")
                    break
        finally:
            reader.close()
    except Exception as exc:  # noqa: BLE001 - any failure to read is damage, named
        problems.append(f"cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})")
    return problems


def path_size(p: Path) -> int:
    """Bytes of a file, or of every file under a folder (0 if it went away)."""
    try:
        if p.is_dir():
            return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        return p.stat().st_size
    except OSError:
        return 0


def restore_toc(folder: Path) -> str | None:
    """Write the table of contents back from the copy kept with the sums;
    return its name, or None when there is no copy."""
    sums = load_sums(folder)
    if sums is None or "toc_copy" not in sums:
        return None
    data = base64.b64decode(sums["toc_copy"])
    target = folder / sums["toc"]
    tmp = folder / (sums["toc"] + ".restore")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return str(sums["toc"])


def repair_index(folder: Path, ix: Any, damaged: list[str]) -> tuple[int, list[str], int]:
    """Commit a table of contents without the ``damaged`` segments (call it
    under the write lock); return how many articles they held, the files
    those articles were read from, as far as their stored fields can still
    be read, and how many of the articles that leaves without a file (their
    stored fields damaged, or not read from a file): a list of files that
    silently covered only some of the articles would be taken for all."""
    lost = 0
    traced = 0
    files: set[str] = set()
    for segment in ix._segments():
        if segment.segment_id() not in damaged:
            continue
        lost += int(segment.doc_count())
        try:
            # the per-document reader alone: stored fields survive damaged postings
            reader = segment.codec().per_document_reader(ix.storage, segment)
            try:
                for docnum in range(segment.doc_count_all()):
                    if segment.is_deleted(docnum):
                        continue
                    try:
                        path = reader.stored_fields(docnum).get("path")
                    except Exception:  # noqa: BLE001 - this document's stored fields are damaged
                        continue
                    if path:
                        files.add(str(path))
                        traced += 1
            finally:
                reader.close()
        except Exception:  # noqa: BLE001 - the stored fields are unreadable: the files are unknown
            pass

    def drop(_writer: Any, segments: list[Any]) -> list[Any]:
        return [s for s in segments if s.segment_id() not in damaged]

    writer = ix.writer(_lk=False)
    writer.commit(mergetype=drop)
    return lost, sorted(files), lost - traced
