"""What a news page says about itself: headline, dates, authors, outlet,
section, language and canonical URL, each with where it came from.

Pages state their metadata several times over, with different reliability:
JSON-LD (``NewsArticle.datePublished``) is written for search engines and
is usually exact; ``<meta property="article:published_time">`` and friends
come next; a ``<time>`` element is visible but may belong to a "related
stories" list; a date in the URL (``/2019/11/19/``) has no time of day; a
date line in the text is the last resort. Every candidate is collected in
that order, so the page reader takes the first usable one and can record
``date_source`` and report a date it had to reject.

Only lxml is used here; the article body is :mod:`.htmlpage`'s business.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from . import credits
from .textlines import classify, title_suffix_split, words

__all__ = ["DateCandidate", "PageMeta", "date_from_url", "read_meta"]

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "report",
    "scholarlyarticle", "techarticle", "socialmediaposting", "posting", "webpage", "review",
}
# <meta> names and properties that carry the publication time, best first
_DATE_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "published_time",
    "article:published", "article.published", "datepublished", "date_published", "publish-date",
    "publish_date", "publishdate", "pubdate", "pub_date", "article_date_original", "dc.date.issued",
    "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "date",
    "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "citation_publication_date",
    "originalpublicationdate", "displaydate", "og:updated_time",
)
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "byl", "dc.creator", "citation_author")
_SECTION_META = ("article:section", "parsely-section", "section", "category", "sailthru.section")
_SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
_URL_DATE = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?![0-9])"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:/|[_-]|$)"
)


@dataclass(frozen=True)
class DateCandidate:
    """A date the page states, as text, and where (``jsonld``, ``meta``,
    ``time-tag``, ``url``, ``text``)."""

    text: str
    source: str


@dataclass
class PageMeta:
    """Everything :func:`read_meta` found; each field may be empty."""

    title: str | None = None
    dates: list[DateCandidate] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    section: str | None = None
    language: str | None = None
    url: str | None = None
    description: str | None = None


def _text(el: Any) -> str:
    try:
        return " ".join(el.text_content().split())
    except (AttributeError, ValueError):
        return ""


def _metas(doc: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


def _walk(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(obj, dict):
        yield obj
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in obj:
                yield from _walk(obj[key], depth + 1)
    elif isinstance(obj, list):
        for item in obj[:50]:
            yield from _walk(item, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    items = t if isinstance(t, list) else [t]
    return {str(x).lower() for x in items if x}


def _jsonld(doc: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            # some sites leave raw newlines or trailing commas in strings
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ")))
            except ValueError:
                continue
        objects.extend(_walk(data))
    # the article object first, then the rest (an Organization, a WebSite)
    return sorted(objects, key=lambda o: 0 if _types(o) & _ARTICLE_TYPES - {"webpage"} else 1 if "webpage" in _types(o) else 2)


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return _name(value.get("name") or value.get("@name") or "")
    if isinstance(value, list):
        return _name(value[0]) if value else ""
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [n for n in (_name(v) for v in items) if n]


def _author_names(raw: list[str]) -> list[str]:
    names: list[str] = []
    for text in raw:
        if not text or text.startswith(("http://", "https://", "@")) or len(text) > 120:
            continue
        parsed = credits.authors_from_byline(text if text.lower().startswith("by") else "By " + text)
        if parsed:
            names += parsed
        elif parsed is None and words(text) <= 5:
            names.append(text)
    return credits.unique(names)


def date_from_url(url: str | None) -> str | None:
    """``https://x.com/2019/11/19/story`` -> ``2019-11-19`` (None without one)."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_DATE.search(path)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def _clean_title(title: str, site: str | None) -> str:
    title = " ".join(title.split())
    if site:
        for sep in (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00bb ", " · "):
            if title.lower().endswith((sep + site).lower()):
                return title[: -len(sep + site)].strip()
            if title.lower().startswith((site + sep).lower()):
                return title[len(site + sep) :].strip()
    split = title_suffix_split(title)
    if split and (not site or words(split[1]) <= 4):
        return split[0]
    return title


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _similar(a: str, b: str) -> bool:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.7


def _pick_title(doc: Any, metas: dict[str, str], ld: list[dict[str, Any]], site: str | None) -> str | None:
    stated = [
        metas.get("og:title"),
        metas.get("twitter:title"),
        next((_name(o.get("headline")) for o in ld if o.get("headline")), None),
        next((_text(t) for t in doc.iter("title")), None),
    ]
    site_key = (site or "").strip().lower()
    titles = [c for c in (_clean_title(s, site) for s in stated if s) if c and c.lower() != site_key]
    # the visible headline is the cleanest spelling when it agrees with what
    # the page tells search engines (many pages put the site name in an h1)
    for h in doc.xpath("//h1")[:6]:
        text = _text(h)
        if text.lower() == site_key:
            continue
        if 2 <= words(text) <= 40 and any(_similar(text, s) for s in titles):
            return text
    if titles:
        return titles[0]
    for h in doc.xpath("//h1")[:1]:
        text = _text(h)
        if text:
            return text
    return None


def _time_tags(doc: Any) -> list[str]:
    tags = doc.xpath("//time[@datetime or normalize-space(.)]")[:30]

    def rank(el: Any) -> int:
        hint = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id")))).lower()
        if el.get("pubdate") is not None or "datepublished" in hint or "publish" in hint:
            return 0
        if "modif" in hint or "updat" in hint:
            return 2
        return 1

    out = []
    for el in sorted(tags, key=rank):
        value = (el.get("datetime") or "").strip() or _text(el)
        if value:
            out.append(value)
    return out[:5]


_DATE_CLASS = (
    "//*[contains(@class,'date') or contains(@class,'Date') or contains(@class,'time') or contains(@class,'publish')"
    " or contains(@class,'byline') or contains(@class,'meta') or contains(@id,'date') or contains(@id,'publish')]"
)


def _text_dates(doc: Any) -> list[str]:
    out: list[str] = []
    for el in doc.xpath(_DATE_CLASS)[:60]:
        if el.tag in ("script", "style", "meta", "body", "html"):
            continue
        text = _text(el)
        if 4 <= len(text) <= 160 and classify(text).kind == "stamp":
            out.append(text)
            if len(out) >= 5:
                break
    return out


def read_meta(doc: Any, page_url: str | None = None) -> PageMeta:
    """Collect a page's metadata from a parsed lxml document."""
    metas = _metas(doc)
    ld = _jsonld(doc)
    art = ld[0] if ld and _types(ld[0]) & _ARTICLE_TYPES else {}
    meta = PageMeta()

    # canonical URL: the page's own claim, resolved against where it was found
    for candidate in (
        next((el.get("href") for el in doc.xpath('//link[@rel="canonical"][@href]')), None),
        metas.get("og:url"),
        _name(art.get("url")) if art else None,
        page_url,
    ):
        if candidate:
            full = urljoin(page_url or "", candidate.strip())
            if full.startswith(("http://", "https://")):
                meta.url = full
                break

    site = metas.get("og:site_name") or _name((art or {}).get("publisher")) or None
    if not site:
        for key in _SITE_META[1:]:
            value = metas.get(key)
            if value and not value.startswith(("http", "@")) and words(value) <= 6:
                site = value
                break
    meta.title = _pick_title(doc, metas, ld, site)
    if not site:
        # "Headline - Site" in <title>, when the headline part is the headline
        page_title = next((_text(t) for t in doc.iter("title")), "")
        split = title_suffix_split(page_title)
        if split and meta.title and _similar(split[0], meta.title) and words(split[1]) <= 4:
            site = split[1]
    if site and (site.startswith(("http://", "https://")) or "/" in site):
        site = None
    meta.outlet = site.lstrip("@") if site else None

    # dates, best source first
    for obj in ld:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = _name(obj.get(key))
            if value:
                meta.dates.append(DateCandidate(value, "jsonld"))
                break
    for key in _DATE_META:
        if key in metas:
            meta.dates.append(DateCandidate(metas[key], "meta"))
    for el in doc.xpath('//*[@itemprop="datePublished"][not(self::meta)]')[:2]:
        value = el.get("datetime") or el.get("content") or _text(el)
        if value:
            meta.dates.append(DateCandidate(value, "meta"))
    meta.dates += [DateCandidate(t, "time-tag") for t in _time_tags(doc)]
    url_date = date_from_url(page_url) or date_from_url(meta.url)
    if url_date:
        meta.dates.append(DateCandidate(url_date, "url"))
    meta.dates += [DateCandidate(t, "text") for t in _text_dates(doc)]

    raw_authors = _names(art.get("author")) if art else []
    for key in _AUTHOR_META:
        if key in metas:
            raw_authors.append(metas[key])
    # an organisation credited as author (the publisher, "Example.com") is not a byline
    not_people = {n.lower() for n in (site, _name((art or {}).get("publisher")), metas.get("og:site_name")) if n}
    meta.authors = [
        a for a in _author_names(raw_authors)
        if a.lower() not in not_people and not re.search(r"\.(?:com|org|net|co|info)\b", a, re.I)
    ]

    section = art.get("articleSection") if art else None
    meta.section = _names(section)[0] if _names(section) else None
    if not meta.section:
        meta.section = next((metas[k] for k in _SECTION_META if k in metas and words(metas[k]) <= 4), None)

    lang = (doc.get("lang") if doc.tag == "html" else None) or next(iter(doc.xpath("//html/@lang")), None)
    lang = lang or metas.get("og:locale") or _name((art or {}).get("inLanguage")) or metas.get("content-language")
    if lang:
        primary = re.split(r"[-_]", str(lang).strip())[0].lower()
        meta.language = primary if re.fullmatch(r"[a-z]{2,3}", primary) else None
    meta.description = metas.get("og:description") or metas.get("description") or None
    return meta


def parse_html(markup: str) -> Any:
    """Parse markup into an lxml document, or None when there is none."""
    markup = markup.lstrip("\ufeff")
    # lxml refuses str input that carries its own encoding declaration
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    if not markup.strip():
        return None
    try:
        return lxml_html.document_fromstring(markup)
    except (ValueError, lxml_html.etree.ParserError):
        return None
