"""The article sets the benchmark indexes, cached as JSON Lines outside the repo.

* ``reuters``: the Reuters 2006-07 full articles (14,384), read with
  ``ns.read_path`` from ``../shared/data/reuters-news-2006-2007``.
* ``headlines``: the Reuters headlines of 2007h1 (title only), read with
  ``ns.read_path``, WITHOUT the held-out days (:data:`HELD_OUT_DAYS`) whose
  headlines the queries are drawn from: 162,895 of the 175,589.
* ``scaled``: any number of ~400-word articles recombined from real
  paragraphs, deterministically: article ``i`` depends only on the seed and
  ``i``'s predecessors, so the 10k set is the first 10k of the 100k set and
  of the 1M set. Bodies are 340-460 words of whole paragraphs drawn from the
  Reuters 2006-07 bodies; titles are drawn from the Reuters titles and the
  indexed (not held-out) headlines; dates are uniform over 2006-10-20 ..
  2007-12-31 UTC. It keeps real vocabulary and term statistics while
  letting the size grow past what ../shared holds.

A size on a real set (``reuters:5000``) takes its first articles. The cache
lives in the benchmark's work folder (``/tmp/newssearch-bench`` by default),
never in the repo; it is rebuilt when missing.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import newssearch as ns

from bench.engines import read_records, record_from_article

HERE = Path(__file__).resolve().parent

ROOT = HERE.parent
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
REUTERS = SHARED / "data" / "reuters-news-2006-2007"
HEADLINES = SHARED / "data" / "reuters-headlines-2007h1" / "data"

#: The headline days the queries come from; never indexed in ``headlines``.
HELD_OUT_DAYS = tuple(f"2007{m:02d}{d:02d}" for m in range(1, 7) for d in (1, 15))
SCALED_SEED = 20261127
SCALED_START = datetime(2006, 10, 20, tzinfo=timezone.utc)
SCALED_MINUTES = int((datetime(2008, 1, 1, tzinfo=timezone.utc) - SCALED_START).total_seconds() // 60)

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([km]?)$", re.I)


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1m`` -> 1000000, ``2500`` -> 2500."""
    m = _SIZE.match(text.strip())
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 10k, 100k, 1m, 2500)")
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()])


def parse_corpus(spec: str) -> tuple[str, int | None]:
    """``reuters``, ``headlines``, ``reuters:5000``, ``scaled:100k`` -> (name, size)."""
    name, _, size = spec.partition(":")
    if name not in ("reuters", "headlines", "scaled"):
        raise ValueError(f"unknown corpus {name!r} (reuters, headlines or scaled:SIZE)")
    if name == "scaled" and not size:
        raise ValueError("scaled needs a size, e.g. scaled:10k")
    return name, parse_size(size) if size else None


def corpus_key(name: str, size: int | None) -> str:
    return f"{name}-{size}" if size else name


def _write(path: Path, records: Iterator[dict]) -> int:
    tmp = path.with_suffix(".part")
    n = 0
    with open(tmp, "w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def _read_reuters() -> Iterator[dict]:
    errors: list[ns.IngestError] = []
    for a in ns.read_path(REUTERS, on_error=errors.append):
        yield record_from_article(a)


def _read_headlines() -> Iterator[dict]:
    for f in sorted(HEADLINES.glob("*.jsonl")):
        if f.stem not in HELD_OUT_DAYS:
            for a in ns.read_path(f, on_error=lambda e: None):
                yield record_from_article(a)


def ensure(workdir: Path, name: str, size: int | None = None, log=print) -> tuple[Path, int]:
    """The cache file holding corpus ``name`` (at least ``size`` records for
    the scaled set), building it if missing; return (path, articles to use)."""
    folder = workdir / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    if name in ("reuters", "headlines"):
        path = folder / f"{name}.jsonl"
        if not path.exists():
            log(f"reading the {name} corpus with ns.read_path into {path} ...")
            _write(path, _read_reuters() if name == "reuters" else _read_headlines())
        total = sum(1 for _ in open(path, encoding="utf-8"))
        return path, min(total, size) if size else total
    assert size is not None
    path = folder / f"scaled-{size}.jsonl"
    larger = sorted(
        (int(p.stem.split("-")[1]), p) for p in folder.glob("scaled-*.jsonl") if int(p.stem.split("-")[1]) >= size
    )
    if not path.exists() and larger:
        return larger[0][1], size  # the smaller sets are prefixes of the larger ones
    if not path.exists():
        reuters, _ = ensure(workdir, "reuters", log=log)
        headlines, _ = ensure(workdir, "headlines", log=log)
        log(f"generating {size:,} scaled articles into {path} ...")
        _write(path, scaled_records(size, reuters, headlines))
    return path, size


def scaled_records(n: int, reuters: Path, headlines: Path, seed: int = SCALED_SEED) -> Iterator[dict]:
    """``n`` articles recombined from real paragraphs and titles (see module doc)."""
    paragraphs: list[str] = []
    titles: list[str] = []
    for r in read_records(reuters):
        if r["title"]:
            titles.append(r["title"])
        for p in (r["body"] or "").split("\n\n"):
            if len(p.split()) >= 8:
                paragraphs.append(p)
    for r in read_records(headlines):
        if r["title"]:
            titles.append(r["title"])
    words = [len(p.split()) for p in paragraphs]
    rng = random.Random(seed)
    for i in range(n):
        target = rng.randint(340, 460)
        chosen: list[str] = []
        count = 0
        while count < target:
            k = rng.randrange(len(paragraphs))
            chosen.append(paragraphs[k])
            count += words[k]
        published = SCALED_START + timedelta(minutes=rng.randrange(SCALED_MINUTES))
        yield {
            "id": f"s{i:08d}",
            "title": titles[rng.randrange(len(titles))],
            "body": "\n\n".join(chosen),
            "published": published.isoformat(),
            "url": None,
            "source": "Reuters",
            "agencies": ["Reuters"],
            "authors": [],
            "section": None,
        }
