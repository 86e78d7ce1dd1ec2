"""Text that can always be encoded: lone surrogates out, wherever text comes from.

A Python string may hold a lone surrogate (U+D800 to U+DFFF): a JSON
``"\\ud800"``, an HTML or XML ``&#xD800;``, a file name decoded with
``surrogateescape``. Such a string cannot be written as UTF-8, so it fails
far from where it came in: printing a hit, writing JSON, storing a field,
or (inside feedparser, which encodes every character reference it meets)
reading the whole feed that holds it. One hostile entry then stopped the
follower's round for every feed.

:func:`encodable` is applied where text enters the model (every
:class:`~newssearch.model.Article` field of text), so every reader, the
follower and a library caller building articles by hand all benefit; it
joins a valid surrogate pair into the character it spells and replaces a
lone surrogate with U+FFFD, the replacement character. :func:`encodable_charrefs`
does the same one step earlier for markup bytes, where a character reference
to a surrogate, or past U+10FFFF, would break the parser before any text
exists.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "encodable", "encodable_charrefs"]

#: What a character that cannot be encoded becomes.
REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_MAX_DIGITS = 8  # more digits than this name no character (U+10FFFF is 1114111): no int() of a huge number


def encodable(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD.

    Costs one scan of ASCII or one failed-or-not search otherwise: text
    without surrogates (nearly all) is returned as it is."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    # UTF-16 spells a pair as the two surrogates, so a round trip through it joins
    # the pairs; what remains unpaired is invalid UTF-16, and "replace" makes it U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _charref(match: re.Match[bytes]) -> bytes:
    hexa, decimal = match.group(1), match.group(2)
    digits = hexa if hexa is not None else decimal
    if len(digits.lstrip(b"0")) > _MAX_DIGITS:
        return b"&#xFFFD;"
    code = int(digits, 16 if hexa is not None else 10)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def encodable_charrefs(markup: bytes) -> bytes:
    """``markup`` (XML or HTML bytes in an ASCII-compatible encoding) with every
    numeric character reference that names no encodable character (a
    surrogate, or a number past U+10FFFF) replaced by ``&#xFFFD;``."""
    if b"&#" not in markup:
        return markup
    return _CHARREF.sub(_charref, markup)
