"""RSS 0.9x/1.0/2.0 and Atom feeds: one article per entry.

feedparser reads every feed dialect and survives the malformed XML real
feeds are full of (it says so in ``bozo`` and still returns the entries).
Each entry gives its full content where the feed carries it
(``content:encoded``, Atom ``content``), else its summary, turned from HTML
into text; the feed's title is the outlet. Dates are the entry's own
strings read by :mod:`newssearch.dates` (so zones like ``EDT`` and a
missing zone are handled the same way as everywhere else), with
``date_source="feed"``; a date that cannot be used is reported and the entry
kept without it.
"""

from __future__ import annotations

import io
import re
from typing import Any, Iterator

from .. import errors
from ..deprecation import moved_names
from ..encodable import encodable_charrefs
from ..errors import IngestError, ParseError
from . import credits
from .base import Notice, ReadOptions, ReadResult, Source, article_or_error, take_date

__all__ = ["html_to_text", "looks_like_feed", "read_feed"]

#: EmptyFeed now lives in newssearch.errors
__getattr__ = moved_names(__name__, {"EmptyFeed": "newssearch.errors"})

_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.I)
_BLOCK = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|blockquote|tr|table|section|article|figure|figcaption|pre|hr)\b[^>]*>", re.I)




def looks_like_feed(head: str) -> bool:
    """True when the first part of a document is an RSS, RDF or Atom root."""
    head = re.sub(r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", "", head[:4000], flags=re.S)
    return bool(_FEED_ROOT.search(head[:800]))


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (an entry's content), one paragraph per block."""
    if "<" not in fragment:
        return fragment
    from lxml import html as lxml_html  # lazy: only entries that carry markup need it

    marked = _BLOCK.sub("\n\n", fragment)
    try:
        root = lxml_html.fragment_fromstring(marked, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return re.sub(r"<[^>]+>", " ", fragment)
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    return str(root.text_content())


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    best = max((c.get("value") or "" for c in contents), key=len, default="")
    summary = entry.get("summary") or ""
    # some feeds put the whole story in the summary and a stub in content
    raw = best if len(best) >= len(summary) else summary
    return html_to_text(raw)


def read_feed(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Read an RSS or Atom feed file; one article per entry."""
    import feedparser  # lazy: 0.2 s, only for feeds

    data = source.read_bytes()
    if not data.strip():
        raise IngestError(source.name, "empty file: no feed to read")
    # a stream, never a string: feedparser would treat a string that looks
    # like a URL or a file name as one and go fetch it. It detects the
    # encoding itself (declaration, then UTF-8, then Windows-1252).
    # feedparser encodes every character reference it meets: one &#xD800;
    # in one title lost the whole feed (index) or stopped every round (follow)
    parsed = feedparser.parse(io.BytesIO(encodable_charrefs(data)), sanitize_html=False, resolve_relative_uris=False)
    feed = parsed.get("feed", {})
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = " ".join(str(parsed.get("bozo_exception") or "not well-formed").split())
            raise ParseError(source.name, f"not a readable feed: {problem}")
        raise errors.EmptyFeed(source.name, "feed has no entries")
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and type(exc).__name__ not in ("CharacterEncodingOverride", "NonXMLContentType"):
        problem = " ".join(str(exc or "").split())[:160]
        yield Notice(source.name, f"feed is not well-formed ({problem}); read {len(entries)} entries as far as they go")
    outlet = " ".join((feed.get("title") or "").split()) or None
    language = (feed.get("language") or "").split("-")[0].lower() or None
    for n, entry in enumerate(entries, start=1):
        where = f"entry {n}"
        title = entry.get("title") or ""
        title = html_to_text(title) if "<" in title else title
        body = _entry_text(entry)
        if not title.strip() and not body.strip():
            yield ParseError(source.name, f"{where}: no title or text")
            continue
        date = None
        raw_date = entry.get("published") or entry.get("updated") or entry.get("created")
        if raw_date:
            date, notice = take_date(raw_date, options, source, what=f"{where}: feed date")
            if notice is not None:
                yield notice
            elif date is None:
                yield Notice(source.name, f"{where}: unreadable date {raw_date!r}; kept without a date")
        authors = [a.get("name", "") for a in entry.get("authors") or [] if a.get("name")]
        if not authors and entry.get("author"):
            authors = [entry["author"]]
        tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
        yield article_or_error(
            source,
            options,
            title=title,
            body=body,
            url=entry.get("link") or None,
            date=date,
            date_source="feed",
            outlet=outlet,
            authors=_clean_authors(authors),
            section=tags[0] if tags else None,
            language=language,
            key=str(entry.get("id") or f"#{n}"),
        )


def _clean_authors(raw: list[str]) -> list[str]:
    names: list[str] = []
    for text in raw:
        # RSS <author> is "email (Name)" by the spec
        m = re.match(r"^\S+@\S+\s*\((.+)\)$", text.strip())
        text = m.group(1) if m else text
        if "@" in text:
            continue
        parsed = credits.authors_from_byline(text if text.lower().startswith("by ") else "By " + text)
        names += parsed if parsed else [text.strip()]
    return names
