"""When no article holds every word: the articles with most of them, shown as such.

Every word is required by default (``match="all"``), so a hurried query
with a typo or one word too many ("northern rock bank run crisis") can find
nothing although its story is there. Web search answers with the pages that
have most of the words, each marked "missing: ..."; so does this module:
the search is run again with ``match="any"`` and attached to the empty
results as :attr:`~newssearch.model.SearchResults.fallback`. It is never
counted as the search's own: totals, facets, timelines, exports and alerts
see only what was asked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..analysis import TOKEN_RE, term_for
from ..model import Hit, SearchResults
from .compile import compile_request
from .request import SearchRequest
from .session import SearchSession
from .snippets import text_terms
from .words import QueryWord, scoring_words

__all__ = ["with_fallback"]


def with_fallback(
    session: SearchSession, request: SearchRequest, results: SearchResults, run: Callable[[SearchRequest], SearchResults]
) -> SearchResults:
    """``results``, with the articles holding most of the query's words
    attached when it found nothing only because every word was required."""
    if results.total or request.match != "all" or not request.query.strip():
        return results
    strict = compile_request(request, session.parser, session.snapshot)
    loose_request = request.replace(match="any")
    loose = compile_request(loose_request, session.parser, session.snapshot)
    if repr(strict.query) == repr(loose.query):
        return results  # no word was joined by "every word is required": nothing to relax
    found = run(loose_request)
    if not found.total:
        return results
    typed = _typed_words(request.query)
    asked = [w.text for w in scoring_words(strict.query) if isinstance(w, QueryWord)]
    hits = tuple(dataclasses.replace(hit, missing=_missing(hit, asked, typed)) for hit in found.hits)
    return dataclasses.replace(results, fallback=dataclasses.replace(found, hits=hits))


def _typed_words(text: str) -> dict[str, str]:
    """Each index term of the query text, and the word typed for it."""
    out: dict[str, str] = {}
    for m in TOKEN_RE.finditer(text):
        term = term_for(m.group(0))
        if term:
            out.setdefault(term, m.group(0))
    return out


def _missing(hit: Hit, asked: list[str], typed: dict[str, str]) -> tuple[str, ...]:
    """The query words (as typed) that are in neither the hit's headline nor its body."""
    a = hit.article
    held = {term for _s, _e, term in text_terms(f"{a.title}\n{a.body}")}
    return tuple(dict.fromkeys(typed.get(term, term) for term in asked if term not in held))
