"""The ``serve`` command: the search pages and the JSON API over HTTP (:mod:`newssearch.web`).

The web server is an extra (``pip install 'newssearch[web]'``), and it costs
a third of a second to import: the command loads it only when it runs, so
no other command pays for it and they all work without it installed.
"""

from __future__ import annotations

import ipaddress
import sys

import click

from ..errors import ConfigError
from ..index import default_index_path, open_index
from ..web.config import ServeConfig
from ..web.params import Bounds
from ..web.proxy import DEFAULT_TRUSTED, TrustedProxies
from .exits import EXIT_ERROR, fail
from .options import index_option
from .terminal import echo

__all__ = ["serve_cmd"]


@click.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on: 127.0.0.1 serves this machine only; 0.0.0.0 serves every network it is on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port to listen on (0: a free one, named on stderr).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes answering requests, each with the index open.")
@click.option("--read-token", envvar="NEWSSEARCH_READ_TOKEN", show_envvar=True, default=None, metavar="TOKEN", help="Reading the API needs this token (Authorization: Bearer TOKEN, or ?token=). Prefer the environment variable: a command line is visible to every user of the machine.")
@click.option("--write-token", envvar="NEWSSEARCH_WRITE_TOKEN", show_envvar=True, default=None, metavar="TOKEN", help="Turn writes on (adding and removing saved searches, deleting an article), each needing this token; off without it. Prefer the environment variable: a command line is visible to every user of the machine.")
@click.option("--cors", multiple=True, metavar="ORIGIN", help="Let pages from this origin (https://desk.example.org) read the API from a browser (repeat for several; off by default).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True, metavar="SECONDS", help="The most time one search may take (504 past it).")
@click.option("--max-rows", type=click.IntRange(min=1), default=Bounds.max_rows, show_default=True, metavar="N", help="The most rows one download (/api/search.csv, .jsonl) writes; its X-Newssearch-Truncated header says when it stopped there.")
@click.option("--root-path", default="", metavar="PREFIX", help="The path a reverse proxy serves it under (/news), the proxy taking it off the path it forwards: every page's links and forms start with it. A trusted proxy's X-Forwarded-Prefix header, when sent, takes its place.")
@click.option("--forwarded-allow-ips", envvar="FORWARDED_ALLOW_IPS", show_envvar=True, default=",".join(DEFAULT_TRUSTED), show_default=True, metavar="ADDRESSES",
              help="The reverse proxies whose X-Forwarded-Prefix, -Proto, -Host and -For headers are believed (comma-separated addresses or networks, * for any); from any other client they are ignored.")
def serve_cmd(index_dir: str | None, host: str, port: int, workers: int, read_token: str | None, write_token: str | None, cors: tuple[str, ...], timeout: float, max_rows: int,
              root_path: str, forwarded_allow_ips: str) -> None:
    """Serve the index's search pages and JSON API over HTTP (pip install 'newssearch[web]').
    One access line per request on stderr; Ctrl-C or SIGTERM stops it
    once the requests in flight are answered (exit 0).

    \b
    Example:
      newssearch serve --index index/ --port 8080
      curl 'http://127.0.0.1:8080/api/search?q=opec&size=5'
    """
    try:
        # optional (newssearch[web]) and 0.35 s to import: only this command loads it
        from ..web.server import listen, serve
    except ImportError as exc:  # without the extra, the other commands work and this one says what to install
        fail(f"serving needs the web extra ({exc.name} is missing): pip install 'newssearch[web]'", EXIT_ERROR)
    where = index_dir or str(default_index_path())
    with open_index(where) as ix:  # a wrong --index fails now, in one line, not on every request
        count = len(ix)
    for origin in cors:
        if not origin.startswith(("http://", "https://")) or origin.rstrip("/").count("/") > 2:
            raise click.BadParameter(f"{origin!r} is not an origin (scheme://host[:port], as https://desk.example.org)", param_hint="--cors")
    root_path = root_path.strip().rstrip("/")
    if root_path and (not root_path.startswith("/") or any(c in root_path for c in "?#\\ \"'<>")):
        raise click.BadParameter(f"{root_path!r} is not a path prefix (as /news)", param_hint="--root-path")
    try:
        trusted = TrustedProxies.parse(forwarded_allow_ips)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--forwarded-allow-ips") from None
    try:
        config = ServeConfig(index=where, read_token=read_token, cors=tuple(o.rstrip("/") for o in cors), bounds=Bounds(max_timeout=timeout, max_rows=max_rows),
                             root_path=root_path, write_token=write_token, forwarded_allow_ips=trusted.entries)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{(exc.option or 'read_token').replace('_', '-')}") from None
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    echo(f"Serving {where} ({count:,} articles) on http://{shown_host}:{bound}{root_path}/ (pages; the API under {root_path}/api/) with {workers} worker{'s' if workers > 1 else ''}; Ctrl-C stops.", err=True)
    if not _loopback(host):
        exposed = "needs the read token" if read_token else "is open to anyone who can reach this address (no --read-token)"
        writes = "need the write token" if write_token else "are off (no --write-token)"
        echo(f"Warning: listening on {host}, not this machine only: reading the index {exposed}; writes {writes}.", err=True)
    sys.stderr.flush()
    serve(config, sock, workers)
    echo("Stopped.", err=True)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
