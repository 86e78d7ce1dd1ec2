"""Building a sharded index on a Dask cluster: the tasks of a build.

See :mod:`newssearch.cluster` for what a build does and what the cluster
must see. This module runs on the client (partitioning the input, grouping
stories, recording the run) and its task functions on the workers.
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

from ..engine.shards import Manifest, ShardedStore, is_sharded, shard_of
from ..engine.store import Store, has_index
from ..errors import ConfigError, IndexStoreError, IngestError
from ..index import open_index
from ..ingest import Limits, Skipped, iter_sources, read_path
from ..ingest.base import inner_suffix
from ..model import Article
from ..write.articles import ArticleWriter
from ..write.signature import Signature, signature
from ..write.stories import KnownStories, StoryGrouper
from ..write.transaction import IndexReport

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["ARTICLE_BYTES", "BYTES_PER_PARTITION", "FILES_PER_PARTITION", "RETRIES", "build_on_cluster", "partitions"]

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


def partitions(
    paths: Iterable[str | Path], *, limits: Limits | None = None, follow_links: bool = False
) -> tuple[list[list[str]], list[IngestError], list[tuple[str, str]]]:
    """The input files under ``paths`` (absolute, in the order a local run
    reads them) in partitions of up to :data:`FILES_PER_PARTITION` files or
    :data:`BYTES_PER_PARTITION` bytes, each WARC archive alone; the errors
    met while listing; and the files skipped as not articles (name, why)."""
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
    seq = store.last_seq() + 1
    writes = []
    for k in range(n):
        pieces = [client.submit(_piece, r, k, retries=RETRIES) for r in reads]
        writes.append(client.submit(_write_shard, k, str(where), pieces, labels[k], seq, fresh, limitmb, retries=RETRIES, pure=False))
    shard_reports = client.gather(writes)
    store.set_last_seq(seq)
    for files, notices, failures in counts:
        report.files += files
        report.failed += [IngestError(path, problem, line) for path, problem, line in failures]
    for r in shard_reports:
        for name in ("added", "updated", "unchanged", "duplicates", "deleted", "no_date"):
            setattr(report, name, getattr(report, name) + int(r[name]))
        report.committed |= bool(r["committed"])
    report.elapsed = time.perf_counter() - started
    with open_index(where) as ix:  # the saved searches see the run, as after a local one
        ix.after_commit(report)
    return report
