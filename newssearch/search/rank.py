"""Ranking: BM25F over title and body as one document, with numpy, over whole posting lists.

The model (``MODEL``; Robertson & Zaragoza's BM25F, with a coordination
factor): a query word's occurrences in the headline and the body are added
up first, each field's count weighted and normalised by that field's length,
and only then saturated, so one word in a short headline cannot outweigh a
body that holds every query word (as it did when each field was scored,
saturated and idf-weighted on its own: Whoosh's BM25F). For word ``w`` and
article ``d``::

    tf~(w, d) = sum over fields f of  W_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
    score(d)  = C(d) * sum over query words w of  idf(w) * tf~ * (k1 + 1) / (k1 + tf~)
    idf(w)    = ln(1 + (N - df + 0.5) / (df + 0.5))       (df: articles with w in any field)
    C(d)      = (idf of the words d holds / idf of all the query's words) ** (gamma / n)

``C`` rewards matching the whole query: "Mervyn King" puts the articles
with both words above the nine Burger King stories. It weighs words by idf
(missing a rare word costs more than missing a common one) and fades with
the query's length ``n`` (in a twelve-word question, not every word is
essential). A phrase counts as its words, scored where the phrase matches;
a prefix as one word, its expansions summed. The parameters were chosen on
the tune sets of ``bench/knownitem.py`` (known-item queries on BBC and
Reuters-21578, TIME's odd topics) and are reported on the held-out ones.

The arithmetic runs over whole posting lists, which
:class:`~newssearch.engine.reading.Segment` hands out as arrays: a few
vectorised steps per word instead of one Python call per posting, and the
top ``k`` picked with a partial sort. Shapes this module does not evaluate
(term ranges) raise :class:`Unsupported` inside, and the caller runs
Whoosh's own matchers, which score with Whoosh's BM25F (``BM25_K1``,
``BM25_B``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from ..engine.query import (
    added_after,
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
from ..engine.schema import TEXT_FIELDS
from ..errors import UnsupportedQueryShape
from ..model import FieldMatch, ScorePart

__all__ = [
    "BM25_B",
    "BM25_K1",
    "MODEL",
    "CollectionStats",
    "GivenStats",
    "Ranked",
    "Ranker",
    "RankingModel",
    "RecentStats",
    "Recency",
    "Unsupported",
    "WordsAsked",
]

#: Whoosh's BM25F parameters, for the shapes Whoosh's matchers score.
BM25_B = 0.85
BM25_K1 = 2.0
_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)
Found = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class RankingModel:
    """The parameters of the ranking (see the module docstring).

    ``k1`` saturates a word's combined frequency; ``b`` and ``weights`` are
    per field (length normalisation, and how much one occurrence counts);
    ``coordination`` is the exponent ``gamma`` of the coordination factor
    (0 turns it off).
    """

    k1: float = 2.0
    b: tuple[tuple[str, float], ...] = (("title", 0.3), ("body", 0.85))
    weights: tuple[tuple[str, float], ...] = (("title", 5.0), ("body", 1.0))
    coordination: float = 1.5

    def field_b(self, fieldname: str) -> float:
        """The length normalisation of a field (0: none, 1: full)."""
        return dict(self.b).get(fieldname, 0.75)

    def field_weight(self, fieldname: str) -> float:
        """How much one occurrence in a field counts."""
        return dict(self.weights).get(fieldname, 1.0)


#: The shipped model: chosen on the tune sets of bench/knownitem.py.
MODEL = RankingModel()


class CollectionStats(Protocol):
    """The collection-wide numbers the ranking needs.

    A :class:`~newssearch.engine.reading.Snapshot` provides them for its own
    articles; an index split into shards passes statistics summed over all
    shards instead, so each shard scores its articles as one index holding
    them all would.
    """

    def doc_count_all(self) -> int:
        """How many documents the collection holds."""

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """How many documents hold a term in any of the fields."""

    def avg_field_length(self, fieldname: str) -> float:
        """The average length of a text field."""

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches."""


class RecentStats:
    """Statistics over only the segments holding articles added after an
    ingest sequence (``cursor``): what matching saved searches against new
    articles uses. Which articles match does not depend on them (only
    scores do, and percolation compares none), while the snapshot's exact
    document frequencies decode every segment's posting list of each word,
    a pass over the archive per word. Frequencies here are Whoosh's
    per-field counts of the recent segments (a word in both fields of an
    article counted once per field)."""

    def __init__(self, snapshot: Snapshot, cursor: int) -> None:
        self._snapshot = snapshot
        self.segments = [seg for seg in snapshot.segments if seg.newest() > cursor]

    def doc_count_all(self) -> int:
        """Documents in the recent segments."""
        return sum(seg.size for seg in self.segments)

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """Documents of the recent segments holding the term in any of the fields (at most)."""
        return min(self.doc_count_all(), sum(seg.doc_frequency(f, text) for seg in self.segments for f in fieldnames))

    def avg_field_length(self, fieldname: str) -> float:
        """The snapshot's average length of a text field."""
        return self._snapshot.avg_field_length(fieldname)

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard query matches in the snapshot."""
        return self._snapshot.expand(q)


class GivenStats:
    """Collection statistics handed in from elsewhere: summed over the shards
    of a sharded index by the client that fans a query out (see
    :mod:`newssearch.cluster`). ``frequencies`` holds each word's document
    frequency as the ranker asks for it (its fields, its text); asking for
    another is a bug, and raises ``KeyError``."""

    def __init__(
        self, docs: int, frequencies: dict[tuple[tuple[str, ...], str], int], lengths: dict[str, float], expand: Any
    ) -> None:
        self._docs = docs
        self._frequencies = frequencies
        self._lengths = lengths
        self._expand = expand

    def doc_count_all(self) -> int:
        """Documents in every shard."""
        return self._docs

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """The summed frequency given for the word."""
        return self._frequencies[(tuple(fieldnames), text)]

    def avg_field_length(self, fieldname: str) -> float:
        """The average length given for the field."""
        return self._lengths.get(fieldname, 0.0)

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The terms a prefix or wildcard matches, as given."""
        return self._expand(q)  # type: ignore[no-any-return]


class WordsAsked:
    """Statistics that record which words a query's ranking asks about (and
    answer 1): evaluated on one segment, a query asks for every word it
    would ask for on any (see :meth:`Ranker.words_asked`)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self.asked: list[tuple[tuple[str, ...], str]] = []

    def doc_count_all(self) -> int:
        """Any positive count."""
        return max(1, self._snapshot.doc_count_all())

    def doc_frequency_any(self, fieldnames: Sequence[str], text: Any) -> int:
        """Records the word; answers 1."""
        key = (tuple(fieldnames), text)
        if key not in self.asked:
            self.asked.append(key)
        return 1

    def avg_field_length(self, fieldname: str) -> float:
        """The snapshot's."""
        return self._snapshot.avg_field_length(fieldname)

    def expand(self, q: Query) -> list[tuple[str, Any]]:
        """The snapshot's expansions."""
        return self._snapshot.expand(q)


#: The ranker's signal to fall back to Whoosh's matchers (kept under its old name here).
Unsupported = UnsupportedQueryShape


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
    and the idf of the query words each holds (for the coordination factor)."""

    ids: np.ndarray
    scores: np.ndarray
    mass: np.ndarray

    @classmethod
    def empty(cls) -> _Part:
        return cls(_EMPTY_I, _EMPTY_F, _EMPTY_F)


@dataclass(frozen=True)
class _Units:
    """What a sub-query asks for: how many query words, and their idf."""

    words: float = 0.0
    idf: float = 0.0

    def __add__(self, other: _Units) -> _Units:
        return _Units(self.words + other.words, self.idf + other.idf)


@dataclass(frozen=True)
class _Word:
    """One query word in the text fields it was asked in."""

    text: str
    fields: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class _Phrase:
    """One phrase in the text fields it was asked in (``GapPhrase`` per field)."""

    phrases: tuple[GapPhrase, ...]
    boost: float = 1.0

    @property
    def words(self) -> list[str]:
        return list(self.phrases[0].words)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(p.fieldname for p in self.phrases)


@dataclass(frozen=True)
class _Expansion:
    """One prefix or wildcard in the text fields it was asked in."""

    queries: tuple[Query, ...]
    boost: float = 1.0

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(q.fieldname for q in self.queries)


_Node = Any  # a Whoosh query node, or one of the groups above


def _groups(children: Iterable[Query]) -> list[_Node]:
    """Sibling clauses with the grouping the model needs: the same word (or
    phrase, or prefix) asked in several text fields is one query word."""
    out: list[_Node] = []
    words: dict[str, list[Term]] = {}
    phrases: dict[tuple[Any, ...], list[GapPhrase]] = {}
    expansions: dict[tuple[Any, ...], list[Query]] = {}
    for q in children:
        if isinstance(q, Term) and q.fieldname in TEXT_FIELDS:
            key = q.text.decode("utf-8") if isinstance(q.text, bytes) else q.text
            if key not in words:
                out.append(("word", key))
            words.setdefault(key, []).append(q)
        elif isinstance(q, GapPhrase) and q.fieldname in TEXT_FIELDS:
            pkey = (tuple(q.words), tuple(q.offsets), q.slop)
            if pkey not in phrases:
                out.append(("phrase", pkey))
            phrases.setdefault(pkey, []).append(q)
        elif isinstance(q, (Prefix, Wildcard)) and q.fieldname in TEXT_FIELDS:
            ekey = (type(q).__name__, q.text, tuple(getattr(q, "stems", ())))
            if ekey not in expansions:
                out.append(("expansion", ekey))
            expansions.setdefault(ekey, []).append(q)
        else:
            out.append(q)
    grouped: list[_Node] = []
    for node in out:
        if isinstance(node, tuple) and node[0] == "word":
            terms = words[node[1]]
            grouped.append(_Word(node[1], tuple(t.fieldname for t in terms), max(t.boost for t in terms)))
        elif isinstance(node, tuple) and node[0] == "phrase":
            ps = phrases[node[1]]
            grouped.append(_Phrase(tuple(ps), max(p.boost for p in ps)))
        elif isinstance(node, tuple) and node[0] == "expansion":
            es = expansions[node[1]]
            grouped.append(_Expansion(tuple(es), max(e.boost for e in es)))
        else:
            grouped.append(node)
    return grouped


class Ranker:
    """Evaluates queries for one snapshot (build one per snapshot).

    Decoded posting lists are kept (most recently used last, up to
    :attr:`CACHE_BYTES`): news queries repeat their common words, and
    decoding is most of a query's time.
    """

    #: Memory for decoded posting lists kept between queries.
    CACHE_BYTES = 128 * 2**20

    def __init__(self, snapshot: Snapshot, stats: CollectionStats | None = None, model: RankingModel | None = None) -> None:
        """``stats`` are the collection statistics to score with (default:
        the snapshot's own); ``model`` the ranking's parameters (default:
        :data:`MODEL`)."""
        self.snapshot = snapshot
        self.stats: CollectionStats = stats if stats is not None else snapshot
        self.model = model if model is not None else MODEL
        self.segments = snapshot.segments
        self._idf: dict[tuple[tuple[str, ...], str], float] = {}
        self._avg: dict[str, float] = {}
        self._postings: OrderedDict[tuple[int, str, Any], Found] = OrderedDict()
        self._cached_bytes = 0

    def drop_caches(self) -> None:
        """Forget the decoded posting lists and word statistics kept between
        queries (a benchmark's cold query; memory given back)."""
        self._postings.clear()
        self._cached_bytes = 0
        self._idf.clear()
        self._avg.clear()
        for seg in self.segments:
            seg.drop_caches()

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

    # --- the words' statistics -----------------------------------------
    def _word_idf(self, fields: tuple[str, ...], text: str) -> float:
        """idf of a word over the given fields (0 when no article holds it)."""
        key = (fields, text)
        idf = self._idf.get(key)
        if idf is None:
            df = self._df_any(fields, text) if self.stats is self.snapshot else self.stats.doc_frequency_any(fields, text)
            n = self.stats.doc_count_all()
            idf = float(np.log(1.0 + (n - df + 0.5) / (df + 0.5))) if df else 0.0
            self._idf[key] = idf
        return idf

    def _df_any(self, fields: tuple[str, ...], text: str) -> int:
        """Documents holding the word in any of the fields, from the posting
        lists the scoring decodes anyway (deleted documents included, as
        Whoosh's document frequency counts them)."""
        total = 0
        for seg in self.segments:
            lists = [self._posting_list(seg, f, text)[0] for f in fields if seg.has(f, text)]
            if len(lists) == 1:
                total += len(lists[0])
            elif lists:
                total += len(_union_ids(lists, seg.size))
        return total

    def _avg_length(self, fieldname: str) -> float:
        avg = self._avg.get(fieldname)
        if avg is None:
            avg = self._avg[fieldname] = self.stats.avg_field_length(fieldname) or 1.0
        return avg

    def _combined_tf(self, seg: Segment, fields: tuple[str, ...], text: str) -> tuple[np.ndarray, np.ndarray]:
        """Doc ids holding the word in any of ``fields`` and its combined,
        weighted, length-normalised frequency in each."""
        per_field = []
        for f in fields:
            if seg.has(f, text):
                ids, weights = self._posting_list(seg, f, text)
                tf = weights / self.snapshot.field_boost(f)  # the stored weight is tf x the field's boost
                b = self.model.field_b(f)
                norm = (1.0 - b) + b * seg.field_lengths(f)[ids] / self._avg_length(f)
                per_field.append((ids, self.model.field_weight(f) * tf / norm))
        if not per_field:
            return _EMPTY_I, _EMPTY_F
        if len(per_field) == 1:
            return per_field[0]
        ids = _union_ids([p[0] for p in per_field], seg.size)
        if len(ids) * 16 >= seg.size:  # long lists: add up in a dense array (ids are unique per field)
            dense = np.zeros(seg.size)
            for fids, ftf in per_field:
                dense[fids] += ftf
            return ids, dense[ids]
        total = np.zeros(len(ids))
        for fids, ftf in per_field:
            total[np.searchsorted(ids, fids)] += ftf
        return ids, total

    def _word(self, seg: Segment, fields: tuple[str, ...], text: str, boost: float = 1.0) -> _Part:
        ids, tf = self._combined_tf(seg, fields, text)
        if not len(ids):
            return _Part.empty()
        idf = self._word_idf(fields, text)
        k1 = self.model.k1
        scores = idf * tf * (k1 + 1.0) / (k1 + tf)
        if boost != 1.0:
            scores = scores * boost
        return _Part(ids, scores, np.full(len(ids), idf))

    # --- evaluation ----------------------------------------------------
    def _eval(self, q: _Node, seg: Segment) -> tuple[_Part, _Units]:
        """Evaluate ``q`` in one segment; also say what it asks for."""
        if isinstance(q, _Word):
            idf = self._word_idf(q.fields, q.text)
            return self._word(seg, q.fields, q.text, q.boost), _Units(1.0 if idf else 0.0, idf)
        if isinstance(q, _Phrase):
            return self._phrase(q, seg)
        if isinstance(q, _Expansion):
            return self._expansion(q, seg)
        if isinstance(q, Term):
            if q.fieldname in TEXT_FIELDS:
                return self._eval(_Word(q.text if isinstance(q.text, str) else q.text.decode("utf-8"), (q.fieldname,), q.boost), seg)
            return self._keyword(q, seg), _Units()
        if isinstance(q, GapPhrase) and q.fieldname in TEXT_FIELDS:
            return self._phrase(_Phrase((q,), q.boost), seg)
        if isinstance(q, (Prefix, Wildcard)) and q.fieldname in TEXT_FIELDS:
            return self._expansion(_Expansion((q,), q.boost), seg)
        if isinstance(q, Or):
            if getattr(q, "minmatch", 0):
                raise Unsupported("minmatch")
            evaluated = [self._eval(sub, seg) for sub in _groups(q.subqueries)]
            part = _union([p for p, _ in evaluated])
            units = sum((u for _, u in evaluated), _Units())
            if getattr(q, "scale", None) and len(part.ids):
                part.scores = part.scores * self._coordination(part.mass, units)
            if q.boost != 1.0:
                part.scores = part.scores * q.boost
            return part, units
        if isinstance(q, And):
            evaluated = [self._eval(sub, seg) for sub in _groups(q.subqueries)]
            part = _intersection([p for p, _ in evaluated])
            if q.boost != 1.0:
                part.scores = part.scores * q.boost
            return part, sum((u for _, u in evaluated), _Units())
        if isinstance(q, AndNot):
            a, ua = self._eval(q.a, seg)
            b, _ = self._eval(q.b, seg)
            keep = ~np.isin(a.ids, b.ids, assume_unique=True)
            return _Part(a.ids[keep], a.scores[keep], a.mass[keep]), ua
        if isinstance(q, AndMaybe):
            a, ua = self._eval(q.a, seg)
            b, ub = self._eval(q.b, seg)
            idx = np.searchsorted(b.ids, a.ids)
            idx[idx >= len(b.ids)] = 0
            present = (b.ids[idx] == a.ids) if len(b.ids) else np.zeros(len(a.ids), dtype=bool)
            scores = a.scores + np.where(present, b.scores[idx] if len(b.ids) else 0.0, 0.0)
            mass = a.mass + np.where(present, b.mass[idx] if len(b.ids) else 0.0, 0.0)
            return _Part(a.ids, scores, mass), ua + ub
        if isinstance(q, Every) and not q.fieldname:
            ids = np.arange(seg.size, dtype=np.int64)
            return _Part(ids, np.full(seg.size, 1.0 * q.boost), np.zeros(seg.size)), _Units()
        if is_null(q):
            return _Part.empty(), _Units()
        if isinstance(q, NumericRange) and q.fieldname == "published":
            return self._date_range(q, seg), _Units()
        if isinstance(q, NumericRange) and q.fieldname == "seq":
            return self._column_range(q, seg.numeric_column("seq")), _Units()
        raise Unsupported(type(q).__name__)

    def _coordination(self, mass: np.ndarray, units: _Units) -> np.ndarray | float:
        """``(idf held / idf asked) ** (gamma / words asked)`` per document."""
        gamma = self.model.coordination
        if not gamma or units.words <= 1 or units.idf <= 0:
            return 1.0
        return np.power(np.minimum(mass / units.idf, 1.0), gamma / units.words)

    def _keyword(self, q: Term, seg: Segment) -> _Part:
        """An exact-field clause inside the query: it matches, it does not score."""
        if not seg.has(q.fieldname, q.text):
            return _Part.empty()
        ids, _weights = self._posting_list(seg, q.fieldname, q.text)
        return _Part(ids, np.zeros(len(ids)), np.zeros(len(ids)))

    def _phrase(self, q: _Phrase, seg: Segment) -> tuple[_Part, _Units]:
        """A phrase: the documents where it stands in any of its fields,
        scored by its words (each as a query word in those fields); it asks
        for its words, provided each exists (else it matches nothing)."""
        fields, words = q.fields, q.words
        idfs = [self._word_idf(fields, w) for w in words]
        units = _Units(float(len(words)), sum(idfs)) if all(idfs) else _Units()
        matched: list[np.ndarray] = [self._phrase_in(p, seg) for p in q.phrases]
        ids = np.unique(np.concatenate(matched)) if matched else _EMPTY_I
        if not len(ids):
            return _Part.empty(), units
        scores = np.zeros(len(ids))
        for w in words:
            part = self._word(seg, fields, w)
            scores += part.scores[np.searchsorted(part.ids, ids)]
        if q.boost != 1.0:
            scores = scores * q.boost
        return _Part(ids, scores, np.full(len(ids), units.idf)), units

    def _phrase_in(self, q: GapPhrase, seg: Segment) -> np.ndarray:
        """The documents where a phrase's words stand at the phrase's
        distances in its field (or, with ``slop``, within them, in order)."""
        field, words = q.fieldname, q.words
        if not all(seg.has(field, w) for w in words):
            return _EMPTY_I
        candidates = self._posting_list(seg, field, words[0])[0]
        for w in words[1:]:
            candidates = np.intersect1d(candidates, self._posting_list(seg, field, w)[0], assume_unique=True)
        if not len(candidates):
            return _EMPTY_I
        if q.slop <= 1:
            # each word's (document, position - its offset in the phrase):
            # the phrase stands where all words share such a pair
            starts: np.ndarray | None = None
            for w, offset in zip(words, q.offsets):
                owners, positions = seg.positions_of(field, w, candidates)
                keep = positions >= offset
                # unique already: one key per (document, position)
                keys = (owners[keep] << 32) | (positions[keep] - offset)
                starts = np.sort(keys) if starts is None else np.intersect1d(starts, keys, assume_unique=True)
                if not len(starts):
                    return _EMPTY_I
            assert starts is not None
            owner = starts >> 32  # sorted: intersect1d sorts
            exact: np.ndarray = candidates[owner[np.r_[True, owner[1:] != owner[:-1]]]]
            return exact
        decoded = [seg.positions(field, w, candidates) for w in words]
        keep = np.array([_phrase_at(q, [d[i] for d in decoded]) for i in range(len(candidates))], dtype=bool)
        matched: np.ndarray = candidates[keep]
        return matched

    def _expansion(self, q: _Expansion, seg: Segment) -> tuple[_Part, _Units]:
        """A prefix or wildcard: one query word, whose expansions (in any of
        its fields) are scored as words and summed; its idf is their mean."""
        fields = q.fields
        texts = sorted({_text(t) for sub in q.queries for _f, t in seg.expand(sub)})
        everywhere = sorted({_text(t) for sub in q.queries for _f, t in self.stats.expand(sub)})
        idfs = [self._word_idf(fields, t) for t in everywhere]
        units = _Units(1.0, sum(idfs) / len(idfs)) if idfs and any(idfs) else _Units()
        part = _union([self._word(seg, fields, t) for t in texts])
        part.mass = np.full(len(part.ids), units.idf)
        if q.boost != 1.0:
            part.scores = part.scores * q.boost
        return part, units

    def _date_range(self, q: NumericRange, seg: Segment) -> _Part:
        return self._column_range(q, seg.numeric_column("published"), seg.numeric_column("undated") == 0)

    @staticmethod
    def _column_range(q: NumericRange, values: np.ndarray, mask: np.ndarray | None = None) -> _Part:
        """The documents whose column value is in ``q``'s range (and ``mask``)."""
        if mask is None:
            mask = np.ones(len(values), dtype=bool)
        if q.start is not None:
            start = np.uint64(q.start)
            mask &= values > start if q.startexcl else values >= start
        if q.end is not None:
            end = np.uint64(q.end)
            mask &= values < end if q.endexcl else values <= end
        ids = np.nonzero(mask)[0].astype(np.int64)
        return _Part(ids, np.full(len(ids), 1.0 * q.boost), np.zeros(len(ids)))

    # --- the public entry points -------------------------------------
    def doc_frequency_any(self, fields: tuple[str, ...], text: str) -> int:
        """The document frequency the ranking uses for a word in these fields
        (this snapshot's): a shard's share of a sharded index's statistics."""
        return self._df_any(fields, text)

    def words_asked(self, q: Query) -> list[tuple[tuple[str, ...], str]] | None:
        """The (fields, word) pairs whose statistics ranking ``q`` needs,
        found by evaluating it on one segment with recording statistics; None
        when the ranker does not evaluate ``q`` (Whoosh's matchers will)."""
        recorder = WordsAsked(self.snapshot)
        probe = Ranker(self.snapshot, stats=recorder, model=self.model)
        if not self.segments:
            return []
        smallest = min(self.segments, key=lambda seg: seg.size)
        try:
            probe._eval(q, smallest)
        except Unsupported:
            return None
        return recorder.asked

    def matches(self, q: Query, restrict: Query | None) -> Found | None:
        """Doc numbers and scores of every live match, or None when the
        query has a part this module does not evaluate."""
        all_ids: list[np.ndarray] = []
        all_scores: list[np.ndarray] = []
        floor = added_after(restrict)
        try:
            for seg in self.segments:
                if floor is not None and seg.newest() <= floor:
                    continue  # nothing in it was added after the cursor
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

    def explain(self, q: Query, docnum: int) -> tuple[list[ScorePart], Coordination]:
        """What each query word contributed to one document's score, and the
        coordination factor of the query's top-level word group."""
        seg = next(s for s in self.segments if s.offset <= docnum < s.offset + s.size)
        local = docnum - seg.offset
        parts: list[ScorePart] = []
        for node in _word_nodes(q):
            for fields, text, boost in self._words_of(node, seg, local):
                part = self._word(seg, fields, text, boost)
                i = int(np.searchsorted(part.ids, local))
                if i < len(part.ids) and part.ids[i] == local:
                    parts.append(self._score_part(seg, local, fields, text, float(part.scores[i])))
        return parts, self._explain_coordination(q, seg, local)

    def _words_of(self, node: _Node, seg: Segment, local: int) -> list[tuple[tuple[str, ...], str, float]]:
        """The words a word group scores in one document: a phrase's only
        where the phrase stands, a prefix's expansions."""
        if isinstance(node, _Word):
            return [(node.fields, node.text, node.boost)]
        if isinstance(node, _Phrase):
            matched = np.unique(np.concatenate([self._phrase_in(p, seg) for p in node.phrases]))
            i = int(np.searchsorted(matched, local))
            if i < len(matched) and matched[i] == local:
                return [(node.fields, w, node.boost) for w in node.words]
            return []
        texts = sorted({_text(t) for sub in node.queries for _f, t in seg.expand(sub)})
        return [(node.fields, t, node.boost) for t in texts]

    def _score_part(self, seg: Segment, local: int, fields: tuple[str, ...], text: str, score: float) -> ScorePart:
        matches = []
        combined = 0.0
        for f in fields:
            if not seg.has(f, text):
                continue
            ids, weights = self._posting_list(seg, f, text)
            i = int(np.searchsorted(ids, local))
            if i >= len(ids) or ids[i] != local:
                continue
            tf = float(weights[i]) / self.snapshot.field_boost(f)
            length = float(seg.field_lengths(f)[local])
            avg, b, w = self._avg_length(f), self.model.field_b(f), self.model.field_weight(f)
            combined += w * tf / ((1.0 - b) + b * length / avg)
            matches.append(FieldMatch(field=f, frequency=tf, weight=w, length=length, average_length=avg, b=b))
        return ScorePart(term=text, idf=self._word_idf(fields, text), tf=combined, score=score, fields=tuple(matches))

    def _explain_coordination(self, q: _Node, seg: Segment, local: int) -> Coordination:
        if not isinstance(q, Or) or not getattr(q, "scale", None):
            return Coordination(1.0, 0.0, 0.0, 0)
        held = 0.0
        asked = _Units()
        for sub in _groups(q.subqueries):
            part, units = self._eval(sub, seg)
            asked = asked + units
            i = int(np.searchsorted(part.ids, local))
            if i < len(part.ids) and part.ids[i] == local:
                held += float(part.mass[i])
        factor = self._coordination(np.array([held]), asked)
        value = float(factor[0]) if isinstance(factor, np.ndarray) else float(factor)
        return Coordination(value, held, asked.idf, int(asked.words))


@dataclass(frozen=True)
class Coordination:
    """The coordination factor of one document, and what it was made of."""

    factor: float
    held_idf: float
    query_idf: float
    query_words: int


def _text(t: Any) -> str:
    return t.decode("utf-8") if isinstance(t, bytes) else str(t)


def _word_nodes(q: _Node) -> list[_Node]:
    """The word groups of a query that add to a document's score (not the
    excluded side of NOT)."""
    if isinstance(q, (_Word, _Phrase, _Expansion)):
        return [q]
    if isinstance(q, AndNot):
        return _word_nodes(q.a)
    if isinstance(q, (Or, And)):
        out: list[_Node] = []
        for sub in _groups(q.subqueries):
            out.extend(_word_nodes(sub))
        return out
    if isinstance(q, AndMaybe):
        return _word_nodes(q.a) + _word_nodes(q.b)
    if isinstance(q, Term) and q.fieldname in TEXT_FIELDS:
        return [_Word(_text(q.text), (q.fieldname,), q.boost)]
    if isinstance(q, GapPhrase) and q.fieldname in TEXT_FIELDS:
        return [_Phrase((q,), q.boost)]
    if isinstance(q, (Prefix, Wildcard)) and q.fieldname in TEXT_FIELDS:
        return [_Expansion((q,), q.boost)]
    return []


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


def _union_ids(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The sorted union of doc-id arrays of one segment of ``size``
    documents: through a mask when the lists are long (numpy's unique
    sorts or hashes every id; marking them costs one pass), else unique."""
    if sum(len(p) for p in parts) * 16 < size:
        return np.unique(np.concatenate(parts))
    mask = np.zeros(size, dtype=bool)
    for p in parts:
        mask[p] = True
    return np.flatnonzero(mask).astype(np.int64)


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
        return _Part(p.ids, p.scores.copy(), p.mass.copy())
    ids = np.concatenate([p.ids for p in parts])
    uniq, inverse = np.unique(ids, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=len(uniq))
    mass = np.bincount(inverse, weights=np.concatenate([p.mass for p in parts]), minlength=len(uniq))
    return _Part(uniq, scores, mass)


def _intersection(parts: list[_Part]) -> _Part:
    if not parts or any(len(p.ids) == 0 for p in parts):
        return _Part.empty()
    merged = _union(parts)
    counts = np.bincount(
        np.searchsorted(merged.ids, np.concatenate([p.ids for p in parts])), minlength=len(merged.ids)
    )
    keep = counts == len(parts)
    return _Part(merged.ids[keep], merged.scores[keep], merged.mass[keep])
