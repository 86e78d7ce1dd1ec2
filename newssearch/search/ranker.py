"""The ranker: a query tree evaluated over whole posting lists with numpy.

:class:`~newssearch.engine.reading.Segment` hands out posting lists as
arrays; the ranker evaluates a query tree bottom-up in each segment, a few
vectorised steps per query word (:mod:`.matchsets`) instead of one Python
call per posting, and scores with the model of :mod:`.bm25` and the
statistics of :mod:`.stats`. Every match comes out with its score
(:data:`ScoredDocs`); one page of them is picked with a partial sort, or in
date order, ties broken by article id (:mod:`.order`). Shapes the ranker
does not evaluate (term ranges) raise :class:`~newssearch.errors.UnsupportedQueryShape` inside, and the
caller runs Whoosh's own matchers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..budget import check_budget
from ..engine.query import (
    And,
    AndMaybe,
    AndNot,
    Every,
    GapPhrase,
    MultiTerm,
    NumericRange,
    Or,
    Query,
    Term,
    added_after,
    is_null,
)
from ..engine.reading import Segment, Snapshot
from ..langanalysis import ENGLISH, field_group
from ..errors import UnsupportedQueryShape
from ..model import FieldMatch, ScorePart
from .bm25 import MODEL, RankingModel, coordination, idf, normalised_tf, saturated
from .columns import read_column
from .matchsets import AskedWords, SegmentMatches, intersection, union, union_ids
from .order import ArticleOrder, first_k, top_k
from .phrases import phrase_docs
from .postings import PostingCache
from .recency import Recency, recency_factors
from .stats import CollectionStats, WordsAsked
from .words import QueryExpansion, QueryNode, QueryPhrase, QueryWord, group_words, is_text_field, scoring_words, term_text

__all__ = ["Coordination", "Ranked", "Ranker", "ScoredDocs"]

#: Matches and their scores: snapshot doc numbers and one score each, as two
#: arrays of one length (in document order as the ranker hands them out).
ScoredDocs = tuple[np.ndarray, np.ndarray]

_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)




@dataclass
class Ranked:
    """The outcome of a ranked or sorted query: the total and one page."""

    total: int
    page: list[tuple[int, float]]  # (docnum, score)


@dataclass(frozen=True)
class Coordination:
    """The coordination factor of one document, and what it was made of."""

    factor: float
    held_idf: float
    query_idf: float
    query_words: int


class Ranker:
    """Evaluates queries for one snapshot (build one per snapshot).

    Decoded posting lists are kept (:attr:`postings`, up to
    :attr:`CACHE_BYTES`): news queries repeat their common words, and
    decoding is most of a query's time.
    """

    #: Memory for decoded posting lists kept between queries.
    CACHE_BYTES = 128 * 2**20

    def __init__(self, snapshot: Snapshot, stats: CollectionStats | None = None, model: RankingModel | None = None) -> None:
        """``stats`` are the collection statistics to score with (default:
        the snapshot's own); ``model`` the ranking's parameters (default:
        :data:`~.bm25.MODEL`)."""
        self.snapshot = snapshot
        self.stats: CollectionStats = stats if stats is not None else snapshot
        self.model = model if model is not None else MODEL
        self.segments = snapshot.segments
        self.postings = PostingCache(self.CACHE_BYTES)
        #: article ids as sort keys, for breaking ties
        self.article_order = ArticleOrder(snapshot)
        self._idf: dict[tuple[tuple[str, ...], str], float] = {}
        self._avg: dict[str, float] = {}

    def drop_caches(self) -> None:
        """Forget the decoded posting lists and word statistics kept between
        queries (a benchmark's cold query; memory given back). The article
        ids read for breaking ties stay, as the columns do: they are the
        snapshot's, like its dates."""
        self.postings.clear()
        self._idf.clear()
        self._avg.clear()
        for seg in self.segments:
            seg.drop_caches()

    # --- the words' statistics -----------------------------------------
    def _word_idf(self, fields: tuple[str, ...], text: str) -> float:
        """idf of a word over the given fields (0 when no article holds it)."""
        key = (fields, text)
        found = self._idf.get(key)
        if found is None:
            df = self._df_any(fields, text) if self.stats is self.snapshot else self.stats.doc_frequency_any(fields, text)
            found = self._idf[key] = idf(self.language_count(fields[0]) or self.stats.doc_count_all(), df)
        return found

    def language_count(self, fieldname: str) -> int | None:
        """The documents of the field's language (idf and average lengths are
        counted within a language: a word's statistics in German are not
        English's), or None where that is the whole collection: an index of
        English alone (so its every score is as before), or statistics
        from elsewhere (the shards' collection statistics, which count
        every language together)."""
        if self.stats is not self.snapshot:
            # a shard scoring with the collection's statistics is given the
            # collection's counts (GivenStats); other stand-ins count every language
            given = getattr(self.stats, "language_count", None)
            return given(fieldname) if given is not None else None
        groups = self.snapshot.text_groups()
        if not groups:
            return None
        group = field_group(fieldname)
        if group is None:
            return None
        if group != ENGLISH:
            return self.snapshot.group_doc_count(group)
        return max(1, self.snapshot.doc_count_all() - sum(self.snapshot.group_doc_count(g) for g in groups))

    def _df_any(self, fields: tuple[str, ...], text: str) -> int:
        """Documents holding the word in any of the fields, from the posting
        lists the scoring decodes anyway (deleted documents included, as
        Whoosh's document frequency counts them)."""
        total = 0
        for seg in self.segments:
            lists = [self.postings.get(seg, f, text)[0] for f in fields if seg.has(f, text)]
            if len(lists) == 1:
                total += len(lists[0])
            elif lists:
                total += len(union_ids(lists, seg.size))
        return total

    def _avg_length(self, fieldname: str) -> float:
        avg = self._avg.get(fieldname)
        if avg is None:
            avg = self.stats.avg_field_length(fieldname)
            count = self.language_count(fieldname)
            if count:  # Whoosh's average is over every document; here over the language's
                avg = avg * self.stats.doc_count_all() / count
            avg = self._avg[fieldname] = avg or 1.0
        return avg

    def _combined_tf(self, seg: Segment, fields: tuple[str, ...], text: str) -> tuple[np.ndarray, np.ndarray]:
        """Doc ids holding the word in any of ``fields`` and its combined,
        weighted, length-normalised frequency in each."""
        per_field = []
        for f in fields:
            if seg.has(f, text):
                ids, weights = self.postings.get(seg, f, text)
                tf = weights / self.snapshot.field_boost(f)  # the stored weight is tf x the field's boost
                per_field.append((ids, normalised_tf(self.model, f, tf, seg.field_lengths(f)[ids], self._avg_length(f))))
        if not per_field:
            return _EMPTY_I, _EMPTY_F
        if len(per_field) == 1:
            return per_field[0]
        ids = union_ids([p[0] for p in per_field], seg.size)
        if len(ids) * 16 >= seg.size:  # long lists: add up in a dense array (ids are unique per field)
            dense = np.zeros(seg.size)
            for fids, ftf in per_field:
                dense[fids] += ftf
            return ids, dense[ids]
        total = np.zeros(len(ids))
        for fids, ftf in per_field:
            total[np.searchsorted(ids, fids)] += ftf
        return ids, total

    def _word(self, seg: Segment, fields: tuple[str, ...], text: str, boost: float = 1.0) -> SegmentMatches:
        ids, tf = self._combined_tf(seg, fields, text)
        if not len(ids):
            return SegmentMatches.empty()
        word_idf = self._word_idf(fields, text)
        scores = saturated(self.model, word_idf, tf)
        if boost != 1.0:
            scores = scores * boost
        return SegmentMatches(ids, scores, np.full(len(ids), word_idf))

    # --- evaluation ----------------------------------------------------
    def _eval(self, q: QueryNode, seg: Segment) -> tuple[SegmentMatches, AskedWords]:
        """Evaluate ``q`` in one segment; also say what it asks for."""
        check_budget()
        if isinstance(q, QueryWord):
            word_idf = self._word_idf(q.fields, q.text)
            return self._word(seg, q.fields, q.text, q.boost), AskedWords(1.0 if word_idf else 0.0, word_idf)
        if isinstance(q, QueryPhrase):
            return self._phrase(q, seg)
        if isinstance(q, QueryExpansion):
            return self._expansion(q, seg)
        if isinstance(q, Term):
            if is_text_field(q.fieldname):
                return self._eval(QueryWord(term_text(q.text), (q.fieldname,), q.boost), seg)
            return self._keyword(q, seg), AskedWords()
        if isinstance(q, GapPhrase) and is_text_field(q.fieldname):
            return self._phrase(QueryPhrase((q,), q.boost), seg)
        if isinstance(q, MultiTerm) and is_text_field(q.fieldname):
            return self._expansion(QueryExpansion((q,), q.boost), seg)
        if isinstance(q, Or):
            if getattr(q, "minmatch", 0):
                raise UnsupportedQueryShape("minmatch")
            evaluated = [self._eval(sub, seg) for sub in group_words(q.subqueries)]
            part = union([p for p, _ in evaluated])
            asked = sum((u for _, u in evaluated), AskedWords())
            if getattr(q, "scale", None) and len(part.ids):
                part.scores = part.scores * self._coordination(part.held_idf, asked)
            if q.boost != 1.0:
                part.scores = part.scores * q.boost
            return part, asked
        if isinstance(q, And):
            evaluated = [self._eval(sub, seg) for sub in group_words(q.subqueries)]
            part = intersection([p for p, _ in evaluated])
            if q.boost != 1.0:
                part.scores = part.scores * q.boost
            return part, sum((u for _, u in evaluated), AskedWords())
        if isinstance(q, AndNot):
            a, ua = self._eval(q.a, seg)
            b, _ = self._eval(q.b, seg)
            keep = ~np.isin(a.ids, b.ids, assume_unique=True)
            return SegmentMatches(a.ids[keep], a.scores[keep], a.held_idf[keep]), ua
        if isinstance(q, AndMaybe):
            a, ua = self._eval(q.a, seg)
            b, ub = self._eval(q.b, seg)
            idx = np.searchsorted(b.ids, a.ids)
            idx[idx >= len(b.ids)] = 0
            present = (b.ids[idx] == a.ids) if len(b.ids) else np.zeros(len(a.ids), dtype=bool)
            scores = a.scores + np.where(present, b.scores[idx] if len(b.ids) else 0.0, 0.0)
            held = a.held_idf + np.where(present, b.held_idf[idx] if len(b.ids) else 0.0, 0.0)
            return SegmentMatches(a.ids, scores, held), ua + ub
        if isinstance(q, Every) and not q.fieldname:
            ids = np.arange(seg.size, dtype=np.int64)
            return SegmentMatches(ids, np.full(seg.size, 1.0 * q.boost), np.zeros(seg.size)), AskedWords()
        if isinstance(q, Every) and is_text_field(q.fieldname):
            # ``oil *``: every article with words in the field (Whoosh's
            # matcher walks every term's postings to find them: 17 s on
            # Reuters 2006-07; the field's lengths say it at once)
            ids = np.nonzero(seg.field_lengths(q.fieldname))[0].astype(np.int64)
            return SegmentMatches(ids, np.full(len(ids), 1.0 * q.boost), np.zeros(len(ids))), AskedWords()
        if is_null(q):
            return SegmentMatches.empty(), AskedWords()
        if isinstance(q, NumericRange) and q.fieldname == "published":
            return self._date_range(q, seg), AskedWords()
        if isinstance(q, NumericRange) and q.fieldname == "seq":
            return self._column_range(q, seg.numeric_column("seq")), AskedWords()
        raise UnsupportedQueryShape(type(q).__name__)

    def _coordination(self, held_idf: np.ndarray, asked: AskedWords) -> np.ndarray | float:
        """``(idf held / idf asked) ** (gamma / words asked)`` per document."""
        return coordination(self.model, held_idf, asked.words, asked.idf)

    def _keyword(self, q: Term, seg: Segment) -> SegmentMatches:
        """An exact-field clause inside the query: it matches, it does not score."""
        if not seg.has(q.fieldname, q.text):
            return SegmentMatches.empty()
        ids, _weights = self.postings.get(seg, q.fieldname, q.text)
        return SegmentMatches(ids, np.zeros(len(ids)), np.zeros(len(ids)))

    def _phrase(self, q: QueryPhrase, seg: Segment) -> tuple[SegmentMatches, AskedWords]:
        """A phrase: the documents where it stands in any of its fields,
        scored by its words (each as a query word in those fields); it asks
        for its words, provided each exists (else it matches nothing)."""
        fields, words = q.fields, q.words
        idfs = [self._word_idf(fields, w) for w in words]
        asked = AskedWords(float(len(words)), sum(idfs)) if all(idfs) else AskedWords()
        matched: list[np.ndarray] = [phrase_docs(self.postings, p, seg) for p in q.phrases]
        ids = np.unique(np.concatenate(matched)) if matched else _EMPTY_I
        if not len(ids):
            return SegmentMatches.empty(), asked
        scores = np.zeros(len(ids))
        for w in words:
            part = self._word(seg, fields, w)
            scores += part.scores[np.searchsorted(part.ids, ids)]
        if q.boost != 1.0:
            scores = scores * q.boost
        return SegmentMatches(ids, scores, np.full(len(ids), asked.idf)), asked

    def _expansion(self, q: QueryExpansion, seg: Segment) -> tuple[SegmentMatches, AskedWords]:
        """A prefix or wildcard: one query word, whose expansions (in any of
        its fields) are scored as words and summed; its idf is their mean."""
        fields = q.fields
        texts = sorted({term_text(t) for sub in q.queries for _f, t in seg.expand(sub)})
        everywhere = sorted({term_text(t) for sub in q.queries for _f, t in self.stats.expand(sub)})
        idfs = [self._word_idf(fields, t) for t in everywhere]
        asked = AskedWords(1.0, sum(idfs) / len(idfs)) if idfs and any(idfs) else AskedWords()
        scored = []
        for i, text in enumerate(texts, start=1):
            if not i % 64:
                check_budget()
            scored.append(self._word(seg, fields, text))
        part = union(scored)
        part.held_idf = np.full(len(part.ids), asked.idf)
        if q.boost != 1.0:
            part.scores = part.scores * q.boost
        return part, asked

    def _date_range(self, q: NumericRange, seg: Segment) -> SegmentMatches:
        return self._column_range(q, seg.numeric_column("published"), seg.numeric_column("undated") == 0)

    @staticmethod
    def _column_range(q: NumericRange, values: np.ndarray, mask: np.ndarray | None = None) -> SegmentMatches:
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
        return SegmentMatches(ids, np.full(len(ids), 1.0 * q.boost), np.zeros(len(ids)))

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
        except UnsupportedQueryShape:
            return None
        return recorder.asked

    def matches(self, q: Query, restrict: Query | None) -> ScoredDocs | None:
        """Doc numbers and scores of every live match, or None when the
        query has a part this module does not evaluate."""
        all_ids: list[np.ndarray] = []
        all_scores: list[np.ndarray] = []
        floor = added_after(restrict)
        try:
            for seg in self.segments:
                if floor is not None and seg.newest() <= floor:
                    continue  # nothing in it was added after that seq
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
        except UnsupportedQueryShape:
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
        found: ScoredDocs | None = None,
    ) -> Ranked | None:
        """Total and one page of (docnum, score), or None when unsupported.

        ``sort="recency"`` ranks by relevance times ``recency``'s age decay;
        the scores returned are then the blended ones. Ties (scores equal to
        about 1e-9, equal dates) go to the smaller article id.
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
            order = top_k(scores, ids, want, self.article_order)
        else:
            order = self.by_date(ids, want, newest_first=sort == "date")
        page = order[offset:want]
        return Ranked(total, [(int(ids[i]), float(scores[i])) for i in page])

    def column(self, ids: np.ndarray, name: str) -> np.ndarray:
        """A numeric column's values for doc numbers."""
        return read_column(self.segments, ids, name)

    def recency_factors(self, ids: np.ndarray, recency: Recency) -> np.ndarray:
        """``floor + (1 - floor) * 0.5 ** (age / half_life)`` per document;
        undated articles get the floor, articles from the future 1."""
        return recency_factors(self.column(ids, "published"), self.column(ids, "undated"), recency)

    def by_date(self, ids: np.ndarray, k: int, newest_first: bool) -> np.ndarray:
        """Indices of the first ``k`` of ``ids`` by publication time (newest
        or oldest first), undated articles last, ties by article id."""
        key = self.column(ids, "published").astype(np.float64)
        return first_k([self.column(ids, "undated"), -key if newest_first else key], ids, k, self.article_order)

    # --- explaining a score ------------------------------------------
    def explain(self, q: Query, docnum: int) -> tuple[list[ScorePart], Coordination]:
        """What each query word contributed to one document's score, and the
        coordination factor of the query's top-level word group."""
        seg = next(s for s in self.segments if s.offset <= docnum < s.offset + s.size)
        local = docnum - seg.offset
        parts: list[ScorePart] = []
        for node in scoring_words(q):
            for fields, text, boost in self._words_of(node, seg, local):
                part = self._word(seg, fields, text, boost)
                i = int(np.searchsorted(part.ids, local))
                if i < len(part.ids) and part.ids[i] == local:
                    parts.append(self._score_part(seg, local, fields, text, float(part.scores[i])))
        return parts, self._explain_coordination(q, seg, local)

    def _words_of(self, node: QueryNode, seg: Segment, local: int) -> list[tuple[tuple[str, ...], str, float]]:
        """The words a word group scores in one document: a phrase's only
        where the phrase stands, a prefix's expansions."""
        if isinstance(node, QueryWord):
            return [(node.fields, node.text, node.boost)]
        if isinstance(node, QueryPhrase):
            matched = np.unique(np.concatenate([phrase_docs(self.postings, p, seg) for p in node.phrases]))
            i = int(np.searchsorted(matched, local))
            if i < len(matched) and matched[i] == local:
                return [(node.fields, w, node.boost) for w in node.words]
            return []
        texts = sorted({term_text(t) for sub in node.queries for _f, t in seg.expand(sub)})
        return [(node.fields, t, node.boost) for t in texts]

    def _score_part(self, seg: Segment, local: int, fields: tuple[str, ...], text: str, score: float) -> ScorePart:
        matches = []
        combined = 0.0
        for f in fields:
            if not seg.has(f, text):
                continue
            ids, weights = self.postings.get(seg, f, text)
            i = int(np.searchsorted(ids, local))
            if i >= len(ids) or ids[i] != local:
                continue
            tf = float(weights[i]) / self.snapshot.field_boost(f)
            length = float(seg.field_lengths(f)[local])
            avg, b, w = self._avg_length(f), self.model.field_b(f), self.model.field_weight(f)
            combined += normalised_tf(self.model, f, tf, length, avg)
            matches.append(FieldMatch(field=f, frequency=tf, weight=w, length=length, average_length=avg, b=b))
        return ScorePart(term=text, idf=self._word_idf(fields, text), tf=combined, score=score, fields=tuple(matches))

    def _explain_coordination(self, q: QueryNode, seg: Segment, local: int) -> Coordination:
        if not isinstance(q, Or) or not getattr(q, "scale", None):
            return Coordination(1.0, 0.0, 0.0, 0)
        held = 0.0
        asked = AskedWords()
        for sub in group_words(q.subqueries):
            part, sub_asked = self._eval(sub, seg)
            asked = asked + sub_asked
            i = int(np.searchsorted(part.ids, local))
            if i < len(part.ids) and part.ids[i] == local:
                held += float(part.held_idf[i])
        factor = self._coordination(np.array([held]), asked)
        value = float(factor[0]) if isinstance(factor, np.ndarray) else float(factor)
        return Coordination(value, held, asked.idf, int(asked.words))
