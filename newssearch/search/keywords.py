"""Each keyword field of each segment as two arrays: what facet counts read.

Counting a facet value by value meant walking the field's term list on disk
and intersecting one posting list per value with the matches, for every
search that shows facets (the search page shows four): two fifths of the
page's time. A :class:`KeywordTable` holds, for one field of one segment,
every value's posting list end to end (``ids``) and which value each entry
belongs to (``labels``), and the same entries in document order, so a
facet reads the entries of the matching documents and counts them with
one ``bincount``: time in proportion to the matches, not to the field's
postings (a ``np.isin`` over all of them cost 3 ms a field on 100,000
articles), with the same counts. Built at first use and kept with the snapshot, whose
segments never change (a commit brings a new session, and new tables).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..engine.reading import Segment
from .words import term_text

__all__ = ["KeywordTable", "KeywordTables"]


@dataclass(frozen=True)
class KeywordTable:
    """One keyword field of one segment: its values (indexed form) and their
    posting lists end to end, each entry labelled with its value's index."""

    values: tuple[str, ...]
    #: local doc ids, deleted documents included (as the posting lists hold them)
    ids: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, seg: Segment, fieldname: str) -> KeywordTable:
        """Read every value of ``fieldname`` in ``seg`` and its posting list."""
        values: list[str] = []
        ids: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        for term in seg.lexicon(fieldname):
            posting_ids, _weights = seg.postings(fieldname, term)
            ids.append(np.asarray(posting_ids, dtype=np.int64))
            labels.append(np.full(len(posting_ids), len(values), dtype=np.int64))
            values.append(term_text(term))
        if not values:
            return cls((), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        return cls(tuple(values), np.concatenate(ids), np.concatenate(labels))

    @cached_property
    def _by_doc(self) -> tuple[np.ndarray, np.ndarray]:
        """The labels in document order, and where each document's run of
        them starts (``starts[d]`` to ``starts[d + 1]``): the table turned
        around once, so that counting reads only the matches' entries."""
        order = np.argsort(self.ids, kind="stable")
        ids = self.ids[order]
        size = int(ids[-1]) + 1 if len(ids) else 0
        return self.labels[order], np.searchsorted(ids, np.arange(size + 1))

    def counts(self, local: np.ndarray) -> Iterator[tuple[str, int]]:
        """Each value held by any of ``local`` (sorted local doc ids), with how many hold it."""
        if not self.values:
            return
        labels, starts = self._by_doc
        local = local[local < len(starts) - 1]  # documents past the last that holds a value hold none
        first, lengths = starts[local], starts[local + 1] - starts[local]
        if len(lengths) and lengths.max() > 1:  # a document with several values (agencies): every entry of each
            held = lengths > 0
            first, lengths = first[held], lengths[held]
            runs = np.repeat(first - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            picked = labels[runs + np.arange(int(lengths.sum()))]
        else:
            picked = labels[first[lengths == 1]]
        n = np.bincount(picked, minlength=len(self.values))
        for k in np.flatnonzero(n):
            yield self.values[k], int(n[k])


class KeywordTables:
    """The tables of one snapshot, built as facets ask for them: one per
    segment and keyword field, so their number is bounded by the snapshot's."""

    def __init__(self) -> None:
        self._tables: dict[tuple[int, str], KeywordTable] = {}

    def table(self, seg: Segment, fieldname: str) -> KeywordTable:
        """``fieldname``'s table in ``seg`` (a segment of this snapshot)."""
        key = (id(seg), fieldname)
        found = self._tables.get(key)
        if found is None:
            found = self._tables[key] = KeywordTable.of(seg, fieldname)
        return found

    def clear(self) -> None:
        """Forget every table (for a cold benchmark)."""
        self._tables.clear()
