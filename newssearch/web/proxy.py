"""Behind a reverse proxy: the address the client used, from the proxy's ``X-Forwarded-*`` headers, if the proxy is trusted.

A proxy that serves newssearch under a path prefix (``https://news.example.org/search-desk/``)
hands the server requests for ``/search`` on ``127.0.0.1:8080``, over
plain HTTP. Every address the server writes (the pages' links, forms and
stylesheet, the Atom feeds' links, the OpenSearch templates) must be the
one the client sees, so the proxy says what that was:

- ``X-Forwarded-Prefix``: the path prefix it took off (``/search-desk``);
- ``X-Forwarded-Proto``: ``https`` when the client spoke HTTPS to it;
- ``X-Forwarded-Host``: the host (and port) the client asked for;
- ``X-Forwarded-For``: the client's address, for the access log.

:class:`ForwardedHeaders` rewrites the request's ASGI scope from them
(``root_path`` and ``path``, ``scheme``, the ``host`` header, ``client``)
before anything else reads it, so every part of the app that builds an
address from the request (Starlette's ``base_url``, the pages'
``root_path``) follows without knowing about proxies.

Only from a trusted proxy: any client can send these headers, and one that
could choose the host of the links in a feed or a page another reader is
served (a cache in between) could send that reader elsewhere. They are read
only when the connection comes from an address in ``--forwarded-allow-ips``
(uvicorn's name for the option, and its default: this machine, where a
proxy in front of a server on loopback runs); from anyone else they are
ignored, as if absent. A trusted proxy's value that is not a path prefix, a
scheme or a host is ignored too, with one warning on stderr (a proxy
misconfigured, not a client's mistake: the request is answered as if the
header were not there).
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:  # types only: ``serve`` checks --forwarded-allow-ips before it loads the web extra
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["DEFAULT_TRUSTED", "ForwardedHeaders", "TrustedProxies"]

#: The proxies trusted unless ``--forwarded-allow-ips`` says otherwise: this machine only.
DEFAULT_TRUSTED = ("127.0.0.1", "::1")

_PREFIX = re.compile(r"^(/[A-Za-z0-9._~!$&()*+,;=:@%-]+)*/?$")
_HOST = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$")
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The addresses whose ``X-Forwarded-*`` headers are believed: addresses,
    networks (``10.0.0.0/8``) or ``*`` (every client: only when nothing but the
    proxy can reach the server)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(e.strip() for e in entries if e.strip())
        self.everyone = "*" in self.entries
        self._networks: list[_Network] = []
        for entry in self.entries:
            if entry == "*":
                continue
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ConfigError(f"{entry!r} is not an IP address or network (as 127.0.0.1, 10.0.0.0/8, ::1, or *)", option="forwarded_allow_ips") from None

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """From the option's comma-separated list (``127.0.0.1,10.0.0.0/8``)."""
        return cls(text.split(","))

    def __contains__(self, host: object) -> bool:
        if self.everyone:
            return True
        try:
            address = ipaddress.ip_address(str(host))
        except ValueError:  # a Unix socket's path, or no client at all: not an address we were told to trust
            return False
        return any(address in network for network in self._networks)


class ForwardedHeaders:
    """Rewrites the request's scope from a trusted proxy's ``X-Forwarded-*`` headers (see the module's docstring)."""

    def __init__(self, app: ASGIApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted
        self._warned: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            if client and client[0] in self.trusted:
                scope = self._forwarded(scope)
        await self.app(scope, receive, send)

    def _forwarded(self, scope: Scope) -> Scope:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        given = {name: value.decode("latin-1") for name, value in headers if name.startswith(b"x-forwarded-")}
        scope = dict(scope)
        proto = _first(given.get(b"x-forwarded-proto"))
        if proto is not None:
            if proto.lower() in ("http", "https"):
                scope["scheme"] = proto.lower()
            else:
                self._warn("X-Forwarded-Proto", proto, "http or https")
        host = _first(given.get(b"x-forwarded-host"))
        if host is not None:
            if _HOST.match(host):
                headers = [(n, v) for n, v in headers if n != b"host"] + [(b"host", host.encode("ascii"))]
                scope["headers"] = headers
            else:
                self._warn("X-Forwarded-Host", host, "a host name or address, with its port if any")
        prefix = _first(given.get(b"x-forwarded-prefix"))
        if prefix is not None:
            if _PREFIX.match(prefix):
                _reroot(scope, prefix.rstrip("/"))
            else:
                self._warn("X-Forwarded-Prefix", prefix, "a path prefix, as /news")
        chain = given.get(b"x-forwarded-for")
        if chain is not None:
            scope["client"] = (_nearest_client(chain, self.trusted), 0)
        return scope

    def _warn(self, header: str, value: str, wanted: str) -> None:
        key = f"{header}: {value}"
        if key not in self._warned and len(self._warned) < 100:
            self._warned.add(key)
            print(f"Warning: the proxy sent {header} {value[:100]!r}, not {wanted}; ignored", file=sys.stderr, flush=True)


def _first(value: str | None) -> str | None:
    """A header's first value (a chain of proxies appends theirs after a comma)."""
    return None if value is None else value.split(",", 1)[0].strip()


def _reroot(scope: Scope, prefix: str) -> None:
    """Serve the request under ``prefix`` instead of the ``root_path`` it came with.

    The server hands the app the path with its root in front (uvicorn puts
    ``--root-path`` there), and the routes take the root off again: the
    path under the old root is put under the new one."""
    old = str(scope.get("root_path") or "")
    path: str = scope["path"]
    raw: bytes = scope.get("raw_path") or path.encode("utf-8")
    if old and (path == old or path.startswith(old + "/")):
        path = path[len(old):]
        raw = raw.removeprefix(old.encode("utf-8"))
    scope["root_path"] = prefix
    scope["path"] = prefix + (path or "/")
    scope["raw_path"] = prefix.encode("latin-1") + (raw or b"/")


def _nearest_client(chain: str, trusted: TrustedProxies) -> str:
    """The client: the address nearest us in ``X-Forwarded-For`` that is not a trusted proxy (the ones
    further left were written by whoever sent the request, and may be anything)."""
    hops = [hop.strip() for hop in chain.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else "-"
