"""Whoosh segments written in bulk: the same files, a fraction of the Python calls.

Whoosh's :class:`~whoosh.writing.SegmentWriter` sends every posting through
a sorting pool (a tuple each, spilled to sorted runs on disk, merged back),
then through ``FieldWriter.add_postings``, which looks up the document's
field length and calls the postings writer once per posting, with type
assertions, to build blocks of 128. For a 400-word article that is about
220 postings and some fifteen Python calls each: most of an indexing run.

:class:`FastSegmentWriter` keeps Whoosh's writer for everything per
document (stored fields, columns, field lengths: Whoosh's own per-document
writer, called exactly as Whoosh calls it) and for the table of contents,
deletions, merges and cancelling, but collects postings per term in memory
(three lists per term, appended to once per posting) and writes each term's
posting list block by block in one pass at flush (:func:`write_postings`).
The blocks, block headers and term infos are the ones Whoosh's W3 codec
writes (same ids, weights, values, length bytes, compression rule), so
Whoosh reads the segment as if it had written it; ``tests/test_fastwrite.py``
compares every term, posting, position, length, stored field, column and
score with a segment written by Whoosh's own writer.

Nothing is spilled to disk, so the caller bounds memory by flushing: a
writer process starts a new segment when :attr:`FastSegmentWriter.postings`
passes its limit (see :mod:`newssearch.engine.workers`). A merge (Whoosh's
``add_reader``) reads the merged segments' blocks whole instead of one
posting at a time.

All of this relies on whoosh3's W3 codec internals; it lives here, behind
the engine's door, and the tests pin it.
"""

from __future__ import annotations

import heapq
import zlib
from array import array
from pickle import dumps
from typing import Any

from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3LeafMatcher,
    W3TermInfo,
)
from whoosh.fields import ID, KEYWORD, NUMERIC
from whoosh.formats import Existence
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from .postarrays import EXTENSION, PostingArraysWriter
from .schema import NewsText
from .textpostings import ONE_POSITION_VALUES, TermIds, TextPostings

__all__ = ["FastPostings", "FastSegmentWriter", "write_postings"]

#: Postings per block, as Whoosh's W3 codec writes them (``blocklimit``).
BLOCK = 128
#: zlib level of Whoosh's W3 codec (``compression``).
COMPRESSION = 3

_PLAIN_ID = IDTokenizer()
#: Value types whose numeric postings are remembered (hashable, compared exactly).
_MEMO_NUMBERS = (int, bool, float)


def write_postings(
    postfile: Any,
    fixedsize: int | None,
    ids: list[int],
    weights: list[float],
    values: list[bytes],
    lengths: list[int | None] | None,
) -> W3TermInfo:
    """Write one term's posting list (docnums ascending) as Whoosh's
    W3PostingsWriter would, and return its term info.

    ``lengths`` maps a docnum to its field length as Whoosh's per-document
    reader returns it (the length byte decoded; None for byte 0), or is
    None for a field without lengths. Only non-empty values are kept, as
    Whoosh's writer keeps them. The term info's statistics are summed as
    ``W3TermInfo.add_block`` sums them, block by block."""
    terminfo = W3TermInfo()
    start = postfile.tell()
    chunks = [WHOOSH3_HEADER_MAGIC]
    n = len(ids)
    total = 0.0
    minlength: int | None = None
    maxlength = 0
    maxweight: float = 0
    for s in range(0, n, BLOCK):
        if n <= BLOCK:
            bids, bweights, bvalues = ids, array("f", weights), values
        else:
            bids, bweights, bvalues = ids[s : s + BLOCK], array("f", weights[s : s + BLOCK]), values[s : s + BLOCK]
        if not all(bvalues):
            bvalues = [v for v in bvalues if v]
        if lengths is not None:
            present = [x for x in map(lengths.__getitem__, bids) if x]
            bmin = min(present) if present else None
            bmax = max(present) if present else 0
        else:
            bmin, bmax = None, 0
        bmaxweight = max(bweights)
        if bmaxweight < 0:
            bmaxweight = 0
        # W3TermInfo.add_block
        total += sum(bweights)
        if minlength is None:
            minlength = bmin
        elif bmin is not None:
            minlength = min(minlength, bmin)
        maxlength = max(maxlength, bmax)
        maxweight = max(maxweight, bmaxweight)

        # the block's data, minified as W3PostingsWriter._mini_* do
        deltas = [bids[0]]
        deltas.extend(map(int.__sub__, bids[1:], bids))
        first = bweights[0]
        if bweights.count(first) == len(bweights):
            wdata: Any = None if first == 1.0 else first
        else:
            wdata = tuple(bweights)
        if fixedsize is None or fixedsize < 0:
            vdata: Any = tuple(bvalues)
        elif fixedsize == 0:
            vdata = None
        else:
            vdata = b"".join(bvalues)
        data = dumps((tuple(deltas), wdata, vdata), 2)
        comp = COMPRESSION if len(data) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            data = zlib.compress(data, comp)
        info = dumps((len(bids), bids[-1], bmaxweight, comp, length_to_byte(bmin), length_to_byte(bmax)), 2)
        blocklength = len(info) + len(data)
        if s + BLOCK >= n:
            blocklength = -blocklength  # the last block
        chunks += (pack_int(blocklength), info, data)
    postfile.write(b"".join(chunks))
    terminfo._weight = total
    terminfo._df = n
    terminfo._minlength = minlength
    terminfo._maxlength = maxlength
    terminfo._maxweight = maxweight
    terminfo._minid = ids[0]
    terminfo._maxid = ids[-1]
    terminfo.set_extent(start, postfile.tell() - start)
    return terminfo


def read_blocks(postfile: Any, terminfo: Any, fmt: Any) -> list[tuple[Any, Any, Any]]:
    """One term's postings as ``(docnums, weights, values)`` per block, read
    whole (a value is ``b""`` where the format keeps none)."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        blocks = [(ids, weights, values)]
    else:
        offset, length = terminfo.extent()
        m = W3LeafMatcher(postfile, offset, length, fmt)
        blocks = []
        while m.is_active():
            m._read_ids()
            m._read_weights()
            m._read_values()
            blocks.append((m._ids, m._weights, m._values))
            m._next_block()
    return [(i, w, v if v and len(v) == len(i) and v[0] is not None else [b""] * len(i)) for i, w, v in blocks]


def _renumbered(
    blocks: list[tuple[Any, Any, Any]], base: int, docmap: dict[int, int] | None, ids: list[int], weights: list[float], values: list[bytes]
) -> None:
    for bids, bweights, bvalues in blocks:
        if docmap is None:
            ids.extend(d + base for d in bids)
            weights.extend(bweights)
            values.extend(bvalues)
        else:
            for d, w, v in zip(bids, bweights, bvalues):
                new = docmap.get(d)
                if new is not None:
                    ids.append(new)
                    weights.append(w)
                    values.append(v)


#: A term's postings while a segment is written: docnums, weights, encoded
#: values (a text posting's value is its position list until its document ends).
_Postings = tuple[list[int], list[Any], list[Any]]


class FastPostings:
    """What a writer collects per field and term, and how it writes and merges it.

    A mixin for Whoosh's SegmentWriter (and its multiprocess writer, whose
    merges then take this path too)."""

    def _fast_init(self) -> None:
        # field name -> term bytes -> [docnums, weights, values]
        self._terms: dict[str, dict[bytes, _Postings]] = {}
        # text fields' postings as arrays (NewsText values), grouped at flush
        self._term_ids = TermIds()
        self._text: dict[str, TextPostings] = {}
        #: postings collected since the segment began (a memory measure)
        self.postings = 0

    def _field_terms(self, fieldname: str) -> dict[bytes, _Postings]:
        terms = self._terms.get(fieldname)
        if terms is None:
            terms = self._terms[fieldname] = {}
        return terms

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        """Whoosh's merge path: take every posting of a segment ``reader``,
        block by block, renumbered by ``docmap`` (deleted documents are not
        in it) or shifted by ``startdoc``."""
        schema = self.schema  # type: ignore[attr-defined]
        terms_reader = reader._terms
        postfile = terms_reader._postfile
        count = 0
        for (fieldname, btext), terminfo in terms_reader.items():
            if fieldname not in schema:
                continue
            blocks = read_blocks(postfile, terminfo, schema[fieldname].format)
            entry = self._field_terms(fieldname).get(btext)
            if entry is None:
                entry = self._field_terms(fieldname)[btext] = ([], [], [])
            _renumbered(blocks, startdoc, docmap, *entry)
            count += sum(len(b[0]) for b in blocks)
        self.postings += count
        self._added = True

    def _flush_segment(self) -> None:
        """Close the per-document files, then write every field's terms and postings."""
        self.perdocwriter.close()  # type: ignore[attr-defined]
        schema = self.schema  # type: ignore[attr-defined]
        fieldwriter = self.fieldwriter  # type: ignore[attr-defined]
        pdr = self.per_document_reader()  # type: ignore[attr-defined]
        try:
            doccount = self.docnum  # type: ignore[attr-defined]
            postfile = fieldwriter._postfile
            tindex = fieldwriter._tindex
            arrays = PostingArraysWriter(ONE_POSITION_VALUES)
            for fieldname in sorted(set(self._terms) | set(self._text)):
                terms = self._terms.get(fieldname, {})
                text = self._text.get(fieldname)
                if text is not None and terms:  # both kinds of value in one field: merged per term
                    for btext, tids, tweights, tvalues in text.terms():
                        entry = terms.setdefault(btext, ([], [], []))
                        entry[0].extend(tids)
                        entry[1].extend(tweights)
                        entry[2].extend(tvalues)
                    text = None
                if not terms and (text is None or not len(text)):
                    continue
                fieldobj = schema[fieldname]
                fixedsize = fieldobj.format.fixed_value_size()
                lengths: list[int | None] | None = None
                if pdr.has_column(f"_{fieldname}_len"):
                    get = pdr.doc_field_length_reader(fieldname)
                    lengths = [get(d) for d in range(doccount)]
                positional = fieldobj.format.supports("positions")
                fieldwriter.start_field(fieldname, fieldobj)
                prefix = pack_ushort(fieldwriter._fieldid)
                if text is not None:  # docnums ascending, positions at hand
                    keys = []
                    for btext, ids, weights, values in text.terms():
                        terminfo = write_postings(postfile, fixedsize, ids, weights, values, lengths)
                        tindex.add(prefix + btext, terminfo.to_bytes())
                        keys.append(terminfo._offset)
                    if positional and text.grouped is not None:
                        arrays.add_terms(keys, *text.grouped)
                    text.grouped = None
                    fieldwriter.finish_field()
                    continue
                for btext, (ids, weights, values) in sorted(terms.items()):
                    if len(ids) > 1 and any(b <= a for a, b in zip(ids, ids[1:])):
                        order = sorted(range(len(ids)), key=ids.__getitem__)
                        ids = [ids[i] for i in order]
                        weights = [weights[i] for i in order]
                        values = [values[i] for i in order]
                    terminfo = write_postings(postfile, fixedsize, ids, weights, values, lengths)
                    tindex.add(prefix + btext, terminfo.to_bytes())
                    if positional:
                        arrays.add_term(terminfo._offset, ids, values)
                fieldwriter.finish_field()
            fieldwriter.close()
            _write_arrays(arrays, self.storage, self.newsegment)  # type: ignore[attr-defined]
        finally:
            pdr.close()
        self._terms = {}
        self._text = {}
        self._term_ids = TermIds()


class FastSegmentWriter(FastPostings, SegmentWriter):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's SegmentWriter with postings collected per term (see the module docstring)."""

    #: Distinct keyword and number values whose postings are remembered
    #: (sources, agencies, sections, hosts and the run's ingest sequence
    #: repeat from article to article).
    MEMO_LIMIT = 50_000

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._fast_init()
        self._memo: dict[tuple[str, Any, Any], list[tuple[bytes, int, float, bytes]]] = {}

    def _index_value(self, fieldname: str, field: Any, value: Any) -> Any:
        """``field.index(value)``: what Whoosh's analyzer and format make of a
        value. A plain ID field (one term, the value itself) is done here;
        a keyword or number field's answer is remembered, since its values repeat."""
        if type(field) is ID and isinstance(value, str) and field.analyzer == _PLAIN_ID and type(field.format) is Existence:
            return ((value.encode("utf-8"), 1, field.format.field_boost, b""),)
        if isinstance(field, KEYWORD) and isinstance(value, str):
            key: tuple[str, Any, Any] = (fieldname, str, value)
        elif isinstance(field, NUMERIC) and type(value) in _MEMO_NUMBERS:
            # a run's ingest sequence is the same for every article, and a
            # number's terms (one per precision tier: 16 for seq) cost a
            # Whoosh call each; the type is in the key, since 1 == 1.0 == True
            key = (fieldname, type(value), value)
        else:
            return field.index(value)
        items = self._memo.get(key)
        if items is None:
            items = list(field.index(value))
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = items
        return items

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` (same per-document calls, same postings),
        with each posting appended to its term's lists instead of the pool."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        count = 0
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    terms = self._field_terms(fieldname)
                    if isinstance(field, NewsText) and isinstance(value, str):
                        # positions_by_term and NewsText.index fused, for
                        # the whole document at once (textpostings.py)
                        text = self._text.get(fieldname)
                        if text is None:
                            text = self._text[fieldname] = TextPostings(self._term_ids)
                        added, length = text.add(docnum, value, field.format.field_boost * fieldboost)
                        count += added
                        if not field.scorable:
                            length = 0
                    else:
                        scorable = field.scorable
                        for btext, freq, weight, vbytes in self._index_value(fieldname, field, value):
                            entry = terms.get(btext)
                            if entry is None:
                                entry = terms[btext] = ([], [], [])
                            entry[0].append(docnum)
                            entry[1].append(weight * fieldboost)
                            entry[2].append(vbytes if vbytes is not None else b"")
                            if scorable:
                                length += freq
                            count += 1
                if field.separate_spelling() or field.vector:
                    raise ValueError(f"field {fieldname!r}: spelling and vectors are not written by the fast writer")
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self.postings += count
        self._added = True
        self.docnum += 1



def merge_segments(writer: Any, segments: list[Any]) -> Any:
    """One new segment holding the live documents of ``segments``, in order,
    written term by term: each term's postings are read from every segment,
    renumbered and written before the next term is read, so a merge needs
    memory for one posting list, not for the merged segment. Returns the
    new segment; the caller lists it in the table of contents instead of
    ``segments`` (whose files Whoosh then deletes)."""
    storage, schema = writer.storage, writer.schema
    out = FastSegmentWriter(storage.open_index(writer.indexname), _lk=False, compound=False)
    readers = [SegmentReader(storage, schema, segment) for segment in segments]
    try:
        moves: list[tuple[int, dict[int, int] | None]] = []
        indexed: set[str] = set()
        totals: dict[str, int] = {}
        for reader, segment in zip(readers, segments):
            names = {name for name in reader.indexed_field_names() if name in schema}
            indexed |= names
            base = out.docnum
            moves.append((base, out.write_per_doc(set(schema.names()) | names, reader)))
            for name, total in segment._fieldlengths.items():
                deleted = sum(reader.doc_field_length(d, name) or 0 for d in segment.deleted_docs())
                totals[name] = totals.get(name, 0) + total - deleted
        out.perdocwriter.close()
        # Whoosh's merge sums the documents' one-byte lengths, so the
        # field's total (BM25's average length) drifts with every merge;
        # the merged segments' exact totals are kept instead (less the
        # deleted documents' lengths, known only to the byte).
        out.get_segment()._fieldlengths.update(totals)
        pdr = out.per_document_reader()
        fieldwriter = out.fieldwriter
        postfile, tindex = fieldwriter._postfile, fieldwriter._tindex
        arrays = PostingArraysWriter(ONE_POSITION_VALUES)
        try:
            for fieldname in sorted(indexed):
                fieldobj = schema[fieldname]
                fmt = fieldobj.format
                positional = fmt.supports("positions")
                fixedsize = fmt.fixed_value_size()
                lengths: list[int | None] | None = None
                if pdr.has_column(f"_{fieldname}_len"):
                    get = pdr.doc_field_length_reader(fieldname)
                    lengths = [get(d) for d in range(out.docnum)]
                streams = [_field_items(reader, fieldname, i) for i, reader in enumerate(readers)]
                fieldwriter.start_field(fieldname, fieldobj)
                prefix = pack_ushort(fieldwriter._fieldid)
                current: bytes | None = None
                ids: list[int] = []
                weights: list[float] = []
                values: list[bytes] = []

                def finish(btext: bytes, ids: list[int], weights: list[float], values: list[bytes]) -> None:
                    terminfo = write_postings(postfile, fixedsize, ids, weights, values, lengths)
                    tindex.add(prefix + btext, terminfo.to_bytes())
                    if positional:
                        arrays.add_term(terminfo._offset, ids, values)

                for btext, i, terminfo in heapq.merge(*streams):
                    if btext != current:
                        if ids and current is not None:
                            finish(current, ids, weights, values)
                        current, ids, weights, values = btext, [], [], []
                    base, docmap = moves[i]
                    _renumbered(read_blocks(readers[i]._terms._postfile, terminfo, fmt), base, docmap, ids, weights, values)
                if ids and current is not None:
                    finish(current, ids, weights, values)
                fieldwriter.finish_field()
            fieldwriter.close()
            _write_arrays(arrays, storage, out.newsegment)
        finally:
            pdr.close()
    finally:
        for reader in readers:
            reader.close()
    out.pool.cleanup()
    return out.get_segment()


def _write_arrays(arrays: PostingArraysWriter, storage: Any, segment: Any) -> None:
    """The segment's posting arrays file (see :mod:`newssearch.engine.postarrays`)."""
    if not len(arrays):
        return
    f = segment.create_file(storage, EXTENSION)
    try:
        arrays.write(f)
    finally:
        f.close()


def _field_items(reader: Any, fieldname: str, i: int) -> Any:
    """``(term bytes, i, term info)`` for each term of one field of a segment, in order."""
    for (name, btext), terminfo in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield btext, i, terminfo
