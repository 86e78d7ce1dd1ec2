"""One line on stderr per request: who asked what, the status, the size and the time taken.

The server's own access log (uvicorn's) writes to stdout, without the
response's size or time, and with the whole query string: a ``?token=``
would be kept in every log file. This middleware writes, once the response
is sent (or the client left)::

    2026-12-07T15:30:00Z 127.0.0.1 "GET /api/search?q=oil HTTP/1.1" 200 5123 12.3ms

with the value of ``token`` replaced by ``***``, and control characters of
the target escaped so that a request cannot forge a log line.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime, timezone
from typing import TextIO
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "shown_target"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\"\\]")


def _hidden(part: str) -> str:
    """One ``name=value`` of a query string, the value hidden when the name is (spelled as parse_qs reads it) ``token``."""
    name, _, _value = part.partition("=")
    return f"{name}=***" if unquote_plus(name) == "token" else part


def shown_target(scope: Scope) -> str:
    """The request's path and query string as logged: token hidden, control characters escaped."""
    path = (scope.get("raw_path") or scope["path"].encode("utf-8")).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    parts = [_hidden(part) for part in query.split("&")] if query else []
    target = path + ("?" + "&".join(parts) if parts else "")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", target)


class AccessLog:
    """Writes the access line of each HTTP request to ``stream`` (stderr)."""

    def __init__(self, app: ASGIApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        size = 0

        async def counted(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            client = scope.get("client")
            who = client[0] if client else "-"
            when = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            line = (
                f'{when} {who} "{scope["method"]} {shown_target(scope)} HTTP/{scope.get("http_version", "1.1")}"'
                f" {status or 500} {size} {(time.perf_counter() - started) * 1000:.1f}ms\n"
            )
            stream = self.stream or sys.stderr
            stream.write(line)
            stream.flush()
