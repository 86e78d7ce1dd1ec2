"""HTTP(S) fetching for the feed follower: polite, bounded, and failing in one line.

A follower polls many sites for hours, unattended, so every request is
bounded (a connect and per-read timeout, a deadline for the whole response,
headers included, so a server trickling bytes cannot hold us, a size cap
checked before and while reading, a redirect limit), confined (every
connection, redirects included, goes only where the address policy of
:mod:`.addresses` allows, checked after DNS resolution: :mod:`.transport`), polite (a User-Agent that names us and
where to complain, robots.txt, a minimum delay between two requests to one
host, backoff and Retry-After before a retry), and fails with a
:class:`~newssearch.errors.FetchError` whose one-line message a user can act
on, never a urllib3 traceback. Its ``retryable`` flag tells the follower
whether a later round may do better.

Requests does the HTTP and reads the environment as users expect
(``HTTP(S)_PROXY``/``NO_PROXY``, ``REQUESTS_CA_BUNDLE``); redirects, retries
and the body are handled here, because each redirect hop and each retry
must pass robots.txt and wait its turn like a first request, and because
requests would read a redirect's body whole, with no cap. Threads may share a
:class:`Fetcher`: each has its own ``requests.Session``, and the per-host
turns are shared.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from ..version import __version__
from ..errors import AddressRefused, FetchError
from .addresses import AddressPolicy
from .transport import Guard, guarded_adapter

__all__ = ["AddressPolicy", "Fetcher", "HostStats", "Politeness", "Response"]

_PRODUCT = "newssearch"  # the product token robots.txt groups are matched against
_CHUNK = 64 * 1024  # one read of the body; the size cap may be overshot by this much at most
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_RETRY_AFTER = 300.0  # a server asking for an hour's pause gets five minutes; the next round does the rest
_NETWORK_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


@dataclass(frozen=True)
class Politeness:
    """How the follower treats the sites it fetches from (and how long it waits for them)."""

    user_agent: str = f"{_PRODUCT}/{__version__} (+https://github.com/newssearch/newssearch; feed follower)"
    delay: float = 1.0  # minimum seconds between the starts of two requests to one host, robots.txt included
    timeout: float = 20.0  # connect, and each read
    deadline: float = 60.0  # the whole response, headers and body, of one attempt
    retries: int = 2  # extra attempts after a lost connection, a timeout, 429 or 5xx
    backoff: float = 1.0  # sleep backoff * 2**(n-1) before retry n; a larger Retry-After replaces it
    max_bytes: int = 10 * 2**20  # a larger (decoded) body is an error
    max_redirects: int = 5
    robots: bool = True  # honour robots.txt, fetched once per host and Fetcher


@dataclass(frozen=True)
class Response:
    """A successful answer: 2xx with its body, or 304 (the caller's copy is current)."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    body: bytes  # b"" for 304
    etag: str | None
    last_modified: str | None
    content_type: str | None
    elapsed: float  # seconds the get() took: robots.txt, waits, every attempt and redirect

    @property
    def not_modified(self) -> bool:
        """A 304: the resource is as the validators sent describe it (no body)."""
        return self.status == 304


@dataclass
class HostStats:
    """What one host cost us, so a follower can report slow or failing sites."""

    requests: int = 0  # attempts sent, robots.txt, retries and redirect hops included
    bytes: int = 0  # body bytes read (decoded)
    waited: float = 0.0  # seconds slept for the per-host delay, backoff and Retry-After
    errors: int = 0  # attempts that failed
    busy: float = 0.0  # seconds spent in requests


@dataclass(frozen=True)
class _Failure:
    """One attempt's failure: whether to try again now, and whether a later round may do better."""

    problem: str
    retryable: bool
    retry: bool  # try again within this get (a deadline overrun is retryable later, not now)
    wait: float = 0.0  # the server's Retry-After, in seconds
    http: bool = False  # an HTTP status, not an exception
    refused: bool = False  # the address policy refused the connection

    def message(self, attempts: int) -> str:
        if attempts <= 1:
            return self.problem
        return f"{self.problem} after {attempts} attempts" if self.http else f"{self.problem} ({attempts} attempts)"


@dataclass(frozen=True)
class _Robots:
    """One site's robots.txt as this Fetcher knows it."""

    rules: RobotFileParser | None  # None: everything allowed (no robots.txt)
    refusal: _Failure | None = None  # set: everything refused, and why


class Fetcher:
    """Fetches URLs politely, with per-host state shared by every thread that uses it.

    Threads may share one Fetcher (the follower fetches from several hosts
    at once): each thread gets its own session (connections kept alive),
    while the per-host turns, robots.txt rules and figures are shared, so
    two threads never fetch from one host less than ``delay`` apart.
    """

    def __init__(self, politeness: Politeness | None = None, addresses: AddressPolicy | None = None) -> None:
        self.politeness = politeness or Politeness()
        self.addresses = addresses or AddressPolicy()
        self._guard = Guard(self.addresses)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._last_start: dict[str, float] = {}
        self._stats: dict[str, HostStats] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    @property
    def _session(self) -> requests.Session:
        """This thread's session."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()  # trust_env stays on: proxies and CA bundles from the environment
            session.headers["User-Agent"] = self.politeness.user_agent
            adapter = guarded_adapter(self._guard)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            cert_file = os.environ.get("SSL_CERT_FILE")
            if cert_file and not (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")):
                session.verify = cert_file  # requests ignores it; curl and OpenSSL users expect it honoured
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url``, conditionally when validators from an earlier response are given."""
        started = time.monotonic()
        headers = {}
        if etag and etag.strip():
            headers["If-None-Match"] = etag.strip()
        if last_modified and last_modified.strip():
            headers["If-Modified-Since"] = last_modified.strip()
        final_url, resp, body = self._follow(url, headers, robots=self.politeness.robots)
        status = resp.status_code
        return Response(
            url=url,
            final_url=final_url,
            status=status,
            body=body,
            etag=resp.headers.get("ETag") or (etag if status == 304 else None),
            last_modified=resp.headers.get("Last-Modified") or (last_modified if status == 304 else None),
            content_type=resp.headers.get("Content-Type"),
            elapsed=time.monotonic() - started,
        )

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets us fetch ``url`` (asked even when ``politeness.robots`` is off;
        :class:`~newssearch.errors.AddressRefused` when the site may not be connected to at all)."""
        _check(url, url)
        return self._refusal(url) is None

    def host_stats(self) -> dict[str, HostStats]:
        """A snapshot of the per-host counters, keyed by ``host[:port]``."""
        with self._lock:
            return {host: replace(stats) for host, stats in self._stats.items()}

    def close(self) -> None:
        """Close the pooled connections (of every thread's session)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _follow(
        self, url: str, headers: dict[str, str], *, robots: bool, accept_4xx: bool = False
    ) -> tuple[str, requests.Response, bytes]:
        """Fetch ``url`` following redirects; each hop is checked and queued like a first request."""
        current = url
        for _hop in range(self.politeness.max_redirects + 1):
            _check(url, current)
            try:
                refusal = self._refusal(current) if robots else None
            except AddressRefused as exc:  # robots.txt's host is the page's: refused for the page
                raise AddressRefused(url, _at(exc.problem, url, current)) from None
            if refusal is not None:
                raise FetchError(url, _at(refusal.problem, url, current), retryable=refusal.retryable)
            resp, body = self._exchange(url, current, headers, accept_4xx)
            location = resp.headers.get("Location")
            if resp.status_code in _REDIRECTS and location:
                try:
                    current = urljoin(current, location.strip())
                except ValueError:  # an unparsable Location, such as a broken IPv6 address
                    raise FetchError(url, _at(f"bad redirect Location {location[:80]!r}", url, current), False) from None
                continue
            return current, resp, body
        raise FetchError(url, f"redirect loop: more than {self.politeness.max_redirects} redirects", retryable=False)

    def _exchange(
        self, url: str, current: str, headers: dict[str, str], accept_4xx: bool
    ) -> tuple[requests.Response, bytes]:
        """One hop with its retries: the response (closed) and its body, or a FetchError."""
        p = self.politeness
        host = _host(current)
        with self._lock:
            stats = self._stats.setdefault(host, HostStats())
        attempts = max(1, p.retries + 1)
        for attempt in range(1, attempts + 1):
            self._wait_turn(host, stats)
            outcome = self._attempt(current, headers, stats, accept_4xx)
            if not isinstance(outcome, _Failure):
                return outcome
            self._count(stats, errors=1)
            if outcome.refused:
                raise AddressRefused(url, _at(outcome.problem, url, current))
            if not outcome.retry or attempt == attempts:
                raise FetchError(url, _at(outcome.message(attempt), url, current), retryable=outcome.retryable)
            self._sleep(max(p.backoff * 2 ** (attempt - 1), outcome.wait), stats)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(
        self, current: str, headers: dict[str, str], stats: HostStats, accept_4xx: bool
    ) -> tuple[requests.Response, bytes] | _Failure:
        """One request: the response (closed) and its body, or why it failed. The deadline
        covers it all, connecting and the headers included (see :mod:`.transport`)."""
        with self._guard.deadline(self.politeness.deadline) as deadline:
            outcome = self._request(current, headers, stats, accept_4xx)
        if deadline.expired:  # whatever came back was cut short: a failure, or a body "ended" by the shutdown
            return _late(self.politeness.deadline)
        return outcome

    def _request(
        self, current: str, headers: dict[str, str], stats: HostStats, accept_4xx: bool
    ) -> tuple[requests.Response, bytes] | _Failure:
        p = self.politeness
        started = time.monotonic()
        self._count(stats, requests=1)
        try:
            if self._session.trust_env and requests.utils.select_proxy(current, requests.utils.get_environ_proxies(current)):
                parts = urlsplit(current)
                self._guard.precheck(current, parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80))
            resp = self._session.get(
                current, headers=headers, timeout=(p.timeout, p.timeout), stream=True, allow_redirects=False
            )
        except AddressRefused as exc:
            self._count(stats, busy=time.monotonic() - started)
            return _Failure(exc.problem, retryable=False, retry=False, refused=True)
        except (*_NETWORK_ERRORS, ValueError) as exc:  # requests' InvalidURL and InvalidHeader are ValueErrors
            self._count(stats, busy=time.monotonic() - started)
            return _failure(exc, p.timeout)
        try:
            status = resp.status_code
            if 200 <= status < 300:
                body = self._read(resp, stats, started)
                return body if isinstance(body, _Failure) else (resp, body)
            redirect = status in _REDIRECTS and bool(resp.headers.get("Location"))
            if status == 304 or redirect or (accept_4xx and 400 <= status < 500 and status != 429):
                return resp, b""  # a redirect's body is never read: it is closed below, unread
            retryable = status >= 500 or status == 429
            wait = _retry_after(resp.headers.get("Retry-After"))
            return _Failure(f"HTTP {status} {resp.reason or _phrase(status)}", retryable, retryable, wait, http=True)
        finally:
            resp.close()
            self._count(stats, busy=time.monotonic() - started)

    def _read(self, resp: requests.Response, stats: HostStats, started: float) -> bytes | _Failure:
        """The body, within the size cap and the deadline.

        The deadline is also checked here, when the headers are in and after every network read,
        so a body that ends just as it passes is not taken; the attempt's timer
        (:class:`~newssearch.live.transport.Deadline`) cuts off a read that would block past it.
        """
        p = self.politeness
        declared = (resp.headers.get("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > p.max_bytes:
            too_large = f"response too large: Content-Length {declared} bytes is over the limit of {p.max_bytes} bytes"
            return _Failure(too_large, False, False)
        late = _late(p.deadline)
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if time.monotonic() - started > p.deadline:
                    return late
                # read1 (urllib3 2, which trafilatura requires): what one network read brings, decoded,
                # at most _CHUNK; iter_content would wait for a full chunk, however slow the trickle.
                chunk: bytes = resp.raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                self._count(stats, bytes=len(chunk))
                if size > p.max_bytes:
                    return _Failure(f"response too large: more than the limit of {p.max_bytes} bytes", False, False)
                chunks.append(chunk)
        except _NETWORK_ERRORS as exc:
            return _failure(exc, p.timeout)
        return b"".join(chunks)

    def _refusal(self, url: str) -> _Failure | None:
        """Why robots.txt forbids ``url``, or None; fetches and caches the site's robots.txt first."""
        site = f"{urlsplit(url).scheme.lower()}://{_host(url)}"
        with self._lock:
            robots = self._robots.get(site)
            site_lock = self._robots_locks.setdefault(site, threading.Lock())
        if robots is None:
            with site_lock:  # one thread fetches a site's robots.txt; the others wait for it
                robots = self._robots.get(site)
                if robots is None:
                    robots = self._fetch_robots(site + "/robots.txt")
                    with self._lock:
                        self._robots[site] = robots
        if robots.refusal is not None:
            return robots.refusal
        if robots.rules is None or robots.rules.can_fetch(_PRODUCT, url):
            return None
        return _Failure("disallowed by robots.txt", retryable=False, retry=False)

    def _fetch_robots(self, robots_url: str) -> _Robots:
        # RFC 9309: a 4xx means there are no rules; a 5xx or no answer means assume everything disallowed.
        try:
            _final, resp, body = self._follow(robots_url, {}, robots=False, accept_4xx=True)
        except AddressRefused:
            raise  # not "unreachable": the page itself is refused, and says why
        except FetchError as exc:  # retryable: the next round's Fetcher asks again
            unreachable = f"robots.txt unreachable ({exc.problem}); not fetching from this host"
            return _Robots(None, _Failure(unreachable, retryable=True, retry=False))
        if resp.status_code >= 400:
            return _Robots(None)
        rules = RobotFileParser(robots_url)
        rules.parse(body.decode("utf-8", "replace").splitlines())
        return _Robots(rules)

    def _wait_turn(self, host: str, stats: HostStats) -> None:
        """Wait for this host's next free turn: the turn is taken (under the
        lock) before sleeping, so threads queue for a host ``delay`` apart."""
        with self._lock:
            now = time.monotonic()
            last = self._last_start.get(host)
            start = now if last is None else max(now, last + self.politeness.delay)
            self._last_start[host] = start
        self._sleep(start - now, stats)

    def _sleep(self, seconds: float, stats: HostStats) -> None:
        if seconds > 0:
            time.sleep(seconds)
            self._count(stats, waited=seconds)

    def _count(self, stats: HostStats, **deltas: float) -> None:
        """Add to a host's figures (threads share them)."""
        with self._lock:
            for name, value in deltas.items():
                setattr(stats, name, getattr(stats, name) + value)


def _late(deadline: float) -> _Failure:
    return _Failure(f"timed out: no complete response within the {deadline:g} s deadline", True, False)


def _check(url: str, current: str) -> None:
    """Refuse what is not an http(s) URL with a host, before anything is sent."""
    try:
        parts = urlsplit(current)
        parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise FetchError(url, _at(f"invalid URL: {exc}", url, current), retryable=False) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, _at("not an http or https URL", url, current), retryable=False)
    if not parts.hostname:
        raise FetchError(url, _at("no host in the URL", url, current), retryable=False)


def _host(url: str) -> str:
    """``host[:port]``, the key of the per-host delay and statistics."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port is not None else host


def _at(problem: str, url: str, current: str) -> str:
    return problem if current == url else f"{problem} (redirected to {current})"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(unknown status)"


def _retry_after(value: str | None) -> float:
    """Retry-After in seconds (a number or an HTTP date), 0 when absent or unreadable."""
    value = (value or "").strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return 0.0
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _failure(exc: BaseException, timeout: float) -> _Failure:
    problem, retryable = _problem(exc, timeout)
    return _Failure(problem, retryable, retryable)


def _problem(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """The one place exceptions from requests, urllib3, http.client and sockets become a short
    human reason and whether it may go away; the wrappers' own text (pool reprs, "Max retries
    exceeded") is never shown. Order matters: urllib3's NewConnectionError is a ConnectTimeoutError."""
    chain = _causes(exc)

    def find(*kinds: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, kinds)), None)

    proxy = " through the proxy" if find(requests.exceptions.ProxyError, urllib3.exceptions.ProxyError) else ""
    if find(requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema,
            urllib3.exceptions.LocationParseError, UnicodeError):
        return "invalid URL", False
    if find(requests.exceptions.InvalidHeader):
        return "invalid request header (a validator from an earlier response?)", False
    if find(ConnectionRefusedError):
        return f"cannot connect{proxy}: connection refused", True
    if find(socket.gaierror, urllib3.exceptions.NameResolutionError):
        return f"cannot connect{proxy}: host not found", True
    if find(requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        return f"timed out after {timeout:g} s", True
    cert = find(ssl.SSLCertVerificationError)
    if isinstance(cert, ssl.SSLCertVerificationError):
        return f"TLS error: certificate verify failed: {cert.verify_message or cert.reason}", False
    tls = find(ssl.SSLError) or find(requests.exceptions.SSLError, urllib3.exceptions.SSLError)
    if tls is not None:
        text = str(tls.args[1] if isinstance(tls, ssl.SSLError) and len(tls.args) > 1 else tls)
        text = re.sub(r"\[SSL[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)", "", text).strip()
        return f"TLS error: {text if text and len(text) < 120 else 'handshake failed'}", False
    if find(requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError):
        return "cannot decode the compressed response", False
    if find(ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.IncompleteRead,
            urllib3.exceptions.ProtocolError, requests.exceptions.ChunkedEncodingError):
        return f"connection lost{proxy} before the response was complete", True
    os_error = find(OSError)
    if isinstance(os_error, OSError) and os_error.strerror:
        return f"cannot connect{proxy}: {os_error.strerror.lower()}", True
    return f"request failed ({type(exc).__name__})", True


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it wraps: causes, contexts, exception arguments, urllib3's ``reason``."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        wrapped = (*e.args, getattr(e, "reason", None), e.__cause__, e.__context__)
        todo.extend(w for w in wrapped if isinstance(w, BaseException))
    return seen
