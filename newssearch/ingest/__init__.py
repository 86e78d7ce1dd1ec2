"""Readers that turn files into articles, one module per input format.

``read_path`` is the entry point: it walks files and folders (``-`` is
stdin), picks a reader per file by extension and content (or the one the
user forces), and yields :class:`~newssearch.model.Article` records. A broken
file or record never stops the walk: it is reported through ``on_error`` and
the rest goes on.

Formats: ``page`` (scraped page text with chrome), ``text`` (headline then
body), ``header`` (``-- field`` lines then body), ``json``, ``jsonl``, ``csv``,
``html`` (saved article pages, gzipped or not), ``feed`` (RSS 0.9x/1.0/2.0,
Atom), ``warc`` (crawl archives, streamed), ``reuters21578`` (the SGML
research corpus) and ``time`` (the TIME test collection).

Besides articles and errors, readers yield :class:`Notice` records: things
a user should know that did not cost an article (a date not used and why,
archive records that are not pages, a truncated file read as far as it
goes). ``read_source`` passes them through; ``read_path`` hands them to
``on_notice``.
"""

from __future__ import annotations

import io
import os
import sys
import warnings
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

from .. import errors
from ..deprecation import moved_names
from ..errors import IngestError, NewsSearchError, UnsupportedFormat
from ..model import Article
from ..paths import shown_path
from .base import Limits, Notice, ReadOptions, ReadResult, Reader, Source, decode, inner_suffix
from .encoding import looks_binary
from .feeds import looks_like_feed, read_feed
from .headerblock import HEADER_LINE, read_headerblock
from .htmlpage import read_html
from .pagetext import looks_like_page, read_pagetext
from .plaintext import read_plaintext
from .records import read_csv, read_json, read_jsonl
from .reuters21578 import looks_like_reuters21578, read_reuters21578
from .timecollection import looks_like_time_collection, read_time_collection
from .warc import looks_like_warc, read_warc

__all__ = [
    "FORMATS",
    "Limits",
    "Notice",
    "ReadOptions",
    "Skipped",
    "Source",
    "Survey",
    "detect_format",
    "iter_sources",
    "read_path",
    "read_source",
    "survey",
]

#: The readers by format name, as ``read_path(format=...)`` and ``--format`` take it.
FORMATS: dict[str, Reader] = {
    "page": read_pagetext,
    "text": read_plaintext,
    "header": read_headerblock,
    "json": read_json,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "html": read_html,
    "feed": read_feed,
    "warc": read_warc,
    "reuters21578": read_reuters21578,
    "time": read_time_collection,
}
_BY_EXTENSION = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jl": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".warc": "warc",
    ".arc": "warc",
}
# extensions whose content we sniff: plain text of some kind, XML (a feed or
# a page), SGML (Reuters-21578)
_TEXT_EXTENSIONS = {"", ".txt", ".text", ".xml", ".sgm", ".sgml"}
# extensions read only when the content is the collection that uses them
# (TIME.ALL; its neighbour TIME.REL.ALL holds relevance judgments)
_SNIFF_ONLY = {".all": looks_like_time_collection}
# files that hold a research collection, sniffed for it, and the plain-text
# files beside one that are its documentation (see _beside_collection)
_COLLECTION_SUFFIXES = {".sgm", ".sgml", ".all"}
_PLAIN_SUFFIXES = {"", ".txt", ".text"}
# names that describe a collection rather than being an article in it
_NOT_ARTICLES = ("readme", "license", "licence", "copying", "changelog", "source.md", "notice", "authors")


#: IngestWarning and IngestNotice now live in newssearch.errors
__getattr__ = moved_names(__name__, {"IngestWarning": "newssearch.errors", "IngestNotice": "newssearch.errors"})


@dataclass(frozen=True)
class Skipped:
    """A file met while walking a folder that is not an article (and why)."""

    name: str
    reason: str


@dataclass(frozen=True)
class Survey:
    """What a run given ``paths`` would find before it reads a byte of an
    article: whether there is anything to read at all (a file, stdin, or a
    path that will be reported as an error), and the files skipped on the
    way when there is not, so that "nothing to index" can say why."""

    readable: bool
    skipped: tuple[Skipped, ...] = ()


def survey(paths: Iterable[str | bytes | Path], *, follow_links: bool = False) -> Survey:
    """Walk ``paths`` as :func:`iter_sources` would, up to the first input.

    An empty folder, or one holding only files that are not articles, has
    nothing to read: the CLI then says so instead of creating an empty
    index without a word. ``-`` counts as something to read (stdin is not
    touched); a missing path counts too (reading it reports the error).
    """
    skipped: list[Skipped] = []
    for raw in paths:
        if os.fsdecode(raw) == "-":
            return Survey(readable=True)
        for item in iter_sources([raw], follow_links=follow_links):
            if not isinstance(item, Skipped):
                return Survey(readable=True)
            skipped.append(item)
    return Survey(readable=False, skipped=tuple(skipped))


def detect_format(source: Source) -> str:
    """Pick a reader by extension (under ``.gz``), then by content."""
    ext = source.suffix
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    head = source.head(8192)
    if looks_like_warc(head):
        return "warc"
    if looks_binary(head):
        raise UnsupportedFormat(source.name, "binary file, not text")
    text = decode(head).lstrip("\ufeff \t\r\n")
    if not text:
        raise IngestError(source.name, "empty file: no text to index")
    if text[0] in "[{":
        return "json"
    if looks_like_time_collection(text):
        return "time"
    if looks_like_reuters21578(text):
        return "reuters21578"
    if text.startswith("<"):
        if looks_like_feed(text):
            return "feed"
        lowered = text[:2000].lower()
        if any(tag in lowered for tag in ("<html", "<!doctype html", "<head", "<body", "<meta", "<title", "<div", "<p>")):
            return "html"
        raise UnsupportedFormat(source.name, "XML that is neither a feed nor a page")
    if ext in (".xml", ".sgm", ".sgml"):
        raise UnsupportedFormat(source.name, f"{ext} file that is neither a feed, a page nor Reuters-21578 SGML")
    if HEADER_LINE.match(text.split("\n", 1)[0].rstrip("\r")):
        return "header"
    return "page" if looks_like_page(source.prose()) else "text"


def _skip_reason(path: Path) -> str | None:
    name = path.name.lower()
    if name.startswith((".", "~")) or name.endswith("~"):
        return "hidden or backup file"
    if name.startswith(_NOT_ARTICLES):
        return "a collection's documentation, not an article"
    ext = inner_suffix(path)
    if ext in _SNIFF_ONLY:
        try:
            head = decode(Source(name=shown_path(path), path=path).head(512))
        except IngestError:
            return None  # reading it will report the problem
        return None if _SNIFF_ONLY[ext](head) else f"unsupported file type {ext}"
    if ext not in _BY_EXTENSION and ext not in _TEXT_EXTENSIONS:
        return f"unsupported file type {ext}"
    return None


def iter_sources(
    paths: Iterable[str | bytes | Path], *, limits: Limits | None = None, follow_links: bool = False
) -> Iterator[Union[Source, Skipped, IngestError]]:
    """Yield every input under ``paths`` in a stable order.

    Folders recurse (sorted, hidden entries and documentation files
    skipped); files named explicitly are always read; ``-`` reads stdin (at
    most ``limits.input_bytes``). Inside a folder, what is not a regular
    file (a FIFO, socket or device: opening a FIFO would wait forever) is
    skipped and named; so is a symlink that leads out of the folder given,
    unless ``follow_links`` (then linked folders are walked too, each real
    folder once). A folder that cannot be read is an error, not silence.
    A path may be bytes; a name that is not UTF-8 is read all the same and
    shown escaped (see :mod:`newssearch.paths`).
    """
    limits = limits or Limits()
    for raw in paths:
        path = Path(os.fsdecode(raw))
        if str(path) == "-":
            yield _stdin(limits)
            continue
        if path.is_dir():
            yield from _walk(path, limits, follow_links)
        elif path.is_file():
            yield Source(name=shown_path(path), path=path, root=path.parent, limit=limits.input_bytes, field_limit=limits.field_chars)
        elif path.exists():
            yield UnsupportedFormat(shown_path(path), "not a regular file (a FIFO, socket or device)")
        else:
            yield IngestError(shown_path(path), "no such file or folder")


def _stdin(limits: Limits) -> Source:
    """Stdin as a stream: JSON Lines, CSV and WARC are read from it record
    by record (``newssearch export | newssearch index -`` of any length);
    the other formats read it whole, within ``limits.input_bytes``."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in its place (tests, embedding)
        stream = io.BytesIO(sys.stdin.read(limits.input_bytes + 1).encode())
    return Source(name="<stdin>", stream=stream, limit=limits.input_bytes, field_limit=limits.field_chars)


def _walk(root: Path, limits: Limits, follow_links: bool) -> Iterator[Union[Source, Skipped, IngestError]]:
    real_root = root.resolve()
    seen = {real_root}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield IngestError(shown_path(folder), f"cannot read folder: {exc.strerror or exc}")
            continue
        subfolders: list[Path] = []
        beside = _beside_collection(folder, entries)
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    skipped = _symlink_skip(path, real_root, follow_links)
                    if skipped is not None:
                        yield skipped
                        continue
                if entry.is_dir():
                    if not entry.name.startswith("."):
                        subfolders.append(path)
                    continue
                if not entry.is_file():
                    yield Skipped(shown_path(path), "not a regular file (a FIFO, socket or device)")
                    continue
            except OSError as exc:
                yield IngestError(shown_path(path), f"cannot read: {exc.strerror or exc}")
                continue
            reason = _skip_reason(path) or beside.get(entry.name)
            if reason:
                yield Skipped(shown_path(path), reason)
            else:
                yield Source(name=shown_path(path), path=path, root=root, limit=limits.input_bytes, field_limit=limits.field_chars)
        for sub in reversed(subfolders):
            real = sub.resolve()
            if real not in seen:  # a linked folder already walked, or a cycle
                seen.add(real)
                stack.append(sub)


def _beside_collection(folder: Path, entries: list[os.DirEntry[str]]) -> dict[str, str]:
    """The plain-text files of a folder that holds a research collection
    (Reuters-21578 SGML, the TIME collection), each with why it is skipped.

    Such a folder ships its documentation beside the collection: category
    lists, notes, descriptions, as loose ``.txt`` files with no article
    structure (no header lines, no markup, no records). Read as articles
    they were indexed (or failed as "page furniture"); the collection's
    articles are all in its collection files. Only plain text is skipped:
    a header block, JSON, a feed or a page beside a collection is read as
    ever, and a file named on the command line is always read.
    """
    files = [Path(e.path) for e in entries if not e.name.startswith(".") and e.is_file()]
    collection = next((p for p in files if inner_suffix(p) in _COLLECTION_SUFFIXES and _is_collection(p)), None)
    if collection is None:
        return {}
    kind = _is_collection(collection)
    reasons = {}
    for path in files:
        if inner_suffix(path) in _PLAIN_SUFFIXES and path != collection and _is_plain_text(path):
            reasons[path.name] = f"not an article (plain text beside the {kind} collection {collection.name}; name the file to read it)"
    return reasons


def _is_collection(path: Path) -> str | None:
    """The name of the research collection ``path`` holds, if it holds one."""
    try:
        text = decode(Source(name=shown_path(path), path=path).head(8192))
    except IngestError:
        return None
    if looks_like_reuters21578(text):
        return "Reuters-21578"
    if looks_like_time_collection(text):
        return "TIME"
    return None


def _is_plain_text(path: Path) -> bool:
    """Whether ``path`` is text with no structure a reader recognises (what
    :func:`detect_format` reads as ``page`` or ``text``), from its first bytes."""
    try:
        head = Source(name=shown_path(path), path=path).head(8192)
    except IngestError:
        return False
    if not head or looks_like_warc(head) or looks_binary(head):
        return False
    text = decode(head).lstrip("\ufeff \t\r\n")
    if not text or text[0] in "[{<":
        return False
    first = text.split("\n", 1)[0].rstrip("\r")
    return not (looks_like_time_collection(text) or looks_like_reuters21578(text) or HEADER_LINE.match(first))


def _symlink_skip(path: Path, real_root: Path, follow_links: bool) -> Skipped | None:
    """Why a symlink met in a folder is not followed, or None to follow it."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Skipped(shown_path(path), "broken symlink")
    if follow_links:
        return None
    inside = target == real_root or real_root in target.parents
    if target.is_dir():
        where = "inside the folder (read where it is)" if inside else f"outside the folder ({shown_path(target)})"
        return Skipped(shown_path(path), f"symlink to a folder {where}; --follow-links follows it")
    if not inside:
        return Skipped(shown_path(path), f"symlink to {shown_path(target)}, outside the folder given; --follow-links reads it")
    return None


def _within_limits(article: Article, source: Source, limits: Limits) -> ReadResult:
    """The article as the limits allow: an error for a field over
    ``field_chars`` (the rest of the file is still read), a headline cut to
    ``title_chars`` at a word with a notice."""
    # the body and headline were measured by build_article before any work on them
    for what, value in (("URL", article.url or ""), ("outlet", article.source or ""),
                        ("section", article.section or ""), ("authors", " ".join(article.authors))):
        if len(value) > limits.field_chars:
            title = " ".join(article.title[:60].split())
            return IngestError(
                source.name,
                f"article {title!r}: its {what} has {len(value) / 2**20:,.1f} M characters, more than the"
                f" {limits.field_chars / 2**20:,.0f} M one field may have (--max-field-mb); skipped",
            )
    if len(article.title) > limits.title_chars:
        cut = article.title.rfind(" ", 0, limits.title_chars)
        cut = cut if cut > limits.title_chars // 2 else limits.title_chars
        source.problems.append(
            f"a headline of {len(article.title):,} characters was cut to {cut:,} (--max-title-chars)"
        )
        return article.replace(title=article.title[:cut].rstrip())
    return article


def read_source(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Run the right reader on one input; any failure becomes an IngestError.

    A reader bug on one odd file must not end a batch of thousands, so
    unexpected exceptions are reported like input errors, naming the file.
    Problems met while reading the bytes that still left something to read
    (a truncated gzip file) come out as notices at the end.
    """
    yield from _read(source, options)
    for problem in source.problems:
        yield Notice(source.name, problem)
    source.problems.clear()


def _read(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    try:
        name = options.format or detect_format(source)
        reader = FORMATS.get(name)
        if reader is None:
            raise UnsupportedFormat(source.name, f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
        for result in reader(source, options):
            yield _within_limits(result, source, options.limits) if isinstance(result, Article) else result
    except NewsSearchError as exc:
        yield exc if isinstance(exc, IngestError) else IngestError(source.name, str(exc))
    except RecursionError:
        yield IngestError(source.name, "input is nested too deeply to read")
    except MemoryError:
        yield IngestError(source.name, "input is too large to read into memory")
    except Exception as exc:  # noqa: BLE001 - see docstring
        yield IngestError(source.name, f"cannot read ({type(exc).__name__}: {exc})")


def read_path(
    paths: str | bytes | Path | Iterable[str | bytes | Path],
    *,
    format: str | None = None,
    tz: str | tzinfo | None = None,
    source: str | None = None,
    now: datetime | None = None,
    on_error: Callable[[IngestError], None] | None = None,
    on_notice: Callable[[Notice], None] | None = None,
    on_file: Callable[[Source], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    limits: Limits | None = None,
    follow_links: bool = False,
) -> Iterator[Article]:
    """Yield the articles in a file, a folder (recursively), or several.

    ``paths`` is one path or several; folders are walked in a stable order
    (hidden and documentation files skipped) and ``-`` reads stdin. A file
    whose name is not UTF-8 is read like any other; its name is shown
    (in ``Article.path``, errors and notices) with ``\\xNN`` escapes.
    ``format`` forces one reader (see :data:`FORMATS`) instead of detecting
    it per file; ``tz`` is the zone for times printed without one (UTC by
    default); ``source`` names the outlet of articles that do not name one;
    ``now`` is the time after which a date counts as "in the future".

    Broken files and records are passed to ``on_error`` (by default issued
    as :class:`~newssearch.errors.IngestWarning`) and skipped; the other articles are still
    yielded. Notices (a date not used and why, archive records that are not
    pages) are passed to ``on_notice`` (by default issued as
    :class:`~newssearch.errors.IngestNotice`). ``on_file`` is called as each file is opened and
    ``on_skip`` for each file a folder holds that is not an article (hidden,
    documentation, an unknown extension, a FIFO, a symlink out of the
    folder), for progress and summaries. ``limits`` bounds what one input
    may cost (:class:`Limits`: 512 MB per input read whole or per record of
    JSON Lines, CSV and WARC, 10 M characters per field,
    1,000 per headline); ``follow_links`` follows symlinks that lead out of
    a folder given.
    """
    options = ReadOptions.build(tz=tz, source=source, format=format, now=now, limits=limits)
    if isinstance(paths, (str, bytes, Path)):
        paths = [paths]

    def report(err: IngestError) -> None:
        if on_error is not None:
            on_error(err)
        else:
            warnings.warn(str(err), errors.IngestWarning, stacklevel=3)

    for item in iter_sources(paths, limits=options.limits, follow_links=follow_links):
        if isinstance(item, Skipped):
            if on_skip is not None:
                on_skip(item)
            continue
        if isinstance(item, IngestError):
            report(item)
            continue
        if on_file is not None:
            on_file(item)
        for result in read_source(item, options):
            if isinstance(result, IngestError):
                report(result)
            elif isinstance(result, Notice):
                if on_notice is not None:
                    on_notice(result)
                else:
                    warnings.warn(str(result), errors.IngestNotice, stacklevel=2)
            else:
                yield result
