"""Which story each article is a copy of, decided as articles are indexed.

Every article gets a story label: the label of the most similar article
already indexed (or added earlier in the same run) that is a copy of the
same story (:func:`same_story`), else a label of its own, made from its id.

Two articles are copies of one story when their signatures say they share
at least :data:`~newssearch.signature.SAME_STORY` of their 5-word
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
signature's band keys, looked up in the index's ``bands`` field, so the
copies of a new article are found wherever they are (any segment, any run,
and, looked up in each, any shard). A label is only a name: when the
article it was made from is deleted or changes, its copies keep it, and
search collapses whatever copies are still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .engine.reading import Snapshot
from .signature import SAME_STORY, Signature, signature

__all__ = ["REPUBLISHED", "SAME_STORY_WITHIN", "StoryGrouper", "same_story", "story_label"]

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
        import zlib

        return zlib.crc32(article_id.encode("utf-8"))


@dataclass
class _Known:
    article_id: str
    signature: Signature
    published: datetime | None
    story: int


class StoryGrouper:
    """Assigns story labels for one indexing run.

    ``existing`` is the index as the run found it (None when empty): its
    articles are looked up by band key; articles added in this run are
    remembered here.
    """

    def __init__(self, existing: Snapshot | None) -> None:
        self._existing = existing
        self._by_band: dict[str, list[_Known]] = {}

    def assign(self, article_id: str, title: str, body: str, published: datetime | None) -> tuple[int, Signature]:
        """The story label of an article being added, and its signature."""
        sig = signature(title, body)
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
        for band in bands:
            self._by_band.setdefault(band, []).append(known)
        return story, sig

    def _candidates(self, bands: list[str]) -> list[_Known]:
        out: dict[str, _Known] = {}
        for band in bands:
            for known in self._by_band.get(band, ())[:_PER_BAND]:
                out.setdefault(known.article_id, known)
        if self._existing is not None:
            for article_id, values, published, story in self._existing.story_candidates(bands, _PER_BAND):
                if article_id not in out:
                    out[article_id] = _Known(article_id, Signature(values), published, story)
        return list(out.values())
