"""Every error an API request can meet, as an HTTP status and a JSON body, in one place.

As the CLI maps each :class:`~newssearch.errors.NewsSearchError` to one line
and an exit code, the server maps it to one status and
``{"error": {"type": ..., "message": ...}}``, the message the CLI would
print. The choices:

- 400: the request is wrong and asking again unchanged will not help (a
  query that cannot be read, a bad option, an ambiguous id prefix);
- 401: reading needs the server's token (``--read-token``), or a write its
  write token (``--write-token``), and none or a wrong one was given;
- 403: refused whatever the token: a write to a server started without a
  write token, or a form sent from another site;
- 404: no such article, saved search or address; 405: a method the address does not take;
- 409: a saved search of that name exists (asking again unchanged will not help, but another name will);
- 413: the request's address or body is over the server's limits;
- 503 with ``Retry-After``: the index cannot be read just now (missing,
  damaged, locked, of another version): the server stays up and answers
  the next request from the index as it is then, so it recovers once the
  index is fixed;
- 504: the search ran past its time budget. Not 503: the server is fine and
  another query is answered at once, and a proxy or monitor that takes 503
  for "this backend is down" must not retry an expensive query elsewhere or
  take the server out of rotation for it;
- 500: anything else is a bug; the body says so in one line, and the
  traceback goes to the server's log (stderr), never to the client.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field

from ..errors import (
    AccessDenied,
    AmbiguousId,
    ConfigError,
    Forbidden,
    IndexStoreError,
    NewsSearchError,
    NotFound,
    QuerySyntaxError,
    RequestTooLarge,
    SavedSearchExists,
    SearchTimedOut,
)

__all__ = ["RETRY_AFTER", "Problem", "logged_problem", "problem_for"]

#: Seconds a client is asked to wait before asking again when the index is unavailable.
RETRY_AFTER = 2

_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (AccessDenied, 401),
    (Forbidden, 403),
    (SavedSearchExists, 409),
    (NotFound, 404),
    (RequestTooLarge, 413),
    (QuerySyntaxError, 400),
    (ConfigError, 400),
    (AmbiguousId, 400),
    (SearchTimedOut, 504),
    (IndexStoreError, 503),
)


@dataclass(frozen=True)
class Problem:
    """What the client is told: ``status``, the error's ``kind`` (its class name), a one-line ``message``, extra headers."""

    status: int
    kind: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    #: A bug: log the traceback on the server.
    internal: bool = False

    def body(self) -> dict[str, dict[str, str]]:
        """The JSON body: ``{"error": {"type": ..., "message": ...}}``."""
        return {"error": {"type": self.kind, "message": self.message}}


def problem_for(exc: BaseException) -> Problem:
    """The answer to a request that raised ``exc``."""
    message = " ".join(str(exc).split())
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            headers = {}
            if status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="newssearch"'
            if status == 503:
                headers["Retry-After"] = str(RETRY_AFTER)
            return Problem(status, type(exc).__name__, message, headers)
    if isinstance(exc, NewsSearchError):  # the library's own words on something outside the request (a saved searches file)
        return Problem(500, type(exc).__name__, message)
    return Problem(
        500,
        "InternalError",
        f"internal error: {type(exc).__name__}: {message}. This is a bug in newssearch, not a problem with"
        " the request: the server's log has the traceback.",
        internal=True,
    )


def logged_problem(exc: BaseException, method: str, path: str) -> Problem:
    """:func:`problem_for`, with a bug's traceback written to the server's log (stderr): the one
    place every endpoint (the API's, the pages', the feeds') turns what it raised into an answer."""
    problem = problem_for(exc)
    if problem.internal:
        print(f"newssearch serve: {method} {path}: {problem.message}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
    return problem
