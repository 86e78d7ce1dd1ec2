"""HTML article pages (``.html``, ``.htm``, ``.html.gz``): the article body
without the page around it, plus the page's metadata.

The body comes from trafilatura (``favor_precision=True``, comments left
out), which beat every other library we measured on the 181 real pages of
the article-extraction benchmark (see ``bench/extraction.py``). Three
general rules of our own, measured on the same set, lift it further:

* when the precise pass keeps almost nothing of a page on which the
  recall-oriented pass finds a long text, the precise pass has locked onto a
  teaser box: take the recall pass;
* lines that are page furniture by their wording (``Related: ...``,
  ``Read more: ...``, share/follow prompts, newsletter sign-ups, ``SOURCE:``
  tags, copyright lines) are dropped, using the same rules as the page-text
  reader (:mod:`.textlines`);
* that is all: subheadings stay, because the article is searched, not
  rendered.

Metadata (headline, date and where it came from, authors, outlet, section,
language, canonical URL) comes from :mod:`.htmlmeta`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ..errors import IngestError
from .base import Notice, ReadOptions, ReadResult, Source, build_article, take_date
from .encoding import decode_markup
from .htmlmeta import PageMeta, parse_html, read_meta
from .textlines import classify, is_chrome, words

__all__ = ["ExtractedPage", "article_from_html", "extract_body", "extract_html", "read_html"]

# Furniture lines that trafilatura keeps, by wording (never one site's strings)
_FURNITURE = re.compile(
    r"""^(?:
        (?:related|read\s+more|see\s+more|more|also\s+(?:read|on\s+\S+)|source|filed\s+under|see\s+also|watch|listen)\s*:.*
      | .*\b(?:sign\s+up|subscribe)\b.*\b(?:newsletters?|inbox)\b.*
      | follow\s+.{1,60}\s+on\s+(?:twitter|facebook|instagram).*
    )$""",
    re.I | re.X,
)
# below this many characters the precise pass may have missed the article
_SHORT = 1500


@dataclass(frozen=True)
class ExtractedPage:
    """A page taken apart: its body text and metadata, before dates are judged."""

    body: str
    meta: PageMeta


def _trafilatura(markup: str, url: str | None, *, favor_precision: bool = False, favor_recall: bool = False) -> str:
    import trafilatura  # lazy: 0.6 s, only for HTML pages

    text = trafilatura.extract(
        markup,
        url=url,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
    )
    return text or ""


def _drop_furniture(text: str) -> str:
    kept: list[str] = []
    for line in text.split("\n"):
        s = line.strip()
        if not s or is_chrome(s) or (len(s) <= 300 and _FURNITURE.match(s)):
            continue
        # a date line or byline above the first paragraph is metadata
        if len(kept) == 0 and classify(s).kind in ("stamp", "byline"):
            continue
        kept.append(s)
    return "\n\n".join(kept)


def extract_body(markup: str, url: str | None = None) -> str:
    """The article text of an HTML page, paragraphs separated by blank lines."""
    text = _trafilatura(markup, url, favor_precision=True)
    if len(text) < _SHORT:
        wide = _trafilatura(markup, url, favor_recall=True)
        if len(wide) > 1000 and len(text) < 0.4 * len(wide):
            text = wide
    return _drop_furniture(text)


def extract_html(markup: str, url: str | None = None) -> ExtractedPage | None:
    """Take a page apart; None when the markup holds no document at all."""
    doc = parse_html(markup)
    if doc is None:
        return None
    meta = read_meta(doc, url)
    body = extract_body(markup, meta.url or url)
    return ExtractedPage(body=body, meta=meta)


def article_from_html(
    markup: str, source: Source, options: ReadOptions, url: str | None = None, where: str = ""
) -> Iterator[ReadResult]:
    """Yield the article of one page (and notices about it).

    ``where`` names the record inside a container (``record 12 <url>`` in a
    WARC file) so that messages point at it.
    """
    prefix = f"{where}: " if where else ""
    page = extract_html(markup, url)
    if page is None:
        raise IngestError(source.name, f"{prefix}empty page: no HTML to read")
    meta = page.meta
    body = page.body
    if words(body) < 5:
        description = meta.description or ""
        if words(description) >= 12:
            body = description
            yield Notice(source.name, f"{prefix}no article text in the page; indexed its description")
        else:
            raise IngestError(source.name, f"{prefix}no article text found (a page without a body, or only navigation)")
    date = None
    date_source = None
    for candidate in meta.dates:
        what = f"{prefix}{candidate.source} date"
        found, notice = take_date(candidate.text, options, source, what=what)
        if found is None and notice is None:
            # a labelled value ("Published 12 May 2023 08:05 BST"): the date inside it
            found, notice = take_date(candidate.text, options, source, what=what, find=True)
        if notice is not None:
            yield notice
            continue
        if found is not None:
            date, date_source = found, candidate.source
            break
    yield build_article(
        source,
        options,
        title=meta.title or "",
        body=body,
        url=meta.url or url,
        date=date,
        date_source=date_source,
        outlet=meta.outlet,
        authors=meta.authors,
        section=meta.section,
        language=meta.language,
    )


def read_html(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Read one saved page (``.html``, ``.htm``, gzipped or not) as one article."""
    data = source.read_bytes()
    if not data.strip():
        raise IngestError(source.name, "empty file: no HTML to read")
    yield from article_from_html(decode_markup(data), source, options)
