"""Query words: a query tree's leaves grouped the way the ranking model counts them.

The model (:mod:`.bm25`) scores query words, not Whoosh's leaves: the same
word asked in the headline and the body is one query word whose two fields
add up; so is a phrase asked in both fields, and a prefix, wildcard or
term range (a query that stands for several index terms). These
groups are what :class:`~.ranker.Ranker` evaluates and explains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..engine.query import And, AndMaybe, AndNot, GapPhrase, MultiTerm, Or, Query, Term
from ..langanalysis import field_group

__all__ = ["QueryExpansion", "QueryNode", "QueryPhrase", "QueryWord", "group_words", "is_text_field", "scoring_words", "term_text"]


@dataclass(frozen=True)
class QueryWord:
    """One query word in the text fields it was asked in."""

    text: str
    fields: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class QueryPhrase:
    """One phrase in the text fields it was asked in (``GapPhrase`` per field)."""

    phrases: tuple[GapPhrase, ...]
    boost: float = 1.0

    @property
    def words(self) -> list[str]:
        """The phrase's words, in order."""
        return list(self.phrases[0].words)

    @property
    def fields(self) -> tuple[str, ...]:
        """The text fields it was asked in."""
        return tuple(p.fieldname for p in self.phrases)


@dataclass(frozen=True)
class QueryExpansion:
    """One prefix, wildcard or term range in the text fields it was asked in."""

    queries: tuple[Query, ...]
    boost: float = 1.0

    @property
    def fields(self) -> tuple[str, ...]:
        """The text fields it was asked in."""
        return tuple(q.fieldname for q in self.queries)


#: A Whoosh query node, or one of the groups above (Whoosh's nodes are untyped).
QueryNode = Any


def term_text(t: Any) -> str:
    """A term's text as ``str`` (Whoosh hands out bytes or str)."""
    return t.decode("utf-8") if isinstance(t, bytes) else str(t)


def group_words(children: Iterable[Query]) -> list[QueryNode]:
    """Sibling clauses with the grouping the model needs: the same word (or
    phrase, or prefix) asked in several text fields of one language is one
    query word (in another language's fields it is another: its idf is its
    language's)."""
    out: list[Any] = []
    words: dict[tuple[str | None, str], list[Term]] = {}
    phrases: dict[tuple[Any, ...], list[GapPhrase]] = {}
    expansions: dict[tuple[Any, ...], list[Query]] = {}
    for q in children:
        group = field_group(q.fieldname) if isinstance(q, (Term, GapPhrase, MultiTerm)) else None
        if isinstance(q, Term) and group is not None:
            key = (group, q.text.decode("utf-8") if isinstance(q.text, bytes) else q.text)
            if key not in words:
                out.append(("word", key))
            words.setdefault(key, []).append(q)
        elif isinstance(q, GapPhrase) and group is not None:
            pkey = (group, tuple(q.words), tuple(q.offsets), q.slop)
            if pkey not in phrases:
                out.append(("phrase", pkey))
            phrases.setdefault(pkey, []).append(q)
        elif isinstance(q, MultiTerm) and group is not None:
            ekey = (group, *_expansion_key(q))
            if ekey not in expansions:
                out.append(("expansion", ekey))
            expansions.setdefault(ekey, []).append(q)
        else:
            out.append(q)
    grouped: list[QueryNode] = []
    for node in out:
        if isinstance(node, tuple) and node[0] == "word":
            terms = words[node[1]]
            grouped.append(QueryWord(node[1][1], tuple(t.fieldname for t in terms), max(t.boost for t in terms)))
        elif isinstance(node, tuple) and node[0] == "phrase":
            ps = phrases[node[1]]
            grouped.append(QueryPhrase(tuple(ps), max(p.boost for p in ps)))
        elif isinstance(node, tuple) and node[0] == "expansion":
            es = expansions[node[1]]
            grouped.append(QueryExpansion(tuple(es), max(e.boost for e in es)))
        else:
            grouped.append(node)
    return grouped


def scoring_words(q: QueryNode) -> list[QueryNode]:
    """The word groups of a query that add to a document's score (not the
    excluded side of NOT)."""
    if isinstance(q, (QueryWord, QueryPhrase, QueryExpansion)):
        return [q]
    if isinstance(q, AndNot):
        return scoring_words(q.a)
    if isinstance(q, (Or, And)):
        out: list[QueryNode] = []
        for sub in group_words(q.subqueries):
            out.extend(scoring_words(sub))
        return out
    if isinstance(q, AndMaybe):
        return scoring_words(q.a) + scoring_words(q.b)
    if isinstance(q, Term) and is_text_field(q.fieldname):
        return [QueryWord(term_text(q.text), (q.fieldname,), q.boost)]
    if isinstance(q, GapPhrase) and is_text_field(q.fieldname):
        return [QueryPhrase((q,), q.boost)]
    if isinstance(q, MultiTerm) and is_text_field(q.fieldname):
        return [QueryExpansion((q,), q.boost)]
    return []


def is_text_field(fieldname: str) -> bool:
    """Whether a field is full text (English or another language's), scored by the model."""
    return field_group(fieldname) is not None


def _expansion_key(q: Query) -> tuple[Any, ...]:
    """What makes two fields' expanding leaves one query word: the same
    kind, text (or range) and stems."""
    attrs = ("text", "start", "end", "startexcl", "endexcl", "stems")
    return (type(q).__name__,) + tuple(tuple(v) if isinstance(v, list) else v for v in (getattr(q, a, None) for a in attrs))
