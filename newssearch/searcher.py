"""Run a query and return :class:`~newssearch.model.Hit` records.

Hits are built (article, score, snippet) while the searcher is open, so no
caller ever holds a Whoosh object that dies with its searcher. Ranking is
Whoosh's BM25F, computed by :mod:`newssearch.ranking` (Whoosh's matchers for
phrases); ``sort="date"`` orders by publication time instead (newest first;
``"oldest"`` reverses it) and still reports each hit's BM25F score;
``sort="recency"`` blends relevance with an age decay.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Sequence

from whoosh import query as wq
from whoosh import sorting

from .counting import count_matches
from .dates import resolve_zone
from .engine.errors import mapped
from .errors import ConfigError, NewsSearchError, QuerySyntaxError
from .model import Explanation, Hit, SearchResults, Snippet
from .query import QueryBuilder, build_filter, expand_stemmed_prefixes, split_date_filters
from .ranking import Ranker, Recency
from .timeexpr import parse_duration
from .schema import from_stored
from .snippets import build_snippet, highlight_text

if TYPE_CHECKING:
    from .indexer import NewsIndex

__all__ = ["FACET_FIELDS", "SORTS", "parse_search", "search"]

SORTS = ("relevance", "date", "oldest", "recency")
FACET_FIELDS = ("source", "agencies", "section", "authors")
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
    now: str | datetime | None = None,
    half_life: str | timedelta = "7d",
    facets: Sequence[str] = (),
    explain: bool = False,
    snippet_chars: int = 240,
    snippets: bool = True,
    engine: str = "auto",
) -> SearchResults:
    """Search ``index`` and return one page of hits plus the total count.

    ``since``/``until`` take any date python-dateutil reads or a relative
    one ("3 days ago", "last monday", "2w"), read in ``tz`` (UTC by
    default) against ``now`` (the time of the search unless given; a
    datetime or a date as typed, "2022-01-27 12:00"); an unknown ``tz`` is a
    :class:`ConfigError` whether or not a date needs it; ``source``/``section``/``agency`` restrict to exact values
    (case-insensitive); ``page`` (1-based) is a shortcut for
    ``offset = (page - 1) * limit``.

    ``sort``: ``relevance`` (BM25F), ``date`` (newest first), ``oldest``, or
    ``recency``: relevance times an age decay with the given ``half_life``
    (see :class:`~newssearch.ranking.Recency`). ``facets`` names keyword
    fields (source, agencies, section, authors) to count over all matches;
    ``explain`` attaches to each hit how its score was built.
    ``engine="whoosh"`` forces Whoosh's own matchers instead of the numpy
    ranker (same results, slower; for comparison and debugging).
    """
    if sort not in SORTS:
        raise ConfigError(f"unknown sort {sort!r} (choose from {', '.join(SORTS)})")
    if limit < 0 or offset < 0:
        raise ConfigError("--limit and --offset must not be negative")
    if page is not None:
        if page < 1:
            raise ConfigError("--page starts at 1")
        offset = (page - 1) * limit
    for name in facets:
        if name not in FACET_FIELDS:
            raise ConfigError(f"cannot facet on {name!r} (choose from {', '.join(FACET_FIELDS)})")
    limit = min(limit, MAX_LIMIT)
    tz = resolve_zone(tz)  # an unknown zone is an error even when no date needs it
    now = _now(now, tz)
    half = half_life if isinstance(half_life, timedelta) else parse_duration(half_life)
    recency = Recency.build(now, half.total_seconds() / 86400)
    q, restrict = parse_search(index, query, since=since, until=until, source=source, section=section, agency=agency, tz=tz, now=now)
    s = index.searcher()
    with mapped(index.path):
        q = expand_stemmed_prefixes(q, s.reader())
        ranker = _ranker(index, s)
        found = ranker.matches(q, restrict) if engine != "whoosh" else None
        if found is not None:
            ranked = ranker.run(q, restrict, limit=limit, offset=offset, sort=sort, recency=recency, found=found)
            assert ranked is not None
            total = ranked.total
            docnums = [docnum for docnum, _score in ranked.page]
            scores = dict(ranked.page)
        else:
            if sort == "recency":
                raise ConfigError("--sort recency needs a query without phrases (phrases are ranked by Whoosh)")
            docnums, scores, total = _whoosh_page(s, q, restrict, sort, offset, limit)
        facet_counts = _facets(index, s, ranker, q, restrict, found, facets) if facets else {}
        terms = _query_terms(q, s) if snippets else {}
        analyzer = s.schema["body"].analyzer
        hits = []
        for rank, docnum in enumerate(docnums, start=offset + 1):
            article = from_stored(s.stored_fields(docnum))
            snippet = (
                build_snippet(article.body, terms.get("body", ()), analyzer, max_chars=snippet_chars)
                if snippets
                else Snippet("")
            )
            title = highlight_text(article.title, terms.get("title", ()), analyzer) if snippets else Snippet(article.title)
            explanation = (
                _explain(ranker, q, docnum, found, scores.get(docnum, 0.0), sort, recency) if explain else None
            )
            hits.append(
                Hit(
                    article=article,
                    score=scores.get(docnum, 0.0),
                    snippet=snippet,
                    rank=rank,
                    title_snippet=title,
                    explanation=explanation,
                )
            )
    return SearchResults(hits=tuple(hits), total=total, query=query, offset=offset, facets=facet_counts)


def _now(now: str | datetime | None, tz: str | tzinfo | None = None) -> datetime:
    """The time relative dates are resolved against: the clock, a datetime
    (naive ones are UTC), or a date as a user types it, read in ``tz``."""
    if now is None:
        return datetime.now(timezone.utc)
    if isinstance(now, str):
        from .dates import parse_user_date

        return parse_user_date(now, tz)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def _facets(
    index: NewsIndex,
    s: Any,
    ranker: Ranker,
    q: wq.Query,
    restrict: wq.Query | None,
    found: tuple[Any, Any] | None,
    names: Sequence[str],
) -> dict[str, dict[str, int]]:
    """Counts per value over every match, keyed by each value's stored spelling."""
    import numpy as np

    if found is not None:
        ids = found[0]
    else:
        from .counting import matching_docs

        ids = np.array(sorted(matching_docs(s, q, restrict)), dtype=np.int64)
    out: dict[str, dict[str, int]] = {}
    for name in names:
        counts = ranker.facet_counts(ids, name)
        out[name] = {_display(ranker, s, name, term): n for term, n in counts.items()}
    return out


def _display(ranker: Ranker, s: Any, fieldname: str, term: str) -> str:
    """The spelling articles use for an indexed (lowercased) keyword."""
    cache: dict[tuple[str, str], str] = ranker.__dict__.setdefault("_display_names", {})
    key = (fieldname, term)
    if key not in cache:
        stored = s.document(**{fieldname: term})
        name = term
        if stored:
            value = stored.get(fieldname)
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                if isinstance(v, str) and v.replace(",", " ").strip().lower() == term:
                    name = v
                    break
        cache[key] = name
    return cache[key]


def _explain(
    ranker: Ranker,
    q: wq.Query,
    docnum: int,
    found: tuple[Any, Any] | None,
    score: float,
    sort: str,
    recency: Recency,
) -> Explanation:
    if found is None:
        return Explanation(parts=(), relevance=score, coordination=1.0, score=score, note="scored by Whoosh's matchers (phrase query)")
    import numpy as np

    ids, relevances = found
    i = int(np.searchsorted(ids, docnum))
    relevance = float(relevances[i]) if i < len(ids) and ids[i] == docnum else score
    parts = tuple(ranker.explain(q, docnum))
    term_sum = sum(p.score for p in parts)
    coordination = relevance / term_sum if term_sum else 1.0
    published = ranker.column(np.array([docnum]), "published")[0]
    undated = ranker.column(np.array([docnum]), "undated")[0] != 0
    age = None if undated else (recency.now_long - float(published)) / 86_400e6
    factor = None
    if sort == "recency":
        factor = float(ranker.recency_factors(np.array([docnum]), recency)[0])
    return Explanation(
        parts=parts,
        relevance=relevance,
        coordination=coordination,
        score=score,
        age_days=age,
        half_life_days=recency.half_life_days if sort == "recency" else None,
        recency_factor=factor,
    )


def parse_search(
    index: NewsIndex,
    query: str,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    source: str | Sequence[str] | None = None,
    section: str | Sequence[str] | None = None,
    agency: str | Sequence[str] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
) -> tuple[wq.Query, wq.Query | None]:
    """Query text and options -> (query, filter). Top-level date clauses in
    the text become part of the filter."""
    try:
        text, ranges = split_date_filters(query, now, tz) if _has_date_clause(query) else (query, [])
    except NewsSearchError as exc:
        raise QuerySyntaxError(query, str(exc)) from None
    q = _builder(index).parse(text, now=now, tz=tz)
    restrict = build_filter(
        since=since, until=until, source=source, section=section, agency=agency, tz=tz, now=now, ranges=ranges
    )
    return q, restrict


def _has_date_clause(text: str) -> bool:
    low = text.lower()
    return any(f"{name}:" in low for name in ("published", "date", "time", "when", "since", "until"))


def _ranker(index: NewsIndex, searcher: Any) -> Ranker:
    """The numpy ranker for the index's current searcher (its arrays are
    cached for as long as that searcher lives)."""
    cached = getattr(index, "_ranker_cache", None)
    if cached is None or cached[0] is not searcher:
        cached = (searcher, Ranker(searcher))
        index._ranker_cache = cached  # type: ignore[attr-defined]
    return cached[1]


def _whoosh_page(
    s: Any, q: wq.Query, restrict: wq.Query | None, sort: str, offset: int, limit: int
) -> tuple[list[int], dict[int, float], int]:
    """One page through Whoosh's own matchers (phrases and other shapes the
    numpy ranker does not evaluate)."""
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
        scores = _scores_for(s, q, docnums)
    return docnums, scores, count_matches(s, q, restrict)


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
