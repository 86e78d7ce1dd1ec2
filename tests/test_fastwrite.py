"""The fast segment writer and merge write what Whoosh's own writer writes.

Floor tests for :mod:`newssearch.engine.fastwrite`: the same Reuters
articles go through Whoosh's ``SegmentWriter`` and through the fast writer
(and through worker processes that roll over to new segments, and through
the term-by-term merge), and everything Whoosh reads back must be equal:
every term with its statistics, every posting's docnum, weight and value
(positions), every stored field, column value and field length, and the
BM25F scores of searches.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.qparser import QueryParser
from whoosh.writing import NO_MERGE, SegmentWriter

import newssearch as ns
from newssearch.engine.fastwrite import FastSegmentWriter
from newssearch.engine.schema import build_schema, to_fields
from newssearch.engine.store import Store
from newssearch.engine.textpostings import encode_positions
from newssearch.engine.writing import merge_plan, merge_segments_of
from newssearch.write.signature import signature
from newssearch.write.stories import story_label
from tests.helpers import REUTERS, shared

QUERIES = ["oil prices", "bank", "shares fell", "minister said", "title:china", "\"interest rates\"", "market*"]


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    articles = list(itertools.islice(ns.read_path(shared(*REUTERS)), 600))
    out = []
    for a in articles:
        fields = to_fields(a)
        fields.update(story=story_label(a.id), minhash=signature(a.title, a.body).values)
        out.append(fields)
    return out


def _write(folder: Path, docs: list[dict[str, Any]], writer_class: Any, commits: int = 1, delete: tuple[int, ...] = ()) -> Any:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), build_schema())
    size = -(-len(docs) // commits)
    for start in range(0, len(docs), size):
        w = writer_class(ix, compound=False)
        for fields in docs[start : start + size]:
            w.add_document(**fields)
        w.commit(mergetype=NO_MERGE)
    if delete:
        w = writer_class(ix, compound=False)
        for docnum in delete:
            w.delete_document(docnum)
        w.commit(mergetype=NO_MERGE)
    return whoosh_index.open_dir(str(folder))


def contents(ix: Any) -> dict[str, Any]:
    """Everything a reader can tell about an index, docnums renumbered to
    count live documents only (so a merged index compares with one built
    without the deleted documents)."""
    schema = ix.schema
    with ix.reader() as r:
        live = [d for d in range(r.doc_count_all()) if not r.is_deleted(d)]
        renum = {d: i for i, d in enumerate(live)}
        terms = {}
        for fieldname, btext in r.all_terms():
            m = r.postings(fieldname, btext)
            postings = []
            while m.is_active():
                if m.id() in renum:
                    postings.append((renum[m.id()], m.weight(), m.value()))
                m.next()
            if not postings:
                continue
            ti = r.term_info(fieldname, btext)
            stats = (ti.max_weight(), ti.min_length(), ti.max_length()) if not r.has_deletions() else ()
            terms[(fieldname, btext)] = (r.doc_frequency(fieldname, btext) if not r.has_deletions() else len(postings), stats, postings)
        stored = [r.stored_fields(d) for d in live]
        columns = {}
        for name in schema.names():
            if schema[name].column_type and r.has_column(name):
                col = r.column_reader(name)
                columns[name] = [col[d] for d in live]
        lengths = {name: [r.doc_field_length(d, name) for d in live] for name in ("title", "body")}
        totals = {name: r.field_length(name) for name in ("title", "body")} if not r.has_deletions() else {}
    return {"terms": terms, "stored": stored, "columns": columns, "lengths": lengths, "totals": totals}


def scores(ix: Any) -> list[list[tuple[str, float]]]:
    out = []
    with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as s:
        for text in QUERIES:
            q = QueryParser("body", ix.schema).parse(text)
            out.append([(hit["id"], hit.score) for hit in s.search(q, limit=20)])
    return out


@pytest.mark.slow  # Reuters articles written twice
def test_the_fast_writer_writes_what_whoosh_writes(tmp_path, docs):
    whoosh_ix = _write(tmp_path / "whoosh", docs, SegmentWriter)
    fast_ix = _write(tmp_path / "fast", docs, FastSegmentWriter)
    expected, got = contents(whoosh_ix), contents(fast_ix)
    assert len(expected["terms"]) > 10_000
    assert got["terms"].keys() == expected["terms"].keys()
    for key, value in expected["terms"].items():
        assert got["terms"][key] == value, key
    for part in ("stored", "columns", "lengths", "totals"):
        assert got[part] == expected[part], part
    assert scores(fast_ix) == scores(whoosh_ix)
    assert all(hits for hits in scores(fast_ix)[:3])


def test_positions_are_encoded_as_whoosh_encodes_them():
    fmt = build_schema()["body"].format
    for poslist in ([0], [5], [4095], [4096], [70000], [1, 2, 3], [3, 300, 70000], list(range(0, 3000, 2))):
        assert encode_positions(poslist) == fmt.encode(poslist)
        assert fmt.decode_positions(encode_positions(poslist)) == poslist


def _merged(folder: Path, docs: list[dict[str, Any]], deleted: tuple[int, ...]) -> Any:
    ix = _write(folder, docs, FastSegmentWriter, commits=4, delete=deleted)
    assert len(ix._segments()) == 4
    assert merge_segments_of(Store(folder, ix), fanout=2) == 3
    ix = whoosh_index.open_dir(str(folder))
    assert len(ix._segments()) == 1
    assert ix.doc_count_all() == len(docs) - len(deleted)
    return ix


@pytest.mark.slow  # Reuters articles written and merged
def test_a_merge_writes_what_one_segment_of_the_same_articles_holds(tmp_path, docs):
    merged_ix = _merged(tmp_path / "parts", docs, ())
    whole_ix = _write(tmp_path / "whole", docs, SegmentWriter)
    assert contents(merged_ix) == contents(whole_ix)  # field totals exact, unlike Whoosh's own merge
    assert scores(merged_ix) == scores(whole_ix)


@pytest.mark.slow  # Reuters articles written and merged
def test_a_merge_leaves_deleted_articles_out(tmp_path, docs):
    deleted = (0, 7, 250, 251, 599)
    merged_ix = _merged(tmp_path / "parts", docs, deleted)
    kept = [fields for i, fields in enumerate(docs) if i not in deleted]
    whole_ix = _write(tmp_path / "whole", kept, SegmentWriter)
    expected, got = contents(whole_ix), contents(merged_ix)
    # the deleted articles' lengths are known to the byte only, so the
    # merged field totals are off by at most that rounding
    for name, total in expected.pop("totals").items():
        assert abs(got["totals"][name] - total) <= 0.05 * total / len(kept) * len(deleted) + len(deleted)
    del got["totals"]
    assert got == expected
    assert [[hit for hit, _ in hits] for hits in scores(merged_ix)][:3] == [[hit for hit, _ in hits] for hits in scores(whole_ix)][:3]


@pytest.mark.slow  # 1500 Reuters articles by worker processes
def test_worker_processes_start_new_segments_and_lose_nothing(tmp_path, docs, monkeypatch):
    articles = list(itertools.islice(ns.read_path(shared(*REUTERS)), 1500))
    ix = ns.create_index(tmp_path / "ix")
    # a tiny memory share and small jobs: each worker rolls over to a new
    # segment after every job of 32 articles
    monkeypatch.setattr(ns.ArticleWriter, "PARALLEL_BATCH", 32)
    with ix.writer(procs=2, limitmb=2) as w:
        w.add_many(articles)
    assert w.report.added == len(articles)
    raw = whoosh_index.open_dir(str(tmp_path / "ix"), indexname="newssearch")
    assert raw.doc_count_all() == len(articles)
    # the workers wrote dozens of segments, and
    # the tiered merge, a commit of its own, left fewer than ten
    assert raw.latest_generation() == 2
    assert 1 <= len(raw._segments()) < 10
    with raw.searcher() as s:
        assert sorted(fields["id"] for fields in s.all_stored_fields()) == sorted(a.id for a in articles)
    assert ix.search("oil", limit=5).total > 0


def test_the_merge_plan_keeps_few_segments_per_size():
    assert merge_plan([5_000] * 20, max_docs=50_000) == [list(range(10)), list(range(10, 20))]
    assert merge_plan([1000] * 9 + [50] * 9) == []
    assert merge_plan([100, 100, 5000, 0, 3]) == [[3]]  # an empty segment always goes
    # full segments are left alone, and no merge makes one past the cap
    assert merge_plan([60_000] * 20, max_docs=50_000) == []
    assert merge_plan([6_000] * 10, max_docs=50_000) == []
    groups = merge_plan([300] * 166, max_docs=50_000)
    assert len({i for g in groups for i in g}) == sum(len(g) for g in groups)  # each segment in one group
    left = 166 - sum(len(g) for g in groups) + len(groups)
    assert left <= 2 * 9  # at most fanout-1 per tier, two tiers
    assert max(len(g) for g in groups) == 100  # a merged tier merged again, each article written twice


def _arrays_agree_with_whoosh(folder: Path) -> int:
    """Every title and body term's postings and positions, read from the
    posting arrays and from Whoosh's blocks, are equal; returns terms checked."""
    import numpy as np

    from newssearch.engine.reading import Segment, _block_arrays, _unfiltered

    ix = whoosh_index.open_dir(str(folder))
    checked = 0
    with ix.searcher() as searcher:
        for sub, offset in searcher.leaf_searchers():
            seg = Segment(sub, offset)
            assert seg._posting_arrays("body") is not None
            reader = sub.reader()
            fmt = reader.schema["body"].format
            for fieldname in ("title", "body"):
                for btext in list(reader.lexicon(fieldname))[::7]:
                    ids, weights = seg.postings(fieldname, btext)
                    wids, wweights = _block_arrays(_unfiltered(reader.postings(fieldname, btext)))
                    assert np.array_equal(ids, wids) and np.array_equal(weights, wweights), btext
                    owners, positions = seg.positions_of(fieldname, btext, ids)
                    m = reader.postings(fieldname, btext)
                    expected = []
                    while m.is_active():
                        expected.append(fmt.decode_positions(m.value()))
                        m.next()
                    got: list[list[int]] = [[] for _ in ids]
                    for o, p in zip(owners.tolist(), positions.tolist()):
                        got[o].append(p)
                    assert got == expected, btext
                    checked += 1
    return checked


@pytest.mark.slow  # Reuters articles
def test_posting_arrays_hold_what_whoosh_blocks_hold(tmp_path, docs):
    _write(tmp_path / "fast", docs, FastSegmentWriter)
    assert _arrays_agree_with_whoosh(tmp_path / "fast") > 1500
    _merged(tmp_path / "parts", docs, (3, 100, 101))
    assert _arrays_agree_with_whoosh(tmp_path / "parts") > 1500


@pytest.mark.slow  # 800 Reuters articles
def test_phrases_match_the_same_articles_with_and_without_posting_arrays(tmp_path):
    articles = list(itertools.islice(ns.read_path(shared(*REUTERS)), 800))
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer(procs=1) as w:
        w.add_many(articles)
    phrases = ['"interest rates"', '"Bank of England"', '"said on Tuesday"', '"oil prices" opec', '"the company said"', 'title:"to buy"']
    with_arrays = [[h.article.id for h in ix.search(p, limit=50, all_copies=True)] for p in phrases]
    ix.close()
    # as an index written before posting arrays: Whoosh's blocks are read instead
    removed = [p for p in (tmp_path / "ix").iterdir() if p.suffix == ".nsp"]
    assert removed
    sums_path = tmp_path / "ix" / "newssearch.sums.json"
    sums = json.loads(sums_path.read_text())
    for p in removed:
        p.unlink()
        del sums["files"][p.name]
    sums_path.write_text(json.dumps(sums))
    ix = ns.open_index(tmp_path / "ix")
    without = [[h.article.id for h in ix.search(p, limit=50, all_copies=True)] for p in phrases]
    assert with_arrays == without
    assert sum(map(len, with_arrays)) > 30


@pytest.mark.slow  # Reuters articles written and merged
def test_whooshs_own_merge_through_the_fast_writer_loses_no_posting(tmp_path, docs):
    """Whoosh's merge policies hand segments to the writer's add_reader; the
    fast writer keeps no pool, so its add_postings_to_pool must take them
    (newssearch merges with merge_segments_of, but a Whoosh OPTIMIZE must
    not silently drop postings)."""
    from whoosh.writing import OPTIMIZE

    ix = _write(tmp_path / "parts", docs, FastSegmentWriter, commits=2)
    w = FastSegmentWriter(ix, compound=False)
    w.commit(mergetype=OPTIMIZE)
    merged = whoosh_index.open_dir(str(tmp_path / "parts"))
    assert len(merged._segments()) == 1
    whole = _write(tmp_path / "whole", docs, SegmentWriter)
    expected, got = contents(whole), contents(merged)
    del expected["totals"], got["totals"]  # Whoosh's merge sums rounded lengths (test_whoosh_behaviour)
    assert got == expected


def test_a_merge_that_fails_after_the_commit_leaves_the_run_committed(tmp_path, monkeypatch) -> None:
    """A full disk during the merge that follows a run's commit: the run is
    committed and says the merge failed; the index is sound, and the next
    run removes the merge's files and merges."""
    import newssearch as ns
    from newssearch.engine import fastwrite, writing

    ix = ns.create_index(tmp_path / "ix")
    for n in range(writing.MERGE_FANOUT - 1):  # one segment per run
        ix.add(ns.Article(title=f"Harbour report {n}", body=f"The harbour handled {n} ships this week, the port said."))
    real = fastwrite.merge_segments
    calls = []

    def full_disk(writer, segments):
        calls.append(len(segments))
        real(writer, segments)  # it writes its files, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing, "merge_segments", full_disk)
    report = ix.add(ns.Article(title="Harbour report last", body="The last report of the week from the port."))
    assert calls and report.committed and "No space left on device" in report.merge_problem
    assert len(ix) == writing.MERGE_FANOUT and ns.check_index(ix.path).ok
    assert ns.check_index(ix.path).leftover_bytes > 0
    assert ix.stats().segments == writing.MERGE_FANOUT
    monkeypatch.setattr(writing, "merge_segments", real)
    after = ix.add(ns.Article(title="Harbour report next", body="A new week at the port begins."))
    assert after.merge_problem is None and after.leftovers_removed > 0
    assert ix.stats().segments < writing.MERGE_FANOUT and len(ix) == writing.MERGE_FANOUT + 1
    ix.close()
