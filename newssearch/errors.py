"""One exception tree for the whole library.

Callers (the CLI above all) catch :class:`NewsSearchError` once and print its
message; nothing else should escape to a user. The tree::

    NewsSearchError
    ├── IngestError (path, line) ─ UnsupportedFormat, ParseError
    ├── IndexStoreError ─ IndexNotFound, IndexLocked, IndexVersionMismatch
    ├── QuerySyntaxError (query, position)
    ├── AmbiguousId (prefix, candidates)
    ├── FetchError (url, problem, retryable)
    └── ConfigError (option)

Every message is one line that names what went wrong and, for input, where:
``path:line: problem``. Whoosh's own exceptions are mapped to these in one
place, :mod:`newssearch.engine.errors`; any other exception is a bug.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AmbiguousId",
    "ConfigError",
    "FetchError",
    "IndexLocked",
    "IndexNotFound",
    "IndexStoreError",
    "IndexVersionMismatch",
    "IngestError",
    "NewsSearchError",
    "ParseError",
    "QuerySyntaxError",
    "UnsupportedFormat",
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
        shown = query if len(query) <= 80 else query[:77] + "..."  # a pasted text must not fill the screen
        super().__init__(f"cannot parse query {shown!r}{where}: {problem}")


class AmbiguousId(NewsSearchError):
    """An id prefix that several articles' ids start with.

    ``candidates`` are some of them (at most ten); ``more`` says there are others.
    """

    def __init__(self, prefix: str, candidates: list[str], more: bool = False) -> None:
        self.prefix = prefix
        self.candidates = candidates
        self.more = more
        listed = ", ".join(candidates) + (", ..." if more else "")
        count = f"{len(candidates)}{'+' if more else ''}"
        super().__init__(f"id prefix {prefix!r} matches {count} articles ({listed}); give more of the id")


class FetchError(NewsSearchError):
    """A URL could not be fetched: network, HTTP status, robots.txt or a limit.

    ``problem`` is the short human reason (``"HTTP 503 Service Unavailable
    after 3 attempts"``, ``"cannot connect: connection refused"``), never a
    traceback. ``retryable`` tells a follower whether asking again on a later
    round may succeed (timeouts, lost connections, 5xx, 429) or whether the
    answer will stay the same until someone changes something (4xx,
    robots.txt, a body over the size cap, not an http(s) URL).
    """

    def __init__(self, url: str, problem: str, retryable: bool = False) -> None:
        self.url = url
        self.problem = " ".join(str(problem).split())
        self.retryable = retryable
        super().__init__(f"{url}: {self.problem}")


class ConfigError(NewsSearchError):
    """A setting (time zone, option value, environment variable) is invalid.

    ``option`` names the option at fault when there is one (``"tz"``,
    ``"since"``, ``"half_life"``), so a front end can point at it.
    """

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        super().__init__(message)
