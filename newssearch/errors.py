"""One exception tree for the whole library.

Callers (the CLI above all) catch :class:`NewsSearchError` once and print its
message; nothing else should escape to a user. The tree::

    NewsSearchError
    ├── IngestError (path, line)
    │   ├── UnsupportedFormat
    │   ├── ParseError
    │   ├── FieldTooLarge
    │   ├── DecompressedTooLarge
    │   └── EmptyFeed
    ├── IndexStoreError
    │   ├── IndexNotFound
    │   ├── IndexLocked
    │   │   └── FollowerRunning
    │   ├── IndexVersionMismatch
    │   ├── IndexDamaged
    │   └── WorkerFailed
    ├── QuerySyntaxError (query, position)
    ├── SearchTimedOut (seconds)
    ├── AmbiguousId (prefix, candidates)
    ├── FetchError (url, problem, retryable)
    │   └── AddressRefused
    ├── ConfigError (option)
    ├── SavedSearchExists
    └── RequestRefused (the web server's refusals of one HTTP request)
        ├── AccessDenied
        ├── Forbidden
        ├── NotFound
        └── RequestTooLarge

    UserWarning
    └── IngestWarning ─ IngestNotice

    KeyboardInterrupt
    └── Terminated

    Exception
    └── UnsupportedQueryShape (internal: never reaches a caller)

Every message is one line that names what went wrong and, for input, where:
``path:line: problem``. Whoosh's own exceptions are mapped to these in one
place, :mod:`newssearch.engine.errors`, which raises them ``from`` the
original so that ``NEWSSEARCH_DEBUG=1`` and a library caller still see the
cause; any other exception is a bug, and the CLI says so.

:class:`Terminated` is SIGTERM or SIGHUP raised as Ctrl-C is, so a run
stops the same way whichever ended it. :class:`UnsupportedQueryShape` is the
ranker's signal to hand a query to Whoosh's own matchers; the search layer
always catches it. The warnings are what :func:`newssearch.read_path` issues for a skipped
file or record (:class:`IngestWarning`) and for a notice that cost no
article (:class:`IngestNotice`) when the caller passes no handler.
"""

from __future__ import annotations

from pathlib import Path

from .paths import shown_path

__all__ = [
    "AccessDenied",
    "AddressRefused",
    "AmbiguousId",
    "ConfigError",
    "DecompressedTooLarge",
    "EmptyFeed",
    "FetchError",
    "FieldTooLarge",
    "FollowerRunning",
    "Forbidden",
    "IndexDamaged",
    "IndexLocked",
    "IndexNotFound",
    "IndexStoreError",
    "IndexVersionMismatch",
    "IngestError",
    "IngestNotice",
    "IngestWarning",
    "NewsSearchError",
    "NotFound",
    "ParseError",
    "QuerySyntaxError",
    "RequestRefused",
    "RequestTooLarge",
    "SavedSearchExists",
    "SearchTimedOut",
    "Terminated",
    "UnsupportedFormat",
    "UnsupportedQueryShape",
    "WorkerFailed",
]


class NewsSearchError(Exception):
    """Base class of every error newssearch raises on purpose."""


class IngestError(NewsSearchError):
    """A file (or one record of it) could not be turned into an article."""

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None) -> None:
        # shown, not raw: a name that is not UTF-8 must not make the message unprintable
        self.path = shown_path(path) if path is not None else None
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


class FieldTooLarge(IngestError):
    """One article's field is over :attr:`~newssearch.ingest.Limits.field_chars`:
    that article is skipped; readers of many articles per file go on with the next."""


class DecompressedTooLarge(IngestError):
    """A compressed input inflates past the size limit (a gzip bomb, or
    just too big): an error for that input, not a crash and not half a
    document. ``path`` is None where the bytes have no file name (the
    reader that knows the file raises its own error, naming it)."""


class EmptyFeed(IngestError):
    """A well-formed feed without entries: an error for a file given to
    ``index``, a quiet hour for a followed feed."""


class IndexStoreError(NewsSearchError):
    """The index on disk cannot be used as asked."""


class IndexNotFound(IndexStoreError):
    """There is no index at the given location."""


class IndexLocked(IndexStoreError):
    """Another writer holds the index lock (Whoosh allows one writer at a time)."""


class FollowerRunning(IndexLocked):
    """Another follower is running on the index (one at a time, so that no
    alert is delivered twice: :mod:`newssearch.live.running`)."""


class IndexVersionMismatch(IndexStoreError):
    """The index was written by an incompatible Whoosh or with another schema."""


class IndexDamaged(IndexStoreError):
    """Files of the index are missing, truncated or changed since they were
    written (``newssearch check`` says which; ``check --repair`` fixes what
    can be fixed)."""


class WorkerFailed(IndexStoreError):
    """A writer process ended without finishing its part (killed by the
    system for memory, or a bug in it). The run is cancelled, so the index
    is as at its last commit; the message names the process's error or exit
    code."""


class QuerySyntaxError(NewsSearchError):
    """The query text cannot be parsed."""

    def __init__(self, query: str, problem: str, position: int | None = None) -> None:
        self.query = query
        self.position = position
        where = f" at character {position}" if position is not None else ""
        shown = query if len(query) <= 80 else query[:77] + "..."  # a pasted text must not fill the screen
        super().__init__(f"cannot parse query {shown!r}{where}: {problem}")


class SearchTimedOut(NewsSearchError):
    """A search ran past its time budget (``timeout``) and was stopped.

    Not the user's mistake and not a bug: the query asked for more work
    than the budget allows (many wildcards over a large archive); the
    message says what to change."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"the search was stopped after {seconds:g} s, its time budget (timeout); "
            "fewer wildcards or a date range make it cheaper, or give it more time"
        )


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


class AddressRefused(FetchError):
    """A URL (or a redirect on the way) leads to an address the follower does
    not connect to: link-local or cloud metadata ever, other non-public
    addresses unless trusted (see :mod:`newssearch.live.addresses`). Never
    retryable: the same name leads to the same refusal."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(url, problem, retryable=False)


class ConfigError(NewsSearchError):
    """A setting (time zone, option value, environment variable) is invalid.

    ``option`` names the option at fault when there is one (``"tz"``,
    ``"since"``, ``"half_life"``), so a front end can point at it.
    """

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        super().__init__(message)


class SavedSearchExists(NewsSearchError):
    """A search is already saved under the name given (``saved add`` without ``--replace``).

    Its own class so that the web server answers 409 Conflict for it, where
    the CLI prints it as any other error."""


class RequestRefused(NewsSearchError):
    """``newssearch serve`` refuses one HTTP request (the server goes on).

    Raised by :mod:`newssearch.web` only, and mapped to an HTTP status in one
    place there (:mod:`newssearch.web.problems`); a bad query or option is
    still :class:`QuerySyntaxError` or :class:`ConfigError`, as anywhere else."""


class AccessDenied(RequestRefused):
    """The request lacks the token the server was started with (``--read-token``), or gives a wrong one."""


class Forbidden(RequestRefused):
    """The request is refused whatever token it carries: a write to a server
    started without ``--write-token``, or a form sent from another site (no
    valid CSRF token, or a foreign Origin)."""


class NotFound(RequestRefused):
    """The request names something that is not there: an article id, a saved search, a path."""


class RequestTooLarge(RequestRefused):
    """The request (its address or its body) is over the server's size limit."""


class IngestWarning(UserWarning):
    """Issued for a skipped file or record when ``read_path`` has no ``on_error``."""


class IngestNotice(IngestWarning):
    """Issued for a notice (a date not used, records that are not pages)
    when ``read_path`` has no ``on_notice``."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop as Ctrl-C stops (cancel, leave the index as
    committed), with the exit code that says so (143, not 130)."""


class UnsupportedQueryShape(Exception):
    """The query has a part the numpy ranker does not evaluate (a term
    range, a minimum-match group): the search runs Whoosh's own matchers
    for it instead. Internal to the search layer."""
