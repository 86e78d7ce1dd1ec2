"""General rules for reading the lines of news text: what is page chrome, what
is a date line, a byline, a breadcrumb, a headline.

These rules describe page furniture in general (short lines, menus,
share/follow prompts, lists of other headlines, lone timestamps), never one
site's exact strings, so pages from sites we have not seen come out right.
The plain-text and page-text readers both build on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dates import date_span

__all__ = [
    "Block",
    "classify",
    "split_blocks",
]

# Whole-line prompts and labels that belong to the page, not the story.
_CHROME_LINE = re.compile(
    r"""^(?:
        (?:follow|like|find)\s+(?:us|\w+)?\s*(?:on\s+)?(?:twitter|facebook|instagram|linkedin|telegram|x|youtube|google\s+news|rss|flipboard).*
      | (?:share|tweet|email|e-mail|print|save|copy\s+link|pin|whatsapp|messenger|reddit)(?:\s+(?:this|on|via|the|article|story|page|link|to)\b.*)?
      | (?:facebook|twitter|linkedin|instagram|pinterest|youtube|telegram|rss)(?:\s*[|/,]\s*\w+)*
      | (?:subscribe|sign\s*(?:up|in)|log\s*(?:in|out)|register|create\s+(?:an\s+)?account|my\s+account|newsletters?|donate|contribute|support\s+(?:us|our|independent)\b).*
      | (?:most\s+(?:read|popular|viewed|shared|commented|recent)|trending(?:\s+now)?|top\s+stories|latest(?:\s+(?:news|stories|headlines))?
         |related(?:\s+(?:stories|articles|news|posts|content|coverage|topics|links|reading))?|recommended(?:\s+for\s+you)?|you\s+(?:may|might)\s+(?:also\s+)?(?:like|be\s+interested\s+in)
         |more\s+(?:from|on|in|stories|news|videos?)\b.*|read\s+(?:more|next|also)\b.*|see\s+also|also\s+read.*|editor'?s\s+picks?|popular(?:\s+now)?|don'?t\s+miss|what\s+to\s+read\s+next|further\s+reading)\s*:?
      | (?:advertisement|advertising|sponsored(?:\s+content)?|promoted(?:\s+content)?|paid\s+content|ad|ads|partner\s+content|story\s+continues(?:\s+below)?(?:\s+advertisement)?|continue\s+reading.*)
      | (?:comments?|\d+\s+comments?|leave\s+a\s+(?:comment|reply)|add\s+(?:a\s+)?comment|post\s+a\s+comment|join\s+the\s+(?:conversation|discussion)|show\s+comments|view\s+comments)
      | (?:menu|search|home|skip\s+to\s+(?:main\s+)?content|skip\s+navigation|back\s+to\s+top|close|open|next|previous|prev|loading\.*|toggle\s+navigation|navigation|main\s+menu|sections?)
      | (?:tags?|topics?|filed\s+under|categories|category|keywords?)\s*:.*
      | (?:image|photo|picture|video|graphic)(?:\s+(?:credit|caption|source|courtesy))?\s*:.*
      | (?:above|top|below|pictured|file\s+photo|in\s+this\s+(?:file\s+)?photo)\s*:.*
      | (?:getty\s+images|ap\s+photo|reuters/.*|afp\s+via\s+getty\s+images|shutterstock|istock.*)
      | (?:cookies?|cookie\s+policy|privacy(?:\s+policy)?|terms(?:\s+(?:of\s+(?:use|service)|and\s+conditions))?|contact(?:\s+us)?|about(?:\s+us)?|careers|advertise(?:\s+with\s+us)?|site\s*map|help|faq|accessibility|imprint|impressum)
      | (?:©|\(c\)|copyright\b).*|.*\ball\s+rights\s+reserved\b.*
      | (?:watch|listen)(?:\s+(?:now|live|more))?\s*:?
      | \d+\s+(?:min(?:ute)?s?\s+read|shares?|views?)
    )$""",
    re.I | re.X,
)
_CRUMB_SEP = re.compile(r"\s*(?:>>|»|›|>|\||/|::|•|·)\s*")
_SENTENCE_END = re.compile(r"""[.!?:;\u3002\uff01\uff1f]["'\u201d\u2019)\]\u300d\u300f]*$|[.!?]["'\u201d\u2019]*\s*/\s*\w+/?$""")
_WORD = re.compile(r"\w+", re.U)
# Chinese and Japanese write words without spaces: count two characters as a word
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DATE_LABEL = re.compile(
    r"^\s*(?:first\s+)?(?:published|posted|updated|last\s+updated|modified|date|dated|created|released|issued)(?:\s+(?:on|at))?\s*:?\s*",
    re.I,
)
_UPDATE_LABEL = re.compile(r"^\s*(?:last\s+)?(?:updated|modified)\b", re.I)


@dataclass
class Block:
    """One unit of text (a paragraph or a line) and what it looks like."""

    text: str
    kind: str  # text | short | chrome | crumb | stamp | byline
    words: int


def split_blocks(text: str) -> list[str]:
    """Split text into paragraphs.

    Lines separated by blank lines are separate paragraphs. Inside a group of
    consecutive lines, lines are joined when they look hard-wrapped (similar
    long lengths, e.g. wire copy wrapped at 65 characters) and kept apart
    otherwise (menus, lists, one-paragraph-per-line text).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    blocks: list[str] = []
    for group in re.split(r"\n[ \t]*\n", text):
        lines = [" ".join(line.split()) for line in group.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        if len(lines) > 1 and _hard_wrapped(lines):
            blocks.append(" ".join(lines))
        else:
            blocks.extend(lines)
    return blocks


def _hard_wrapped(lines: list[str]) -> bool:
    """Wrapped prose: the lines before the last are long and of similar
    length (a wrap width), unlike menus and lists of short items."""
    heads = sorted(len(line) for line in lines[:-1])
    median = heads[len(heads) // 2]
    if not 35 <= median <= 110:
        return False
    close = sum(1 for n in heads if n >= 0.6 * median)
    return close >= 0.8 * len(heads)


def words(text: str) -> int:
    """Word count that also works for Chinese and Japanese text."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(_WORD.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + (cjk + 1) // 2


def is_chrome(line: str) -> bool:
    """True for share/follow prompts, menus, ad labels, captions, copyright."""
    return len(line) <= 200 and bool(_CHROME_LINE.match(line.strip()))


def breadcrumb(line: str) -> list[str] | None:
    """Return the segments of a breadcrumb line (``Home >> News >> World``)."""
    if len(line) > 160 or not re.search(r">>|»|›|\s>\s|\s/\s|::|\s\|\s", line):
        return None
    parts = [p.strip() for p in _CRUMB_SEP.split(line) if p.strip()]
    if len(parts) < 2 or any(words(p) > 6 or _SENTENCE_END.search(p) for p in parts):
        return None
    return parts


def date_line(line: str) -> bool:
    """True when the line is there to carry a date: mostly a date, or a short
    labelled line (``Published 27 Jan 2022``, ``Posted [2022-01-27 13:34]``)."""
    if words(line) > 16:
        return False
    span = date_span(line)
    if span is None:
        return False
    rest = (line[: span[0]] + " " + line[span[1] :]).strip(" []()|,-\u2013\u2014:")
    return words(rest) <= 6 or bool(_DATE_LABEL.match(line))


def is_update_line(line: str) -> bool:
    """Whether a date line gives the time of an update (``Updated ...``), not of publication."""
    return bool(_UPDATE_LABEL.match(line))


def strip_date_label(line: str) -> str:
    """The line without a leading date label (``Published on:``, ``Posted``)."""
    return _DATE_LABEL.sub("", line)


def ends_sentence(line: str) -> bool:
    """Whether the line ends like a sentence (so it reads as body text, not a label)."""
    return bool(_SENTENCE_END.search(line.rstrip()))


def classify(line: str) -> Block:
    """Say what a paragraph is, from its shape and wording alone."""
    n = words(line)
    if date_line(line):  # before breadcrumbs: "27 January 2022 | 13:34" is a date, not a trail
        kind = "stamp"
    elif breadcrumb(line):
        kind = "crumb"
    elif is_chrome(line):
        kind = "chrome"
    elif re.match(r"^\s*(?:written\s+)?by[:\s]\s*[A-Z]", line, re.I) and n <= 16:
        kind = "byline"
    elif n >= 8 and ends_sentence(line) or n >= 25:
        kind = "text"
    else:
        kind = "short"
    return Block(line, kind, n)


def title_suffix_split(line: str) -> tuple[str, str] | None:
    """Split ``Headline | Site`` (or `` - Site``, `` – Site``) into its parts.

    A navigation bar (``Home | World | Business | Sport``: three or more
    parts, none longer than three words) is not a title."""
    parts = [p for p in re.split(r"\s+(?:\||-|\u2013|\u2014|::|\u00bb)\s+", line) if p.strip()]
    if len(parts) >= 3 and all(words(p) <= 3 for p in parts):
        return None
    m = re.match(r"^(.{10,}?)\s+(?:\||-|\u2013|\u2014|::|\u00bb)\s+([^|]{2,50})$", line)
    if not m or words(m.group(2)) > 6:
        return None
    return m.group(1).strip(), m.group(2).strip()
