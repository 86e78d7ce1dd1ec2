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
(the records every layer shares) -> ``write`` (a run of a writer, one
transaction) and ``index`` (an open index) -> ``search`` (a
:class:`SearchRequest` to ranked, highlighted hits) -> ``live`` (following
feeds, saved searches and their alerts) -> ``cli``. Whoosh sits behind
``engine``, the one package that imports it; ``cluster`` builds and
searches a sharded index on Dask.

Words the code and the docs use in one sense each:

story
    One piece of news as many articles carry it: the copies of a wire
    story in several outlets, its updated versions. Every article has a
    story label (``write.stories``); a search shows one hit per story.
copy
    Another article of the same story (:class:`~newssearch.model.StoryCopy`,
    listed under a hit as "also in N outlets").
sequence (``seq``)
    The ingest sequence: the number of the commit that added an article,
    stored with it. Saved searches remember the last sequence they matched
    and alert on the articles added after it.
snapshot
    The index as one commit left it, opened for reading
    (``engine.reading.Snapshot``); searches run against one, and a commit
    elsewhere is seen by opening the next.
segment
    One of the Whoosh segments a snapshot is made of: each commit writes
    one or more, merges join small ones; deletions are marked in them.
session
    A snapshot with what searches cache on it (decoded posting lists, the
    query parser, the ranker): ``search.session.SearchSession``, reopened
    when the index changes.
shard
    One of the N Whoosh indexes of a sharded index, in one folder; an
    article's shard is fixed by its id, and the shards are searched as
    one index, to the same scores and order.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    AccessDenied,
    AddressRefused,
    AmbiguousId,
    ConfigError,
    DecompressedTooLarge,
    EmptyFeed,
    FetchError,
    FieldTooLarge,
    FollowerRunning,
    Forbidden,
    IndexDamaged,
    IndexLocked,
    IndexNotFound,
    IndexStoreError,
    IndexVersionMismatch,
    IngestError,
    IngestNotice,
    IngestWarning,
    NewsSearchError,
    NotFound,
    ParseError,
    QuerySyntaxError,
    RequestRefused,
    RequestTooLarge,
    SavedSearchExists,
    SearchTimedOut,
    UnsupportedFormat,
    WorkerFailed,
)
from .model import Article, Explanation, Hit, ScorePart, SearchResults, Snippet, Timeline
from .version import __version__

if TYPE_CHECKING:
    from .dates import format_datetime, parse_date
    from .index import CheckReport, IndexStats, NewsIndex, check_index, create_index, default_index_path, open_for_writing, open_index
    from .ingest import FORMATS, Limits, read_path
    from .live.addresses import AddressPolicy
    from .live.fetch import Politeness
    from .live.follow import FollowReport, Follower
    from .live.saved import Alert, SavedSearch, SavedSearches
    from .search import Filters, SearchRequest
    from .write.articles import ArticleWriter
    from .write.transaction import IndexReport

#: Where each lazily loaded name lives (issue 23: ``import newssearch`` loads
#: only the errors and the records, so a program pays for Whoosh, numpy and
#: dateutil when it first opens an index or reads a date, not on import).
_LAZY = {
    # dates: dateutil's parser
    "format_datetime": ".dates",
    "parse_date": ".dates",
    # the index, searching and writing: Whoosh and numpy
    "CheckReport": ".index",
    "IndexStats": ".index",
    "NewsIndex": ".index",
    "check_index": ".index",
    "create_index": ".index",
    "default_index_path": ".index",
    "open_for_writing": ".index",
    "open_index": ".index",
    "Filters": ".search",
    "SearchRequest": ".search",
    "ArticleWriter": ".write.articles",
    "IndexReport": ".write.transaction",
    "Alert": ".live.saved",
    "SavedSearch": ".live.saved",
    "SavedSearches": ".live.saved",
    # the readers' libraries (trafilatura, lxml, feedparser, warcio)
    "FORMATS": ".ingest",
    "Limits": ".ingest",
    "read_path": ".ingest",
    # the follower and its HTTP client (requests)
    "AddressPolicy": ".live.addresses",
    "Follower": ".live.follow",
    "FollowReport": ".live.follow",
    "Politeness": ".live.fetch",
}

#: Loaded with any of the index's names: the living archive attaches
#: itself to the index when it loads (``index.attach_living_archive``), so
#: ``ix.saved`` and the alerts after every commit work whichever name a
#: program used first.
_WITH_THE_INDEX = (".index", ".search", ".write.articles", ".write.transaction")


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'newssearch' has no attribute {name!r}")
    if module in _WITH_THE_INDEX:
        import_module(".live.saved", __name__)
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # once: the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    # the lazily loaded names too, so that completion and help() show them
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "FORMATS",
    "AccessDenied",
    "AddressPolicy",
    "AddressRefused",
    "Alert",
    "AmbiguousId",
    "Article",
    "ArticleWriter",
    "CheckReport",
    "ConfigError",
    "DecompressedTooLarge",
    "EmptyFeed",
    "Explanation",
    "FetchError",
    "FieldTooLarge",
    "Filters",
    "FollowReport",
    "Follower",
    "FollowerRunning",
    "Forbidden",
    "Hit",
    "IndexDamaged",
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
    "NotFound",
    "ParseError",
    "Politeness",
    "QuerySyntaxError",
    "RequestRefused",
    "RequestTooLarge",
    "SavedSearchExists",
    "SearchTimedOut",
    "SavedSearch",
    "SavedSearches",
    "ScorePart",
    "SearchRequest",
    "SearchResults",
    "Snippet",
    "Timeline",
    "UnsupportedFormat",
    "WorkerFailed",
    "__version__",
    "check_index",
    "create_index",
    "default_index_path",
    "format_datetime",
    "open_for_writing",
    "open_index",
    "parse_date",
    "read_path",
]
