"""A web server on 127.0.0.1 for tests of HTTP code: pages, feeds, redirects,
conditional answers, slow servers, huge and trickling responses, a stand-in proxy.

Tests must never reach beyond this machine, and a mock of ``requests`` would
test our idea of HTTP rather than the real client (timeouts, streaming,
proxies from the environment); a real server on the loopback interface does
neither. Each request is recorded on arrival (:meth:`Loopback.requests`),
with its raw request target: a client using us as a plain-HTTP proxy sends
the absolute URL (``GET http://example.invalid/feed``), and a test can see it.

Use the ``loopback`` fixture (conftest), or ``with Loopback() as server:``
for a second server in one test.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

ANY_PATH = "*"  # add(ANY_PATH, ...) answers every path not added otherwise (but /robots.txt)
_CHUNK = 64 * 1024


class Headers(dict[str, str]):
    """Request headers as a dict whose lookups ignore case (keys are stored lower-cased)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((name.lower(), value) for name, value in items)

    def __getitem__(self, name: str) -> str:
        return str(super().__getitem__(name.lower()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class Seen:
    """One request as it arrived."""

    path: str  # the raw request target: "/feed?x=1", or "http://host/feed" when we are a proxy
    headers: Headers
    time: float  # time.monotonic() on arrival, before any delay
    method: str = "GET"


@dataclass(frozen=True)
class _Route:
    body: bytes
    status: int
    content_type: str
    etag: str | None
    last_modified: str | None
    delay: float
    redirect: str | None
    headers: dict[str, str]
    stream_bytes: int | None
    chunk_bytes: int
    chunk_delay: float
    header_delay: float


@dataclass
class _Stream:
    sent: int = 0
    done: threading.Event = field(default_factory=threading.Event)


class Loopback:
    """An HTTP server on 127.0.0.1 (a free port), serving in a daemon thread until :meth:`stop`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}
        self._seen: list[Seen] = []
        self._streams: dict[str, _Stream] = {}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.loopback = self
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._stopped = False

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        etag: str | None = None,
        last_modified: str | None = None,
        delay: float = 0.0,
        redirect: str | None = None,
        headers: dict[str, str] | None = None,
        stream_bytes: int | None = None,
        chunk_bytes: int = _CHUNK,
        chunk_delay: float = 0.0,
        header_delay: float = 0.0,
    ) -> None:
        """Serve ``path`` (replacing what it served before).

        ``etag``/``last_modified`` are sent, and a request whose If-None-Match
        (or, without one, If-Modified-Since) equals them gets 304. ``delay``:
        sleep before answering. ``redirect``: answer 302 with this Location.
        ``headers`` are added, and replace the defaults of the same name
        (Content-Type, Content-Length). ``stream_bytes``: send that many b"x"
        without Content-Length, in chunks of ``chunk_bytes`` (64 KiB)
        ``chunk_delay`` seconds apart (a trickle), stopping quietly when the
        client hangs up (see :meth:`sent`). ``header_delay``: send the status
        line and headers one byte at a time, this many seconds apart (a server
        that holds a client without ever going silent for a read timeout).
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = _Route(data, status, content_type, etag, last_modified, delay, redirect, dict(headers or {}),
                       stream_bytes, chunk_bytes, chunk_delay, header_delay)
        with self._lock:
            self._routes[path] = route

    def add_file(self, path: str, file: Path, content_type: str) -> None:
        """Serve the file's bytes as they are now."""
        self.add(path, Path(file).read_bytes(), content_type=content_type)

    def requests(self, path: str | None = None) -> list[Seen]:
        """Every request received, in order; only those for ``path`` (raw target or its path part) when given."""
        with self._lock:
            seen = list(self._seen)
        if path is None:
            return seen
        return [s for s in seen if s.path == path or _path_of(s.path) == path]

    def sent(self, path: str, timeout: float = 5.0) -> int:
        """Bytes the last stream to ``path`` sent, once it has ended (finished, or the client hung up)."""
        with self._lock:
            stream = self._streams.get(path)
        if stream is None:
            return 0
        stream.done.wait(timeout)
        return stream.sent

    def stop(self) -> None:
        """Stop serving and close the port; handlers still sleeping are daemon threads and do not hold us."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _route(self, target: str) -> _Route | None:
        path = _path_of(target)
        with self._lock:
            route = self._routes.get(target) or self._routes.get(path)
            if route is None and path != "/robots.txt":
                route = self._routes.get(ANY_PATH)
            return route


def _path_of(target: str) -> str:
    return urlsplit(target).path or "/"


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler asleep in a slow answer must not block stop()
    allow_reuse_address = True
    loopback: Loopback


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "loopback"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read Loopback.requests(), not stderr

    def do_GET(self) -> None:
        lb = self.server.loopback
        seen = Seen(self.path, Headers(self.headers.items()), time.monotonic(), self.command)
        with lb._lock:
            lb._seen.append(seen)
        try:
            self._answer(lb, lb._route(self.path))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout, a size cap): nothing to tell anyone

    def _answer(self, lb: Loopback, route: _Route | None) -> None:
        if route is None:
            self._send(404, b"not found\n", {"Content-Type": "text/plain; charset=utf-8"})
            return
        if route.delay:
            time.sleep(route.delay)
        if route.redirect is not None:
            self._send(302, b"", {"Location": route.redirect, **route.headers})
            return
        headers = {"Content-Type": route.content_type}
        if route.etag is not None:
            headers["ETag"] = route.etag
        if route.last_modified is not None:
            headers["Last-Modified"] = route.last_modified
        headers.update(route.headers)
        if route.header_delay:
            self._trickle(route, headers)
        elif self._unchanged(route):
            headers.pop("Content-Type")
            self._send(304, None, headers)
        elif route.stream_bytes is not None:
            self._stream(lb, route, headers)
        else:
            self._send(route.status, route.body, headers)

    def _unchanged(self, route: _Route) -> bool:
        # RFC 9110: If-None-Match decides when present; If-Modified-Since only without it.
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return route.etag is not None and route.etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        return since is not None and since == route.last_modified

    def _send(self, status: int, body: bytes | None, headers: dict[str, str]) -> None:
        self.send_response(status)
        names = {name.lower() for name in headers}
        if body is not None and "content-length" not in names:
            headers = {**headers, "Content-Length": str(len(body))}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _trickle(self, route: _Route, headers: dict[str, str]) -> None:
        head = f"HTTP/1.1 {route.status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(route.body)}\r\nConnection: close\r\n\r\n"
        for byte in head.encode("latin-1"):
            self.wfile.write(bytes([byte]))
            time.sleep(route.header_delay)
        self.wfile.write(route.body)
        self.close_connection = True

    def _stream(self, lb: Loopback, route: _Route, headers: dict[str, str]) -> None:
        stream = _Stream()
        with lb._lock:
            lb._streams[_path_of(self.path)] = stream
        try:
            self.send_response(route.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            left = route.stream_bytes or 0
            chunk = b"x" * route.chunk_bytes
            while left > 0:
                piece = chunk[:left]
                self.wfile.write(piece)
                stream.sent += len(piece)
                left -= len(piece)
                if route.chunk_delay:
                    time.sleep(route.chunk_delay)
        finally:
            stream.done.set()


class OffMachine:
    """Connections a test tried beyond the loopback interface (each refused before it was made).

    Tests of the address policy name the metadata service and the intranet; were the policy
    broken, the fetcher would connect there. :func:`refuse_off_machine` makes every socket in
    the test process refuse such a connection and records it, so a broken policy fails the
    test instead of sending a single packet.
    """

    def __init__(self) -> None:
        self.tried: list[object] = []


def refuse_off_machine(monkeypatch: Any) -> OffMachine:
    """Patch ``socket.socket.connect`` for one test: loopback addresses only (see :class:`OffMachine`)."""
    seen = OffMachine()
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        try:
            inside = host is None or ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
        except ValueError:
            inside = False  # a name: tests connect to addresses only
        if not inside:
            seen.tried.append(address)
            raise ConnectionRefusedError(111, f"test: no connection beyond loopback ({address})")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen
