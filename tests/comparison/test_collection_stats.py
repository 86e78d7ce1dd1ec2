"""The ranker's collection statistics are a seam a sharded index can use.

Two indexes each holding part of the articles, each ranked with statistics
summed over both, must score every article exactly as one index holding
all of them does: the property a fanned-out search over shards needs.
"""

from __future__ import annotations

import math

import newssearch as ns
from newssearch.search.ranker import Ranker

from tests.helpers import ARTICLES, many_articles, parse_for


class Summed:
    """Collection statistics over several snapshots, as one index would have them."""

    def __init__(self, snapshots):
        self.snapshots = snapshots
        self.n = sum(s.doc_count_all() for s in snapshots)

    def doc_count_all(self):
        return self.n

    def doc_frequency_any(self, fieldnames, text):
        return sum(s.doc_frequency_any(fieldnames, text) for s in self.snapshots)

    def avg_field_length(self, fieldname):
        return sum(s.avg_field_length(fieldname) * s.doc_count_all() for s in self.snapshots) / self.n

    def expand(self, q):
        return sorted({pair for s in self.snapshots for pair in s.expand(q)})


def test_shards_scored_with_summed_statistics_equal_one_index(tmp_path):
    articles = many_articles(70) + list(ARTICLES)
    whole = ns.create_index(tmp_path / "whole")
    whole.add(articles)
    shards = [ns.create_index(tmp_path / f"shard{i}") for i in range(2)]
    shards[0].add(articles[::2])
    shards[1].add(articles[1::2])
    stats = Summed([shard.session().snapshot for shard in shards])
    for text in ("minsk", "minsk agreement", "grain ports wheat", "story number7 OR number8", "gra*", "minsk -talks"):
        _, q, _ = parse_for(whole, text)
        expected = {h.article.id: h.score for h in whole.search(text, limit=100, snippets=False, all_copies=True)}
        got = {}
        for shard in shards:
            snapshot, q, restrict = parse_for(shard, text)
            ranked = Ranker(snapshot, stats=stats).run(q, restrict, limit=100)
            got.update({snapshot.article(d).id: score for d, score in ranked.page})
        assert got.keys() == expected.keys(), text
        for doc_id, score in expected.items():
            assert math.isclose(got[doc_id], score, rel_tol=1e-9), (text, doc_id)
        # and with each shard's own statistics they would not agree
        if text == "minsk agreement":
            snapshot, q, restrict = parse_for(shards[0], text)
            alone = {snapshot.article(d).id: s for d, s in Ranker(snapshot).run(q, restrict, limit=100).page}
            assert any(not math.isclose(s, expected[i], rel_tol=1e-6) for i, s in alone.items())
