"""Running the application: uvicorn, its worker processes, its limits, its clean stop.

Why uvicorn (and Starlette above it): a small, well-kept ASGI server with
no dependency beyond h11 in its plain install, that runs several worker
processes itself and stops them cleanly (SIGTERM or Ctrl-C: stop taking
connections, finish the requests in flight, then exit). Its event loop reads
and writes every connection, so a slow client costs a socket, not a thread.

What this module adds to it:

- it binds the listening socket itself, so a port in use is one line and
  exit 1 before any worker starts, and ``--port 0`` serves on a free port
  that the "Serving on" line names;
- :class:`BoundedH11Protocol`: uvicorn closes an idle kept-alive connection
  after ``timeout_keep_alive`` seconds, but waits without end for a request
  that never finishes arriving (a client that sends half its headers and
  stalls, or sends them a byte a minute). The protocol gives every request
  :data:`REQUEST_SECONDS` from the moment the server is ready for it to the
  end of its headers (and body), then closes the connection;
- ``limit_concurrency`` bounds the connections and requests one worker
  holds at once (503 beyond, from uvicorn), so a flood of stalled sockets
  cannot exhaust its file descriptors.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from ..errors import ConfigError
from .config import CONFIG_VARIABLE, PARENT_VARIABLE, ServeConfig

__all__ = ["CONCURRENCY", "KEEP_ALIVE_SECONDS", "REQUEST_SECONDS", "SHUTDOWN_SECONDS", "BoundedH11Protocol", "serve"]

#: Seconds a client has to send a whole request once the server is ready for it.
REQUEST_SECONDS = 10.0
#: Seconds an idle kept-alive connection stays open.
KEEP_ALIVE_SECONDS = 5
#: Seconds the requests in flight get to finish after SIGTERM or Ctrl-C.
SHUTDOWN_SECONDS = 30
#: Connections and requests one worker holds at once (503 beyond).
CONCURRENCY = 256
#: The largest request head (request line and headers) h11 buffers; a
#: larger one is refused with 400 before the application sees it. Above the
#: application's own 16 KiB target limit, so that limit is the one met (413).
_MAX_HEAD_BYTES = 64 * 1024


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline on every request's arrival (see the module's docstring)."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection: its first request has :data:`REQUEST_SECONDS` to arrive."""
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        """An answer sent: the next request on the connection has :data:`REQUEST_SECONDS` to arrive."""
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Closed: no deadline to keep."""
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_SECONDS, self._expire)

    def _expire(self) -> None:
        # IDLE: the request's head has not arrived since the server was ready for it;
        # SEND_BODY: its body has not (a response in progress is never cut: its state is DONE)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            self.transport.close()


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port`` (0: a free port); a port in use is a ConfigError."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
        # and without it every answer on a kept-alive connection waited 40 ms for the client's delayed ACK
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", option="port") from None
    sock.set_inheritable(True)
    return sock


def serve(config: ServeConfig, sock: socket.socket, workers: int) -> None:
    """Serve the API on ``sock`` with ``workers`` processes until SIGTERM or Ctrl-C.

    Returns once the requests in flight are answered (or after
    :data:`SHUTDOWN_SECONDS`). The signals end the server, not the command:
    they are ignored again once uvicorn hands them back, so the command
    returns and exits 0, as a server stopped as asked should."""
    os.environ[CONFIG_VARIABLE] = config.to_environment()
    uv_config = uvicorn.Config(
        "newssearch.web.app:app_from_environment",
        factory=True,
        workers=workers,
        http=BoundedH11Protocol,
        log_level="warning",
        access_log=False,  # ours (accesslog.py) goes to stderr, with size and time, the token hidden
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        limit_concurrency=CONCURRENCY,
        h11_max_incomplete_event_size=_MAX_HEAD_BYTES,
        server_header=False,
        proxy_headers=False,  # ours (proxy.py) reads X-Forwarded-Prefix and -Host too, from --forwarded-allow-ips only
        lifespan="on",
        root_path=config.root_path,
    )
    server = uvicorn.Server(uv_config)
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)  # uvicorn takes them while it runs, and raises them again after
    sys.stderr.flush()
    if workers > 1:
        os.environ[PARENT_VARIABLE] = str(os.getpid())  # each worker ends when this process dies (app.py)
        Multiprocess(uv_config, sockets=[sock]).run()  # each worker runs its own uvicorn.Server on the socket
    else:
        server.run(sockets=[sock])
