"""Reading an index's files with every byte checked against its commit's sums.

A flipped byte in a column or a posting list does not make Whoosh fail: it
makes it answer differently (a changed date reorders results, a changed
field length changes scores, a changed document number returns another
article), or fail far from the cause (``OverflowError`` in ``stats``,
``zlib.error`` in a search). So the sums recorded at each commit
(:mod:`newssearch.engine.integrity`) hold, besides each file's size and
CRC-32, the CRC-32 of every 64 KiB block, and every read of a segment file
is checked before its bytes are used:

* :class:`VerifiedStorage` is Whoosh's file storage whose ``open_file``
  hands Whoosh a file that checks each block the first time a read touches
  it (a bit per block remembers it), and raises
  :class:`~newssearch.errors.IndexDamaged` naming the file and the byte;
* the posting arrays (``.nsp``, read through ``mmap``, not Whoosh) get the
  same check through :func:`block_checker`, for the byte ranges a query's
  terms use.

A block is read twice the first time (once to check, once by Whoosh), from
the page cache; a column read whole costs one CRC of the file. The cost is
measured in README's "When things go wrong".

Files with no block sums (an index written before they were kept, or a
commit whose sums are still being written by its writer) are read
unchecked, as before; whether missing sums are damage is decided at open
(:func:`newssearch.engine.integrity.verify_sizes`).
"""

from __future__ import annotations

import base64
import os
import threading
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from .. import errors

__all__ = ["BLOCK", "BlockSums", "VerifiedStorage", "block_checker", "block_sums", "encode_blocks"]

#: Bytes per checked block: fine enough that a lookup checks little more
#: than it reads, coarse enough that the sums are 1/16,384 of the index.
BLOCK = 1 << 16


def encode_blocks(crcs: list[int]) -> str:
    """Block CRCs as the sums file keeps them (little-endian uint32, base64)."""
    a = array("I", crcs)
    if a.itemsize != 4:  # pragma: no cover - every supported platform has a 4-byte I
        a = array("L", crcs)
    if array("I", [1]).tobytes()[0] != 1:  # pragma: no cover - big-endian
        a.byteswap()
    return base64.b64encode(a.tobytes()).decode("ascii")


def block_sums(path: Path) -> tuple[int, int, list[int]]:
    """A file's size, CRC-32 and the CRC-32 of each :data:`BLOCK`, in one read."""
    whole = 0
    blocks: list[int] = []
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(BLOCK):
            whole = zlib.crc32(chunk, whole)
            blocks.append(zlib.crc32(chunk))
            size += len(chunk)
    return size, whole, blocks


class BlockSums:
    """The recorded block CRCs of one file, and which blocks were found sound."""

    def __init__(self, folder: Path, name: str, size: int, encoded: str) -> None:
        raw = base64.b64decode(encoded)
        crcs = array("I")
        crcs.frombytes(raw)
        if array("I", [1]).tobytes()[0] != 1:  # pragma: no cover - big-endian
            crcs.byteswap()
        self.folder = folder
        self.name = name
        self.size = size
        self.crcs = crcs
        self.ok = bytearray(len(crcs))
        self._lock = threading.Lock()

    def check(self, read_block: Callable[[int], Any], start: int, length: int) -> None:
        """Raise IndexDamaged unless every block overlapping ``[start,
        start+length)`` is as written; ``read_block(i)`` gives block ``i``'s
        bytes (any buffer)."""
        if length <= 0:
            return
        first = start // BLOCK
        last = (start + length - 1) // BLOCK
        ok = self.ok
        if first == last and first < len(ok) and ok[first]:
            return
        for b in range(first, last + 1):
            if b < len(ok) and ok[b]:
                continue
            if b >= len(self.crcs):
                raise errors.IndexDamaged(
                    _message(self.folder, f"file {self.name} is read past the {self.size:,} bytes written")
                )
            data = read_block(b)
            if zlib.crc32(data) != self.crcs[b]:
                raise errors.IndexDamaged(
                    _message(self.folder, f"file {self.name} changed since it was written (bytes {b * BLOCK:,} to {b * BLOCK + len(data):,})")
                )
            with self._lock:
                ok[b] = 1


def _message(folder: Path, what: str) -> str:
    return (
        f"index {folder} is damaged: {what}. 'newssearch check --index {folder}' says what is affected;"
        " 'check --repair' drops the damaged part and lists the files to index again"
    )


class _CheckedFile:
    """A read-only file whose reads are checked block by block (what Whoosh's StructFile wraps)."""

    def __init__(self, path: str, sums: BlockSums) -> None:
        self._f = open(path, "rb")  # noqa: SIM115 - closed by close()
        fd = self._f.fileno()
        self._block: Callable[[int], bytes] = lambda b: os.pread(fd, BLOCK, b * BLOCK)
        self._sums = sums

    def read(self, n: int = -1) -> bytes:
        pos = self._f.tell()
        data = self._f.read(n)
        self._sums.check(self._block, pos, len(data))
        return data

    def readline(self, limit: int = -1) -> bytes:
        pos = self._f.tell()
        data = self._f.readline(limit)
        self._sums.check(self._block, pos, len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def close(self) -> None:
        self._f.close()

    def __iter__(self) -> Any:
        return iter(self.readline, b"")


class VerifiedStorage(FileStorage):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's file storage, reading segment files through their block sums.

    ``sums`` gives the recorded entry of a file name (``[size, crc32,
    blocks]``) or None; it is asked once per file name, and the checked
    blocks are remembered for as long as the storage lives (segment files
    never change once written)."""

    def __init__(self, folder: str, sums: Callable[[str], list[Any] | None]) -> None:
        super().__init__(folder)
        self._sums_of = sums
        self._known: dict[str, BlockSums | None] = {}
        self._lock = threading.Lock()

    def sums_for(self, name: str) -> BlockSums | None:
        """The block sums of file ``name`` (None: none recorded, read unchecked)."""
        with self._lock:
            if name in self._known:
                return self._known[name]
        entry = self._sums_of(name)
        found = None
        if entry is not None and len(entry) >= 3 and isinstance(entry[2], str):
            found = BlockSums(Path(self.folder), name, int(entry[0]), entry[2])
        with self._lock:
            self._known[name] = found
        return found

    def open_file(self, name: str, **kwargs: Any) -> Any:
        """Whoosh's file, its reads checked when the file has block sums
        (the table of contents has its own checksum, checked at open)."""
        sums = self.sums_for(name) if not name.endswith(".toc") else None
        if sums is None:
            return super().open_file(name, **kwargs)
        return StructFile(_CheckedFile(os.path.join(self.folder, name), sums), name=name, **kwargs)


def block_checker(storage: Any, name: str) -> BlockSums | None:
    """The block sums of the file ``name`` for a reader that opens it itself
    (the posting arrays, through mmap), or None when the storage keeps
    none for it: call ``check(read_block, start, length)`` before using
    those bytes."""
    if not isinstance(storage, VerifiedStorage):
        return None
    return storage.sums_for(name)
