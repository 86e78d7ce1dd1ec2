"""Downloads of a search's matches: CSV rows as ``search --csv`` writes them, JSON Lines as ``newssearch export``.

A download is written while it is read (the framework streams each chunk
as it comes), so the server never holds the whole file. It is bounded
twice: by rows (:attr:`~newssearch.web.params.Bounds.max_rows`; the
answer's ``X-Newssearch-Rows`` header says how many are coming, and
``X-Newssearch-Truncated`` that the cap cut it short, both known before the
first row is sent) and by the search's time budget, spent on finding the
matches. The CSV is a search's hits page by page (rank, score and snippet
need the ranking); each page's search gets what is left of the budget, and
one that runs out ends the transfer before its last chunk, so a client sees
an incomplete download rather than a short file that looks whole. The JSON
Lines come from :meth:`NewsIndex.export <newssearch.index.NewsIndex.export>`,
which reads its own snapshot: a commit meanwhile changes nothing in it.

Nothing here knows the web framework: these are iterators of text chunks.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo

from ..cli.fields import CSV_FIELDS, hit_row
from ..cli.output import full_article_to_json
from ..errors import SearchTimedOut
from ..model import SearchResults
from ..search.export import ArticleExport
from ..search.request import SearchRequest

__all__ = ["CSV_TYPE", "JSONL_TYPE", "PAGE_ROWS", "Download", "csv_chunks", "filename", "jsonl_chunks"]

CSV_TYPE = "text/csv; charset=utf-8"
JSONL_TYPE = "application/jsonl; charset=utf-8"
#: Hits fetched per search while a CSV is written.
PAGE_ROWS = 200


@dataclass(frozen=True)
class Download:
    """What is known before the first row: the rows to come, the matches, and whether the cap cut them."""

    rows: int
    matches: int

    @property
    def truncated(self) -> bool:
        """True when the row cap leaves matches out."""
        return self.rows < self.matches

    def headers(self, cap: int, name: str) -> dict[str, str]:
        """The answer's headers: the file's name, the rows, and the cap when it was hit."""
        found = {"Content-Disposition": f'attachment; filename="{name}"', "X-Newssearch-Rows": str(self.rows)}
        if self.truncated:
            found["X-Newssearch-Truncated"] = f"the first {cap:,} of {self.matches:,} rows: this server's cap per download"
        return found


def filename(query: str, extension: str) -> str:
    """``newssearch-<query as a slug>.<extension>`` (``newssearch-all`` without a query): ASCII only, short."""
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40].strip("-") or "all"
    return f"newssearch-{slug}.{extension}"


def _csv_line(row: list[str] | tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, dialect="excel", lineterminator="\n").writerow(row)
    return buffer.getvalue()


def csv_chunks(
    first: SearchResults, request: SearchRequest, rows: int, search: Callable[[SearchRequest], SearchResults], zone: tzinfo,
    started: float,
) -> Iterator[str]:
    """The CSV of ``rows`` hits: the header row, ``first`` (the first page, already searched), then each next
    page from ``search`` with what is left of the request's time budget, counted from ``started``
    (:func:`time.monotonic`; :class:`SearchTimedOut` past it)."""
    deadline = started + request.timeout if request.timeout else None
    yield _csv_line(CSV_FIELDS)
    page, written = first, 0
    while True:
        for hit in page:
            if written >= rows:
                return
            yield _csv_line(hit_row(hit, CSV_FIELDS, zone))
            written += 1
        if written >= rows or len(page) == 0:
            return
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise SearchTimedOut(request.timeout or 0.0)  # after `written` rows: the transfer ends unfinished
        page = search(request.replace(offset=written, limit=min(PAGE_ROWS, rows - written), timeout=left))


def jsonl_chunks(found: ArticleExport, rows: int) -> Iterator[str]:
    """The first ``rows`` articles of an export, one JSON object a line (closes the export when done or dropped)."""
    try:
        for written, article in enumerate(found):
            if written >= rows:
                return
            yield json.dumps(full_article_to_json(article), ensure_ascii=False) + "\n"
    finally:
        found.close()
