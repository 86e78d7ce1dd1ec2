"""The ranking metrics of bench/trec.py, checked against values worked out by
hand (the numbers trec_eval gives for the same lists), and the TREC readers.
Pure arithmetic: no index, no peers, no shared data."""

from __future__ import annotations

import math

import pytest

from bench import trec

REL = {"d1": 1, "d3": 1, "d6": 1}  # three relevant documents
RUN = ["d1", "d2", "d3", "d4", "d5"]  # finds d1 at 1 and d3 at 3, misses d6


def test_average_precision_counts_missed_documents_as_zero():
    # (1/1 + 2/3 + 0) / 3
    assert trec.average_precision(RUN, REL) == pytest.approx((1 + 2 / 3) / 3)
    assert trec.average_precision(["d1", "d3", "d6"], REL) == 1.0
    assert trec.average_precision([], REL) == 0.0
    assert trec.average_precision(["x"], {}) == 0.0


def test_average_precision_ignores_a_repeated_document():
    assert trec.average_precision(["d1", "d1", "d3"], {"d1": 1, "d3": 1}) == pytest.approx((1 + 2 / 3) / 2)


def test_precision_and_recall_at_k():
    assert trec.precision_at(RUN, REL, 10) == pytest.approx(2 / 10)  # a short list is not padded
    assert trec.precision_at(RUN, REL, 1) == 1.0
    assert trec.precision_at(RUN, REL, 2) == 0.5
    assert trec.recall_at(RUN, REL, 100) == pytest.approx(2 / 3)
    assert trec.recall_at(RUN, REL, 2) == pytest.approx(1 / 3)


def test_ndcg_binary_and_graded():
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert trec.ndcg_at(RUN, REL, 10) == pytest.approx(dcg / ideal)
    assert trec.ndcg_at(["d1", "d3", "d6"], REL, 10) == pytest.approx(1.0)
    graded = {"a": 2, "b": 1}
    assert trec.ndcg_at(["b", "a"], graded, 10) == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))
    # the cut-off applies to the ideal list too
    assert trec.ndcg_at(["d1"], REL, 1) == 1.0


def test_evaluate_means_over_judged_topics_and_keeps_empty_runs():
    qrels = {"1": {"a": 1}, "2": {"b": 1}, "3": {"c": 0}}  # topic 3 has nothing relevant: left out
    run = {"1": ["a"], "3": ["c"]}  # topic 2 retrieved nothing: scores 0
    out = trec.evaluate(run, qrels)
    assert out["queries"] == 2
    assert out["MAP"] == pytest.approx(0.5)
    assert out["nDCG@10"] == pytest.approx(0.5)
    assert out["P@10"] == pytest.approx(0.05)
    assert out["R@100"] == pytest.approx(0.5)
    assert trec.evaluate(run, qrels, ["1"])["MAP"] == 1.0


def test_split_halves_is_fixed_by_topic_number():
    tune, held = trec.split_halves([str(n) for n in range(1, 84)])
    assert len(tune) == 42 and len(held) == 41
    assert tune[:3] == ["1", "3", "5"] and held[:3] == ["2", "4", "6"]
    assert not set(tune) & set(held)


def test_trec_readers_and_run_writer(tmp_path):
    topics = tmp_path / "topics"
    topics.write_text(
        "<top>\n<num> Number: 301\n<title> International Organized Crime\n\n<desc> Description:\nIdentify ...\n</top>\n"
        "<top>\n<num> Number: 302 <title> Poliomyelitis and Post-Polio\n<desc> Is the disease ...\n</top>\n"
    )
    assert trec.read_topics(topics) == {"301": "International Organized Crime", "302": "Poliomyelitis and Post-Polio"}
    assert trec.read_topics(topics, "desc")["302"] == "Is the disease ..."
    qrels = tmp_path / "qrels"
    qrels.write_text("301 0 FBIS3-10082 1\n301 0 FBIS3-10169 0\n302 0 LA010189-0001 2\n")
    assert trec.read_qrels(qrels) == {"301": {"FBIS3-10082": 1, "FBIS3-10169": 0}, "302": {"LA010189-0001": 2}}
    out = tmp_path / "run"
    trec.write_run(out, {"302": ["x"], "301": ["a", "b"]}, "tag")
    assert out.read_text().splitlines() == ["301 Q0 a 1 -1 tag", "301 Q0 b 2 -2 tag", "302 Q0 x 1 -1 tag"]


def test_time_judgment_positions_skip_the_two_missing_documents():
    texts = [f"T{i}" for i in range(1, 424)]
    assert trec.time_docid(1, texts) == "T1"
    assert trec.time_docid(370, texts) == "T370"
    assert trec.time_docid(378, texts) == "T376"
    assert trec.time_docid(425, texts) == "T423"
    with pytest.raises(ValueError):
        trec.time_docid(371, texts)


# --- bench/languages.py --topics: the queries' rule ----------------------------


def _topic_records() -> list[dict[str, str]]:
    """Made-up Czech headlines: a topic whose tune-half headlines say "plyn",
    and whose held-out ones say only "zemní" (which must never be asked)."""
    from bench import languages

    out = []
    for i in range(80):
        rid = f"bsnlp-x-cs-{i}"
        topic = "gas" if i % 2 else "strike"
        if topic == "gas":
            title = "zemní potrubí dnes" if languages.held_out(rid) else "plyn potrubí dnes"
        else:
            title = "stávka dnes letiště"
        out.append({"id": rid, "lang": "cs", "collection": "bsnlp", "topic": topic, "title": title})
    return out


def test_topic_queries_come_from_the_tune_half_and_tell_the_topic_apart():
    from bench import languages

    records = _topic_records()
    queries = languages.topic_queries(records)
    gas = [q for lang, q, topic in queries if topic == "gas"]
    assert gas[:2] == ["plyn", "potrubí"]  # in every gas headline of the tune half, in no other
    assert "zemní" not in gas  # a held-out headline's word is never a query
    assert "dnes" not in [q for _l, q, _t in queries][:2]  # a word of every topic tells none apart
    assert all(lang == "cs" for lang, _q, _t in queries)

