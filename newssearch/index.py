"""An open newssearch index: the library's main object.

:func:`open_index` and :func:`create_index` give a :class:`NewsIndex`; it
hands out a writer for adding articles (:mod:`newssearch.write`) and
answers searches, timelines, related stories and did-you-mean through
:mod:`newssearch.search`, each of which receives a search session (the
snapshot of the index and what is cached with it) instead of reaching into
the index.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .budget import DEFAULT_TIMEOUT
from .cluster.search import fan_out
from .engine.errors import mapped
from .engine.integrity import CheckReport
from .engine.parsing import QueryParser
from .engine.schema import ANALYSIS_VERSION, outdated_fields
from .engine.shards import Manifest, ShardedStore, is_sharded
from .engine.store import Store, check_store, has_index
from .errors import (
    AmbiguousId,
    ConfigError,
    IndexLocked,
    IndexStoreError,
    NewsSearchError,
)
from .model import Article, SearchResults, Timeline
from .search.bm25 import BM25_B, BM25_K1
from .search.complete import Completion, Harvest
from .search.export import ArticleExport, export_order
from .search.request import MAX_LIMIT, FilterOptions, Filters, SearchRequest
from .search.results import run_search
from .search.session import SearchSession
from .search.similar import similar as related_stories
from .search.timeline import timeline as stories_per_period

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .engine.reading import Snapshot
    from .live.saved import SavedSearches
    from .search.ranker import Ranker
    from .search.request import SearchOptions
    from .write.articles import ArticleWriter
    from .write.compact import CompactReport
    from .write.reanalyse import Progress, ReanalyseReport
    from .write.sharded import ShardedWriter
    from .write.transaction import IndexReport

__all__ = [
    "CheckReport",
    "CompactReport",
    "IndexStats",
    "NewsIndex",
    "ReanalyseReport",
    "ShardStats",
    "attach_living_archive",
    "check_index",
    "create_index",
    "default_index_path",
    "index_exists",
    "open_for_writing",
    "open_index",
]

#: Ids listed when a prefix matches several.
_CANDIDATES = 10

#: Makes an index's saved searches: set by :mod:`newssearch.live.saved` when
#: it loads (``newssearch.open_index`` and the index's other public names load it), so that the index, a layer
#: below the living archive, calls it through this hook and imports nothing of it.
_living_archive: Callable[[NewsIndex], SavedSearches] | None = None


def attach_living_archive(saved_searches: Callable[[NewsIndex], SavedSearches]) -> None:
    """Give every index its saved searches: ``saved_searches(ix)`` is what
    :attr:`NewsIndex.saved` returns, matched after each commit
    (:meth:`NewsIndex.after_commit`). Called once, by :mod:`newssearch.live.saved`."""
    global _living_archive
    _living_archive = saved_searches


def __getattr__(name: str) -> Any:
    # CompactReport is named here for compact()'s callers, but its module loads
    # the segment writer: with the first use of the name, not with the index (issue 23)
    if name == "CompactReport":
        # lazy: the segment writer and multiprocessing
        from .write.compact import CompactReport

        return CompactReport
    if name == "ReanalyseReport":
        # lazy: as CompactReport
        from .write.reanalyse import ReanalyseReport

        return ReanalyseReport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_index_path() -> Path:
    """``NEWSSEARCH_INDEX`` if set, else ``./index``."""
    return Path(os.environ.get("NEWSSEARCH_INDEX") or "index")


@dataclass(frozen=True)
class ShardStats:
    """One shard of a sharded index: its number, live ``articles``, the
    ``deleted`` ones whose bytes it still holds (``compact`` drops them),
    bytes on disk and segments."""

    number: int
    articles: int
    deleted: int
    size_bytes: int
    segments: int


@dataclass(frozen=True)
class IndexStats:
    """A summary of what an index holds: live ``articles``, the ``earliest``
    and ``latest`` publication times (UTC), how many are ``undated``,
    articles per outlet (most first), bytes on disk and segment count;
    ``deleted`` articles still on disk (until ``compact``); for a sharded
    index, each shard (``shards``; empty for an index of one)."""

    path: str
    articles: int
    earliest: datetime | None
    latest: datetime | None
    undated: int
    outlets: dict[str, int]
    size_bytes: int
    segments: int
    deleted: int = 0
    shards: tuple[ShardStats, ...] = ()
    #: some articles were analysed by an older version (``newssearch reanalyse`` brings them up to date)
    reanalyse_needed: bool = False


class NewsIndex:
    """An open newssearch index: add articles, search, fetch, summarise.

    Searches share one snapshot of the index (opening one costs far more
    than a query, and decoded posting lists are cached with it); it is
    reopened when a commit, here or in another process, changed the index.
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, store: Store | ShardedStore) -> None:
        self.path = store.path
        self._store = store
        self._parser: QueryParser | None = None
        self._parser_outdated: frozenset[str] = frozenset()  # the fields the parser reads by earlier rules
        self._session: SearchSession | None = None
        self._fan_out: Callable[[Snapshot], Ranker] | None = None
        # search-as-you-type's headline counts per segment, kept across commits (SearchSession.completions)
        self._harvests: dict[Any, Harvest] = {}

    # --- writing -------------------------------------------------------
    def writer(
        self,
        *,
        timeout: float = 0.0,
        limitmb: int | None = None,
        procs: int | None = None,
        commit_every: int | None = None,
        rebuild: bool = False,
    ) -> ArticleWriter | ShardedWriter:
        """Return a writer for one run (see :class:`ArticleWriter`; a sharded
        index gives a :class:`~newssearch.write.sharded.ShardedWriter`, used the same way).

        ``timeout`` is how long to wait for another writer's lock before
        raising :class:`~newssearch.errors.IndexLocked`; ``procs`` is how
        many processes write a large run (default: 2 where fork is
        available, else 1); ``limitmb`` bounds the memory the writer processes
        keep postings in (each starts a new segment when its share is
        full; nothing is spilled to scratch files; default: an eighth of
        the machine's memory, 256 MB to 4 GB); ``commit_every`` commits after that
        many new or changed articles (bounding scratch disk space on very
        large runs; an interrupted run then keeps the batches committed).
        ``rebuild`` makes the run's articles the index's whole content: the
        old articles stay searchable until the run commits, then go (a failed
        or interrupted rebuild leaves the index as it was).
        """
        # lazy: the writers load multiprocessing, Whoosh's multiprocess writer and the
        # fast segment writer, which a search does not use (issue 23)
        from .write.articles import ArticleWriter  # lazy: as said above
        from .write.sharded import ShardedWriter  # lazy: as said above

        if isinstance(self._store, ShardedStore):
            return ShardedWriter(
                self._store, timeout=timeout, limitmb=limitmb, commit_every=commit_every, rebuild=rebuild, on_commit=self.after_commit
            )
        return ArticleWriter(
            self._store,
            timeout=timeout,
            limitmb=limitmb,
            procs=procs,
            commit_every=commit_every,
            rebuild=rebuild,
            on_commit=self.after_commit,
        )

    @cached_property
    def saved(self) -> SavedSearches:
        """The index's saved searches and their alerts
        (:class:`~newssearch.live.saved.SavedSearches`): ``ix.saved.add(name,
        query, since=...)``, ``list()``, ``remove(name)``, ``run(name)``,
        ``new(name)``. Every commit of a writer from this index matches
        them against the articles it added."""
        if _living_archive is None:  # only a program that loads newssearch.index without newssearch.open_index
            raise NewsSearchError("saved searches need the living archive: import newssearch.live.saved")
        return _living_archive(self)

    def after_commit(self, report: IndexReport) -> None:
        """After a run's commit: drop the snapshot, then match the saved
        searches against what the run added (the alerts are recorded in
        ``saved.sqlite``). Failing to match never fails the run: its
        articles are committed, and the next run or ``saved new`` matches
        them. The index's writers call it; so does a build that committed
        elsewhere (:func:`newssearch.cluster.build_on_cluster`)."""
        self._changed()
        if not report.committed or not self.saved.exists():
            return
        try:
            report.alerts = len(self.saved.match_new())
        except NewsSearchError as exc:
            report.alert_problem = str(exc)

    def add(self, articles: Iterable[Article] | Article) -> IndexReport:
        """Index ``articles`` (one or many) in one transaction; return the report."""
        if isinstance(articles, Article):
            articles = [articles]
        with self.writer() as w:
            w.add_many(articles)
        return w.report

    def delete(self, article_ids: Iterable[str] | str) -> list[str]:
        """Delete articles by id (or unique id prefix, as ``get`` takes) in
        one transaction; return the full ids deleted. Raises
        :class:`~newssearch.errors.NewsSearchError` naming an id that matches
        no article (nothing is deleted then), and
        :class:`~newssearch.errors.AmbiguousId` for a prefix of several."""
        if isinstance(article_ids, str):
            article_ids = [article_ids]
        found: list[str] = []
        for given in article_ids:
            article = self.get(given)
            if article is None:
                raise NewsSearchError(f"no article with id {given!r} in {self.path}")
            found.append(article.id)
        if found:
            with self.writer() as w:
                for article_id in dict.fromkeys(found):
                    w.delete(article_id)
        return list(dict.fromkeys(found))

    def delete_matching(self, query: str | SearchRequest = "", **options: Unpack[FilterOptions]) -> list[str]:
        """Delete every article a search matches (every copy of every story,
        on every page) in one transaction; return their ids. ``query`` and
        the filters are those of :meth:`search` (or a ready
        :class:`SearchRequest`); a request that matches every article (no
        query, no filter) is refused rather than emptying the index."""
        request = query if isinstance(query, SearchRequest) else SearchRequest.build(query, **options)
        if not request.query.strip() and request.filters == Filters():
            raise NewsSearchError("refusing to delete every article: give a query or a filter")
        page = dataclasses.replace(request, all_copies=True, snippets=False, facets=(), limit=MAX_LIMIT, offset=0)
        ids: list[str] = []
        while True:
            found = self.search(page)
            ids += [hit.article.id for hit in found.hits]
            if len(found.hits) < page.limit:
                break
            page = dataclasses.replace(page, offset=page.offset + page.limit)
        ids = list(dict.fromkeys(ids))
        if ids:
            with self.writer() as w:
                for article_id in ids:
                    w.delete(article_id)
        return ids

    def search_on(self, client: Any) -> None:
        """Fan searches out to the workers of a Dask ``client``: each shard of
        this sharded index is kept open by an actor on a worker, which finds
        its matches with statistics summed over every shard (so scores are
        those of one index); collapsing, ordering, facets and hits are done
        here (:class:`~newssearch.cluster.search.ClusterRanker`)."""
        if not isinstance(self._store, ShardedStore):
            raise NewsSearchError(f"{self.path} is not a sharded index: there is nothing to fan out")
        self._fan_out = fan_out(client, self._store)
        self._changed()

    def drop_caches(self) -> None:
        """Forget the posting lists and statistics that searches decoded and
        kept (up to 128 MB), so the next query pays full price: for a cold
        benchmark, or to give memory back. The index stays open."""
        if self._session is not None:
            self._session.drop_caches()

    def _changed(self) -> None:
        """Drop the shared snapshot after a commit; the next query opens a
        fresh one. Not Whoosh's Searcher.refresh(): in whoosh3 3.54.0 it
        reuses segment readers with stale deletions and keeps segments a
        merge removed, so counts and results go wrong after an update."""
        if self._session is not None:
            self._session.close()
            self._session = None

    # --- reading -------------------------------------------------------
    def session(self) -> SearchSession:
        """The search session over the index as last committed (reopened
        only when the index changed): for tools and tests that work below
        the search API."""
        with mapped(self.path):
            if self._session is not None and not self._session.snapshot.is_current():
                self._changed()  # another process committed
            if self._session is None:
                self._session = self._open_session()
            return self._session

    def _open_session(self) -> SearchSession:
        """A session over a snapshot of the index as last committed."""
        snapshot = self._store.snapshot(k1=BM25_K1, b=BM25_B)
        # a plain index's language fields answer by the rules that wrote them, as its
        # snapshot's schema records them: a reanalyse (here or in another process) changes them
        written = snapshot.schema if isinstance(self._store, Store) else None
        outdated = frozenset(outdated_fields(written)) if written is not None else frozenset()
        if self._parser is None or outdated != self._parser_outdated:
            self._parser = QueryParser.for_news(written if outdated else None)
            self._parser_outdated = outdated
        ranker = self._fan_out(snapshot) if self._fan_out is not None else None
        return SearchSession(snapshot, self._parser, ranker, self._harvests)

    def __len__(self) -> int:
        with mapped(self.path):
            return self.session().snapshot.doc_count()

    def get(self, article_id: str) -> Article | None:
        """The stored article whose id is ``article_id``, or starts with it
        (a prefix, as ``newssearch show`` takes); None when there is none.
        Raises :class:`~newssearch.errors.AmbiguousId` when several ids start
        with the prefix."""
        with mapped(self.path):
            snapshot = self.session().snapshot
            article = snapshot.find_article("id", article_id)
            if article is None and 0 < len(article_id) < 16:
                found = snapshot.ids_starting(article_id.lower(), limit=_CANDIDATES + 1)
                if len(found) > 1:
                    raise AmbiguousId(article_id, sorted(found)[:_CANDIDATES], more=len(found) > _CANDIDATES)
                if found:
                    article = snapshot.find_article("id", found[0])
            return article

    def iter_articles(self) -> Iterator[Article]:
        """Every stored article, in index order."""
        snapshot = self.session().snapshot
        with mapped(self.path):
            yield from snapshot.articles()

    def search(self, query: str | SearchRequest = "", **options: Unpack[SearchOptions]) -> SearchResults:
        """Run a query and return one page of hits, the exact total and any facets.

        Copies of one story (another outlet's, another version) are one hit,
        the others attached to it (``Hit.copies``); ``total`` counts stories,
        ``articles`` the matching articles (see ``all_copies``).

        ``query`` is query text (see the README's query table; empty or
        ``*`` for every article) with options as keywords, or a
        :class:`~newssearch.search.SearchRequest` built beforehand (then
        no keywords). The keywords (``since``, ``until``, ``source``,
        ``section``, ``agency``, ``lang``, ``tz``, ``now``, ``sort``, ``limit``,
        ``offset``, ``page``, ``half_life``, ``facets``, ``explain``,
        ``snippets``, ``snippet_chars``, ``engine``, ``all_copies``, ``timeout``, ``match``, ``names``) are those of
        :meth:`SearchRequest.build <newssearch.search.SearchRequest.build>`,
        which explains each. Raises :class:`~newssearch.errors.ConfigError`
        for a bad option value and :class:`~newssearch.errors.QuerySyntaxError`
        for query text that cannot be read or asks too much, and
        :class:`~newssearch.errors.SearchTimedOut` when the search runs past
        ``timeout`` seconds (10 by default).
        """
        request = _request(query, options)
        with mapped(self.path):
            return run_search(self.session(), request)

    def export(
        self,
        query: str | SearchRequest = "",
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        match: str = "all",
        **filters: Unpack[FilterOptions],
    ) -> ArticleExport:
        """Every article ``query`` and the filters match, every copy of every
        story, without a cap: an :class:`~newssearch.search.export.ArticleExport`
        whose ``len()`` is known at once and whose articles are read one at a
        time as it is iterated (memory stays that of one article), oldest
        first, undated last, ties by article id (a stable order: the same
        index exports the same articles in the same order). ``query``, the
        filters (``since``, ``until``, ``source``, ``section``, ``agency``,
        ``lang``, ``tz``, ``now``), ``match`` and ``timeout`` (for finding the matches;
        reading them is not timed) are as for :meth:`search`: a request given
        keeps its own, and its sort and page are not used. A query no
        article answers in full exports nothing (no fallback). The export
        reads a snapshot of its own: commits while it is read do not change
        it. ``with ix.export("opec") as found: ...`` closes it early."""
        unknown = sorted(set(filters) - set(FilterOptions.__annotations__))
        if unknown:
            raise TypeError(f"export() takes filters only, not {', '.join(unknown)}")
        request = _request(query, filters)
        if not isinstance(query, SearchRequest):
            request = request.replace(timeout=timeout, match=match)
        with mapped(self.path):
            session = self._open_session()
            try:
                docnums, warnings = export_order(session, request)
            except BaseException:
                session.close()
                raise
        return ArticleExport(session, docnums, self.path, warnings)

    def timeline(
        self,
        query: str | SearchRequest = "",
        *,
        by: str = "week",
        all_copies: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        match: str = "all",
        **filters: Unpack[FilterOptions],
    ) -> Timeline:
        """Matching stories counted per period: ``by`` is day, week, month
        or year, periods starting at local midnight in ``tz``; empty periods
        between the first and last match are included. A story counts once,
        when its first copy was published; ``all_copies`` counts every
        article. ``query`` and the filters (``since``, ``until``,
        ``source``, ``section``, ``agency``, ``lang``, ``tz``, ``now``), ``timeout`` and
        ``match`` are as for :meth:`search` (a request given keeps its own)."""
        unknown = sorted(set(filters) - set(FilterOptions.__annotations__))
        if unknown:
            raise TypeError(f"timeline() takes filters only, not {', '.join(unknown)}")
        request = _request(query, filters)
        if all_copies:
            request = request.replace(all_copies=True)
        if not isinstance(query, SearchRequest):
            request = request.replace(timeout=timeout, match=match)
        with mapped(self.path):
            return stories_per_period(self.session(), request, by=by)

    def suggest(self, query: str) -> str | None:
        """``query`` with its misspelled words corrected from the index's own
        vocabulary, or None when nothing looks misspelled."""
        with mapped(self.path):
            return self.session().suggest(query)

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Search-as-you-type: up to ``limit`` completions of ``prefix``
        (headline words, phrases and names, outlets; heaviest first) from
        the index as last committed. Not :meth:`suggest`, which corrects a
        whole query's spelling. The structure behind it is built at the first
        call after a commit (:class:`~newssearch.search.complete.Completions`)
        and answers in microseconds after that."""
        with mapped(self.path):
            return self.session().completions.complete(prefix, limit)

    def similar(self, article_id: str, **options: Unpack[SearchOptions]) -> SearchResults:
        """The articles most like the one with id ``article_id`` (best first),
        without it and its exact duplicates. ``limit`` (default 10), ``snippets``,
        ``snippet_chars`` and the filters (``since``, ``source``, ...) are
        as for :meth:`search`. Raises :class:`~newssearch.errors.NewsSearchError`
        when no article has this id."""
        request = SearchRequest.build("", **options)
        with mapped(self.path):
            article = self.get(article_id)
            if article is None:
                raise NewsSearchError(f"no article with id {article_id!r} in {self.path}")
            return related_stories(self.session(), article, request)

    def stats(self) -> IndexStats:
        """Article count, date range, outlets, size on disk, and each shard of a sharded index."""
        with mapped(self.path):
            snapshot = self.session().snapshot
            span = snapshot.date_range()
            outlets = snapshot.keyword_counts("source")
            shards: tuple[ShardStats, ...] = ()
            if isinstance(self._store, ShardedStore):
                shards = tuple(_shard_stats(n, store) for n, store in enumerate(self._store.stores))
            return IndexStats(
                path=str(self.path),
                articles=snapshot.doc_count(),
                earliest=span[0] if span else None,
                latest=span[1] if span else None,
                undated=snapshot.doc_count() - snapshot.count_dated(),
                outlets=dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))),
                size_bytes=self._store.size_on_disk(),
                segments=len(snapshot.segments),
                deleted=snapshot.doc_count_all() - snapshot.doc_count(),
                shards=shards,
                reanalyse_needed=self.reanalyse_needed(),
            )

    def compact(self, *, timeout: float = 0.0) -> CompactReport:
        """Merge the index's segments into one (one per shard), dropping the
        deleted articles, whose bytes a deletion or a prune leaves on disk;
        return the sizes and segment counts before and after
        (:class:`~newssearch.write.compact.CompactReport`). Runs under the
        write lock (``timeout`` seconds to wait for another writer, then
        :class:`~newssearch.errors.IndexLocked`) as one commit per index:
        killed part way, the index is as its last commit left it. Searches,
        results and ids are unchanged; a search session open meanwhile keeps
        reading the snapshot it opened."""
        # lazy: the segment writer and multiprocessing, as in writer()
        from .write.compact import compact

        with mapped(self.path):
            try:
                return compact(self._store, timeout=timeout)
            finally:
                self._changed()

    def reanalyse(
        self,
        *,
        timeout: float = 0.0,
        limitmb: int | None = None,
        procs: int | None = None,
        progress: Progress | None = None,
    ) -> ReanalyseReport:
        """Write every stored article again with this version's analysis,
        in place, from its stored fields: an index written before analysis
        per language holds every article in the English fields, and this
        moves each to its language's (:mod:`newssearch.write.reanalyse`).
        Ids, stored fields, dates, stories, ingest sequences (so no saved
        search raises an alert) and the follower's state stay as they were;
        deleted articles' bytes go. Under the write lock (``timeout``
        seconds to wait for another writer, then
        :class:`~newssearch.errors.IndexLocked`), one commit per index (per
        shard): killed part way, the index is wholly as it was or wholly
        re-analysed. An index already analysed by this version is not read
        (the report says ``already``). ``limitmb`` and ``procs`` are as for
        :meth:`writer`; ``progress(stage, done, total)`` is told how far it is
        (``"reading"`` after each article, ``"committing"`` before each commit)."""
        # lazy: the segment writer and multiprocessing, as in writer()
        from .write.reanalyse import reanalyse

        with mapped(self.path):
            try:
                return reanalyse(self._store, timeout=timeout, limitmb=limitmb, procs=procs, progress=progress)
            finally:
                self._changed()

    def reanalyse_needed(self) -> bool:
        """Whether the index holds articles analysed by an older version
        (its manifest, or a shard's, records an older analysis, or none),
        so that ``newssearch reanalyse`` would move them to their
        language's fields. Reads a small file per shard, never the index."""
        stores = self._store.stores if isinstance(self._store, ShardedStore) else [self._store]
        with mapped(self.path):
            return any(
                store.analysis_version() < ANALYSIS_VERSION and store.doc_count_all() > 0 for store in stores
            )

    def close(self) -> None:
        """Close the snapshot searches share (the index stays usable: the next search reopens it)."""
        self._changed()

    def __enter__(self) -> NewsIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"NewsIndex({str(self.path)!r})"


def _shard_stats(number: int, store: Store) -> ShardStats:
    """One shard's counts, from its table of contents."""
    counts = store.segment_counts()
    return ShardStats(
        number=number,
        articles=sum(live for live, _deleted in counts),
        deleted=sum(deleted for _live, deleted in counts),
        size_bytes=store.size_on_disk(),
        segments=len(counts),
    )


def _request(query: str | SearchRequest, options: Any) -> SearchRequest:
    if isinstance(query, SearchRequest):
        if options:
            raise TypeError("pass options either in the SearchRequest or as keywords, not both")
        return query
    return SearchRequest.build(query, **options)


def open_index(path: str | Path | None = None, *, create: bool = False) -> NewsIndex:
    """Open the index at ``path`` (default: :func:`default_index_path`).

    With ``create=True`` a missing index is created; otherwise a missing one
    raises :class:`~newssearch.errors.IndexNotFound`, and one written by an
    incompatible version :class:`~newssearch.errors.IndexVersionMismatch`.
    """
    where = Path(path) if path is not None else default_index_path()
    if is_sharded(where):
        return NewsIndex(ShardedStore.open(where))
    if create and not has_index(where):
        return create_index(where)
    return NewsIndex(Store.open(where))


def check_index(path: str | Path | None = None, *, repair: bool = False) -> CheckReport:
    """Read every part of the index at ``path`` and say what is damaged
    (:class:`~newssearch.engine.integrity.CheckReport`): each segment file's
    size and checksum against those recorded at its commit, every stored
    article, every posting list, the counts. With ``repair`` (under the
    write lock) a missing or damaged table of contents is restored from the
    copy kept at the last commit and damaged segments are dropped; the
    report lists the files their articles came from, so that ``index`` can
    read them again. Works on an index too damaged to open."""
    where = Path(path) if path is not None else default_index_path()
    if is_sharded(where):
        problem = Manifest.problem(where)
        done = Manifest.rebuild(where) if problem and repair else None
        reports = [check_store(ShardedStore.shard_path(where, n), repair=repair) for n in range(_shard_count(where))]
        report = CheckReport.combined(str(where), reports)
        if problem:
            report.found.insert(0, problem)
            if done:
                report.repaired.insert(0, done)
            else:
                report.problems.insert(0, problem)
    else:
        report = check_store(where, repair=repair)
    _check_beside(where, report, repair)
    return report


def _shard_count(where: Path) -> int:
    """The shards to check: as the manifest says, or, when it cannot be
    read, as many shard folders as hold an index."""
    if Manifest.problem(where) is None:
        return Manifest.read(where).shards
    count = 0
    while has_index(ShardedStore.shard_path(where, count)):
        count += 1
    return count


def _check_beside(where: Path, report: CheckReport, repair: bool) -> None:
    """Add the SQLite files beside the index (saved searches, the
    follower's state) to ``report``: checked, and with ``repair`` kept aside
    and started afresh with every row still readable (what was lost is said)."""
    # lazy: sqlite3, which only a check (of the files beside the index) uses
    from .live.files import check_files, repair_files

    problems = check_files(where) if where.is_dir() else []
    if not repair or not problems:
        report.problems += problems
        report.found += problems
        return
    report.found += problems
    done, lost = repair_files(where)
    report.repaired += done
    report.lost_data += lost
    report.problems += check_files(where)


def create_index(path: str | Path | None = None, *, overwrite: bool = False, shards: int = 1) -> NewsIndex:
    """Create an empty index at ``path`` (default: :func:`default_index_path`).

    Refuses a folder that holds other files (so a typo cannot scatter index
    files among a user's documents) and, unless ``overwrite``, one that
    already holds an index. ``shards`` > 1 makes a sharded index
    (:mod:`newssearch.engine.shards`): searched and written the same way,
    its articles spread over that many Whoosh indexes by id.
    """
    where = Path(path) if path is not None else default_index_path()
    if shards > 1:
        return NewsIndex(ShardedStore.create(where, shards, overwrite=overwrite))
    return NewsIndex(Store.create(where, overwrite=overwrite))


def index_exists(path: str | Path | None = None) -> bool:
    """Whether ``path`` (default :func:`default_index_path`) holds an index,
    plain or sharded, without opening it."""
    where = Path(path) if path is not None else default_index_path()
    return is_sharded(where) or has_index(where)


def open_for_writing(path: str | Path | None = None, *, rebuild: bool = False, shards: int | None = None) -> NewsIndex:
    """The index a run of additions writes to (``newssearch index``), opened
    or created as the run asks; ``path`` defaults to :func:`default_index_path`.

    A missing index is created: sharded when ``shards`` is more than one
    (see :func:`create_index`). An existing index keeps the shards it has:
    ``shards`` is checked against them, and a different count raises
    :class:`~newssearch.errors.ConfigError` (``option="shards"``), since
    re-sharding is a rebuild into a new folder, never a change in place.
    ``shards=None`` takes an existing index as it is.

    ``rebuild`` is for a run whose articles replace the index's contents
    (``writer(rebuild=True)``): an index this version can open is opened
    (the old contents stay searchable until the run commits), and one it
    cannot open (written by another version, or too damaged to open) is
    replaced by a new empty one, since nothing in it is kept anyway. Without
    ``rebuild`` such an index raises its error
    (:class:`~newssearch.errors.IndexVersionMismatch`, ...), as
    :func:`open_index` does. A lock held by another writer
    (:class:`~newssearch.errors.IndexLocked`) is never overridden.
    """
    where = Path(path) if path is not None else default_index_path()
    exists = index_exists(where)
    if shards is not None and exists:
        have = Manifest.read(where).shards if is_sharded(where) else 1
        if have != shards:
            raise ConfigError(
                f"{where} has {have} shard{'s' if have != 1 else ''}, not {shards}: index into a new folder"
                f" with --shards {shards} to re-shard",
                option="shards",
            )
    if shards is not None and shards > 1 and not exists:
        return create_index(where, shards=shards)
    return _open_or_replace(where) if rebuild else open_index(where, create=True)


def _open_or_replace(where: Path) -> NewsIndex:
    """The index a rebuild writes to: the existing one when this version can
    open it (its contents are replaced at the run's commit), else a new empty
    one in its place."""
    try:
        return open_index(where, create=True)
    except IndexLocked:
        raise
    except IndexStoreError:
        return create_index(where, overwrite=True)
