"""One open snapshot of the index, with its posting lists and columns as arrays.

A :class:`Snapshot` is the index as it was at one commit (a Whoosh searcher
underneath): collection statistics, stored articles, and its
:class:`Segment`\\ s. A segment hands out whole posting lists and per-document
columns (field lengths, dates) as numpy arrays, which is what lets
:mod:`newssearch.search.ranker` score a query in a few vectorised steps
instead of one Python call per posting.

Reading a posting list a block at a time, and a column's bytes in one go,
uses whoosh3's private codec API (``W3LeafMatcher``'s block attributes,
the per-document reader's cached column readers). Each fast path checks
that it has exactly the classes it was written for and otherwise takes a
generic, slow but exact path; ``tests/test_engine.py`` makes those generic
paths fail, so a whoosh3 upgrade that changes the classes fails the tests
instead of quietly slowing every query down.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher
from whoosh.columns import FixedBytesColumn, NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Or, Prefix, Query, Term
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from ..budget import check_budget
from ..langanalysis import GROUPS, group_fields
from ..model import Article
from .postarrays import EXTENSION, PostingArrays
from .query import from_long
from .schema import TEXT_FIELDS, from_stored
from .verified import block_checker

__all__ = ["Segment", "Snapshot"]

_LENGTH_TABLE = np.array([byte_to_length(i) or 0 for i in range(256)], dtype=np.float64)
_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)
#: Terms walked (or matches collected) between two looks at the time budget.
_BUDGET_EVERY = 256
#: Wildcards whose expansions a snapshot (or segment) remembers.
_EXPANSIONS_KEPT = 64
#: how a segment's column files end: ``<segment>.<column>.col``
COLUMN_EXTENSION = W3Codec.COLUMN_EXT
_NUMPY_TYPES = {"Q": ">u8", "q": ">i8", "I": ">u4", "i": ">i4", "H": ">u2", "h": ">i2", "B": "u1", "b": "i1"}


def _unfiltered(matcher: Any) -> Any:
    """A segment with deletions wraps its posting lists in an exclusion
    filter; deleted documents are masked once per segment instead."""
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", True):
        return matcher.child
    return matcher


def _block_arrays(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """Doc ids and weights of a whole posting list, a block at a time."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, _values = matcher._data
        n = matcher._blocklength
        id_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            weight_parts.append(np.ones(n))
        elif isinstance(weights, float):
            weight_parts.append(np.full(n, weights))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float64))
        matcher._next_block()
    if not id_parts:
        return _EMPTY_I, _EMPTY_F
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def _generic_arrays(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """Doc ids and weights one posting at a time (any matcher; slow)."""
    ids: list[int] = []
    ws: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        ws.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(ws, dtype=np.float64)


def _block_ids(matcher: W3LeafMatcher) -> list[int]:
    """Doc ids of a whole posting list, a block at a time."""
    out: list[int] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        ids = matcher._ids
        out.extend(ids[matcher._i :] if matcher._i else ids)
        matcher._next_block()
    return out


def _generic_ids(matcher: Any) -> list[int]:
    """Doc ids one posting at a time (any matcher; slow)."""
    return list(matcher.all_ids())


def _expanded(q: Query, reader: Any, limit: int | None) -> list[tuple[str, Any]]:
    """``q``'s expansions in ``reader``, up to ``limit`` + 1 of them. A
    leading wildcard walks the field's whole vocabulary, so the search's
    time budget is checked as it goes."""
    out: list[tuple[str, Any]] = []
    for seen, (fieldname, text) in enumerate(q.expanded_terms(reader), start=1):
        if not seen % _BUDGET_EVERY:
            check_budget()
        if text:
            out.append((fieldname, text))
            if limit is not None and len(out) > limit:
                break
    return out


def _remembered(memo: dict[Query, list[tuple[str, Any]]], q: Query, reader: Any, limit: int | None) -> list[tuple[str, Any]]:
    """:func:`_expanded`, remembered per snapshot (or segment), which never
    changes: one search asks for a wildcard's terms several times (to bound
    them, per segment, for statistics, to highlight), and a leading wildcard
    walks the whole vocabulary each time."""
    known = memo.get(q)
    if known is not None:
        return known if limit is None else known[: limit + 1]
    found = _expanded(q, reader, limit)
    if limit is not None and len(found) > limit:
        return found  # a part only: not remembered
    return _remember(memo, q, found, limit)


def _remember(
    memo: dict[Query, list[tuple[str, Any]]], q: Query, found: list[tuple[str, Any]], limit: int | None
) -> list[tuple[str, Any]]:
    """Keep ``found`` (every expansion of ``q``) in ``memo``; return it."""
    if len(memo) >= _EXPANSIONS_KEPT:
        memo.pop(next(iter(memo)))
    memo[q] = found
    return found if limit is None else found[: limit + 1]


def _is_fixed_numeric(col: Any) -> bool:
    return type(col) is NumericColumn.Reader


def _fixed_bytes(col: Any, size: int, width: int, dtype: str) -> np.ndarray:
    """A fixed-width column's values for ``size`` documents, read in one go
    (rows past the column's end take its default value)."""
    raw = bytes(col._dbfile.get(col._basepos, col._count * col._fixedlen))
    arr = np.frombuffer(raw, dtype=dtype)
    if col._count < size:
        default = col._defaultbytes if isinstance(col._defaultbytes, bytes) else bytes(width)
        arr = np.concatenate([arr, np.frombuffer(default * (size - col._count), dtype=dtype)])
    return arr


def _generic_length_bytes(col: Any, size: int) -> np.ndarray:
    """A length column row by row (any column layout; slow)."""
    out = bytearray()
    for docnum in range(size):
        v = col[docnum]
        out += v if isinstance(v, (bytes, bytearray)) else bytes([v or 0])
    return np.frombuffer(bytes(out), dtype=np.uint8)


def _generic_numbers(col: Any, size: int) -> np.ndarray:
    """A numeric column row by row (any column layout; slow)."""
    return np.array([int(col[d]) for d in range(size)], dtype=np.uint64)


def _pin_columns(reader: Any, listings: dict[int, list[str]] | None = None) -> None:
    """Open every column file of a segment now, and answer "has it this
    column?" from what was opened from then on.

    Whoosh opens a segment's terms and postings files with its reader, but
    each column file (dates, stories, field lengths, stored fields) only
    when first read, and it asks the folder whether the file exists each
    time. A merge or rebuild committed by another process meanwhile deletes
    the segment's files: the column then "does not exist" (every date
    missing: a count with a date filter of 0 instead of 86; every story
    one: 1 instead of 106) or its reader is None (TypeError on every
    search). A file opened before the deletion stays readable (POSIX), so
    a segment reads, to the end, the commit it was opened at.

    ``listings`` keeps the folder's listing for the snapshot's other
    segments: listed once per folder, not once per segment (a folder holds
    about a dozen files per segment, so listing it for each segment grew
    with the square of the segment count; issue 23)."""
    perdoc = getattr(reader, "_perdoc", None)
    segment = getattr(reader, "_segment", None)
    storage = getattr(reader, "_storage", None)
    if perdoc is None or segment is None or storage is None or not hasattr(perdoc, "_colfiles"):
        return  # not whoosh3's per-document reader (an empty index): nothing read lazily
    prefix, suffix = segment.make_filename("."), COLUMN_EXTENSION
    names = None if listings is None else listings.get(id(storage))
    if names is None:
        names = list(storage.list())
        if listings is not None:
            listings[id(storage)] = names
    present = set()
    for filename in names:
        if filename.startswith(prefix) and filename.endswith(suffix):
            name = filename[len(prefix) : -len(suffix)]
            if name not in perdoc._colfiles:
                perdoc._colfiles[name] = perdoc._get_column_file(name)
            present.add(name)
    perdoc.has_column = present.__contains__


def _open_posting_arrays(reader: Any) -> PostingArrays | None:
    """The segment's posting arrays (``.nsp``), mapped now for the reason
    :func:`_pin_columns` gives; None for a segment without them (written by
    an older version, or not by the fast writer): its postings are read
    through Whoosh's blocks, in the postings file Whoosh holds open."""
    segment = getattr(reader, "_segment", None)
    folder = getattr(getattr(reader, "_storage", None), "folder", None)
    if segment is None or folder is None:
        return None
    try:
        return _checked_arrays(reader._storage, os.path.join(folder, segment.make_filename(EXTENSION)))
    except FileNotFoundError:
        return None


def _checked_arrays(storage: Any, path: str) -> PostingArrays:
    """A segment's posting arrays, their bytes checked against the commit's
    block sums as a query uses them (see :mod:`newssearch.engine.verified`)."""
    return PostingArrays(path, block_checker(storage, os.path.basename(path)))


class Segment:
    """One segment of a snapshot: posting lists and columns as numpy arrays.

    Document numbers a segment hands out are local to it; ``offset`` turns
    them into the snapshot's numbers. ``deleted`` masks documents deleted
    since the segment was written (None when there are none).
    """

    def __init__(self, searcher: Any, offset: int, listings: dict[int, list[str]] | None = None) -> None:
        """``listings``: the folder listings the snapshot's segments share (see :func:`_pin_columns`)."""
        self._searcher = searcher
        self._reader = searcher.reader()
        self.offset = int(offset)
        self.size = int(self._reader.doc_count_all())
        self.deleted_docs: frozenset[int] = frozenset()
        self.deleted: np.ndarray | None = None
        if self._reader.has_deletions():
            found = getattr(self._reader, "deleted_docs_set", None)
            if found is None:
                found = {d for d in range(self.size) if self._reader.is_deleted(d)}
            self.deleted_docs = frozenset(found)
            mask = np.zeros(self.size, dtype=bool)
            mask[list(self.deleted_docs)] = True
            self.deleted = mask
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        # opened now, not on first use: a merge may delete them meanwhile (see _pin_columns)
        _pin_columns(self._reader, listings)
        self._arrays: PostingArrays | None = _open_posting_arrays(self._reader)
        # term -> Whoosh's term info (None: not in this segment); a query asks
        # for the same term several times (exists? where? how many?)
        self._terminfos: dict[tuple[str, Any], Any] = {}
        self._expansions: dict[Query, list[tuple[str, Any]]] = {}

    #: Term infos remembered per segment before the memo starts afresh.
    TERMINFO_MEMO = 100_000

    def drop_caches(self) -> None:
        """Forget the term lookups remembered between queries."""
        self._terminfos.clear()

    def _terminfo(self, fieldname: str, text: Any) -> Any:
        key = (fieldname, text)
        try:
            return self._terminfos[key]
        except KeyError:
            pass
        try:
            found = self._reader.term_info(fieldname, text)
        except TermNotFound:
            found = None
        if len(self._terminfos) >= self.TERMINFO_MEMO:
            self._terminfos.clear()
        self._terminfos[key] = found
        return found

    def _posting_arrays(self, fieldname: str) -> PostingArrays | None:
        """The segment's posting arrays when it has them and the field has positions."""
        if self._arrays is None or not self._reader.schema[fieldname].format.supports("positions"):
            return None
        return self._arrays

    def _span(self, fieldname: str, text: Any) -> tuple[PostingArrays, tuple[int, int]] | None:
        """Where a term's postings are in the posting arrays (None: read Whoosh's blocks)."""
        arrays = self._posting_arrays(fieldname)
        if arrays is None:
            return None
        terminfo = self._terminfo(fieldname, text)
        if terminfo is None or terminfo.is_inlined():
            return None
        span = arrays.term(terminfo.extent()[0])
        return None if span is None else (arrays, span)

    @property
    def folder(self) -> str | None:
        """The index folder this segment's files are in (a shard's, in a sharded index)."""
        folder = getattr(getattr(self._reader, "_storage", None), "folder", None)
        return str(folder) if folder is not None else None

    @property
    def key(self) -> tuple[str | None, str, int]:
        """What tells this segment's live documents apart from any other's: its folder, its
        id (segments never change once written) and how many of its documents are deleted (a
        deletion is the one change a written segment sees, and deletions only add up). For what is worked out once per
        segment and kept across snapshots."""
        found = self._reader.segment()
        return (self.folder, found.segment_id() if found is not None else f"unnamed-{id(self)}", len(self.deleted_docs))

    def stored_values(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """The stored values of fields ``names`` of this segment's live documents (None where there is none)."""
        for fields in self._reader.all_stored_fields():
            yield tuple(fields.get(name) for name in names)

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        """Documents of this segment holding the term (deleted ones included)."""
        if fieldname not in self._reader.schema:
            return 0
        terminfo = self._terminfo(fieldname, text)
        return 0 if terminfo is None else int(terminfo.doc_frequency())

    def has(self, fieldname: str, text: Any) -> bool:
        """Whether the term occurs in this segment."""
        if fieldname not in self._reader.schema:
            return False
        return self._terminfo(fieldname, text) is not None

    def postings(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Sorted doc ids (deleted ones included) and term weights of a posting list."""
        found = self._span(fieldname, text)
        if found is not None:
            arrays, span = found
            return arrays.postings(span, self._reader.schema[fieldname].format.field_boost)
        matcher = _unfiltered(self._reader.postings(fieldname, text))
        if type(matcher) is W3LeafMatcher:
            return _block_arrays(matcher)
        return _generic_arrays(matcher)

    def positions_of(self, fieldname: str, text: Any, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A term's positions in each of ``docs`` (ascending local doc ids) as
        two arrays, ``(owner, position)``, ``owner`` indexing ``docs``."""
        found = self._span(fieldname, text)
        if found is not None:
            arrays, span = found
            return arrays.positions_in(span, docs)
        lists = self.positions(fieldname, text, docs)
        owners = np.repeat(np.arange(len(lists), dtype=np.int64), [len(p) for p in lists])
        return owners, np.fromiter((p for plist in lists for p in plist), dtype=np.int64, count=len(owners))

    def positions(self, fieldname: str, text: Any, docs: np.ndarray) -> list[list[int]]:
        """The token positions of a term in each of ``docs`` (ascending local
        doc ids); a document the term is not in (or that was deleted) gets
        none. The matcher skips the blocks no asked-for document is in."""
        found = self._span(fieldname, text)
        if found is not None:
            arrays, span = found
            owners, positions = arrays.positions_in(span, docs)
            out: list[list[int]] = [[] for _ in range(len(docs))]
            for owner, position in zip(owners.tolist(), positions.tolist()):
                out[owner].append(position)
            return out
        matcher = _unfiltered(self._reader.postings(fieldname, text))
        decode = self._reader.schema[fieldname].format.decode_positions
        out = []
        for doc in docs.tolist():
            if matcher.is_active() and matcher.id() < doc:
                matcher.skip_to(doc)
            out.append(list(decode(matcher.value())) if matcher.is_active() and matcher.id() == doc else [])
        return out

    def posting_ids(self, fieldname: str, text: Any) -> list[int]:
        """The doc ids (deleted ones included) of a posting list."""
        matcher = _unfiltered(self._reader.postings(fieldname, text))
        if type(matcher) is W3LeafMatcher:
            return _block_ids(matcher)
        return _generic_ids(matcher)

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length in a text field (as Whoosh stores it, in one byte)."""
        arr = self._lengths.get(fieldname)
        if arr is None:
            arr = _LENGTH_TABLE[self._length_bytes(fieldname).astype(np.int64)]
            self._lengths[fieldname] = arr
        return arr

    def _length_bytes(self, fieldname: str) -> np.ndarray:
        colname = f"_{fieldname}_len"
        if not self._has_column(colname):
            return np.zeros(self.size, dtype=np.uint8)
        perdoc = self._reader._perdoc
        col = perdoc._cached_reader(colname, LENGTHS_COLUMN)
        if _is_fixed_numeric(col) and col._fixedlen == 1:
            return _fixed_bytes(col, self.size, 1, "u1")
        return _generic_length_bytes(col, self.size)

    def numeric_column(self, name: str) -> np.ndarray:
        """A sortable numeric column (``published``, ``undated``) as uint64
        values; documents without a column give the largest value."""
        arr = self._columns.get(name)
        if arr is None:
            arr = self._numbers(name)
            self._columns[name] = arr
        return arr

    def newest(self) -> int:
        """The largest ingest sequence (``seq``) of the segment's documents,
        deleted ones included (0 when it has none): a search restricted to
        articles added after a sequence skips a segment whose newest is
        not past it."""
        found = self._columns.get("seq:max")
        if found is None:
            if not self.size or not self._has_column("seq"):
                found = np.zeros(1, dtype=np.uint64)
            else:
                found = self.numeric_column("seq").max(keepdims=True)
            self._columns["seq:max"] = found
        return int(found[0])

    def fixed_bytes_column(self, name: str) -> np.ndarray:
        """A fixed-width bytes column (``minhash``) as a (documents, width)
        uint8 array, read in one go (not kept: callers keep what they derive)."""
        if not self._has_column(name):
            column = self._reader.schema[name].column_type
            return np.tile(np.frombuffer(column._default, dtype=np.uint8), (self.size, 1))
        col = self._reader.column_reader(name, translate=False)
        width = int(col._fixedlen)
        if type(col) is FixedBytesColumn.Reader:
            raw = _fixed_bytes(col, self.size, width, "u1")
        else:
            raw = np.frombuffer(b"".join(bytes(col[d]) for d in range(self.size)), dtype=np.uint8)
        return raw.reshape(self.size, width)

    def _has_column(self, name: str) -> bool:
        """Whether the segment stores the column (an empty index's reader has no per-document data at all)."""
        perdoc = getattr(self._reader, "_perdoc", None)
        return perdoc is not None and bool(perdoc.has_column(name))

    def _numbers(self, name: str) -> np.ndarray:
        if not self._has_column(name):
            return np.full(self.size, np.iinfo(np.uint64).max, dtype=np.uint64)
        col = self._reader.column_reader(name, translate=False)
        dtype = _NUMPY_TYPES.get(getattr(col, "_typecode", ""))
        if dtype and _is_fixed_numeric(col):
            return _fixed_bytes(col, self.size, col._fixedlen, dtype).astype(np.uint64)
        return _generic_numbers(col, self.size)

    def expand(self, q: Query, limit: int | None = None) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches in this segment (at
        most ``limit`` + 1, so a caller can tell "more than ``limit``")."""
        return _remembered(self._expansions, q, self._reader, limit)

    def lexicon(self, fieldname: str) -> Iterator[Any]:
        """Every term of a field in this segment."""
        return iter(self._reader.lexicon(fieldname))

    def term_holders(self, fieldname: str) -> Iterator[tuple[bytes, list[int]]]:
        """Every term of a field, in order, with the local doc ids holding it
        (deleted ones included), from the term index alone: for a field of
        one value per document (``id``) every document's value, without
        loading a document. A term held by one or two documents (an id, and
        the deleted copy an update left) needs no posting list read."""
        if fieldname not in self._reader.schema:
            return
        for text, info in self._reader.iter_field(fieldname):
            if info.doc_frequency() <= 2:
                yield text, sorted({int(info.min_id()), int(info.max_id())})
            else:
                yield text, self.posting_ids(fieldname, text)

    def docs_for_query(self, q: Query) -> set[int]:
        """Local doc ids (deleted ones included) matching ``q``, through
        Whoosh's own matchers (for shapes the array code does not evaluate)."""
        return set(self._searcher.docs_for_query(q, for_deletion=True))

    @property
    def whoosh_searcher(self) -> Any:
        """The segment's Whoosh searcher, for :mod:`newssearch.engine.matching`."""
        return self._searcher

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> set[str]:
        """Terms of a field within ``maxdist`` edits of ``text`` (Whoosh's automata)."""
        found = self._reader.terms_within(fieldname, text, maxdist, prefix=prefix)
        return {t.decode("utf-8") if isinstance(t, bytes) else t for t in found}


class Snapshot:
    """The index as of one commit: statistics, stored articles, segments.

    Open it with :meth:`newssearch.engine.store.Store.snapshot`; it stays
    valid (and its numbers stable) until closed, whatever is committed
    meanwhile; :meth:`is_current` says when a newer commit exists.
    """

    def __init__(
        self, searcher: Any, path: Path, *, is_current: Callable[[], bool] | None = None, last_seq: int | None = None
    ) -> None:
        """``searcher``: Whoosh's, over one index or (a sharded index) a
        MultiReader over every shard's segments, which then also gives
        ``is_current`` and the ``last_seq`` (the manifest's)."""
        self._s = searcher
        self.path = path
        self._schema = searcher.schema
        self._is_current = is_current
        self._last_seq = last_seq
        self._expansions: dict[Query, list[tuple[str, Any]]] = {}
        self._groups: tuple[str, ...] | None = None
        self._group_counts: dict[str, int] = {}
        self.segments  # noqa: B018 - opened (and their files pinned) with the snapshot, not at first search

    @cached_property
    def segments(self) -> list[Segment]:
        """The segments, in document-number order."""
        listings: dict[int, list[str]] = {}  # each folder listed once, for all its segments
        return [Segment(sub, offset, listings) for sub, offset in self._s.leaf_searchers()]

    # --- state -----------------------------------------------------------
    def is_current(self) -> bool:
        """False once another commit has changed the index."""
        if self._is_current is not None:
            return self._is_current()
        return bool(self._s.up_to_date())

    @property
    def last_seq(self) -> int:
        """The ingest sequence (``seq``) of the commit this snapshot shows
        (its table of contents' generation, for one index). Every article
        it holds has a ``seq`` at or below it, and every article committed
        later has one above it. 0 for an index without segments (Whoosh's
        empty reader has no generation), which holds nothing to be past."""
        if self._last_seq is not None:
            return self._last_seq
        return int(self._s.reader().generation() or 0)

    def close(self) -> None:
        """Release the files this snapshot holds open."""
        self._s.close()

    def doc_count(self) -> int:
        """Live (not deleted) documents."""
        return int(self._s.doc_count())

    @property
    def schema(self) -> Any:
        """The schema the snapshot's table of contents records (each
        language field with the rules that wrote it)."""
        return self._schema

    def doc_count_all(self) -> int:
        """Documents, deleted ones included (document numbers run below this)."""
        return int(self._s.doc_count_all())

    def text_groups(self) -> tuple[str, ...]:
        """The language groups (:mod:`newssearch.langanalysis`) whose fields
        hold text in this snapshot: the languages a query is analysed for."""
        if self._groups is None:
            reader = self._s.reader()
            names = set(reader.indexed_field_names())
            self._groups = tuple(
                g for g in GROUPS if any(f in names and reader.field_length(f) for f in group_fields(g))
            )
        return self._groups

    def group_doc_count(self, group: str) -> int:
        """Documents (deleted ones included, as :meth:`doc_count_all`) with
        text in a language group's fields: the collection a word's idf and
        a field's average length are counted over in that language."""
        found = self._group_counts.get(group)
        if found is None:
            fields = group_fields(group)
            found = 0
            for seg in self.segments:
                held = np.zeros(seg.size, dtype=bool)
                for f in fields:
                    held |= seg.field_lengths(f) > 0
                found += int(held.sum())
            self._group_counts[group] = found
        return found

    # --- collection statistics ---------------------------------------------
    def idf(self, fieldname: str, text: Any) -> float:
        """Whoosh's BM25 inverse document frequency of a term."""
        return float(self._s.idf(fieldname, text))

    def avg_field_length(self, fieldname: str) -> float:
        """The average length of a text field over the collection."""
        return float(self._s.avg_field_length(fieldname) or 0.0)

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        """How many documents hold a term (deleted ones until a merge drops them)."""
        return int(self._s.doc_frequency(fieldname, text))

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """How many documents hold a term in any of the fields (deleted ones
        until a merge drops them, as :meth:`doc_frequency` counts)."""
        if len(fieldnames) == 1:
            return self.doc_frequency(fieldnames[0], text)
        total = 0
        for seg in self.segments:
            ids: set[int] = set()
            for f in fieldnames:
                if seg.has(f, text):
                    ids.update(seg.posting_ids(f, text))
            total += len(ids)
        return total

    def is_scorable(self, fieldname: str) -> bool:
        """Whether a field takes part in BM25F (text fields do, keywords do not)."""
        return bool(self._schema[fieldname].scorable)

    def field_boost(self, fieldname: str) -> float:
        """The weight a field's term frequencies are multiplied by."""
        return float(getattr(self._schema[fieldname].format, "field_boost", 1.0) or 1.0)

    def expand(self, q: Query, limit: int | None = None) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches anywhere in the index
        (at most ``limit`` + 1): the union of the segments' (a merged walk
        of every segment's vocabulary costs several times their sum)."""
        known = self._expansions.get(q)
        if known is not None:
            return known if limit is None else known[: limit + 1]
        found: set[tuple[str, Any]] = set()
        for seg in self.segments:
            found.update(seg.expand(q, limit))
            if limit is not None and len(found) > limit:
                return sorted(found)
        return _remember(self._expansions, q, sorted(found), limit)

    def contains(self, fieldname: str, text: Any) -> bool:
        """Whether the term occurs anywhere in the index."""
        return (fieldname, text) in self._s.reader()

    def lexicon(self, fieldname: str) -> Iterator[str]:
        """Every term of a field, as text."""
        for term in self._s.reader().lexicon(fieldname):
            yield term.decode("utf-8") if isinstance(term, bytes) else term

    def key_terms(self, fieldname: str, text: str, count: int) -> list[tuple[str, float]]:
        """The terms of ``text`` most characteristic against the collection
        (Whoosh's Bo1 divergence model), with their weights."""
        return list(self._s.key_terms_from_text(fieldname, text, numterms=count))

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> set[str]:
        """Terms within ``maxdist`` edits of ``text`` in any segment."""
        found: set[str] = set()
        for seg in self.segments:
            found |= seg.terms_within(fieldname, text, maxdist, prefix)
        return found

    # --- documents -------------------------------------------------------
    def stored(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields."""
        return dict(self._s.stored_fields(docnum))

    def article(self, docnum: int) -> Article:
        """The article stored as document ``docnum``."""
        return from_stored(self._s.stored_fields(docnum))

    def articles(self) -> Iterator[Article]:
        """Every live article, in document order."""
        for fields in self._s.all_stored_fields():
            yield from_stored(fields)

    def numbered_articles(self) -> Iterator[tuple[int, Article]]:
        """Every live article with its document number, in document order
        (what re-analysing an index reads: the number finds its columns)."""
        for docnum, fields in self._s.reader().iter_docs():
            yield int(docnum), from_stored(fields)

    def field_length(self, docnum: int, fieldname: str) -> int:
        """The terms document ``docnum`` has in a field (0 when none, or no such field)."""
        if fieldname not in self._s.schema:
            return 0
        return int(self._s.reader().doc_field_length(docnum, fieldname, 0) or 0)  # None where the field has no lengths

    def stored_values(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """The stored values of fields ``names`` of every live document, in
        document order (None where a document has none): what a structure
        built over every headline reads, without building articles."""
        for fields in self._s.all_stored_fields():
            yield tuple(fields.get(name) for name in names)

    def find(self, fieldname: str, value: str) -> dict[str, Any] | None:
        """The stored fields of the first live document whose field holds ``value``."""
        found = self._s.document(**{fieldname: value})
        return dict(found) if found else None

    def find_article(self, fieldname: str, value: str) -> Article | None:
        """The first live article whose field holds ``value``."""
        found = self._s.document(**{fieldname: value})
        return from_stored(found) if found else None

    def docnums_with(self, fieldname: str, text: str) -> list[int]:
        """The live documents holding one exact term (e.g. every article read
        from one file: ``origin``)."""
        return [int(d) for d in self._s.docs_for_query(Term(fieldname, text))]

    def docnum_for_id(self, article_id: str) -> int | None:
        """The document number of the live article with this id."""
        found = self._s.document_number(id=article_id)
        return None if found is None else int(found)

    def id_order(self) -> np.ndarray:
        """Each document's place in the order of article ids (int64, by doc
        number; equal ids share a place, a document without one comes
        last): what breaks ties between equal scores and dates, so that no
        order depends on where an article is stored (which shard, which
        segment). Read from the ``id`` field's terms, a few microseconds per
        article, where a stored document costs tens."""
        order = np.full(self.doc_count_all(), np.iinfo(np.int64).max, dtype=np.int64)
        texts: list[bytes] = []
        holders: list[int] = []
        for seg in self.segments:
            for text, docs in seg.term_holders("id"):
                texts.extend([text] * len(docs))
                holders.extend(d + seg.offset for d in docs)
        if texts:
            _unique, places = np.unique(np.array(texts, dtype=bytes), return_inverse=True)
            order[np.array(holders, dtype=np.int64)] = places.reshape(-1)
        return order

    def walk_ids(self, wanted: np.ndarray) -> Iterator[tuple[int, int]]:
        """The documents ``wanted`` marks (a bool per doc number) in the order of their
        article ids, each with the number of id terms walked to reach it:
        every segment's ``id`` terms, merged in order. When most of the
        index ties (``*`` by relevance, undated articles by date), the
        first few ids are all a page needs, found in a few terms, where
        :meth:`id_order` reads them all; the caller stops when it has
        enough, or when the walk has gone too far to pay."""
        streams = [_ids_with_offset(seg) for seg in self.segments]
        for walked, (_text, offset, docs) in enumerate(heapq.merge(*streams, key=lambda t: t[0]), start=1):
            for d in docs:
                if wanted[d + offset]:
                    yield walked, d + offset

    def ids_starting(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` article ids that start with ``prefix``."""
        return [hit["id"] for hit in self._s.search(Prefix("id", prefix), limit=limit)]

    def column(self, name: str) -> Any:
        """A sortable column's reader, indexable by document number (an
        empty array for an index with no documents yet: Whoosh's reader of
        one has no columns and raises NotImplementedError)."""
        reader = self._s.reader()
        if reader.doc_count_all() == 0:
            return np.zeros(0, dtype=np.int64)
        return reader.column_reader(name)

    def docs_for_query(self, q: Query) -> set[int]:
        """Live documents matching ``q``, through Whoosh's matchers."""
        return set(self._s.docs_for_query(q))

    def docs_with_term(self, fieldname: str, text: str, limit: int) -> list[int]:
        """The first ``limit`` live documents holding a term (none if it is not indexed)."""
        try:
            matcher = self._s.postings(fieldname, text)
        except TermNotFound:
            return []
        out: list[int] = []
        while matcher.is_active() and len(out) < limit:
            out.append(matcher.id())
            matcher.next()
        return out

    # --- summaries -------------------------------------------------------
    def date_range(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest publication times of live articles, or
        None without dates (from the ``published`` column, with numpy)."""
        _dated, earliest, latest = self._date_summary()
        if earliest is None or latest is None:
            return None

        return from_long(earliest), from_long(latest)

    def count_dated(self) -> int:
        """Live documents with a publication date."""
        return self._date_summary()[0]

    def _date_summary(self) -> tuple[int, int | None, int | None]:
        # Columns, not terms: expanding every distinct publication time into
        # a query took 6 s at 14,000 articles; deleted articles are masked
        dated, earliest, latest = 0, None, None
        for seg in self.segments:
            live = seg.numeric_column("undated") == 0
            if seg.deleted is not None:
                live &= ~seg.deleted
            n = int(live.sum())
            if not n:
                continue
            values = seg.numeric_column("published")[live]
            dated += n
            lo, hi = int(values.min()), int(values.max())
            earliest = lo if earliest is None else min(earliest, lo)
            latest = hi if latest is None else max(latest, hi)
        return dated, earliest, latest

    def keyword_counts(self, fieldname: str) -> dict[str, int]:
        """Live documents per value of a keyword field, keyed by the value as articles spell it."""
        out: dict[str, int] = {}
        for text in self.lexicon(fieldname):
            live = 0
            for seg in self.segments:  # posting lists as arrays; deleted documents masked
                try:
                    ids, _weights = seg.postings(fieldname, text)
                except TermNotFound:
                    continue
                live += len(ids) - (int(seg.deleted[ids].sum()) if seg.deleted is not None else 0)
            if live:
                stored = self._s.document(**{fieldname: text})  # the original spelling, for display
                name = stored.get(fieldname, text) if stored else text
                out[name] = out.get(name, 0) + live
        return out

    def words_docs(self, terms: Iterable[str]) -> set[int]:
        """Live documents holding any of ``terms`` in a text field."""
        return set(self._s.docs_for_query(Or([Term(f, t) for t in terms for f in TEXT_FIELDS])))

    @property
    def whoosh_searcher(self) -> Any:
        """The Whoosh searcher underneath: for :mod:`newssearch.engine.matching`
        and the tests that compare newssearch with Whoosh, nothing else."""
        return self._s


def _ids_with_offset(seg: Segment) -> Iterator[tuple[bytes, int, list[int]]]:
    """A segment's id terms in order, each with its local doc ids and the
    segment's offset (a function, so each stream keeps its own segment)."""
    for text, docs in seg.term_holders("id"):
        yield text, seg.offset, docs
