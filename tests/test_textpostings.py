"""A text field's postings grouped with numpy hold what the per-token loop made.

:class:`newssearch.engine.textpostings.TextPostings` replaces a Python loop
over every token; here its postings are compared, term by term, with the
ones built the plain way from :func:`newssearch.analysis.positions_by_term`
(the fused analysis that ``tests/test_analysis.py`` pins against Whoosh's
analyzer): the same terms in byte order, docnums, weights, encoded values,
and, for one-position postings, the very cached objects, since pickle
writes a repeated object in a block as a back-reference.
"""

from __future__ import annotations

import pickle
from typing import Any

from newssearch.analysis import positions_by_term
from newssearch.engine.textpostings import (
    TermIds,
    TextPostings,
    encode_positions,
    one_position,
)

TEXTS = [
    "The U.S. oil prices rose; oil traders said the rise in oil was the first.",
    "",
    "the and of",  # stop words only: no posting
    "Shares fell. Shares of AT&T fell again, it's said, as shares often fall.",
    "Zürich's banks: Zurich bank BANKS banking " + "word " * 5000 + "tail",  # positions past the cache
    "oil",
]


def _plain(docs: list[tuple[int, str, float]]) -> dict[bytes, tuple[list[int], list[float], list[bytes]]]:
    out: dict[bytes, tuple[list[int], list[float], list[bytes]]] = {}
    for docnum, text, boost in docs:
        for term, poslist in positions_by_term(text).items():
            ids, weights, values = out.setdefault(term.encode("utf-8"), ([], [], []))
            ids.append(docnum)
            weights.append(len(poslist) * boost)
            values.append(encode_positions(poslist))
    return dict(sorted(out.items()))


def _grouped(docs: list[tuple[int, str, float]]) -> tuple[TextPostings, list[tuple[int, int]]]:
    text = TextPostings(TermIds())
    counts = [text.add(docnum, value, boost) for docnum, value, boost in docs]
    return text, counts


def test_postings_grouped_with_arrays_are_the_ones_the_loop_built() -> None:
    docs = [(i * 2, t, 1.0 if i % 2 else 2.5) for i, t in enumerate(TEXTS)]
    text, counts = _grouped(docs)
    expected = _plain(docs)
    got = {btext: (ids, weights, values) for btext, ids, weights, values in text.terms()}
    assert list(got) == list(expected)  # byte order
    assert got == expected
    # the posting arrays file's part, grouped at once as add_term adds it term by term
    assert text.grouped is not None
    per_term, docnums, freqs, positions = (a.tolist() for a in text.grouped)
    assert per_term == [len(ids) for ids, _w, _v in expected.values()]
    assert docnums == [d for ids, _w, _v in expected.values() for d in ids]
    by_term = [positions_by_term(t) for _d, t, _b in docs]
    plain = [by_term[d // 2][term.decode()] for term, (ids, _w, _v) in expected.items() for d in ids]
    assert freqs == list(map(len, plain))
    assert positions == [p for poslist in plain for p in poslist]
    assert len(expected) > 15
    # (distinct terms, tokens that are not stop words) per document
    for (_d, value, _b), (postings, tokens) in zip(docs, counts):
        by_term = positions_by_term(value)
        assert (postings, tokens) == (len(by_term), sum(map(len, by_term.values())))


def test_one_position_values_are_the_cached_objects() -> None:
    text, _ = _grouped([(0, "alpha beta alpha gamma", 1.0), (1, "beta delta", 1.0)])
    for _btext, _ids, _weights, values in text.terms():
        for value in values:
            positions = pickle.loads(value[4:])
            if len(positions) == 1:
                assert value is one_position(positions[0])
    # what that identity means for a block: the repeated object is pickled once
    shared = one_position(3)
    assert pickle.dumps((shared, shared), 2) != pickle.dumps((shared, shared[:1] + shared[1:]), 2)


def test_an_empty_field_has_no_terms() -> None:
    text, counts = _grouped([(0, "", 1.0), (1, "the of and", 1.0)])
    assert counts == [(0, 0), (0, 0)]
    assert len(text) == 0
    assert list(text.terms()) == []


def test_words_that_stem_alike_share_one_term() -> None:
    ids = TermIds()
    got: list[Any] = ids.of_words(["Banks", "bank", "the", "banks", "oil"])
    assert got[0] == got[1] == got[3] and got[2] == -1 and got[4] not in (-1, got[0])
    assert [ids.terms[t] for t in (got[0], got[4])] == [b"bank", b"oil"]
