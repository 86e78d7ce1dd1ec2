"""When no article holds every word: the articles with most of them, shown as such.

Every word is required by default (``match="all"``), so a hurried query
with a typo or one word too many ("northern rock bank run crisis") can find
nothing although its story is there. Web search answers with the pages that
have most of the words, each marked "missing: ..."; so does this module:
the search is run again with ``match="any"`` and attached to the empty
results as :attr:`~newssearch.model.SearchResults.fallback`. It is never
counted as the search's own: totals, facets, timelines, exports and alerts
see only what was asked.

Which words a hit lacks is read from the index: each asked word's articles
(its headline and body postings, decoded once and cached by the ranker),
looked up by the hits' doc numbers. Tokenizing every hit's text again cost
most of a 1,000-hit fallback (about 0.4 s of 0.5 s on Reuters 2006-07).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from ..analysis import TOKEN_RE, term_for
from ..engine.query import Or, Term
from ..langanalysis import ENGLISH, analyse, field_group, group_fields, language_group
from ..model import SearchResults
from .compile import compile_request
from .request import SearchRequest
from .session import SearchSession
from .words import QueryWord, scoring_words

__all__ = ["with_fallback"]


def with_fallback(
    session: SearchSession,
    request: SearchRequest,
    results: SearchResults,
    run: Callable[[SearchRequest], tuple[SearchResults, Sequence[int]]],
) -> SearchResults:
    """``results``, with the articles holding most of the query's words
    attached when it found nothing only because every word was required.
    ``run`` runs a request and gives its page with each hit's doc number."""
    if results.total or request.match != "all" or not request.query.strip():
        return results
    strict = compile_request(request, session.parser, session.snapshot)
    loose_request = request.replace(match="any")
    loose = compile_request(loose_request, session.parser, session.snapshot)
    if repr(strict.query) == repr(loose.query):
        return results  # no word was joined by "every word is required": nothing to relax
    found, docnums = run(loose_request)
    if not found.total:
        return results
    # a word is asked once per language the query is analysed for: a hit
    # lacks what its own language's form of the word is missing from
    asked = list(dict.fromkeys(
        (field_group(w.fields[0]) or ENGLISH, w.text) for w in scoring_words(strict.query) if isinstance(w, QueryWord)
    ))
    groups = {group for group, _text in asked}
    typed = {group: _typed_words(request.query, group) for group in groups}
    missing = _missing(session, np.asarray(docnums, dtype=np.int64), asked)
    hits = []
    for hit, lacks in zip(found.hits, missing):
        own = language_group(hit.article.language)
        own = own if own in groups else ENGLISH
        gone = tuple(typed[g].get(term, term) for (g, term), lack in zip(asked, lacks) if lack and g == own)
        hits.append(dataclasses.replace(hit, missing=gone))
    return dataclasses.replace(results, fallback=dataclasses.replace(found, hits=tuple(hits)))


def _typed_words(text: str, group: str = ENGLISH) -> dict[str, str]:
    """Each index term of the query text by a language group's rules, and the word typed for it."""
    out: dict[str, str] = {}
    if group != ENGLISH:
        for term, _pos, start, end in analyse(group, text):
            if term:
                out.setdefault(term, text[start:end])
        return out
    for m in TOKEN_RE.finditer(text):
        term = term_for(m.group(0))
        if term:
            out.setdefault(term, m.group(0))
    return out


def _missing(session: SearchSession, docnums: np.ndarray, asked: list[tuple[str, str]]) -> list[list[bool]]:
    """For each hit (by doc number), for each asked ``(language group,
    term)``: whether it is in neither the headline nor the body of that language."""
    if not asked:
        return [[] for _ in docnums]
    lacks = np.empty((len(docnums), len(asked)), dtype=bool)
    for column, (group, term) in enumerate(asked):
        holding = session.ranker.matches(Or([Term(field, term) for field in group_fields(group)]), None)
        held = holding[0] if holding is not None else np.empty(0, dtype=np.int64)
        lacks[:, column] = ~np.isin(docnums, held)
    return lacks.tolist()
