"""Collection statistics: the numbers the ranking's idf and length normalisation read.

A :class:`~newssearch.engine.reading.Snapshot` provides them for its own
articles; three other strategies stand in for it behind the one protocol,
:class:`CollectionStats`: :class:`RecentStats` (matching saved searches
against new articles only, without a pass over the archive),
:class:`GivenStats` (statistics summed over the shards of a sharded index,
handed to each shard) and :class:`WordsAsked` (recording which words a
query's ranking needs, so a cluster can gather just those).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..engine.query import Query
from ..engine.reading import Snapshot

__all__ = ["CollectionStats", "GivenStats", "RecentStats", "WordsAsked"]


class CollectionStats(Protocol):
    """The collection-wide numbers the ranking needs.

    A :class:`~newssearch.engine.reading.Snapshot` provides them for its own
    articles; an index split into shards passes statistics summed over all
    shards instead, so each shard scores its articles as one index holding
    them all would.
    """

    def doc_count_all(self) -> int:
        """How many documents the collection holds."""

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """How many documents hold a term in any of the fields."""

    def avg_field_length(self, fieldname: str) -> float:
        """The average length of a text field."""

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches."""


class RecentStats:
    """Statistics over only the segments holding articles added after an
    ingest sequence (``after_seq``): what matching saved searches against new
    articles uses. Which articles match does not depend on them (only
    scores do, and percolation compares none), while the snapshot's exact
    document frequencies decode every segment's posting list of each word,
    a pass over the archive per word. Frequencies here are Whoosh's
    per-field counts of the recent segments (a word in both fields of an
    article counted once per field)."""

    def __init__(self, snapshot: Snapshot, after_seq: int) -> None:
        self._snapshot = snapshot
        self.segments = [seg for seg in snapshot.segments if seg.newest() > after_seq]

    def doc_count_all(self) -> int:
        """Documents in the recent segments."""
        return sum(seg.size for seg in self.segments)

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """Documents of the recent segments holding the term in any of the fields (at most)."""
        return min(self.doc_count_all(), sum(seg.doc_frequency(f, text) for seg in self.segments for f in fieldnames))

    def avg_field_length(self, fieldname: str) -> float:
        """The snapshot's average length of a text field."""
        return self._snapshot.avg_field_length(fieldname)

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches in the snapshot."""
        return self._snapshot.expand(q)


class GivenStats:
    """Collection statistics handed in from elsewhere: summed over the shards
    of a sharded index by the client that fans a query out (see
    :mod:`newssearch.cluster`). ``frequencies`` holds each word's document
    frequency as the ranker asks for it (its fields, its text); asking for
    another is a bug, and raises ``KeyError``."""

    def __init__(
        self, docs: int, frequencies: dict[tuple[tuple[str, ...], str], int], lengths: dict[str, float], expand: Any,
        languages: dict[str, int | None] | None = None,
    ) -> None:
        """``languages``: for each text field, the documents of its language
        in the whole collection (None: every document), as
        :meth:`~.ranker.Ranker.language_count` counts them on one index."""
        self._docs = docs
        self._frequencies = frequencies
        self._lengths = lengths
        self._expand = expand
        self._languages = languages or {}

    def doc_count_all(self) -> int:
        """Documents in every shard."""
        return self._docs

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """The summed frequency given for the word."""
        return self._frequencies[(tuple(fieldnames), text)]

    def avg_field_length(self, fieldname: str) -> float:
        """The average length given for the field."""
        return self._lengths.get(fieldname, 0.0)

    def language_count(self, fieldname: str) -> int | None:
        """The documents of the field's language given (None: every document)."""
        return self._languages.get(fieldname)

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard matches, as given."""
        return self._expand(q)  # type: ignore[no-any-return]


class WordsAsked:
    """Statistics that record which words a query's ranking asks about (and
    answer 1): evaluated on one segment, a query asks for every word it
    would ask for on any (see :meth:`.ranker.Ranker.words_asked`)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self.asked: list[tuple[tuple[str, ...], str]] = []

    def doc_count_all(self) -> int:
        """Any positive count."""
        return max(1, self._snapshot.doc_count_all())

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """Records the word; answers 1."""
        key = (tuple(fieldnames), text)
        if key not in self.asked:
            self.asked.append(key)
        return 1

    def avg_field_length(self, fieldname: str) -> float:
        """The snapshot's."""
        return self._snapshot.avg_field_length(fieldname)

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The snapshot's expansions."""
        return self._snapshot.expand(q)
