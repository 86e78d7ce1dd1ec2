"""Related stories: the articles most like a given one.

More-like-this on key terms: the article's title and body are weighed
against the whole index (Whoosh's Bo1 divergence model picks the words that
are frequent in this article but rare overall), and those words, weighted,
are searched as an OR query. The article itself is left out, and so are its
exact duplicates (the same text under another id, common with wire copy).
"""

from __future__ import annotations

from ..engine.matching import highlight_terms
from ..engine.query import Or, Term
from ..engine.schema import TEXT_FIELDS
from ..model import Article, Hit, SearchResults, Snippet
from .parse import build_filter
from .request import SearchRequest
from .session import SearchSession
from .snippets import build_snippet, highlight_text

__all__ = ["KEY_TERMS", "similar"]

#: How many key terms of the article are searched for.
KEY_TERMS = 20
#: Extra hits fetched to make up for the copies left out.
_SPARE = 20


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def similar(session: SearchSession, article: Article, request: SearchRequest) -> SearchResults:
    """Articles most like ``article`` (best first), within the request's
    filters; the request's ``limit``, ``snippets`` and ``snippet_chars``
    apply, its query text does not."""
    snapshot = session.snapshot
    text = f"{article.title}\n{article.title}\n{article.body}"
    keys = snapshot.key_terms("body", text, KEY_TERMS)
    if not keys:
        return SearchResults(hits=(), total=0, query=f"similar:{article.id}")
    top = max(weight for _term, weight in keys) or 1.0
    q = Or([Term(f, term, boost=weight / top) for term, weight in keys for f in TEXT_FIELDS])
    restrict = build_filter(request.filters)
    ranked = session.ranker.run(q, restrict, limit=request.limit + _SPARE)
    assert ranked is not None  # plain terms are always ranked by numpy
    terms = highlight_terms(snapshot, q) if request.snippets else frozenset()
    hits: list[Hit] = []
    skipped = 0
    for docnum, score in ranked.page:
        other = snapshot.article(docnum)
        if other.id == article.id or (_same_text(other.body, article.body) and _same_text(other.title, article.title)):
            skipped += 1
            continue
        if len(hits) == request.limit:
            break
        snippet = build_snippet(other.body, terms, max_chars=request.snippet_chars) if request.snippets else Snippet("")
        title = highlight_text(other.title, terms) if request.snippets else Snippet(other.title)
        hits.append(Hit(article=other, score=score, snippet=snippet, rank=len(hits) + 1, title_snippet=title))
    query = " ".join(term for term, _w in keys)
    return SearchResults(hits=tuple(hits), total=max(0, ranked.total - skipped), query=query)
