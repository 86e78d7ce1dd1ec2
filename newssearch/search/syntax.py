"""Query text read as typed, never silently as something else.

Whoosh's parser reads any text: an unclosed quote becomes loose words (an
OR of them, 424 stories for ``"Northern Rock`` on Reuters 2006-07 where
the phrase has 83), ``(opec AND`` becomes ``opec``, ``title:`` the word
"title". This module reads the text first, as a user meant it, and either
says how it was read or refuses it, pointing at the place:

* an unclosed quote is read as a phrase to the end of the query, with a
  warning (what a hurried ``"Northern Rock`` means; Google reads it so);
* an unclosed bracket, a ``)`` that closes none, and a field name with no
  value after it (``title:``, ``title: oil``) are errors: which articles
  count depends on where the group ends or what the field was to hold, so
  nothing is guessed (Elasticsearch's ``query_string`` refuses them too);
* an operator with nothing to join or exclude (``opec AND``, ``AND opec``,
  ``opec NOT``) is ignored with a warning: the rest of the query says all
  that was asked; a query of operators only is an error.

Positions are 0-based offsets into the text as typed
(:attr:`~newssearch.errors.QuerySyntaxError.position`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QuerySyntaxError
from .clauses import KNOWN_FIELDS

__all__ = ["ReadText", "read_text"]

_BINARY = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE"})
_TERM, _OPEN, _CLOSE, _BINOP, _NOT = "term", "(", ")", "binop", "not"
#: The most warnings one query text gets (the rest are counted in the last).
_MAX_WARNINGS = 5


@dataclass(frozen=True)
class ReadText:
    """Query text as it will be parsed, and a line per change made to it."""

    text: str
    warnings: tuple[str, ...] = ()


@dataclass
class _Token:
    kind: str
    start: int
    end: int
    text: str


def read_text(text: str) -> ReadText:
    """``text`` made to say what it was read as (an unclosed quote closed at
    the end, operators that join nothing taken out), with a warning for each
    change. Raises :class:`QuerySyntaxError`, with the position, for an
    unclosed bracket, a ``)`` that closes none, a field with no value and a
    query of operators only."""
    warnings: list[str] = []
    tokens, unclosed_quote = _tokens(text)
    suffix = ""
    if unclosed_quote is not None:
        rest = text[unclosed_quote + 1 :]
        if rest.strip():
            phrase = rest.strip() if len(rest.strip()) <= 60 else rest.strip()[:57] + "..."
            warnings.append(f'the quote at character {unclosed_quote} is not closed: read as a phrase to the end, "{phrase}"')
            suffix = '"'
        else:
            warnings.append(f"the quote at character {unclosed_quote} has nothing after it: ignored")
    _check_fields(text, tokens)
    _check_brackets(text, tokens)
    removed: list[_Token] = []
    start = 0
    while True:
        dropped = _dangling(tokens, start)
        if dropped is None:
            break
        at, count, why = dropped
        removed += tokens[at : at + count]
        del tokens[at : at + count]
        warnings.append(why)
        start = max(0, at - 1)  # only the neighbours of what went can have lost an operand: linear, not quadratic
    if len(warnings) > _MAX_WARNINGS:  # a pasted text must not fill the screen
        warnings[_MAX_WARNINGS - 1 :] = [f"{len(warnings) - _MAX_WARNINGS + 1} more operators or brackets that join nothing: ignored"]
    if not removed and unclosed_quote is None:
        return ReadText(text)
    out = list(text)
    for t in removed:
        out[t.start : t.end] = [" "] * (t.end - t.start)
    if unclosed_quote is not None and not suffix:
        out[unclosed_quote] = " "
    fixed = "".join(out).strip()
    if not fixed:
        where = removed[0].start if removed else unclosed_quote or 0
        raise QuerySyntaxError(text, "there is nothing to search for, only operators, brackets or quotes", where)
    return ReadText(fixed + suffix, tuple(warnings))


def _tokens(text: str) -> tuple[list[_Token], int | None]:
    """Terms (words, phrases, ``field:value``), brackets and operators, with
    where they stand; and where an unclosed quote opens, if one does. A
    phrase is one term, so nothing in it is an operator."""
    tokens: list[_Token] = []
    unclosed: int | None = None
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(_Token(_OPEN if char == "(" else _CLOSE, i, i + 1, char))
            i += 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in "()":
            if text[i] == '"':
                close = text.find('"', i + 1)
                if close < 0:
                    unclosed = i
                    i = n
                    break
                i = close + 1
            else:
                i += 1
        word = text[start:i]
        kind = _BINOP if word in _BINARY else _NOT if word == "NOT" else _TERM
        tokens.append(_Token(kind, start, i, word))
    return tokens, unclosed


def _check_fields(text: str, tokens: list[_Token]) -> None:
    """Refuse ``title:`` with nothing after it (a space, a bracket that
    closes, the end): the field would be searched as a word."""
    for i, t in enumerate(tokens):
        if t.kind != _TERM or not t.text.endswith(":") or t.text[:-1].lower() not in KNOWN_FIELDS:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and following.kind == _OPEN and following.start == t.end:
            continue  # title:(opec OR iran)
        name = t.text[:-1]
        raise QuerySyntaxError(text, f"{name}: has no value after it (write {name}:word or {name}:\"a phrase\", with no space)", t.start)


def _check_brackets(text: str, tokens: list[_Token]) -> None:
    """Refuse a ``)`` that closes no bracket and a ``(`` never closed."""
    opened: list[_Token] = []
    for t in tokens:
        if t.kind == _OPEN:
            opened.append(t)
        elif t.kind == _CLOSE:
            if not opened:
                raise QuerySyntaxError(text, "this ')' closes no bracket", t.start)
            opened.pop()
    if opened:
        raise QuerySyntaxError(text, "this '(' is never closed: add ')' where the group ends", opened[-1].start)


def _dangling(tokens: list[_Token], start: int) -> tuple[int, int, str] | None:
    """The first operator from ``start`` on with nothing to join or exclude,
    or pair of brackets with nothing in it: where it starts, how many tokens
    it is, and why it goes. None when every operator has its operands."""
    for i in range(start, len(tokens)):
        t = tokens[i]
        before = tokens[i - 1].kind if i > 0 else None
        after = tokens[i + 1].kind if i + 1 < len(tokens) else None
        if t.kind == _BINOP:
            if before not in (_TERM, _CLOSE):
                return i, 1, f"{t.text} at character {t.start} has nothing before it to join: ignored"
            if after not in (_TERM, _OPEN, _NOT):
                return i, 1, f"{t.text} at character {t.start} has nothing after it to join: ignored"
        elif t.kind == _NOT and after not in (_TERM, _OPEN, _NOT):
            return i, 1, f"NOT at character {t.start} has nothing after it to exclude: ignored"
        elif t.kind == _OPEN and after == _CLOSE:
            return i, 2, f"the brackets at character {t.start} hold nothing: ignored"
    return None
