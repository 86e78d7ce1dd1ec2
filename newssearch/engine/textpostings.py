"""A text field's postings collected as arrays, one document at a time, grouped per term at flush.

The fast writer used to add each token to its term's posting in a Python
loop (a dictionary look-up, a list append and a branch per token: about
1 ms of a 400-word article's indexing). Here a document's tokens become
term ids in one pass (``map`` over a word -> id dictionary), and numpy
groups them: one stable sort per document gives each term's frequency
and positions, and the document's postings are kept as a few arrays (term
ids, frequencies) and one list of encoded position values. At flush one
more stable sort per field orders every posting by term, then document
(documents arrive in ascending order, so a stable sort by term keeps them
so), and each term's postings come out as the lists
:func:`newssearch.engine.fastwrite.write_postings` writes.

What is written does not change: the same terms (through the same term
function), positions (stop words keep their slot), weights (frequency
times the field's boost, the same float product) and encoded values. The
encoded value of a one-position posting is the very object Whoosh's
encoding cache hands out, as before, because pickle writes a repeated
object in a block as a back-reference: equal bytes alone would not give
the same block bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pickle import dumps
from typing import Any

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
        ids: list[Any] = list(map(self._by_word.get, words))
        if None in ids:
            for i, tid in enumerate(ids):
                if tid is None:
                    ids[i] = self._learn(words[i])
        return ids

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
    """One text field's postings in a segment, kept per document as arrays."""

    def __init__(self, term_ids: TermIds) -> None:
        self._term_ids = term_ids
        self._tids: list[np.ndarray] = []
        self._freqs: list[np.ndarray] = []
        self._docs: list[int] = []
        self._boosts: list[float] = []
        self._values: list[bytes] = []

    def add(self, docnum: int, text: str, boost: float) -> tuple[int, int]:
        """Index ``text`` as document ``docnum``'s value, each posting weighing
        its frequency times ``boost``; return ``(postings, tokens)``: the
        document's distinct terms and its tokens that are not stop words."""
        tids = np.array(self._term_ids.of_words(TOKEN_RE.findall(text)), dtype=np.int64)
        positions = np.flatnonzero(tids >= 0)
        if not len(positions):
            return 0, 0
        tids = tids[positions]
        order = np.argsort(tids, kind="stable")
        tids = tids[order]
        positions = positions[order]
        starts = np.flatnonzero(np.concatenate(([True], tids[1:] != tids[:-1])))
        freqs = np.diff(np.append(starts, len(tids)))
        values = list(map(one_position, positions[starts].tolist()))
        for i in np.flatnonzero(freqs > 1).tolist():
            start = int(starts[i])
            values[i] = encode_positions(positions[start : start + int(freqs[i])].tolist())
        self._tids.append(tids[starts])
        self._freqs.append(freqs)
        self._docs.append(docnum)
        self._boosts.append(boost)
        self._values.extend(values)
        return len(starts), len(tids)

    def __len__(self) -> int:
        return len(self._values)

    def terms(self) -> Iterator[tuple[bytes, list[int], list[float], list[bytes]]]:
        """Every term of the field in byte order with its postings (docnums
        ascending, weights, encoded values), as lists."""
        if not self._values:
            return
        counts = np.fromiter(map(len, self._tids), dtype=np.int64, count=len(self._tids))
        tids = np.concatenate(self._tids)
        docs = np.repeat(np.array(self._docs, dtype=np.int64), counts)
        weights = np.concatenate(self._freqs) * np.repeat(np.array(self._boosts, dtype=np.float64), counts)
        values = np.empty(len(self._values), dtype=object)
        values[:] = self._values
        present = np.unique(tids)
        names = self._term_ids.terms
        present_bytes = [names[t] for t in present.tolist()]
        rank = np.empty(len(present), dtype=np.int64)
        rank[sorted(range(len(present)), key=present_bytes.__getitem__)] = np.arange(len(present))
        keys = rank[np.searchsorted(present, tids)]
        order = np.argsort(keys, kind="stable")
        keys, docs, weights, values = keys[order], docs[order], weights[order], values[order]
        bounds = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1], [True]))).tolist()
        by_rank = sorted(present_bytes)
        for k, (a, b) in enumerate(pairwise(bounds)):
            yield by_rank[k], docs[a:b].tolist(), weights[a:b].tolist(), values[a:b].tolist()
