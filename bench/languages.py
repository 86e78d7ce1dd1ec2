"""Languages: which detector tells each article's language best, and does analysis per language find it?

Run by hand (not part of the test run; the detectors compared are not all
dependencies of newssearch: ``pip install py3langid lingua-language-detector``)::

    python bench/languages.py                                  # every detector
    python bench/languages.py --detectors py3langid,lingua-low
    python bench/languages.py --per-lang 40                    # a quicker sample
    python bench/languages.py --search                         # known-item search per language
    python bench/languages.py --topics                         # topic search on BSNLP per language
    python bench/languages.py --stemmers                       # stemmers for the Slavic languages, both halves
    python bench/languages.py --names                          # names across scripts on BSNLP

``--search``: known-item search per language over the whole collection,
headline and body queries, against SQLite FTS5 and tantivy
(:mod:`bench.langpeers`, whose docstring says how; with ``--exact-boosts``
the older report below, headline queries and newssearch alone),
each record indexed with its ``lang`` given (detection is measured above;
this measures analysis), twice: with the analysis per language
(:mod:`newssearch.langanalysis`) and with the neutral analysis in the same
fields (:func:`~newssearch.langanalysis.analyse_neutrally`: NFKC and
lowercase, no stemming, no stop words, each CJK or Thai run one word).
English is analysed as ever in both. Queries are made from each target's
headline by a seeded generator (:func:`headline_query`): 2-4 words of four
or more letters in their order, as ``bench/knownitem.py``'s headline style
picks them, or in Chinese, Japanese and Thai, which do not space their
words, two pieces of 2-4 characters (grapheme clusters) of the headline.
Targets: records of the held-out half (:func:`held_out`: the first byte of
the SHA-1 of the id is odd) whose headline is that language's only one
with those words, up to ``--targets`` per language (seeded). One choice
was made on the other half (``known_items(..., tune=True)``): no stop
lists (stopwords-iso's lowered MRR in 13 of 16 languages there); the
rules are otherwise Snowball's as shipped. The measure is MRR@100 (1/rank
of the target, 0 past 100; when no article holds every word, the
fallback's list, what a user sees), per language, with the CPU time of
a search (the per-language index: every query is read in each of its
languages).

``--topics``: topic search on the BSNLP news (bg, cs, pl, ru, sl, uk), the
same two indexes over those six languages' records. The queries come by
one rule from the tune half alone (:func:`topic_queries`): for each topic
and language, the :data:`TOPIC_WORDS` title words (as written, lowercased,
four or more letters) that best tell the topic's headlines from the other
topics' in that language (the share of the topic's headlines holding the
word less the share of the others'), each one a query: the topic named as
its reporters name it in that language, in the form they use most
("Brexitu", "Ryanaira" where the inflection wins). Each query is searched
within its language (``lang=``); the ranking is read over the held-out
half (tune-half articles are dropped from it); relevant = held-out
articles of the same topic in that language (the NTREX records are the
other topics' company, never relevant). Reported per language: MAP
(average precision over the first 1,000), nDCG@10 and P@10 (binary
gains), recall at 1,000, the mean over the language's queries. Topics with
fewer than :data:`MIN_TOPIC_DOCS` articles in either half of a language
are left out (Asia Bibi in sl and uk).

``--names``: names across scripts (:mod:`newssearch.namekeys`), on one
index of the BSNLP news and the English NTREX records, analysed per
language. Three sets of topic queries, judged as ``--topics`` on each
half: ``same script`` (``--topics``' own), ``reporters`` (each of those
queries asked in the languages of the other script: Czech "brexitu" in the
Bulgarian, Russian and Ukrainian articles, Russian "байдена" in the Czech,
Polish and Slovene ones) and ``named`` (:data:`TOPIC_NAMES`, each topic's
name as a reader types it, Latin in the Cyrillic languages and Cyrillic in
the Latin ones); and known-item MRR@100 (``--search``' queries, these six
languages and English). Runs: without name keys (``names=False``), with
them at each ``--name-boosts`` weight, and with the first weight asked for
every word, not only across scripts (``ACROSS_SCRIPTS_ONLY`` off). MAP,
P@10 and recall at 1,000, tune half (first byte even) and held-out half
(first byte odd). With ``PYTHONPATH`` at a checkout from before name keys
every run is that checkout's.

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
import hashlib
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/languages.py
    # appended: PYTHONPATH=/other/checkout measures that checkout's newssearch
    sys.path.append(str(Path(__file__).resolve().parents[1]))
from bench import trec

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


# --- known-item search per language ------------------------------------------

#: Languages whose headlines are not spaced into words: queries are pieces of them.
UNSPACED = ("zh", "ja", "th")
_WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f\u0900-\u0dff\u0e31-\u0e4e\u064b-\u065f]*")


def held_out(record_id: str) -> bool:
    """The evaluation's held-out half: the first byte of the id's SHA-1 is odd."""
    return hashlib.sha1(record_id.encode("utf-8")).digest()[0] % 2 == 1


def _clusters(text: str) -> list[str]:
    """Grapheme clusters of the letters of a script (a letter and its
    marks); anything else, Latin letters included, one space each."""
    out: list[str] = []
    for ch in text:
        if out and unicodedata.category(ch)[0] == "M":
            out[-1] += ch
        elif ch.isalpha() and not ch.isascii():
            out.append(ch)
        else:
            out.append(" ")
    return out


def headline_query(lang: str, title: str, rng: random.Random) -> str | None:
    """A query a reader who remembers the headline types (None when the
    headline is too short for one)."""
    if lang in UNSPACED:
        runs = [r for r in "".join(c if c != " " else "\n" for c in _clusters(title)).split("\n") if r]
        runs = [_clusters(r) for r in runs if len(_clusters(r)) >= 2]
        if not runs:
            return None
        pieces = []
        for _ in range(2):
            run = rng.choice(runs)
            size = rng.randint(2, min(4, len(run)))
            start = rng.randrange(len(run) - size + 1)
            pieces.append("".join(run[start : start + size]))
        return " ".join(dict.fromkeys(pieces))
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(title) if len(_clusters(w)) >= 4))
    if len(words) < 2:
        return None
    k = rng.randint(2, min(4, len(words)))
    picked = sorted(rng.sample(range(len(words)), k))
    return " ".join(words[i] for i in picked)


def corpus_records(langs: set[str] | None = None) -> list[dict[str, str]]:
    """Every record of the corpus (of ``langs``, when given), with its id."""
    out = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        if path.stem in ("pairs", "bsnlp_topics") or (langs is not None and path.stem not in langs):
            continue
        with path.open(encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f)
    return out


def known_items(records: list[dict[str, str]], per_lang: int, seed: int = 22, tune: bool = False) -> list[tuple[str, str, str]]:
    """``(lang, query, target id)``: up to ``per_lang`` targets a language
    from the held-out half (the tune half with ``tune``), each query from its headline."""
    by_lang: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in records:
        by_lang[r["lang"]].append(r)
    out = []
    for lang in sorted(by_lang):
        titles = Counter(r["title"] for r in by_lang[lang])
        rows = [r for r in by_lang[lang] if held_out(r["id"]) != tune and titles[r["title"]] == 1 and r["title"].strip()]
        rng = random.Random(f"{seed}:{lang}")
        rng.shuffle(rows)
        chosen = 0
        for r in rows:
            q = headline_query(lang, r["title"], random.Random(f"{seed}:{r['id']}"))
            if q is None:
                continue
            out.append((lang, q, r["id"]))
            chosen += 1
            if chosen == per_lang:
                break
    return out


def build_index(path: Path, records: list[dict[str, str]], neutral: bool):  # type: ignore[no-untyped-def]
    """An index of ``records``, each with its ``lang`` given, analysed per
    language or (``neutral``) neutrally; returns it open."""
    import newssearch as ns
    from newssearch.langanalysis import analyse_neutrally

    analyse_neutrally(neutral)
    ix = ns.create_index(path)
    with ix.writer() as w:
        w.add_many(
            ns.Article(id=r["id"], title=r["title"], body=r["body"], language=r["lang"], language_source="given")
            for r in records
        )
    return ix


def _names(names: bool) -> dict[str, bool]:
    """The search keyword that turns name keys off (none when on, and none
    for a checkout from before name keys: it takes no such keyword, and has
    no keys to turn off)."""
    from newssearch.search.request import SearchOptions

    # not an import of newssearch.namekeys: an editable install finds the
    # module in this checkout when PYTHONPATH names an older one
    return {} if names or "names" not in SearchOptions.__annotations__ else {"names": False}


def mrr(ix, items: list[tuple[str, str, str]], names: bool = True) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """MRR@100 per language (and ``all``) of the known items on an open index."""
    found: dict[str, list[float]] = defaultdict(list)
    spent: dict[str, float] = defaultdict(float)
    for lang, query, target in items:
        start = time.process_time()
        results = ix.search(query, limit=100, all_copies=True, snippets=False, timeout=None, **_names(names))
        spent[lang] += time.process_time() - start
        hits = list(results) if results.total or results.fallback is None else list(results.fallback)
        ids = [h.article.id for h in hits]
        found[lang].append(1 / (ids.index(target) + 1) if target in ids else 0.0)
    table = {lang: sum(v) / len(v) for lang, v in found.items()}
    every = [x for v in found.values() for x in v]
    table["all"] = sum(every) / len(every) if every else 0.0
    # CPU ms a query (the first search, without the fallback's), by language
    table.update({f"ms:{lang}": 1000 * spent[lang] / len(v) for lang, v in found.items()})
    table["ms:all"] = 1000 * sum(spent.values()) / len(every) if every else 0.0
    return table


def _boosted(path: Path, boost: float):  # type: ignore[no-untyped-def]
    """The index at ``path`` opened afresh (a new query parser) with the
    exact forms' weight set to ``boost``."""
    import newssearch as ns
    from newssearch import langanalysis

    langanalysis.EXACT_BOOST = boost  # type: ignore[misc]  # an older checkout has none: then nothing changes
    return ns.open_index(path)


def _runs(boosts: list[float] | None) -> list[tuple[str, bool, float]]:
    """``(name, neutral, exact boost)`` of each run: the analysis per
    language with each boost (newssearch's own by default), then the neutral one."""
    if not boosts:
        from newssearch import langanalysis

        boosts = [getattr(langanalysis, "EXACT_BOOST", 1.0)]
    runs = [(f"per-language x{b:g}" if len(boosts) > 1 else "per-language", False, b) for b in boosts]
    return [*runs, ("neutral", True, 1.0)]


def search_report(per_lang: int, langs: set[str] | None, tune: bool = False, boosts: list[float] | None = None) -> None:
    """Known-item MRR@100 per language: analysis per language against the neutral one."""
    records = corpus_records(langs)
    items = known_items(records, per_lang, tune=tune)
    figures = {}
    runs = _runs(boosts)
    with tempfile.TemporaryDirectory(prefix="lang-search-") as tmp:
        for neutral in (False, True):
            start = time.process_time()
            where = Path(tmp) / str(neutral)
            build_index(where, records, neutral).close()
            built = time.process_time() - start
            print(f"neutral={neutral}: {len(records):,} records indexed in {built:.0f} CPU s (this process)", file=sys.stderr)
            for name, n_, boost in runs:
                if n_ == neutral:
                    ix = _boosted(where, boost)
                    figures[name] = mrr(ix, items)
                    ix.close()
    n = Counter(lang for lang, _q, _t in items)
    half = "tune half (SHA-1 of the id, first byte even)" if tune else "held-out half (SHA-1 of the id, first byte odd)"
    print(f"\nKnown-item search, headline queries, {half}: MRR@100 (diff: the first run less the neutral)\n")
    names = [name for name, _n, _b in runs]
    print(f"{'lang':<6}{'n':>5}" + "".join(f"{name:>20}" for name in names) + f"{'diff':>8}{'CPU ms a query':>16}")
    for lang in [*sorted(n), "all"]:
        count = sum(n.values()) if lang == "all" else n[lang]
        cells = "".join(f"{figures[name][lang]:>20.3f}" for name in names)
        diff = figures[names[0]][lang] - figures["neutral"][lang]
        print(f"{lang:<6}{count:>5}{cells}{diff:>+8.3f}{figures[names[0]][f'ms:{lang}']:>16.1f}")


# --- topic search on BSNLP -----------------------------------------------------

#: The six languages of the BSNLP news.
BSNLP_LANGS = ("bg", "cs", "pl", "ru", "sl", "uk")
#: Queries per topic and language.
TOPIC_WORDS = 3
#: A topic is asked in a language where each half holds at least this many of its articles.
MIN_TOPIC_DOCS = 5
#: The depth a ranking is read to.
TOPIC_DEPTH = 1000


def topic_queries(records: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """``(lang, query, topic)``: for each BSNLP topic and language, the
    :data:`TOPIC_WORDS` words of the tune half's headlines that best tell
    the topic's from the other topics' (see the module docstring)."""
    out = []
    for lang in BSNLP_LANGS:
        rows = [r for r in records if r["lang"] == lang and r["collection"] == "bsnlp" and r["topic"] != "other"]
        topics = sorted({r["topic"] for r in rows})
        for topic in topics:
            tune = [r for r in rows if not held_out(r["id"])]
            inside = [r for r in tune if r["topic"] == topic]
            outside = [r for r in tune if r["topic"] != topic]
            held = sum(1 for r in rows if held_out(r["id"]) and r["topic"] == topic)
            if len(inside) < MIN_TOPIC_DOCS or held < MIN_TOPIC_DOCS or not outside:
                continue

            def share(group: list[dict[str, str]]) -> Counter[str]:
                c: Counter[str] = Counter()
                for r in group:
                    c.update({w.lower() for w in _WORD.findall(r["title"]) if len(w) >= 4})
                return c

            a, b = share(inside), share(outside)
            score = {w: a[w] / len(inside) - b[w] / len(outside) for w in a}
            best = sorted(score, key=lambda w: (-score[w], w))[:TOPIC_WORDS]
            out.extend((lang, w, topic) for w in best)
    return out


def topic_figures(ix, records: list[dict[str, str]], queries: list[tuple[str, str, str]], tune: bool = False, names: bool = True) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """MAP, nDCG@10, P@10 and recall per language (and ``all``) over the
    held-out half, by :mod:`bench.trec`'s measures (checked against trec_eval's)."""
    relevant: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in records:
        if r["collection"] == "bsnlp" and held_out(r["id"]) != tune:
            relevant[(r["lang"], r["topic"])].add(r["id"])
    per: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    for lang, query, topic in queries:
        results = ix.search(query, lang=lang, limit=TOPIC_DEPTH, all_copies=True, snippets=False, timeout=None, **_names(names))
        ranked = [h.article.id for h in results if held_out(h.article.id) != tune]
        rel = relevant[(lang, topic)]
        per[lang].append((
            trec.average_precision(ranked, rel), trec.ndcg_at(ranked, rel, 10),
            trec.precision_at(ranked, rel, 10), trec.recall_at(ranked, rel, TOPIC_DEPTH),
        ))
    per["all"] = [row for rows in list(per.values()) for row in rows]
    return {lang: dict(zip(("map", "ndcg10", "p10", "recall"), map(trec.mean, zip(*rows)))) for lang, rows in per.items()}


def topic_report(tune: bool = False, boosts: list[float] | None = None) -> None:
    """Topic search per BSNLP language: analysis per language against the neutral one."""
    records = corpus_records(set(BSNLP_LANGS))
    queries = topic_queries(records)
    figures = {}
    runs = _runs(boosts)
    with tempfile.TemporaryDirectory(prefix="lang-topics-") as tmp:
        for neutral in (False, True):
            where = Path(tmp) / str(neutral)
            build_index(where, records, neutral).close()
            for name, n_, boost in runs:
                if n_ == neutral:
                    ix = _boosted(where, boost)
                    figures[name] = topic_figures(ix, records, queries, tune)
                    ix.close()
    n = Counter(lang for lang, _q, _t in queries)
    half = "the tune half (first byte even)" if tune else "the held-out half (SHA-1 of the id, first byte odd)"
    print(f"\nTopic search on BSNLP, queries from the tune half, judged on {half}\n")
    measures = ("map", "ndcg10", "p10", "recall")
    for name, _n, _b in runs:
        print(f"{name}:\n{'lang':<6}{'n':>4}" + "".join(f"{m:>16}" for m in ("MAP", "nDCG@10", "P@10", "recall")))
        for lang in [*BSNLP_LANGS, "all"]:
            if lang not in figures["neutral"]:
                continue
            a, b = figures[name][lang], figures["neutral"][lang]
            cells = "".join(f"{a[m]:>8.3f} ({a[m] - b[m]:+.3f})" if name != "neutral" else f"{a[m]:>16.3f}" for m in measures)
            print(f"{lang:<6}{sum(n.values()) if lang == 'all' else n[lang]:>4}{cells}")
    print("(per-language rows: the figure and its difference from the neutral analysis)")
    print("\nQueries: " + "; ".join(f"{lang} {topic}: {q}" for lang, q, topic in queries), file=sys.stderr)


# --- names across scripts -----------------------------------------------------

#: The BSNLP languages written in Cyrillic (the others are in Latin script).
CYRILLIC = ("bg", "ru", "uk")
#: Each topic's name as a reader types it, in Latin and in Cyrillic script
#: (Bulgarian spelling): the "named" queries of ``--names``.
TOPIC_NAMES = {
    "asia_bibi": ("Asia Bibi", "Азия Биби"),
    "brexit": ("Brexit", "Брекзит"),
    "covid-19": ("COVID", "Ковид"),
    "nord_stream": ("Nord Stream", "Норд Стрийм"),
    "ryanair": ("Ryanair", "Райънеър"),
    "us_election_2020": ("Biden", "Байдън"),
}


def cross_script_queries(records: list[dict[str, str]]) -> dict[str, list[tuple[str, str, str]]]:
    """``(lang, query, topic)`` with each query in the other script than
    ``lang``'s: ``reporters``, each tune-half topic query of
    :func:`topic_queries` asked in every language of the other script
    (Czech "brexitu" in the Bulgarian, Russian and Ukrainian articles);
    ``named``, :data:`TOPIC_NAMES` in the other script."""
    same = topic_queries(records)
    asked = {(lang, topic) for lang, _q, topic in same}
    reporters = [
        (lang, query, topic)
        for source, query, topic in same
        for lang in BSNLP_LANGS
        if (lang in CYRILLIC) != (source in CYRILLIC) and (lang, topic) in asked
    ]
    named = [
        (lang, TOPIC_NAMES[topic][0 if lang in CYRILLIC else 1], topic)
        for lang, topic in sorted(asked)
        if topic in TOPIC_NAMES
    ]
    return {"reporters": reporters, "named": named, "same script": same}


def _keyed(path: Path, boost: float, across: bool):  # type: ignore[no-untyped-def]
    """The index at ``path`` opened afresh with the name keys' weight and
    policy set (asked only across scripts, or for every word)."""
    import newssearch as ns
    from newssearch import langanalysis

    try:
        from newssearch import namekeys
    except ImportError:  # a checkout from before name keys (the BEFORE figures): nothing to set
        return ns.open_index(path)
    namekeys.NAME_BOOST = boost  # type: ignore[misc]
    langanalysis.ACROSS_SCRIPTS_ONLY = across  # type: ignore[misc]
    return ns.open_index(path)


def names_report(boosts: list[float], per_lang: int) -> None:
    """Names across scripts on BSNLP: cross-script and same-script topic
    search, and known-item MRR@100 (bg cs pl ru sl uk and en), without name
    keys and with them, on both halves."""
    try:
        from newssearch.namekeys import NAME_BOOST
    except ImportError:  # a checkout from before name keys
        NAME_BOOST = 1.0
    boosts = boosts or [NAME_BOOST]
    records = corpus_records({*BSNLP_LANGS, "en"})
    bsnlp = [r for r in records if r["lang"] in BSNLP_LANGS]
    sets = cross_script_queries(bsnlp)
    items = {tune: known_items(records, per_lang, tune=tune) for tune in (True, False)}
    runs = [("no keys", False, 1.0, True)]
    runs += [(f"keys x{b:g}", True, b, True) for b in boosts]
    runs.append((f"keys x{boosts[0]:g}, every word", True, boosts[0], False))
    with tempfile.TemporaryDirectory(prefix="lang-names-") as tmp:
        start = time.process_time()
        build_index(Path(tmp) / "ix", bsnlp + [r for r in records if r["lang"] == "en"], False).close()
        print(f"{len(records):,} records indexed in {time.process_time() - start:.0f} CPU s", file=sys.stderr)
        figures: dict[tuple[str, str, bool], dict] = {}
        for name, names, boost, across in runs:
            ix = _keyed(Path(tmp) / "ix", boost, across)
            for tune in (True, False):
                for label, queries in sets.items():
                    figures[(name, label, tune)] = topic_figures(ix, bsnlp, queries, tune, names)
                figures[(name, "known items", tune)] = mrr(ix, items[tune], names)
            ix.close()
    for tune in (True, False):
        half = "tune half (first byte of the id's SHA-1 even)" if tune else "held-out half (first byte odd)"
        print(f"\nNames across scripts, {half}\n")
        print(f"{'queries':<14}{'n':>5}{'run':>26}{'MAP':>8}{'P@10':>8}{'recall':>8}")
        for label, queries in sets.items():
            for name, *_ in runs:
                f = figures[(name, label, tune)]["all"]
                print(f"{label:<14}{len(queries):>5}{name:>26}{f['map']:>8.3f}{f['p10']:>8.3f}{f['recall']:>8.3f}")
        print(f"\n{'known items, MRR@100':<26}" + "".join(f"{name:>26}" for name, *_ in runs))
        langs = sorted({lang for lang, _q, _t in items[tune]})
        for lang in [*langs, "all"]:
            print(f"{lang:<26}" + "".join(f"{figures[(name, 'known items', tune)][lang]:>26.3f}" for name, *_ in runs))
        print(f"{'CPU ms a query':<26}" + "".join(f"{figures[(name, 'known items', tune)]['ms:all']:>26.1f}" for name, *_ in runs))
    print("\nPer language (held-out half), cross-script reporters' queries, MAP no keys -> keys:", end=" ")
    first = runs[1][0]
    print(", ".join(
        f"{lang} {figures[('no keys', 'reporters', False)][lang]['map']:.3f}->{figures[(first, 'reporters', False)][lang]['map']:.3f}"
        for lang in BSNLP_LANGS if lang in figures[("no keys", "reporters", False)]
    ))


# --- stemmers for the Slavic languages without Snowball -------------------------

#: The languages the stemmer comparison is about: those Snowball has no
#: stemmer for (bg, uk, sk, sl) and those it has one for (cs, pl, ru; hr
#: gets Snowball's Serbian), to ask whether a lemmatizer beats it there too.
SLAVIC = ("bg", "cs", "pl", "ru", "sk", "sl", "uk", "hr")
#: The candidates: no stemmer; the rules as shipped (Snowball where it has
#: the language; since this comparison, simplemma's lemmas for bg and the
#: light stemmer for uk and sl); the light stemmer of
#: :mod:`newssearch.lightstem` where it has endings for the language (else
#: as shipped); simplemma's lemmas (the word itself where its dictionary
#: lacks it); and the lemma, else the light stem (else the Snowball stem).
STEMMERS = ("none", "shipped", "light", "simplemma", "simplemma+light")
#: Where each candidate's index and figures are kept between runs.
STEMMER_CACHE = Path(tempfile.gettempdir()) / "stem-indexes"
#: Raised when what the comparison measures changes, so cached figures are made again.
STEMMER_RUN = 1


def _stemmer(name: str, code: str):  # type: ignore[no-untyped-def]
    """``(stem function or None, shipped)`` of candidate ``name`` for language ``code``."""
    from newssearch.lightstem import ENDINGS, light_stem

    if name == "shipped" or (name == "light" and code not in ENDINGS):
        return None, True
    if name == "none":
        return None, False
    if name == "light":
        return (lambda w: light_stem(code, w)), False
    import simplemma
    import Stemmer

    from newssearch.langanalysis import SNOWBALL

    lang = "hbs" if code == "hr" else code
    if name == "simplemma":
        return (lambda w: simplemma.lemmatize(w, lang=lang).lower()), False
    snowball = Stemmer.Stemmer(SNOWBALL[code]).stemWord if code in SNOWBALL else None

    def lemma_or_stem(w: str) -> str:
        lemma = simplemma.lemmatize(w, lang=lang).lower()
        if lemma != w:
            return lemma
        if code in ENDINGS:
            return light_stem(code, w)
        return snowball(w) if snowball is not None else w

    return lemma_or_stem, False


def _use(name: str, langs: tuple[str, ...]) -> None:
    """Set candidate ``name``'s rules for every language of ``langs``."""
    from newssearch.langanalysis import use_stemmer

    for code in langs:
        stem, shipped = _stemmer(name, code)
        use_stemmer(code, stem, shipped=shipped)


def _cache_key(name: str, langs: tuple[str, ...], per_lang: int) -> str:
    """What candidate ``name``'s cached figures depend on: the light
    stemmer's rules, simplemma's version, the languages and the targets (and
    :data:`STEMMER_RUN`, raised when the measures change); the shipped
    rules', on which languages newssearch stems and how
    (:data:`~newssearch.langanalysis.REVISIONS`) too."""
    from importlib.metadata import PackageNotFoundError, version

    from newssearch.langanalysis import REVISIONS
    from newssearch.lightstem import ENDINGS, MIN_STEM

    try:
        lemmas = version("simplemma")
    except PackageNotFoundError:
        lemmas = "-"
    h = hashlib.sha1()
    h.update(f"{sorted(ENDINGS.items())!r}:{MIN_STEM}".encode())
    h.update(f"{STEMMER_RUN}:{lemmas}:{','.join(langs)}:{per_lang}".encode())
    if name == "shipped":
        h.update(repr(sorted(REVISIONS.items())).encode())
    return h.hexdigest()[:12]


def _candidate_figures(name: str, langs: tuple[str, ...], per_lang: int, records, items, queries) -> dict:  # type: ignore[no-untyped-def]
    """Candidate ``name``'s figures on both halves, from its cached index
    and figures when this code made them before."""
    import shutil

    import newssearch as ns

    where = STEMMER_CACHE / f"{name}-{_cache_key(name, langs, per_lang)}"
    done = where / "figures.json"
    if done.exists():
        print(f"{name}: figures from {where}", file=sys.stderr)
        return json.loads(done.read_text())
    _use(name, langs)
    if where.exists():
        shutil.rmtree(where)  # an unfinished run's
    where.mkdir(parents=True)
    start = time.process_time()
    print(f"{name}: indexing {len(records):,} records ...", file=sys.stderr, flush=True)
    build_index(where / "index", records, False).close()
    built = time.process_time() - start
    print(f"{name}: indexed in {built:.0f} CPU s; searching ...", file=sys.stderr, flush=True)
    ix = ns.open_index(where / "index")
    # a first query loads what each language's rules need (simplemma's
    # dictionaries: seconds for eight languages), a cost no later query
    # pays: paid here, outside the figures, and reported
    start = time.process_time()
    ix.search("warm", limit=1, snippets=False, timeout=None)
    figures = {"build_s": built, "first_query_s": time.process_time() - start}
    for half, tune in (("tune", True), ("held", False)):
        figures[f"known:{half}"] = mrr(ix, items[half])
        figures[f"topics:{half}"] = topic_figures(ix, records, queries, tune)
        print(f"{name}: {half} half done", file=sys.stderr, flush=True)
    ix.close()
    shutil.rmtree(where / "index")  # the figures are what is kept; an index is 100 MB
    done.write_text(json.dumps(figures))
    return figures


def stemmer_report(per_lang: int = 100, langs: tuple[str, ...] = SLAVIC, candidates: tuple[str, ...] = STEMMERS) -> None:
    """Known-item MRR@100 and topic MAP, nDCG@10, P@10 and recall per
    language for each candidate stemmer, on both halves, over the records
    of ``langs`` alone (each candidate's index holds them and nothing else;
    its figures are kept under :data:`STEMMER_CACHE`, so an interrupted run
    goes on where it stopped).

    The rule a candidate is adopted by, stated before the held-out figures
    were read: for each language with topics (bg, cs, pl, ru, sl, uk), the
    candidate with the best topic MAP on the tune half whose tune known-item
    MRR@100 is at most 0.005 under the shipped rules' is chosen; it is
    adopted if on the held-out half its topic MAP is above the shipped
    rules', its nDCG@10 at most 0.02 under theirs and its known-item MRR@100
    at most 0.005 under theirs (one query of 100 moved from rank 1 to 2).
    sk and hr have no topics: nothing is adopted for them."""
    from newssearch.langanalysis import analyse_neutrally

    analyse_neutrally(False)
    records = corpus_records(set(langs))
    items = {"tune": known_items(records, per_lang, tune=True), "held": known_items(records, per_lang, tune=False)}
    queries = [q for q in topic_queries(records) if q[0] in langs]
    figures = {}
    for name in candidates:
        figures[name] = _candidate_figures(name, langs, per_lang, records, items, queries)
    _use("shipped", langs)
    for half, title in (("tune", "tune half (first byte even)"), ("held", "held-out half (SHA-1 of the id, first byte odd)")):
        known_n = Counter(lang for lang, _q, _t in items[half])
        topic_n = Counter(lang for lang, _q, _t in queries)
        print(f"\nStemmers, {title}")
        for measure, label in (("known", "known-item MRR@100"), ("map", "topic MAP"), ("ndcg10", "topic nDCG@10"),
                               ("p10", "topic P@10"), ("recall", "topic recall@1000")):
            n = known_n if measure == "known" else topic_n
            print(f"\n{label}\n{'lang':<6}{'n':>5}" + "".join(f"{c:>17}" for c in candidates))
            for lang in [*langs, "all"]:
                cells = []
                for c in candidates:
                    f = figures[c][f"known:{half}"] if measure == "known" else figures[c][f"topics:{half}"].get(lang)
                    value = (f.get(lang) if measure == "known" else (f or {}).get(measure)) if f else None
                    cells.append(f"{value:>17.3f}" if value is not None else f"{'-':>17}")
                count = sum(n.values()) if lang == "all" else n.get(lang, 0)
                if count:
                    print(f"{lang:<6}{count:>5}" + "".join(cells))
    print("\nindexing CPU s (this process): " + ", ".join(f"{c} {figures[c]['build_s']:.0f}" for c in candidates))
    print("first query CPU s: " + ", ".join(f"{c} {figures[c].get('first_query_s', 0):.2f}" for c in candidates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", default=",".join(DETECTORS), help="comma list of " + ", ".join(DETECTORS))
    parser.add_argument("--per-lang", type=int, default=None, help="records per language and collection (default all)")
    parser.add_argument("--prefix", type=int, default=PREFIX, help=f"characters of the body read after the title (default {PREFIX})")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--search", action="store_true", help="known-item search per language instead of detection")
    parser.add_argument("--topics", action="store_true", help="topic search on the BSNLP news per language instead of detection")
    parser.add_argument("--tune", action="store_true", help="with --search or --topics: judge on the tune half, not the held-out one")
    parser.add_argument("--exact-boosts", default="", help="with --search or --topics: a comma list of the exact forms' weights to compare (default: newssearch's)")
    parser.add_argument("--stemmers", action="store_true", help="compare stemmers for the Slavic languages on both evaluations, both halves")
    parser.add_argument("--candidates", default=",".join(STEMMERS), help="with --stemmers: a comma list of " + ", ".join(STEMMERS))
    parser.add_argument("--names", action="store_true", help="names across scripts on BSNLP: topic and known-item search with and without name keys")
    parser.add_argument("--name-boosts", default="", help="with --names: a comma list of the name keys' weights to compare (default: newssearch's)")
    parser.add_argument("--targets", type=int, default=100, help="known items per language with --search (default 100)")
    parser.add_argument("--engines", default="per-language,neutral,fts5,tantivy", help="with --search: a comma list of per-language, neutral, fts5, tantivy")
    parser.add_argument("--langs", help="with --search or --stemmers: a comma list of languages (default every one; with --stemmers, " + ",".join(SLAVIC) + ")")
    args = parser.parse_args()
    boosts = [float(b) for b in args.exact_boosts.split(",") if b.strip()] or None
    if args.names:
        names_report([float(b) for b in args.name_boosts.split(",") if b.strip()], args.targets)
        return
    if args.stemmers:
        langs = tuple(args.langs.split(",")) if args.langs else SLAVIC
        stemmer_report(args.targets, langs, tuple(args.candidates.split(",")))
        return
    if args.topics:
        topic_report(args.tune, boosts)
        return
    if args.search and boosts:
        search_report(args.targets, set(args.langs.split(",")) if args.langs else None, args.tune, boosts)
        return
    if args.search:
        # here, not at the top: bench.langpeers builds on this module's queries and indexes
        from bench import langpeers

        engines = tuple(e for e in args.engines.split(",") if e)
        langpeers.peers_report(args.targets, set(args.langs.split(",")) if args.langs else None, args.tune, engines)
        return
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
