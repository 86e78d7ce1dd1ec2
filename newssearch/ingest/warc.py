"""WARC and WARC.gz crawl archives (ARC too): every HTML response becomes an
article through the HTML page path.

warcio streams an archive record by record (a ``.warc.gz`` is a series of
gzip members, one per record), so an archive of any size is read in
constant memory; each page's payload is read only up to
:data:`MAX_PAGE_BYTES`. Records that are not pages (requests, metadata,
images, scripts, redirects, errors) are skipped and counted, and the
counts are reported once per archive rather than once per record. A broken
record is one error naming the archive and the record; a truncated archive
keeps what came before the cut.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from ..errors import IngestError
from .base import Notice, ReadOptions, ReadResult, Source
from .encoding import decode_markup
from .htmlpage import article_from_html

__all__ = ["MAX_PAGE_BYTES", "looks_like_warc", "read_warc"]

#: A page larger than this is not an article page (it is cut there).
MAX_PAGE_BYTES = 16 * 2**20
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def looks_like_warc(head: bytes) -> bool:
    """True for the first bytes of a WARC or ARC file (after gunzip)."""
    return head.startswith((b"WARC/", b"filedesc://"))


def _content_type(record: object) -> str:
    http = getattr(record, "http_headers", None)
    value = http.get_header("Content-Type") if http is not None else None
    if not value:
        value = record.rec_headers.get_header("WARC-Identified-Payload-Type") or ""  # type: ignore[attr-defined]
    return value.strip()


def _missing(record: object) -> int:
    """How many of a record's declared bytes never came (0 when complete)."""
    raw = getattr(record, "raw_stream", None)
    try:
        while raw is not None and raw.read(65536):
            pass
    except Exception:  # noqa: BLE001 - a damaged tail is what we are measuring
        pass
    return int(getattr(raw, "limit", 0) or 0)


def _size(stream: object) -> int | None:
    try:
        return stream.seek(0, 2)  # type: ignore[attr-defined,no-any-return]
    except (AttributeError, OSError, ValueError):
        return None


def read_warc(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Read a crawl archive; one article per HTML response record."""
    from warcio.archiveiterator import ArchiveIterator  # lazy: 0.3 s, only for crawl archives
    from warcio.exceptions import ArchiveLoadFailed  # lazy: as above

    head = source.head(64)
    if not head.strip():
        raise IngestError(source.name, "empty file: no WARC records")
    if not looks_like_warc(head):
        raise IngestError(source.name, "not a WARC archive: it does not start with a 'WARC/' record header")
    skipped: Counter[str] = Counter()
    n = 0
    previous = None
    with source.open_raw() as stream:
        records = ArchiveIterator(stream, arc2warc=True)
        while True:
            try:
                record = next(records)
            except StopIteration:
                record = None
            except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
                problem = " ".join(str(exc).split())[:200] or type(exc).__name__
                if n == 0:
                    raise IngestError(source.name, f"not a readable WARC archive: {problem}") from None
                yield IngestError(source.name, f"archive is damaged after record {n}; the rest is lost ({problem})")
                break
            if previous is not None and _missing(previous) > 0:
                yield Notice(source.name, f"record {n} is truncated: {previous.raw_stream.limit:,} bytes of it are missing")
            if record is None:
                break
            previous = record
            n += 1
            kind = record.rec_type
            url = record.rec_headers.get_header("WARC-Target-URI")
            where = f"record {n}" + (f" {url}" if url else "")
            if kind not in ("response", "resource"):
                skipped[kind or "unknown"] += 1
                continue
            ctype = _content_type(record)
            mime = ctype.split(";")[0].strip().lower()
            status = record.http_headers.get_statuscode() if record.http_headers is not None else "200"
            if mime not in _HTML_TYPES:
                skipped[f"{kind} {mime or 'without a type'}"] += 1
                continue
            if status and not str(status).startswith("2"):
                skipped[f"HTTP {status}"] += 1
                continue
            try:
                payload = record.content_stream().read(MAX_PAGE_BYTES)
            except Exception as exc:  # noqa: BLE001 - one broken record must not end the archive
                yield IngestError(source.name, f"{where}: cannot read the payload ({type(exc).__name__}: {exc})")
                continue
            if not payload.strip():
                skipped["empty pages"] += 1
                continue
            try:
                yield from article_from_html(decode_markup(payload, ctype), source, options, url=url, where=where)
            except IngestError as exc:
                yield exc
            except Exception as exc:  # noqa: BLE001 - see above
                yield IngestError(source.name, f"{where}: cannot extract the page ({type(exc).__name__}: {exc})")
        size = _size(stream)
        if n and size is not None and records.offset < size:
            yield Notice(
                source.name,
                f"archive ends in a damaged or truncated record after record {n}:"
                f" the last {size - records.offset:,} bytes could not be read",
            )
    if n == 0:
        raise IngestError(source.name, "empty archive: no WARC records")
    if skipped:
        detail = ", ".join(f"{count} {what}" for what, count in skipped.most_common(6))
        yield Notice(source.name, f"skipped {sum(skipped.values())} of {n} records that are not HTML pages ({detail})")
