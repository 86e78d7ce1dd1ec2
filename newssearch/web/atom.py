"""Atom 1.0 feeds (RFC 4287) of a search's newest stories and of a saved search's alerts.

A feed reader or a chat tool follows a search by polling its feed, so each
entry keeps one id for ever: a ``tag:`` URI of the article's id
(:func:`entry_id`), the same in every feed that lists the article, and
readers show it once. Every field of an article is untrusted text from any
site: the XML is built with :mod:`xml.etree.ElementTree`, which escapes
what it writes (a headline of ``<script>`` or ``]]>`` is text, never
markup), after :func:`xml_text` has dropped the characters XML 1.0 cannot
hold at all (control characters, lone surrogates, U+FFFE...), which no
escaping can carry and which would make the whole feed unreadable. Only an
``http`` or ``https`` address becomes a link to the original article; every
entry also links to the article's page on this server.

Nothing here knows the web framework: the addresses come in as strings
built from the request (its base URL, so a server behind a proxy under a
path prefix links under that prefix).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from ..live.saved import Alert
from ..model import Hit
from ..version import __version__

__all__ = ["ATOM_TYPE", "FeedEntry", "alert_entry", "atom_feed", "entry_id", "hit_entry", "is_web_address", "xml_text"]

#: The media type of an Atom feed.
ATOM_TYPE = "application/atom+xml"
_NS = "http://www.w3.org/2005/Atom"
#: The tagging authority and date of every id this server mints (RFC 4151): fixed, so ids never change.
_TAG = "tag:newssearch,2024:"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str | None) -> str:
    """``text`` without the characters XML 1.0 cannot hold (C0 controls but tab and
    newlines, lone surrogates, U+FFFE and U+FFFF), which no escaping can carry."""
    return _NOT_XML.sub("", text or "")


def is_web_address(url: str | None) -> bool:
    """True for an ``http://`` or ``https://`` address: the only kind a feed links to (never ``javascript:``)."""
    return bool(url) and re.match(r"(?i)https?://[^\s/]", url or "") is not None and not _NOT_XML.search(url or "")


def entry_id(article_id: str) -> str:
    """An article's entry id in every feed: a ``tag:`` URI of its id, stable for as long as the article is."""
    return f"{_TAG}article:{quote(article_id, safe='')}"


@dataclass(frozen=True)
class FeedEntry:
    """One entry: an article as a feed shows it."""

    article_id: str
    title: str
    url: str | None
    published: datetime | None
    #: When the entry last changed: the publication time, or when an alert was recorded.
    updated: datetime
    source: str | None
    authors: tuple[str, ...]
    summary: str


def hit_entry(hit: Hit, fallback: datetime) -> FeedEntry:
    """A search's hit as an entry (``fallback``: the ``updated`` of an undated article)."""
    a = hit.article
    return FeedEntry(a.id, a.title, a.url, a.published, a.published or fallback, a.source, a.authors, hit.snippet.text if hit.snippet else "")


def alert_entry(alert: Alert) -> FeedEntry:
    """A saved search's alert as an entry."""
    return FeedEntry(alert.article_id, alert.title, alert.url, alert.published, alert.published or alert.matched, alert.source, (), alert.snippet)


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def atom_feed(
    entries: Iterable[FeedEntry], *, feed_id: str, title: str, self_url: str, html_url: str, base_url: str, updated: datetime,
) -> bytes:
    """The feed as UTF-8 XML. ``feed_id``: what the feed follows, made a ``tag:`` URI;
    ``self_url`` its own address, ``html_url`` the search page it mirrors, ``base_url`` the
    server's (ending in ``/``: each entry links to ``{base_url}article/{id}``); ``updated``:
    when it last changed (the newest entry's time; now for an empty feed)."""
    feed = ET.Element("feed", xmlns=_NS)  # the namespace declared once, every element unprefixed, as readers expect
    _add(feed, "id", _TAG + feed_id)
    _add(feed, "title", title)
    _add(feed, "updated", _stamp(updated))
    _add(feed, "link", rel="self", type=ATOM_TYPE, href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=html_url)
    _add(_add(feed, "author"), "name", "newssearch")
    _add(feed, "generator", "newssearch", version=__version__)
    for entry in entries:
        node = _add(feed, "entry")
        _add(node, "id", entry_id(entry.article_id))
        _add(node, "title", entry.title or "(no title)", type="text")
        _add(node, "updated", _stamp(entry.updated))
        if entry.published is not None:
            _add(node, "published", _stamp(entry.published))
        page = f"{base_url}article/{quote(entry.article_id, safe='')}"
        if is_web_address(entry.url):
            _add(node, "link", rel="alternate", type="text/html", href=entry.url or "")
            _add(node, "link", rel="related", type="text/html", href=page, title="on this server")
        else:  # no address to trust: the server's page is the entry's only link
            _add(node, "link", rel="alternate", type="text/html", href=page)
        for name in entry.authors or ((entry.source,) if entry.source else ()):
            _add(_add(node, "author"), "name", name)
        if entry.source:
            _add(node, "category", term=entry.source, label=entry.source)
        if entry.summary:
            _add(node, "summary", entry.summary, type="text")
    written: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return written
