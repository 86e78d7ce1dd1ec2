"""The checks every request passes before it reaches an endpoint: size and access.

As ASGI middleware, so no route can forget them: a request whose target
(path and query string) is over :data:`~newssearch.web.config.MAX_TARGET_BYTES`
or whose declared body is over :data:`~newssearch.web.config.MAX_BODY_BYTES`
is answered 413 before anything reads it (a body sent without a length is
counted as it arrives, and refused past the limit when an endpoint reads
it); and with a read token, every address (the API's, the pages', the feeds and
suggestions) but the OpenAPI and OpenSearch descriptions and the stylesheet
needs it, as ``Authorization: Bearer TOKEN`` or ``?token=TOKEN``
(for a feed reader or a browser's address bar, which cannot send headers).

The token is compared with :func:`hmac.compare_digest`, in time that does
not depend on how much of it a guess got right. The write token
(``--write-token``) reads too: whoever may delete articles may read them,
and a write sends one token, not two. Writes check it themselves
(:mod:`.writes`, :mod:`.savedpage`): only they know they write.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import AccessDenied, RequestTooLarge
from .config import MAX_BODY_BYTES, MAX_TARGET_BYTES
from .problems import Problem, problem_for

__all__ = ["OPEN_PATHS", "Guard", "send_problem", "wants_page"]

#: Addresses anyone may read, token or not: what the API offers, never what the index holds.
OPEN_PATHS = frozenset({"/api/openapi.json", "/opensearch.xml"})


class Guard:
    """Refuses oversized and unauthorised requests (see the module's docstring)."""

    def __init__(self, app: ASGIApp, read_token: str | None, page: Callable[[Request, Problem], Response] | None = None,
                 write_token: str | None = None) -> None:
        self.app = app
        self._token = read_token.encode("utf-8") if read_token else None
        self._write_token = write_token.encode("utf-8") if write_token else None
        # a browser refused outside the API is shown the refusal as a page (``page``), not JSON
        self._page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check(scope)
        except (RequestTooLarge, AccessDenied) as exc:
            problem = problem_for(exc)
            if self._page is not None and wants_page(scope):
                await self._page(Request(scope), problem)(scope, receive, send)
            else:
                await send_problem(send, problem)
            return
        await self.app(scope, _counted(receive), send)

    def _check(self, scope: Scope) -> None:
        target = len(scope.get("raw_path") or scope["path"].encode("utf-8")) + len(scope.get("query_string", b""))
        if target > MAX_TARGET_BYTES:
            raise RequestTooLarge(f"the request's address has {target:,} bytes; this server takes at most {MAX_TARGET_BYTES:,}")
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
                if declared < 0:
                    raise RequestTooLarge(f"the request's Content-Length {value[:20]!r} is not a size")
                if declared > MAX_BODY_BYTES:
                    raise RequestTooLarge(f"the request's body has {declared:,} bytes; this server takes at most {MAX_BODY_BYTES:,}")
        path = _route_path(scope)
        if self._token is not None and path not in OPEN_PATHS and not path.startswith("/static/"):
            given = _given_token(scope)
            if given is None:
                raise AccessDenied("this server needs a token to read: send 'Authorization: Bearer TOKEN' or add ?token=TOKEN")
            reads = hmac.compare_digest(given, self._token)
            writes = self._write_token is not None and hmac.compare_digest(given, self._write_token)
            if not (reads or writes):
                raise AccessDenied("the token given is not this server's read token")


def _route_path(scope: Scope) -> str:
    """The path the routes see: behind a proxy's prefix (``root_path``), the server is handed it in front of the path."""
    path: str = scope["path"]
    root = str(scope.get("root_path") or "").rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root):] or "/"
    return path


def wants_page(scope: Scope) -> bool:
    """Whether a refusal of this request (no such address, no token) should be a page, not the
    API's JSON: a browser asks for HTML, and the address is not the API's."""
    accept = b"".join(bytes(v) for k, v in scope.get("headers", []) if k == b"accept")
    return not _route_path(scope).startswith("/api/") and b"text/html" in accept


def _given_token(scope: Scope) -> bytes | None:
    """The token the request carries: the Authorization header's, else ``?token=``."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = bytes(value).partition(b" ")
            if scheme.lower() == b"bearer":
                return credentials.strip()
    values = parse_qs(scope.get("query_string", b"").decode("latin-1"), errors="replace").get("token")
    return values[0].encode("utf-8") if values else None


def _counted(receive: Receive) -> Receive:
    """``receive`` that refuses a body past :data:`MAX_BODY_BYTES` however it is sent."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise RequestTooLarge(f"the request's body is over {MAX_BODY_BYTES:,} bytes, this server's limit")
        return message

    return counted


async def send_problem(send: Send, problem: Problem) -> None:
    """Answer with ``problem`` as the API's JSON error."""
    body = json.dumps(problem.body(), ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode("ascii"))]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
