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
from .ingest import FORMATS, IngestWarning, read_path
from .model import Article, Hit, SearchResults, Snippet

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
