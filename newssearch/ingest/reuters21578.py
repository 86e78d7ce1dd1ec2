"""Reuters-21578 (Distribution 1.0): the SGML files ``reut2-NNN.sgm``, one
``<REUTERS>`` record per story.

The files are SGML, not XML (unescaped ``<`` in bodies, control-character
entities such as ``&#3;``), so records are cut out with regular expressions,
not an XML parser. They are Latin-1 (one byte in ``reut2-017.sgm`` is not
ASCII). Each record gives:

* ``TITLE`` -> title; ``DATELINE`` + ``BODY`` -> body, as the wire printed it
  (``SALVADOR, Feb 26 - Showers continued ...``); ``TYPE="UNPROC"`` records
  carry only raw text, used as the body (title from its first line);
* ``DATE`` (``26-FEB-1987 15:01:01.79``) -> published, ``date_source="header"``.
  The collection states no zone, so it is read in ``--tz`` and marked assumed;
* ``TOPICS`` -> section (the first topic; ``acq``, ``earn``); ``AUTHOR`` ->
  authors; the outlet and agency are Reuters.

Errors and notices name the file and the line where the record starts.
"""

from __future__ import annotations

import html
import re
from typing import Iterator

from ..errors import ParseError
from . import credits
from .base import Notice, ReadOptions, ReadResult, Source, article_or_error, take_date

__all__ = ["looks_like_reuters21578", "read_reuters21578"]

_RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_DATE = re.compile(r"(\d{1,2}-[A-Za-z]{3}-\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?)")


def looks_like_reuters21578(head: str) -> bool:
    """Whether text starts like a Reuters-21578 SGML file."""
    return "<REUTERS" in head[:4000] and ("lewis.dtd" in head[:200] or "NEWID=" in head[:4000])


def _field(record: str, tag: str) -> str:
    m = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", record, re.S)
    return m.group(1) if m else ""


def _list(record: str, tag: str) -> list[str]:
    return re.findall(r"<D>(.*?)</D>", _field(record, tag), re.S)


def _clean(text: str) -> str:
    # &#3; and friends are control characters: gone after unescaping
    text = html.unescape(text)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)


def _paragraphs(body: str) -> str:
    """Rejoin the wrapped lines; a line indented by spaces starts a paragraph."""
    body = re.sub(r"\s*\bReuter\s*$", "", body.rstrip())
    paragraphs = re.split(r"\n(?=[ \t]+\S)", body)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def read_reuters21578(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Read one ``reut2-NNN.sgm`` file; one article per ``<REUTERS>`` record."""
    text = source.read_bytes().decode("latin-1")
    found = 0
    line = 1
    pos = 0
    for m in _RECORD.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        found += 1
        attrs, record = m.group(1), m.group(2)
        newid = _NEWID.search(attrs)
        where = f"NEWID {newid.group(1)}" if newid else f"record {found}"
        title = " ".join(_clean(_field(record, "TITLE")).split())
        dateline = " ".join(_clean(_field(record, "DATELINE")).split())
        body = _clean(_field(record, "BODY"))
        if not body.strip() and 'TYPE="UNPROC"' in record:
            body = _clean(re.sub(r"<[^>]+>", " ", _field(record, "TEXT")))
            if not title:
                title = " ".join(body.strip().split("\n", 1)[0].split())[:200]
        if not title and not body.strip():
            # the corpus has empty UNPROC records: nothing to index, nothing broken
            yield Notice(source.name, f"{where}: empty record (no title or text), skipped", line)
            continue
        body = _paragraphs(body)
        if dateline and body:
            body = f"{dateline} {body}"
        raw_date = " ".join(_clean(_field(record, "DATE")).split())
        date = None
        if raw_date:
            # "26-FEB-1987 15:01:01.79", in 300 records followed by
            # control characters and routing letters ("...59.13&#5;&#5;RM")
            m_date = _DATE.search(raw_date)
            date, notice = take_date(m_date.group(1) if m_date else raw_date, options, source, line=line, what=f"{where}: DATE")
            if notice is None and date is None:
                notice = Notice(source.name, f"{where}: unreadable DATE {raw_date!r}; kept without a date", line)
            if notice is not None:
                yield notice
        topics = [_clean(t).strip() for t in _list(record, "TOPICS")]
        author = " ".join(_clean(_field(record, "AUTHOR")).split())
        yield article_or_error(
            source,
            options,
            title=title,
            body=body,
            date=date,
            date_source="header",
            outlet="Reuters",
            agencies=["Reuters"],
            authors=[a for a in [_author(author)] if a],
            section=topics[0] if topics else None,
            language="en",
            key=where,
        )
    if not found:
        raise ParseError(source.name, "no <REUTERS> records: not a Reuters-21578 SGML file")


def _author(text: str) -> str | None:
    """``By Cal Mankowski, Reuters`` -> ``Cal Mankowski``."""
    if not text:
        return None

    names = credits.authors_from_byline(text if text.lower().startswith("by") else "By " + text)
    return names[0] if names else None
