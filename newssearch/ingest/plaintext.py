"""Plain article text: the headline on the first line, then the body.

This is how research sets ship articles (the BBC set: ``bbc/business/001.txt``).
A short date line or byline right under the headline is read as such; the
section is the name of the folder the file sits in, which is how such sets
are organised.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..errors import IngestError
from . import credits
from .base import ReadOptions, ReadResult, Source, build_article, take_date
from .textlines import classify, split_blocks

__all__ = ["read_plaintext", "section_from_folder"]


def section_from_folder(source: Source) -> str | None:
    """The parent folder's name when it reads as a section name (``business``),
    not a date or an id (``20070315``)."""
    if source.path is None or source.root is None:
        return None
    parent = source.path.parent
    if parent.resolve() == source.root.resolve():
        # a file named on its own, or directly inside the folder the user
        # named: that folder is a collection (or a download folder), not a section
        return None
    name = parent.name
    if re.fullmatch(r"[A-Za-z][A-Za-z _&-]{1,39}", name) and name.lower() not in ("data", "tmp", "text", "txt", "files", "articles", "news"):
        return name
    return None


def read_plaintext(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """One article: the headline on the first line, the body after it."""
    blocks = split_blocks(source.prose())
    if not blocks:
        raise IngestError(source.name, "empty file: no text to index")
    title, rest = blocks[0], blocks[1:]
    date = None
    authors: list[str] = []
    # metadata lines sit between the headline and the first paragraph
    while rest:
        block = classify(rest[0])
        if block.kind == "stamp" and date is None:
            date, notice = take_date(block.text, options, source, what="date line", find=True)
            if notice is not None:
                yield notice  # the date is dropped, not silently
        elif block.kind == "byline":
            names = credits.authors_from_byline(block.text)
            if names is None:
                break
            authors += names
        else:
            break
        rest = rest[1:]
    yield build_article(
        source,
        options,
        title=title,
        body="\n\n".join(rest),
        date=date,
        date_source="text",
        authors=authors,
        section=section_from_folder(source),
    )
