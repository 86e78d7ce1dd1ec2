"""The Whoosh schema, its analyzer, and the mapping between an Article and its stored fields.

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
* ``host``: the URL's host and each parent domain of it (``uk.reuters.com``,
  ``reuters.com``), so ``site:reuters.com`` finds every subdomain;
  ``urlwords``: the words of the URL (``inurl:``). Neither is stored.
* ``story``: which story the article is a copy of (a column: the story's
  label, an article id as a 64-bit number); ``minhash``: its signature (a
  column, see :mod:`newssearch.write.signature`), whose band keys find the
  copies of a new article anywhere in the index (:mod:`newssearch.write.stories`).
* ``site_name``: stored only, ``Article.site``, the fetched page's own site
  name where it is not the outlet (not ``site``: that is the query's alias
  of ``host``, ``site:reuters.com``). Added after version 7
  without bumping it: an index written before lacks the field, opens as
  ever, and gains it at the first write (:data:`ADDED_FIELDS`).
* ``language``: the article's ISO 639-1 code, exact (``lang:bg``,
  ``--lang bg``, the ``language`` facet); ``language_source``: stored only,
  where it came from (``given``, ``detected``, ``unknown``; see
  :mod:`newssearch.languages`), added as ``site_name`` was. An article
  stored before languages were resolved keeps its source's value, if any.
* ``title_<code>``/``body_<code>`` (``title_de``, ``body_zh``, ``body_other``):
  the text of an article in another language than English, analysed by its
  language's rules (:mod:`newssearch.langanalysis`); its ``title``/``body``
  then store the text and index nothing. Added as ``site_name`` was: an
  index written before gains them at its first write, empty.
* ``seq``: the ingest sequence, the number of the commit that added the
  article (the table of contents' generation it was written for, which no
  commit ever reuses): saved searches are matched against articles whose
  ``seq`` is past the one they last matched (:mod:`newssearch.live.saved`), so what is
  "new" is decided by the index's own commits. Indexed (a few shared terms
  per run) for Whoosh's matchers and a column for the ranker.

Whoosh pickles the schema, analyzer included, into the index: the classes
here are referenced by name from every index on disk, so moving or renaming
them means bumping ``SCHEMA_VERSION`` (old indexes then get a clear
"re-create it" message instead of an unpickling error).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import timezone
from typing import Any
from urllib.parse import urlsplit

from whoosh.analysis import Tokenizer
from whoosh.analysis.acore import Token
from whoosh.columns import FixedBytesColumn, NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ..analysis import TOKEN_RE, normalise, positions_by_term, term_for
from ..langanalysis import (
    BIGRAM_LANGUAGES,
    EXACT,
    GROUPS,
    REVISIONS,
    analyse,
    exact_term,
    group_fields,
    index_name_terms,
    language_group,
    positions_by_term_in,
    rules_key,
    takes_name_keys,
    text_field_names,
)
from ..model import Article
from ..namekeys import NAME
from ..paths import shown_path
from ..write.signature import HASHES

__all__ = [
    "ADDED_FIELDS",
    "ANALYSIS_VERSION",
    "KEYWORD_FIELDS",
    "SCHEMA_VERSION",
    "TEXT_FIELDS",
    "TITLE_BOOST",
    "LanguageText",
    "LanguageTokenizer",
    "NewsText",
    "NewsTokenizer",
    "build_schema",
    "from_stored",
    "keyword_term",
    "outdated_fields",
    "to_fields",
    "url_hosts",
    "url_words",
]

#: Bumped whenever the schema changes in a way old indexes cannot serve
#: (3: the schema's classes moved to newssearch.engine.schema; 4: host and
#: urlwords, for site: and inurl:; 5: story and minhash, for copies; 6:
#: ids of articles without a URL come from their file and record, and
#: ``origin`` names the file, for pruning; 7: ``seq``, the ingest sequence
#: alerts are matched by).
SCHEMA_VERSION = 7
#: The version of the analysis that makes an article's terms (which fields
#: its text goes to, and how each language's words become terms), recorded
#: in an index's ``newssearch.json`` as ``analysis`` when every article in
#: it was analysed by it: 1 is analysis per language (issue 22), 2 Bulgarian,
#: Ukrainian and Slovene stemmed (:data:`~newssearch.langanalysis.REVISIONS`,
#: which each language field records; :func:`outdated_fields`), 3 name keys
#: beside the capitalised words of languages other than English
#: (:mod:`newssearch.namekeys`). Unlike the
#: schema version, a change here leaves old indexes readable: they answer as
#: they did, and ``newssearch reanalyse`` writes their articles again from
#: their stored text (:mod:`newssearch.write.reanalyse`). Bump it when
#: :mod:`newssearch.langanalysis` changes the terms of any stored article
#: (a stemmer for a language that had none, a new group of fields).
ANALYSIS_VERSION = 3
#: Stored-only fields added to the schema since ``SCHEMA_VERSION`` was last
#: bumped: an index may lack them (it was written before), and a writer adds
#: them to it before its first document, so no index has to be re-created.
ADDED_FIELDS = ("site_name", "language_source", *text_field_names())
TITLE_BOOST = 2.0
#: Bytes of a MinHash signature (32-bit values) in the ``minhash`` column.
MINHASH_BYTES = HASHES * 4
#: The full-text fields a plain query word searches.
TEXT_FIELDS = ("title", "body")
#: The exact-value fields (filters and facets).
KEYWORD_FIELDS = ("source", "agencies", "section", "authors")


class _AnalysisTokenizer(Tokenizer):  # type: ignore[misc]  # Whoosh is untyped
    """An analysis function as a Whoosh tokenizer: the Token protocol
    (positions, chars, removestops, boosts) over :meth:`_tokens`, so the
    query parser and Whoosh's own tools use it like any analyzer. One
    body for every analysis: the English and the per-language tokenizers
    differ only in the tokens they make."""

    def _tokens(self, value: str, tokenize: bool, mode: str) -> Iterable[tuple[str, int, int, int]]:
        """``(term, position, start, end)`` of each token ("" for a stop word)."""
        raise NotImplementedError

    def _stopped(self, word: str) -> str:
        """The text a stop word's token carries when stop words are kept."""
        return word.lower()

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term, pos, start, end in self._tokens(value, tokenize, mode):
            if not term and removestops:
                continue
            t.text = term or self._stopped(value[start:end])
            t.stopped = not term
            t.boost = 1.0
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class NewsTokenizer(_AnalysisTokenizer):
    """The whole English analysis chain (:func:`newssearch.analysis.term_for`)
    as one Whoosh tokenizer; ``mode`` makes no difference."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def _tokens(self, value: str, tokenize: bool, mode: str) -> Iterable[tuple[str, int, int, int]]:
        if not tokenize:  # the whole value is one token
            return [(term_for(value), 0, 0, len(value))]
        return ((term_for(m.group(0)), pos, m.start(), m.end()) for pos, m in enumerate(TOKEN_RE.finditer(value)))

    def _stopped(self, word: str) -> str:
        return normalise(word)


class NewsText(TEXT):  # type: ignore[misc]  # Whoosh is untyped
    """A TEXT field that indexes through the fused analysis path.

    Whoosh's TEXT.index() runs the analyzer's token generator and builds
    each term's position list one Token at a time; this produces the same
    postings (same terms, positions, weights and encoding, checked by a test
    against the generic path) from :func:`positions_by_term` in one pass.
    Query parsing still uses the analyzer, which shares the same term function.
    """

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """``(term, frequency, weight, encoded positions)`` for each term of ``value``."""
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        fmt = self.format
        boost = fmt.field_boost
        encode = fmt.encode
        for term, poslist in positions_by_term(value).items():
            yield term.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


class LanguageTokenizer(_AnalysisTokenizer):
    """One language group's analysis (:func:`newssearch.langanalysis.analyse`) as a Whoosh tokenizer,
    for the query parser and Whoosh's own tools, as :class:`NewsTokenizer` is for English.
    Indexing (``mode="index"``) also makes the exact forms of stemmed words
    and the name keys of capitalised ones
    (:func:`~newssearch.langanalysis.positions_by_term_in`), at their words'
    positions; a query (any other mode) asks for stems, and the parser adds
    the exact form and the name key (:mod:`newssearch.engine.parsing`)."""

    #: The revision of the group's rules that wrote the field
    #: (:data:`~newssearch.langanalysis.REVISIONS`), pickled with the schema:
    #: a tokenizer pickled before revisions were recorded reads as 0.
    revision = 0

    def __init__(self, group: str) -> None:
        self.group = group
        self.revision = REVISIONS.get(group, 0)

    @property
    def rules(self) -> str:
        """The name of the rules this field is analysed by (:func:`~newssearch.langanalysis.rules_key`)."""
        return rules_key(self.group, self.revision)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and getattr(other, "rules", None) == self.rules

    def __hash__(self) -> int:
        return hash((self.__class__, self.rules))

    def _tokens(self, value: str, tokenize: bool, mode: str) -> Iterable[tuple[str, int, int, int]]:
        rules = self.rules
        tokens = analyse(rules, value)
        if mode != "index":
            return tokens
        out = []
        keys = takes_name_keys(self.group)
        for term, pos, start, end in tokens:
            out.append((term, pos, start, end))
            exact = exact_term(rules, value[start:end]) if term else ""
            if exact:
                out.append((exact, pos, start, end))
            for key in index_name_terms(self.group, value[start:end], term) if term and keys else ():
                out.append((key, pos, start, end))
        return out


class LanguageText(TEXT):  # type: ignore[misc]  # Whoosh is untyped
    """A TEXT field of one language group: the same postings Whoosh would
    write from :class:`LanguageTokenizer`, from :func:`positions_by_term_in`
    in one pass, but for the length, which counts words, not the exact
    forms beside their stems. In a script without spaces a query word is asked as the
    phrase of its bigrams."""

    def __init__(self, group: str, **kwargs: Any) -> None:
        multitoken = "phrase" if group in BIGRAM_LANGUAGES else "default"
        super().__init__(analyzer=LanguageTokenizer(group), multitoken_query=multitoken, **kwargs)
        self.group = group

    @property
    def rules(self) -> str:
        """The rules the field was written by, as its tokenizer records them:
        an index keeps answering by them until it is analysed again."""
        return str(self.analyzer.rules)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        """``(term, frequency, weight, encoded positions)`` for each term of ``value``."""
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        fmt = self.format
        boost = fmt.field_boost
        encode = fmt.encode
        for term, poslist in positions_by_term_in(self.rules, value).items():
            # an exact form or a name key (beside its word's term, at its
            # position) does not count in the field's length: the article
            # has as many words as before (Lucene's discountOverlaps)
            freq = 0 if term.startswith((EXACT, NAME)) else len(poslist)
            yield term.encode("utf-8"), freq, len(poslist) * boost, encode(poslist)


def language_fields() -> dict[str, LanguageText]:
    """Every language group's title and body fields (see the module docstring)."""
    out: dict[str, LanguageText] = {}
    for group in GROUPS:
        title, body = group_fields(group)
        out[title] = LanguageText(group, stored=False, field_boost=TITLE_BOOST)
        out[body] = LanguageText(group, stored=False)
    return out


def outdated_fields(schema: Schema) -> dict[str, Any]:
    """The text fields of an index's ``schema`` written by earlier rules
    than this version's (a language stemmed since: their tokenizer records
    the revision that wrote them), each with this version's definition. A
    commit that writes every article again (``reanalyse``, ``index
    --rebuild``) writes them with these (:class:`~.writing.SegmentWriter`'s
    ``fields``); any other writer keeps the index's own, so that one field
    never holds terms of two rules."""
    # a field read by today's rules is named by its group alone (langanalysis.rules_key)
    names = [name for name in text_field_names() if name in schema and _outdated(schema[name])]
    if not names:
        return {}
    current = build_schema()
    return {name: current[name] for name in names}


def _outdated(field: Any) -> bool:
    return isinstance(field, LanguageText) and field.rules != field.group


def build_schema() -> Schema:
    """The schema of a newssearch index (see the module docstring)."""
    analyzer = NewsTokenizer()
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
        # the absolute path of the file an article was read from: pruning
        # walks these terms to find articles whose files are gone
        origin=ID(),
        date_source=STORED(),
        tz_assumed=STORED(),
        fingerprint=ID(sortable=True),
        host=KEYWORD(lowercase=True, commas=True, scorable=False),
        urlwords=KEYWORD(lowercase=True, commas=True, scorable=False),
        # columns only: never searched by value, so no terms to write
        story=COLUMN(NumericColumn("Q")),
        seq=NUMERIC(int, bits=64, signed=False, sortable=True),
        minhash=COLUMN(FixedBytesColumn(MINHASH_BYTES)),
        site_name=STORED(),
        language_source=STORED(),
        **language_fields(),
    )


def article_origin(path: str | None) -> str | None:
    """The absolute path of the file an article came from, or None for
    input that is no file (stdin, ``<...>`` names, articles built in code).
    Shown (see :mod:`newssearch.paths`): a term must be UTF-8, and a name or
    a working folder that is not would stop the run."""
    if not path or path.startswith("<"):
        return None

    return shown_path(os.path.abspath(path))


def keyword_term(value: str) -> str:
    """The indexed form of one keyword value (what a filter on it must ask for)."""
    return value.strip().lower().replace(",", " ")


def url_hosts(url: str) -> list[str]:
    """The URL's host and its parent domains down to two labels:
    ``https://uk.Reuters.com/x`` -> ``["uk.reuters.com", "reuters.com"]``."""
    host = urlsplit(url.strip()).hostname or ""
    labels = [label for label in host.strip(".").split(".") if label]
    if len(labels) < 2:
        return [host] if host else []
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def url_words(url: str) -> list[str]:
    """The words (letters and digits) of a URL or a piece of one, lowercased."""
    return re.findall(r"[a-z0-9]+", url.lower())


def _keywords(values: tuple[str, ...] | list[str]) -> str:
    # commas separate keywords, so a comma inside one value must not split it
    return ",".join(v.replace(",", " ").strip() for v in values if v and v.strip())


def to_fields(article: Article) -> dict[str, Any]:
    """The keyword arguments for Whoosh's ``writer.add_document``."""
    fields: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "fingerprint": article.fingerprint(),
        "tz_assumed": article.tz_assumed,
        "undated": 0 if article.published is not None else 1,
    }
    origin = article_origin(article.path)
    if origin:
        fields["origin"] = origin
    if article.url:
        fields["url"] = article.url
        hosts = url_hosts(article.url)
        if hosts:
            fields["host"] = ",".join(hosts)
        words = url_words(article.url)
        if words:
            fields["urlwords"] = ",".join(dict.fromkeys(words))
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
        group = language_group(article.language)
        if group:
            # the language's own fields index the text; title and body
            # store it (for results, snippets, re-analysis) and index nothing
            title, body = group_fields(group)
            fields[title], fields[body] = article.title, article.body
            fields["_stored_title"], fields["_stored_body"] = article.title, article.body
            fields["title"], fields["body"] = "", ""
    if article.path:
        fields["path"] = article.path
    if article.date_source:
        fields["date_source"] = article.date_source
    if article.site:
        fields["site_name"] = article.site
    if article.language_source:
        fields["language_source"] = article.language_source
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
        site=stored.get("site_name"),
        language_source=stored.get("language_source"),
    )
