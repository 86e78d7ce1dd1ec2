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

The pipeline, one module each: ``ingest`` -> ``model.Article`` -> ``indexer``
(``schema``, ``analysis``) -> ``query`` -> ``searcher`` -> ``snippets``.
"""

from __future__ import annotations

from .dates import format_datetime, parse_date
from .errors import (
    ConfigError,
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
from .indexer import (
    ArticleWriter,
    IndexReport,
    IndexStats,
    NewsIndex,
    create_index,
    default_index_path,
    open_index,
)
from .model import Article, Hit, SearchResults, Snippet
from . import searcher as _searcher  # noqa: F401 - the search stack, loaded with the library

_INGEST_NAMES = ("FORMATS", "IngestNotice", "IngestWarning", "read_path")


def __getattr__(name: str) -> object:
    # The readers (and their libraries: trafilatura, lxml, feedparser, warcio)
    # load on first use, so programs that only search do not pay for them.
    if name in _INGEST_NAMES:
        from . import ingest

        return getattr(ingest, name)
    raise AttributeError(f"module 'newssearch' has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "Article",
    "ArticleWriter",
    "ConfigError",
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
    "NewsIndex",
    "NewsSearchError",
    "ParseError",
    "QuerySyntaxError",
    "SearchResults",
    "Snippet",
    "UnsupportedFormat",
    "__version__",
    "create_index",
    "default_index_path",
    "format_datetime",
    "open_index",
    "parse_date",
    "read_path",
]
