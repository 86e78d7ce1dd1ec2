"""What searches share while one snapshot of the index is open.

Opening a snapshot, building its ranker and decoding posting lists cost far
more than a query, so a :class:`SearchSession` keeps them for as many
searches as the snapshot stays current; :class:`~newssearch.index.NewsIndex`
replaces it after a commit.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..engine.parsing import QueryParser
from ..engine.reading import Snapshot
from .complete import Completions, Harvest
from .ranker import Ranker
from .spelling import SpellingMemo, suggest

__all__ = ["SearchSession"]


class SearchSession:
    """A snapshot, the parser, and what is cached with the snapshot: the
    ranker (and the posting lists it decoded), the display spellings of
    keyword values and what did-you-mean looked up."""

    def __init__(
        self, snapshot: Snapshot, parser: QueryParser, ranker: Ranker | None = None, harvests: dict[Any, Harvest] | None = None
    ) -> None:
        """``ranker``: one built elsewhere (a sharded index's fan-out to a
        cluster, :mod:`newssearch.cluster`); by default the snapshot's own.
        ``harvests``: the headlines counted per segment by earlier sessions
        over the same index (kept by the index, across its commits)."""
        self.snapshot = snapshot
        self.parser = parser
        self._harvests: dict[Any, Harvest] = {} if harvests is None else harvests
        self._display: dict[tuple[str, str], str] = {}
        if ranker is not None:
            self.__dict__["ranker"] = ranker

    @cached_property
    def ranker(self) -> Ranker:
        """The numpy ranker over this snapshot."""
        return Ranker(self.snapshot)

    @cached_property
    def completions(self) -> Completions:
        """Search-as-you-type over this snapshot's headlines and outlets,
        built at first use and kept with the snapshot: a commit brings a new
        session, whose completions are built when next asked for (never for
        a commit nobody completes on). Headlines are counted per segment and
        the counts kept (``harvests``), so after a commit only the segments
        it wrote are read; the counts of segments gone (merged) are dropped."""
        segments = self.snapshot.segments
        found: list[Harvest] = []
        for seg in segments:
            harvest = self._harvests.get(seg.key)
            if harvest is None:
                harvest = self._harvests[seg.key] = Harvest.of(title for (title,) in seg.stored_values(("title",)))
            found.append(harvest)
        for gone in set(self._harvests) - {seg.key for seg in segments}:
            del self._harvests[gone]
        return Completions.of_harvests(found, self.snapshot.keyword_counts("source"))

    @cached_property
    def spelling(self) -> SpellingMemo:
        """Did-you-mean's lookups in this snapshot (bounded), kept for the
        next queries: a server suggests on every search."""
        return SpellingMemo()

    def suggest(self, text: str) -> str | None:
        """``text`` with its misspelled words corrected from this snapshot's
        vocabulary, or None (:func:`~.spelling.suggest`, remembered)."""
        return suggest(self.snapshot, text, self.spelling)

    def display_name(self, fieldname: str, term: str) -> str:
        """The spelling articles use for an indexed (lowercased) keyword value."""
        key = (fieldname, term)
        name = self._display.get(key)
        if name is None:
            name = term
            stored = self.snapshot.find(fieldname, term)
            if stored:
                value = stored.get(fieldname)
                values = value if isinstance(value, (list, tuple)) else [value]
                for v in values:
                    if isinstance(v, str) and v.replace(",", " ").strip().lower() == term:
                        name = v
                        break
            self._display[key] = name
        return name

    def drop_caches(self) -> None:
        """Forget what searches cached; the snapshot stays open."""
        if "ranker" in self.__dict__:
            self.ranker.drop_caches()
        self._display.clear()
        if "spelling" in self.__dict__:
            self.spelling.clear()

    def close(self) -> None:
        """Close the snapshot."""
        self.snapshot.close()
