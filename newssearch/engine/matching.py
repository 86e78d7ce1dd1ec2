"""Whoosh's own matchers, for the query shapes newssearch's ranker does not evaluate.

Phrases (and any shape :mod:`newssearch.search.ranker` does not know) are run
through Whoosh's matcher tree here, giving every match with its score; the
words a query matched, for highlighting, are found here too.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from ..budget import check_budget
from ..langanalysis import BIGRAM_LANGUAGES, field_group
from .query import MultiTerm, Phrase, Query, added_after
from .reading import Snapshot

__all__ = ["highlight_terms_by_language", "whoosh_matches"]

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


def highlight_terms_by_language(snapshot: Snapshot, q: Query) -> dict[str, frozenset[str]]:
    """The analysed words the query searched the text fields of each
    language group for (:mod:`newssearch.langanalysis`), prefixes and
    wildcards expanded against the index: what snippets mark. An article
    is marked with its own language's terms, by its own language's rules."""
    out: dict[str, set[str]] = {}
    reader = snapshot.whoosh_searcher.reader()
    # Not Query.existing_terms(): in whoosh3 3.54.0 its loop variable shadows
    # its ``fieldname`` argument, so after the first leaf it skips every leaf
    # of another field (a multi-field query loses most of its terms).
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        group = field_group(getattr(leaf, "fieldname", None) or "")
        if group in BIGRAM_LANGUAGES and isinstance(leaf, Phrase):
            # a run of characters asked as the phrase of its bigrams is marked as the run
            out.setdefault(group, set()).update(_bigram_runs(leaf.words))
            continue
        # a wildcard's terms from the snapshot, which remembers them
        terms = snapshot.expand(leaf) if isinstance(leaf, MultiTerm) else leaf.expanded_terms(reader, phrases=True)
        for field, text in terms:
            group = field_group(field)
            if group is not None:
                out.setdefault(group, set()).add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    # one set for both fields: a word found only in the body deserves
    # marking in the headline too
    return {group: frozenset(found) for group, found in out.items()}


def _bigram_runs(words: list[str]) -> list[str]:
    """The runs of characters a phrase of overlapping bigrams spells
    (``北京 京大 大学`` -> ``北京大学``): a snippet marks a run where all of it
    stands, never one bigram of it alone (``大学`` in ``清华大学``). A word
    that does not overlap the one before (a word in Latin letters, the
    next word of a phrase) starts a run of its own."""
    runs: list[str] = []
    last = ""
    for word in words:
        if runs and last and word and _overlaps(last, word):
            runs[-1] += word[len(_first_cluster(word)) :]
        else:
            runs.append(word)
        last = word
    return runs


def _first_cluster(word: str) -> str:
    """A bigram's first character with its marks (a Thai vowel or tone mark stays with its letter)."""
    end = 1
    while end < len(word) and unicodedata.category(word[end])[0] == "M":
        end += 1
    return word[:end]


def _overlaps(a: str, b: str) -> bool:
    """Whether bigram ``b`` starts with the character ``a`` ends with (both
    bigrams of a script without spaces: two Latin words never join)."""
    head = _first_cluster(b)
    return head != b and a.endswith(head) and _unspaced(a[0]) and _unspaced(head[0])


def _unspaced(ch: str) -> bool:
    """A character of a script written without spaces: wide (Chinese, Japanese, Korean) or Thai."""
    return unicodedata.east_asian_width(ch) in ("W", "F") or "\u0e00" <= ch <= "\u0e7f"
