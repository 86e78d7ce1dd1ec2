"""Copies of one story: the candidate pairs labelled by hand, and how the signature rule does on them.

Run by hand::

    python bench/dedup.py sample     # draws the candidate pairs into bench/queries/dedup-pairs.tsv (ids only)
    python bench/dedup.py show N     # prints pair N's titles, dates and openings, for labelling
    python bench/dedup.py evaluate   # precision and recall of newssearch.write.signature on the labels

Candidates come from Reuters 2006-07, drawn with a fixed seed from two
sources so that both kinds of error can show: pairs that share a MinHash
band (what the index compares), in five bands of true shingle similarity,
and pairs of articles published within three days whose headlines share
most of their words (rewritten versions of one story that the signatures
may miss). Each pair was labelled by reading both articles: 1 when they are
the same story (a copy, or a version with paragraphs added, cut or
rewritten), 0 when they are different stories (another day's market report,
another company's results in the same template). The file keeps ids and
labels only, never text.

``evaluate`` reports precision and recall of "estimated similarity >= t",
alone and with the time rule of :func:`newssearch.write.stories.same_story`
(within a window, else only a republished copy), on the odd-numbered pairs
(where the rule was chosen) and on the even-numbered ones (held out). The "band" pairs were drawn with
an earlier version of the signature's hashing and banding (4 values per
band), so they over-represent pairs that banding found; ``evaluate`` also
measures, over every pair in the collection (found exactly through an
inverted index of shingles), how many pairs at a true similarity of at
least 0.25 and 0.5 share a band, which no labelled sample can bias.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/dedup.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

from bench import knownitem  # noqa: E402

from newssearch.analysis import TOKEN_RE  # noqa: E402
from newssearch.write.signature import SAME_STORY, SHINGLE, signature  # noqa: E402
from newssearch.write.stories import REPUBLISHED, SAME_STORY_WITHIN  # noqa: E402

PAIRS = HERE / "queries" / "dedup-pairs.tsv"
SEED = 4
BINS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))
PER_BIN = 40
BY_TITLE = 60


def _shingles(title: str, body: str) -> set[str]:
    words = [w.lower() for w in TOKEN_RE.findall(body)]
    if len(words) < 4 * SHINGLE:
        words = [w.lower() for w in TOKEN_RE.findall(title)] + words
    return {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _title_words(title: str) -> set[str]:
    title = re.sub(r"^(?:UPDATE|REFILE|CORRECTED|WRAPUP)\s*\d*\s*-\s*", "", title, flags=re.I)
    return {w.lower() for w in TOKEN_RE.findall(title) if len(w) > 2}


def records(workdir: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in knownitem.load_records("reuters", workdir)}


def sample(workdir: Path) -> list[tuple[str, str, str, float]]:
    """The candidate pairs: (source, id_a, id_b, true shingle similarity)."""
    recs = records(workdir)
    ids = sorted(recs)
    shingles = {i: _shingles(recs[i]["title"], recs[i]["body"]) for i in ids}
    buckets: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        for band in signature(recs[i]["title"], recs[i]["body"]).bands().tolist():
            buckets[band].append(i)
    by_band: set[tuple[str, str]] = set()
    for members in buckets.values():
        if 1 < len(members) <= 50:
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    by_band.add((members[x], members[y]))
    rng = random.Random(SEED)
    chosen: list[tuple[str, str, str, float]] = []
    scored = sorted((jaccard(shingles[a], shingles[b]), a, b) for a, b in by_band)
    for lo, hi in BINS:
        inside = [(s, a, b) for s, a, b in scored if lo <= s < hi]
        for s, a, b in rng.sample(inside, min(PER_BIN, len(inside))):
            chosen.append(("band", a, b, s))
    # rewritten versions: close in time, most headline words shared
    dated = sorted((datetime.fromisoformat(recs[i]["published"]), i) for i in ids if recs[i].get("published"))
    words = {i: _title_words(recs[i]["title"]) for i in ids}
    by_title = []
    for n, (when, a) in enumerate(dated):
        for other_when, b in dated[n + 1 :]:
            if (other_when - when).days > 3:
                break
            wa, wb = words[a], words[b]
            if len(wa) >= 3 and len(wb) >= 3 and len(wa & wb) / len(wa | wb) >= 0.5:
                pair = (a, b) if a < b else (b, a)
                if pair not in by_band:
                    by_title.append(pair)
    for a, b in rng.sample(sorted(by_title), min(BY_TITLE, len(by_title))):
        chosen.append(("title", a, b, jaccard(shingles[a], shingles[b])))
    rng.shuffle(chosen)
    return chosen


def load_pairs() -> list[dict[str, Any]]:
    out = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("source\t"):
            continue
        source, a, b, sim, label = (line.split("\t") + [""])[:5]
        out.append({"source": source, "a": a, "b": b, "similarity": float(sim), "label": int(label) if label.strip() else None})
    return out


def evaluate(workdir: Path) -> str:
    recs = records(workdir)
    pairs = load_pairs()
    labelled = [p for p in pairs if p["label"] is not None]
    for p in labelled:
        a, b = recs[p["a"]], recs[p["b"]]
        sa, sb = signature(a["title"], a["body"]), signature(b["title"], b["body"])
        p["estimate"] = sa.similarity(sb)
        p["share_band"] = bool(set(sa.bands().tolist()) & set(sb.bands().tolist()))
        p["published"] = [datetime.fromisoformat(r["published"]) if r.get("published") else None for r in (a, b)]
    lines = [_band_recall(recs)]
    lines.append(f"{len(labelled)} labelled pairs ({sum(p['label'] for p in labelled)} same story); "
                 f"SAME_STORY = {SAME_STORY}, within {SAME_STORY_WITHIN.total_seconds() / 3600:g} h, else >= {REPUBLISHED}")
    lines.append(f"{'rule':>28}  {'tune (odd) P / R':>18}  {'held out (even) P / R':>22}")

    def same(p: dict[str, Any], t: float, window: timedelta | None) -> bool:
        if not p["share_band"]:
            return False
        a, b = p["published"]
        if window is None or (a is not None and b is not None and abs(a - b) <= window):
            return bool(p["estimate"] >= t)
        return bool(p["estimate"] >= REPUBLISHED)

    rules = [(f"similarity >= {t:.2f}", t, None) for t in (0.2, 0.25, 0.3, 0.4, 0.5, 0.7)]
    rules += [(f">= {t:.2f} within {h} h", t, timedelta(hours=h)) for h in (24, 48) for t in (0.2, 0.25, 0.3)]
    for name, t, window in rules:
        cells = []
        for half in (1, 0):
            chosen = [p for n, p in enumerate(labelled, 1) if n % 2 == half]
            predicted = [same(p, t, window) for p in chosen]
            tp = sum(1 for p, y in zip(chosen, predicted) if y and p["label"])
            fp = sum(1 for p, y in zip(chosen, predicted) if y and not p["label"])
            fn = sum(1 for p, y in zip(chosen, predicted) if not y and p["label"])
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            cells.append(f"{precision:.3f} / {recall:.3f}")
        mark = " *" if (t, window) == (SAME_STORY, SAME_STORY_WITHIN) else "  "
        lines.append(f"{name:>28}{mark}{cells[0]:>18}  {cells[1]:>22}")
    lines.append("(* the rule newssearch uses: newssearch.write.stories.same_story)")
    return "\n".join(lines)


def _band_recall(recs: dict[str, dict[str, Any]]) -> str:
    """The share of all pairs at true shingle similarity >= 0.25 and >= 0.5
    that share a band (so that the index compares them at all)."""
    ids = sorted(recs)
    shingles = {i: _shingles(recs[i]["title"], recs[i]["body"]) for i in ids}
    bands = {i: set(signature(recs[i]["title"], recs[i]["body"]).bands().tolist()) for i in ids}
    holders: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        for s in shingles[i]:
            holders[s].append(i)
    common: dict[tuple[str, str], int] = defaultdict(int)
    for members in holders.values():
        if len(members) <= 200:  # boilerplate shingles alone never make two articles one story
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    common[(members[x], members[y])] += 1
    cells = []
    for t in (0.25, 0.5):
        pairs = [(a, b) for (a, b), n in common.items() if n / (len(shingles[a]) + len(shingles[b]) - n) >= t]
        found = sum(1 for a, b in pairs if bands[a] & bands[b])
        cells.append(f"{found}/{len(pairs)} = {found / len(pairs):.3f} at similarity >= {t}")
    return f"all {len(ids)} articles: pairs sharing a band: " + "; ".join(cells)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("sample", "show", "evaluate"))
    ap.add_argument("n", nargs="?", type=int)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newssearch-knownitem")
    args = ap.parse_args(argv)
    if args.command == "sample":
        pairs = sample(args.workdir)
        lines = ["# candidate pairs of Reuters 2006-07 article ids (bench/dedup.py sample); label 1: the same story, 0: not",
                 "source\tid_a\tid_b\tsimilarity\tlabel"]
        lines += [f"{s}\t{a}\t{b}\t{sim:.3f}\t" for s, a, b, sim in pairs]
        PAIRS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(pairs)} pairs written to {PAIRS}")
    elif args.command == "show":
        recs = records(args.workdir)
        p = load_pairs()[args.n]
        for key in ("a", "b"):
            r = recs[p[key]]
            print(json.dumps({"id": r["id"], "published": r["published"], "title": r["title"], "body": r["body"][:700]}, ensure_ascii=False))
    else:
        print(evaluate(args.workdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
