"""What every reader shares: the options, the input handle, decoding, and the
one function that turns extracted fields into an :class:`Article`.

A reader is a function ``(Source, ReadOptions) -> Iterator[Article | IngestError]``.
It raises :class:`IngestError` when the whole input is unusable and *yields*
one when a single record is broken, so that the rest of a file is kept.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

from ..dates import ParsedDate, resolve_zone
from ..errors import IngestError
from ..model import Article
from . import credits, outlets

__all__ = ["ReadOptions", "Reader", "Source", "build_article", "decode"]


@dataclass(frozen=True)
class ReadOptions:
    """Settings that change how input is read, built once from CLI flags or
    library arguments and passed to every reader.

    ``default_tz`` is the zone for times printed without one; ``source`` is
    the outlet for articles that do not name one; ``format`` forces a reader;
    ``now`` bounds plausible dates (a date after it is a misread).
    """

    default_tz: tzinfo = field(default_factory=lambda: resolve_zone(None))
    source: str | None = None
    format: str | None = None
    now: datetime | None = None

    @classmethod
    def build(
        cls,
        tz: str | tzinfo | None = None,
        source: str | None = None,
        format: str | None = None,
        now: datetime | None = None,
    ) -> ReadOptions:
        return cls(default_tz=resolve_zone(tz), source=source, format=format, now=now)


@dataclass
class Source:
    """One input: a file on disk or a stream (stdin), read lazily and once."""

    name: str
    path: Path | None = None
    _data: bytes | None = None
    root: Path | None = None

    def read_bytes(self) -> bytes:
        if self._data is None:
            if self.path is None:
                raise IngestError(self.name, "nothing to read")
            try:
                self._data = self.path.read_bytes()
            except OSError as exc:
                raise IngestError(self.name, f"cannot read: {exc.strerror or exc}") from None
        return self._data

    def text(self) -> str:
        return decode(self.read_bytes())

    def head(self, n: int = 4096) -> bytes:
        if self._data is not None:
            return self._data[:n]
        if self.path is None:
            return b""
        try:
            with self.path.open("rb") as fh:
                return fh.read(n)
        except OSError as exc:
            raise IngestError(self.name, f"cannot read: {exc.strerror or exc}") from None


ReadResult = Union[Article, IngestError]
Reader = Callable[[Source, ReadOptions], Iterator[ReadResult]]


def decode(data: bytes) -> str:
    """Decode bytes that should be text without ever failing on a byte.

    UTF-8 (with or without BOM) first, UTF-16 when a BOM says so; otherwise
    Windows-1252, which is what mislabelled "Latin-1" news text usually is
    (the BBC set has a stray 0xA3 pound sign), with undefined bytes replaced.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")


def _c1_to_cp1252(m: re.Match[str]) -> str:
    # C1 controls in decoded text are Windows-1252 punctuation that went
    # through a Latin-1 decoder somewhere upstream ("\x85" was "...").
    try:
        return m.group(0).encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:
        return " "


_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|amp|lt|gt|quot|apos|nbsp|[a-z]{2,8}\d?);")


def _unescape(text: str) -> str:
    # Text scraped from HTML keeps entities ("&#163;1.8m" in the BBC set).
    if "&" not in text or not _ENTITY.search(text):
        return text
    import html

    return html.unescape(text)


def clean_text(text: str) -> str:
    """Normalise whitespace inside a field without touching paragraph breaks."""
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _C1.sub(_c1_to_cp1252, text)
    text = _unescape(text).replace("\u00a0", " ")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def build_article(
    source: Source,
    options: ReadOptions,
    *,
    title: str,
    body: str,
    url: str | None = None,
    date: ParsedDate | None = None,
    date_source: str | None = None,
    outlet: str | None = None,
    agencies: Iterable[str] = (),
    authors: Iterable[str] = (),
    section: str | None = None,
    language: str | None = None,
    find_credits: bool = True,
) -> Article:
    """Fill what a reader did not find from what every article can give:
    wire credits and bylines from the text, outlet and section from the URL,
    the user's default outlet last."""
    title = " ".join(_unescape(_C1.sub(_c1_to_cp1252, title)).split())
    body = clean_text(body)
    url = url.strip() if url and url.strip() else None
    agency_list = list(agencies)
    author_list = list(authors)
    if find_credits:
        agency_list += credits.find_agencies(body)
        if not author_list:
            author_list = credits.authors_from_text(body)
    outlet = outlet or (outlets.outlet_from_url(url) if url else None) or options.source
    if not section and url:
        section = outlets.section_from_url(url)
    return Article(
        title=title,
        body=body,
        url=url,
        published=date.value if date else None,
        tz_assumed=bool(date and date.tz_assumed),
        date_source=(date_source or "text") if date else None,
        source=outlet.strip() if outlet else None,
        agencies=tuple(credits.unique(agency_list)),
        authors=tuple(credits.unique(author_list)),
        section=section or None,
        language=language or None,
        path=source.name,
    )
