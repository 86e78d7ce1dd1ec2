"""Which addresses the follower may connect to: never inward unless told.

A feed decides what the follower fetches: its entries' links, and where
their redirects lead. Unchecked, a feed could make the follower read the
cloud metadata service (``http://169.254.169.254/``, credentials included)
or a page on the intranet, and the answer would become searchable. So every
connection is checked here, redirects included, *after* the name is
resolved, and the fetcher connects to the very address that was checked
(:mod:`.transport`), so a name that resolves to a public address once and
to an internal one the next time (DNS rebinding) gains nothing.

- Link-local addresses (169.254.0.0/16, fe80::/10) and the cloud metadata
  services' addresses are never connected to.
- Other addresses that are not public (loopback, private, unique local,
  shared, unspecified, multicast, reserved, documentation...) only on a
  *trusted* host and port: one the user named a feed on (``follow
  http://127.0.0.1:8000/feed.xml`` trusts ``127.0.0.1:8000`` for that feed
  and its entries there), or anywhere with ``allow_private``.
- Public addresses always.

Resolution goes through :attr:`AddressPolicy.resolver`, so tests can map a
name such as ``metadata.test`` to 169.254.169.254 without sending anything
anywhere.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from ..errors import AddressRefused

__all__ = ["METADATA_ADDRESSES", "AddressPolicy", "Resolver", "authority", "system_resolver"]

#: ``resolver(host, port)``: the IP addresses (as text) a connection to ``host`` may use, in order.
Resolver = Callable[[str, int], Sequence[str]]

#: Cloud metadata services (most clouds; AWS containers; AWS over IPv6; Alibaba Cloud): never connected to,
#: and named as such in the refusal (the link-local ones would be refused anyway).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host`` (``getaddrinfo``), each once, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def authority(url: str) -> str:
    """``host:port`` of a URL (host lower-cased, the scheme's default port filled in): what trust is given to."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return _authority(parts.hostname or "", port)


def _authority(host: str, port: int) -> str:
    host = host.strip("[]").lower().rstrip(".")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class AddressPolicy:
    """Where connections may go (see the module docstring).

    ``allow_private``: non-public addresses anywhere (never link-local or
    metadata); ``trusted``: ``host:port`` authorities (see :func:`authority`)
    whose non-public addresses are allowed; ``resolver``: turns a host name
    into addresses (the system's by default)."""

    allow_private: bool = False
    trusted: frozenset[str] = frozenset()
    resolver: Resolver = field(default=system_resolver, compare=False)

    def trusting(self, urls: Iterable[str]) -> AddressPolicy:
        """This policy, also trusting the host and port of each URL (the feeds a user named)."""
        return replace(self, trusted=self.trusted | {authority(u) for u in urls})

    def refusal(self, host: str, port: int, address: str) -> str | None:
        """Why a connection to ``host`` (port ``port``) at ``address`` is refused, or None when it may go."""
        ip = _unwrapped(ipaddress.ip_address(address.split("%", 1)[0]))
        kind = _kind(ip)
        if kind is None:
            return None
        shown = host if host.strip("[]") == str(ip) else f"{host} resolves to {ip}"
        if kind in ("link-local", "cloud metadata"):
            return f"address refused: {shown}, a {kind} address (never fetched)"
        if self.allow_private or _authority(host, port) in self.trusted:
            return None
        return f"address refused: {shown}, {_article(kind)} {kind} address (allowed only on a followed feed's own host and port, or with --allow-private)"

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` a connection may use: resolved, then checked.
        Raises :class:`~newssearch.errors.AddressRefused` when none may be used,
        ``socket.gaierror`` when the name does not resolve."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            found = list(self.resolver(host, port))
        else:
            found = [str(literal)]
        allowed = [a for a in found if self.refusal(host, port, a) is None]
        if not allowed:
            if not found:
                raise socket.gaierror(socket.EAI_NONAME, "no address")
            problem = self.refusal(host, port, found[0])
            raise AddressRefused(_authority(host, port), problem or "address refused")
        return allowed


def _unwrapped(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IPv4 address carried inside IPv6 (``::ffff:a.b.c.d``, NAT64) is judged as that IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What sort of non-public address ``ip`` is, or None for a public one."""
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_link_local:
        return "link-local"
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.IPv6Network("fc00::/7"):
        return "unique local"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared (carrier-grade NAT)"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"
