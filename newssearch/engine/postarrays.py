"""Posting arrays: each text field's postings as flat numpy arrays, beside Whoosh's blocks.

Whoosh stores a posting list as pickled blocks of 128 postings, each block
holding the documents, weights and encoded positions together; reading a
word's documents means unpickling every block, positions included, and a
phrase reads positions one document at a time through a matcher. At a
million articles that made a common word cost hundreds of milliseconds.

The fast writer (:mod:`newssearch.engine.fastwrite`) therefore writes, for
every term of a field with positions (``title``, ``body``), the same
postings once more as arrays in one file per segment (``<segment>.nsp``,
named like the segment's own files, so Whoosh's clean-up, the checksums and
the leftover sweep treat it as one of them):

* ``keys``: each term's offset in the segment's Whoosh postings file
  (unique and ascending, so a term found through Whoosh's own term table
  is found here by bisection, with no second dictionary);
* ``starts``: where each term's postings begin (one more than terms);
* ``docs``: document numbers;
* ``pstarts`` / ``positions``: where each posting's positions begin, and
  the positions themselves (uint16 when every position fits).

A posting's weight is not stored: Whoosh's is the term's frequency times
the field's boost (newssearch sets no per-document boosts), so it is the
number of positions times the boost.

Whoosh never reads the file; the index stays a Whoosh index (a segment
without one, written by an older version, is read through Whoosh's blocks).
The file is read through ``mmap``: opening it costs a header read. With
the block sums of its commit (:mod:`newssearch.engine.verified`), the bytes
a term's lookup uses are checked before they are: the header at open, then
the blocks of the term's key, its postings, and the positions a phrase asks
for, each block once (a flipped byte in a raw array would otherwise return
other documents without any error).
"""

from __future__ import annotations

import json
import mmap
import os
from array import array
from itertools import chain
from pickle import loads
from typing import Any

import numpy as np

from .verified import BLOCK

__all__ = ["EXTENSION", "PostingArrays", "PostingArraysWriter"]

EXTENSION = ".nsp"
_MAGIC = b"NSPA1\n"
_ALIGN = 8


class PostingArraysWriter:
    """Collects a segment's positional postings, term by term, in Whoosh's order."""

    def __init__(self, single_positions: dict[bytes, list[int]]) -> None:
        #: encoded single-position values -> their position list (the fast
        #: writer's cache of Whoosh's encoding, so most values need no unpickling)
        self._single = single_positions
        self.keys = array("Q")
        self.counts = array("Q")
        self.docs = array("I")
        self.freqs = array("I")
        self.positions = array("I")

    def __len__(self) -> int:
        return len(self.keys)

    def add_term(self, key: int, ids: list[int], values: list[bytes]) -> None:
        """A term's postings (docnums ascending) with Whoosh's encoded position values."""
        single = self._single.get
        poslists = [single(v) or _decode(v) for v in values]
        self.keys.append(key)
        self.counts.append(len(ids))
        self.docs.extend(ids)
        self.freqs.extend(map(len, poslists))
        self.positions.extend(chain.from_iterable(poslists))

    def add_terms(self, keys: list[int], counts: np.ndarray, docs: np.ndarray, freqs: np.ndarray, positions: np.ndarray) -> None:
        """Many terms' postings at once, as :meth:`add_term` would add them one
        by one: ``counts`` postings per term, their ``docs`` and ``freqs``, and
        every posting's ``positions``, in the terms' order (the grouped arrays
        of :class:`newssearch.engine.textpostings.TextPostings`)."""
        self.keys.extend(keys)
        self.counts.frombytes(np.ascontiguousarray(counts, dtype=np.uint64).tobytes())
        self.docs.frombytes(np.ascontiguousarray(docs, dtype=np.uint32).tobytes())
        self.freqs.frombytes(np.ascontiguousarray(freqs, dtype=np.uint32).tobytes())
        self.positions.frombytes(np.ascontiguousarray(positions, dtype=np.uint32).tobytes())

    def write(self, f: Any) -> None:
        """Write the arrays to the open file ``f`` (Whoosh's StructFile or a binary file)."""
        counts = _array(self.counts, np.uint64)
        freqs = _array(self.freqs, np.uint32)
        starts = np.concatenate([[0], np.cumsum(counts, dtype=np.uint64)]).astype(np.uint64)
        pstarts = np.concatenate([[0], np.cumsum(freqs, dtype=np.uint64)])
        positions = _array(self.positions, np.uint32)
        arrays: dict[str, np.ndarray] = {
            "keys": _array(self.keys, np.uint64),
            "starts": starts,
            "docs": _array(self.docs, np.uint32),
            "pstarts": pstarts.astype(np.uint32 if pstarts[-1] < 2**32 else np.uint64),
            "positions": positions.astype(np.uint16) if not len(positions) or positions.max() < 2**16 else positions,
        }
        layout: dict[str, list[Any]] = {}
        offset = 0
        for name, arr in arrays.items():
            layout[name] = [arr.dtype.str, offset, int(arr.size)]
            offset += -(-arr.nbytes // _ALIGN) * _ALIGN
        header = json.dumps(layout).encode("ascii")
        head = _MAGIC + len(header).to_bytes(4, "little") + header
        head += bytes(-len(head) % _ALIGN)
        f.write(head)
        for arr in arrays.values():
            data = arr.tobytes()
            f.write(data + bytes(-len(data) % _ALIGN))


def _array(values: "array[Any]", dtype: Any) -> np.ndarray:
    """An ``array.array`` as a numpy array of ``dtype`` (an empty one too)."""
    return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype)


def _decode(value: bytes) -> list[int]:
    """Whoosh's Positions.decode_positions: the pickled gaps, summed."""
    out: list[int] = []
    pos = 0
    for gap in loads(value[4:]):
        pos += gap
        out.append(pos)
    return out


class PostingArrays:
    """A segment's posting arrays, read through mmap; with ``sums`` (the
    file's block sums) every byte is checked before it is used."""

    def __init__(self, path: str | os.PathLike[str], sums: Any = None) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self._map
        self._sums = sums
        self._offsets: dict[str, tuple[int, int]] = {}
        self._check(0, min(len(buf), len(_MAGIC) + 4))
        if buf[: len(_MAGIC)] != _MAGIC:
            raise ValueError(f"{os.fspath(path)}: not a posting arrays file")
        size = int.from_bytes(buf[len(_MAGIC) : len(_MAGIC) + 4], "little")
        start = len(_MAGIC) + 4
        self._check(start, size)
        layout = json.loads(bytes(buf[start : start + size]))
        base = start + size
        base += -base % _ALIGN
        arrays = {name: np.frombuffer(buf, dtype=np.dtype(dt), count=n, offset=base + off) for name, (dt, off, n) in layout.items()}
        self._offsets = {name: (base + off, np.dtype(dt).itemsize) for name, (dt, off, _n) in layout.items()}
        self.keys: np.ndarray = arrays["keys"]
        self.starts: np.ndarray = arrays["starts"]
        self.docs: np.ndarray = arrays["docs"]
        self.pstarts: np.ndarray = arrays["pstarts"]
        self.positions: np.ndarray = arrays["positions"]

    def _check(self, start: int, length: int) -> None:
        """Check bytes ``[start, start+length)`` of the file against its block sums."""
        if self._sums is not None and length > 0:
            self._sums.check(self._block, start, length)

    def _block(self, b: int) -> bytes:
        return self._map[b * BLOCK : (b + 1) * BLOCK]

    def _check_rows(self, name: str, lo: int, hi: int) -> None:
        """Check elements ``[lo, hi)`` of array ``name``."""
        if self._sums is not None and hi > lo:
            base, size = self._offsets[name]
            self._check(base + lo * size, (hi - lo) * size)

    def _check_at(self, name: str, rows: np.ndarray) -> None:
        """Check the elements ``rows`` (any order) of array ``name``, block by block."""
        if self._sums is None or not len(rows):
            return
        base, size = self._offsets[name]
        first = base + rows.astype(np.int64) * size
        # an element may straddle two blocks: its first and last bytes' blocks
        for b in np.unique(np.concatenate([first // BLOCK, (first + size - 1) // BLOCK])).tolist():
            self._check(b * BLOCK, 1)

    def term(self, key: int) -> tuple[int, int] | None:
        """The range of a term's postings, by its offset in Whoosh's postings file.

        Only the key found is checked: a damaged key elsewhere can only
        make a term look absent here, and an absent term is read through
        Whoosh's own (checked) blocks."""
        i = int(np.searchsorted(self.keys, key))
        if i >= len(self.keys):
            return None
        self._check_rows("keys", i, i + 1)
        if int(self.keys[i]) != key:
            return None
        self._check_rows("starts", i, i + 2)
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        self._check_rows("docs", a, b)
        self._check_rows("pstarts", a, b + 1)
        return a, b

    def postings(self, span: tuple[int, int], boost: float) -> tuple[np.ndarray, np.ndarray]:
        """Doc ids (int64) and weights (float64: the frequency times the
        field's ``boost``, as Whoosh weighs them) of a term's postings."""
        a, b = span
        freqs = np.diff(self.pstarts[a : b + 1].astype(np.int64))
        return self.docs[a:b].astype(np.int64), freqs * float(boost)

    def positions_in(self, span: tuple[int, int], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The term's positions in each of ``docs`` (ascending local ids) as
        ``(owner, position)`` arrays: ``owner`` is the index into ``docs``."""
        a, b = span
        term_docs = self.docs[a:b]
        idx = np.searchsorted(term_docs, docs)
        idx = np.minimum(idx, len(term_docs) - 1) if len(term_docs) else idx
        present = (term_docs[idx] == docs) if len(term_docs) else np.zeros(len(docs), dtype=bool)
        owners = np.nonzero(present)[0]
        if not len(owners):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        rows = a + idx[owners]
        lo = self.pstarts[rows].astype(np.int64)
        hi = self.pstarts[rows + 1].astype(np.int64)
        counts = hi - lo
        total = int(counts.sum())
        # the positions of each wanted posting, gathered without a Python loop
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        flat = np.repeat(lo, counts) + within
        self._check_at("positions", flat)
        return np.repeat(owners, counts).astype(np.int64), self.positions[flat].astype(np.int64)

    def close(self) -> None:
        """Let the mapping go (it stays while arrays handed out still refer to it)."""
        try:
            self._map.close()
        except BufferError:  # arrays still refer to it; the mapping goes with them
            pass
