"""Known-item search per language against the peers: newssearch analysed
per language and neutrally, SQLite FTS5 and tantivy (``bench/languages.py --search``).

Why a module of its own: ``bench/languages.py`` holds the detector and
topic evaluations; this one holds what the peers need (their indexes over
the multilingual collection, the body queries) and the report that sets
the four side by side on the same queries.

Queries, two per style and language, seeded (``bench/knownitem.py``'s
headline and story styles):

- ``headline``: :func:`bench.languages.headline_query`, 2-4 words of a
  target's headline (in zh, ja, th two pieces of 2-4 characters);
- ``body``: :func:`body_query`, 2-5 words of four or more letters of the
  target's body, each drawn with weight tf x idf within its language (the
  distinctive words a reader remembers) or, one time in five, from the
  language's whole vocabulary by frequency (a word misremembered from
  elsewhere); in zh, ja, th 2-3 pieces of 2-4 characters of the body,
  the rarest in the language of a seeded sample of pieces.

Targets: the held-out half (:func:`bench.languages.held_out`: first byte
of the SHA-1 of the id odd; ``--tune``: the other half), headline targets
with a headline unique in their language, body targets with a body
unique in it. Every engine gets the same text as a
:class:`bench.engines.BenchQuery` with ``match="all"``: every word
required, and when nothing holds them all, any of them (the fallback
newssearch shows; :meth:`bench.engines.Engine.answer` applies the same
rule to each peer). MRR@100 over the whole collection (all 33 languages in
one index per engine).

The peers:

- FTS5: ``unicode61 remove_diacritics 0`` (no stemming and no folding of
  diacritics, as newssearch's neutral analysis: Vietnamese and Turkish
  keep their letters apart), title weighted 2 as in ``bench/engines.py``.
- tantivy: each record analysed by its language's stemmer where
  tantivy-py's ``Filter.stemmer`` has one (:data:`TANTIVY_STEMMERS`:
  tantivy's simple tokenizer, lowercase, that language's Snowball
  stemmer), otherwise by the simple tokenizer and lowercase (its
  ``default``); one title and one body field; each query word read by
  every analyzer, any of its forms enough, each word required, title
  boosted 2 (:class:`LangTantivy` says why one field pair).

Indexes are cached under ``/tmp/langpeers-cache`` keyed by the records
they hold, so a second run only asks the queries.
"""

from __future__ import annotations

import hashlib
import math
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.engines import BenchQuery, Fts5Engine, TantivyEngine
from bench.languages import (
    _WORD,
    UNSPACED,
    _clusters,
    build_index,
    corpus_records,
    held_out,
    known_items,
)

CACHE = Path("/tmp/langpeers-cache")
DEPTH = 100
#: tantivy-py's Snowball stemmers (rust-stemmers), by ISO 639-1 code.
TANTIVY_STEMMERS = {
    "ar": "arabic", "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hu": "hungarian", "it": "italian", "nb": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "es": "spanish", "sv": "swedish",
    "tr": "turkish",
}
ENGINES = ("per-language", "neutral", "fts5", "tantivy")


# --- body queries ----------------------------------------------------------------


def _pieces(text: str) -> list[str]:
    """Runs of letters of a script without spaces, as lists of grapheme clusters joined."""
    runs = "".join(c if c != " " else "\n" for c in _clusters(text)).split("\n")
    return [r for r in runs if len(_clusters(r)) >= 2]


def body_query(lang: str, body: str, rng: random.Random, stats: dict[str, Any]) -> str | None:
    """A query a reader who remembers the story types (None when the body
    is too short for one); ``stats`` is :func:`language_stats` of its language."""
    if lang in UNSPACED:
        runs = [_clusters(r) for r in _pieces(body)]
        if len(runs) < 3:
            return None
        candidates = []
        for _ in range(12):
            run = rng.choice(runs)
            size = rng.randint(2, min(4, len(run)))
            start = rng.randrange(len(run) - size + 1)
            candidates.append("".join(run[start : start + size]))
        candidates = list(dict.fromkeys(candidates))
        bodies = stats["bodies"]
        rarity = {p: sum(p in b for b in bodies) for p in candidates}
        k = rng.choice((2, 2, 3))
        return " ".join(sorted(candidates, key=lambda p: (rarity[p], candidates.index(p)))[:k])
    tf = Counter(w.lower() for w in _WORD.findall(body) if len(_clusters(w)) >= 4)
    if len(tf) < 5:
        return None
    vocab = list(tf)
    df, n = stats["df"], stats["n"]
    memorable = [tf[w] * math.log(n / (1 + df[w])) + 1e-9 for w in vocab]
    k = rng.choice((2, 3, 3, 4, 5))
    chosen: list[str] = []
    for _ in range(k * 4):
        if len(chosen) == k:
            break
        if rng.random() < 0.8:
            word = rng.choices(vocab, weights=memorable)[0]
        else:
            word = rng.choices(stats["background"], weights=stats["weights"])[0]
        if word not in chosen:
            chosen.append(word)
    return " ".join(chosen)


def language_stats(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Document and collection frequencies of one language's words (its bodies, for pieces)."""
    df: Counter[str] = Counter()
    cf: Counter[str] = Counter()
    for r in rows:
        words = [w.lower() for w in _WORD.findall(r["body"]) if len(_clusters(w)) >= 4]
        cf.update(words)
        df.update(set(words))
    background = list(cf) or ["?"]
    return {
        "df": df, "n": len(rows), "background": background, "weights": [cf[w] for w in background] if cf else [1],
        "bodies": [r["body"] for r in rows],
    }


def body_items(records: list[dict[str, str]], per_lang: int, seed: int = 22, tune: bool = False) -> list[tuple[str, str, str]]:
    """``(lang, query, target id)``: up to ``per_lang`` body queries a
    language, targets from the held-out half (the tune half with ``tune``)."""
    by_lang: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in records:
        by_lang[r["lang"]].append(r)
    out = []
    for lang in sorted(by_lang):
        rows = by_lang[lang]
        stats = language_stats(rows)
        bodies = Counter(" ".join(r["body"].split()) for r in rows)
        eligible = [r for r in rows if held_out(r["id"]) != tune and bodies[" ".join(r["body"].split())] == 1]
        rng = random.Random(f"{seed}:body:{lang}")
        rng.shuffle(eligible)
        chosen = 0
        for r in eligible:
            q = body_query(lang, r["body"], random.Random(f"{seed}:body:{r['id']}"), stats)
            if q is None:
                continue
            out.append((lang, q, r["id"]))
            chosen += 1
            if chosen == per_lang:
                break
    return out


# --- the peers' indexes -------------------------------------------------------------


class LangFts5(Fts5Engine):
    """FTS5 with ``unicode61 remove_diacritics 0``: no stemming, no folding."""

    def build(self, path: Path, records: Any) -> int:
        path.mkdir(parents=True, exist_ok=True)
        db = self.sqlite3.connect(path / self.FILE)
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, published UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 0')"
        )
        db.execute("INSERT INTO docs(docs, rank) VALUES ('rank', 'bm25(0.0, 2.0, 1.0, 0.0)')")
        with db:
            db.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)", ((r["id"], r["title"], r["body"]) for r in records))
        with db:
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        db.close()
        return int(n)


class LangTantivy(TantivyEngine):
    """tantivy with its Snowball stemmer for each record's language where it
    has one (:data:`TANTIVY_STEMMERS`), its simple tokenizer and lowercase
    for the rest. A tantivy field has one analyzer, so each record is
    analysed here by its language's (tantivy's own ``TextAnalyzer``) and its
    terms indexed in one ``title`` and one ``body`` field split on spaces;
    a query word is read by every analyzer and matches any of its forms,
    each word required (newssearch's semantics: every word in any of its
    languages). Why not a field pair per language: tantivy's BM25 takes a
    field's average length over every document of the index, those without
    the field too, so a language's own fields would see its articles as
    some 30 times their average length and rank short ones first."""

    def _analyzers(self) -> dict[str, Any]:
        t = self.t

        def build(stem: str | None) -> Any:
            b = t.TextAnalyzerBuilder(t.Tokenizer.simple()).filter(t.Filter.remove_long(40)).filter(t.Filter.lowercase())
            return (b.filter(t.Filter.stemmer(stem)) if stem else b).build()

        return {"xx": build(None), **{code: build(name) for code, name in TANTIVY_STEMMERS.items()}}

    def _terms(self, lang: str, text: str) -> str:
        analyzers = self.__dict__.setdefault("analyzers", self._analyzers())
        return " ".join(analyzers.get(lang, analyzers["xx"]).analyze(text))

    def _schema(self) -> Any:
        sb = self.t.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=False, tokenizer_name="whitespace")
        sb.add_text_field("body", stored=False, tokenizer_name="whitespace")
        return sb.build()

    def build(self, path: Path, records: Any) -> int:
        path.mkdir(parents=True, exist_ok=True)
        index = self.t.Index(self._schema(), path=str(path))
        writer = index.writer()
        n = 0
        for r in records:
            doc = self.t.Document()
            doc.add_text("id", r["id"])
            doc.add_text("title", self._terms(r["lang"], r["title"]))
            doc.add_text("body", self._terms(r["lang"], r["body"]))
            writer.add_document(doc)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return n

    def open(self, path: Path) -> None:
        self.index = self.t.Index.open(str(path))
        self.searcher = self.index.searcher()

    def _forms(self, word: str) -> list[str]:
        """The word as each analyzer reads it (a quoted phrase when it reads it as several terms)."""
        analyzers = self.__dict__.setdefault("analyzers", self._analyzers())
        forms = {" ".join(a.analyze(word)) for a in analyzers.values()} - {""}
        return ['"' + f.replace("\\", "").replace('"', "") + '"' for f in sorted(forms)]

    def run(self, q: BenchQuery, k: int, snippets: bool) -> list[Any]:
        required = "+" if q.match == "all" else ""
        clauses = []
        for part in q.parts():
            forms = self._forms(" ".join(part))
            if forms:
                clauses.append(required + "(" + " ".join(forms) + ")")
        if not clauses:
            return []
        query = self.index.parse_query(" ".join(clauses), ["title", "body"], field_boosts={"title": 2.0})
        return [(self.searcher.doc(addr).get_first("id"), "", "") for _s, addr in self.searcher.search(query, k).hits]


def _key(records: list[dict[str, str]]) -> str:
    h = hashlib.sha1()
    for r in records:
        h.update(r["id"].encode() + b"\0")
    return h.hexdigest()[:12]


def _cached(kind: str, records: list[dict[str, str]], build: Any) -> Path:
    """The index of ``kind`` over ``records`` under :data:`CACHE`, built if missing."""
    where = CACHE / f"{kind}-{_key(records)}"
    if (where / ".done").exists():
        return where
    shutil.rmtree(where, ignore_errors=True)
    start = time.process_time()
    wall = time.monotonic()
    print(f"{kind}: indexing {len(records):,} records ...", file=sys.stderr)
    build(where)
    (where / ".done").write_text("")
    print(f"{kind}: indexed in {time.process_time() - start:.0f} CPU s, {time.monotonic() - wall:.0f} s", file=sys.stderr)
    return where


def _newssearch_ranks(records: list[dict[str, str]], items: list[tuple[str, str, str]], neutral: bool) -> list[float]:
    import newssearch as ns
    from newssearch.langanalysis import analyse_neutrally

    kind = "ns-neutral" if neutral else "ns-perlang"
    where = _cached(kind, records, lambda p: build_index(p, records, neutral).close())
    analyse_neutrally(neutral)  # the query is read as the index was written
    ix = ns.open_index(where)
    out = []
    try:
        for i, (_lang, query, target) in enumerate(items):
            results = ix.search(query, limit=DEPTH, all_copies=True, snippets=False, timeout=None)
            hits = list(results) if results.total or results.fallback is None else list(results.fallback)
            ids = [h.article.id for h in hits]
            out.append(1 / (ids.index(target) + 1) if target in ids else 0.0)
            if i % 500 == 499:
                print(f"{kind}: {i + 1:,} queries", file=sys.stderr)
    finally:
        ix.close()
        analyse_neutrally(False)
    return out


def _peer_ranks(engine: Any, kind: str, records: list[dict[str, str]], items: list[tuple[str, str, str]]) -> list[float]:
    where = _cached(kind, records, lambda p: engine.build(p, records))
    engine.open(where)
    out = []
    try:
        for _lang, query, target in items:
            ids = [h[0] for h in engine.answer(BenchQuery(text=query, match="all"), k=DEPTH).hits]
            out.append(1 / (ids.index(target) + 1) if target in ids else 0.0)
    finally:
        engine.close()
    return out


def reciprocal_ranks(records: list[dict[str, str]], items: list[tuple[str, str, str]], engines: tuple[str, ...] = ENGINES) -> dict[str, list[float]]:
    """Each engine's reciprocal rank of each item's target (0 past :data:`DEPTH`)."""
    out = {}
    for name in engines:
        print(f"{name}: {len(items):,} queries ...", file=sys.stderr)
        if name in ("per-language", "neutral"):
            out[name] = _newssearch_ranks(records, items, name == "neutral")
        elif name == "fts5":
            out[name] = _peer_ranks(LangFts5(), "fts5", records, items)
        else:
            out[name] = _peer_ranks(LangTantivy(), "tantivy", records, items)
    return out


def _mean(v: list[float]) -> float:
    return sum(v) / len(v) if v else 0.0


def peers_report(per_lang: int, langs: set[str] | None, tune: bool = False, engines: tuple[str, ...] = ENGINES) -> None:
    """Known-item MRR@100 per language, headline and body queries apart and
    together, for every engine; then zh, ja, th against en on the NTREX documents."""
    records = corpus_records(langs)
    head = [("headline", *it) for it in known_items(records, per_lang, tune=tune)]
    body = [("body", *it) for it in body_items(records, per_lang, tune=tune)]
    items = head + body
    rr = reciprocal_ranks(records, [(lang, q, t) for _s, lang, q, t in items], engines)
    half = "tune half (SHA-1 of the id, first byte even)" if tune else "held-out half (SHA-1 of the id, first byte odd)"
    print(f"\nKnown-item search, {half}: MRR@100, headline (h) and body (b) queries apart and together (all)\n")
    cols = [f"{e} {s}" for e in engines for s in ("h", "b", "all")]
    print("| lang | n h | n b | " + " | ".join(cols) + " |")
    print("|---|---:|---:|" + "---:|" * len(cols))
    by: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (style, lang, _q, _t) in enumerate(items):
        for key in ((lang, style), (lang, "all"), ("all", style), ("all", "all")):
            by[key].append(i)
    for lang in [*sorted({it[1] for it in items}), "all"]:
        cells = [f"{_mean([rr[e][i] for i in by[(lang, s)]]):.3f}" for e in engines for s in ("headline", "body", "all")]
        print(f"| {lang} | {len(by[(lang, 'headline')])} | {len(by[(lang, 'body')])} | " + " | ".join(cells) + " |")
    ntrex = [i for i, it in enumerate(items) if it[3].startswith("ntrex")]
    if ntrex:
        print("\nNTREX documents only (the same 123 stories in every language): MRR@100, headline and body together\n")
        print("| lang | n | " + " | ".join(engines) + " |")
        print("|---|---:|" + "---:|" * len(engines))
        for lang in ("en", "zh", "ja", "th"):
            idx = [i for i in ntrex if items[i][1] == lang]
            if idx:
                print(f"| {lang} | {len(idx)} | " + " | ".join(f"{_mean([rr[e][i] for i in idx]):.3f}" for e in engines) + " |")
