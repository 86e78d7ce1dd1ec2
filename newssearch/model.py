"""The records every layer shares: an ``Article`` going in, a ``Hit`` coming out.

They are frozen dataclasses so that a reader, the indexer and the query layer
can pass them around without copying and without one layer changing what
another sees. Nothing here knows about Whoosh: the schema module maps these
records to and from stored fields.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from html import escape
from typing import Iterator, Sequence, overload
from urllib.parse import urlsplit, urlunsplit

from .deprecation import moved_names
from .encodable import encodable

__all__ = [
    "Article",
    "Explanation",
    "FieldMatch",
    "Hit",
    "ScorePart",
    "SearchResults",
    "Snippet",
    "StoryCopy",
    "Timeline",
    "article_id",
    "normalize_url",
]

#: ``Copy`` is now :class:`StoryCopy` (the name says what it is a copy of)
__getattr__ = moved_names(__name__, {"Copy": "newssearch.model:StoryCopy"})


def normalize_url(url: str) -> str:
    """Return ``url`` in the form used to derive ids.

    The scheme and host are case-insensitive and the fragment never names a
    different document, so two spellings of one link must give one id.
    """
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def article_id(
    url: str | None, title: str, published: datetime | None, body: str, *, origin: str | None = None
) -> str:
    """Return a stable id: from the URL when there is one; else from where
    the article was read (``origin``: a file's absolute path and the
    record's key or position in it), so that an edited file updates its
    article instead of adding a second one; else (stdin, articles built in
    code) from the content.

    The id is 16 hex digits, short enough to type after ``newssearch show``.
    Re-reading the same file gives the same ids, which is what lets a second
    ``index`` run update instead of duplicate.
    """
    if url and url.strip():
        return _digest("url", normalize_url(url))
    if origin:
        return _digest("file", origin)
    when = published.astimezone(timezone.utc).isoformat() if published else ""
    return _digest("content", title.strip(), when, " ".join(body.split()))


@dataclass(frozen=True)
class Article:
    """One news article, as every reader produces and the index returns it.

    ``published`` is always timezone-aware UTC or None (see :mod:`newssearch.dates`);
    ``tz_assumed`` says the text gave a time without a zone and the configured
    default zone was used; ``date_source`` says where the date came from
    (``header``, ``text``, ``record``, ...) so a user can judge how far to trust it.
    ``site`` is the fetched page's own site name (``og:site_name``, ...) where
    it differs from ``source``, the outlet that published it: a followed
    feed's entries are credited to the feed, and the page may name another
    (a wire story on a partner's site).
    ``language`` is an ISO 639-1 code (``en``, ``bg``, ``nb``) and
    ``language_source`` where it came from, as ``date_source`` is the date's
    (see :mod:`newssearch.languages`): ``given`` (the source stated it and
    the text agrees or is too short to tell), ``detected`` (from the text),
    ``unknown`` (too short or unsure: ``language`` is None); None for an
    article built in code or stored before languages were resolved.
    """

    title: str
    body: str
    id: str = ""
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    agencies: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    section: str | None = None
    language: str | None = None
    path: str | None = None
    date_source: str | None = None
    tz_assumed: bool = False
    site: str | None = None
    language_source: str | None = None

    def __post_init__(self) -> None:
        # Text enters the model here, whoever built the article: no field may hold what
        # cannot be encoded (a lone surrogate), or it fails far away, on storing or printing.
        # ``path`` is left as given: it names a file, and is the file-name handling's to escape.
        for name in ("title", "body", "url", "source", "section", "language", "site"):
            value = getattr(self, name)
            if isinstance(value, str) and value is not (clean := encodable(value)):
                object.__setattr__(self, name, clean)
        object.__setattr__(self, "agencies", tuple(encodable(a) if isinstance(a, str) else a for a in self.agencies))
        object.__setattr__(self, "authors", tuple(encodable(a) if isinstance(a, str) else a for a in self.authors))
        if self.published is not None:
            if self.published.tzinfo is None:
                raise ValueError("Article.published must be timezone-aware")
            if self.published.utcoffset() != timezone.utc.utcoffset(None):
                object.__setattr__(self, "published", self.published.astimezone(timezone.utc))
        if not self.id:
            object.__setattr__(
                self, "id", article_id(self.url, self.title, self.published, self.body)
            )

    def replace(self, **changes: object) -> Article:
        """Return a copy with ``changes`` applied (the id is kept unless given)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        # short: a body can be megabytes, and reprs end up in logs and tracebacks
        when = self.published.isoformat().replace("+00:00", "Z") if self.published else None
        shown = [f"id={self.id!r}", f"title={_clip(self.title, 60)!r}", f"published={when!r}"]
        shown += [f"{name}={getattr(self, name)!r}" for name in ("source", "agencies") if getattr(self, name)]
        shown.append(f"body={len(self.body):,} chars")
        return f"Article({', '.join(shown)})"

    def fingerprint(self) -> str:
        """A digest of everything a reader extracted, used to tell "unchanged"
        from "updated" when the same id is indexed again. ``path`` is left out:
        the same story found in a second file is the same article."""
        when = self.published.isoformat() if self.published else ""
        return _digest(
            self.title,
            self.body,
            self.url or "",
            when,
            self.source or "",
            "\x1e".join(self.agencies),
            "\x1e".join(self.authors),
            self.section or "",
            self.language or "",
            self.date_source or "",
            "1" if self.tz_assumed else "0",
            *((self.site,) if self.site else ()),  # only when set: the articles stored before it keep their digests
            *((f"lang:{self.language_source}",) if self.language_source else ()),  # the same
        )


@dataclass(frozen=True)
class Snippet:
    """The best fragment(s) of a text with the matched words located.

    A snippet is data, not a rendered string: ``highlights`` are
    ``(start, end)`` character offsets into ``text`` so that each front end
    (terminal, HTML, JSON) marks them its own way.
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def parts(self) -> Iterator[tuple[str, bool]]:
        """Yield ``(piece, is_match)`` pairs that together spell ``text``."""
        pos = 0
        for start, end in self.highlights:
            if start > pos:
                yield self.text[pos:start], False
            yield self.text[start:end], True
            pos = end
        if pos < len(self.text):
            yield self.text[pos:], False

    def render(self, before: str, after: str) -> str:
        """Return the text with each highlight wrapped in ``before``/``after``."""
        return "".join(f"{before}{p}{after}" if m else p for p, m in self.parts())

    def __repr__(self) -> str:
        return f"Snippet({_clip(self.text, 80)!r}, highlights={self.highlights!r})"

    def to_html(self, tag: str = "mark") -> str:
        """Return the snippet as HTML with matches in ``<tag>`` elements."""
        return "".join(
            f"<{tag}>{escape(p)}</{tag}>" if m else escape(p) for p, m in self.parts()
        )


@dataclass(frozen=True)
class FieldMatch:
    """One field's share of a query word's combined frequency in an article:
    ``frequency`` occurrences, each counting ``weight``, normalised by the
    field's ``length`` against its ``average_length`` with strength ``b``."""

    field: str
    frequency: float
    weight: float
    length: float
    average_length: float
    b: float


@dataclass(frozen=True)
class ScorePart:
    """One query word's share of an article's score: its ``idf``, its
    combined length-normalised frequency ``tf`` over the ``fields`` it
    occurs in, and the saturated ``score`` they make."""

    term: str
    idf: float
    tf: float
    score: float
    fields: tuple[FieldMatch, ...] = ()


@dataclass(frozen=True)
class Explanation:
    """How a hit's score was built, for ``--explain``.

    ``relevance`` is the sum of ``parts`` times ``coordination``, which is
    ``(held_idf / query_idf) ** (gamma / query_words)``: the share of the
    query's idf the article holds (see :mod:`newssearch.search.bm25`). With
    ``sort="recency"`` the final ``score`` is relevance times
    ``recency_factor``; otherwise it is the relevance.
    """

    parts: tuple[ScorePart, ...]
    relevance: float
    coordination: float
    score: float
    #: Days between publication and the request's ``now`` (negative: dated after it; None: undated).
    age_days: float | None = None
    half_life_days: float | None = None
    recency_factor: float | None = None
    note: str = ""
    held_idf: float = 0.0
    query_idf: float = 0.0
    query_words: int = 0


@dataclass(frozen=True)
class StoryCopy:
    """Another article of a hit's story (another outlet's copy, or another version)."""

    id: str
    title: str
    source: str | None
    published: datetime | None


@dataclass(frozen=True)
class Hit:
    """One search result: the stored article, its score, a snippet of the
    body and the headline with its matches marked; ``copies`` are the other
    matching articles of the same story (at most 20 listed, ``copies_total``
    counted), collapsed under this one."""

    article: Article
    score: float
    snippet: Snippet
    rank: int = 0
    title_snippet: Snippet | None = None
    explanation: Explanation | None = None
    copies: tuple[StoryCopy, ...] = ()
    copies_total: int = 0
    #: The query's words the article lacks: set only on the hits of a
    #: :attr:`SearchResults.fallback` (no article held them all).
    missing: tuple[str, ...] = ()

    def __repr__(self) -> str:
        copies = f", copies={self.copies_total}" if self.copies_total else ""
        return f"Hit(rank={self.rank}, score={self.score:.4f}, article={self.article!r}{copies})"


@dataclass(frozen=True)
class SearchResults(Sequence[Hit]):
    """A page of hits plus what the whole result set looks like.

    ``total`` counts every matching story (copies of one story collapsed),
    not only the page returned, so a caller can paginate with ``offset``;
    ``articles`` counts the matching articles, copies included (the same as
    ``total`` when copies are not collapsed). Facets count articles.
    """

    hits: tuple[Hit, ...]
    total: int
    query: str
    offset: int = 0
    #: counts per value of each requested keyword field, over *all* matches
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: things about the query worth knowing (a field the index does not have)
    warnings: tuple[str, ...] = ()
    articles: int = 0
    #: When no article holds every word of the query (``match="all"``): the
    #: articles with most of them (``match="any"``), each hit naming what it
    #: lacks (``Hit.missing``). Shown as such; this search's own total stays 0.
    fallback: SearchResults | None = None

    def __post_init__(self) -> None:
        if not self.articles:
            object.__setattr__(self, "articles", self.total)

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Hit]: ...
    def __getitem__(self, i: int | slice) -> Hit | Sequence[Hit]:
        return self.hits[i]

    def __len__(self) -> int:
        return len(self.hits)

    def __repr__(self) -> str:
        ids = ", ".join(h.article.id for h in self.hits[:5]) + (", ..." if len(self.hits) > 5 else "")
        shown = f"{self.offset + 1}-{self.offset + len(self.hits)}" if self.hits else "none"
        facets = f", facets={sorted(self.facets)}" if self.facets else ""
        return f"SearchResults({self.query!r}, total={self.total}, hits {shown}: [{ids}]{facets})"


@dataclass(frozen=True)
class Timeline:
    """Matching articles counted per period (``by``: day, week, month, year),
    periods starting in zone ``tz``; empty periods between the first and the
    last are included, so the series can be drawn as is."""

    query: str
    by: str
    tz: str
    buckets: tuple[tuple[datetime, int], ...]
    total: int
    undated: int
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        span = f"{self.buckets[0][0].date()} to {self.buckets[-1][0].date()}" if self.buckets else "no dates"
        return (
            f"Timeline({self.query!r}, by={self.by!r}, tz={self.tz!r}, {len(self.buckets)} periods from {span},"
            f" total={self.total}, undated={self.undated})"
        )


def _clip(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"
