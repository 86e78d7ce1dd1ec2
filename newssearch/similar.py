"""Related stories: the articles most like a given one.

More-like-this on key terms: the article's title and body are weighed
against the whole index (Whoosh's Bo1 divergence model picks the words that
are frequent in this article but rare overall), and those words, weighted,
are searched as an OR query. The article itself is left out, and so are its
exact duplicates (the same text under another id, common with wire copy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import query as wq

from .errors import NewsSearchError
from .model import SearchResults

if TYPE_CHECKING:
    from .indexer import NewsIndex

__all__ = ["similar"]

KEY_TERMS = 20


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def similar(index: NewsIndex, article_id: str, *, limit: int = 10, snippets: bool = True) -> SearchResults:
    """Articles most like the one with ``article_id`` (best first)."""
    from .schema import from_stored
    from .searcher import _query_terms, _ranker
    from .snippets import build_snippet, highlight_text
    from .model import Hit, Snippet

    article = index.get(article_id)
    if article is None:
        raise NewsSearchError(f"no article with id {article_id!r} in {index.path}")
    s = index.searcher()
    text = f"{article.title}\n{article.title}\n{article.body}"
    keys = s.key_terms_from_text("body", text, numterms=KEY_TERMS)
    if not keys:
        return SearchResults(hits=(), total=0, query=f"similar:{article.id}")
    top = max(weight for _term, weight in keys) or 1.0
    clauses = [wq.Term(f, term, boost=weight / top) for term, weight in keys for f in ("title", "body")]
    q = wq.Or(clauses)
    ranker = _ranker(index, s)
    found = ranker.matches(q, None)
    assert found is not None  # plain terms are always ranked by numpy
    ranked = ranker.run(q, None, limit=limit + 20, found=found)
    assert ranked is not None
    terms = _query_terms(q, s) if snippets else {}
    analyzer = s.schema["body"].analyzer
    hits: list[Hit] = []
    skipped = 0
    for docnum, score in ranked.page:
        other = from_stored(s.stored_fields(docnum))
        if other.id == article.id or (_same_text(other.body, article.body) and _same_text(other.title, article.title)):
            skipped += 1
            continue
        if len(hits) == limit:
            break
        snippet = build_snippet(other.body, terms.get("body", ()), analyzer) if snippets else Snippet("")
        title = highlight_text(other.title, terms.get("title", ()), analyzer) if snippets else Snippet(other.title)
        hits.append(Hit(article=other, score=score, snippet=snippet, rank=len(hits) + 1, title_snippet=title))
    query = " ".join(term for term, _w in keys)
    return SearchResults(hits=tuple(hits), total=max(0, ranked.total - skipped), query=query)
