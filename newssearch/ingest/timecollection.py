"""The TIME test collection (``TIME.ALL``): 423 TIME magazine world-affairs
articles from 1963, a classic retrieval test set.

Records start with ``*TEXT 017 01/04/63 PAGE 020`` (number, issue date,
page); the text follows as upper-case lines separated by blank lines, and
the file ends with ``*STOP``. The headline is not marked off from the text
(``THE ALLIES AFTER NASSAU IN DECEMBER 1960, THE U.S . FIRST``), so the
title is the first line up to its first comma or full stop, which is the
headline plus at most a few words; the body is the whole text, lines
rejoined. The issue date (a two-digit year: 63 is 1963, never 2063) is the
date, ``date_source="header"``, with the zone assumed (there is no time).
The outlet is TIME; the page number is not kept (the model has no field
for it).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterator

from ..errors import ParseError
from .base import Notice, ReadOptions, ReadResult, Source, article_or_error, take_date

__all__ = ["looks_like_time_collection", "read_time_collection"]

# one header is "*TEXT 431 08/30 63 PAGE 026": a space where a slash should be
_HEAD = re.compile(r"^\*TEXT\s+(\d+)\s+(\d{1,2})/(\d{1,2})[/ ](\d{2,4})(?:\s+PAGE\s+(\d+))?[^\S\n]*$", re.M)


def looks_like_time_collection(head: str) -> bool:
    """Whether text starts like the TIME collection (``*TEXT 017 01/04/63 PAGE 020``)."""
    return bool(re.match(r"\s*\*TEXT\s+\d+\s+\d{1,2}/\d{1,2}/\d{2,4}", head))


def _title(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    m = re.match(r"^(.*?)(?:\s*[,.;:?!](?:\s|$))", first)
    head = (m.group(1) if m else first).split()
    return " ".join(head[:12])


def read_time_collection(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Read ``TIME.ALL``; one article per ``*TEXT`` record."""
    text = source.text().replace("\r\n", "\n")
    heads = list(_HEAD.finditer(text))
    if not heads:
        raise ParseError(source.name, "no '*TEXT nnn mm/dd/yy' records: not a TIME collection file")
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        raw = re.sub(r"^\*STOP\s*$", "", text[m.end() : end], flags=re.M)
        line = text.count("\n", 0, m.start()) + 1
        number, month, day, year, page = m.groups()
        body = " ".join(raw.split())
        if not body:
            yield ParseError(source.name, f"TEXT {number}: record has no text", line=line)
            continue
        year_n = int(year) + (1900 if len(year) == 2 else 0)
        date = None
        try:
            when = datetime(year_n, int(month), int(day))
        except ValueError:
            yield Notice(source.name, f"TEXT {number}: no such date {month}/{day}/{year}; kept without a date", line=line)
        else:
            date, notice = take_date(when, options, source, line=line, what=f"TEXT {number}: issue date")
            if notice is not None:
                yield notice
        yield article_or_error(
            source,
            options,
            title=_title(raw),
            body=body,
            date=date,
            date_source="header",
            outlet="TIME",
            language="en",
            find_credits=False,
            key=f"TEXT {number}",
        )
