"""Exact hit counts without walking Whoosh's matcher tree.

A result page needs the total number of matching articles. Whoosh gets it
by re-running the query through its matcher objects, one Python method call
per posting per tree level, which cost more than finding the top ten. Here
the common query shapes (words OR'ed together, AND, NOT, prefixes) are
counted with set operations over the posting lists' doc ids; any other
shape (phrases, ranges) falls back to Whoosh for that sub-query only, so the
count is always exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..engine.query import And, AndMaybe, AndNot, Every, MultiTerm, Or, Query, Term, is_null
from ..engine.reading import Segment, Snapshot

__all__ = ["count_matches", "matching_docs"]


def _terms_docs(seg: Segment, pairs: Iterable[tuple[str, Any]]) -> set[int]:
    docs: set[int] = set()
    for field, text in pairs:
        if seg.has(field, text):
            docs.update(seg.posting_ids(field, text))
    return docs


def _docs(q: Query, seg: Segment) -> set[int]:
    """Live and deleted doc numbers (segment-local) matching ``q``."""
    if isinstance(q, Term):
        return _terms_docs(seg, [(q.fieldname, q.text)])
    if isinstance(q, MultiTerm):
        return _terms_docs(seg, seg.expand(q))
    if isinstance(q, Or):
        docs: set[int] = set()
        for sub in q.subqueries:
            docs |= _docs(sub, seg)
        return docs
    if isinstance(q, And):
        subs = [_docs(sub, seg) for sub in q.subqueries]
        return set.intersection(*subs) if subs else set()
    if isinstance(q, AndNot):
        return _docs(q.a, seg) - _docs(q.b, seg)
    if isinstance(q, AndMaybe):
        return _docs(q.a, seg)
    if isinstance(q, Every) and not q.fieldname:
        return set(range(seg.size))
    if is_null(q):
        return set()
    # phrases, ranges, anything else: Whoosh itself, for this part only
    return seg.docs_for_query(q)


def matching_docs(snapshot: Snapshot, q: Query, restrict: Query | None = None) -> set[int]:
    """The doc numbers of live documents matching ``q`` (and ``restrict``)."""
    out: set[int] = set()
    for seg in snapshot.segments:
        docs = _docs(q, seg)
        if docs and restrict is not None:
            docs &= _docs(restrict, seg)
        if docs and seg.deleted_docs:
            docs -= seg.deleted_docs
        if seg.offset:
            out.update(d + seg.offset for d in docs)
        else:
            out |= docs
    return out


def count_matches(snapshot: Snapshot, q: Query, restrict: Query | None = None) -> int:
    """How many live documents match ``q`` (and ``restrict``)."""
    return len(matching_docs(snapshot, q, restrict))
