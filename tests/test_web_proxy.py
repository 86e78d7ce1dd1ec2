"""Behind a reverse proxy: a trusted proxy's ``X-Forwarded-*`` headers make every address the server writes the client's.

The headers are sent from loopback, which the server trusts by default
(``--forwarded-allow-ips``: 127.0.0.1 and ::1): the pages' links, forms and
stylesheet, the Atom feed's links and the OpenSearch templates then carry
the proxy's prefix, scheme and host. Started with a list that leaves
loopback out, the same headers from the same client are ignored. A real
nginx in front is tried by hand (README, "Behind a reverse proxy"), not here.
"""

from __future__ import annotations

import asyncio
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from newssearch.cli import cli
from newssearch.errors import ConfigError
from newssearch.web.proxy import ForwardedHeaders, TrustedProxies
from tests.pages_index import build_pages_index
from tests.webserver import Served

OS = "{http://a9.com/-/spec/opensearch/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
PROXY = {"X-Forwarded-Prefix": "/desk", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "news.example.org", "X-Forwarded-For": "203.0.113.7"}
OUTSIDE = "https://news.example.org/desk/"


@pytest.fixture(scope="module")
def pages_index(tmp_path_factory) -> Path:
    return build_pages_index(tmp_path_factory.mktemp("proxy") / "ix")


@pytest.fixture(scope="module")
def server(pages_index):
    with Served(pages_index) as served:
        yield served


def _links(body: str) -> list[str]:
    """Every address a page points at: links, forms, scripts, the stylesheet (fragments and data: left out)."""
    found = [html.unescape(h) for h in re.findall(r'(?:href|src|action)="([^"]*)"', body)]
    return [h for h in found if not h.startswith(("#", "data:", "http://", "https://")) or h.startswith(OUTSIDE)]


def _feed_links(body: bytes) -> list[str]:
    return [link.get("href") or "" for link in ET.fromstring(body).iter(f"{ATOM}link")]


def _templates(body: bytes) -> list[str]:
    return [url.get("template") or "" for url in ET.fromstring(body).findall(f"{OS}Url")]


def test_a_trusted_proxys_prefix_scheme_and_host_are_in_every_address(server):
    page = server.get("/search", {"q": "ferries"}, headers=PROXY)
    assert page.status == 200
    links = _links(page.body.decode("utf-8"))
    assert len(links) > 10 and all(h.startswith("/desk/") for h in links), [h for h in links if not h.startswith("/desk/")]
    body = page.body.decode("utf-8")
    assert 'action="/desk/search"' in body and 'href="/desk/static/style.css"' in body and 'href="/desk/opensearch.xml"' in body
    article = next(h for h in links if h.startswith("/desk/article/"))
    assert all(h.startswith("/desk/") for h in _links(server.get(article.removeprefix("/desk"), headers=PROXY).body.decode("utf-8")))
    feed = server.get("/feed", {"q": "ferries"}, headers=PROXY)
    hrefs = [h for h in _feed_links(feed.body) if "example.org/desk" in h or "127.0.0.1" in h]
    assert f"{OUTSIDE}feed?q=ferries" in hrefs and f"{OUTSIDE}search?q=ferries" in hrefs
    assert any(h.startswith(f"{OUTSIDE}article/") for h in hrefs) and not any("127.0.0.1" in h for h in hrefs)
    templates = _templates(server.get("/opensearch.xml", headers=PROXY).body)
    assert templates and all(t.startswith(OUTSIDE) for t in templates), templates
    # the access log names the client the proxy served, not the proxy
    assert re.search(r'Z 203\.0\.113\.7 "GET /desk/search\?q=ferries HTTP/1\.1" 200', server.stderr()), server.stderr()[-800:]


def test_without_the_headers_nothing_changes(server):
    links = _links(server.get("/search", {"q": "ferries"}).body.decode("utf-8"))
    assert links and all(h.startswith("/") and not h.startswith("/desk") for h in links)
    templates = _templates(server.get("/opensearch.xml").body)
    assert all(t.startswith(f"http://127.0.0.1:{server.port}/") for t in templates), templates


def test_an_untrusted_clients_headers_are_ignored(pages_index):
    with Served(pages_index, "--forwarded-allow-ips", "10.0.0.0/8, 192.0.2.1") as served:  # loopback left out
        page = served.get("/search", {"q": "ferries"}, headers=PROXY)
        links = _links(page.body.decode("utf-8"))
        assert links and not any("desk" in h or "example.org" in h for h in links), links
        templates = _templates(served.get("/opensearch.xml", headers=PROXY).body)
        assert all(t.startswith(f"http://127.0.0.1:{served.port}/") for t in templates), templates
        feed = _feed_links(served.get("/feed", {"q": "ferries"}, headers=PROXY).body)
        assert not any("example.org/desk" in h for h in feed)
        assert ' 203.0.113.7 "' not in served.stderr() and ' 127.0.0.1 "GET /search?q=ferries' in served.stderr()


def test_the_proxys_prefix_takes_the_place_of_root_path(pages_index):
    with Served(pages_index, "--root-path", "/news") as served:
        assert 'action="/news/search"' in served.get("/search", {"q": "ferries"}).body.decode("utf-8")
        body = served.get("/search", {"q": "ferries"}, headers={"X-Forwarded-Prefix": "/desk/"}).body.decode("utf-8")
        assert 'action="/desk/search"' in body and "/news" not in body
        assert served.get("/static/style.css", headers={"X-Forwarded-Prefix": "/desk"}).status == 200


def test_a_trusted_proxys_malformed_values_are_ignored_with_one_warning(server):
    bad = {"X-Forwarded-Prefix": "desk<script>", "X-Forwarded-Host": "evil.example/path", "X-Forwarded-Proto": "javascript"}
    for _ in range(2):
        page = server.get("/search", {"q": "ferries"}, headers=bad)
        assert page.status == 200 and "<script>" not in page.body.decode("utf-8").split("</header>")[0]
    templates = _templates(server.get("/opensearch.xml", headers=bad).body)
    assert all(t.startswith(f"http://127.0.0.1:{server.port}/") for t in templates), templates
    log = server.stderr()
    for header in ("X-Forwarded-Prefix", "X-Forwarded-Host", "X-Forwarded-Proto"):
        assert log.count(f"Warning: the proxy sent {header}") == 1, log[-1500:]
    assert "Traceback" not in log


def test_a_bad_trusted_list_is_a_usage_error_at_start(runner, pages_index):
    result = runner.invoke(cli, ["serve", "--index", str(pages_index), "--port", "0", "--forwarded-allow-ips", "127.0.0.1,proxy.example"])
    assert result.exit_code == 2
    assert "--forwarded-allow-ips" in result.output and "'proxy.example' is not an IP address or network" in result.output
    assert "Traceback" not in result.output


# --- the middleware alone, on ASGI scopes -------------------------------------------------


def _seen(trusted: str, client: str, headers: dict[str, str], **scope: Any) -> dict[str, Any]:
    """The scope the app behind :class:`ForwardedHeaders` is handed."""
    got: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        got.update(scope)

    request = {"type": "http", "scheme": "http", "path": "/search", "raw_path": b"/search", "root_path": "", "client": (client, 5000),
               "headers": [(b"host", b"127.0.0.1:8080")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()], **scope}
    asyncio.run(ForwardedHeaders(app, TrustedProxies.parse(trusted))(request, None, None))  # type: ignore[arg-type]
    return got


def test_the_middleware_rewrites_the_scope_only_for_a_trusted_client():
    seen = _seen("127.0.0.1", "127.0.0.1", PROXY)
    assert (seen["root_path"], seen["path"], seen["raw_path"], seen["scheme"]) == ("/desk", "/desk/search", b"/desk/search", "https")
    assert dict(seen["headers"])[b"host"] == b"news.example.org" and seen["client"] == ("203.0.113.7", 0)
    untouched = _seen("127.0.0.1", "198.51.100.9", PROXY)
    assert (untouched["root_path"], untouched["path"], untouched["scheme"], untouched["client"]) == ("", "/search", "http", ("198.51.100.9", 5000))
    assert dict(untouched["headers"])[b"host"] == b"127.0.0.1:8080"
    # a root path the server was given is replaced, the path under it kept
    rerooted = _seen("::1", "::1", {"X-Forwarded-Prefix": "/a/b/"}, path="/news/article/x", raw_path=b"/news/article/x", root_path="/news")
    assert (rerooted["root_path"], rerooted["path"], rerooted["raw_path"]) == ("/a/b", "/a/b/article/x", b"/a/b/article/x")
    assert _seen("*", "192.0.2.44", {"X-Forwarded-Proto": "https"})["scheme"] == "https"


def test_the_client_is_the_nearest_untrusted_hop_of_x_forwarded_for():
    # the left end is whatever the client wrote; the hops our trusted proxies added are on the right
    chain = {"X-Forwarded-For": "1.2.3.4, 203.0.113.7, 10.0.0.2"}
    assert _seen("127.0.0.1,10.0.0.0/8", "127.0.0.1", chain)["client"] == ("203.0.113.7", 0)
    assert _seen("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "10.0.0.2"})["client"] == ("10.0.0.2", 0)


def test_trusted_proxies_take_addresses_networks_and_a_star():
    trusted = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8,::1")
    assert "127.0.0.1" in trusted and "10.200.3.4" in trusted and "::1" in trusted
    assert "127.0.0.2" not in trusted and "192.168.1.1" not in trusted and "not-an-address" not in trusted and None not in trusted
    assert "8.8.8.8" in TrustedProxies.parse("*")
    assert "127.0.0.1" not in TrustedProxies.parse("")
    with pytest.raises(ConfigError, match="'localhost' is not an IP address"):
        TrustedProxies.parse("localhost")
