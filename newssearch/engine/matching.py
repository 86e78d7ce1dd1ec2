"""Whoosh's own matchers, for the query shapes newssearch's ranker does not evaluate.

Phrases (and any shape :mod:`newssearch.search.ranker` does not know) are run
through Whoosh's matcher tree here, giving every match with its score; the
words a query matched, for highlighting, are found here too.
"""

from __future__ import annotations

import numpy as np

from ..budget import check_budget
from ..langanalysis import ENGLISH, field_group
from .query import MultiTerm, Query, added_after
from .reading import Snapshot

__all__ = ["highlight_terms", "highlight_terms_by_language", "whoosh_matches"]

#: Matches collected between two looks at the search's time budget.
_BUDGET_EVERY = 1024


def whoosh_matches(snapshot: Snapshot, q: Query, restrict: Query | None) -> tuple[np.ndarray, np.ndarray]:
    """Every live match (doc numbers, ascending) and its BM25F score, from
    Whoosh's matcher tree run segment by segment.

    Not Whoosh's ``Searcher.search()``: its collector "replaces" matchers as
    it goes, and with the coordination bonus that changes scores and drops
    hits from the top k (tests/comparison pins it). Walking every match
    gives the formula's scores; the caller orders them as for any query.
    """
    ids: list[int] = []
    scores: list[float] = []
    floor = added_after(restrict)
    for seg in snapshot.segments:
        if floor is not None and seg.newest() <= floor:
            continue  # nothing in it was added after that seq
        check_budget()
        sub = seg.whoosh_searcher
        allowed = seg.docs_for_query(restrict) if restrict is not None else None
        matcher = q.matcher(sub, sub.context())
        walked = 0
        while matcher.is_active():
            walked += 1
            if not walked % _BUDGET_EVERY:
                check_budget()
            docnum = matcher.id()
            if (allowed is None or docnum in allowed) and docnum not in seg.deleted_docs:
                ids.append(docnum + seg.offset)
                scores.append(float(matcher.score()))
            matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64)


def highlight_terms(snapshot: Snapshot, q: Query) -> frozenset[str]:
    """The analysed words the query searched the English text fields for, prefixes
    and wildcards expanded against the index (what snippets mark)."""
    return highlight_terms_by_language(snapshot, q).get(ENGLISH, frozenset())


def highlight_terms_by_language(snapshot: Snapshot, q: Query) -> dict[str, frozenset[str]]:
    """:func:`highlight_terms` for each language group the query searched
    (:mod:`newssearch.langanalysis`): an article is marked with its own
    language's terms, by its own language's rules."""
    out: dict[str, set[str]] = {}
    reader = snapshot.whoosh_searcher.reader()
    # Not Query.existing_terms(): in whoosh3 3.54.0 its loop variable shadows
    # its ``fieldname`` argument, so after the first leaf it skips every leaf
    # of another field (a multi-field query loses most of its terms).
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        # a wildcard's terms from the snapshot, which remembers them
        terms = snapshot.expand(leaf) if isinstance(leaf, MultiTerm) else leaf.expanded_terms(reader, phrases=True)
        for field, text in terms:
            group = field_group(field)
            if group is not None:
                out.setdefault(group, set()).add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    # one set for both fields: a word found only in the body deserves
    # marking in the headline too
    return {group: frozenset(found) for group, found in out.items()}
