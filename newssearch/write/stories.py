"""Which story each article is a copy of, decided as articles are indexed.

Every article gets a story label: the label of the most similar article
already indexed (or added earlier in the same run) that is a copy of the
same story (:func:`same_story`), else a label of its own, made from its id.

Two articles are copies of one story when their signatures say they share
at least :data:`~newssearch.write.signature.SAME_STORY` of their 5-word
sequences and they were published within :data:`SAME_STORY_WITHIN` of each
other (one news cycle: the outlets' copies, the agency's "UPDATE 1..n");
further apart, or when either is undated, only a near-exact copy
(:data:`REPUBLISHED`) is. A story rewritten days later is a follow-up
(the next day's bid, this week's fact box), which collapsing must not hide
under last week's. On the 239 labelled pairs of ``bench/dedup.py`` no
different-story pair within 48 hours reached SAME_STORY, and every one
further apart that did was such a follow-up; 24 hours rather than the 48
the labels would allow because a follow-up two days later can keep a
quarter of the text (Univar's raised Chemcentral bid, 47.7 hours after the
rival bid, 0.22). Candidates are found by the
signature's band keys, looked up in sorted arrays made from the index's
``minhash`` column (a segment's in one go), so the copies of a new article
are found wherever they are (any segment, any run, and, looked up in each,
any shard). Band keys are not indexed as terms: 16 mostly unique terms per
article made the index half as big again (92 to 137 MiB on Reuters
2006-07) and cost a third of indexing time. A label is only a name: when the
article it was made from is deleted or changes, its copies keep it, and
search collapses whatever copies are still there.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from ..engine.reading import Segment, Snapshot
from .signature import BANDS, SAME_STORY, Signature, band_keys, signature

__all__ = ["REPUBLISHED", "SAME_STORY_WITHIN", "KnownStories", "StoryGrouper", "same_story", "story_label"]

#: Copies of one story are published within this time of each other.
SAME_STORY_WITHIN = timedelta(hours=24)
#: Further apart (or undated), the similarity of a republished copy.
REPUBLISHED = 0.9

#: Candidates taken from one band (a band shared by hundreds of articles is
#: boilerplate, not a story).
_PER_BAND = 50


def same_story(similarity: float, published: datetime | None, other: datetime | None) -> bool:
    """Whether two articles with this estimated similarity and these
    publication times are copies of one story."""
    if published is not None and other is not None and abs(published - other) <= SAME_STORY_WITHIN:
        return similarity >= SAME_STORY
    return similarity >= REPUBLISHED


def story_label(article_id: str) -> int:
    """The story label an article starts: its id (16 hex digits) as a number."""
    try:
        return int(article_id[:16], 16)
    except ValueError:
        return zlib.crc32(article_id.encode("utf-8"))


@dataclass
class _Known:
    article_id: str
    signature: Signature
    published: datetime | None
    story: int


class _SegmentBands:
    """The band keys of one segment's live articles, sorted for lookup:
    built from its ``minhash`` column in one go, the first time the run
    adds an article."""

    def __init__(self, segment: Segment) -> None:
        self.offset = segment.offset
        rows = segment.fixed_bytes_column("minhash").view(np.uint32)
        live = np.any(rows != np.iinfo(np.uint32).max, axis=1)  # articles without words have no bands
        if segment.deleted is not None:
            live &= ~segment.deleted
        docs = np.flatnonzero(live).astype(np.uint32)
        keys = band_keys(rows[docs]).ravel()
        order = np.argsort(keys, kind="stable")  # equal keys stay in document order
        self.keys = keys[order]
        self.docs = np.repeat(docs, BANDS)[order]

    def lookup(self, keys: np.ndarray, per_band: int) -> list[int]:
        """Snapshot document numbers sharing any of ``keys``, at most ``per_band`` per key."""
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.minimum(np.searchsorted(self.keys, keys, side="right"), lo + per_band)
        found: list[int] = []
        for a, b in zip(lo.tolist(), hi.tolist()):
            found.extend((self.docs[a:b].astype(np.int64) + self.offset).tolist())
        return found


class StoryGrouper:
    """Assigns story labels for one indexing run.

    ``existing`` is the index as the run found it (None when empty): its
    articles are looked up by band key in sorted arrays built from each
    segment's ``minhash`` column; articles added in this run are remembered
    here.
    """

    def __init__(self, existing: Snapshot | None) -> None:
        self._existing = existing
        self._bands_by_segment: list[_SegmentBands] | None = None
        self._by_band: dict[int, list[_Known]] = {}

    def assign(self, article_id: str, title: str, body: str, published: datetime | None) -> tuple[int, Signature]:
        """The story label of an article being added, and its signature."""
        sig = signature(title, body)
        return self.assign_signature(article_id, sig, published), sig

    def assign_signature(self, article_id: str, sig: Signature, published: datetime | None) -> int:
        """The story label of an article whose signature was computed
        elsewhere (on a cluster's worker, where it was read)."""
        bands = sig.bands()
        best: _Known | None = None
        best_similarity = 0.0
        for candidate in self._candidates(bands):
            if candidate.article_id == article_id:
                continue
            similarity = sig.similarity(candidate.signature)
            if similarity > best_similarity and same_story(similarity, published, candidate.published):
                best, best_similarity = candidate, similarity
        story = best.story if best is not None else story_label(article_id)
        known = _Known(article_id, sig, published, story)
        for band in bands.tolist():
            self._by_band.setdefault(band, []).append(known)
        return story

    def _candidates(self, bands: np.ndarray) -> list[_Known]:
        out: dict[str, _Known] = {}
        for band in bands.tolist():
            for known in self._by_band.get(band, ())[:_PER_BAND]:
                out.setdefault(known.article_id, known)
        if self._existing is not None and len(bands):
            if self._bands_by_segment is None:
                self._bands_by_segment = [_SegmentBands(seg) for seg in self._existing.segments]
            docnums: set[int] = set()
            for seg in self._bands_by_segment:
                docnums.update(seg.lookup(bands, _PER_BAND))
            if docnums:
                minhash = self._existing.column("minhash")
                story = self._existing.column("story")
                for docnum in sorted(docnums):
                    stored = self._existing.stored(docnum)
                    if stored["id"] not in out:
                        published = stored.get("published")
                        if published is not None and published.tzinfo is None:
                            published = published.replace(tzinfo=timezone.utc)
                        out[stored["id"]] = _Known(stored["id"], Signature(bytes(minhash[docnum])), published, int(story[docnum]))
        return list(out.values())


class KnownStories(StoryGrouper):
    """Story labels decided before the articles are written: a cluster's
    client groups every article's signature in one place (so copies are one
    story across shards), then each shard's writer takes the labels."""

    def __init__(self, labels: dict[str, tuple[int, bytes]]) -> None:
        super().__init__(None)
        self._labels = labels

    def assign(self, article_id: str, title: str, body: str, published: datetime | None) -> tuple[int, Signature]:
        """The label and signature given for ``article_id``."""
        label, values = self._labels[article_id]
        return label, Signature(values)
