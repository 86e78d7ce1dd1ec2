"""BM25F over whole posting lists with numpy: the fast path for common queries.

Whoosh scores a query by walking a tree of matcher objects, several Python
method calls per posting; on news-sized posting lists that is most of a
query's time (8-10 ms per query on 14k Reuters articles, growing linearly
with the archive). This module evaluates the same query trees (words,
OR/AND/NOT/AND MAYBE, prefixes, ``*``, date ranges, phrases) over whole
posting lists, which :class:`~newssearch.engine.reading.Segment` hands out as
arrays: BM25F is computed for every matching document in one vectorised
expression, and the top ``k`` are picked with a partial sort. It reproduces
Whoosh's scores exactly (same formula, idf, average lengths, coordination
bonus; ``tests/comparison`` checks it on real data), so results are those
Whoosh would give, only sooner. A phrase is matched on the positions of
the documents holding all its words (stop words counted, see
:class:`~newssearch.engine.query.GapPhrase`) and scored, as Whoosh does, by
the sum of its words' scores. Other shapes (fuzzy terms, term ranges) raise
:class:`Unsupported` inside, and the caller uses Whoosh's matchers.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from ..engine.query import (
    And,
    AndMaybe,
    AndNot,
    Every,
    GapPhrase,
    NumericRange,
    Or,
    Prefix,
    Query,
    Term,
    Wildcard,
    is_null,
    to_long,
)
from ..engine.reading import Segment, Snapshot
from ..model import ScorePart

__all__ = ["BM25_B", "BM25_K1", "CollectionStats", "Ranked", "Ranker", "Recency", "Unsupported"]

#: BM25 parameters, tuned on the odd-numbered half of the TIME collection's
#: queries (bench/relevance.py; MAP 0.660 -> 0.716 there, held-out half
#: 0.674 -> 0.679). Whoosh's defaults are 0.75 and 1.2. The Whoosh searcher
#: uses the same values (NewsIndex opens it with them), so phrases score alike.
BM25_B = 0.85
BM25_K1 = 2.0
_B = BM25_B
_K1 = BM25_K1
_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)
Found = tuple[np.ndarray, np.ndarray]


class CollectionStats(Protocol):
    """The collection-wide numbers BM25F and the coordination bonus need.

    A :class:`~newssearch.engine.reading.Snapshot` provides them for its own
    articles; an index split into shards passes statistics summed over all
    shards instead, so each shard scores its articles as one index holding
    them all would.
    """

    def idf(self, fieldname: str, text: Any) -> float:
        """BM25's inverse document frequency of a term."""

    def avg_field_length(self, fieldname: str) -> float:
        """The average length of a text field."""

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        """How many documents hold a term."""

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches."""


class Unsupported(Exception):
    """The query has a part this module does not evaluate (e.g. a phrase)."""


@dataclass
class Ranked:
    """The outcome of a ranked or sorted query: the total and one page."""

    total: int
    page: list[tuple[int, float]]  # (docnum, score)


@dataclass(frozen=True)
class Recency:
    """Age decay blended into relevance: a story loses half its freshness
    bonus every ``half_life``; ``floor`` is the share of relevance an old
    (or undated) story always keeps, so exact old matches do not vanish and
    fresh irrelevant ones cannot take over."""

    now_long: float = 0.0
    half_life_days: float = 7.0
    floor: float = 0.3

    @classmethod
    def build(cls, now: datetime, half_life_days: float = 7.0, floor: float = 0.3) -> Recency:
        """The decay for a search made at ``now``."""
        return cls(float(to_long(now)), half_life_days, floor)


@dataclass
class _Part:
    """Matches of a sub-query in one segment: sorted doc ids, their scores,
    and how many term leaves matched each (for the coordination bonus)."""

    ids: np.ndarray
    scores: np.ndarray
    hits: np.ndarray

    @classmethod
    def empty(cls) -> _Part:
        return cls(_EMPTY_I, _EMPTY_F, _EMPTY_F)


class Ranker:
    """Evaluates queries for one snapshot (build one per snapshot).

    Decoded posting lists are kept (most recently used last, up to
    :attr:`CACHE_BYTES`): news queries repeat their common words, and
    decoding is most of a query's time.
    """

    #: Memory for decoded posting lists kept between queries.
    CACHE_BYTES = 128 * 2**20

    def __init__(self, snapshot: Snapshot, coordination: str = "index", stats: CollectionStats | None = None) -> None:
        """``coordination`` says how many query terms the coordination bonus
        counts: those in the whole index (the default: a document's score
        does not change when segments are merged or written in parallel),
        or, as Whoosh's CoordMatcher does, those in the document's segment
        ("segment"; used by the tests that compare scores with Whoosh).
        ``stats`` are the collection statistics to score with (default: the
        snapshot's own)."""
        self.snapshot = snapshot
        self.stats: CollectionStats = stats if stats is not None else snapshot
        self.coordination = coordination
        self.segments = snapshot.segments
        self._present: dict[tuple[str, Any], bool] = {}
        self._idf: dict[tuple[str, Any], float] = {}
        self._avg: dict[str, float] = {}
        self._postings: OrderedDict[tuple[int, str, Any], Found] = OrderedDict()
        self._cached_bytes = 0

    def _posting_list(self, seg: Segment, fieldname: str, text: Any) -> Found:
        key = (id(seg), fieldname, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        found = seg.postings(fieldname, text)
        size = found[0].nbytes + found[1].nbytes
        if size <= self.CACHE_BYTES // 4:
            self._postings[key] = found
            self._cached_bytes += size
            while self._cached_bytes > self.CACHE_BYTES:
                _key, (ids, ws) = self._postings.popitem(last=False)
                self._cached_bytes -= ids.nbytes + ws.nbytes
        return found

    # --- scoring -------------------------------------------------------
    def _stats(self, fieldname: str, text: Any) -> tuple[float, float]:
        key = (fieldname, text)
        idf = self._idf.get(key)
        if idf is None:
            idf = self._idf[key] = self.stats.idf(fieldname, text)
        avg = self._avg.get(fieldname)
        if avg is None:
            avg = self._avg[fieldname] = self.stats.avg_field_length(fieldname) or 1
        return idf, avg

    def _term(self, seg: Segment, fieldname: str, text: Any, boost: float, weighted: bool = True) -> _Part:
        if not seg.has(fieldname, text):
            return _Part.empty()
        ids, weights = self._posting_list(seg, fieldname, text)
        if weighted and self.snapshot.is_scorable(fieldname):
            idf, avg = self._stats(fieldname, text)
            lengths = seg.field_lengths(fieldname)[ids]
            scores = idf * ((weights * (_K1 + 1)) / (weights + _K1 * ((1 - _B) + _B * lengths / avg)))
        else:
            scores = weights
        if boost != 1.0:
            scores = scores * boost
        return _Part(ids, scores, np.ones(len(ids)))

    def _eval(self, q: Query, seg: Segment) -> tuple[_Part, int]:
        """Evaluate ``q`` in one segment; also return how many term leaves
        under it have postings there (Whoosh's coordination term count)."""
        if isinstance(q, Term):
            part = self._term(seg, q.fieldname, q.text, q.boost)
            return part, self._counts(q.fieldname, q.text, len(part.ids) > 0)
        if isinstance(q, Or):
            if getattr(q, "minmatch", 0):
                raise Unsupported("minmatch")
            evaluated = [self._eval(sub, seg) for sub in q.subqueries]
            part = _union([p for p, _ in evaluated])
            terms = sum(t for _, t in evaluated)
            scale = getattr(q, "scale", None)
            if scale and terms > 1 and terms != scale and len(part.ids):
                part.scores = (part.scores + (part.hits - 1) / (terms - scale) ** 2) * ((terms - 1) / terms)
            if q.boost != 1.0:
                part.scores = part.scores * q.boost
            return part, terms
        if isinstance(q, And):
            evaluated = [self._eval(sub, seg) for sub in q.subqueries]
            part = _intersection([p for p, _ in evaluated])
            if q.boost != 1.0:
                part.scores = part.scores * q.boost
            return part, sum(t for _, t in evaluated)
        if isinstance(q, AndNot):
            a, ta = self._eval(q.a, seg)
            b, _ = self._eval(q.b, seg)
            keep = ~np.isin(a.ids, b.ids, assume_unique=True)
            return _Part(a.ids[keep], a.scores[keep], a.hits[keep]), ta
        if isinstance(q, AndMaybe):
            a, ta = self._eval(q.a, seg)
            b, tb = self._eval(q.b, seg)
            idx = np.searchsorted(b.ids, a.ids)
            idx[idx >= len(b.ids)] = 0
            present = (b.ids[idx] == a.ids) if len(b.ids) else np.zeros(len(a.ids), dtype=bool)
            scores = a.scores + np.where(present, b.scores[idx] if len(b.ids) else 0.0, 0.0)
            hits = a.hits + np.where(present, b.hits[idx] if len(b.ids) else 0.0, 0.0)
            return _Part(a.ids, scores, hits), ta + tb
        if isinstance(q, Every) and not q.fieldname:
            ids = np.arange(seg.size, dtype=np.int64)
            return _Part(ids, np.full(seg.size, 1.0 * q.boost), np.zeros(seg.size)), 0
        if is_null(q):
            return _Part.empty(), 0
        if isinstance(q, NumericRange) and q.fieldname == "published":
            return self._date_range(q, seg), 0
        if isinstance(q, GapPhrase):
            return self._phrase(q, seg)
        if isinstance(q, (Prefix, Wildcard)):
            pairs = seg.expand(q)
            # each expansion is scored by BM25F and counts as a term for the
            # enclosing coordination bonus
            parts = [self._term(seg, f, t, q.boost) for f, t in pairs]
            if self.coordination == "segment":
                count = sum(int(len(p.ids) > 0) for p in parts)
            else:
                count = len(self.stats.expand(q))
            return _union(parts), count
        raise Unsupported(type(q).__name__)

    def _phrase(self, q: GapPhrase, seg: Segment) -> tuple[_Part, int]:
        """A phrase in one segment: the documents where its words stand at
        the phrase's distances (or, with ``slop``, within them, in order),
        scored by the sum of the words' BM25F scores. For the coordination
        bonus each word counts as a term, as Whoosh's matchers count them,
        provided every word exists (else the phrase can match nothing)."""
        field, words = q.fieldname, q.words
        if self.coordination == "segment":
            count = len(words) if all(seg.has(field, w) for w in words) else 0
        else:
            count = len(words) if all(self._counts(field, w, False) for w in words) else 0
        parts = [self._term(seg, field, w, 1.0) for w in words]
        if any(len(p.ids) == 0 for p in parts):
            return _Part.empty(), count
        candidates = parts[0].ids
        for p in parts[1:]:
            candidates = np.intersect1d(candidates, p.ids, assume_unique=True)
        if not len(candidates):
            return _Part.empty(), count
        decoded = [seg.positions(field, w, candidates) for w in words]
        keep = np.array([_phrase_at(q, [d[i] for d in decoded]) for i in range(len(candidates))], dtype=bool)
        ids = candidates[keep]
        scores = np.zeros(len(ids))
        for p in parts:
            scores += p.scores[np.searchsorted(p.ids, ids)]
        if q.boost != 1.0:
            scores = scores * q.boost
        return _Part(ids, scores, np.full(len(ids), float(len(words)))), count

    def _counts(self, fieldname: str, text: Any, in_segment: bool) -> int:
        """Whether a term leaf counts for the coordination bonus."""
        if self.coordination == "segment":
            return int(in_segment)
        key = (fieldname, text)
        present = self._present.get(key)
        if present is None:
            present = self._present[key] = self.stats.doc_frequency(fieldname, text) > 0
        return int(present)

    def _date_range(self, q: NumericRange, seg: Segment) -> _Part:
        values = seg.numeric_column("published")
        mask = seg.numeric_column("undated") == 0
        if q.start is not None:
            start = np.uint64(q.start)
            mask &= values > start if q.startexcl else values >= start
        if q.end is not None:
            end = np.uint64(q.end)
            mask &= values < end if q.endexcl else values <= end
        ids = np.nonzero(mask)[0].astype(np.int64)
        return _Part(ids, np.full(len(ids), 1.0 * q.boost), np.zeros(len(ids)))

    # --- the public entry points -------------------------------------
    def matches(self, q: Query, restrict: Query | None) -> Found | None:
        """Doc numbers and BM25F scores of every live match, or None
        when the query has a part this module does not evaluate."""
        all_ids: list[np.ndarray] = []
        all_scores: list[np.ndarray] = []
        try:
            for seg in self.segments:
                part, _ = self._eval(q, seg)
                ids, scores = part.ids, part.scores
                if len(ids) and restrict is not None:
                    allowed, _ = self._eval(restrict, seg)
                    keep = np.isin(ids, allowed.ids, assume_unique=True)
                    ids, scores = ids[keep], scores[keep]
                if len(ids) and seg.deleted is not None:
                    keep = ~seg.deleted[ids]
                    ids, scores = ids[keep], scores[keep]
                all_ids.append(ids + seg.offset)
                all_scores.append(scores)
        except Unsupported:
            return None
        ids = np.concatenate(all_ids) if all_ids else _EMPTY_I
        scores = np.concatenate(all_scores) if all_scores else _EMPTY_F
        return ids, scores

    def run(
        self,
        q: Query,
        restrict: Query | None,
        *,
        limit: int,
        offset: int = 0,
        sort: str = "relevance",
        recency: Recency | None = None,
        found: Found | None = None,
    ) -> Ranked | None:
        """Total and one page of (docnum, score), or None when unsupported.

        ``sort="recency"`` ranks by relevance times ``recency``'s age decay;
        the scores returned are then the blended ones.
        """
        found = found if found is not None else self.matches(q, restrict)
        if found is None:
            return None
        ids, scores = found
        total = int(len(ids))
        want = offset + limit
        if want <= 0 or total == 0:
            return Ranked(total, [])
        if sort == "recency":
            scores = scores * self.recency_factors(ids, recency or Recency())
        if sort in ("relevance", "recency"):
            order = _top(scores, ids, want)
        else:
            order = self._by_date(ids, newest_first=sort == "date")[:want]
        page = order[offset:want]
        return Ranked(total, [(int(ids[i]), float(scores[i])) for i in page])

    def column(self, ids: np.ndarray, name: str) -> np.ndarray:
        """A numeric column's values for doc numbers."""
        out = np.empty(len(ids), dtype=np.uint64)
        for seg in self.segments:
            lo, hi = seg.offset, seg.offset + seg.size
            inside = (ids >= lo) & (ids < hi)
            if inside.any():
                out[inside] = seg.numeric_column(name)[ids[inside] - lo]
        return out

    def recency_factors(self, ids: np.ndarray, recency: Recency) -> np.ndarray:
        """``floor + (1 - floor) * 0.5 ** (age / half_life)`` per document;
        undated articles get the floor, articles from the future 1."""
        published = self.column(ids, "published").astype(np.float64)
        undated = self.column(ids, "undated") != 0
        age_days = (recency.now_long - published) / 86_400e6
        decay = np.power(0.5, np.maximum(age_days, 0.0) / recency.half_life_days)
        factors = recency.floor + (1.0 - recency.floor) * decay
        factors[undated] = recency.floor
        return factors

    def _by_date(self, ids: np.ndarray, newest_first: bool) -> np.ndarray:
        published = self.column(ids, "published")
        undated = self.column(ids, "undated")
        key = published.astype(np.float64)
        if newest_first:
            key = -key
        # undated last, then by date, ties by document number (as Whoosh does)
        return np.lexsort((ids, key, undated))

    def facet_counts(self, ids: np.ndarray, fieldname: str) -> dict[str, int]:
        """How many of ``ids`` carry each value of a keyword field (indexed,
        lowercased form), most frequent first."""
        counts: dict[str, int] = {}
        for seg in self.segments:
            lo, hi = seg.offset, seg.offset + seg.size
            local = np.sort(ids[(ids >= lo) & (ids < hi)] - lo)
            if not len(local):
                continue
            for term in seg.lexicon(fieldname):
                posting_ids, _ = self._posting_list(seg, fieldname, term)
                n = int(np.count_nonzero(np.isin(posting_ids, local, assume_unique=True)))
                if n:
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    counts[text] = counts.get(text, 0) + n
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def explain(self, q: Query, docnum: int) -> list[ScorePart]:
        """What each matching term contributed to one document's BM25F score."""
        seg = next(s for s in self.segments if s.offset <= docnum < s.offset + s.size)
        local = docnum - seg.offset
        out: list[ScorePart] = []
        for leaf in _leaves(q):
            if isinstance(leaf, GapPhrase):
                # a phrase's words count where the phrase matched
                matched = self._phrase(leaf, seg)[0].ids
                i = int(np.searchsorted(matched, local))
                pairs = [(leaf.fieldname, w) for w in leaf.words] if i < len(matched) and matched[i] == local else []
            elif isinstance(leaf, Term):
                pairs = [(leaf.fieldname, leaf.text)]
            else:
                pairs = seg.expand(leaf)
            for fieldname, text in pairs:
                if not seg.has(fieldname, text):
                    continue
                ids, weights = self._posting_list(seg, fieldname, text)
                i = int(np.searchsorted(ids, local))
                if i >= len(ids) or ids[i] != local:
                    continue
                part = self._term(seg, fieldname, text, getattr(leaf, "boost", 1.0))
                word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
                scorable = self.snapshot.is_scorable(fieldname)
                boost = self.snapshot.field_boost(fieldname)
                out.append(
                    ScorePart(
                        field=fieldname,
                        term=word,
                        frequency=float(weights[i]) / (boost or 1.0),
                        field_boost=float(boost),
                        field_length=float(seg.field_lengths(fieldname)[local]) if scorable else 0.0,
                        average_length=float(self._avg.get(fieldname, 0.0)),
                        idf=float(self._idf.get((fieldname, text), 0.0)),
                        score=float(part.scores[i]),
                    )
                )
        return out


def _phrase_at(q: GapPhrase, positions: list[list[int]]) -> bool:
    """Whether one document's word positions hold the phrase: each word at
    its distance from the one before (``slop`` 1), or at a distance from 1
    to that distance + ``slop`` - 1, in order (as Whoosh's span matching
    chains them)."""
    gaps = q.gaps()
    if q.slop <= 1:
        starts = set(positions[0])
        for word_positions, offset in zip(positions[1:], q.offsets[1:]):
            starts &= {p - offset for p in word_positions}
            if not starts:
                return False
        return True
    ends = set(positions[0])
    for word_positions, gap in zip(positions[1:], gaps):
        hi = gap + q.slop - 1
        ends = {p for p in word_positions if any(1 <= p - e <= hi for e in ends)}
        if not ends:
            return False
    return True


def _leaves(q: Query) -> list[Query]:
    if isinstance(q, AndNot):
        return _leaves(q.a)
    if isinstance(q, (Term, Prefix, Wildcard, GapPhrase)):
        return [q]
    if q.is_leaf():
        return []
    out: list[Query] = []
    for sub in q.children():
        out.extend(_leaves(sub))
    return out


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best scores, ties broken by lower doc number."""
    if k < len(scores):
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.nonzero(scores >= threshold)[0]
    else:
        candidates = np.arange(len(scores))
    order = np.lexsort((ids[candidates], -scores[candidates]))
    return candidates[order][:k]


def _union(parts: list[_Part]) -> _Part:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return _Part.empty()
    if len(parts) == 1:
        p = parts[0]
        return _Part(p.ids, p.scores.copy(), p.hits.copy())
    ids = np.concatenate([p.ids for p in parts])
    uniq, inverse = np.unique(ids, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(uniq))
    hits = np.bincount(inverse, weights=np.concatenate([p.hits for p in parts]), minlength=len(uniq))
    return _Part(uniq, scores, hits)


def _intersection(parts: list[_Part]) -> _Part:
    if not parts or any(len(p.ids) == 0 for p in parts):
        return _Part.empty()
    merged = _union(parts)
    counts = np.bincount(
        np.searchsorted(merged.ids, np.concatenate([p.ids for p in parts])), minlength=len(merged.ids)
    )
    keep = counts == len(parts)
    return _Part(merged.ids[keep], merged.scores[keep], merged.hits[keep])
