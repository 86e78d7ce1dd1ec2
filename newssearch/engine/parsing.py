"""Query text to a query tree: Whoosh's parser, set up for news, with fixes.

The language is Whoosh's (AND/OR/NOT, "phrases", field:term, wildcards,
ranges such as ``published:[2022-01-01 TO 2022-02-01]``). Plain words are
each required by default (``match="all"``), as news search engines read a
query: "Mervyn King" must not list Burger King, and a date sort, a timeline
or an alert counts what was asked. ``match="any"`` OR's them with a
coordination bonus (``OrGroup.factory(0.9)``), for long natural-language
questions (on the TIME collection requiring every word leaves 64 of 83
queries without an answer), where the bonus still ranks articles that match
more of the words higher.

Dates typed in queries (``published:yesterday``) are rewritten to explicit
UTC ranges before they reach this parser (:mod:`newssearch.timeexpr`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from whoosh.fields import Schema
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FieldsPlugin,
    GtLtPlugin,
    MultifieldPlugin,
    OrGroup,
    PlusMinusPlugin,
    RangePlugin,
    syntax,
)
from whoosh.qparser import QueryParser as WhooshQueryParser
from whoosh.qparser.dateparse import DateParserPlugin

from .. import langanalysis, namekeys
from ..analysis import TOKEN_RE
from ..errors import QuerySyntaxError
from ..langanalysis import (
    ENGLISH,
    EXACT,
    exact_term,
    field_group,
    group_fields,
    name_term,
    text_field_names,
)
from ..namekeys import NAME
from .errors import QUERY_ERRORS
from .query import (
    And,
    AndNot,
    Every,
    GapPhrase,
    Not,
    Or,
    Phrase,
    Prefix,
    Query,
    StemmedPrefix,
    Term,
    like,
    map_children,
    use_fixed_andnot,
)
from .reading import Snapshot
from .schema import TEXT_FIELDS, build_schema

__all__ = ["FIELD_ALIASES", "MATCH_MODES", "MAX_BRACKETS", "MAX_NESTING", "MAX_QUERY_CHARS", "OR_BONUS", "QueryParser", "check_text", "expand_stemmed_prefixes"]

#: Friendlier names users type for our fields.
FIELD_ALIASES: dict[str, list[str]] = {
    "published": ["date", "time", "when"],
    "source": ["outlet", "publisher"],
    "agencies": ["agency", "wire"],
    "authors": ["author", "by", "byline"],
    "section": ["category", "topic", "desk"],
    "title": ["headline", "intitle"],
    "body": ["text", "content"],
    "host": ["site"],
    "urlwords": ["inurl"],
    "language": ["lang"],
}
#: How plain words join: ``all`` required (the default of a search, as
#: Google News, Factiva and Media Cloud read a query) or ``any`` of them.
MATCH_MODES = ("all", "any")
#: How much matching more of the query's words is worth (Whoosh's coord factor).
OR_BONUS = 0.9
#: The deepest parentheses taken: Whoosh's parser recurses once per level
#: (500 levels raised RecursionError), and no one asks for more than a few.
MAX_NESTING = 32
#: The longest query text taken, in characters: four times what a
#: 100-word query (the word limit, :mod:`newssearch.search.compile`) of
#: ordinary words needs. Whoosh's parser tries each of its ~20 patterns at
#: every character, so its cost grows with the text; here a query of this
#: length is read in milliseconds, where a 100,000-character word took 33 s
#: (``python bench/fuzz_queries.py --worst``).
MAX_QUERY_CHARS = 4096
#: Field names only where a word starts. Whoosh's pattern (``\w+:``) is
#: tried at every character of a word that is not a field name and runs to
#: the word's end each time: quadratic in the word's length (pinned in
#: tests/test_whoosh_behaviour.py). A field name inside a word (``ab:``) was
#: never matched there anyway: the word's first character is tried first.
_FIELD_NAME = r"(?<!\w)(?P<text>\w+|[*]):"
#: Whoosh's range pattern with one guard: a closing bracket somewhere
#: ahead (a range needs one). Without it, at a ``[`` with none ahead the
#: pattern tried every "to" as the split and ran to the end of the text for
#: each: ``[ to `` repeated over 4,096 characters took 24 s; with it each
#: ``[`` costs one scan, and :data:`MAX_BRACKETS` bounds how many there are.
_RANGE = re.compile(
    r"""
    (?P<open>\{|\[)
    (?=[^\]}]*[\]}])
    (?P<start>('[^']*?'\s+)|([^\]}]+?(?=\b[Tt][Oo]\b)))?
    \b[Tt][Oo]\b
    (?P<end>(\s+'[^']*?')|([^\]}]+?))?
    (?P<close>}|])
    """,
    re.VERBOSE | re.UNICODE,
)
#: The most range brackets (``[`` and ``{``) a query may hold: each is tried
#: as the start of a range, at a cost linear in the rest of the text.
MAX_BRACKETS = 16
#: What Whoosh's parser raises on some text it cannot read, besides its own
#: errors (pinned in tests/test_whoosh_behaviour.py): "> oil" IndexError,
#: "a ANDNOT ANDMAYBE ANDNOT b" AssertionError, a date range from year 0
#: ValueError (a field that holds no terms, or a date it cannot read, a
#: bare Exception). The parser is a function of the text alone, so each
#: means the text cannot be read.
_PARSER_DEFECTS: tuple[type[Exception], ...] = (IndexError, AssertionError, ValueError, OverflowError)
_MATCH_ALL = {"", "*", "*:*"}
_FIELD_PREFIX = re.compile(r"(?<!\w)(\w+):")
_CACHE_SIZE = 512


class _PlusMinus(PlusMinusPlugin):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's +/- plugin, keeping the coordination bonus, in every group.

    Whoosh's version regroups every query's words into a plain OrGroup,
    dropping the parser's OrGroup.factory(scale): with it installed, no
    query got the bonus for matching more of its words. And it sorts the
    top-level group only: a ``+`` or ``-`` inside parentheses (``oil (opec
    -iran)``) reached the query tree as a marker and raised
    NotImplementedError; groups are sorted at every depth here, so they
    mean what they mean at the top.
    """

    def do_plusminus(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.do_plusminus(parser, node)
        if not any(isinstance(node, (self.Plus, self.Minus)) for node in group):
            return group
        if not isinstance(group, syntax.OrGroup):
            # every word is required already ("all"): + changes nothing
            kept = syntax.AndGroup([n for n in group if not isinstance(n, self.Plus)])
            return self._subtract(kept, group)
        required, optional, banned = syntax.AndGroup(), type(group)(), syntax.OrGroup()
        target = optional
        for node in group:
            if isinstance(node, self.Plus):
                target = required
            elif isinstance(node, self.Minus):
                target = banned
            else:
                target.append(node)
                target = optional
        result: Any = optional
        if required:
            result = syntax.AndMaybeGroup([required, result])
        if banned:
            result = syntax.AndNotGroup([result, banned])
        return result

    def _subtract(self, kept: Any, group: Any) -> Any:
        """``kept`` less the nodes marked with ``-`` in ``group``."""
        positive, banned = syntax.AndGroup(), syntax.OrGroup()
        minus = False
        for node in kept:
            if isinstance(node, self.Minus):
                minus = True
            elif minus:
                banned.append(node)
                minus = False
            else:
                positive.append(node)
        return syntax.AndNotGroup([positive, banned]) if banned else positive


class _NewsParser(WhooshQueryParser):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's parser, with a plain word in a stemmed language's field
    asked as its stem or its exact form (:func:`~newssearch.langanalysis.exact_term`),
    the exact form weighted :data:`~newssearch.langanalysis.EXACT_BOOST`:
    an article holding the word as it was typed ranks above one holding
    another form; and (``names``) for its name key
    (:func:`~newssearch.langanalysis.name_term`) in the fields of a language
    written in another script, weighted :data:`~newssearch.namekeys.NAME_BOOST`:
    "Brexit" finds "Брекзит" in Bulgarian articles. Phrases, prefixes and
    fuzzy words ask for stems alone."""

    names = True

    def term_query(
        self, fieldname: str, text: str, termclass: Any, boost: float = 1.0, tokenize: bool = True, removestops: bool = True
    ) -> Any:
        q = super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        group = field_group(fieldname)
        if termclass is not Term or not tokenize or not group or not isinstance(q, Term):
            return q
        extra = []
        # the rules the index's field was written by (its recorded revision)
        exact = exact_term(getattr(self.schema[fieldname], "rules", group), text)
        if exact:
            extra.append(Term(fieldname, exact, boost=boost * langanalysis.EXACT_BOOST))
        key = name_term(group, text) if self.names else ""
        if key:
            extra.append(Term(fieldname, key, boost=boost * namekeys.NAME_BOOST))
        return Or([q, *extra]) if extra else q


def _splice_exact(q: Query) -> Query:
    """Each word's stem-or-exact-or-key Ors (one per field, :class:`_NewsParser`)
    spliced into the Or of the word's fields: the stem asked in the title
    and the body is then one query word to the ranker, as every word is
    (its fields add up in BM25F), and so are the exact form and the name key."""
    q = map_children(q, _splice_exact)
    if not isinstance(q, Or):
        return q
    children: list[Query] = []
    spliced = False
    for sub in q.subqueries:
        if isinstance(sub, Or) and len(sub.subqueries) >= 2 and sub.boost == 1.0 and all(map(_is_exact, sub.subqueries[1:])):
            children.extend(sub.subqueries)
            spliced = True
        else:
            children.append(sub)
    return like(q, children) if spliced else q


def _is_exact(q: Query) -> bool:
    text = getattr(q, "text", None)
    return isinstance(q, Term) and isinstance(text, str) and text.startswith((EXACT, NAME))


class QueryParser:
    """Parses query text for one schema; build once, reuse for every query.

    Parsed queries are cached (Whoosh's parser costs about a millisecond,
    and people page through and re-run the same queries).
    """

    def __init__(self, schema: Schema, fields: Sequence[str] = TEXT_FIELDS) -> None:
        self._errors: list[str] = []
        self._cache: dict[tuple[str, str, tuple[str, ...], bool], Query] = {}
        # built on first use of each mode: one costs ~5 ms (its date
        # grammar compiles ~75 regular expressions), and a search uses one
        self._groups = {"all": AndGroup, "any": OrGroup.factory(OR_BONUS)}
        self._schema = schema
        self._fields = fields
        self._parsers: dict[tuple[str, str, bool], WhooshQueryParser] = {}
        self._searchable = {name for name, field in schema.items() if field.format is not None}
        self._unsearchable = {name for name, _field in schema.items()} - self._searchable

    def _whoosh_parser(
        self,
        schema: Schema,
        fields: Sequence[str],
        group: Any,
        aliases: dict[str, list[str]] = FIELD_ALIASES,
        names: bool = True,
    ) -> WhooshQueryParser:
        """Whoosh's parser with our plugins; ``group`` joins plain words, ``aliases`` names the fields;
        ``names``: words ask for their name keys."""
        parser = _NewsParser(None, schema, group=group)  # Whoosh's MultifieldParser, as this class
        parser.names = names
        parser.add_plugin(MultifieldPlugin(list(fields)))
        # in place, so the taggers keep their order
        parser.plugins = [_linear(p) for p in parser.plugins]
        parser.add_plugin(FieldAliasPlugin(aliases))
        parser.add_plugin(GtLtPlugin())
        # +required -excluded, as in web search; only at the start of a word,
        # so "2022-01" in a date stays one value
        parser.add_plugin(_PlusMinus(plusexpr=r"(?<![^\s(])\+(?=[\w\"(])", minusexpr=r"(?<![^\s(])-(?=[\w\"(])"))
        # dates in queries arrive as explicit UTC ranges (timeexpr.rewrite_query);
        # the plugin only reports values it cannot read
        parser.add_plugin(DateParserPlugin(callback=self._errors.append))
        return parser

    def _whoosh_parser_for(self, match: str, group: str = ENGLISH, names: bool = True) -> WhooshQueryParser:
        """The parser for a mode, its plain words asked in the English fields
        or in those of one language ``group`` (:mod:`newssearch.langanalysis`),
        with their name keys or (``names=False``) without."""
        key = (match, group, names and group != ENGLISH)
        parser = self._parsers.get(key)
        if parser is None:
            fields = list(self._fields) if group == ENGLISH else list(group_fields(group))
            aliases = FIELD_ALIASES if group == ENGLISH else _group_aliases(group)
            parser = self._parsers[key] = self._whoosh_parser(self._schema, fields, self._groups[match], aliases, key[2])
        return parser

    @property
    def _parser(self) -> WhooshQueryParser:
        """The parser of the ``"any"`` mode (the tests compare it with Whoosh's own)."""
        return self._whoosh_parser_for("any")

    @classmethod
    def for_news(cls, written: Schema | None = None) -> QueryParser:
        """A parser for the newssearch schema; given the schema an index was
        ``written`` with, its language fields written by earlier rules than
        this version's (:data:`~newssearch.langanalysis.REVISIONS`) are read
        by those rules, so the index answers as before until it is analysed again."""
        schema = build_schema()
        if written is not None:
            for name in text_field_names():
                if name in written and getattr(written[name], "rules", None) != schema[name].rules:
                    schema.remove(name)
                    schema.add(name, written[name])
        return cls(schema)

    def parse(self, text: str, match: str = "any", groups: tuple[str, ...] = (), names: bool = True) -> Query:
        """Parse ``text``; raise :class:`QuerySyntaxError` when Whoosh cannot
        make sense of part of it (rather than silently dropping that part).
        ``match``: how plain words join, ``"all"`` (each required) or
        ``"any"`` (OR'ed, with the bonus for matching more of them).
        ``groups``: the languages besides English the query is analysed for:
        the query is read once in each, and an article matches the reading
        of its own language (every word required as that language reads it:
        its forms, less its stop words, or, with ``names``, its name key
        where the language's script is not the word's: see
        :mod:`newssearch.namekeys`)."""
        if match not in self._groups:
            raise ValueError(f"match must be one of {', '.join(MATCH_MODES)}, not {match!r}")
        key = (text, match, groups, names)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        q = self._parse(text, match, groups, names)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = q
        return q

    def _parse(self, text: str, match: str = "any", groups: tuple[str, ...] = (), names: bool = True) -> Query:
        stripped = text.strip()
        if stripped in _MATCH_ALL:
            return Every()
        check_text(text)
        self._check_fields(text)
        q = self._parse_for(text, stripped, match, ENGLISH)
        if not groups:
            return q
        # one query per language, OR'ed: an article is matched by its own
        # language's query alone (its other languages' fields are empty), so
        # every word is required as that language reads it, and a word that
        # is a stop word in German is not required of a German article
        alternatives = [q]
        seen = {repr(q)}
        for group in groups:
            sub = self._parse_for(text, stripped, match, group, names)
            if repr(sub) not in seen:  # a query of clauses on fields other than the text (id:, url:) reads the same in every language
                seen.add(repr(sub))
                alternatives.append(sub)
        return alternatives[0] if len(alternatives) == 1 else Or(alternatives)

    def _parse_for(self, text: str, stripped: str, match: str, group: str, names: bool = True) -> Query:
        """The query as one language group reads it: its plain words asked
        in that group's text fields (:func:`~newssearch.langanalysis.group_fields`)."""
        del self._errors[:]
        try:
            q = self._whoosh_parser_for(match, group, names).parse(stripped)
        except QUERY_ERRORS as exc:
            raise QuerySyntaxError(text, " ".join(str(exc).split()) or type(exc).__name__) from exc
        except _PARSER_DEFECTS as exc:
            raise QuerySyntaxError(text, "cannot read it: check its operators, quotes and brackets") from exc
        except Exception as exc:
            # Whoosh raises a bare Exception for text it cannot read ("field
            # has no format", "'x' is not a parseable date"); any other type
            # is a bug and goes on to the internal-error path
            if type(exc) is not Exception:
                raise
            raise QuerySyntaxError(text, f"cannot read it: {' '.join(str(exc).split())[:100]}") from exc
        if self._errors:
            raise QuerySyntaxError(text, f"cannot read {self._errors[0]!r} as a date")
        bad = _first_error(q)
        if bad is not None:
            raise QuerySyntaxError(text, bad)
        q = use_fixed_andnot(_fix_negations(_gap_phrases(q, stripped)))
        return _splice_exact(q) if group != ENGLISH else q

    def _check_fields(self, text: str) -> None:
        """Refuse ``field:`` for a field that holds no terms (``path``,
        ``story``: stored or sortable only), which Whoosh's parser meets
        with a bare Exception."""
        for m in _FIELD_PREFIX.finditer(text):
            name = m.group(1).lower()
            if name in self._unsearchable:
                raise QuerySyntaxError(
                    text, f"field {name!r} cannot be searched (try {', '.join(sorted(FIELD_ALIASES))})", m.start(1)
                )


def _group_aliases(group: str) -> dict[str, list[str]]:
    """:data:`FIELD_ALIASES` for a language group's reading of a query:
    ``title:`` (``intitle:``, ``headline:``) and ``body:`` (``text:``,
    ``content:``) name that language's own text fields, so a field clause
    is analysed by the language's rules and matches its articles, as a
    plain word does (in English's fields it would find none of them)."""
    title, body = group_fields(group)
    aliases = {name: list(names) for name, names in FIELD_ALIASES.items() if name not in ("title", "body")}
    aliases[title] = ["title", *FIELD_ALIASES["title"]]
    aliases[body] = ["body", *FIELD_ALIASES["body"]]
    return aliases


def _linear(plugin: Any) -> Any:
    """Whoosh's plugin, or the same with a pattern that costs time linear in
    the query's length (see :data:`_FIELD_NAME` and :data:`_RANGE`)."""
    if isinstance(plugin, FieldsPlugin):
        return FieldsPlugin(_FIELD_NAME)
    if isinstance(plugin, RangePlugin):
        return RangePlugin(_RANGE)
    return plugin


def check_text(text: str) -> None:
    """Refuse query text that cannot be read safely: more than
    :data:`MAX_QUERY_CHARS` characters, characters that cannot be encoded
    (a lone surrogate, as a mis-decoded byte leaves), more than
    :data:`MAX_BRACKETS` range brackets and parentheses nested deeper than
    :data:`MAX_NESTING`; the error names the place."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(text, f"the query has {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}", MAX_QUERY_CHARS)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QuerySyntaxError(text, "holds a character that cannot be encoded (a lone surrogate)", exc.start) from exc
    brackets = 0
    depth = 0
    for i, char in enumerate(text):
        if char in "[{":
            brackets += 1
            if brackets > MAX_BRACKETS:
                raise QuerySyntaxError(text, f"more than {MAX_BRACKETS} brackets [ or {{ (ranges are written [a TO b])", i)
        if char == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise QuerySyntaxError(text, f"parentheses nested more than {MAX_NESTING} deep", i)
        elif char == ")":
            depth = max(0, depth - 1)


def _fix_negations(q: Query) -> Query:
    """Make ``a b NOT c`` mean "a or b, and not c".

    With OR as the default group, Whoosh parses it as ``a OR b OR (NOT c)``,
    which matches every article without "c": the opposite of what anyone
    typing NOT wants. Negated clauses are lifted out of each OR group and
    subtracted from it instead.
    """
    if isinstance(q, Or):
        negated = [_fix_negations(c.query) for c in q.subqueries if isinstance(c, Not)]
        positive = [_fix_negations(c) for c in q.subqueries if not isinstance(c, Not)]
        if not negated:
            return like(q, positive)
        keep: Query = Every()
        if positive:
            keep = positive[0] if len(positive) == 1 else like(q, positive)
        drop = negated[0] if len(negated) == 1 else Or(negated)
        return AndNot(keep, drop)
    if isinstance(q, And) and any(isinstance(c, Not) for c in q.subqueries):
        # "a b NOT c" with every word required: a and b, less c (the ranker
        # evaluates AND NOT; it leaves a bare NOT to Whoosh's matchers)
        negated = [_fix_negations(c.query) for c in q.subqueries if isinstance(c, Not)]
        positive = [_fix_negations(c) for c in q.subqueries if not isinstance(c, Not)]
        keep = Every() if not positive else positive[0] if len(positive) == 1 else like(q, positive)
        return AndNot(keep, negated[0] if len(negated) == 1 else Or(negated))
    if isinstance(q, Not):
        return AndNot(Every(), _fix_negations(q.query))
    return map_children(q, _fix_negations)


def _gap_phrases(q: Query, text: str) -> Query:
    """Every phrase as a :class:`GapPhrase` that knows where its words stand.

    The parser drops the stop words of ``"Bank of England"`` and keeps where
    the other words were typed (``char_ranges``): the words between two of
    them in the query text are the stop words whose positions the index kept.
    """
    if isinstance(q, Phrase) and not isinstance(q, GapPhrase):
        ranges = q.char_ranges
        offsets = list(range(len(q.words)))
        if ranges and len(ranges) == len(q.words):
            offsets = [0]
            for (_s, end), (start, _e) in zip(ranges, ranges[1:]):
                offsets.append(offsets[-1] + 1 + len(TOKEN_RE.findall(text[end:start])))
        return GapPhrase(q.fieldname, q.words, offsets, slop=q.slop, boost=q.boost, char_ranges=ranges)
    return map_children(q, lambda sub: _gap_phrases(sub, text))


def expand_stemmed_prefixes(q: Query, snapshot: Snapshot) -> Query:
    """Make ``negotiat*`` find "negotiators" in a stemmed index.

    The index holds stems ("negoti"), so a typed prefix longer than the stem
    finds nothing by itself. Each text-field prefix also matches the index
    terms that are a slightly shorter prefix of what was typed (up to three
    letters less, never under three): the stems of the words the user meant.
    """
    if isinstance(q, Prefix) and not isinstance(q, StemmedPrefix) and field_group(q.fieldname) is not None:
        typed = q.text
        stems = [typed[:k] for k in range(max(3, len(typed) - 3), len(typed)) if snapshot.contains(q.fieldname, typed[:k])]
        return StemmedPrefix(q.fieldname, typed, stems, boost=q.boost) if stems else q
    return map_children(q, lambda sub: expand_stemmed_prefixes(sub, snapshot))


def _first_error(q: Query) -> str | None:
    for sub in q.leaves() if not q.is_leaf() else [q]:
        if isinstance(sub, Term) and getattr(sub, "error", None):
            return str(sub.error)
        name = type(sub).__name__
        if name == "ErrorQuery" or hasattr(sub, "error") and getattr(sub, "error", None):
            return str(getattr(sub, "error", "malformed query"))
    return None
