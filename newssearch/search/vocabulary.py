"""Each segment's words of a text field, in memory, for did-you-mean.

Did-you-mean asks two things of the index's vocabulary: which of some five
hundred strings one edit from a typed word are index terms, and which terms
lie two edits from it. Asked of Whoosh, the first is a term lookup per
string and per segment, and the second walks an edit-distance automaton
over the term file, seek by seek through its checksummed reads: 260 to 900
ms for one rare word of Reuters 2006-07, on a server's every first search
of that word and again after every commit (the spelling memo lives with one
snapshot). Here each segment's sorted word list is read once and kept for
the life of the process, across snapshots and commits: a segment never
changes once written (its deletions do not change its term list), so a
commit only adds the small new segment's words. The two-edit search is
rapidfuzz's Levenshtein distance in C over the words with the same first
letter, the same terms Whoosh's automaton finds with ``prefix=1``.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from ..engine.reading import Segment, Snapshot
from .memo import Memo
from .words import term_text

__all__ = ["VOCABULARIES_KEPT", "holds", "within"]

#: Segment fields whose word lists a process keeps (the least recently used
#: go first). A field of a 14,000-article segment holds about 50,000 words,
#: some 4 MB; a snapshot's segments and two text fields need a few dozen.
VOCABULARIES_KEPT = 64

_kept: Memo[tuple[str | None, str, str], tuple[str, ...]] = Memo(VOCABULARIES_KEPT)
# a server answers from several threads; the memo's table is not thread-safe
_lock = threading.Lock()


def _words(seg: Segment, fieldname: str) -> tuple[str, ...]:
    folder, segment_id, _deleted = seg.key
    with _lock:
        return _kept.get((folder, segment_id, fieldname), lambda _k: tuple(term_text(t) for t in seg.lexicon(fieldname)))


def _has(words: Sequence[str], term: str) -> bool:
    at = bisect_left(words, term)
    return at < len(words) and words[at] == term


def holds(snapshot: Snapshot, fields: Iterable[str], term: str) -> bool:
    """Whether any segment has ``term`` in any of ``fields`` (deleted
    documents' terms included, as Whoosh's term lookups count them)."""
    names = tuple(fields)
    return any(_has(_words(seg, f), term) for seg in snapshot.segments for f in names)


def within(snapshot: Snapshot, fields: Iterable[str], term: str, maxdist: int) -> set[str]:
    """The terms of ``fields`` within ``maxdist`` edits (Levenshtein) of
    ``term`` that start with its first character, in any segment."""
    if not term:
        return set()
    names = tuple(fields)
    first, after = term[0], chr(ord(term[0]) + 1)
    found: set[str] = set()
    for seg in snapshot.segments:
        for fieldname in names:
            words = _words(seg, fieldname)
            block = words[bisect_left(words, first) : bisect_left(words, after)]
            for word, _distance, _at in extract(term, block, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None):
                found.add(word)
    return found
