"""Re-analysing an index in place: every stored article written again with today's analysis.

An index written before analysis per language (issue 22) holds every
article's terms in the English fields, and a followed archive has no files
to ``index --rebuild`` from. :func:`reanalyse` reads each live article back
from its stored fields and writes it again as ``index`` would write it
today: its language kept, or, for an article stored before languages had a
provenance (no ``language_source``), resolved from its text as ``index``
resolves it (the stored language, if any, standing as the given one), and
its text indexed in its language's fields. Nothing else changes: the stored
fields are written back as read, and what was indexed but not stored is
carried over from the index itself, not derived again: the story label and
MinHash signature (columns: stories stay as they were, and later runs find
copies through the same band keys), the ingest sequence (``seq``: saved
searches match articles past the sequence they last matched, so an article
written again is not news to them, and no alert is raised), and the file it
came from (``origin``, whose path would otherwise be made absolute again
from today's working folder, and pruning would lose it). Deleted articles
are not written: they were already gone, and their bytes go as with
``compact``. Only the content fingerprint is computed again, since it
covers the language: indexing the same file later finds it unchanged.

Crash safety: one index (one shard) is written as one commit that replaces
all its segments (as ``index --rebuild`` without ``--commit-every``), under
the write lock (every shard's, taken before anything is read): killed at any
moment, the index is wholly as it was, or wholly re-analysed. Only after
that commit is the analysis version recorded in the manifest
(:meth:`~newssearch.engine.store.Store.mark_analysed`); killed between the
two, the next run does the work again instead of trusting a mark it never
wrote. A sharded index is re-analysed shard by shard, each shard one commit
and one mark, so a run killed part way resumes at the first shard not yet
marked. Batches within one index were not chosen: a rebuild in batches
resumes by reading its files again, but here the index is its own input,
and a batch commit would leave the index half old and half new, the rest
to be told apart by a mark per article; one commit costs scratch space and
memory bounded as an ``index`` run's is (the writer processes start new
segments when their share of ``limitmb`` is full).

Nothing to do is cheap: an index whose manifest records today's analysis
is not read at all.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..engine.reading import Snapshot
from ..engine.schema import ANALYSIS_VERSION, to_fields
from ..engine.shards import ShardedStore
from ..engine.store import Store, take_lock
from ..engine.writing import SegmentWriter, default_memory_mb, default_procs
from ..langanalysis import ENGLISH, group_fields, language_group
from ..languages import resolve_language
from ..model import Article

__all__ = ["Progress", "ReanalyseReport", "reanalyse"]

#: ``progress(stage, done, total)``: ``"reading"`` after each article
#: written (``done`` of ``total`` articles), ``"committing"`` once an
#: index's (a shard's) articles are all written and its commit begins.
Progress = Callable[[str, int, int], None]

#: Articles from which an index is written by the writer processes (as an
#: ``index`` run's: below, starting them costs more than they save).
PARALLEL_FROM = 1000


@dataclass
class ReanalyseReport:
    """What :func:`reanalyse` did.

    ``articles`` counts the articles written again; ``moved`` those whose
    text changed fields (out of the English fields into their language's,
    or between languages), by the language they are in now
    (``moved_to``); ``resolved`` those whose language was resolved now
    (stored before languages had a provenance); ``already`` is true when
    the manifest said every article was analysed by this version (nothing
    was read). ``shards_done`` and ``shards_skipped`` count the indexes
    (shards) written and those already current."""

    path: str
    articles: int = 0
    moved: int = 0
    moved_to: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    already: bool = False
    analysis_version: int = ANALYSIS_VERSION
    shards_done: int = 0
    shards_skipped: int = 0
    deleted_dropped: int = 0
    leftovers_removed: int = 0
    #: why merging the new segments failed (the commit stands all the same)
    merge_problem: str | None = None
    elapsed: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dataclasses.asdict(self) | {"elapsed": round(self.elapsed, 3)}


def reanalyse(
    store: Store | ShardedStore,
    *,
    timeout: float = 0.0,
    limitmb: int | None = None,
    procs: int | None = None,
    progress: Progress | None = None,
) -> ReanalyseReport:
    """Write every live article of ``store`` again with this version's
    analysis (see the module docstring), under the write lock (every
    shard's: ``timeout`` seconds to wait for another writer, then
    :class:`~newssearch.errors.IndexLocked`); ``limitmb`` and ``procs`` are
    as for an ``index`` run; ``progress`` is told how far it is."""
    started = time.perf_counter()
    stores = store.stores if isinstance(store, ShardedStore) else [store]
    report = ReanalyseReport(str(store.path))
    budget = max(1, (limitmb if limitmb is not None else default_memory_mb()) // len(stores))
    workers = default_procs() if procs is None else max(0, procs)
    locks = []
    try:
        for one in stores:  # every lock first: a second writer fails before anything is read
            lock = one.lock()
            take_lock(one.path, lock, timeout)
            locks.append(lock)
        todo = [(one, lock) for one, lock in zip(stores, locks, strict=True) if one.analysis_version() < ANALYSIS_VERSION]
        report.shards_skipped = len(stores) - len(todo)
        report.already = not todo
        total = sum(live for one, _lock in todo for live, _deleted in one.segment_counts())
        done = 0
        for one, lock in todo:
            done = _reanalyse_one(one, lock, report, done, total, workers=workers, limitmb=budget, progress=progress)
            report.shards_done += 1
    finally:
        for lock in locks:
            lock.release()
    report.elapsed = time.perf_counter() - started
    return report


def _reanalyse_one(
    store: Store,
    lock: Any,
    report: ReanalyseReport,
    done: int,
    total: int,
    *,
    workers: int,
    limitmb: int,
    progress: Progress | None,
) -> int:
    """Re-analyse one index (one shard) as one commit, then mark it; return
    the articles written so far in the run (for ``progress``)."""
    report.leftovers_removed += store.remove_orphans()
    if store.doc_count_all() == 0:
        store.mark_analysed()  # nothing to write: an empty index is analysed by any version
        return done
    snapshot = store.snapshot()
    try:
        live = snapshot.doc_count()
        report.deleted_dropped += snapshot.doc_count_all() - live
        # language fields written by earlier rules (a language stemmed since) are written by today's
        fields = store.outdated_fields()
        writer = SegmentWriter(store, lock, workers=workers if live >= PARALLEL_FROM else 0, limitmb=limitmb, fields=fields)
        try:
            for fields in _rewritten(snapshot, report):
                writer.add(fields)
                done += 1
                if progress is not None:
                    progress("reading", done, total)
        except BaseException:
            writer.abandon()  # releases the lock: the run's finally releases it again, harmlessly
            raise
    finally:
        snapshot.close()
    if progress is not None:
        progress("committing", done, total)
    # the old segments stay readable until the new table of contents lists only the new ones
    writer.commit(release_lock=False, replace_all=True)
    if writer.merge_problem:
        report.merge_problem = writer.merge_problem
    store.mark_analysed()
    return done


def _rewritten(snapshot: Snapshot, report: ReanalyseReport) -> Iterator[dict[str, Any]]:
    """The fields of every live article, in document order, as this version writes it
    (see the module docstring for what is kept and what is made again)."""
    stories = snapshot.column("story")
    signatures = snapshot.column("minhash")
    sequences = snapshot.column("seq")
    origins: dict[int, str] = {}
    for seg in snapshot.segments:  # one walk of the terms, not a query per file
        for text, docs in seg.term_holders("origin"):
            origin = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            for docnum in docs:
                origins[docnum + seg.offset] = origin
    english = group_fields(ENGLISH)
    for docnum, article in snapshot.numbered_articles():
        in_english = any(snapshot.field_length(docnum, name) for name in english)
        was = ENGLISH if in_english else language_group(article.language)
        article = _resolved(article, report)
        now = language_group(article.language)
        if now != was:
            report.moved += 1
            code = article.language or "none"
            report.moved_to[code] = report.moved_to.get(code, 0) + 1
        fields = to_fields(article)
        fields.pop("origin", None)
        if docnum in origins:
            fields["origin"] = origins[docnum]
        fields.update(story=int(stories[docnum]), minhash=bytes(signatures[docnum]), seq=int(sequences[docnum]))
        report.articles += 1
        yield fields
    report.moved_to = dict(Counter(report.moved_to).most_common())


def _resolved(article: Article, report: ReanalyseReport) -> Article:
    """The article with its language as ``index`` resolves it today: kept
    when it has a provenance (it was resolved by these rules), else resolved
    from its text with the stored language, if any, as the given one."""
    if article.language_source is not None:
        return article
    code, source = resolve_language(article.language, article.title, article.body)
    report.resolved += 1
    return dataclasses.replace(article, language=code, language_source=source)
