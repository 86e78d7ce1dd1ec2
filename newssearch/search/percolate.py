"""Percolation: which of the articles added after an ingest sequence match a request, with snippets.

Saved searches raise alerts on new articles (:mod:`newssearch.live.saved`):
after a commit, each is matched against the articles added after the
ingest sequence (``seq``) it last matched, and never against the whole archive. A
:class:`Percolator` does that matching for one batch of saved searches on
one snapshot. Segments holding nothing newer than that are skipped,
and words are scored with statistics of the recent segments only
(:class:`~.stats.RecentStats`: which articles match does not depend on
them, and the archive-wide ones would cost a pass over the archive per
word). What many requests share is done once per batch: the posting lists
decoded (one ranker per ``seq``), each matched article read, and its body
tokenized for the snippets of every request it matches.

Only a request's query and filters count: sort, limit, facets and copies
shape a page of results, and percolation makes none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.matching import highlight_terms_by_language
from ..langanalysis import ENGLISH, language_group
from ..model import Article, Snippet
from .order import ArticleOrder, first_k
from .ranker import Ranker
from .request import SearchRequest
from .results import find_matches
from .session import SearchSession
from .snippets import build_snippet, language_terms, text_terms
from .stats import RecentStats

__all__ = ["NewMatch", "Percolator"]


@dataclass(frozen=True)
class NewMatch:
    """An article added after a saved search's ``seq`` that a request matches: its doc
    number, its ingest sequence, its story label (64-bit), the words a
    snippet marks for the request and the language group whose rules
    mark them (the article's own: a Polish article's words by Polish
    stems, a Chinese one's runs of characters)."""

    docnum: int
    seq: int
    story: int
    terms: frozenset[str]
    language: str = ENGLISH


class Percolator:
    """Requests matched against the articles added after an ingest sequence, on one
    snapshot (build one per batch of saved searches)."""

    def __init__(self, session: SearchSession) -> None:
        self.session = session
        self._rankers: dict[int, Ranker] = {}  # per seq (usually one): posting lists decoded once for all
        self._article_order = ArticleOrder(session.snapshot)
        self._articles: dict[int, Article] = {}  # an article many requests match is read once
        self._words: dict[int, list[tuple[int, int, str]]] = {}  # and its body tokenized once

    def match(self, request: SearchRequest, after_seq: int) -> list[NewMatch]:
        """The live articles added by commits after ingest sequence
        ``after_seq`` that the request's query and filters match, in the
        order they were added (ingest sequence; within one commit by article
        id, so that a sharded index alerts the same copy of a story as a
        plain one). Raises
        :class:`~newssearch.errors.NewsSearchError` for a request that does
        not compile (a zone or date that no longer reads)."""
        ranker = self._rankers.get(after_seq)
        if ranker is None:
            snapshot = self.session.snapshot
            ranker = self._rankers[after_seq] = Ranker(snapshot, stats=RecentStats(snapshot, after_seq))
        matches = find_matches(self.session, request, added_after=after_seq, ranker=ranker)
        docnums = np.sort(matches.found[0])
        if not len(docnums):
            return []
        seqs = ranker.column(docnums, "seq")
        stories = ranker.column(docnums, "story")
        by_language = highlight_terms_by_language(self.session.snapshot, matches.query)
        order = first_k([seqs], docnums, len(docnums), self._article_order)
        found = []
        for i in order.tolist():
            docnum = int(docnums[i])
            # an article is marked by its own language's terms; an index of English alone reads no article here
            group = ENGLISH if set(by_language) <= {ENGLISH} else self._group(docnum, by_language)
            found.append(NewMatch(docnum, int(seqs[i]), int(stories[i]), by_language.get(group, frozenset()), group))
        return found

    def _group(self, docnum: int, by_language: dict[str, frozenset[str]]) -> str:
        """The language group whose terms mark document ``docnum``: its language's, if the query searched it."""
        found = self._articles.get(docnum)
        if found is None:
            found = self._articles[docnum] = self.session.snapshot.article(docnum)
        group = language_group(found.language)
        return group if group in by_language else ENGLISH

    def article(self, match: NewMatch) -> Article:
        """The matched article (read once per batch)."""
        found = self._articles.get(match.docnum)
        if found is None:
            found = self._articles[match.docnum] = self.session.snapshot.article(match.docnum)
        return found

    def snippet(self, match: NewMatch) -> Snippet:
        """The fragment of the article's body that shows the request's words
        (the body tokenized once per batch for every request it matches)."""
        body = self.article(match).body
        if match.language != ENGLISH:  # its words by its language's rules, a run of characters as a run
            return build_snippet(body, match.terms, words=language_terms(match.language, body, match.terms))
        words = self._words.get(match.docnum)
        if words is None:
            words = self._words[match.docnum] = text_terms(body)
        return build_snippet(body, match.terms, words=words)
