"""The Whoosh schema, and the mapping between an Article and its stored fields.

Fields and why:

* ``title``/``body``: stemmed full text (see :mod:`newssearch.analysis`),
  stored for results and snippets; the title counts ``TITLE_BOOST`` times in
  BM25F because a headline names what the story is about.
* ``published``: DATETIME, sortable (a column) for sorting and date ranges.
  Whoosh drops ``tzinfo`` *without converting*, so only UTC values are stored.
* ``source``/``agencies``/``authors``/``section``: exact keywords, lowercased
  for filtering; the original spelling is stored for display.
* ``undated``: 1 for articles without a date, a sort key so they come last
  whichever way dates are sorted (Whoosh's column default for a missing date
  is the largest value, so they would come first when sorting newest first).
* ``fingerprint``: a column of content digests so a re-index can tell an
  unchanged article from an updated one without loading stored text.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any, Mapping

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import news_analyzer, positions_by_term
from .model import Article

__all__ = ["SCHEMA_VERSION", "TITLE_BOOST", "TEXT_FIELDS", "build_schema", "from_stored", "to_fields"]

#: Bumped whenever the schema changes in a way old indexes cannot serve.
SCHEMA_VERSION = 2
TITLE_BOOST = 2.0
TEXT_FIELDS = ("title", "body")
KEYWORD_FIELDS = ("source", "agencies", "authors", "section")


class NewsText(TEXT):
    """A TEXT field that indexes through the fused analysis path.

    Whoosh's TEXT.index() runs the analyzer's token generator and builds
    each term's position list one Token at a time; this produces the same
    postings (same terms, positions, weights and encoding, checked by a test
    against the generic path) from :func:`positions_by_term` in one pass.
    Query parsing and highlighting still use the analyzer, which shares the
    same term function.
    """

    def index(self, value: Any, **kwargs: Any):  # type: ignore[override]
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        fmt = self.format
        boost = fmt.field_boost
        encode = fmt.encode
        for term, poslist in positions_by_term(value).items():
            yield term.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


def build_schema() -> Schema:
    analyzer = news_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        title=NewsText(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        body=NewsText(analyzer=analyzer, stored=True),
        published=DATETIME(stored=True, sortable=True),
        undated=NUMERIC(int, bits=8, signed=False, sortable=True),
        source=KEYWORD(stored=True, lowercase=True, commas=True, scorable=False),
        agencies=KEYWORD(stored=True, lowercase=True, commas=True, scorable=False),
        authors=KEYWORD(stored=True, lowercase=True, commas=True, scorable=False),
        section=KEYWORD(stored=True, lowercase=True, commas=True, scorable=False),
        language=ID(stored=True),
        path=STORED(),
        date_source=STORED(),
        tz_assumed=STORED(),
        fingerprint=ID(sortable=True),
    )


def _keywords(values: tuple[str, ...] | list[str]) -> str:
    # commas separate keywords, so a comma inside one value must not split it
    return ",".join(v.replace(",", " ").strip() for v in values if v and v.strip())


def to_fields(article: Article) -> dict[str, Any]:
    """The keyword arguments for ``writer.add_document``."""
    fields: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "fingerprint": article.fingerprint(),
        "tz_assumed": article.tz_assumed,
        "undated": 0 if article.published is not None else 1,
    }
    if article.url:
        fields["url"] = article.url
    if article.published is not None:
        fields["published"] = article.published.astimezone(timezone.utc)
    if article.source:
        fields["source"] = _keywords([article.source])
        fields["_stored_source"] = article.source
    for name in ("agencies", "authors"):
        values = getattr(article, name)
        if values:
            fields[name] = _keywords(values)
            fields[f"_stored_{name}"] = list(values)
    if article.section:
        fields["section"] = _keywords([article.section])
        fields["_stored_section"] = article.section
    if article.language:
        fields["language"] = article.language
    if article.path:
        fields["path"] = article.path
    if article.date_source:
        fields["date_source"] = article.date_source
    return fields


def from_stored(stored: Mapping[str, Any]) -> Article:
    """Rebuild the Article from a document's stored fields."""
    published = stored.get("published")
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=timezone.utc)
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        url=stored.get("url"),
        published=published,
        source=stored.get("source"),
        agencies=tuple(stored.get("agencies") or ()),
        authors=tuple(stored.get("authors") or ()),
        section=stored.get("section"),
        language=stored.get("language"),
        path=stored.get("path"),
        date_source=stored.get("date_source"),
        tz_assumed=bool(stored.get("tz_assumed", False)),
    )
