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
from .search import run as _run  # noqa: F401 - the search stack, loaded with the library
from .writer import ArticleWriter, IndexReport

if TYPE_CHECKING:
    from .ingest import FORMATS, IngestNotice, IngestWarning, Limits, read_path

_INGEST_NAMES = ("FORMATS", "IngestNotice", "IngestWarning", "Limits", "read_path")


def __getattr__(name: str) -> Any:
    # The readers (and their libraries: trafilatura, lxml, feedparser, warcio)
    # load on first use, so programs that only search do not pay for them.
    if name in _INGEST_NAMES:
        from . import ingest

        return getattr(ingest, name)
    raise AttributeError(f"module 'newssearch' has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "AmbiguousId",
    "Article",
    "ArticleWriter",
    "CheckReport",
    "ConfigError",
    "Explanation",
    "Filters",
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
    "QuerySyntaxError",
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
