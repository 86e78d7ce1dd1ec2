"""What a script gets from ``search``: the fields it may choose
(``--fields``), hits as JSON Lines, CSV or TSV rows, and the summary line
that ends ``--json``.

Every ``--json`` line has a ``type``, as every line of ripgrep's ``--json``
has: ``"hit"`` for a hit, ``"summary"`` for the one line that ends the
output (total, articles, facets), so a reader tells them apart without
guessing from the keys, and a search that finds nothing (or ``-n 0``)
still prints its total. CSV and TSV are tables of hits with a header row,
written by the csv module (a value holding the delimiter, a quote or a
line break is quoted, as spreadsheets and ``csv.reader`` expect); the
totals of a table go to stderr, as the text output's do.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

import click

from ..model import Hit, SearchResults
from .output import hit_to_json

__all__ = ["CSV_FIELDS", "FIELDS", "LIST_SEPARATOR", "TableWriter", "hit_record", "hit_row", "parse_fields", "summary_record"]

#: Every field ``--fields`` may name, in the order ``--json`` writes them.
FIELDS = (
    "id", "title", "url", "source", "site", "agencies", "authors", "section", "language",
    "language_source", "published", "tz_assumed",
    "date_source", "path", "rank", "score", "snippet", "highlights", "title_highlights", "copies_total", "copies",
    "missing", "explanation",
)
#: The columns of ``--csv`` and ``--tsv`` without ``--fields``: what a
#: spreadsheet of hits is read for (``--json`` writes every field).
CSV_FIELDS = ("rank", "id", "published", "source", "title", "url", "score", "snippet")
#: Lists of names in one cell are joined with this (agencies, authors).
LIST_SEPARATOR = "; "


def parse_fields(text: str) -> tuple[str, ...]:
    """``--fields id,title,...`` as a tuple in the order given (repeats
    dropped); an unknown or missing name is a usage error naming it."""
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name and name not in FIELDS]
    if unknown:
        which = ", ".join(repr(n) for n in unknown)
        raise click.BadParameter(f"no field {which} (choose from {', '.join(FIELDS)})", param_hint="--fields")
    chosen = tuple(dict.fromkeys(name for name in names if name))
    if not chosen:
        raise click.BadParameter("name at least one field", param_hint="--fields")
    return chosen


def hit_record(hit: Hit, fields: Sequence[str] | None) -> dict[str, Any]:
    """A hit's ``--json`` line: ``type`` first, then the ``fields`` chosen
    (every field when None), each as :func:`~newssearch.cli.output.hit_to_json` shapes it."""
    data = hit_to_json(hit)
    if fields is None:
        return {"type": "hit", **data}
    return {"type": "hit", **{name: data.get(name) for name in fields}}


def summary_record(
    results: SearchResults, query: str, facets: bool, fallback: SearchResults | None = None
) -> dict[str, Any]:
    """The line that ends ``--json`` (and is all ``--count --json`` prints):
    the query as run, ``total`` (stories; articles with ``--all-copies``),
    ``articles``, the ``offset`` and number of hits ``shown``, the warnings,
    ``fallback`` (null, or the ``total`` and ``shown`` of the articles with
    most of the words listed when none held them all: never counted in
    ``total``), and ``facets`` when they were asked for."""
    data: dict[str, Any] = {
        "type": "summary",
        "query": query,
        "total": results.total,
        "articles": results.articles,
        "offset": results.offset,
        "shown": len(results),
        "warnings": list(results.warnings),
        "fallback": {"total": fallback.total, "shown": len(fallback)} if fallback is not None else None,
    }
    if facets:
        data["facets"] = results.facets
    return data


def _cell(name: str, value: Any, hit: Hit, zone: tzinfo) -> str:
    """One value as a table cell: dates in ISO 8601 with the offset of
    ``--tz``, names joined, structures as compact JSON, nothing as empty."""
    if name == "published":
        when = hit.article.published
        return when.astimezone(zone).isoformat() if when else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def hit_row(hit: Hit, fields: Sequence[str], zone: tzinfo) -> list[str]:
    """A hit as one table row: the cells of ``fields`` (``--csv``'s, and the server's downloads')."""
    data = hit_to_json(hit)
    return [_cell(name, data.get(name), hit, zone) for name in fields]


class TableWriter:
    """Writes hits as CSV (``delimiter=","``) or TSV (``"\\t"``) rows to
    stdout, the header row first."""

    def __init__(self, delimiter: str, fields: Sequence[str] | None, zone: tzinfo) -> None:
        self.fields = tuple(fields or CSV_FIELDS)
        self.zone = zone
        self._buffer = io.StringIO()
        dialect = "excel-tab" if delimiter == "\t" else "excel"
        self._writer = csv.writer(self._buffer, dialect=dialect, lineterminator="\n")
        self._emit(self.fields)

    def _emit(self, row: Sequence[str]) -> None:
        self._writer.writerow(row)
        click.echo(self._buffer.getvalue(), nl=False)
        self._buffer.seek(0)
        self._buffer.truncate()

    def write(self, hit: Hit) -> None:
        """One hit as one row, in the columns chosen."""
        self._emit(hit_row(hit, self.fields, self.zone))
