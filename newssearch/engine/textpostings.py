"""A text field's postings collected as one array of term ids, grouped into postings at flush.

The fast writer used to add each token to its term's posting in a Python
loop (a dictionary look-up, list appends and a branch per token: half of a
writer process's time). Here a document's tokens become term ids in one
``map`` over a word -> id dictionary (each new word analysed once) and are
appended to one flat array, 4 bytes a token, with the document's number
and boost beside it. At flush numpy groups the whole segment's tokens at
once: one stable sort by term (in byte order) keeps each term's tokens in
document, then position order, so runs of one term in one document are
the postings, their lengths the frequencies and their positions the
encoded values, and each term's postings come out as the lists
:func:`newssearch.engine.fastwrite.write_postings` writes.

What is written does not change: the same terms (through the same term
function), positions (stop words keep their slot), weights (frequency
times the boost, the same float product) and encoded values. The encoded
value of a one-position posting is the very object the encoding cache
hands out, as before, because pickle writes a repeated object in a block
as a back-reference: equal bytes alone would not give the same block bytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import pairwise
from pickle import dumps

import numpy as np
from whoosh.system import pack_uint

from ..analysis import TOKEN_RE, term_for

__all__ = ["ONE_POSITION_VALUES", "TermIds", "TextPostings", "encode_positions", "one_position"]

# The encoded value of a single-position posting, by position (most postings
# have one position): Whoosh's Positions.encode([p]).
_ONE_POSITION: list[bytes] = []
#: ... and back: an encoded single position -> its position list
ONE_POSITION_VALUES: dict[bytes, list[int]] = {}
#: Positions whose one-position value is cached (and so shared between postings).
_CACHED_POSITIONS = 4096


def one_position(pos: int) -> bytes:
    """Whoosh's ``Positions.encode([pos])``, the same object for every ``pos``
    under 4,096 (see the module docstring for why identity matters)."""
    cache = _ONE_POSITION
    if pos < len(cache):
        return cache[pos]
    if pos < _CACHED_POSITIONS:
        while len(cache) <= pos:
            value = bytes(pack_uint(1)) + dumps([len(cache)], 2)
            ONE_POSITION_VALUES[value] = [len(cache)]
            cache.append(value)
        return cache[pos]
    return bytes(pack_uint(1)) + dumps([pos], 2)


def encode_positions(poslist: list[int]) -> bytes:
    """Whoosh's ``Positions.encode``: the count, then the pickled gaps."""
    if len(poslist) == 1:
        return one_position(poslist[0])
    deltas = [poslist[0]]
    deltas.extend(b - a for a, b in pairwise(poslist))
    return bytes(pack_uint(len(deltas))) + dumps(deltas, 2)


class TermIds:
    """Term ids for one segment: a word as the tokenizer found it -> the id of
    its term's bytes (-1 for a stop word), and each id's bytes. Words that
    stem to the same term share an id."""

    def __init__(self) -> None:
        self._by_word: dict[str, int] = {}
        self._by_bytes: dict[bytes, int] = {}
        #: term id -> the term's UTF-8 bytes
        self.terms: list[bytes] = []

    def of_words(self, words: list[str]) -> list[int]:
        """The term id of each word (-1 for a stop word)."""
        by_word = self._by_word
        new = set(words).difference(by_word)
        for word in new:  # each new word once, not a loop over every word
            self._learn(word)
        return list(map(by_word.__getitem__, words))

    def _learn(self, word: str) -> int:
        tid = self._by_word.get(word)
        if tid is not None:
            return tid
        btext = term_for(word).encode("utf-8")
        if not btext:
            tid = -1
        else:
            tid = self._by_bytes.get(btext, -1)
            if tid < 0:
                tid = self._by_bytes[btext] = len(self.terms)
                self.terms.append(btext)
        self._by_word[word] = tid
        return tid


class TextPostings:
    """One text field's postings in a segment: every token's term id, kept
    as one flat array until flush, when they are grouped into postings."""

    def __init__(self, term_ids: TermIds) -> None:
        self._term_ids = term_ids
        #: every token's term id (-1 for a stop word), document after document
        self._tids = array("i")
        self._docs = array("q")
        self._counts = array("q")
        self._boosts = array("d")
        self._postings = 0
        #: after :meth:`terms`: postings per term, then every posting's
        #: docnum and frequency and every token's position, in term order
        self.grouped: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, docnum: int, text: str, boost: float) -> tuple[int, int]:
        """Index ``text`` as document ``docnum``'s value, each posting weighing
        its frequency times ``boost``; return ``(postings, tokens)``: the
        document's distinct terms and its tokens that are not stop words."""
        tids = self._term_ids.of_words(TOKEN_RE.findall(text))
        stops = tids.count(-1)
        if len(tids) == stops:
            return 0, 0
        postings = len(set(tids)) - (1 if stops else 0)
        self._tids.extend(tids)
        self._docs.append(docnum)
        self._counts.append(len(tids))
        self._boosts.append(boost)
        self._postings += postings
        return postings, len(tids) - stops

    def __len__(self) -> int:
        """The postings collected."""
        return self._postings

    def terms(self) -> Iterator[tuple[bytes, list[int], list[float], list[bytes]]]:
        """Every term of the field in byte order with its postings (docnums
        ascending, weights, encoded values), as lists."""
        if not self._postings:
            return
        counts = np.frombuffer(self._counts, dtype=np.int64)
        tids = np.frombuffer(self._tids, dtype=np.int32)
        # 32-bit where the values fit: these arrays are the flush's peak memory
        owner = np.repeat(np.arange(len(counts), dtype=np.int32), counts)  # each token's document (its row here)
        positions = (np.arange(len(tids)) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int32)
        kept = tids >= 0
        tids, owner, positions = tids[kept], owner[kept], positions[kept]
        del kept
        # terms ranked in byte order; one stable sort by rank keeps each
        # term's tokens in document, then position order
        present = np.unique(tids)
        names = self._term_ids.terms
        present_bytes = [names[t] for t in present.tolist()]
        rank = np.empty(len(present), dtype=np.int64)
        rank[sorted(range(len(present)), key=present_bytes.__getitem__)] = np.arange(len(present))
        keys = rank[np.searchsorted(present, tids)].astype(np.int32)
        order = np.argsort(keys, kind="stable")
        keys, owner, positions = keys[order], owner[order], positions[order]
        del order
        # a posting is a run of one term in one document
        starts = np.flatnonzero(np.concatenate(([True], (keys[1:] != keys[:-1]) | (owner[1:] != owner[:-1]))))
        freqs = np.diff(np.append(starts, len(keys)))
        values = list(map(one_position, positions[starts].tolist()))
        for i in np.flatnonzero(freqs > 1).tolist():
            start = int(starts[i])
            values[i] = encode_positions(positions[start : start + int(freqs[i])].tolist())
        post_owner = owner[starts]
        docs = np.frombuffer(self._docs, dtype=np.int64)[post_owner]
        weights = freqs * np.frombuffer(self._boosts, dtype=np.float64)[post_owner]
        post_keys = keys[starts]
        bounds = np.flatnonzero(np.concatenate(([True], post_keys[1:] != post_keys[:-1], [True])))
        #: what the posting arrays file takes (PostingArraysWriter.add_terms)
        self.grouped = (np.diff(bounds), docs, freqs, positions)
        del keys, owner, tids
        by_rank = sorted(present_bytes)
        # lists made term by term: a whole field's docnums and weights as
        # Python objects would be ~70 bytes a posting at the flush's peak
        for k, (a, b) in enumerate(pairwise(bounds.tolist())):
            yield by_rank[k], docs[a:b].tolist(), weights[a:b].tolist(), values[a:b]
