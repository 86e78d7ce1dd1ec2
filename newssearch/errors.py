"""One exception tree for the whole library, and the one place Whoosh errors are mapped.

Callers (the CLI above all) catch :class:`NewsSearchError` once and print its
message; nothing else should escape to a user. The tree::

    NewsSearchError
    ├── IngestError (path, line) ─ UnsupportedFormat, ParseError
    ├── IndexStoreError ─ IndexNotFound, IndexLocked, IndexVersionMismatch
    ├── QuerySyntaxError (query, position)
    └── ConfigError

Every message is one line that names what went wrong and, for input, where:
``path:line: problem``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "IndexLocked",
    "IndexNotFound",
    "IndexStoreError",
    "IndexVersionMismatch",
    "IngestError",
    "NewsSearchError",
    "ParseError",
    "QuerySyntaxError",
    "UnsupportedFormat",
    "map_whoosh_error",
]


class NewsSearchError(Exception):
    """Base class of every error newssearch raises on purpose."""


class IngestError(NewsSearchError):
    """A file (or one record of it) could not be turned into an article."""

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.problem = " ".join(str(problem).split())
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {self.problem}")


class UnsupportedFormat(IngestError):
    """The input is not in a format any reader understands."""


class ParseError(IngestError):
    """The input claims a format but does not follow it."""


class IndexStoreError(NewsSearchError):
    """The index on disk cannot be used as asked."""


class IndexNotFound(IndexStoreError):
    """There is no index at the given location."""


class IndexLocked(IndexStoreError):
    """Another writer holds the index lock (Whoosh allows one writer at a time)."""


class IndexVersionMismatch(IndexStoreError):
    """The index was written by an incompatible Whoosh or with another schema."""


class QuerySyntaxError(NewsSearchError):
    """The query text cannot be parsed."""

    def __init__(self, query: str, problem: str, position: int | None = None) -> None:
        self.query = query
        self.position = position
        where = f" at character {position}" if position is not None else ""
        super().__init__(f"cannot parse query {query!r}{where}: {problem}")


class ConfigError(NewsSearchError):
    """A setting (time zone, option value, environment variable) is invalid."""


def map_whoosh_error(
    exc: BaseException, location: str | Path, query: str | None = None
) -> NewsSearchError:
    """Return the :class:`NewsSearchError` that stands for a Whoosh exception.

    This is the one place that knows Whoosh's exception classes, so an engine
    upgrade that renames or adds one is fixed here, and the test that feeds
    every Whoosh exception class through this function catches what is missed.
    ``query`` is the query text when the error came from parsing or running one.
    """
    from whoosh import index as wix
    from whoosh.fields import FieldConfigurationError, UnknownFieldError
    from whoosh.filedb.filestore import StorageError
    from whoosh.filedb.filetables import FileFormatError
    from whoosh.qparser.common import QueryParserError
    from whoosh.qparser.dateparse import DateParseError
    from whoosh.query.qcore import QueryError
    from whoosh.reading import CorruptIndexError, ReaderClosed
    from whoosh.util.times import TimeError
    from whoosh.writing import IndexingError

    where = str(location)
    if isinstance(exc, NewsSearchError):
        return exc
    if query is not None:
        # Whoosh's parser also lets plain ValueErrors out of field parsers
        # (e.g. "published:[garbage TO 2020]"): anything raised while parsing
        # is the query's fault.
        kind = "" if isinstance(exc, (QueryParserError, QueryError, DateParseError, TimeError, UnknownFieldError)) else f"{type(exc).__name__}: "
        return QuerySyntaxError(query, kind + _one_line(exc))
    if isinstance(exc, wix.LockError):
        return IndexLocked(
            f"index {where} is locked by another writer; wait for it to finish"
            " (Whoosh allows one writer at a time)"
        )
    if isinstance(exc, wix.EmptyIndexError):
        return IndexNotFound(f"no index at {where}; create one with 'newssearch index PATH'")
    if isinstance(exc, (wix.IndexVersionError, FileFormatError)):
        return IndexVersionMismatch(
            f"index {where} was written in a format this version cannot read: {_one_line(exc)}"
        )
    if isinstance(exc, (UnknownFieldError, FieldConfigurationError)):
        return IndexVersionMismatch(f"index {where} has a different schema: {_one_line(exc)}")
    if isinstance(exc, (CorruptIndexError, wix.OutOfDateError, ReaderClosed, IndexingError)):
        return IndexStoreError(f"index {where}: {_one_line(exc)}")
    if isinstance(exc, (StorageError, OSError, EOFError)):
        return IndexStoreError(f"index {where}: {_one_line(exc)}")
    return IndexStoreError(f"index {where}: {type(exc).__name__}: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
