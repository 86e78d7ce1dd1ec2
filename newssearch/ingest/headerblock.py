"""Header-block text: a few ``-- field`` lines, then the body.

The Reuters 2006-07 set is written this way::

    -- ICI rejects $14.2 bln Akzo Nobel bid approach
    -- By  Foo Yun Chee  and Miyoung Kim
    -- Mon Jun 18, 2007 12:38pm EDT
    -- http://www.reuters.com/article/2007/06/18/us-ici-akzo-id...

Fields are recognised by what they contain (a URL, a date, a byline), not by
their position, so a file with the byline line left out still reads right.
The body is hard-wrapped wire copy; paragraphs are rejoined.
"""

from __future__ import annotations

import re
from typing import Iterator

from .. import dates
from ..errors import ParseError
from . import credits
from .base import ReadOptions, ReadResult, Source, build_article, take_date

__all__ = ["HEADER_LINE", "read_headerblock"]

HEADER_LINE = re.compile(r"^--(?:\s(.*))?$")


def _wire_paragraphs(lines: list[str]) -> list[str]:
    """Rejoin hard-wrapped wire copy. Paragraphs are separated by blank (or
    single-space) lines and, inside a wrapped group, by two spaces after the
    end of a sentence."""
    paragraphs: list[str] = []
    for group in re.split(r"\n[ \t]*\n", "\n".join(lines)):
        joined = " ".join(part.strip() for part in group.split("\n"))
        for para in re.split(r"(?<=[.!?\"'\u201d)])\s{2,}(?=\S)", joined):
            para = " ".join(para.split())
            if para:
                paragraphs.append(para)
    return paragraphs


def read_headerblock(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """One article from ``-- field`` header lines and the wrapped copy after them."""
    lines = source.prose().replace("\r\n", "\n").split("\n")
    header: list[tuple[int, str]] = []
    i = 0
    while i < len(lines) and HEADER_LINE.match(lines[i]):
        header.append((i + 1, (HEADER_LINE.match(lines[i]).group(1) or "").strip()))  # type: ignore[union-attr]
        i += 1
    if not header:
        raise ParseError(source.name, "no '-- ' header lines at the top", line=1)
    title = url = None
    date = None
    authors: list[str] = []
    for lineno, value in header:
        if not value:
            continue
        if url is None and re.match(r"^https?://\S+$", value):
            url = value
        elif value.lower().startswith("by ") or value.lower().startswith("by:"):
            authors += credits.authors_from_byline(value) or []
        elif date is None and title is not None and dates.date_span(value) is not None:
            date, notice = take_date(value, options, source, line=lineno, what="date line")
            if date is None and notice is None:
                date, notice = take_date(value, options, source, line=lineno, what="date line", find=True)
            if notice is not None:
                yield notice  # the date is dropped, not silently
        elif title is None:
            title = value
    if not title:
        raise ParseError(source.name, "header has no title line", line=header[0][0])
    body = "\n\n".join(_wire_paragraphs(lines[i:]))
    yield build_article(
        source,
        options,
        title=title,
        body=body,
        url=url,
        date=date,
        date_source="header",
        authors=authors,
    )
