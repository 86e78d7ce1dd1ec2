"""Exact hit counts without walking Whoosh's matcher tree.

A result page needs the total number of matching articles. Whoosh gets it
by re-running the query through its matcher objects, one Python method call
per posting per tree level, which cost more than finding the top ten. Here
the common query shapes (words OR'ed together, AND, NOT, prefixes) are
counted with set operations over the posting lists' doc ids, read a block at
a time; any other shape (phrases, ranges) falls back to Whoosh for that
sub-query only, so the count is always exact.
"""

from __future__ import annotations

from typing import Any, Iterable

from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

__all__ = ["count_matches", "matching_docs"]


def _leaf_ids(matcher: Any) -> Iterable[int]:
    """All doc ids of one posting list.

    Reads whoosh3's block posting lists a block at a time (its private block
    API, pinned by a test against ``docs_for_query``); anything else goes
    through the generic per-posting iterator.
    """
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", True):
        # a segment with deletions wraps its posting lists in a filter;
        # deleted docs are subtracted once per segment in matching_docs()
        matcher = matcher.child
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_next_block", "_atend", "_i")):
        return list(matcher.all_ids())
    out: list[int] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        ids = matcher._ids
        out.extend(ids[matcher._i :] if matcher._i else ids)
        matcher._next_block()
    return out


def _terms_docs(reader: Any, pairs: Iterable[tuple[str, Any]]) -> set[int]:
    docs: set[int] = set()
    for field, text in pairs:
        if (field, text) in reader:
            docs.update(_leaf_ids(reader.postings(field, text)))
    return docs


def _docs(q: wq.Query, searcher: Any, reader: Any) -> set[int]:
    """Live and deleted doc numbers (segment-local) matching ``q``."""
    if isinstance(q, wq.Term):
        return _terms_docs(reader, [(q.fieldname, q.text)])
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        return _terms_docs(reader, q.expanded_terms(reader))
    if isinstance(q, wq.Or):
        docs: set[int] = set()
        for sub in q.subqueries:
            docs |= _docs(sub, searcher, reader)
        return docs
    if isinstance(q, wq.And):
        subs = [_docs(sub, searcher, reader) for sub in q.subqueries]
        return set.intersection(*subs) if subs else set()
    if isinstance(q, wq.AndNot):
        return _docs(q.a, searcher, reader) - _docs(q.b, searcher, reader)
    if isinstance(q, wq.AndMaybe):
        return _docs(q.a, searcher, reader)
    if isinstance(q, wq.Every) and not q.fieldname:
        return set(range(reader.doc_count_all()))
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return set()
    # phrases, ranges, anything else: Whoosh itself, for this part only
    return set(searcher.docs_for_query(q, for_deletion=True))


def _deleted(reader: Any) -> frozenset[int]:
    found = getattr(reader, "deleted_docs_set", None)
    if found is not None:
        return found
    return frozenset(d for d in range(reader.doc_count_all()) if reader.is_deleted(d))


def matching_docs(searcher: Any, q: wq.Query, restrict: wq.Query | None = None) -> set[int]:
    """The global doc numbers of live documents matching ``q`` (and ``restrict``)."""
    out: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        docs = _docs(q, sub, reader)
        if docs and restrict is not None:
            docs &= _docs(restrict, sub, reader)
        if docs and reader.has_deletions():
            docs -= _deleted(reader)
        if offset:
            out.update(d + offset for d in docs)
        else:
            out |= docs
    return out


def count_matches(searcher: Any, q: wq.Query, restrict: wq.Query | None = None) -> int:
    """How many live documents match ``q`` (and ``restrict``)."""
    return len(matching_docs(searcher, q, restrict))
