"""The three engines the benchmarks compare, behind one small interface.

Each engine builds an index from article records, opens it, and answers a
:class:`BenchQuery` with its top ``k`` hits as ``(id, title, snippet)``:

* ``newssearch``: only the public library API (``ns.create_index``,
  ``ix.writer()``/``w.add_many``, ``ns.open_index``, ``ix.search``).
* ``fts5``: SQLite FTS5 through Python's ``sqlite3``, ranked by ``bm25()``
  and snippets from ``snippet()``/``highlight()``.
* ``tantivy``: the ``tantivy`` package (imported only when used, so the
  relevance floor test and newssearch itself never need it).

How one query is given to each engine (the mapping the README documents)
---------------------------------------------------------------------------
A query line is newssearch's own syntax restricted to what every engine can
express: bare words, ``"quoted phrases"``, and an optional date window.
:attr:`BenchQuery.match` says whether every word (and phrase) is required
(``"all"``, newssearch's default since issue 20) or any of them will do
(``"any"``, every search before it).

=================  ==============================  ================================================  ==========================================================
query              newssearch                      FTS5                                              tantivy
=================  ==============================  ================================================  ==========================================================
``a b c``, all     ``ix.search("a b c")``: every   ``MATCH '"a" AND "b" AND "c"'``, ``ORDER BY       ``parse_query('+"a" +"b" +"c"', ["title","body"],
                   word, newssearch's ranking      rank`` with rank = ``bm25(docs, 0, 2, 1, 0)``     field_boosts={"title": 2})``: each word required, in
                   (search/rank.py)                (title x2, body x1)                               title or body; BM25 summed over title (x2) and body
``a b c``, any     ``ix.search("a b c",            ``MATCH '"a" OR "b" OR "c"'``, the same rank      ``'"a" "b" "c"'``: OR of the words, the same BM25
                   match="any")``: OR of the words
``"a b"``          the phrase                      ``MATCH '"a b"'`` (a phrase)                      ``'"a b"'`` (a phrase in title or in body)
``since/until``    ``since=``/``until=`` (until    ``AND published BETWEEN lo AND hi`` (epoch s,     ``Must`` a date ``range_query`` on ``published`` with a
                   is inclusive of its whole day)  an UNINDEXED column)                              constant score of 0 (filters, does not rank)
=================  ==============================  ================================================  ==========================================================

The fallback, the same for every engine. When ``match="all"`` finds nothing
(in the date window, if any) for a query of two or more parts, newssearch
shows the articles with most of the words instead (``SearchResults.fallback``,
never counted): that is the list a user reads, so by default
(:attr:`BenchQuery.fallback`) every engine answers such a query as newssearch
shows it: newssearch with its own fallback, the peers by running the same
query again with ``"any"``. :meth:`Engine.answer` says whether the hits came
from the fallback, so one run gives both the strict figure (a fallback hit
counts as not found) and what the user sees; ``fallback=False`` returns
nothing instead, for every engine.

The peers are given each whitespace-separated query word quoted (so a word
their tokenizer splits, such as "u.s", becomes a phrase of its parts, as it
is one token to newssearch), minus the stop words newssearch's analyzer
drops (:data:`STOP_WORDS`, Whoosh's default list; the peers index every
word, so this only spares them matching "the" everywhere). Each engine
analyses words with its own English setup: newssearch its analyzer
(Snowball stems through PyStemmer, stop words, accent folding), FTS5
``porter unicode61 remove_diacritics 2`` (Porter stems), tantivy ``en_stem``
(Snowball stems). Every engine stores title and body and returns id and
title; with snippets it also returns a body fragment (240 characters;
FTS5 counts 40 tokens, about as long) and the highlighted title, as
``newssearch search`` shows them. tantivy counts all
matches (``count=True``, its default, as newssearch reports a total); FTS5
does not.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

if TYPE_CHECKING:
    import newssearch as ns

# Each engine's library is imported when its Engine is made, not here, so a
# worker process measures (time and memory) only the engine it runs.

__all__ = [
    "ENGINES",
    "MATCH_MODES",
    "STOP_WORDS",
    "Answer",
    "BenchQuery",
    "Engine",
    "Fts5Engine",
    "NewsSearchEngine",
    "TantivyEngine",
    "article_from_record",
    "fts5_match",
    "load_queries",
    "make_engine",
    "newssearch_answer",
    "parse_match_modes",
    "record_from_article",
    "tantivy_text",
]

#: Whoosh's default stop list, which newssearch's analyzer drops; the harness
#: drops the same words from the queries it gives the peers.
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the this to us we when "
    "will with yet you your".split()
)
SNIPPET_CHARS = 240
UTC = timezone.utc
#: The widest date range tantivy's range_query takes (nanoseconds in an i64):
#: the open end of a window with only ``since`` or ``until``.
TANTIVY_DATES = (datetime(1678, 1, 1, tzinfo=UTC), datetime(2262, 4, 11, tzinfo=UTC))
#: What :attr:`BenchQuery.match` may be; the first is the default.
MATCH_MODES = ("all", "any")


# --- queries --------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    """One benchmark query: text in newssearch syntax (words and "phrases")
    and an optional inclusive date window (``YYYY-MM-DD``)."""

    text: str
    kind: str = "words"
    since: str | None = None
    until: str | None = None
    #: ``"all"``: every word and phrase required (newssearch's default);
    #: ``"any"``: any of them (OR), articles with more of them first.
    match: str = "all"
    #: With ``match="all"``: when nothing holds every part, answer with the
    #: ``"any"`` results, as newssearch shows them (see the module's docstring).
    fallback: bool = True

    def __post_init__(self) -> None:
        if self.match not in MATCH_MODES:
            raise ValueError(f"match must be one of {', '.join(MATCH_MODES)}, not {self.match!r}")

    def relaxed(self) -> BenchQuery:
        """The same query with any part enough: what the fallback runs."""
        return dataclasses.replace(self, match="any", fallback=False)

    def parts(self) -> list[tuple[str, ...]]:
        """The query as a list of words and phrases (a phrase is a tuple of
        more than one word), stop words and punctuation-only words dropped."""
        out: list[tuple[str, ...]] = []
        for phrase, word in re.findall(r'"([^"]*)"|(\S+)', self.text):
            if phrase:
                words = tuple(w for w in phrase.split() if re.search(r"\w", w))
                if words:
                    out.append(words)
            elif re.search(r"\w", word) and word.lower().strip(".,;:!?'\"") not in STOP_WORDS:
                out.append((word,))
        return out

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The date window as UTC datetimes, ``until`` inclusive of its whole day."""
        lo = datetime.fromisoformat(self.since).replace(tzinfo=UTC) if self.since else None
        hi = None
        if self.until:
            day = datetime.fromisoformat(self.until).date()
            hi = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
        return lo, hi


def parse_match_modes(text: str) -> list[str]:
    """The scripts' ``--match``: one mode or several, comma-separated, from :data:`MATCH_MODES`."""
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes or any(m not in MATCH_MODES for m in modes):
        raise argparse.ArgumentTypeError(f"takes {' or '.join(MATCH_MODES)} (or both, comma-separated), not {text!r}")
    return list(dict.fromkeys(modes))


def load_queries(path: str | Path, match: str = "all") -> list[BenchQuery]:
    """Read a query file: tab-separated ``kind, query, since, until`` (the
    last two may be empty), ``#`` comment lines and a header line ignored;
    every query is given ``match``."""
    queries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        cols = line.split("\t") + ["", "", ""]
        queries.append(
            BenchQuery(kind=cols[0], text=cols[1], since=cols[2] or None, until=cols[3] or None, match=match)
        )
    return queries


def _quoted(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def fts5_match(q: BenchQuery) -> str:
    """The FTS5 ``MATCH`` expression for ``q``: its quoted parts joined by
    ``AND`` (``match="all"``) or ``OR`` (``"any"``); empty when it has none."""
    joiner = " AND " if q.match == "all" else " OR "
    return joiner.join(_quoted(p) for p in q.parts())


def tantivy_text(q: BenchQuery) -> str:
    """The tantivy query text for ``q``: its quoted parts, each with ``+``
    (required) for ``match="all"``, bare (any of them) for ``"any"``."""
    required = "+" if q.match == "all" else ""
    return " ".join(required + _quoted(p).replace("\\", "\\\\") for p in q.parts())


# --- article records --------------------------------------------------------


def record_from_article(a: ns.Article) -> dict[str, Any]:
    """An Article as a JSON-ready dict (the corpus cache format)."""
    return {
        "id": a.id,
        "title": a.title,
        "body": a.body,
        "published": a.published.isoformat() if a.published else None,
        "url": a.url,
        "source": a.source,
        "agencies": list(a.agencies),
        "authors": list(a.authors),
        "section": a.section,
    }


def article_from_record(r: dict[str, Any]) -> ns.Article:
    import newssearch as ns

    published = r.get("published")
    return ns.Article(
        id=r["id"],
        title=r.get("title") or "",
        body=r.get("body") or "",
        published=datetime.fromisoformat(published) if published else None,
        url=r.get("url"),
        source=r.get("source"),
        agencies=tuple(r.get("agencies") or ()),
        authors=tuple(r.get("authors") or ()),
        section=r.get("section"),
    )


Hit = tuple[str, str, str]  # (id, title, snippet)


@dataclass(frozen=True)
class Answer:
    """An engine's top hits for a query, and whether they are the fallback's
    (nothing held every part, so these hold some of them)."""

    hits: list[Hit]
    fallback: bool = False


class Engine:
    """Build, open, search, close; one instance per process."""

    name = ""

    def build(self, path: Path, records: Iterable[dict[str, Any]]) -> int:
        raise NotImplementedError

    def open(self, path: Path) -> None:
        raise NotImplementedError

    def search(self, q: BenchQuery, k: int = 10, snippets: bool = False) -> list[Hit]:
        """The top ``k`` hits as a user sees them (the fallback's, if it ran)."""
        return self.answer(q, k, snippets).hits

    def answer(self, q: BenchQuery, k: int = 10, snippets: bool = False) -> Answer:
        """``q`` answered with its own ``match``; with ``match="all"`` and
        ``fallback``, a query of several parts that nothing holds in full is
        run again with ``"any"``, as newssearch does (the same rule for every
        peer, or the engines would not answer the same question)."""
        hits = self.run(q, k, snippets)
        if hits or q.match != "all" or not q.fallback or len(q.parts()) < 2:
            return Answer(hits)
        loose = self.run(q.relaxed(), k, snippets)
        return Answer(loose, fallback=bool(loose))

    def run(self, q: BenchQuery, k: int, snippets: bool) -> list[Hit]:
        """The top ``k`` hits of ``q`` exactly as its ``match`` says, no fallback."""
        raise NotImplementedError

    def drop_caches(self) -> None:
        """Empty what the engine caches in its own process between queries
        (not the OS page cache, which every engine reads through)."""

    def close(self) -> None:
        pass


# --- newssearch ---------------------------------------------------------------


class NewsSearchEngine(Engine):
    name = "newssearch"

    def __init__(self) -> None:
        import newssearch

        self.ns = newssearch
        self.ix: ns.NewsIndex | None = None

    def build(self, path: Path, records: Iterable[dict[str, Any]]) -> int:
        ix = self.ns.create_index(path)
        with ix.writer() as w:
            w.add_many(article_from_record(r) for r in records)
        ix.close()
        return w.report.added

    def open(self, path: Path) -> None:
        self.ix = self.ns.open_index(path)

    def answer(self, q: BenchQuery, k: int = 10, snippets: bool = False) -> Answer:
        """newssearch's own fallback (``SearchResults.fallback``), not the
        harness's: the code path, and the cost, a user's search has."""
        assert self.ix is not None
        return newssearch_answer(self.ix, q, k, snippets)

    def run(self, q: BenchQuery, k: int, snippets: bool) -> list[Hit]:
        assert self.ix is not None
        return newssearch_answer(self.ix, dataclasses.replace(q, fallback=False), k, snippets).hits

    def drop_caches(self) -> None:
        """The decoded posting lists and word statistics (a 128 MB LRU)."""
        if self.ix is not None:
            self.ix.drop_caches()

    def close(self) -> None:
        if self.ix is not None:
            self.ix.close()
            self.ix = None


def newssearch_answer(ix: ns.NewsIndex, q: BenchQuery, k: int = 10, snippets: bool = False) -> Answer:
    """``q`` asked of an open newssearch index, as the benchmarks ask it
    (also what tests/test_relevance_floor.py runs, so floor and report agree).
    Every copy of a story is its own hit, as the peers list them (newssearch
    collapses copies by default; it groups them at index time)."""
    results = ix.search(
        q.text, since=q.since, until=q.until, limit=k, snippets=snippets, all_copies=True, match=q.match
    )
    if not results.total and q.fallback and results.fallback is not None:
        return Answer([(h.article.id, h.article.title, h.snippet.text) for h in results.fallback], fallback=True)
    return Answer([(h.article.id, h.article.title, h.snippet.text) for h in results])


# --- SQLite FTS5 ----------------------------------------------------------------


class Fts5Engine(Engine):
    """One FTS5 table: ``id`` and ``published`` (epoch seconds) UNINDEXED,
    ``title`` and ``body`` indexed; ``rank`` is ``bm25()`` with the title
    weighted 2 like newssearch's. Built in one transaction, then ``optimize``d
    (merged into one b-tree) as part of the indexing time."""

    name = "fts5"
    FILE = "fts5.db"

    def __init__(self) -> None:
        import sqlite3

        self.sqlite3 = sqlite3
        self.db: Any = None

    def build(self, path: Path, records: Iterable[dict[str, Any]]) -> int:
        path.mkdir(parents=True, exist_ok=True)
        db = self.sqlite3.connect(path / self.FILE)
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, published UNINDEXED,"
            " tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        db.execute("INSERT INTO docs(docs, rank) VALUES ('rank', 'bm25(0.0, 2.0, 1.0, 0.0)')")
        rows = (
            (r["id"], r.get("title") or "", r.get("body") or "", _epoch(r.get("published")))
            for r in records
        )
        with db:
            db.executemany("INSERT INTO docs(id, title, body, published) VALUES (?, ?, ?, ?)", rows)
        with db:
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        db.close()
        return int(n)

    def open(self, path: Path) -> None:
        self.db = self.sqlite3.connect(path / self.FILE)

    def run(self, q: BenchQuery, k: int, snippets: bool) -> list[Hit]:
        assert self.db is not None
        match = fts5_match(q)
        if not match:
            return []
        cols = "id, title, ''"
        if snippets:
            cols = (
                "id, highlight(docs, 1, char(2), char(3)),"
                " snippet(docs, 2, char(2), char(3), '\u2026', 40)"
            )
        sql = f"SELECT {cols} FROM docs WHERE docs MATCH ?"
        args: list[Any] = [match]
        lo, hi = q.window()
        if lo is not None or hi is not None:
            sql += " AND published BETWEEN ? AND ?"
            args += [int(lo.timestamp()) if lo else -(2**62), int(hi.timestamp()) if hi else 2**62]
        sql += " ORDER BY rank LIMIT ?"
        args.append(k)
        return [(r[0], r[1], r[2]) for r in self.db.execute(sql, args)]

    def drop_caches(self) -> None:
        """SQLite's page cache of this connection (``PRAGMA shrink_memory``)."""
        if self.db is not None:
            self.db.execute("PRAGMA shrink_memory")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _epoch(iso: str | None) -> int | None:
    return int(datetime.fromisoformat(iso).timestamp()) if iso else None


# --- tantivy --------------------------------------------------------------------


class TantivyEngine(Engine):
    """``id`` raw, ``title`` and ``body`` with ``en_stem`` (stored), a fast
    indexed ``published`` date. The writer uses tantivy's defaults (128 MB
    heap, one indexing thread per core); indexing time includes the commit
    and waiting for its merges. Its Python binding offers no call to empty
    its caches between queries (it reads its files through mmap; its
    doc-store block cache stays warm), so it is timed as it comes."""

    name = "tantivy"

    def __init__(self) -> None:
        import tantivy

        self.t = tantivy
        self.index: Any = None
        self.searcher: Any = None

    def _schema(self) -> Any:
        sb = self.t.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
        sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
        sb.add_date_field("published", indexed=True, fast=True)
        return sb.build()

    def build(self, path: Path, records: Iterable[dict[str, Any]]) -> int:
        path.mkdir(parents=True, exist_ok=True)
        index = self.t.Index(self._schema(), path=str(path))
        writer = index.writer()
        n = 0
        for r in records:
            doc = self.t.Document()
            doc.add_text("id", r["id"])
            doc.add_text("title", r.get("title") or "")
            doc.add_text("body", r.get("body") or "")
            if r.get("published"):
                doc.add_date("published", datetime.fromisoformat(r["published"]))
            writer.add_document(doc)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return n

    def open(self, path: Path) -> None:
        self.index = self.t.Index.open(str(path))
        self.searcher = self.index.searcher()

    def _query(self, q: BenchQuery) -> Any:
        text = tantivy_text(q)
        if not text:
            return None
        query = self.index.parse_query(text, ["title", "body"], field_boosts={"title": 2.0})
        lo, hi = q.window()
        if lo is not None or hi is not None:
            t = self.t
            dates = t.Query.range_query(
                self.index.schema, "published", t.FieldType.Date,
                lo or TANTIVY_DATES[0], hi or TANTIVY_DATES[1],
            )
            query = t.Query.boolean_query(
                [(t.Occur.Must, query), (t.Occur.Must, t.Query.const_score_query(dates, 0.0))]
            )
        return query

    def run(self, q: BenchQuery, k: int, snippets: bool) -> list[Hit]:
        query = self._query(q)
        if query is None:
            return []
        found = self.searcher.search(query, k).hits
        out: list[Hit] = []
        if snippets and found:
            body_gen = self.t.SnippetGenerator.create(self.searcher, query, self.index.schema, "body")
            body_gen.set_max_num_chars(SNIPPET_CHARS)
            title_gen = self.t.SnippetGenerator.create(self.searcher, query, self.index.schema, "title")
            title_gen.set_max_num_chars(1000)
        for _score, addr in found:
            doc = self.searcher.doc(addr)
            if snippets:
                # data, as newssearch returns it: the fragment and its highlighted ranges
                title = title_gen.snippet_from_doc(doc)
                body = body_gen.snippet_from_doc(doc)
                title.highlighted(), body.highlighted()
                out.append((doc.get_first("id"), title.fragment() or doc.get_first("title"), body.fragment()))
            else:
                out.append((doc.get_first("id"), doc.get_first("title"), ""))
        return out

    def close(self) -> None:
        self.searcher = None
        self.index = None


ENGINES = ("newssearch", "fts5", "tantivy")


def make_engine(name: str) -> Engine:
    if name == "newssearch":
        return NewsSearchEngine()
    if name == "fts5":
        return Fts5Engine()
    if name == "tantivy":
        return TantivyEngine()
    raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")


def remove_index(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def read_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Stream the first ``limit`` records of a corpus cache (JSON Lines)."""
    import json

    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)
