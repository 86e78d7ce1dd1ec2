"""The feed follower's HTTP client (newssearch.live.fetch) against real servers on 127.0.0.1.

Nothing here leaves the machine: every URL is a loopback server's, or a name
that only a loopback "proxy" ever sees. Timings are scaled down (timeouts of
half a second, backoff of 50 ms) so the whole file runs in seconds.
"""

from __future__ import annotations

import gzip
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from newssearch.errors import AddressRefused, FetchError, NewsSearchError
from newssearch.live.addresses import AddressPolicy
from newssearch.live.fetch import Fetcher, Politeness

from tests.loopback import ANY_PATH, Loopback, refuse_off_machine

FAST = Politeness(delay=0.0, timeout=0.5, deadline=5.0, retries=2, backoff=0.05, robots=False)
MiB = 2**20
ETAG = '"v1"'
LAST_MODIFIED = "Sat, 29 Nov 2025 10:00:00 GMT"


#: These tests fetch from loopback servers, which the default policy refuses (entries may not
#: point inward); the policy itself is tested below with a stub resolver.
LOOPBACK_ALLOWED = AddressPolicy(allow_private=True)


def fetcher(**changes: object) -> Fetcher:
    return Fetcher(replace(FAST, **changes), LOOPBACK_ALLOWED)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set in the developer's environment must not carry our loopback requests off the machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Were the address policy broken, a test would connect where its URLs point: refused and failed here instead."""
    off = refuse_off_machine(monkeypatch)
    yield
    assert off.tried == [], f"connections beyond loopback were tried: {off.tried}"


def fails(call: Callable[..., object], *args: object, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        call(*args, **kwargs)
    return info.value


# --- conditional GET --------------------------------------------------------------------------------


def test_conditional_get_gets_304_with_the_validators(loopback: Loopback) -> None:
    loopback.add("/feed", "<rss/>", content_type="application/rss+xml", etag=ETAG, last_modified=LAST_MODIFIED)
    with fetcher() as f:
        first = f.get(loopback.url + "/feed")
        assert (first.status, first.body, first.not_modified) == (200, b"<rss/>", False)
        assert (first.etag, first.last_modified, first.content_type) == (ETAG, LAST_MODIFIED, "application/rss+xml")
        assert first.final_url == first.url == loopback.url + "/feed"
        again = f.get(loopback.url + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.body == b""
    assert again.etag == ETAG  # the validators stay usable for the next round
    plain, conditional = loopback.requests("/feed")
    assert "If-None-Match" not in plain.headers
    assert conditional.headers["If-None-Match"] == ETAG
    assert conditional.headers["if-modified-since"] == LAST_MODIFIED
    assert plain.headers["User-Agent"].startswith("newssearch/")
    assert "gzip" in plain.headers["Accept-Encoding"]


def test_last_modified_alone_also_gets_304(loopback: Loopback) -> None:
    loopback.add("/feed", "<rss/>", last_modified=LAST_MODIFIED)
    with fetcher() as f:
        assert f.get(loopback.url + "/feed", last_modified=LAST_MODIFIED).not_modified
        assert f.get(loopback.url + "/feed", last_modified="Mon, 01 Jan 2024 00:00:00 GMT").body == b"<rss/>"


def test_gzip_bodies_are_decoded(loopback: Loopback) -> None:
    loopback.add("/feed", gzip.compress(b"<rss>news</rss>"), headers={"Content-Encoding": "gzip"})
    with fetcher() as f:
        assert f.get(loopback.url + "/feed").body == b"<rss>news</rss>"


# --- timeouts, errors and retries ------------------------------------------------------------------


@pytest.mark.slow  # waits out timeouts
def test_a_slow_server_times_out_after_the_retries(loopback: Loopback) -> None:
    loopback.add("/slow", "late", delay=1.5)
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/slow")
    assert "timed out after 0.5 s" in str(error) and "3 attempts" in str(error)
    assert error.retryable and error.url == loopback.url + "/slow"
    assert len(loopback.requests("/slow")) == 3


def test_a_server_error_is_retried_then_reported(loopback: Loopback) -> None:
    loopback.add("/feed", "oops", status=500)
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/feed")
        stats = f.host_stats()[f"127.0.0.1:{loopback.port}"]
    assert str(error) == f"{loopback.url}/feed: HTTP 500 Internal Server Error after 3 attempts"
    assert error.retryable
    assert len(loopback.requests("/feed")) == 3
    assert (stats.requests, stats.errors) == (3, 3)
    assert stats.waited >= 0.05 + 0.1 - 0.01  # backoff 0.05 then 0.1


def test_a_404_is_not_retried(loopback: Loopback) -> None:
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/gone")
    assert str(error) == f"{loopback.url}/gone: HTTP 404 Not Found"
    assert not error.retryable and isinstance(error, NewsSearchError)
    assert len(loopback.requests("/gone")) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_with_retry_after_are_retried(loopback: Loopback, status: int) -> None:
    loopback.add("/feed", "busy", status=status, headers={"Retry-After": "0"})
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/feed")
    assert f"HTTP {status}" in str(error) and error.retryable
    assert len(loopback.requests("/feed")) == 3


def test_retry_after_longer_than_the_backoff_is_waited_out(loopback: Loopback) -> None:
    loopback.add("/feed", "busy", status=503, headers={"Retry-After": "1"})
    with fetcher(retries=1) as f:
        fails(f.get, loopback.url + "/feed")
    first, second = loopback.requests("/feed")
    assert second.time - first.time >= 0.98  # not the 0.05 s backoff


# --- redirects ------------------------------------------------------------------------------------


def test_a_redirect_is_followed(loopback: Loopback) -> None:
    loopback.add("/old", redirect="/new")
    loopback.add("/new", "here")
    with fetcher() as f:
        response = f.get(loopback.url + "/old")
    assert (response.body, response.url, response.final_url) == (b"here", loopback.url + "/old", loopback.url + "/new")


def test_a_redirect_loop_is_an_error(loopback: Loopback) -> None:
    loopback.add("/a", redirect="/b")
    loopback.add("/b", redirect=loopback.url + "/a")
    with fetcher(max_redirects=5) as f:
        error = fails(f.get, loopback.url + "/a")
    assert "redirect loop: more than 5 redirects" in str(error) and not error.retryable
    assert len(loopback.requests()) == 6


def test_a_redirect_without_location_is_an_error(loopback: Loopback) -> None:
    loopback.add("/feed", "moved, but where?", status=302)
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/feed")
    assert str(error).endswith("HTTP 302 Found") and not error.retryable


def test_a_redirect_off_http_is_refused(loopback: Loopback) -> None:
    loopback.add("/feed", redirect="file:///etc/passwd")
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/feed")
    assert "not an http or https URL (redirected to file:///etc/passwd)" in str(error)


# --- size and time limits ------------------------------------------------------------------------


def test_a_huge_streamed_body_fails_fast_at_the_cap(loopback: Loopback) -> None:
    loopback.add("/huge", stream_bytes=50 * MiB)
    with fetcher(max_bytes=MiB) as f:
        error = fails(f.get, loopback.url + "/huge")
        read = f.host_stats()[f"127.0.0.1:{loopback.port}"].bytes
    assert f"over the limit of {MiB} bytes" in str(error) or f"more than the limit of {MiB} bytes" in str(error)
    assert not error.retryable
    assert len(loopback.requests("/huge")) == 1  # a cap is not retried
    assert MiB < read <= MiB + 64 * 1024
    assert loopback.sent("/huge") < 50 * MiB  # we hung up: the server could not send it all


def test_a_gzip_bomb_is_capped_on_the_decoded_size(loopback: Loopback) -> None:
    bomb = gzip.compress(b"\0" * (20 * MiB))  # about 20 KB on the wire
    loopback.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with fetcher(max_bytes=MiB) as f:
        error = fails(f.get, loopback.url + "/bomb")
        read = f.host_stats()[f"127.0.0.1:{loopback.port}"].bytes
    assert "limit" in str(error) and read <= MiB + 64 * 1024


def test_a_content_length_over_the_cap_is_refused_unread(loopback: Loopback) -> None:
    loopback.add("/big", b"x" * (MiB + 1))
    loopback.add("/fits", b"x" * MiB)
    with fetcher(max_bytes=MiB) as f:
        error = fails(f.get, loopback.url + "/big")
        assert f.host_stats()[f"127.0.0.1:{loopback.port}"].bytes == 0
        assert len(f.get(loopback.url + "/fits").body) == MiB  # the cap itself is allowed
    assert f"Content-Length {MiB + 1} bytes is over the limit of {MiB} bytes" in str(error)


def test_a_trickling_server_is_cut_off_at_the_deadline(loopback: Loopback) -> None:
    # 100 bytes every 0.1 s: 4 s in all, never silent for the 0.5 s read timeout, and far
    # from filling a 64 KiB read: the deadline must be checked after every network read
    loopback.add("/trickle", stream_bytes=4000, chunk_bytes=100, chunk_delay=0.1)
    started = time.monotonic()
    with fetcher(deadline=0.6) as f:
        error = fails(f.get, loopback.url + "/trickle")
    assert "0.6 s deadline" in str(error) and error.retryable
    assert time.monotonic() - started < 1.5
    assert len(loopback.requests("/trickle")) == 1  # retried on a later round, not now


# --- robots.txt -----------------------------------------------------------------------------------


def test_robots_txt_is_honoured_and_fetched_once(loopback: Loopback) -> None:
    loopback.add("/robots.txt", "User-agent: *\nDisallow: /private\n", content_type="text/plain")
    loopback.add("/ok", "fine")
    loopback.add("/private/x", "secret")
    with fetcher(robots=True) as f:
        error = fails(f.get, loopback.url + "/private/x")
        for _ in range(3):
            assert f.get(loopback.url + "/ok").body == b"fine"
        assert not f.allowed(loopback.url + "/private/y") and f.allowed(loopback.url + "/ok")
    assert "disallowed by robots.txt" in str(error) and not error.retryable
    assert loopback.requests("/private/x") == []
    assert len(loopback.requests("/robots.txt")) == 1


def test_robots_txt_group_for_newssearch_applies(loopback: Loopback) -> None:
    loopback.add("/robots.txt", "User-agent: newssearch\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    with fetcher(robots=True) as f:
        assert not f.allowed(loopback.url + "/feed")


def test_no_robots_txt_allows_everything(loopback: Loopback) -> None:
    loopback.add("/feed", "items")
    with fetcher(robots=True) as f:
        assert f.allowed(loopback.url + "/anything")
        assert f.get(loopback.url + "/feed").body == b"items"
    assert len(loopback.requests("/robots.txt")) == 1  # answered 404


def test_an_unreachable_robots_txt_disallows_the_host(loopback: Loopback) -> None:
    loopback.add("/robots.txt", "down", status=500)
    loopback.add("/feed", "items")
    with fetcher(robots=True) as f:
        error = fails(f.get, loopback.url + "/feed")
        assert not f.allowed(loopback.url + "/feed")  # remembered: not asked again
    assert "robots.txt unreachable (HTTP 500 Internal Server Error after 3 attempts)" in str(error)
    assert "not fetching from this host" in str(error) and error.retryable  # a later Fetcher asks again
    assert len(loopback.requests("/robots.txt")) == 3 and loopback.requests("/feed") == []


def test_the_robots_txt_fetch_waits_its_turn(loopback: Loopback) -> None:
    loopback.add("/feed", "items")
    with fetcher(robots=True, delay=0.2) as f:
        f.get(loopback.url + "/feed")
    robots, feed = loopback.requests()
    assert (robots.path, feed.path) == ("/robots.txt", "/feed")
    assert feed.time - robots.time >= 0.2 - 0.02


# --- politeness between requests ----------------------------------------------------------------


def test_requests_to_one_host_are_spaced_by_the_delay(loopback: Loopback) -> None:
    loopback.add("/feed", "items")
    with fetcher(delay=0.3) as f:
        for _ in range(3):
            f.get(loopback.url + "/feed")
        waited = f.host_stats()[f"127.0.0.1:{loopback.port}"].waited
    times = [seen.time for seen in loopback.requests("/feed")]
    assert all(b - a >= 0.3 - 0.02 for a, b in zip(times, times[1:]))
    assert waited >= 0.5


def test_two_hosts_do_not_delay_each_other(loopback: Loopback) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo("localhost", loopback.port, proto=socket.IPPROTO_TCP)}
    except OSError:
        addresses = set()
    if "127.0.0.1" not in addresses:
        pytest.skip("localhost does not resolve to 127.0.0.1 here")
    loopback.add("/feed", "items")
    other = loopback.url.replace("127.0.0.1", "localhost")
    with fetcher(delay=1.0) as f:
        f.get(loopback.url + "/feed")
        f.get(other + "/feed")
        assert set(f.host_stats()) == {f"127.0.0.1:{loopback.port}", f"localhost:{loopback.port}"}
    first, second = loopback.requests("/feed")
    assert second.time - first.time < 0.5


def test_threads_sharing_a_fetcher_take_turns_per_host(loopback: Loopback) -> None:
    """The follower fetches from several hosts at once through one Fetcher:
    threads asking one host queue for its turns, ``delay`` apart."""
    import threading

    loopback.add("/feed", "items")
    with fetcher(delay=0.3) as f:
        threads = [threading.Thread(target=f.get, args=(f"{loopback.url}/feed",)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert f.host_stats()[f"127.0.0.1:{loopback.port}"].requests == 4
    times = sorted(seen.time for seen in loopback.requests("/feed"))
    assert len(times) == 4
    # the server notes a request when its thread gets to it: on a loaded
    # machine that lags the send by up to ~0.1 s, so half the delay is the
    # bound (four threads not taking turns arrive within milliseconds)
    assert all(b - a >= 0.3 / 2 for a, b in zip(times, times[1:]))
    assert times[-1] - times[0] >= 3 * 0.3 - 0.1


# --- the environment ---------------------------------------------------------------------------


def test_the_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with Loopback() as proxy:
        proxy.add(ANY_PATH, "<rss>via proxy</rss>")
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with fetcher() as f:
            response = f.get("http://example.invalid/feed")
        assert response.body == b"<rss>via proxy</rss>"
        (seen,) = proxy.requests()
        assert seen.path == "http://example.invalid/feed"  # a proxy gets the absolute URL
        assert seen.headers["User-Agent"].startswith("newssearch/")


def test_ssl_cert_file_is_used_when_requests_has_no_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/some/ca.pem")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert Fetcher(FAST)._session.verify == "/some/ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/requests/ca.pem")  # requests' own variable wins, as requests does it
    assert Fetcher(FAST)._session.verify is True


# --- what cannot be fetched at all ---------------------------------------------------------------


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://x/feed", "not an http or https URL"),
    ("file:///etc/passwd", "not an http or https URL"),
    ("feed.xml", "not an http or https URL"),
    ("http://", "no host in the URL"),
    ("http://host:99999/", "invalid URL: Port out of range"),
    ("http://[::1/feed", "invalid URL: Invalid IPv6 URL"),
])
def test_urls_that_are_not_http_are_refused(url: str, problem: str) -> None:
    with fetcher() as f:
        error = fails(f.get, url)
    assert str(error).startswith(f"{url}: {problem}") and not error.retryable
    assert f.host_stats() == {}  # refused before anything was sent


def test_a_malformed_validator_is_refused_not_sent(loopback: Loopback) -> None:
    loopback.add("/feed", "items")
    with fetcher() as f:
        error = fails(f.get, loopback.url + "/feed", etag='"a\nb"')
        assert f.get(loopback.url + "/feed", etag=' "v1" \n').body == b"items"  # stray whitespace is trimmed
    assert "invalid request header" in str(error) and not error.retryable
    assert len(loopback.requests("/feed")) == 1


def test_connection_refused_is_one_short_line() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with fetcher() as f:
        error = fails(f.get, f"http://127.0.0.1:{port}/feed")
    assert str(error) == f"http://127.0.0.1:{port}/feed: cannot connect: connection refused (3 attempts)"
    assert error.retryable
    for noise in ("object at 0x", "HTTPConnectionPool", "Max retries", "\n"):
        assert noise not in str(error)


def test_a_tls_error_is_one_short_line(loopback: Loopback) -> None:
    with fetcher() as f:  # https to a server that speaks plain HTTP
        error = fails(f.get, f"https://127.0.0.1:{loopback.port}/feed")
    assert str(error).startswith(f"https://127.0.0.1:{loopback.port}/feed: TLS error: ")
    assert not error.retryable
    for noise in ("object at 0x", "HTTPSConnectionPool", "Max retries", "_ssl.c", "\n"):
        assert noise not in str(error)


def test_fetch_error_survives_as_data() -> None:
    error = FetchError("http://a/feed", "HTTP 503 Service\n Unavailable", retryable=True)
    assert (str(error), error.url, error.problem, error.retryable) == (
        "http://a/feed: HTTP 503 Service Unavailable", "http://a/feed", "HTTP 503 Service Unavailable", True)
    assert os.linesep not in str(error)


# --- the deadline covers the headers ---------------------------------------------------------------


def test_headers_trickled_one_byte_at_a_time_are_cut_off_at_the_deadline(loopback: Loopback) -> None:
    # a byte every 0.1 s: never silent for the 0.5 s read timeout, and about 15 s before the
    # headers are in; only the deadline on the whole response (headers included) stops it
    loopback.add("/feed", "<rss/>", header_delay=0.1)
    started = time.monotonic()
    with fetcher(deadline=1.0) as f:
        error = fails(f.get, loopback.url + "/feed")
    assert str(error) == f"{loopback.url}/feed: timed out: no complete response within the 1 s deadline"
    assert error.retryable and time.monotonic() - started < 2.5
    assert len(loopback.requests("/feed")) == 1  # not retried now: a later round tries again


def test_a_slow_header_that_ends_in_time_is_read(loopback: Loopback) -> None:
    loopback.add("/feed", "<rss>ok</rss>", header_delay=0.002)
    with fetcher(deadline=5.0) as f:
        assert f.get(loopback.url + "/feed").body == b"<rss>ok</rss>"


# --- the address policy ----------------------------------------------------------------------------


def stub_resolver(server: Loopback, calls: list[str] | None = None) -> Callable[[str, int], list[str]]:
    """Names only these tests know: never sent to a real resolver, never connected to but locally."""
    table = {"metadata.test": ["169.254.169.254"], "intranet.test": ["127.0.0.1"], "mixed.test": ["169.254.169.254", "127.0.0.1"]}

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def test_link_local_and_metadata_addresses_are_never_connected_to(loopback: Loopback) -> None:
    policy = AddressPolicy(allow_private=True, resolver=stub_resolver(loopback))
    with Fetcher(FAST, policy) as f:
        by_name = fails(f.get, f"http://metadata.test:{loopback.port}/latest/meta-data/")
        literal = fails(f.get, "http://169.254.169.254/latest/meta-data/")
        mapped = fails(f.get, "http://[::ffff:169.254.169.254]/latest/")
        aws6 = fails(f.get, "http://[fd00:ec2::254]/latest/")
        link6 = fails(f.get, "http://[fe80::1]/")
    assert str(by_name) == (f"http://metadata.test:{loopback.port}/latest/meta-data/: address refused: metadata.test"
                            " resolves to 169.254.169.254, a cloud metadata address (never fetched)")
    assert str(literal) == "http://169.254.169.254/latest/meta-data/: address refused: 169.254.169.254, a cloud metadata address (never fetched)"
    assert "a cloud metadata address" in str(mapped) and "a cloud metadata address" in str(aws6)
    assert "fe80::1, a link-local address (never fetched)" in str(link6)
    assert all(isinstance(e, AddressRefused) and not e.retryable for e in (by_name, literal, mapped, aws6, link6))
    assert loopback.requests() == []


def test_private_addresses_only_on_a_trusted_host_and_port(loopback: Loopback) -> None:
    loopback.add("/page", "inside")
    calls: list[str] = []
    strict = AddressPolicy(resolver=stub_resolver(loopback, calls))
    with Fetcher(FAST, strict) as f:
        error = fails(f.get, f"http://intranet.test:{loopback.port}/page")
        loop = fails(f.get, f"{loopback.url}/page")
        anywhere = fails(f.get, f"http://0.0.0.0:{loopback.port}/page")
    assert str(error) == (f"http://intranet.test:{loopback.port}/page: address refused: intranet.test resolves to 127.0.0.1,"
                          " a loopback address (allowed only on a followed feed's own host and port, or with --allow-private)")
    assert "127.0.0.1, a loopback address" in str(loop) and "0.0.0.0, an unspecified address" in str(anywhere)
    assert loopback.requests() == [] and calls == ["intranet.test"]
    # trusted: the one host and port a user named (another port of the same host is not)
    with Fetcher(FAST, strict.trusting([f"http://intranet.test:{loopback.port}/feed.xml"])) as f:
        assert f.get(f"http://intranet.test:{loopback.port}/page").body == b"inside"
        assert "address refused" in str(fails(f.get, f"http://intranet.test:{loopback.port + 1}/page"))
    # .test names do not resolve outside these tests: the connection went to the address the stub gave and we checked
    (seen,) = loopback.requests("/page")
    assert seen.headers["Host"] == f"intranet.test:{loopback.port}"
    with Fetcher(FAST, AddressPolicy(allow_private=True, resolver=stub_resolver(loopback))) as f:
        assert f.get(f"http://mixed.test:{loopback.port}/page").body == b"inside"  # only the allowed address is tried


def test_a_redirect_inward_is_refused(loopback: Loopback) -> None:
    with Loopback() as inside:
        inside.add("/secret", "payroll")
        loopback.add("/hop", redirect=f"http://intranet.test:{inside.port}/secret")
        loopback.add("/hop2", redirect=f"{inside.url}/secret")
        policy = AddressPolicy(resolver=stub_resolver(loopback)).trusting([loopback.url + "/feed.xml"])
        with Fetcher(FAST, policy) as f:
            by_name = fails(f.get, loopback.url + "/hop")
            by_port = fails(f.get, loopback.url + "/hop2")
        assert isinstance(by_name, AddressRefused) and isinstance(by_port, AddressRefused)
        assert str(by_name).endswith(f"(redirected to http://intranet.test:{inside.port}/secret)")
        assert "address refused: 127.0.0.1, a loopback address" in str(by_port)
        assert inside.requests() == []


def test_a_refused_host_is_named_as_refused_not_as_robots_txt_unreachable(loopback: Loopback) -> None:
    with Fetcher(replace(FAST, robots=True), AddressPolicy(resolver=stub_resolver(loopback))) as f:
        error = fails(f.get, f"http://metadata.test:{loopback.port}/latest")
    assert "robots.txt" not in str(error) and "cloud metadata address (never fetched)" in str(error)
    assert isinstance(error, AddressRefused) and loopback.requests() == []
