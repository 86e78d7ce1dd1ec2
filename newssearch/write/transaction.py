"""One run of a writer: its transaction and its report.

:class:`Transaction` is the part every writer shares (one index's
:class:`~newssearch.write.articles.ArticleWriter`, a sharded index's
:class:`~newssearch.write.sharded.ShardedWriter`): commit on a clean exit,
cancel on any error, and the same epilogue after a commit.
:class:`IndexReport` is what a run did, for the summary a user reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import IngestError

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["IndexReport", "Transaction"]


@dataclass
class IndexReport:
    """What one indexing run did, for the summary a user reads.

    ``added``/``updated``/``unchanged``/``duplicates`` count the articles
    met (a duplicate has an id already seen in this run; in a rebuild,
    ``unchanged`` counts the articles it wrote again as they were); ``deleted``
    counts articles deleted, ``pruned`` those of them deleted because their file is
    gone (:meth:`ArticleWriter.prune`); ``removed`` counts the articles a
    rebuild dropped because the run did not read them (a rebuild of one folder
    of a bigger index removes the rest: said, never silent); ``no_date``
    counts new or updated articles without a date; ``failed`` and
    ``skipped`` are filled by whoever reads the files; ``committed`` says
    whether anything was written.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    deleted: int = 0
    pruned: int = 0
    removed: int = 0
    no_date: int = 0
    files: int = 0
    failed: list[IngestError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    committed: bool = False
    leftovers_removed: int = 0
    #: why merging segments after the commit failed (the run is committed all the same)
    merge_problem: str | None = None
    #: new alerts the saved searches recorded after the commit
    alerts: int = 0
    #: why they could not be matched, if they could not (the run is committed all the same)
    alert_problem: str | None = None
    #: this --rebuild finished one an earlier run had stopped after committing part of it
    resumed_rebuild: bool = False

    @property
    def articles(self) -> int:
        """Articles met in the run, whatever happened to them."""
        return self.added + self.updated + self.unchanged + self.duplicates

    @property
    def changed(self) -> int:
        """Articles the run added or updated."""
        return self.added + self.updated

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (errors as their messages)."""
        return {
            "files": self.files,
            "articles": self.articles,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "deleted": self.deleted,
            "pruned": self.pruned,
            "removed": self.removed,
            "no_date": self.no_date,
            "failed": [str(e) for e in self.failed],
            "skipped": [f"{name}: {why}" for name, why in self.skipped],
            "elapsed": round(self.elapsed, 3),
            "committed": self.committed,
            "leftovers_removed": self.leftovers_removed,
            "alerts": self.alerts,
        }


class Transaction:
    """One run of a writer, used as a context manager: it commits when the
    block ends normally and cancels when it raises (Ctrl-C included).

    The base owns what every run does around its own writing, so the
    writers of one index and of a sharded one cannot drift apart: the open
    flag (a second commit or cancel does nothing), closing the snapshots the
    run read, the elapsed time, and the ``on_commit`` call after a commit
    (the index drops its snapshot and the living archive matches the new
    articles then). Subclasses commit in :meth:`_commit_run` and drop their work
    in :meth:`_abandon`.
    """

    def __init__(self, on_commit: Callable[[IndexReport], None] | None = None) -> None:
        self.report = IndexReport()
        self._on_commit = on_commit
        self._started = time.perf_counter()
        self._open = False  # a subclass opens the run once it holds its locks

    def commit(self) -> IndexReport:
        """Write the run to disk (or leave the index untouched when nothing
        changed) and return its report; after a commit or cancel, nothing."""
        if not self._open:
            return self.report
        self._open = False
        self._close_snapshots()
        self._commit_run()
        self.report.elapsed = time.perf_counter() - self._started
        if self._on_commit is not None:
            self._on_commit(self.report)
        return self.report

    def cancel(self) -> None:
        """Drop everything this run has not committed; the index stays as committed."""
        if not self._open:
            return
        self._open = False
        self._close_snapshots()
        self._abandon()
        self.report.elapsed = time.perf_counter() - self._started

    def _commit_run(self) -> None:
        """Write and commit what the run holds, filling the report (the
        run is already closed: on an error, drop everything not committed)."""
        raise NotImplementedError

    def _abandon(self) -> None:
        """Drop what the run has not committed and release its locks."""
        raise NotImplementedError

    def _close_snapshots(self) -> None:
        """Close the snapshots of the index the run read (a subclass that holds some)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()
