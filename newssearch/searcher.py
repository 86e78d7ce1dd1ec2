"""Run a query and return :class:`~newssearch.model.Hit` records.

Hits are built (article, score, snippet) while the searcher is open, so no
caller ever holds a Whoosh object that dies with its searcher. Ranking is
Whoosh's BM25F; ``sort="date"`` orders by publication time instead (newest
first; ``"oldest"`` reverses it) and still reports each hit's BM25F score.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Sequence

from whoosh import query as wq
from whoosh import sorting

from .counting import count_matches
from .errors import ConfigError, NewsSearchError, map_whoosh_error
from .model import Hit, SearchResults, Snippet
from .query import QueryBuilder, build_filter, expand_stemmed_prefixes
from .schema import from_stored
from .snippets import build_snippet, highlight_text

if TYPE_CHECKING:
    from .indexer import NewsIndex

__all__ = ["SORTS", "search"]

SORTS = ("relevance", "date", "oldest")
MAX_LIMIT = 10_000


def _builder(index: NewsIndex) -> QueryBuilder:
    builder = getattr(index, "_query_builder", None)
    if builder is None:
        builder = QueryBuilder(index._ix.schema)
        index._query_builder = builder  # type: ignore[attr-defined]
    return builder


def search(
    index: NewsIndex,
    query: str = "",
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    source: str | Sequence[str] | None = None,
    section: str | Sequence[str] | None = None,
    agency: str | Sequence[str] | None = None,
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    page: int | None = None,
    tz: str | tzinfo | None = None,
    snippet_chars: int = 240,
    snippets: bool = True,
) -> SearchResults:
    """Search ``index`` and return one page of hits plus the total count.

    ``since``/``until`` take any date python-dateutil reads (read in ``tz``,
    UTC by default); ``source``/``section``/``agency`` restrict to exact
    values (case-insensitive); ``page`` (1-based) is a shortcut for
    ``offset = (page - 1) * limit``.
    """
    if sort not in SORTS:
        raise ConfigError(f"unknown sort {sort!r} (choose from {', '.join(SORTS)})")
    if limit < 0 or offset < 0:
        raise ConfigError("--limit and --offset must not be negative")
    if page is not None:
        if page < 1:
            raise ConfigError("--page starts at 1")
        offset = (page - 1) * limit
    limit = min(limit, MAX_LIMIT)
    q = _builder(index).parse(query)
    restrict = build_filter(since=since, until=until, source=source, section=section, agency=agency, tz=tz)
    s = index.searcher()
    try:
        q = expand_stemmed_prefixes(q, s.reader())
        kwargs: dict[str, Any] = {"limit": offset + limit if offset + limit > 0 else 1}
        if restrict is not None:
            kwargs["filter"] = restrict
        if sort != "relevance":
            kwargs["sortedby"] = [
                sorting.FieldFacet("undated"),
                sorting.FieldFacet("published", reverse=sort == "date"),
            ]
        results = s.search(q, **kwargs)
        total = count_matches(s, q, restrict)
        page_hits = list(results)[offset : offset + limit] if limit else []
        docnums = [h.docnum for h in page_hits]
        if sort == "relevance":
            scores = {h.docnum: float(h.score or 0.0) for h in page_hits}
        else:
            scores = _scores_for(s, q, docnums)
        terms = _query_terms(q, s) if snippets else {}
        analyzer = s.schema["body"].analyzer
        hits = []
        for rank, h in enumerate(page_hits, start=offset + 1):
            article = from_stored(h.fields())
            snippet = (
                build_snippet(article.body, terms.get("body", ()), analyzer, max_chars=snippet_chars)
                if snippets
                else Snippet("")
            )
            title = highlight_text(article.title, terms.get("title", ()), analyzer) if snippets else Snippet(article.title)
            hits.append(Hit(article=article, score=scores.get(h.docnum, 0.0), snippet=snippet, rank=rank, title_snippet=title))
    except NewsSearchError:
        raise
    except Exception as exc:  # noqa: BLE001 - mapped in one place
        raise map_whoosh_error(exc, index.path, query=query) from None
    return SearchResults(hits=tuple(hits), total=total, query=query, offset=offset)


def _query_terms(q: wq.Query, searcher: Any) -> dict[str, frozenset[str]]:
    """The analysed words each text field was searched for, wildcards and
    prefixes expanded against the index, as text (for snippets)."""
    out: dict[str, set[str]] = {}
    reader = searcher.reader()
    # Not Query.existing_terms(): in whoosh3 3.54.0 its loop variable shadows
    # its ``fieldname`` argument, so after the first leaf it skips every leaf
    # of another field (a multi-field query loses most of its terms).
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        try:
            pairs = list(leaf.expanded_terms(reader, phrases=True))
        except Exception:  # noqa: BLE001 - a leaf that cannot expand has no words to mark
            continue
        for field, text in pairs:
            if field in ("title", "body"):
                word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
                out.setdefault(field, set()).add(word)
    # a word found only in one field still deserves marking in the other
    both = out.get("title", set()) | out.get("body", set())
    return {"title": frozenset(both), "body": frozenset(both)}


def _scores_for(s: Any, q: wq.Query, docnums: list[int]) -> dict[int, float]:
    """BM25F scores for a few documents, for result lists sorted by date."""
    if not docnums:
        return {}
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
    except Exception:  # noqa: BLE001 - a score is a courtesy on a date sort
        return {}
    return scores
