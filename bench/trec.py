"""TREC-style test collections and the ranking metrics computed on them.

One small module shared by ``bench/relevance.py`` (the report) and
``tests/test_relevance_floor.py`` (the CI floor), so both compute the same
numbers with the same code. It knows nothing about search engines.

* Topics: ``{qid: query text}``. :func:`read_topics` reads TREC ``<top>``
  files (the ``<title>`` field, or another one); :func:`load_time` reads the
  SMART-format TIME collection (``*FIND n``).
* Qrels: ``{qid: {docid: grade}}``, grade > 0 is relevant. :func:`read_qrels`
  reads the TREC four-column format (``qid iteration docid grade``).
* Runs: ``{qid: [docid, ...]}`` best first; :func:`write_run` writes the
  TREC six-column format, so a run can be checked with ``trec_eval``.
* Metrics follow trec_eval's definitions: AP over the whole ranked list
  (relevant documents never retrieved count as precision 0), P@k and
  recall@k with a cut-off, nDCG@k with linear gains and a log2 discount
  against the ideal ordering of the judged documents. Means are taken over
  the topics that have at least one relevant document (a topic the engine
  returns nothing for scores 0, it is not dropped).

The TIME collection's judgments are NOT ``*TEXT`` numbers but 1-based
positions in the original 425-document file, of which this copy lacks two
(between positions 371 and 377, where nothing is judged): judgment ``r`` is
record ``r`` for ``r <= 370`` and record ``r - 2`` for ``r >= 378``
(``../shared/data/time/SOURCE.md``). :func:`load_time` applies that mapping
and names documents by their ``*TEXT`` number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

__all__ = [
    "METRICS",
    "Collection",
    "Doc",
    "average_precision",
    "evaluate",
    "load_time",
    "mean",
    "ndcg_at",
    "precision_at",
    "read_qrels",
    "read_topics",
    "recall_at",
    "split_halves",
    "time_docid",
    "write_run",
]

Qrels = Mapping[str, Mapping[str, int]]

#: The metrics reported, in table order.
METRICS = ("MAP", "nDCG@10", "P@10", "R@100")


# --- metrics -------------------------------------------------------------


def average_precision(ranked: Sequence[str], relevant: Mapping[str, int] | set[str]) -> float:
    """Mean of the precision at the rank of each relevant document; a
    relevant document not retrieved contributes 0."""
    rel = {d for d in relevant if _grade(relevant, d) > 0}
    if not rel:
        return 0.0
    found = 0
    total = 0.0
    seen: set[str] = set()
    for k, doc in enumerate(ranked, 1):
        if doc in rel and doc not in seen:
            found += 1
            total += found / k
        seen.add(doc)
    return total / len(rel)


def precision_at(ranked: Sequence[str], relevant: Mapping[str, int] | set[str], k: int) -> float:
    """Relevant documents in the first ``k`` over ``k`` (a short list is not
    padded: missing ranks count as non-relevant, as in trec_eval)."""
    return sum(1 for d in ranked[:k] if _grade(relevant, d) > 0) / k


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int] | set[str], k: int) -> float:
    """Share of the relevant documents found in the first ``k``."""
    rel = {d for d in relevant if _grade(relevant, d) > 0}
    if not rel:
        return 0.0
    return len(rel & set(ranked[:k])) / len(rel)


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int] | set[str], k: int) -> float:
    """nDCG@k: gain = grade (1 for a binary judgment), discount
    1/log2(rank + 1), normalised by the ideal ordering of the judgments."""
    gains = sorted((_grade(relevant, d) for d in relevant if _grade(relevant, d) > 0), reverse=True)
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    if ideal == 0:
        return 0.0
    dcg = sum(_grade(relevant, d) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    return dcg / ideal


def _grade(relevant: Mapping[str, int] | set[str], doc: str) -> int:
    if isinstance(relevant, Mapping):
        return int(relevant.get(doc, 0))
    return 1 if doc in relevant else 0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def evaluate(run: Mapping[str, Sequence[str]], qrels: Qrels, qids: Iterable[str] | None = None) -> dict[str, float]:
    """Mean MAP, nDCG@10, P@10 and R@100 of ``run`` over ``qids`` (by
    default every topic with a relevant document in ``qrels``)."""
    chosen = [q for q in (qids if qids is not None else qrels) if any(g > 0 for g in qrels.get(q, {}).values())]
    per_query = {
        q: {
            "MAP": average_precision(run.get(q, ()), qrels[q]),
            "nDCG@10": ndcg_at(run.get(q, ()), qrels[q], 10),
            "P@10": precision_at(run.get(q, ()), qrels[q], 10),
            "R@100": recall_at(run.get(q, ()), qrels[q], 100),
        }
        for q in chosen
    }
    out = {m: mean(v[m] for v in per_query.values()) for m in METRICS}
    out["queries"] = float(len(chosen))
    return out


def split_halves(qids: Iterable[str]) -> tuple[list[str], list[str]]:
    """The fixed tune / held-out split: odd-numbered topics tune, even-numbered
    ones are held out (TIME: 42 tune, 41 held out). By number, not by a
    random draw, so the halves never change and anyone can tell which is which."""
    ordered = sorted(qids, key=_qid_key)
    tune = [q for q in ordered if _qid_number(q) % 2 == 1]
    held = [q for q in ordered if _qid_number(q) % 2 == 0]
    return tune, held


def _qid_number(qid: str) -> int:
    digits = re.sub(r"\D", "", qid)
    return int(digits) if digits else sum(map(ord, qid))


def _qid_key(qid: str) -> tuple[int, str]:
    return (_qid_number(qid), qid)


# --- TREC files -------------------------------------------------------------


def read_topics(path: str | Path, field: str = "title") -> dict[str, str]:
    """Read a TREC topics file (``<top><num> Number: 301 <title> ... </top>``);
    return ``{qid: text of the chosen field}`` with whitespace collapsed."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    topics: dict[str, str] = {}
    for block in re.findall(r"<top>(.*?)</top>", text, flags=re.S | re.I):
        num = re.search(r"<num>\s*(?:Number:)?\s*(\S+)", block, flags=re.I)
        # a field runs to the next tag (TREC topics rarely close their tags)
        body = re.search(rf"<{field}>\s*(?:Topic:)?(.*?)(?=<[a-z/]|\Z)", block, flags=re.S | re.I)
        if num and body:
            topics[num.group(1)] = " ".join(body.group(1).split())
    return topics


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """Read TREC qrels (``qid iteration docid grade`` per line)."""
    qrels: dict[str, dict[str, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4:
            qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def write_run(path: str | Path, run: Mapping[str, Sequence[str]], tag: str) -> None:
    """Write a TREC run file (``qid Q0 docid rank score tag``; the score is
    minus the rank, so trec_eval keeps our order)."""
    with open(path, "w", encoding="utf-8") as out:
        for qid in sorted(run, key=_qid_key):
            for rank, doc in enumerate(run[qid], 1):
                out.write(f"{qid} Q0 {doc} {rank} {-rank} {tag}\n")


# --- the TIME collection ----------------------------------------------------


@dataclass(frozen=True)
class Doc:
    docid: str
    text: str


@dataclass
class Collection:
    name: str
    docs: list[Doc]
    topics: dict[str, str]
    qrels: dict[str, dict[str, int]]
    notes: list[str] = field(default_factory=list)


def time_docid(position: int, texts: Sequence[str]) -> str:
    """The ``*TEXT`` number of the document a TIME judgment names by its
    1-based position in the original 425-document file."""
    if 371 <= position <= 377:
        raise ValueError(f"TIME judgment {position} names one of the two documents this copy lacks")
    index = position if position <= 370 else position - 2
    return texts[index - 1]


def load_time(base: str | Path) -> Collection:
    """The TIME collection in ``base``: 423 documents (id = ``*TEXT`` number),
    83 topics (id = ``*FIND`` number, text with whitespace collapsed and
    ``*STOP`` removed, case kept) and the judgments of TIME.REL.ALL."""
    base = Path(base)
    records = re.split(r"^\*TEXT ", (base / "TIME.ALL").read_text(encoding="latin-1"), flags=re.M)[1:]
    docs = []
    for record in records:
        head, _, body = record.partition("\n")
        docs.append(Doc(docid=head.split()[0], text=" ".join(body.replace("*STOP", " ").split())))
    numbers = [d.docid for d in docs]
    topics: dict[str, str] = {}
    for chunk in re.split(r"^\*FIND\s+", (base / "TIME.QUE").read_text(encoding="latin-1"), flags=re.M)[1:]:
        num, _, text = chunk.partition("\n")
        topics[str(int(num))] = " ".join(text.replace("*STOP", " ").split())
    qrels: dict[str, dict[str, int]] = {}
    for line in (base / "TIME.REL.ALL").read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if parts:
            qrels[str(int(parts[0]))] = {time_docid(int(r), numbers): 1 for r in parts[1:]}
    return Collection(name="TIME", docs=docs, topics=topics, qrels=qrels)
