"""Exact counts from posting lists must equal Whoosh's own matching."""

from __future__ import annotations

import pytest

from newssearch.search.totals import count_matches, matching_docs

from tests.helpers import QUERIES, parse_for


@pytest.mark.parametrize("text", QUERIES)
def test_counts_equal_whooshs_matching(messy_index, text):
    snapshot, q, own = parse_for(messy_index, text)  # a top-level date clause is a filter
    expected = snapshot.docs_for_query(q)
    assert matching_docs(snapshot, q) == expected
    if own is not None:
        expected &= snapshot.docs_for_query(own)
        assert matching_docs(snapshot, q, own) == expected
    assert messy_index.search(text, all_copies=True).total == len(expected)
    # under filters that keep some of the matches and drop others
    for options in ({"since": "2022-01-01"}, {"section": "business"}, {"section": ["world", "business"], "until": "2021-12-31"}):
        _, _, restrict = parse_for(messy_index, text, **options)
        allowed = snapshot.docs_for_query(restrict)
        assert 0 < len(allowed) < snapshot.doc_count() or own is not None
        assert count_matches(snapshot, q, restrict) == len(expected & allowed)
        assert messy_index.search(text, all_copies=True, **options).total == len(expected & allowed)


def test_counts_with_filters(filled_index):
    snapshot, q, restrict = parse_for(filled_index, "minsk OR grain OR museum", source="Example Times")
    expected = snapshot.docs_for_query(q) & snapshot.docs_for_query(restrict)
    assert count_matches(snapshot, q, restrict) == len(expected) == 2
