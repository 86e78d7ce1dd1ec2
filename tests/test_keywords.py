"""Facet counts from the keyword tables (search/keywords.py), against counting the articles themselves."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import newssearch as ns

SOURCES = ("Wire Daily", "Example Times", "Harbour Post")
AGENCIES = ((), ("Reuters",), ("AFP",), ("Reuters", "AFP"))


def _article(i: int) -> ns.Article:
    return ns.Article(
        title=f"Port report {i}",
        body=f"The port {'strike' if i % 3 else 'reopened'} story number {i}.",
        url=f"https://example.com/port/{i}",
        published=datetime(2024, 1 + i % 12, 1 + i % 27, tzinfo=timezone.utc),
        source=SOURCES[i % 3],
        agencies=AGENCIES[i % 4],
        section=("world", "business")[i % 2],
    )


def _expected(articles: list[ns.Article], word: str) -> dict[str, Counter[str]]:
    matched = [a for a in articles if word in a.body.lower()]
    return {
        "source": Counter(a.source for a in matched),
        "agencies": Counter(agency for a in matched for agency in a.agencies),
        "section": Counter(a.section for a in matched),
    }


def test_facets_over_several_segments_with_deletions_count_live_matches_only(tmp_index):
    articles = [_article(i) for i in range(60)]
    for start in range(0, 60, 20):  # three commits: three segments
        tmp_index.add(articles[start : start + 20])
    gone = [a.id for a in articles[::7]]
    tmp_index.delete(gone)
    live = [a for a in articles if a.id not in gone]
    assert len(tmp_index.session().snapshot.segments) > 1
    for word in ("strike", "reopened", "port"):
        for _ in range(2):  # the second time from the tables kept
            found = tmp_index.search(word, facets=["source", "agencies", "section"], all_copies=True, limit=1)
            assert found.total == sum(word in a.body.lower() for a in live)
            assert {name: dict(counts) for name, counts in found.facets.items()} == {
                name: dict(counts) for name, counts in _expected(live, word).items()
            }, word
            assert list(found.facets["source"].values()) == sorted(found.facets["source"].values(), reverse=True)
