"""Open or create an index, and add articles to it safely.

Whoosh allows one writer at a time and writes a new segment per commit. The
:class:`ArticleWriter` here wraps one Whoosh writer for one run: it commits
once when the run succeeds and cancels on any error or Ctrl-C, so an index on
disk is always what its last commit made it. It also decides, per article,
whether it is new, an update of a stored article (same id, different
content), unchanged, or a repeat of one already seen in this run, so that
re-indexing the same folder changes nothing.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .errors import (
    IndexLocked,
    IndexNotFound,
    IndexStoreError,
    IndexVersionMismatch,
    IngestError,
    NewsSearchError,
)
from .engine.errors import mapped
from .model import Article
from .schema import SCHEMA_VERSION, build_schema, from_stored, to_fields

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from .model import SearchResults, Timeline

__all__ = [
    "ArticleWriter",
    "IndexReport",
    "IndexStats",
    "NewsIndex",
    "create_index",
    "default_index_path",
    "open_index",
]

INDEX_NAME = "newssearch"
_META_FILE = "newssearch.json"
# files a fresh index folder may already hold (the repo ships index/.gitignore)
_HARMLESS = {".gitignore", ".gitkeep", "README", "README.md", _META_FILE}


def default_index_path() -> Path:
    """``NEWSSEARCH_INDEX`` if set, else ``./index``."""
    return Path(os.environ.get("NEWSSEARCH_INDEX") or "index")


@dataclass
class IndexReport:
    """What one indexing run did, for the summary a user reads."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    deleted: int = 0
    no_date: int = 0
    files: int = 0
    failed: list[IngestError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    committed: bool = False

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicates

    @property
    def changed(self) -> int:
        return self.added + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "articles": self.articles,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "deleted": self.deleted,
            "no_date": self.no_date,
            "failed": [str(e) for e in self.failed],
            "skipped": [f"{name}: {why}" for name, why in self.skipped],
            "elapsed": round(self.elapsed, 3),
            "committed": self.committed,
        }


@dataclass(frozen=True)
class IndexStats:
    """A summary of what an index holds."""

    path: str
    articles: int
    earliest: datetime | None
    latest: datetime | None
    undated: int
    outlets: dict[str, int]
    size_bytes: int
    segments: int


class ArticleWriter:
    """Adds articles to one index in one transaction.

    Use as a context manager: it commits when the block ends normally and
    cancels when it raises (including ``KeyboardInterrupt``)::

        with ix.writer() as w:
            w.add_many(newssearch.read_path("articles/"))

    Large runs are written by ``procs`` processes in parallel (Whoosh's
    multiprocess writer, one new segment per process): analysis and posting
    writing are pure Python, so a second core nearly halves the time. Small
    runs, under ``PARALLEL_FROM`` articles, stay in this process and make one
    segment, since starting workers would cost more than it saves.
    """

    #: Articles buffered before deciding to write in parallel.
    PARALLEL_FROM = 1000
    #: Articles handed to a worker process at a time.
    PARALLEL_BATCH = 256

    # Segments are written as separate files, not Whoosh's default compound
    # file: whoosh3 opens a compound file's parts through BytesIO(memoryview),
    # copying each part into memory, which made opening a 90 MB index and
    # running its first query take ~110 ms instead of ~15 ms.

    def __init__(
        self,
        index: NewsIndex,
        *,
        timeout: float = 0.0,
        limitmb: int = 256,
        procs: int | None = None,
        commit_every: int | None = None,
    ) -> None:
        self._index = index
        self._commit_every = commit_every if commit_every and commit_every > 0 else None
        self._in_batch = 0
        self.report = IndexReport()
        self._seen: set[str] = set()
        self._started = time.perf_counter()
        self._limitmb = limitmb
        self._procs = _default_procs() if procs is None else max(1, procs)
        self._pending: list[tuple[str, dict[str, Any]]] = []
        # Take the lock now, so a second writer fails at once, but create the
        # Whoosh writer only when something changes: a Whoosh writer creates
        # its segment files up front and its cancel() leaves them behind.
        self._lock = index._ix.lock("WRITELOCK")
        if not _acquire(self._lock, timeout):
            raise IndexLocked(
                f"index {index.path} is locked by another writer; wait for it to finish"
                " or use --wait (Whoosh allows one writer at a time)"
            )
        self._writer: Any = None
        try:
            # what the index held when this run began: the base for "unchanged"
            self._existing: Searcher | None = None
            self._fingerprints: Any = None
            with mapped(index.path):
                if index._ix.doc_count_all() > 0:
                    self._existing = index._ix.searcher()
                    self._fingerprints = self._existing.reader().column_reader("fingerprint")
        except BaseException:
            self._lock.release()
            raise
        self._open = True

    def _whoosh_writer(self, parallel: bool) -> Any:
        if self._writer is None:
            with mapped(self._index.path):
                if parallel:
                    self._writer = self._index._ix.writer(
                        procs=self._procs,
                        multisegment=True,
                        batchsize=self.PARALLEL_BATCH,
                        _lk=False,
                        subargs={"limitmb": max(32, self._limitmb // self._procs), "compound": False},
                        compound=False,
                    )
                else:
                    self._writer = self._index._ix.writer(_lk=False, limitmb=self._limitmb, compound=False)
            # Whoosh releases this lock on commit; on cancel we release it
            # ourselves, after removing the cancelled segments' files
            self._writer.writelock = self._lock
        return self._writer

    def _write(self, kind: str, fields: dict[str, Any]) -> None:
        self._in_batch += 1
        if self._writer is None:
            self._pending.append((kind, fields))
            if len(self._pending) < self.PARALLEL_FROM:
                return
            self._flush_pending(parallel=self._procs > 1)
        else:
            self._send(kind, fields)
        if self._commit_every and self._in_batch >= self._commit_every:
            self._commit_batch()

    def _commit_batch(self) -> None:
        """Commit what this run has written so far and go on under the same
        lock. Whoosh's writer spills sorted runs of postings to disk until
        it commits (about 75 KB per 400-word article), so a million articles
        in one commit need ~75 GB of scratch space; batches bound it."""
        if self._pending:
            self._flush_pending(parallel=self._procs > 1)
        writer, self._writer = self._writer, None
        self._in_batch = 0
        if writer is None:
            return
        writer.writelock = None  # keep the lock: the run is not over
        try:
            with mapped(self._index.path):
                writer.commit()
        except BaseException:
            self._writer = writer
            self._abandon()
            self._open = False
            raise
        self.report.committed = True

    def _flush_pending(self, parallel: bool) -> None:
        writer = self._whoosh_writer(parallel)
        pending, self._pending = self._pending, []
        for kind, fields in pending:
            self._send(kind, fields, writer)

    def _send(self, kind: str, fields: dict[str, Any], writer: Any = None) -> None:
        writer = writer or self._writer
        with mapped(self._index.path):
            if kind == "update":
                writer.update_document(**fields)
            else:
                writer.add_document(**fields)

    def add(self, article: Article) -> str:
        """Index one article; return ``added``, ``updated``, ``unchanged`` or
        ``duplicate`` (same id already seen in this run: the first one wins,
        because Whoosh cannot replace a document it has not committed)."""
        if not self._open:
            raise IndexStoreError("this writer has already been committed or cancelled")
        if article.id in self._seen:
            self.report.duplicates += 1
            return "duplicate"
        self._seen.add(article.id)
        fields = to_fields(article)
        status = "added"
        if self._existing is not None:
            docnum = self._existing.document_number(id=article.id)
            if docnum is not None:
                if self._fingerprints[docnum] == fields["fingerprint"]:
                    self.report.unchanged += 1
                    return "unchanged"
                status = "updated"
        self._write("update" if status == "updated" else "add", fields)
        if status == "updated":
            self.report.updated += 1
        else:
            self.report.added += 1
        if article.published is None:
            self.report.no_date += 1
        return status

    def add_many(self, articles: Iterable[Article]) -> IndexReport:
        """Index every article from an iterable; return the running report."""
        for article in articles:
            self.add(article)
        return self.report

    def delete(self, article_id: str) -> bool:
        """Delete a stored article by id; return whether one was found."""
        if self._existing is None:
            return False
        docnum = self._existing.document_number(id=article_id)
        if docnum is None:
            return False
        if self._writer is None:
            self._flush_pending(parallel=False)
        self._writer.delete_document(docnum)
        self.report.deleted += 1
        return True

    def commit(self) -> IndexReport:
        """Write the run to disk, or leave the index untouched when nothing
        changed (so a re-run does not even create a new segment)."""
        if not self._open:
            return self.report
        self._close_existing()
        self._open = False
        if self._pending:
            self._flush_pending(parallel=False)
        if self._writer is None:
            self._lock.release()
        else:
            try:
                self._writer.writelock = self._lock  # released by Whoosh with the commit
                with mapped(self._index.path):
                    self._writer.commit()
                self.report.committed = True
            except BaseException:
                self._abandon()
                raise
        self.report.elapsed = time.perf_counter() - self._started
        self._index._changed()
        return self.report

    def cancel(self) -> None:
        """Drop everything added in this run; the index stays as committed."""
        if not self._open:
            return
        self._open = False
        self._pending = []
        self._close_existing()
        if self._writer is None:
            self._lock.release()
        else:
            self._abandon()
        self.report.elapsed = time.perf_counter() - self._started

    def _abandon(self) -> None:
        """Cancel the Whoosh writer and delete the files its new segments left
        (Whoosh's cancel() leaves them), then release the lock. The files are
        removed while the lock is held, so no other writer's new files are
        mistaken for leftovers."""
        writer = self._writer
        writer.writelock = None
        try:
            writer.cancel()
        except BaseException:  # noqa: BLE001 - cancelling must never mask the first error
            pass
        _stop_workers(writer)
        try:
            _remove_orphans(self._index._ix)
        except Exception:  # noqa: BLE001
            pass
        finally:
            try:
                self._lock.release()
            except Exception:  # noqa: BLE001
                pass

    def _close_existing(self) -> None:
        if self._existing is not None:
            self._existing.close()
            self._existing = None

    def __enter__(self) -> ArticleWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


def _stop_workers(writer: Any) -> None:
    """End a cancelled multiprocess writer's worker processes.

    Whoosh's MpWriter.cancel() only flags its workers; one waiting for its
    next batch never sees the flag and outlives the run (a Ctrl-C left
    orphan processes behind). Each gets an end-of-work sentinel, then is
    terminated if it does not finish."""
    tasks = getattr(writer, "tasks", None)
    if not tasks:
        return
    queue = getattr(writer, "jobqueue", None)
    for _task in tasks:
        try:
            if queue is not None:
                queue.put_nowait(None)
        except Exception:  # noqa: BLE001 - a full or closed queue: terminate below
            pass
    for task in tasks:
        try:
            task.join(timeout=2)
            if task.is_alive():
                task.terminate()
                task.join(timeout=2)
        except Exception:  # noqa: BLE001
            pass


def _default_procs() -> int:
    """Two writer processes where fork is available and there are two cores."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or os.name != "posix" or sys.platform == "darwin":
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _remove_orphans(ix: whoosh_index.Index) -> None:
    """Delete segment files no committed TOC refers to, and the writers'
    scratch folder (job files handed to worker processes)."""
    import shutil

    folder = getattr(ix.storage, "folder", None)
    if folder:
        shutil.rmtree(Path(folder) / f"{INDEX_NAME}.tmp", ignore_errors=True)
    live = {seg.segment_id() for seg in ix._segments()}
    prefix = f"{INDEX_NAME}_"
    for name in ix.storage.list():
        if not name.startswith(prefix) or name.endswith("WRITELOCK"):
            continue
        segid = name.split(".", 1)[0]
        if segid not in live:
            try:
                ix.storage.delete_file(name)
            except OSError:
                pass


class NewsIndex:
    """An open newssearch index: add articles, search, fetch, summarise.

    The searcher is opened once and kept across queries (opening one costs
    far more than a query), and reopened when a commit has changed the index.
    """

    def __init__(self, path: Path, ix: whoosh_index.Index) -> None:
        self.path = path
        self._ix = ix
        self._searcher: Searcher | None = None

    # --- writing -------------------------------------------------------
    def writer(
        self, *, timeout: float = 0.0, limitmb: int = 256, procs: int | None = None, commit_every: int | None = None
    ) -> ArticleWriter:
        """Return a writer for one run (see :class:`ArticleWriter`).

        ``timeout`` is how long to wait for another writer's lock before
        raising :class:`~newssearch.errors.IndexLocked`; ``procs`` is how
        many processes write a large run (default: 2 where fork is
        available, else 1); ``limitmb`` bounds the memory of the posting
        buffer before it spills to disk; ``commit_every`` commits after that
        many new or changed articles (bounding scratch disk space on very
        large runs; an interrupted run then keeps the batches committed).
        """
        return ArticleWriter(self, timeout=timeout, limitmb=limitmb, procs=procs, commit_every=commit_every)

    def add(self, articles: Iterable[Article] | Article) -> IndexReport:
        """Index articles in one transaction and return the report."""
        if isinstance(articles, Article):
            articles = [articles]
        with self.writer() as w:
            w.add_many(articles)
        return w.report

    def _changed(self) -> None:
        """Drop the shared searcher after a commit; the next query opens a
        fresh one. Not Searcher.refresh(): in whoosh3 3.54.0 it reuses
        segment readers with stale deletions and keeps segments a merge
        removed, so counts and results go wrong after an update."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    # --- reading -------------------------------------------------------
    def searcher(self) -> Searcher:
        """The shared Whoosh searcher, reopened only when the index changed."""
        with mapped(self.path):
            if self._searcher is not None and not self._searcher.up_to_date():
                self._changed()  # another process committed
            if self._searcher is None:
                self._searcher = self._ix.searcher(weighting=_weighting())
        return self._searcher

    def __len__(self) -> int:
        return self.searcher().doc_count()

    def get(self, article_id: str) -> Article | None:
        """Return the stored article with this id (or a unique id prefix)."""
        with mapped(self.path):
            return self._get(article_id)

    def _get(self, article_id: str) -> Article | None:
        s = self.searcher()
        fields = s.document(id=article_id)
        if fields is None and 4 <= len(article_id) < 16:
            from whoosh.query import Prefix

            found = list(s.search(Prefix("id", article_id.lower()), limit=2))
            if len(found) == 1:
                fields = found[0].fields()
        return from_stored(fields) if fields else None

    def iter_articles(self) -> Iterator[Article]:
        """Every stored article, in index order."""
        s = self.searcher()
        with mapped(self.path):
            for fields in s.all_stored_fields():
                yield from_stored(fields)

    def search(self, query: str = "", **options: Any) -> SearchResults:
        """Run a query; see :func:`newssearch.searcher.search` for options."""
        from .searcher import search

        with mapped(self.path):
            return search(self, query, **options)

    def timeline(self, query: str = "", **options: Any) -> Timeline:
        """Matching articles per period; see :func:`newssearch.timeline.timeline`."""
        from .timeline import timeline

        with mapped(self.path):
            return timeline(self, query, **options)

    def suggest(self, query: str) -> str | None:
        """The query with misspelled words corrected from the index's own
        vocabulary, or None when nothing looks misspelled."""
        from .spelling import suggest

        with mapped(self.path):
            return suggest(self.searcher(), query)

    def similar(self, article_id: str, *, limit: int = 10, snippets: bool = True) -> SearchResults:
        """The articles most like a stored one, without it and its duplicates."""
        from .similar import similar

        with mapped(self.path):
            return similar(self, article_id, limit=limit, snippets=snippets)

    def stats(self) -> IndexStats:
        """Article count, date range, outlets and size on disk."""
        with mapped(self.path):
            return self._stats()

    def _stats(self) -> IndexStats:
        s = self.searcher()
        reader = s.reader()
        field = s.schema["published"]
        dated = [field.from_bytes(t) for t in field.sortable_terms(reader, "published")]
        undated = s.doc_count() - _count_dated(s)
        outlets: dict[str, int] = {}
        for term in reader.lexicon("source"):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            live = sum(1 for _ in s.docs_for_query(_term("source", text)))  # live docs only
            if live:
                stored = s.document(source=text)  # the original spelling, for display
                name = stored.get("source", text) if stored else text
                outlets[name] = outlets.get(name, 0) + live
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        earliest = min(dated).replace(tzinfo=_utc()) if dated else None
        latest = max(dated).replace(tzinfo=_utc()) if dated else None
        return IndexStats(
            path=str(self.path),
            articles=s.doc_count(),
            earliest=earliest,
            latest=latest,
            undated=undated,
            outlets=dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))),
            size_bytes=size,
            segments=len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
        )

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> NewsIndex:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"NewsIndex({str(self.path)!r})"


def _weighting() -> Any:
    """BM25F with newssearch's tuned parameters (see newssearch.ranking)."""
    from whoosh.scoring import BM25F

    from .ranking import BM25_B, BM25_K1

    return BM25F(B=BM25_B, K1=BM25_K1)


def _acquire(lock: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if lock.acquire():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _utc():  # type: ignore[no-untyped-def]
    from datetime import timezone

    return timezone.utc


def _term(field: str, text: str):  # type: ignore[no-untyped-def]
    from whoosh.query import Term

    return Term(field, text)


def _count_dated(s: Searcher) -> int:
    from whoosh.query import Every

    return sum(1 for _ in s.docs_for_query(Every("published")))


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"newssearch {version('newssearch')}, whoosh3 {version('whoosh3')}"
    except PackageNotFoundError:
        return "newssearch (not installed)"


def _write_meta(path: Path) -> None:
    meta = {
        "format": "newssearch",
        "schema_version": SCHEMA_VERSION,
        "created_by": _versions(),
    }
    (path / _META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _check_meta(path: Path) -> None:
    meta_path = path / _META_FILE
    if not meta_path.exists():
        return  # an index made by Whoosh directly: allow it, the schema check follows
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"index {path}: unreadable {_META_FILE}: {exc}") from None
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionMismatch(
            f"index {path} has schema version {version}, this newssearch needs {SCHEMA_VERSION};"
            " re-create it with 'newssearch index --rebuild PATH...'"
        )


def open_index(path: str | Path | None = None, *, create: bool = False) -> NewsIndex:
    """Open the index at ``path`` (default: :func:`default_index_path`).

    With ``create=True`` a missing index is created; otherwise a missing one
    raises :class:`~newssearch.errors.IndexNotFound`.
    """
    where = Path(path) if path is not None else default_index_path()
    if not _has_index(where):
        if create:
            return create_index(where)
        if where.exists() and not where.is_dir():
            raise IndexNotFound(f"{where} is a file, not an index folder")
        raise IndexNotFound(f"no index at {where}; create one with 'newssearch index PATH --index {where}'")
    _check_meta(where)
    try:
        with mapped(where):
            ix = whoosh_index.open_dir(str(where), indexname=INDEX_NAME)
    except (AttributeError, ImportError, pickle.UnpicklingError) as exc:
        # the pickled schema names classes this version does not have
        raise IndexVersionMismatch(
            f"index {where} was written by another version of newssearch ({exc});"
            " re-create it with 'newssearch index --rebuild PATH...'"
        ) from None
    _check_schema(ix, where)
    return NewsIndex(where, ix)


def _has_index(where: Path) -> bool:
    """Whether ``where`` holds an index, without unpickling it (an index
    from another version may not unpickle)."""
    if not where.is_dir():
        return False
    pattern = re.compile(rf"_{INDEX_NAME}_\d+\.toc$")
    return any(pattern.match(p.name) for p in where.iterdir())


def _check_schema(ix: whoosh_index.Index, where: Path) -> None:
    expected = set(build_schema().names())
    actual = set(ix.schema.names())
    if expected != actual:
        raise IndexVersionMismatch(
            f"index {where} has fields {sorted(actual ^ expected)} that differ from this version's schema"
        )


def create_index(path: str | Path | None = None, *, overwrite: bool = False) -> NewsIndex:
    """Create an empty index at ``path``.

    Refuses a folder that holds other files (so a typo cannot scatter index
    files among a user's documents) and, unless ``overwrite``, one that
    already holds an index.
    """
    where = Path(path) if path is not None else default_index_path()
    if where.exists() and not where.is_dir():
        raise IndexStoreError(f"cannot create an index at {where}: it is a file")
    if where.is_dir():
        has_index = _has_index(where)
        if has_index and not overwrite:
            raise IndexStoreError(f"an index already exists at {where}")
        others = [
            p.name
            for p in where.iterdir()
            if p.name not in _HARMLESS and not (has_index and _is_index_file(p.name))
        ]
        if others:
            raise IndexStoreError(
                f"cannot create an index in {where}: the folder holds other files ({', '.join(sorted(others)[:3])})"
            )
        if has_index:
            for p in where.iterdir():
                if _is_index_file(p.name):
                    p.unlink()
    with mapped(where):
        where.mkdir(parents=True, exist_ok=True)
        storage = FileStorage(str(where))
        ix = storage.create_index(build_schema(), indexname=INDEX_NAME)
        _write_meta(where)
    return NewsIndex(where, ix)


def _is_index_file(name: str) -> bool:
    return name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_")) or name.endswith((".seg", ".toc", ".trm", ".pst", ".vps", ".fcs", ".lock")) or name == _META_FILE
