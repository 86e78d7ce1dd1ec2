"""Whoosh's own matchers, for the query shapes newssearch's ranker does not evaluate.

Phrases (and any shape :mod:`newssearch.search.rank` does not know) are run
through Whoosh's matcher tree here: one page of results, BM25F scores for
documents listed in date order, and the words a query matched, for
highlighting.
"""

from __future__ import annotations

from typing import Any

from whoosh import sorting

from .query import Query
from .reading import Snapshot
from .schema import TEXT_FIELDS

__all__ = ["highlight_terms", "whoosh_page", "whoosh_scores"]


def whoosh_page(
    snapshot: Snapshot, q: Query, restrict: Query | None, sort: str, offset: int, limit: int
) -> tuple[list[int], dict[int, float]]:
    """One page of document numbers, best (or newest, or oldest) first, and their scores."""
    s = snapshot.whoosh_searcher
    kwargs: dict[str, Any] = {"limit": offset + limit if offset + limit > 0 else 1}
    if restrict is not None:
        kwargs["filter"] = restrict
    if sort != "relevance":
        kwargs["sortedby"] = [
            sorting.FieldFacet("undated"),
            sorting.FieldFacet("published", reverse=sort == "date"),
        ]
    results = s.search(q, **kwargs)
    # results.top_n, not list(results): list() asks len(), which makes
    # Whoosh count every match again
    page = results.top_n[offset : offset + limit] if limit else []
    docnums = [docnum for _score, docnum in page]
    if sort == "relevance":
        scores = {docnum: float(score or 0.0) for score, docnum in page}
    else:
        scores = whoosh_scores(snapshot, q, docnums)
    return docnums, scores


def whoosh_scores(snapshot: Snapshot, q: Query, docnums: list[int]) -> dict[int, float]:
    """BM25F scores for a few documents, for result lists sorted by date."""
    if not docnums:
        return {}
    s = snapshot.whoosh_searcher
    scores: dict[int, float] = {}
    try:
        matcher = q.matcher(s, s.context())
        for docnum in sorted(docnums):
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                scores[docnum] = float(matcher.score())
    except IndexError:
        # whoosh3 3.54.0: a coordination matcher over several segments can
        # ask its multi-segment child for a child past the last one
        return {}
    return scores


def highlight_terms(snapshot: Snapshot, q: Query) -> frozenset[str]:
    """The analysed words the query searched the text fields for, prefixes
    and wildcards expanded against the index (what snippets mark)."""
    out: set[str] = set()
    reader = snapshot.whoosh_searcher.reader()
    # Not Query.existing_terms(): in whoosh3 3.54.0 its loop variable shadows
    # its ``fieldname`` argument, so after the first leaf it skips every leaf
    # of another field (a multi-field query loses most of its terms).
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        for field, text in leaf.expanded_terms(reader, phrases=True):
            if field in TEXT_FIELDS:
                out.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    # one set for both fields: a word found only in the body deserves
    # marking in the headline too
    return frozenset(out)
