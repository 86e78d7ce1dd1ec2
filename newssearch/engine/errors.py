"""Whoosh's exception types, and the one function that maps them.

Only Whoosh's own exceptions (any class defined in a ``whoosh`` module, so
one a new version adds is mapped too) and the operating system's, for the
files of an index, are mapped: anything else raised while using the engine is a bug
in newssearch and must reach the CLI's internal-error path, not be dressed up
as the user's mistake. :func:`mapped` is the context manager every entry
point of the engine uses; ``tests/test_whoosh_behaviour.py`` feeds every
exception class Whoosh defines through :func:`map_whoosh_error`.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as wix
from whoosh.fields import FieldConfigurationError, UnknownFieldError
from whoosh.filedb.filestore import StorageError
from whoosh.filedb.filetables import FileFormatError
from whoosh.qparser.common import QueryParserError
from whoosh.qparser.dateparse import DateParseError
from whoosh.query.qcore import QueryError
from whoosh.reading import CorruptIndexError
from whoosh.util.times import TimeError

from ..errors import (
    IndexLocked,
    IndexNotFound,
    IndexStoreError,
    IndexVersionMismatch,
    NewsSearchError,
    QuerySyntaxError,
)

__all__ = ["QUERY_ERRORS", "is_engine_error", "map_whoosh_error", "mapped"]

#: The ones that say the query text is at fault, when raised while parsing it.
QUERY_ERRORS: tuple[type[Exception], ...] = (QueryParserError, QueryError, DateParseError, TimeError, UnknownFieldError)
#: What the operating system raises about an index's files.
_STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError)
#: A full disk or quota: the user's to fix, said in words rather than as ``[Errno 28]``.
_FULL = {errno.ENOSPC, errno.EDQUOT}
#: Whoosh's version errors that live in modules newssearch does not otherwise load.
_VERSION_ERROR_NAMES = {"FileVersionError", "NoGraphError"}


def is_engine_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one of Whoosh's own exception types (any class
    Whoosh defines, including those a future version adds) or the
    operating system's: the errors the engine maps."""
    if isinstance(exc, _STORAGE_ERRORS):
        return True
    return isinstance(exc, Exception) and any(
        cls.__module__ == "whoosh" or cls.__module__.startswith("whoosh.") for cls in type(exc).__mro__
    )


def map_whoosh_error(exc: Exception, location: str | Path, query: str | None = None) -> NewsSearchError:
    """Return the :class:`NewsSearchError` that stands for a Whoosh (or file) exception.

    ``location`` names the index folder for the message; ``query`` is the
    query text when the exception came from parsing it, so a parser error is
    reported as the query's fault. Raises ``TypeError`` for an exception that
    is neither Whoosh's nor the operating system's: that is a bug and must
    not be mapped.
    """
    where = str(location)
    if isinstance(exc, NewsSearchError):
        return exc
    if not is_engine_error(exc):
        raise TypeError(f"not an engine error: {type(exc).__name__}") from exc
    if query is not None and isinstance(exc, QUERY_ERRORS):
        return QuerySyntaxError(query, _one_line(exc))
    if isinstance(exc, wix.LockError):
        return IndexLocked(
            f"index {where} is locked by another writer; wait for it to finish"
            " (Whoosh allows one writer at a time)"
        )
    if isinstance(exc, wix.EmptyIndexError):
        return IndexNotFound(f"no index at {where}; create one with 'newssearch index PATH'")
    if isinstance(exc, (wix.IndexVersionError, FileFormatError)) or type(exc).__name__ in _VERSION_ERROR_NAMES:
        return IndexVersionMismatch(
            f"index {where} was written in a format this version cannot read: {_one_line(exc)}"
        )
    if isinstance(exc, (UnknownFieldError, FieldConfigurationError)):
        return IndexVersionMismatch(f"index {where} has a different schema: {_one_line(exc)}")
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return IndexStoreError(
            f"index {where}: {exc.strerror or 'the disk is full'}: free some space and run again"
            " (what was not committed is not in the index; what was, is)"
        )
    if isinstance(exc, (CorruptIndexError, StorageError, *_STORAGE_ERRORS)):
        return IndexStoreError(f"index {where}: {_one_line(exc)}")
    return IndexStoreError(f"index {where}: {type(exc).__name__}: {_one_line(exc)}")


@contextmanager
def mapped(location: str | Path) -> Iterator[None]:
    """Raise Whoosh's and the file system's exceptions as newssearch's;
    let every other exception through untouched."""
    try:
        yield
    except Exception as exc:
        if not is_engine_error(exc):
            raise
        raise map_whoosh_error(exc, location) from exc


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
