"""The connections the fetcher makes: to checked addresses, within a deadline.

Two things requests cannot do by itself are done here, at the one place
they can be: where urllib3 opens a socket.

- **The address policy** (:mod:`.addresses`). The host name is resolved
  here, each address checked, and the socket connected to an address that
  passed: resolving once to check and letting the library resolve again to
  connect would let a name answer "public" the first time and "intranet"
  the second (DNS rebinding). TLS still verifies the certificate against the
  host *name*, and the request still carries it in ``Host``. A connection to
  a proxy the user configured is not checked (the proxy resolves the
  target; :meth:`Guard.precheck` checks what can be checked here first).
- **The deadline of the whole response.** Socket timeouts bound each read,
  so a server sending its headers one byte every half second was never cut
  off: http.client reads headers line by line, and requests returns nothing
  before they are all in. :meth:`Guard.deadline` starts a timer per attempt
  that shuts down the attempt's socket when the deadline passes; the
  blocked read then returns at once, and the fetcher reports the deadline,
  not the broken connection it caused.

Each :class:`~newssearch.live.fetch.Fetcher` has one :class:`Guard`, mounted
on each of its sessions with :func:`guarded_adapter`; the connection
classes find it as a class attribute (urllib3 builds connections from a
class, with no room for extra arguments), so the classes are made per
guard.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..errors import AddressRefused
from .addresses import AddressPolicy

__all__ = ["Deadline", "Guard", "guarded_adapter"]


class Deadline:
    """One attempt's deadline: when it passes, the sockets the attempt uses are shut down."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._done = False
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def adopt(self, sock: socket.socket) -> None:
        """Watch ``sock`` for this attempt (shut down at once when the deadline has already passed)."""
        with self._lock:
            if self.expired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def cancel(self) -> None:
        """The attempt is over: its sockets are no longer this deadline's to shut down."""
        with self._lock:
            self._done = True
            self._sockets = []
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: ssl.SSLSocket.shutdown would tear down
    # the TLS state under the thread still reading it. A blocked recv returns at once either way.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to cut


class Guard:
    """A fetcher's checks on its connections: the address policy, and the deadline of the
    attempt each thread has in progress."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._local = threading.local()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[Deadline]:
        """Bound everything this thread's connections do inside the block to ``seconds``."""
        deadline = Deadline(seconds)
        self._local.deadline = deadline
        try:
            yield deadline
        finally:
            self._local.deadline = None
            deadline.cancel()

    def adopt(self, sock: socket.socket | None) -> None:
        """Put ``sock`` under the deadline of this thread's attempt, if one is running."""
        deadline: Deadline | None = getattr(self._local, "deadline", None)
        if deadline is not None and sock is not None:
            deadline.adopt(sock)

    def precheck(self, url: str, host: str, port: int) -> None:
        """Check a target reached through a proxy, as far as this machine can: an address
        literal always, a name when it resolves here (the proxy may resolve it elsewhere)."""
        try:
            self.policy.addresses(host, port)
        except AddressRefused as exc:
            raise AddressRefused(url, exc.problem) from None
        except (OSError, UnicodeError):
            pass  # not resolvable here: the proxy decides


class _GuardedConnection(HTTPConnection):
    """An HTTP connection that connects only to addresses the guard's policy allows."""

    guard: Guard  # set on the per-guard subclass

    def _new_conn(self) -> socket.socket:
        if self.proxy is not None:  # the user's proxy: theirs to trust
            sock = super()._new_conn()
        else:
            sock = _connect(self, self.guard.policy)
        self.guard.adopt(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        self.guard.adopt(self.sock)  # a connection kept alive from an earlier attempt
        super().request(*args, **kwargs)


class _GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
    """The same for HTTPS (TLS is set up on the checked socket, verified against the host name)."""


def _connect(conn: HTTPConnection, policy: AddressPolicy) -> socket.socket:
    """A socket connected to the first allowed address of ``conn.host`` that answers,
    failing as urllib3's own connect fails (so errors are reported the same way)."""
    host, port = conn.host, conn.port or 80
    try:
        addresses = policy.addresses(host, port)
    except socket.gaierror as exc:
        raise urllib3.exceptions.NameResolutionError(host, conn, exc) from exc
    timeout = conn.timeout if isinstance(conn.timeout, (int, float)) else None
    last: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            for level, option, value in conn.socket_options or ():
                sock.setsockopt(level, option, value)
            sock.settimeout(timeout)
            if conn.source_address:
                sock.bind(conn.source_address)
            sock.connect((address, port))
        except OSError as exc:
            sock.close()
            last = exc
            continue
        sys.audit("http.client.connect", conn, host, port)
        return sock
    if isinstance(last, TimeoutError):
        raise urllib3.exceptions.ConnectTimeoutError(conn, f"Connection to {host} timed out. (connect timeout={timeout})") from last
    raise urllib3.exceptions.NewConnectionError(conn, f"Failed to establish a new connection: {last}") from last


def _pool_classes(guard: Guard) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose connections answer to ``guard``."""
    plain = type("GuardedHTTPConnection", (_GuardedConnection,), {"guard": guard})
    tls = type("GuardedHTTPSConnection", (_GuardedHTTPSConnection,), {"guard": guard})
    return {
        "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
        "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": tls}),
    }


class _GuardedAdapter(HTTPAdapter):
    """requests' adapter with guarded pools, direct and through an HTTP(S) proxy (SOCKS is left as it is)."""

    def __init__(self, guard: Guard) -> None:
        self._classes = _pool_classes(guard)
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        known = proxy in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not known and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = self._classes
        return manager


def guarded_adapter(guard: Guard) -> requests.adapters.BaseAdapter:
    """An adapter to mount on ``http://`` and ``https://`` of a session, so its connections answer to ``guard``."""
    return _GuardedAdapter(guard)
