"""Building a sharded index on a Dask cluster (``pip install 'newssearch[cluster]'``).

Dask (``dask.distributed``) does the scheduling, the data movement, and the
retries when a worker dies; this module only says what the tasks are. The
same code runs on a laptop's ``LocalCluster``, a batch system
(dask-jobqueue) or Kubernetes (dask-kubernetes).

A build has three kinds of task:

1. **Read** (one per partition of the input files: up to
   :data:`FILES_PER_PARTITION` files or :data:`BYTES_PER_PARTITION` bytes,
   each WARC archive alone). A worker reads and extracts the articles
   (the expensive part: HTML extraction), computes each one's MinHash
   signature, and keeps them split by shard. Only the signatures (an id,
   64 numbers and a date per article) travel to the client.
2. **Group** (on the client). One :class:`~newssearch.stories.StoryGrouper`
   sees every signature, in input order, and the index as it was, so the
   copies of a wire story are one story whatever shard they land in.
3. **Write** (one per shard). A worker receives its shard's articles from
   every read task, and their story labels, and writes the shard.
   - A new index (or a rebuild) is written into a folder on the worker's
     local disk, then published: copied beside its place in the index and
     renamed into it.
   - An existing shard is updated in place, under its write lock, so that
     unchanged articles are recognised.

Every task is safe to run twice. Reading is pure. A new shard is written
from scratch into a folder of its own, so a second run of the task replaces
the first. An update recognises the articles the first attempt committed
as unchanged. So when Dask retries the tasks of a worker that died, no
article is lost and none is stored twice. The client records the run in
the manifest once every shard is written.

What the cluster must see: the input files and the index folder at the
same absolute paths on every worker and on the client (a shared or network
filesystem). Workers write new shards on their own local disk first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine.shards import Manifest, ShardedStore, is_sharded, shard_of
from .engine.store import Store, has_index
from .errors import ConfigError, IndexStoreError, IngestError
from .model import Article
from .search.ranker import Ranker
from .search.stats import GivenStats
from .writer import IndexReport

if TYPE_CHECKING:
    from distributed import Client

    from .ingest import Limits

__all__ = [
    "BYTES_PER_PARTITION",
    "FILES_PER_PARTITION",
    "ClusterRanker",
    "ShardSearcher",
    "build_on_cluster",
    "connect",
    "fan_out",
    "partitions",
]

#: At most this many files are read by one task.
FILES_PER_PARTITION = 64
#: At most about this many bytes are read by one task (a bigger file is a task of its own).
BYTES_PER_PARTITION = 64 * 2**20
#: Memory a shard's writer holds per article until it commits (measured:
#: ~115 bytes a posting, a few hundred postings a news article).
ARTICLE_BYTES = 30_000
#: How many times Dask runs a task again after its worker died.
RETRIES = 3
_ARCHIVES = (".warc", ".arc")


def connect(address: str) -> Client:
    """A client of the Dask scheduler at ``address`` (``tcp://host:8786``)."""
    distributed = _dask()
    try:
        client: Client = distributed.Client(address, timeout="10s")
        return client
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}", option="cluster") from None


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "building on a cluster needs Dask: pip install 'newssearch[cluster]'", option="cluster"
        ) from None
    return distributed


def partitions(
    paths: Iterable[str | Path], *, limits: Limits | None = None, follow_links: bool = False
) -> tuple[list[list[str]], list[IngestError], list[tuple[str, str]]]:
    """The input files under ``paths`` (absolute, in the order a local run
    reads them) in partitions of up to :data:`FILES_PER_PARTITION` files or
    :data:`BYTES_PER_PARTITION` bytes, each WARC archive alone; the errors
    met while listing; and the files skipped as not articles (name, why)."""
    from .ingest import Skipped, iter_sources
    from .ingest.base import inner_suffix

    out: list[list[str]] = []
    errors: list[IngestError] = []
    skipped: list[tuple[str, str]] = []
    current: list[str] = []
    size = 0
    for item in iter_sources(paths, limits=limits, follow_links=follow_links):
        if isinstance(item, Skipped):
            skipped.append((item.name, item.reason))
            continue
        if isinstance(item, IngestError):
            errors.append(item)
            continue
        if item.path is None:
            errors.append(IngestError(item.name, "standard input cannot be read on a cluster; save it to a file"))
            continue
        name = str(item.path.absolute())
        length = item.path.stat().st_size
        if inner_suffix(item.path) in _ARCHIVES or length >= BYTES_PER_PARTITION:
            out.append([name])
            continue
        if current and (len(current) >= FILES_PER_PARTITION or size + length > BYTES_PER_PARTITION):
            out.append(current)
            current, size = [], 0
        current.append(name)
        size += length
    if current:
        out.append(current)
    return out, errors, skipped


@dataclass
class _Read:
    """What a read task gives: per shard, the articles with their signatures."""

    by_shard: list[list[tuple[Article, bytes]]]
    #: every article's id, signature and date, in the order they were read
    signatures: list[tuple[str, bytes, datetime | None]] = field(default_factory=list)
    files: int = 0
    notices: int = 0
    errors: list[tuple[str | None, str, int | None]] = field(default_factory=list)


def _read(files: list[str], shards: int, options: dict[str, Any]) -> _Read:
    """Read one partition on a worker (task 1)."""
    from .ingest import Limits, read_path
    from .signature import signature

    out = _Read([[] for _ in range(shards)])

    def failed(err: IngestError) -> None:
        out.errors.append((err.path, err.problem, err.line))

    def noticed(_notice: Any) -> None:
        out.notices += 1

    def opened(_source: Any) -> None:
        out.files += 1

    limits = Limits(**options.pop("limits")) if options.get("limits") else None
    for article in read_path(files, on_error=failed, on_notice=noticed, on_file=opened, limits=limits, **options):
        values = signature(article.title, article.body).values
        out.by_shard[shard_of(article.id, shards)].append((article, values))
        out.signatures.append((article.id, values, article.published))
    return out


def _signatures(read: _Read) -> list[tuple[str, bytes, datetime | None]]:
    """The part of a read task the client groups by: ids, signatures, dates, in the order read."""
    return read.signatures


def _read_counts(read: _Read) -> tuple[int, int, list[tuple[str | None, str, int | None]]]:
    return read.files, read.notices, read.errors


def _piece(read: _Read, shard: int) -> list[tuple[Article, bytes]]:
    return read.by_shard[shard]


def _write_shard(
    shard: int, index: str, pieces: list[list[tuple[Article, bytes]]], labels: dict[str, int], seq: int, fresh: bool, limitmb: int
) -> dict[str, Any]:
    """Write one shard on a worker (task 3); return its report."""
    known = {a.id: (labels[a.id], values) for piece in pieces for a, values in piece if a.id in labels}
    target = ShardedStore.shard_path(Path(index), shard)
    if fresh:
        local = Path(tempfile.mkdtemp(prefix=f"newssearch-shard-{shard:03d}-"))
        try:
            store = Store.create(local / "shard")
            report = _write(store, pieces, known, seq, limitmb)
            _publish(local / "shard", target)
        finally:
            shutil.rmtree(local, ignore_errors=True)
    else:
        report = _write(Store.open(target), pieces, known, seq, limitmb)
    return report.as_dict()


def _write(
    store: Store, pieces: list[list[tuple[Article, bytes]]], known: dict[str, tuple[int, bytes]], seq: int, limitmb: int
) -> IndexReport:
    from .stories import KnownStories
    from .writer import ArticleWriter

    # procs=0: a Dask worker process may not start processes of its own, so
    # the shard's postings are held in this one; committing every so many
    # articles keeps them within limitmb (the segments are merged at the end)
    every = max(2_000, limitmb * 2**20 // ARTICLE_BYTES)
    with ArticleWriter(store, timeout=600, limitmb=limitmb, procs=0, seq=seq, stories=KnownStories(known), commit_every=every) as w:
        for piece in pieces:
            for article, _values in piece:
                w.add(article)
    return w.report


def _publish(built: Path, target: Path) -> None:
    """Put a shard written elsewhere in its place: copied beside it, then
    renamed into it (the old shard, if any, is renamed away first and removed)."""
    beside = target.with_name(f"{target.name}.new-{uuid.uuid4().hex[:8]}")
    shutil.copytree(built, beside)
    old = None
    if target.exists():
        old = target.with_name(f"{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
    os.replace(beside, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_on_cluster(
    paths: Iterable[str | Path],
    index: str | Path,
    *,
    client: Client,
    shards: int | None = None,
    rebuild: bool = False,
    format: str | None = None,
    tz: str | tzinfo | None = None,
    source: str | None = None,
    limits: Limits | None = None,
    follow_links: bool = False,
    limitmb: int = 1024,
) -> IndexReport:
    """Index ``paths`` into the sharded index at ``index`` on the Dask
    cluster of ``client`` (see the module docstring); return the run's
    report, counted as a local run counts. ``shards`` creates the index when
    it is missing (it must match an existing one); ``rebuild`` replaces
    the index's contents with what this run reads. ``limitmb`` is each
    shard writer's memory budget: it commits every ``limitmb`` /
    :data:`ARTICLE_BYTES` articles (at least 2,000)."""
    from .stories import StoryGrouper
    from .signature import Signature

    started = time.perf_counter()
    where = Path(index).absolute()
    if has_index(where) and not is_sharded(where):
        raise IndexStoreError(f"{where} is an index of one shard: build on a cluster into a new folder with --shards N")
    if is_sharded(where):
        have = Manifest.read(where).shards
        if shards is not None and shards != have:
            raise ConfigError(f"{where} has {have} shards, not {shards}: index into a new folder to re-shard", option="shards")
        store = ShardedStore.open(where)
        fresh = rebuild or store.doc_count_all() == 0
    else:
        if not shards:
            raise ConfigError("a new index on a cluster needs --shards N", option="shards")
        store = ShardedStore.create(where, shards)
        fresh = True
    n = store.shards
    report = IndexReport()
    parts, errors, skipped = partitions(paths, limits=limits, follow_links=follow_links)
    report.failed += errors
    report.skipped += skipped
    options: dict[str, Any] = {"format": format, "tz": tz, "source": source}
    if limits is not None:
        options["limits"] = {"input_bytes": limits.input_bytes, "field_chars": limits.field_chars, "title_chars": limits.title_chars}
    reads = [client.submit(_read, files, n, dict(options), retries=RETRIES, pure=False) for files in parts]
    sigs = client.gather([client.submit(_signatures, r, retries=RETRIES) for r in reads])
    counts = client.gather([client.submit(_read_counts, r, retries=RETRIES) for r in reads])
    # group every article's signature here, in input order, against the index as it was
    existing = store.snapshot() if not fresh else None
    grouper = StoryGrouper(existing)
    labels: list[dict[str, int]] = [{} for _ in range(n)]
    for part in sigs:
        for article_id, values, published in part:
            k = shard_of(article_id, n)
            if article_id not in labels[k]:
                labels[k][article_id] = grouper.assign_signature(article_id, Signature(values), published)
    if existing is not None:
        existing.close()
    seq = store.generation() + 1
    writes = []
    for k in range(n):
        pieces = [client.submit(_piece, r, k, retries=RETRIES) for r in reads]
        writes.append(client.submit(_write_shard, k, str(where), pieces, labels[k], seq, fresh, limitmb, retries=RETRIES, pure=False))
    shard_reports = client.gather(writes)
    store.set_sequence(seq)
    from .index import open_index

    with open_index(where) as ix:  # the saved searches see the run, as after a local one
        if ix.saved.exists():
            report.alerts = len(ix.saved.match_new())
    for files, notices, failures in counts:
        report.files += files
        report.failed += [IngestError(path, problem, line) for path, problem, line in failures]
    for r in shard_reports:
        for name in ("added", "updated", "unchanged", "duplicates", "deleted", "no_date"):
            setattr(report, name, getattr(report, name) + int(r[name]))
        report.committed |= bool(r["committed"])
    report.elapsed = time.perf_counter() - started
    return report


# --- searching: a query fanned out to the workers --------------------------


class ShardSearcher:
    """One shard kept open on a worker (a Dask actor): it gives its share of
    a query's statistics, then its matches scored with the sums."""

    def __init__(self, index: str, shard: int) -> None:
        self._store = Store.open(ShardedStore.shard_path(Path(index), shard))
        self._snapshot: Any = None
        self._ranker: Any = None

    def _current(self) -> Any:
        from .search.bm25 import BM25_B, BM25_K1
        from .search.ranker import Ranker

        if self._snapshot is None or not self._snapshot.is_current():
            if self._snapshot is not None:
                self._snapshot.close()
            self._snapshot = self._store.snapshot(k1=BM25_K1, b=BM25_B)
            self._ranker = Ranker(self._snapshot)
        return self._ranker

    def statistics(self, words: list[tuple[tuple[str, ...], str]]) -> tuple[int, list[int]]:
        """This shard's documents and each word's document frequency."""
        ranker = self._current()
        return ranker.snapshot.doc_count_all(), [ranker.doc_frequency_any(fields, text) for fields, text in words]

    def matches(self, q: Any, restrict: Any, docs: int, words: list[Any], frequencies: list[int], lengths: dict[str, float], expansions: dict[str, list[Any]]) -> Any:
        """This shard's matches (its document numbers) scored with the collection's statistics."""
        local = self._current()
        stats = GivenStats(docs, dict(zip(words, frequencies)), lengths, lambda sub: expansions[repr(sub)])
        return Ranker(local.snapshot, stats=stats).matches(q, restrict)


def fan_out(client: Client, store: ShardedStore) -> Any:
    """What :meth:`newssearch.NewsIndex.search_on` installs: for each new
    snapshot, a :class:`ClusterRanker` over the shards' actors."""
    actors = [client.submit(ShardSearcher, str(store.path), n, actor=True).result() for n in range(store.shards)]

    def make(snapshot: Any) -> Any:
        # each shard's documents in this snapshot: its segments, in shard order
        return ClusterRanker(snapshot, actors, _shard_sizes(snapshot, store))

    return make


class ClusterRanker(Ranker):
    """A ranker whose :meth:`matches` is computed by the shards' actors: a
    first round trip sums every shard's statistics for the query's words,
    a second has each shard score its matches with the sums. Everything
    else (collapsing, ordering, facets, hits) reads the snapshot here. When
    a shard's actor sees another commit than this snapshot, the query is
    matched here instead (the answer is the same; only the work moves)."""

    def __init__(self, snapshot: Any, actors: list[Any], shard_docs: list[int]) -> None:
        """``actors``: the shards' :class:`ShardSearcher` actors, in shard
        order; ``shard_docs``: each shard's documents in ``snapshot``."""
        super().__init__(snapshot)
        self._actors = actors
        self._shard_docs = shard_docs
        self._offsets = [sum(shard_docs[:n]) for n in range(len(shard_docs))]
        #: queries matched by the shards' actors, and here instead
        self.fanned_out = 0
        self.matched_here = 0

    def matches(self, q: Any, restrict: Any) -> Any:  # noqa: D401
        """Every live match and its score, from the shards."""
        import numpy as np

        from .engine.schema import TEXT_FIELDS

        words = self.words_asked(q)
        if words is None:
            return None
        counted = [a.statistics(words) for a in self._actors]
        answers = [c.result() for c in counted]
        if [docs for docs, _f in answers] != self._shard_docs:
            self.matched_here += 1
            return Ranker.matches(self, q, restrict)  # a shard moved on since this snapshot
        docs = sum(d for d, _f in answers)
        frequencies = [sum(f[i] for _d, f in answers) for i in range(len(words))]
        lengths = {f: self.snapshot.avg_field_length(f) for f in TEXT_FIELDS}
        expansions = {repr(leaf): self.snapshot.expand(leaf) for leaf in _expandable(q)}
        parts = [a.matches(q, restrict, docs, words, frequencies, lengths, expansions) for a in self._actors]
        found = [p.result() for p in parts]
        if any(f is None for f in found):
            return None
        self.fanned_out += 1
        ids = np.concatenate([f[0] + offset for f, offset in zip(found, self._offsets)]) if found else np.zeros(0, np.int64)
        scores = np.concatenate([f[1] for f in found]) if found else np.zeros(0)
        return ids, scores


def _expandable(q: Any) -> list[Any]:
    """The prefix and wildcard leaves of a query (their expansions travel with it)."""
    from .engine.query import Prefix, Wildcard

    leaves = [q] if q.is_leaf() else list(q.leaves())
    return [leaf for leaf in leaves if isinstance(leaf, (Prefix, Wildcard))]


def _shard_sizes(snapshot: Any, store: ShardedStore) -> list[int]:
    """Each shard's documents in a snapshot of the sharded index (the
    segments are every shard's, in shard order)."""
    where = {os.path.abspath(str(shard.path)): n for n, shard in enumerate(store.stores)}
    sizes = [0] * store.shards
    for seg in snapshot.segments:
        sizes[where[os.path.abspath(seg.folder or "")]] += seg.size
    return sizes
