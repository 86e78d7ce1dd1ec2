"""The outlet and section an article's URL implies.

A URL is the most reliable outlet signal a bare record has: its host. Known
hosts map to the name readers expect ("Reuters", not "reuters.com"); other
hosts are shown as their domain, which is still exact and filterable.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["KNOWN_OUTLETS", "outlet_from_url", "section_from_url", "site_domain"]

KNOWN_OUTLETS: dict[str, str] = {
    "reuters.com": "Reuters",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "apnews.com": "AP",
    "afp.com": "AFP",
    "novinite.com": "Sofia News Agency",
    "bta.bg": "BTA",
    "bnr.bg": "BNR",
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "latimes.com": "Los Angeles Times",
    "theguardian.com": "The Guardian",
    "guardian.co.uk": "The Guardian",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "bloomberg.com": "Bloomberg",
    "cnn.com": "CNN",
    "cnbc.com": "CNBC",
    "npr.org": "NPR",
    "foxnews.com": "Fox News",
    "cbsnews.com": "CBS News",
    "nbcnews.com": "NBC News",
    "abcnews.go.com": "ABC News",
    "usatoday.com": "USA Today",
    "politico.com": "Politico",
    "politico.eu": "Politico Europe",
    "axios.com": "Axios",
    "aljazeera.com": "Al Jazeera",
    "dw.com": "DW",
    "france24.com": "France 24",
    "euronews.com": "Euronews",
    "independent.co.uk": "The Independent",
    "telegraph.co.uk": "The Telegraph",
    "dailymail.co.uk": "Daily Mail",
    "thetimes.co.uk": "The Times",
    "venturebeat.com": "VentureBeat",
    "techcrunch.com": "TechCrunch",
    "theverge.com": "The Verge",
    "wired.com": "Wired",
    "kyivindependent.com": "The Kyiv Independent",
}

_STRIP_PREFIX = re.compile(r"^(?:www\d*|m|mobile|amp|edition|uk|us|in|feeds?|rss)\.")
_GENERIC_SEGMENTS = {
    "article", "articles", "news", "story", "stories", "content", "post", "posts", "amp",
    "index", "www", "en", "de", "fr", "es", "it", "pt", "ru", "bg", "html", "page", "pages",
    "item", "items", "doc", "id", "a", "p", "s", "n", "v", "print", "view", "detail", "details",
}


def site_domain(url: str) -> str | None:
    """Return the URL's host without ``www.``-style prefixes, or None."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return None
    while True:
        stripped = _STRIP_PREFIX.sub("", host)
        if stripped == host or "." not in stripped:
            break
        host = stripped
    return host or None


def outlet_from_url(url: str) -> str | None:
    """Return the outlet a URL belongs to: a known name, else its domain."""
    host = site_domain(url)
    if not host:
        return None
    parts = host.split(".")
    for i in range(len(parts) - 1):
        known = KNOWN_OUTLETS.get(".".join(parts[i:]))
        if known:
            return known
    return host


def section_from_url(url: str) -> str | None:
    """Return the section a URL path names (``/article/worldNews/id...`` ->
    ``worldNews``), skipping dates, ids, language codes and the final slug."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    segments = [s for s in path.split("/") if s]
    for seg in segments[:-1]:
        low = seg.lower()
        if low in _GENERIC_SEGMENTS or not re.fullmatch(r"[A-Za-z][A-Za-z_-]{1,39}", seg):
            continue
        if re.search(r"\d", seg) or seg.count("-") > 2:
            continue
        return seg
    return None
