"""newssearch: full-text search for piles of news articles.

Read articles as they come (scraped page text, plain text, header-block
text, JSON, JSON Lines, CSV), index them with Whoosh, and search them with
ranked, dated, highlighted results::

    import newssearch as ns
    ix = ns.open_index("index/", create=True)
    with ix.writer() as w:                    # commits on success, cancels on error
        w.add_many(ns.read_path("articles/"))
    for hit in ix.search("minsk agreement", since="2022-01-01", limit=10):
        print(hit.score, hit.article.title, hit.article.published, hit.snippet.text)

The pipeline: ``ingest`` (files to :class:`Article` records) -> ``model``
(the records every layer shares) -> ``index`` and ``writer`` (an open index,
adding articles) -> ``search`` (a :class:`SearchRequest` to ranked,
highlighted hits) -> ``cli``. Whoosh sits behind ``engine``, the one
package that imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dates import format_datetime, parse_date
from .errors import (
    AmbiguousId,
    ConfigError,
    FetchError,
    IndexLocked,
    IndexNotFound,
    IndexStoreError,
    IndexVersionMismatch,
    IngestError,
    NewsSearchError,
    ParseError,
    QuerySyntaxError,
    UnsupportedFormat,
)
from .index import CheckReport, IndexStats, NewsIndex, check_index, create_index, default_index_path, open_index
from .model import Article, Explanation, Hit, ScorePart, SearchResults, Snippet, Timeline
from .search import Filters, SearchRequest
from .search import results as _results  # noqa: F401 - the search stack, loaded with the library
from .writer import ArticleWriter, IndexReport

if TYPE_CHECKING:
    from .ingest import FORMATS, IngestNotice, IngestWarning, Limits, read_path
    from .live.fetch import Politeness
    from .live.follow import FollowReport, Follower
    from .live.saved import Alert, SavedSearch, SavedSearches

_INGEST_NAMES = ("FORMATS", "IngestNotice", "IngestWarning", "Limits", "read_path")
#: The living archive (saved searches, alerts, following feeds), loaded on first use.
_LIVE_NAMES = {
    "Alert": "saved",
    "SavedSearch": "saved",
    "SavedSearches": "saved",
    "Follower": "follow",
    "FollowReport": "follow",
    "Politeness": "fetch",
}


def __getattr__(name: str) -> Any:
    # The readers (and their libraries: trafilatura, lxml, feedparser, warcio)
    # load on first use, so programs that only search do not pay for them.
    if name in _INGEST_NAMES:
        from . import ingest

        return getattr(ingest, name)
    if name in _LIVE_NAMES:
        from importlib import import_module

        return getattr(import_module(f".live.{_LIVE_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'newssearch' has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "Alert",
    "AmbiguousId",
    "Article",
    "ArticleWriter",
    "CheckReport",
    "ConfigError",
    "Explanation",
    "FetchError",
    "Filters",
    "FollowReport",
    "Follower",
    "Hit",
    "IndexLocked",
    "IndexNotFound",
    "IndexReport",
    "IndexStats",
    "IndexStoreError",
    "IndexVersionMismatch",
    "IngestError",
    "IngestNotice",
    "IngestWarning",
    "Limits",
    "NewsIndex",
    "NewsSearchError",
    "ParseError",
    "Politeness",
    "QuerySyntaxError",
    "SavedSearch",
    "SavedSearches",
    "ScorePart",
    "SearchRequest",
    "SearchResults",
    "Snippet",
    "Timeline",
    "UnsupportedFormat",
    "__version__",
    "check_index",
    "create_index",
    "default_index_path",
    "format_datetime",
    "open_index",
    "parse_date",
    "read_path",
]
