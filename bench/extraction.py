"""Body extraction quality on the article-extraction benchmark (181 real pages).

Usage::

    python bench/extraction.py [../shared/data/news-extraction-benchmark] [--json]

Scores, with the benchmark's published metric (reimplemented here):
tokens are ``\\w+`` runs; each text becomes its multiset of 4-token shingles;
per page TP/FP/FN are the shingle count overlaps, normalised to sum to 1;
precision and recall are averaged over pages (pages with no predicted
shingles are left out of the precision mean, pages with no true shingles
out of the recall mean); F1 comes from the two means.

Rows, all computed in the same run:

* ``newssearch html``      -- our HTML path (``newssearch.ingest.htmlpage``) on the raw pages;
* ``newssearch page-text`` -- our page-text path (``pagetext.extract_page``) on
  ``output/html-text.json``, the visible text of each whole page;
* ``trafilatura extract()`` -- the library's defaults, and with
  ``include_comments=False, favor_precision=True``;
* ``html-text dump (floor)`` -- the unprocessed page text.

Then the published figures for reference, and title and date accuracy on
the pages whose URL carries a date (``/2019/11/19/``): the date is right
when the one we extract *without* looking at the URL falls within a day of
the URL's date (zones move a date by one day either way). The benchmark has
no reference titles, so two checks stand in: the title is a headline (not
empty, not the site's name, no `` | Site`` suffix), and it shares at least
60% of the URL slug's words (a rough proxy: many slugs are not the headline).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "news-extraction-benchmark"

PUBLISHED = [
    ("AutoExtract (published)", 0.970),
    ("Diffbot (published)", 0.951),
    ("readability (published)", 0.922),
    ("newspaper (published)", 0.912),
    ("dragnet (published)", 0.907),
    ("boilerpipe (published)", 0.860),
    ("html-text (published)", 0.665),
]

_TOKEN = re.compile(r"\w+")


# --- the metric ----------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of ``n``-token shingles of a text (a text shorter than
    ``n`` tokens is one shorter shingle; an empty text has none)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(true: str, pred: str) -> tuple[float, float, float]:
    """TP, FP, FN shingle counts for one page, normalised to sum to 1."""
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(counts: Iterable[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision and recall over pages, and F1 from the two means."""
    counts = list(counts)
    precisions = [1.0 if fp == fn == 0 else tp / (tp + fp) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn in counts if tp + fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def evaluate(truth: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    return score(page_counts(truth[k], predicted.get(k, "")) for k in truth)


# --- the data --------------------------------------------------------------


def load(data: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Ground truth ``{id: {"url", "articleBody"}}`` and the page-text dumps."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    dumps = json.loads((data / "output" / "html-text.json").read_text(encoding="utf-8"))["output"]
    return truth, {k: v.get("articleBody", "") for k, v in dumps.items()}


def raw_page(data: Path, key: str) -> bytes:
    return gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())


# --- the extractors ----------------------------------------------------------


def html_path(data: Path, truth: dict[str, dict[str, str]]) -> tuple[dict[str, str], dict[str, object]]:
    """Our HTML path: bodies, and the extracted pages for metadata checks."""
    from newssearch.ingest.encoding import decode_markup
    from newssearch.ingest.htmlpage import extract_html

    bodies: dict[str, str] = {}
    pages: dict[str, object] = {}
    for key, item in truth.items():
        page = extract_html(decode_markup(raw_page(data, key)), item["url"])
        bodies[key] = page.body if page else ""
        pages[key] = page
    return bodies, pages


def page_text_path(dumps: dict[str, str]) -> dict[str, str]:
    from newssearch.errors import IngestError
    from newssearch.ingest import ReadOptions, Source
    from newssearch.ingest.pagetext import extract_page

    options = ReadOptions.build()
    out: dict[str, str] = {}
    for key, text in dumps.items():
        try:
            out[key] = extract_page(text, Source(name=key), options).body
        except IngestError:
            out[key] = ""
    return out


def trafilatura_path(data: Path, truth: dict[str, dict[str, str]], **options: bool) -> dict[str, str]:
    import trafilatura

    return {
        key: trafilatura.extract(raw_page(data, key).decode("utf-8", "replace"), url=item["url"], **options) or ""
        for key, item in truth.items()
    }


# --- title and date accuracy ---------------------------------------------------


def metadata_accuracy(truth: dict[str, dict[str, str]], pages: dict[str, object]) -> dict[str, object]:
    from newssearch import dates
    from newssearch.ingest.htmlmeta import date_from_url

    dated = right_date = right_title = no_date = clean_title = 0
    by_source: Counter[str] = Counter()
    for key, item in truth.items():
        url_date = date_from_url(item["url"])
        page = pages.get(key)
        if not url_date or page is None:
            continue
        dated += 1
        meta = page.meta  # type: ignore[attr-defined]
        found = None
        for candidate in meta.dates:
            if candidate.source == "url":
                continue
            found = dates.parse_date(candidate.text) or dates.find_date(candidate.text)
            if found:
                by_source[candidate.source] += 1
                break
        expected = dates.parse_date(url_date)
        if found is None:
            no_date += 1
        elif expected and abs((found.value.date() - expected.value.date()).days) <= 1:
            right_date += 1
        slug = [w for w in re.split(r"[^a-z0-9]+", item["url"].rstrip("/").rsplit("/", 1)[-1].lower()) if w and not w.isdigit()]
        title = (meta.title or "").lower()
        title_words = set(re.findall(r"[a-z0-9]+", title))
        suffixed = bool(re.search(r"\s[|\u2013\u2014-]\s\S+$", meta.title or ""))
        clean = bool(title) and title != (meta.outlet or "").lower() and not suffixed
        clean_title += clean
        if clean and slug and sum(w in title_words for w in slug) >= 0.6 * len(slug):
            right_title += 1
    return {
        "pages_with_url_date": dated,
        "date_right": right_date,
        "date_missing": no_date,
        "date_sources": dict(by_source),
        "title_right": right_title,
        "title_clean": clean_title,
    }


# --- the run -------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    truth, dumps = load(args.data)
    gold = {k: v["articleBody"] for k, v in truth.items()}

    rows: list[tuple[str, dict[str, float], float]] = []
    (html_bodies, pages), secs = _timed(lambda: html_path(args.data, truth))  # type: ignore[misc]
    rows.append(("newssearch html (a)", evaluate(gold, html_bodies), secs))
    page_bodies, secs = _timed(lambda: page_text_path(dumps))
    rows.append(("newssearch page-text (b)", evaluate(gold, page_bodies), secs))  # type: ignore[arg-type]
    bodies, secs = _timed(lambda: trafilatura_path(args.data, truth))
    rows.append(("trafilatura extract() defaults", evaluate(gold, bodies), secs))  # type: ignore[arg-type]
    bodies, secs = _timed(lambda: trafilatura_path(args.data, truth, include_comments=False, favor_precision=True))
    rows.append(("trafilatura favor_precision", evaluate(gold, bodies), secs))  # type: ignore[arg-type]
    rows.append(("html-text dump (floor)", evaluate(gold, dumps), 0.0))
    meta = metadata_accuracy(truth, pages)

    if args.json:
        print(json.dumps({"rows": [{"name": n, **m, "seconds": round(s, 2)} for n, m, s in rows], "metadata": meta}))
        return 0
    print(f"{'extractor':<34} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8}")
    for name, m, secs in rows:
        rate = f"{len(gold) / secs:8.1f}" if secs else f"{'':>8}"
        print(f"{name:<34} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:7.3f} {rate}")
    for name, f1 in PUBLISHED:
        print(f"{name:<34} {'':>9} {'':>7} {f1:7.3f}")
    n = meta["pages_with_url_date"]
    print(
        f"\nOn the {n} pages whose URL carries a date: date right (within a day, not read from the URL)"
        f" {meta['date_right']}/{n}, none found {meta['date_missing']}/{n}, sources {meta['date_sources']};"
        f" title is a headline (present, not the site name, no site suffix) {meta['title_clean']}/{n},"
        f" title shares 60% of the URL slug's words {meta['title_right']}/{n}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
