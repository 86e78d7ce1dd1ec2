"""What every reader shares: the options, the input handle, decoding, the
notice type, and the one function that turns extracted fields into an
:class:`Article`.

A reader is a function ``(Source, ReadOptions) -> Iterator[Article | IngestError | Notice]``.
It raises :class:`IngestError` when the whole input is unusable and *yields*
one when a single record is broken, so that the rest of a file is kept. It
yields a :class:`Notice` for something a user should know that did not cost
an article: a date that was not used and why, records of an archive that are
not pages, a truncated file read as far as it goes.
"""

from __future__ import annotations

import codecs
import gzip
import html
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Union

from .. import dates, errors
from ..dates import ParsedDate, RejectedDate, resolve_zone
from ..deprecation import moved_names
from ..errors import IngestError
from ..languages import resolve_language
from ..model import Article, article_id
from ..paths import shown_text
from . import credits, outlets
from .encoding import decode, gunzip

__all__ = [
    "MAX_BYTES",
    "Limits",
    "Notice",
    "inner_suffix",
    "ReadOptions",
    "Reader",
    "Source",
    "article_or_error",
    "build_article",
    "decode",
    "take_date",
]

#: The most a reader holds in memory for one input: a whole-file format (a
#: page, a feed, a JSON document), decompressed, or stdin; or one record of
#: a format read record by record (a JSON Lines line, a CSV row, a WARC
#: record), whose files have no limit as a whole.
MAX_BYTES = 512 * 2**20


#: FieldTooLarge now lives in newssearch.errors
__getattr__ = moved_names(__name__, {"FieldTooLarge": "newssearch.errors"})


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one input can cause, so that a hostile or broken
    file costs an error message, not the machine.

    ``input_bytes``: what one input may hold in memory (an error past it):
    a whole file, its decompressed content, or stdin; for the formats read
    record by record (JSON Lines, CSV, WARC), one record (a line), the file
    itself being of any length; ``field_chars``: the body or any other field of one article
    (that article is an error, the rest of its file is read);
    ``title_chars``: a headline longer than this is cut at a word, with a
    warning (a one-line 300 MB text file is not a headline).
    """

    input_bytes: int = MAX_BYTES
    field_chars: int = 10 * 2**20
    title_chars: int = 1000


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
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def build(
        cls,
        tz: str | tzinfo | None = None,
        source: str | None = None,
        format: str | None = None,
        now: datetime | None = None,
        limits: Limits | None = None,
    ) -> ReadOptions:
        """Options from what a user gives: ``tz`` a zone name, offset or
        tzinfo for times printed without a zone (UTC by default); ``source``
        the outlet of articles that name none; ``format`` a reader name to
        force; ``now`` the time after which a date is "in the future";
        ``limits`` the bounds on one input (see :class:`Limits`)."""
        if source is not None and shown_text(source) != source:  # undecodable bytes from the command line
            raise errors.ConfigError(f"--source '{shown_text(source)}' is not UTF-8 text", option="source")
        return cls(default_tz=resolve_zone(tz), source=source, format=format, now=now, limits=limits or Limits())


@dataclass(frozen=True)
class Notice:
    """Something a user should know about an input that did not stop it:
    one line, naming the file and, where there is one, the line or record.

    Readers yield notices beside articles; ``read_source`` passes them on,
    the CLI prints each as ``Warning: path[:line]: message`` and counts them,
    and ``read_path`` hands them to ``on_notice``.
    """

    path: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {' '.join(self.message.split())}"


def inner_suffix(path: Path) -> str:
    """The extension that says what a file is, under ``.gz``
    (``page.html.gz`` -> ``.html``; ``TIME.ALL`` -> ``.all``)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] in (".gz", ".gzip"):
        return suffixes[-2] if len(suffixes) == 2 else ""
    return suffixes[-1] if suffixes else ""


@dataclass
class Source:
    """One input: a file on disk or a stream (stdin), read lazily and once.

    A ``.gz`` file (or any file starting with the gzip magic) is decompressed
    on reading; ``suffix`` is then the extension under ``.gz``
    (``page.html.gz`` -> ``.html``). Problems met while reading that still
    leave something to read (a truncated gzip file) are kept in ``problems``
    and reported as notices.
    """

    name: str
    path: Path | None = None
    _data: bytes | None = None
    root: Path | None = None
    problems: list[str] = field(default_factory=list)
    limit: int = MAX_BYTES
    field_limit: int = Limits.field_chars
    #: A stream read once, from its start (stdin): its first bytes are kept
    #: for detecting its format, and it is read whole only by the formats
    #: that need it whole (within ``limit``), else line by line or record by record.
    stream: BinaryIO | None = None
    _head: bytes | None = None
    _raw: BinaryIO | None = field(default=None, repr=False, compare=False)  # the stream open_raw gave (for bytes_read)

    @property
    def suffix(self) -> str:
        """The file's extension, looking under ``.gz`` (``.html`` for ``page.html.gz``)."""
        return inner_suffix(self.path) if self.path is not None else ""

    def open_raw(self) -> BinaryIO:
        """The undecoded byte stream (for readers that stream, such as WARC)."""
        if self._data is not None:
            return io.BytesIO(self._data)
        if self.stream is not None:
            return io.BufferedReader(_Prefixed(self._stream_head(), self.stream))
        if self.path is None:
            raise IngestError(self.name, "nothing to read")
        try:
            self._raw = self.path.open("rb")
        except OSError as exc:
            raise IngestError(self.name, f"cannot read: {exc.strerror or exc}") from None
        return self._raw

    def bytes_read(self) -> int:
        """How far the file a streaming reader opened (:meth:`open_raw`) has
        been read, in the file's own bytes (compressed ones for a ``.gz``): a
        progress display's position inside one big WARC, JSON Lines or CSV
        file. 0 before it is opened and once it is closed (it is done then,
        and the display counts the whole file)."""
        if self._raw is None:
            return 0
        try:
            return self._raw.tell()
        except (OSError, ValueError):  # closed
            return 0

    def read_bytes(self) -> bytes:
        """The whole input, gunzipped when it is gzip, at most ``limit``
        bytes before and after decompressing (past it: an error naming the
        limit); a truncated gzip stream is kept as far as it goes, with a notice."""
        if self._data is None and self.stream is not None:
            head = self._stream_head()
            data = head + self.stream.read(self.limit + 1 - len(head)) if len(head) <= self.limit else head
            if len(data) > self.limit:
                raise IngestError(self.name, f"more than {_mb(self.limit)} on stdin, the limit for one input (--max-input-mb)")
            self._data = data
        if self._data is None:
            if self.path is None:
                raise IngestError(self.name, "nothing to read")
            try:
                size = self.path.stat().st_size
                if size > self.limit:
                    raise IngestError(
                        self.name, f"file is {_mb(size)}, more than the {_mb(self.limit)} one input may have (--max-input-mb)"
                    )
                self._data = self.path.read_bytes()
            except OSError as exc:
                raise IngestError(self.name, f"cannot read: {exc.strerror or exc}") from None
        if self._data[:2] == b"\x1f\x8b":
            try:
                data, problem = gunzip(self._data, self.limit)
            except errors.DecompressedTooLarge as exc:
                self._data = b""
                raise errors.DecompressedTooLarge(self.name, exc.problem) from exc
            if problem:
                if not data:
                    raise IngestError(self.name, problem)
                self.problems.append(problem)
            self._data = data
        return self._data

    def text(self) -> str:
        """The input as text, its encoding detected (see :func:`decode`)."""
        return decode(self.read_bytes())

    def _stream_head(self) -> bytes:
        """The first 64 KB of :attr:`stream`, read once and kept."""
        if self._head is None:
            assert self.stream is not None
            self._head = self.stream.read(65536)
        return self._head

    def lines(self) -> Iterator[str | IngestError]:
        """The input's lines, ends kept, split on "\\n" alone, one at a time:
        for the readers of one record per line (JSON Lines, CSV), so that a
        file of any length is read in the memory of its longest line.

        A line over ``limit`` bytes is skipped, and an :class:`IngestError`
        naming its line number comes in its place. Each line is UTF-8, else
        Windows-1252 (as :func:`decode` reads a whole file); a gzip file is
        inflated as it is read (a truncated one is read as far as it goes,
        with a notice); stdin is streamed too. Input already in memory and
        UTF-16 (whose lines are not split on a byte) are read whole, within ``limit``.
        """
        unstreamed = self._data is not None or (self.path is None and self.stream is None)
        if unstreamed or self.head(2).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            yield from _split_lines(self.text())
            return
        with self.open_raw() as raw:
            gzipped = raw.peek(2)[:2] == b"\x1f\x8b"  # type: ignore[attr-defined]  # a BufferedReader
            stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw  # type: ignore[assignment]
            lineno = 0
            try:
                while True:
                    line = stream.readline(self.limit + 1)
                    if not line:
                        break
                    lineno += 1
                    if len(line) > self.limit and not line.endswith(b"\n"):
                        size = len(line) + _skip_line(stream)
                        yield IngestError(self.name, f"a line of {_mb(size)}, more than the {_mb(self.limit)} one record may have (--max-input-mb); skipped", line=lineno)
                        continue
                    if lineno == 1 and line.startswith(codecs.BOM_UTF8):
                        line = line[3:]
                    try:
                        yield line.decode("utf-8")
                    except UnicodeDecodeError:
                        yield line.decode("cp1252", "replace")
            except (EOFError, OSError, zlib.error) as exc:  # a gzip stream cut short or corrupt
                if not gzipped:
                    raise IngestError(self.name, f"cannot read: {exc}") from None
                self.problems.append(f"truncated or corrupt gzip file: read its first {lineno:,} lines")

    def prose(self) -> str:
        """The input as text for the line-based readers (page text, plain
        text, header blocks), refused when one line is longer than a field
        may be: every line of such a file is looked at as a possible
        headline, date or menu, and a 300 MB line cost gigabytes."""
        text = self.text()
        longest = max(map(len, text.split("\n"))) if len(text) > self.field_limit else 0
        if longest > self.field_limit:
            raise IngestError(
                self.name,
                f"a line of {longest / 2**20:,.1f} M characters, more than the {self.field_limit / 2**20:,.0f} M"
                " one field may have (--max-field-mb); not a text file of articles",
            )
        return text

    def head(self, n: int = 4096) -> bytes:
        """The first bytes of the input (at least ``n``), gunzipped, for detecting its format."""
        if self._data is not None:
            data = self._data[: max(n, 65536)]
        elif self.stream is not None:
            data = self._stream_head()
        elif self.path is None:
            return b""
        else:
            try:
                with self.path.open("rb") as fh:
                    data = fh.read(max(n, 65536))
            except OSError as exc:
                raise IngestError(self.name, f"cannot read: {exc.strerror or exc}") from None
        if data[:2] == b"\x1f\x8b":
            try:
                data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, n)
            except zlib.error:
                return b""
        return data[:n]


ReadResult = Union[Article, IngestError, Notice]
Reader = Callable[[Source, ReadOptions], Iterator[ReadResult]]


def take_date(
    value: object,
    options: ReadOptions,
    source: Source,
    *,
    line: int | None = None,
    what: str = "date",
    find: bool = False,
) -> tuple[ParsedDate | None, Notice | None]:
    """Read a date a reader is about to use, and say why when it cannot be used.

    ``find=True`` looks for a date inside a longer line (a date line) instead
    of parsing the whole value. An implausible date (before 1800, after the
    run) gives no date and a :class:`Notice` with the reason; text that is
    no date at all gives neither.
    """
    if find:
        judged = dates.judge_found_date(str(value), options.default_tz, now=options.now)
    else:
        judged = dates.judge_date(value, options.default_tz, now=options.now)  # type: ignore[arg-type]
    if isinstance(judged, RejectedDate):
        return None, Notice(source.name, f"{what} {judged.text!r} not used: {judged.reason}; kept without it", line)
    return judged, None


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
    key: str | None = None,
) -> Article:
    """Fill what a reader did not find from what every article can give:
    wire credits and bylines from the text, outlet and section from the URL,
    the user's default outlet last; the language, the source's ``language``
    when the text agrees, else the text's (:func:`~newssearch.languages.resolve_language`).

    ``key`` names the record inside a file that holds several articles (its
    own id, or its position): an article without a URL takes its id from
    the file's absolute path and this key (see :func:`~newssearch.model.article_id`)."""
    for what, value in (("body", body), ("headline", title)):
        if len(value) > source.field_limit:  # before any work on it: a 100 MB field cost 2.7 GB
            raise errors.FieldTooLarge(
                source.name,
                f"article {' '.join(title[:60].split())!r}: its {what} has {len(value) / 2**20:,.1f} M characters,"
                f" more than the {source.field_limit / 2**20:,.0f} M one field may have (--max-field-mb); skipped",
            )
    title = " ".join(_unescape(_C1.sub(_c1_to_cp1252, _CONTROL.sub(" ", title))).split())
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
    code, language_source = resolve_language(language, title, body)
    origin = None
    if not url and source.path is not None:
        origin = f"{source.path.absolute()}\x1f{key or ''}"
    return Article(
        id=article_id(url, title, date.value if date else None, body, origin=origin) if origin else "",
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
        language=code,
        language_source=language_source,
        path=source.name,
    )


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read: those, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if len(self._head):
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _split_lines(text: str) -> Iterator[str]:
    """The text's lines, ends kept, split on "\\n" alone (as ``newline=""``
    does: str.splitlines() also breaks on U+0085 and U+2028, which occur
    inside JSON strings in real feeds), made one at a time."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _skip_line(stream: BinaryIO) -> int:
    """Read past the rest of a line without holding it; its length."""
    skipped = 0
    while True:
        chunk = stream.readline(2**20)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def article_or_error(source: Source, options: ReadOptions, **fields: Any) -> Article | errors.FieldTooLarge:
    """:func:`build_article` for readers of many articles per file: an
    article over a limit comes back as its error, to be yielded, so the
    file's other articles are still read."""
    try:
        return build_article(source, options, **fields)
    except errors.FieldTooLarge as exc:
        return exc
