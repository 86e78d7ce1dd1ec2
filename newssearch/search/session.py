"""What searches share while one snapshot of the index is open.

Opening a snapshot, building its ranker and decoding posting lists cost far
more than a query, so a :class:`SearchSession` keeps them for as many
searches as the snapshot stays current; :class:`~newssearch.index.NewsIndex`
replaces it after a commit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar, cast

from ..engine.parsing import QueryParser
from ..engine.reading import Snapshot
from ..langanalysis import ENGLISH
from ..model import Article, Snippet
from .complete import Completions, Harvest
from .keywords import KeywordTables
from .memo import Memo
from .ranker import Ranker, ScoredDocs
from .snippets import build_snippet, highlight_text, language_terms
from .spelling import SpellingMemo, suggest

__all__ = ["ARTICLES_KEPT", "DERIVED_BYTES", "DERIVED_KEPT", "MATCHES_BYTES", "MATCHES_KEPT", "SNIPPETS_KEPT", "SearchSession"]

_T = TypeVar("_T")

#: Articles kept decoded (a few kilobytes each, so some twenty megabytes at most):
#: reading one back from the store (decompress, unpickle, build) costs about
#: as much as scoring a query, and a page of hits reads ten, with their copies.
ARTICLES_KEPT = 4096
#: Snippets kept, by article, query words and length: finding the words in a
#: body and choosing the fragments is a third of a search's time.
SNIPPETS_KEPT = 4096
#: Match sets kept (every document a query and its filters match, with its
#: score), and the bytes they may take together: the search page asks for
#: the same matches three times (the hits, the facets, the timeline), a
#: reader pages through them, and matching is most of a common query's cost
#: on a large index. 32 MB holds some 2 million matches.
MATCHES_KEPT = 256
MATCHES_BYTES = 32 * 2**20
#: What is computed from a kept match set, and the bytes it may take: its
#: stories (the copies grouped, for one sort and depth), its facet counts,
#: its stories' dates. Grouping the copies of a common word's 87,000 matches
#: on 100,000 articles costs 35 ms, its facets and dates 30 more: each is
#: computed once per snapshot while it is kept, like the match set.
DERIVED_KEPT = 1024
DERIVED_BYTES = 64 * 2**20


class SearchSession:
    """A snapshot, the parser, and what is cached with the snapshot: the
    ranker (and the posting lists it decoded), the display spellings of
    keyword values, what did-you-mean looked up, the keyword fields as
    facets count them, the match sets of recent queries, and the articles
    and snippets that pages of hits were built from."""

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

    @cached_property
    def keywords(self) -> KeywordTables:
        """Each keyword field's values and posting lists per segment, for facet counts."""
        return KeywordTables()

    @cached_property
    def _matches(self) -> Memo[Hashable, tuple[ScoredDocs, bool]]:
        return Memo(MATCHES_KEPT, budget=MATCHES_BYTES, weigh=lambda kept: kept[0][0].nbytes + kept[0][1].nbytes)

    def matches(self, key: Hashable, compute: Callable[[], tuple[ScoredDocs, bool]]) -> tuple[ScoredDocs, bool]:
        """The match set of the compiled query and filter ``key`` (and
        whether Whoosh's matchers found it): remembered, read-only (the
        arrays are shared by every search that asks again, so none may
        change them in place)."""

        def build(_key: Hashable) -> tuple[ScoredDocs, bool]:
            (ids, scores), by_whoosh = compute()
            ids.flags.writeable = False
            scores.flags.writeable = False
            return (ids, scores), by_whoosh

        return self._matches.get(key, build)

    @cached_property
    def _derived(self) -> Memo[Hashable, tuple[Any, int]]:
        return Memo(DERIVED_KEPT, budget=DERIVED_BYTES, weigh=lambda kept: kept[1])

    def derived(self, key: Hashable, compute: Callable[[], tuple[_T, int]]) -> _T:
        """What ``compute`` makes of a kept match set (``key`` names the
        match set and what is made of it), remembered like the match set;
        ``compute`` returns the value and its weight in bytes. The value is
        shared by every search that asks again: none may change it."""
        return cast(_T, self._derived.get(key, lambda _key: compute())[0])

    @cached_property
    def _articles(self) -> Memo[int, Article]:
        return Memo(ARTICLES_KEPT)

    @cached_property
    def _snippets(self) -> Memo[tuple[int, frozenset[str], int, str], tuple[Snippet, Snippet]]:
        return Memo(SNIPPETS_KEPT)

    def article(self, docnum: int) -> Article:
        """The article stored as document ``docnum`` (remembered: popular
        stories are on many pages of hits, and their copies on more)."""
        return self._articles.get(docnum, self.snapshot.article)

    def snippets(self, docnum: int, terms: frozenset[str], max_chars: int, language: str = ENGLISH) -> tuple[Snippet, Snippet]:
        """Document ``docnum``'s body snippet for the analysed query ``terms``
        (about ``max_chars`` long) and its headline with them marked, by the
        rules of the article's ``language`` group (remembered: the same
        query, or another with the same words, asks again)."""

        def build(key: tuple[int, frozenset[str], int, str]) -> tuple[Snippet, Snippet]:
            article = self.article(docnum)
            words = language_terms(language, article.body, terms) if language != ENGLISH and terms else None
            return (build_snippet(article.body, terms, max_chars=max_chars, words=words),
                    highlight_text(article.title, terms, language))

        return self._snippets.get((docnum, terms, max_chars, language), build)

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
        for memo in ("spelling", "keywords", "_matches", "_derived", "_articles", "_snippets"):
            if memo in self.__dict__:
                self.__dict__[memo].clear()

    def close(self) -> None:
        """Close the snapshot."""
        self.snapshot.close()
