"""The results of a search request: one page of :class:`~newssearch.model.Hit` records.

Hits are built (article, score, snippet) while the snapshot is open, so no
caller ever holds an engine object that dies with it. Ranking is BM25F,
computed by :mod:`.ranker` (for phrases, Whoosh's matchers score every match
and :mod:`.ranker` orders them like any other); ``sort="date"`` orders by
publication time instead (newest first; ``"oldest"`` reverses it) and still
reports each hit's BM25F score; ``sort="recency"`` blends relevance with an
age decay. Without a sort, a query that matches every article (empty, ``*``,
only filters) lists the newest first.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from ..budget import check_budget, time_budget
from ..engine.matching import highlight_terms_by_language, whoosh_matches
from ..engine.query import And, Every, Query, added_since
from ..langanalysis import ENGLISH, language_group
from ..model import Explanation, Hit, SearchResults, Snippet, StoryCopy
from .collapse import MAX_COPIES, Stories, collapse
from .compile import compile_request
from .explain import explain_hit
from .facets import facet_counts
from .fallback import with_fallback
from .order import first_k
from .ranker import Ranker, ScoredDocs
from .recency import Recency
from .request import SearchRequest
from .session import SearchSession

__all__ = ["Matches", "find_matches", "run_search"]


@dataclass(frozen=True)
class Matches:
    """Every article a request matches (doc numbers and BM25F scores, in
    document order), with the parsed query and filter that found them."""

    query: Query
    restrict: Query | None
    found: ScoredDocs
    by_whoosh: bool
    warnings: tuple[str, ...]
    #: what the session keeps this match set under (None: not kept), for what is computed from it
    key: Hashable | None = None


def find_matches(
    session: SearchSession, request: SearchRequest, *, added_after: int | None = None, ranker: Ranker | None = None
) -> Matches:
    """Every live article the request's query and filters match, unranked
    and uncollapsed. ``added_after`` (an ingest sequence) keeps only the
    articles added by later commits, and skips the segments that hold none:
    how saved searches are matched against new articles only (with a
    ``ranker`` over :class:`~.stats.RecentStats`, so that no word's
    statistics are gathered from the archive either)."""
    with time_budget(request.timeout):
        parsed = compile_request(request, session.parser, session.snapshot)
        q, restrict = parsed.query, parsed.restrict
        if added_after is not None:
            since = added_since(added_after)
            restrict = since if restrict is None else And([since, restrict])

        def match() -> tuple[ScoredDocs, bool]:
            found = (ranker or session.ranker).matches(q, restrict) if request.engine != "whoosh" else None
            if found is None:  # a range of terms, or engine="whoosh": Whoosh's matchers score every match
                return whoosh_matches(session.snapshot, q, restrict), True
            return found, False

        key: Hashable | None = None
        if added_after is None and ranker is None:
            # the same compiled query and filter match the same articles in one snapshot; the text and
            # mode are in the key too, since Whoosh's equality of queries does not compare an Or's scale
            key = (q, restrict, request.query, request.match, request.names, request.engine == "whoosh")
            found, by_whoosh = session.matches(key, match)
            check_budget()  # kept or not, a request past its time budget fails alike (a download's next page)
        else:
            found, by_whoosh = match()
    return Matches(q, restrict, found, by_whoosh, parsed.warnings, key)


def run_search(session: SearchSession, request: SearchRequest) -> SearchResults:
    """Search the session's snapshot: one page of hits, the exact total and
    the facets the request asks for. Raises :class:`~newssearch.errors.SearchTimedOut`
    when it runs past the request's ``timeout``."""
    with time_budget(request.timeout):
        results, _docnums = _page(session, request)
        return with_fallback(session, request, results, lambda loose: _page(session, loose))


def _page(session: SearchSession, request: SearchRequest) -> tuple[SearchResults, list[int]]:
    """One page of hits, and the doc number of each (the fallback reads
    which words each lacks from the index by them)."""
    matches = find_matches(session, request)
    q, restrict, found, by_whoosh = matches.query, matches.restrict, matches.found, matches.by_whoosh
    recency = Recency.build(request.now, request.half_life.total_seconds() / 86400)
    ranker = session.ranker
    sort = request.sort or ("date" if _matches_everything(q) else "relevance")
    stories = None if request.all_copies else _stories(session, matches, sort, recency, request.offset + request.limit)
    shown = stories.representatives if stories is not None else found
    ranked = ranker.run(q, restrict, limit=request.limit, offset=request.offset, sort=sort, recency=recency, found=shown)
    assert ranked is not None
    docnums = [docnum for docnum, _score in ranked.page]
    scores = dict(ranked.page)
    facets = _facets(session, matches, request.facets) if request.facets else {}
    by_language = highlight_terms_by_language(session.snapshot, q) if request.snippets else {}
    hits = []
    for rank, docnum in enumerate(docnums, start=request.offset + 1):
        article = session.article(docnum)
        # an article is marked by its own language's terms and rules
        language = language_group(article.language)
        language = language if language in by_language else ENGLISH
        terms = by_language.get(language, frozenset())
        score = scores.get(docnum, 0.0)
        explanation: Explanation | None = None
        if request.explain:
            explanation = explain_hit(ranker, q, docnum, found, score, sort, recency, by_whoosh=by_whoosh)
        snippet, title_snippet = (
            session.snippets(docnum, terms, request.snippet_chars, language) if request.snippets else (Snippet(""), Snippet(article.title))
        )
        hits.append(
            Hit(
                article=article,
                score=score,
                snippet=snippet,
                rank=rank,
                title_snippet=title_snippet,
                explanation=explanation,
                copies=_copies(ranker, session, stories, docnum),
                copies_total=len(stories.copies(docnum)) if stories is not None else 0,
            )
        )
    results = SearchResults(
        hits=tuple(hits),
        total=ranked.total,
        query=request.query,
        offset=request.offset,
        facets=facets,
        warnings=matches.warnings,
        articles=stories.articles if stories is not None else ranked.total,
    )
    return results, docnums


def _stories(session: SearchSession, matches: Matches, sort: str, recency: Recency, want: int) -> Stories:
    """The matches grouped by story for a page ``want`` deep, kept with the
    match set (a recency sort's blend depends on the time asked: not kept)."""

    def group() -> tuple[Stories, int]:
        stories = collapse(session.ranker, matches.found, sort, recency, want=want)
        return stories, stories.nbytes

    if matches.key is None or sort == "recency":
        return group()[0]
    return session.derived(("stories", matches.key, sort, want), group)


def _facets(session: SearchSession, matches: Matches, names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """The facet counts of every match, kept with the match set; a copy (the results' own, theirs to change)."""

    def count() -> tuple[dict[str, dict[str, int]], int]:
        counts = facet_counts(session, matches.found[0], names)
        return counts, 100 * sum(len(values) for values in counts.values())

    kept = count()[0] if matches.key is None else session.derived(("facets", matches.key, names), count)
    return {name: dict(values) for name, values in kept.items()}


def _copies(ranker: Ranker, session: SearchSession, stories: Stories | None, docnum: int) -> tuple[StoryCopy, ...]:
    """The other copies of a hit's story, oldest first, undated last, ties
    by article id (at most MAX_COPIES)."""
    if stories is None:
        return ()
    copies = stories.copies(docnum)
    if not len(copies):
        return ()
    oldest = first_k([ranker.column(copies, "undated"), ranker.column(copies, "published")], copies, MAX_COPIES, ranker.article_order)
    found = [session.article(int(d)) for d in copies[oldest]]
    return tuple(StoryCopy(id=a.id, title=a.title, source=a.source, published=a.published) for a in found)


def _matches_everything(q: Query) -> bool:
    """An empty query, ``*``, or one made only of filters: every article
    (matching the filters) is an answer, and the newest come first."""
    return isinstance(q, Every) and not q.fieldname
