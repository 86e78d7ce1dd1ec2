"""Feed addresses as users keep them: on the command line, one per line in a
text file, or in an OPML file exported from a feed reader.

OPML is read with lxml (already a dependency) with entities and network
access off; every ``<outline>`` with an ``xmlUrl`` is a feed, however the
outlines are nested in folders.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError, IngestError

__all__ = ["check_url", "read_feed_list"]


def check_url(url: str, where: str = "") -> str:
    """``url`` stripped, or a :class:`ConfigError` when it is not an http(s) URL."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        at = f"{where}: " if where else ""
        raise ConfigError(f"{at}not a feed URL (http:// or https://): {url!r}", option="feeds")
    return url


def read_feed_list(path: str | Path) -> list[str]:
    """The feed URLs in a file: OPML (detected by its ``<opml`` root), or one
    URL per line (blank lines and lines starting with ``#`` skipped). A bad
    line is an error naming the file and line."""
    where = Path(path)
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise IngestError(str(where), f"cannot read: {exc.strerror or exc}") from None
    if b"<opml" in data[:2000].lower():
        return _opml(data, str(where))
    urls = []
    for n, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(check_url(line, f"{where}:{n}"))
    return urls


def _opml(data: bytes, name: str) -> list[str]:
    from lxml import etree  # lazy: only OPML lists need it

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(name, f"not readable OPML: {exc}", line=getattr(exc, "lineno", None)) from None
    urls = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            urls.append(check_url(url, f"{name}:{outline.sourceline}"))
    if not urls:
        raise IngestError(name, "no feeds in this OPML file (no <outline> with an xmlUrl)")
    return urls


def unique(urls: Iterable[str]) -> list[str]:
    """The URLs in order, each once."""
    return list(dict.fromkeys(urls))
