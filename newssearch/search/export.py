"""Every article a request matches, streamed: what ``newssearch export`` writes.

A page of hits is built whole (articles, snippets, the copies of each
story) and holds at most :data:`~.request.MAX_LIMIT`; an export has no cap,
so nothing is built ahead. The matches' doc numbers are found and put in
order (a few bytes each), and each article is read from the snapshot only
when the reader asks for the next one: memory stays that of one article
however many match.

The order is stable: oldest first, undated articles last, ties by article
id, as ``sort="oldest"`` with every copy listed, so a plain index and a
sharded one holding the same articles export them in the same order, and
two exports of an unchanged index are the same file. The export reads its
own snapshot, opened for it and closed when the last article is read (or
:meth:`ArticleExport.close`): a commit while it is read, even through the
same :class:`~newssearch.index.NewsIndex`, changes nothing in it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..engine.errors import mapped
from ..model import Article
from .request import SearchRequest
from .results import find_matches
from .session import SearchSession

__all__ = ["ArticleExport", "export_order"]


def export_order(session: SearchSession, request: SearchRequest) -> tuple[np.ndarray, tuple[str, ...]]:
    """The doc numbers of every article the request's query and filters
    match (every copy of every story; its sort and page are not used),
    oldest first, undated last, ties by article id; and the query's
    warnings (as :attr:`SearchResults.warnings <newssearch.model.SearchResults.warnings>`)."""
    matches = find_matches(session, request.replace(all_copies=True, facets=(), snippets=False, explain=False))
    docnums = matches.found[0]
    if not len(docnums):
        return np.zeros(0, dtype=np.int64), matches.warnings
    order = session.ranker.by_date(docnums, len(docnums), newest_first=False)
    ordered: np.ndarray = docnums[order]
    return ordered, matches.warnings


class ArticleExport:
    """The articles of an export, read one at a time in :func:`export_order`.

    ``len()`` is how many there are (known before any is read); iterating
    reads them from the export's snapshot, which is closed when the last
    one has been read, when :meth:`close` is called, when the ``with``
    block ends, or when the export is dropped. Iterate once.
    """

    def __init__(self, session: SearchSession, docnums: np.ndarray, path: Path | str, warnings: tuple[str, ...] = ()) -> None:
        """``session``: one opened for this export alone (closed with it);
        ``docnums``: the articles in the order they are to be read;
        ``path``: the index's folder, named in the errors; ``warnings``:
        what is worth knowing about how the query was read."""
        #: Things about the query worth knowing (a field the index does not have).
        self.warnings = warnings
        self._session = session
        self._docnums = docnums
        self._path = path
        self._finalizer = weakref.finalize(self, session.close)

    def __len__(self) -> int:
        return len(self._docnums)

    def __iter__(self) -> Iterator[Article]:
        if not self._finalizer.alive:
            raise ValueError("this export is closed (or was read already): export again")
        try:
            with mapped(self._path):
                for docnum in self._docnums.tolist():
                    yield self._session.snapshot.article(docnum)
        finally:
            self.close()

    def close(self) -> None:
        """Close the export's snapshot (reading stops); safe to call twice."""
        self._finalizer()

    def __enter__(self) -> ArticleExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ArticleExport({len(self):,} articles from {str(self._path)!r})"
