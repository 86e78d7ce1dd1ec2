"""Language detection: which detector tells each article's language best, and at what cost?

Run by hand (not part of the test run; the detectors compared are not all
dependencies of newssearch: ``pip install py3langid lingua-language-detector``)::

    python bench/languages.py                                  # every detector
    python bench/languages.py --detectors py3langid,lingua-low
    python bench/languages.py --per-lang 40                    # a quicker sample

The truth is the ``lang`` of each record of ``../shared/data/multilingual-news``
(33 languages: the 123 NTREX-128 news documents in each, and the BSNLP
news in six Slavic languages). Each record is classified twice: title and
body (the text newssearch detects on: the title and the first
:data:`~newssearch.languages.PREFIX_CHARS` characters of the body) and the
headline alone. Croatian, Bosnian and Serbian count as one (the issue's
goal does; NTREX's "hr" is partly Bosnian by any detector's reading), and
Norwegian "no" as "nb".

Each detector runs in a child process of its own, so that its import time
and the memory its models take (peak RSS of the child minus that of a bare
interpreter importing numpy) are its alone. The costs: CPU ms per article
(title and body prefix, the mean over every record), import and first-call
CPU time, memory, the installed size of its package and its licence.

Detectors: ``py3langid`` (langid.py's naive Bayes model, 97 languages,
BSD-3-Clause), ``lingua`` (lingua-language-detector, its high-accuracy mode,
75 languages, Apache-2.0), ``lingua-low`` (its low-accuracy mode: trigrams
alone). fasttext-langdetect is not compared: it downloads its model
(CC BY-SA 3.0, which does not fit an MIT project) at run time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "multilingual-news"
DETECTORS = ("py3langid", "lingua", "lingua-low")
#: pairs of languages that detectors confuse, reported one by one
CONFUSIONS = (("cs", "sk"), ("hr", "sl"), ("ru", "uk"), ("ru", "bg"), ("uk", "bg"), ("da", "nb"), ("da", "sv"), ("nb", "sv"))
#: and the labels newssearch reads as their macrolanguage (newssearch.languages._DETECTED)
_SAME = {"bs": "hr", "sr": "hr", "no": "nb", "nn": "nb", "wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "uzs": "uz", "gug": "gn", "hbo": "he"}
PREFIX = 100  # the default of --prefix, kept equal to newssearch.languages.PREFIX_CHARS (the bench runs without newssearch)


def load(per_lang: int | None, seed: int = 22) -> list[dict[str, str]]:
    """The records, ``per_lang`` of each language and collection (all when None)."""
    records: list[dict[str, str]] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        if path.stem in ("pairs", "bsnlp_topics"):
            continue
        groups: dict[str, list[dict[str, str]]] = defaultdict(list)
        with path.open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                groups[r["collection"]].append(
                    {"lang": r["lang"], "collection": r["collection"], "title": r["title"], "body": r["body"]}
                )
        for rows in groups.values():
            if per_lang is not None and len(rows) > per_lang:
                rows = random.Random(seed).sample(rows, per_lang)
            records.extend(rows)
    return records


def _make(name: str):  # type: ignore[no-untyped-def]
    """Import the detector and return ``text -> code``, timed by the caller."""
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return lambda text: ident.classify(text)[0]
    if name in ("lingua", "lingua-low"):
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages()
        if name == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()

        def detect(text: str) -> str:
            lang = detector.detect_language_of(text)
            return lang.iso_code_639_1.name.lower() if lang is not None else "und"

        return detect
    raise SystemExit(f"unknown detector {name!r}: choose from {', '.join(DETECTORS)}")


def child(name: str, per_lang: int | None, prefix: int) -> None:
    """Run one detector over the corpus; print its results as JSON."""
    import numpy  # noqa: F401  (the baseline's import: every detector here uses numpy)

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    records = load(per_lang)
    start = time.process_time()  # CPU time: wall time on a shared machine measured the neighbours
    detect = _make(name)
    detect("warm up the models")
    import_s = time.process_time() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = []
    spent = 0.0
    for r in records:
        text = f"{r['title']}\n{r['body'][:prefix]}"
        t0 = time.process_time()
        full = detect(text)
        spent += time.process_time() - t0
        out.append([r["lang"], r["collection"], _SAME.get(full, full), _SAME.get(h := detect(r["title"]), h)])
    print(json.dumps({
        "name": name, "import_s": import_s, "ms": 1000 * spent / len(records),
        "rss_mb": (max(rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) - base_rss) / 1024, "rows": out,
    }))


def _installed(name: str) -> tuple[float, str]:
    from importlib.metadata import distribution

    dist = distribution("py3langid" if name == "py3langid" else "lingua-language-detector")
    size = sum((f.size or 0) for f in dist.files or ())
    licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or "?"
    return size / 2**20, licence


def report(results: list[dict], prefix: int) -> None:
    langs = sorted({row[0] for r in results for row in r["rows"]})
    names = [r["name"] for r in results]
    print(f"\nAccuracy per language (title + {prefix} characters of the body / headline alone; hr=bs=sr, nb=no)\n")
    print(f"{'lang':<6}{'n':>6}  " + "  ".join(f"{n:>17}" for n in names))
    for lang in langs + ["all"]:
        cells = []
        for r in results:
            rows = [row for row in r["rows"] if lang in ("all", row[0])]
            truth = [_SAME.get(row[0], row[0]) for row in rows]
            full = sum(t == row[2] for t, row in zip(truth, rows)) / len(rows)
            head = sum(t == row[3] for t, row in zip(truth, rows)) / len(rows)
            cells.append(f"{full:8.3f} /{head:7.3f}")
        print(f"{lang:<6}{len(rows):>6}  " + "  ".join(f"{c:>17}" for c in cells))
    print("\nConfusions: records of A read as B + of B read as A (title+body / headline)\n")
    print(f"{'pair':<8}" + "  ".join(f"{n:>17}" for n in names))
    for a, b in CONFUSIONS:
        cells = []
        for r in results:
            full = sum((row[0], row[2]) in ((a, b), (b, a)) for row in r["rows"])
            head = sum((row[0], row[3]) in ((a, b), (b, a)) for row in r["rows"])
            cells.append(f"{full:8d} /{head:7d}")
        print(f"{a}/{b:<5}" + "  ".join(f"{c:>17}" for c in cells))
    print("\nOther mistakes (title+body), most common first\n")
    for r in results:
        wrong = Counter(f"{row[0]}->{row[2]}" for row in r["rows"] if _SAME.get(row[0], row[0]) != row[2])
        print(f"{r['name']:<12}" + ", ".join(f"{k} {v}" for k, v in wrong.most_common(8)))
    print("\nCost\n")
    print(f"{'detector':<12}{'ms/article':>11}{'import+load s':>15}{'memory MB':>11}{'installed MB':>14}  licence")
    for r in results:
        size, licence = _installed(r["name"])
        print(f"{r['name']:<12}{r['ms']:>11.2f}{r['import_s']:>15.2f}{r['rss_mb']:>11.0f}{size:>14.1f}  {licence}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", default=",".join(DETECTORS), help="comma list of " + ", ".join(DETECTORS))
    parser.add_argument("--per-lang", type=int, default=None, help="records per language and collection (default all)")
    parser.add_argument("--prefix", type=int, default=PREFIX, help=f"characters of the body read after the title (default {PREFIX})")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.per_lang, args.prefix)
        return
    if not CORPUS.is_dir():
        raise SystemExit(f"the corpus is not at {CORPUS}")
    results = []
    for name in args.detectors.split(","):
        cmd = [sys.executable, __file__, "--child", name.strip(), "--prefix", str(args.prefix)]
        if args.per_lang is not None:
            cmd += ["--per-lang", str(args.per_lang)]
        print(f"running {name} ...", file=sys.stderr)
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{name} failed:\n{done.stderr}")
        results.append(json.loads(done.stdout))
    report(results, args.prefix)


if __name__ == "__main__":
    main()
