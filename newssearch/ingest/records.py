"""Structured records: JSON (an array, an object, or an object holding a list),
JSON Lines and CSV.

Feeds, scrapers and APIs name the same fields differently, so each field has
a list of common names (``headline``/``title``, ``text``/``content``/``body``,
``date``/``published``/``pubDate``/``timestamp``, ``link``/``url``, ...),
matched case-insensitively; nested ``{"name": ...}`` values (NewsAPI's
``source``, ``author``) are unwrapped. One broken record is reported with its
line and the others are kept.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any, Iterable, Iterator, Mapping

from ..errors import IngestError, ParseError
from ..model import Article
from . import credits
from .base import Notice, ReadOptions, ReadResult, Source, article_or_error, take_date
from .encoding import decode

__all__ = ["FIELD_NAMES", "article_from_record", "read_csv", "read_json", "read_jsonl", "record_results"]

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name", "heading", "subject"),
    "body": ("body", "text", "content", "articlebody", "article_body", "article", "full_text",
             "fulltext", "story", "description", "summary", "abstract", "lead"),
    "date": ("published", "date", "pubdate", "pub_date", "published_at", "publishedat", "datepublished",
             "date_published", "publication_date", "publish_date", "timestamp", "ts", "time",
             "datetime", "created_at", "created", "updated", "dateline_date", "isodate"),
    "url": ("url", "link", "href", "uri", "permalink", "canonical_url", "web_url", "weburl"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "sitename", "publication",
               "newspaper", "feed", "source_name"),
    "authors": ("authors", "author", "byline", "creator", "writer", "by"),
    "section": ("section", "category", "categories", "topic", "desk", "section_name", "channel"),
    "language": ("language", "lang", "locale"),
    "agencies": ("agencies", "agency", "wire", "credit"),
    "id": ("id", "guid", "uuid", "_id"),
    # a page's own site name beside the outlet (what `export` writes as "site"):
    # kept only when the outlet is another, so a record that names its outlet
    # "site" alone is read as before
    "site": ("site", "site_name", "sitename"),
}
_CONTAINERS = ("articles", "items", "data", "results", "entries", "documents", "docs", "records", "news", "posts")


def _lookup(record: Mapping[str, Any], field: str) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    for name in FIELD_NAMES[field]:
        value = lowered.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        for key in ("name", "title", "value", "text", "#text", "href", "url"):
            if key in value:
                return _text(value[key])
        return ""
    if isinstance(value, (list, tuple)):
        return "\n\n".join(_text(v) for v in value if _text(v))
    return str(value)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _names(v)]
    text = _text(value)
    if not text:
        return []

    parsed = credits.authors_from_byline(text if text.lower().startswith("by ") else "By " + text)
    return parsed if parsed else [text.strip()]


def article_from_record(
    record: Any, source: Source, options: ReadOptions, line: int | None = None, position: int | None = None
) -> ReadResult:
    """Map one record to an article, or return the error that says why not.

    The record's own id (``id``, ``guid``, ...) or else its ``position``
    among the file's records keys it within the file (see
    :func:`~newssearch.ingest.base.build_article`). A date that cannot be
    used is dropped; :func:`record_results` also says so."""
    return _read_record(record, source, options, line, position)[0]


def record_results(
    record: Any, source: Source, options: ReadOptions, line: int | None = None, position: int | None = None
) -> Iterator[ReadResult]:
    """The article (or error) of one record, after a :class:`Notice` when its
    date was dropped (in the future, before 1800, no such day): what the
    readers yield, so that no date is dropped without a word."""
    result, notice = _read_record(record, source, options, line, position)
    if notice is not None and not isinstance(result, IngestError):
        yield notice
    yield result


def _read_record(
    record: Any, source: Source, options: ReadOptions, line: int | None, position: int | None
) -> tuple[ReadResult, Notice | None]:
    if not isinstance(record, Mapping):
        return ParseError(source.name, f"expected an object, found {type(record).__name__}", line=line), None
    title = _text(_lookup(record, "title"))
    body = _text(_lookup(record, "body"))
    if not title.strip() and not body.strip():
        return ParseError(source.name, "record has no title or text field", line=line), None
    raw_date = _lookup(record, "date")
    if isinstance(raw_date, Mapping):
        raw_date = _text(raw_date)
    date, notice = None, None
    if raw_date is not None:
        try:
            date, notice = take_date(raw_date, options, source, line=line, what=f"record {position}: date" if line is None else "date")
        except (TypeError, ValueError):
            date = None
    section = _lookup(record, "section")
    section_text = _names(section)[0] if isinstance(section, (list, tuple)) and section else _text(section)
    agencies = _lookup(record, "agencies")
    article = article_or_error(
        source,
        options,
        title=title,
        body=body,
        url=_text(_lookup(record, "url")) or None,
        date=date,
        date_source="record",
        outlet=_text(_lookup(record, "source")) or None,
        agencies=_names(agencies) if agencies else [],
        authors=_names(_lookup(record, "authors")),
        section=section_text or None,
        language=_text(_lookup(record, "language")) or None,
        key=_text(_lookup(record, "id")) or (f"#{position}" if position is not None else None),
    )
    site = _text(_lookup(record, "site")).strip()
    if isinstance(article, Article) and site and article.source and site.casefold() != article.source.casefold():
        article = article.replace(site=site)
    return article, notice


def _records_in(data: Any) -> Iterable[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        lowered = {str(k).lower(): v for k, v in data.items()}
        for key in _CONTAINERS:
            found = lowered.get(key)
            if isinstance(found, list):
                return found
        return [data]
    return [data]


def read_json(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Articles from a JSON document: one record, a list, or a list under a
    container key (``articles``, ``items``, ...). A file of one object per
    line is JSON Lines whatever its extension, and is streamed as such."""
    if _looks_like_jsonl(decode(source.head(65536))):
        yield from read_jsonl(source, options)
        return
    text = source.text()
    if not text.strip():
        raise IngestError(source.name, "empty file: no records")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # A file of one object per line is JSON Lines whatever its extension.
        first = text.lstrip()[:1]
        if first == "{" and exc.msg.startswith("Extra data"):
            yield from read_jsonl(source, options)
            return
        raise ParseError(source.name, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
    for n, record in enumerate(_records_in(data), start=1):
        for result in record_results(record, source, options, position=n):
            if isinstance(result, IngestError):
                result = ParseError(source.name, f"record {n}: {result.problem}")
            yield result


def _looks_like_jsonl(head: str) -> bool:
    """Whether a file starts with a whole JSON object on its first line and
    another object on the next: JSON Lines, not one JSON document."""
    first, _, rest = head.lstrip("\ufeff \t\r\n").partition("\n")
    if not first.startswith("{") or not rest.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def read_jsonl(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Articles from JSON Lines, one record per line, read a line at a time
    (a file of any length; a line over the input limit is an error); a
    broken line is an error naming its line number, and the others are read."""
    seen = 0
    for lineno, line in enumerate(source.lines(), start=1):
        if isinstance(line, IngestError):
            yield line
            continue
        if not line.strip():
            continue
        seen += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ParseError(source.name, f"invalid JSON: {exc.msg} (column {exc.colno})", line=lineno)
            continue
        yield from record_results(record, source, options, line=lineno, position=seen)
    if not seen:
        raise IngestError(source.name, "empty file: no records")


def _delimiter(text: str, name: str) -> str | None:
    """The delimiter whose header row names a title or text column."""
    try:
        sniffed = [csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter]
    except csv.Error:
        sniffed = []
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    for delimiter in sniffed + ["\t" if name.lower().endswith(".tsv") else ",", ",", "\t", ";", "|"]:
        header = next(csv.reader([first], delimiter=delimiter), [])
        if any(_lookup({col.strip(): "x"}, f) for col in header for f in ("title", "body")):
            return delimiter
    return None


def _lines(source: Source) -> Iterator[str]:
    """The file's lines for the csv module, read a line at a time (io.StringIO
    holds text as four bytes a character, which made a 100 MB CSV cost 400 MB
    more; now a file of any length costs its longest row). A line over the
    input limit ends the file there with an error: past it, where a quoted
    row ends cannot be known."""
    for line in source.lines():
        if isinstance(line, IngestError):
            raise ParseError(source.name, line.problem.replace("; skipped", "; the rest of the file is not read"), line=line.line)
        yield line


def read_csv(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Articles from CSV (or TSV) with a header row naming the fields, read
    a row at a time."""
    head = decode(source.head(65536))
    if not head.strip():
        raise IngestError(source.name, "empty file: no records")
    delimiter = _delimiter(head, source.name)
    if delimiter is None:
        raise ParseError(source.name, "CSV header names no title or text column", line=1)
    # a quoted field may span lines: no longer than one input may be
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1, source.limit))
    reader = csv.DictReader(_lines(source), delimiter=delimiter)
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield ParseError(source.name, f"invalid CSV: {exc}", line=reader.line_num)
            continue
        if None in row:
            yield ParseError(source.name, "row has more fields than the header", line=reader.line_num)
            continue
        rows += 1
        yield from record_results(row, source, options, line=reader.line_num, position=rows)
