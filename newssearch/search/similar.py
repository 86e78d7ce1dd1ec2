"""Related stories: the articles most like a given one.

More-like-this on key terms: the article's title and body are weighed
against the whole index (Whoosh's Bo1 divergence model picks the words that
are frequent in this article but rare overall), and those words, weighted,
are searched as an OR query. The article's own story (the article and its
copies from other outlets, its other versions) is left out, and the other
stories are shown once each, with their copies attached. It works within
the article's language: its words are weighed and searched in its
language's fields (:mod:`newssearch.langanalysis`), so a German article's
related stories are German ones (a translation shares no terms with it);
an article in a language without fields of its own (those share one pair
of fields) is compared with its own language's articles only. An article
of no known language is compared with English's and those of no known
language, which share their fields.
"""

from __future__ import annotations

import numpy as np

from ..engine.matching import highlight_terms_by_language
from ..engine.query import And, Or, Term
from ..langanalysis import ENGLISH, OTHER, group_fields, language_group
from ..languages import language_family
from ..model import Article, Hit, SearchResults, Snippet, StoryCopy
from .collapse import MAX_COPIES, collapse
from .compile import build_filter
from .recency import Recency
from .request import SearchRequest
from .session import SearchSession
from .snippets import build_snippet, highlight_text, language_terms

__all__ = ["KEY_TERMS", "similar"]

#: How many key terms of the article are searched for.
KEY_TERMS = 20
def similar(session: SearchSession, article: Article, request: SearchRequest) -> SearchResults:
    """Other stories most like ``article``'s (best first), within the
    request's filters: the article's own story (its copies) is left out, and
    each other story is shown once, with its copies attached (all of them
    with ``request.all_copies``). The request's ``limit``, ``snippets`` and
    ``snippet_chars`` apply, its query text does not."""
    snapshot = session.snapshot
    text = f"{article.title}\n{article.title}\n{article.body}"
    group = language_group(article.language)
    group = group if group in snapshot.text_groups() else ENGLISH
    fields = group_fields(group)
    keys = snapshot.key_terms(fields[1], text, KEY_TERMS)
    query = " ".join(term for term, _w in keys)
    if not keys:
        return SearchResults(hits=(), total=0, query=f"similar:{article.id}")
    top = max(weight for _term, weight in keys) or 1.0
    q = Or([Term(f, term, boost=weight / top) for term, weight in keys for f in fields])
    ranker = session.ranker
    restrict = build_filter(request.filters, cutoff=request.cutoff)
    if group == OTHER and article.language:
        # the fields of languages without rules of their own hold many languages: keep to the article's
        own_language = Or([Term("language", code) for code in language_family(article.language)])
        restrict = own_language if restrict is None else And([restrict, own_language])
    found = ranker.matches(q, restrict)
    assert found is not None  # plain terms are always ranked by numpy
    ids, scores = found
    own = snapshot.docnum_for_id(article.id)
    keep = ids != own if own is not None else np.ones(len(ids), dtype=bool)
    if own is not None:
        story = ranker.column(np.array([own]), "story")[0]
        keep &= ranker.column(ids, "story") != story
    found = (ids[keep], scores[keep])
    stories = None if request.all_copies else collapse(ranker, found, "relevance", Recency(), want=request.limit)
    ranked = ranker.run(q, None, limit=request.limit, found=stories.representatives if stories else found)
    assert ranked is not None
    terms = highlight_terms_by_language(snapshot, q).get(group, frozenset()) if request.snippets else frozenset()
    hits: list[Hit] = []
    for docnum, score in ranked.page:
        other = snapshot.article(docnum)
        words = language_terms(group, other.body, terms) if request.snippets and group != ENGLISH else None
        snippet = build_snippet(other.body, terms, max_chars=request.snippet_chars, words=words) if request.snippets else Snippet("")
        title = highlight_text(other.title, terms, group) if request.snippets else Snippet(other.title)
        copies = stories.copies(docnum) if stories is not None else np.zeros(0, dtype=np.int64)
        listed = [snapshot.article(int(d)) for d in copies[:MAX_COPIES]]
        hits.append(
            Hit(
                article=other,
                score=score,
                snippet=snippet,
                rank=len(hits) + 1,
                title_snippet=title,
                copies=tuple(StoryCopy(id=a.id, title=a.title, source=a.source, published=a.published) for a in listed),
                copies_total=len(copies),
            )
        )
    articles = stories.articles if stories is not None else ranked.total
    return SearchResults(hits=tuple(hits), total=ranked.total, query=query, articles=articles)
