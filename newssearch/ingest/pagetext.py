"""Scraped page text: the visible text of a news page, chrome and all.

The article is the best-scoring run of paragraphs: long lines that end like
sentences score their word count less a fixed cost, page furniture (menus, share prompts,
"Most Read" lists, lone timestamps, breadcrumbs) scores strongly negative,
short unpunctuated lines mildly negative. Kadane's maximum-sum run over those
scores finds the story without knowing the site. Then, looking back from the
start of the story: the headline (the nearest title-like line), the date line
and the byline; around the page: the outlet (breadcrumb, ``Title | Site``,
copyright line).
"""

from __future__ import annotations

import re
from typing import Iterator

from ..dates import ParsedDate, date_span, find_date
from ..errors import IngestError
from ..model import Article
from . import credits
from .base import ReadOptions, ReadResult, Source, build_article
from .textlines import (
    Block,
    breadcrumb,
    classify,
    ends_sentence,
    is_update_line,
    split_blocks,
    strip_date_label,
    title_suffix_split,
    words,
)

__all__ = ["extract_page", "read_pagetext", "looks_like_page"]

_GENERIC = {
    "home", "news", "breaking", "latest", "top", "stories", "story", "main", "index", "world",
    "local", "national", "international", "front", "page", "all", "today", "headlines",
    "the", "and", "of", "en", "english", "article", "articles", "more",
}
_OUTLET_WORDS = re.compile(
    r"\b(?:agency|news|times|post|herald|tribune|journal|gazette|daily|telegraph|guardian|press|radio|"
    r"television|tv|broadcasting|network|chronicle|observer|mail|express|review|magazine|wire|"
    r"standard|independent|reporter|register|bulletin|courier|monitor|sentinel|star|globe|"
    r"inquirer|dispatch|examiner|online|media|insider|beat|report)\b",
    re.I,
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?\s*)?(?:by\s+)?"
    r"([A-Z][\w&.' -]{1,48}?)(?:\s*[.,|]|\s+all rights|\s*$)",
    re.I,
)

_SCORES = {"chrome": -25.0, "crumb": -25.0, "stamp": -20.0, "byline": -3.0}


# What a paragraph of text must outweigh before it counts: a lone sentence
# between menus (a teaser, a caption, a promo) is not an article.
_TEXT_COST = 6.0


# Ad slots sit inside article bodies: crossing one must not end the story
_AD_SLOT = re.compile(r"^(?:advertisement|advertising|ad|ads|story continues(?:\s+below)?(?:\s+advertisement)?)\s*:?$", re.I)


def _score(block: Block) -> float:
    if block.kind == "chrome" and _AD_SLOT.match(block.text.strip()):
        return -2.0
    if block.kind in _SCORES:
        return _SCORES[block.kind]
    if block.kind == "text":
        return float(block.words) - _TEXT_COST
    # a short line: a subheading inside a story costs little next to its
    # paragraphs, a menu of them a lot
    return -8.0 if block.words >= 3 else -10.0


def _best_run(scores: list[float]) -> tuple[int, int] | None:
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            total, start = s, i
        else:
            total += s
        if total > best:
            best, best_span = total, (start, i)
    return best_span


def looks_like_page(text: str) -> bool:
    """True when text carries page chrome (so it needs the page-text reader)."""
    blocks = [classify(b) for b in split_blocks(text)[:400]]
    if not blocks:
        return False
    furniture = sum(1 for b in blocks if b.kind in ("chrome", "crumb"))
    stamps = sum(1 for b in blocks[2:] if b.kind == "stamp")
    # menus come before the story; lists after it (line-ups, award winners) are content
    run = longest = 0
    for b in blocks:
        if b.kind == "text":
            break
        run = run + 1 if b.kind == "short" else 0
        longest = max(longest, run)
    return furniture > 0 or stamps > 1 or longest >= 8 or (stamps == 1 and blocks[-1].kind == "stamp")


def read_pagetext(source: Source, options: ReadOptions) -> Iterator[ReadResult]:
    """Read one scraped page-text file as one article."""
    text = source.prose()
    yield extract_page(text, source, options)


def extract_page(text: str, source: Source, options: ReadOptions) -> Article:
    """The article in a page's visible text: the best run of body
    paragraphs, and the headline, date, byline, outlet and section around it."""
    blocks = [classify(b) for b in split_blocks(text)]
    if not blocks:
        raise IngestError(source.name, "empty file: no text to index")
    run = _best_run([_score(b) for b in blocks])
    if run is None:
        raise IngestError(source.name, "no article text found (only page furniture)")
    start, end = run
    while start <= end and blocks[start].kind != "text":
        start += 1
    while end >= start and blocks[end].kind not in ("text", "short"):
        end -= 1
    # A short closing line scores below the paragraphs but belongs to them:
    # a last short sentence, an agency credit ("... until then. - AFP"), a
    # "(Reporting by ...; Editing by ...)" line.
    while end + 1 < len(blocks) and end + 1 <= run[1] + 2 and _closes_story(blocks[end + 1]):
        end += 1
    body_blocks = [b for b in blocks[start : end + 1] if b.kind in ("text", "short")]

    headline_at, headline = _find_headline(blocks, start)
    title_line = _title_line(blocks)
    if headline is None and title_line:
        headline = title_line[0]
    if headline is None and body_blocks and body_blocks[0].kind == "short":
        headline = body_blocks.pop(0).text
    if headline is None:
        headline = ""

    meta_from = max(0, (headline_at if headline_at is not None else start) - 2)
    meta = blocks[meta_from:start]
    date, date_text = _find_date(meta, options) or _find_labelled_date(blocks[:start], options) or (None, "")
    authors: list[str] = []
    agencies: list[str] = []
    for b in meta:
        names = credits.authors_from_byline(b.text) if b.kind == "byline" else None
        if names:
            authors += names
    if date_text:
        who = _who_in_dateline(date_text)
        if who:
            if credits.canonical(who) in credits.AGENCIES:
                agencies.append(credits.canonical(who))
            elif not authors:
                authors += credits.authors_from_byline("By " + who) or []
    if body_blocks and body_blocks[0].kind in ("short", "text"):
        names = credits.authors_from_byline(body_blocks[0].text)
        if names is not None and body_blocks[0].words <= 16:
            authors += names
            body_blocks.pop(0)

    outlet, section = _outlet_and_section(blocks, title_line)
    body = "\n\n".join(b.text for b in body_blocks)
    return build_article(
        source,
        options,
        title=headline,
        body=body,
        date=date,
        date_source="text",
        outlet=outlet,
        agencies=agencies,
        authors=authors,
        section=section,
    )


_CREDIT_LINE = re.compile(r"\b(?:additional\s+)?(?:reporting|editing|writing|compiled)\s+by\b", re.I)


def _closes_story(block: Block) -> bool:
    """Whether a line right after the story ends it: a short sentence, or a
    wire credit (not a menu item, a teaser headline or page furniture)."""
    if block.kind not in ("short", "text") or block.words > 40:
        return False
    return ends_sentence(block.text) or bool(_CREDIT_LINE.search(block.text)) or bool(credits.find_agencies(block.text))


def _find_headline(blocks: list[Block], start: int) -> tuple[int | None, str | None]:
    """The nearest title-like line before the story, skipping date lines,
    bylines, captions and credits that sit between headline and text."""
    for k in range(start - 1, max(-1, start - 9), -1):
        b = blocks[k]
        if b.kind in ("stamp", "byline", "chrome"):
            continue
        if b.kind == "crumb":
            break
        if 3 <= b.words <= 30 and not b.text.endswith((".", ",")) and b.kind in ("short", "text"):
            return k, b.text
        if b.kind == "short" and b.words < 3:
            continue
        break
    return None, None


def _title_line(blocks: list[Block]) -> tuple[str, str] | None:
    """A ``Headline | Site`` line near the top (a page's <title>)."""
    for b in blocks[:3]:
        split = title_suffix_split(b.text)
        if split:
            return split
    return None


def _find_date(meta: list[Block], options: ReadOptions) -> tuple[ParsedDate, str] | None:
    """The publication date from the lines around the headline; a
    "Published" line beats an "Updated" one."""
    found: list[tuple[int, ParsedDate, str]] = []
    for b in meta:
        if b.kind not in ("stamp", "byline", "short"):
            continue
        parsed = find_date(b.text, options.default_tz, now=options.now)
        if parsed:
            found.append((1 if is_update_line(b.text) else 0, parsed, b.text))
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    return found[0][1], found[0][2]


def _find_labelled_date(blocks: list[Block], options: ReadOptions) -> tuple[ParsedDate, str] | None:
    """Failing that, a labelled ``Published ...`` line anywhere above the story."""
    for b in blocks:
        if b.kind == "stamp" and re.match(r"^\s*(?:first\s+)?(?:published|posted)\b", b.text, re.I):
            parsed = find_date(b.text, options.default_tz, now=options.now)
            if parsed:
                return parsed, b.text
    return None


def _who_in_dateline(line: str) -> str | None:
    """``Reuters November 18, 2019 11:03 PM`` -> ``Reuters``;
    ``By Jane Doe 18 Nov 2019`` -> ``Jane Doe``.

    A single word beside a date is a wire agency or a label (``Link``,
    ``Source``, ``Stand``), not a person: a byline names a person with at
    least two words, unless ``By`` says it is one.
    """
    span = date_span(line)
    rest = line if span is None else line[: span[0]] + " " + line[span[1] :]
    rest = strip_date_label(rest)
    by = re.match(r"^\s*by\s+", rest, flags=re.I)
    rest = rest[by.end() :] if by else rest
    rest = rest.strip(" |,-\u2013\u2014:[]()")
    if not 1 <= words(rest) <= 5:
        return None
    if words(rest) == 1 and not by and credits.canonical(rest) not in credits.AGENCIES:
        return None
    return rest


def _outlet_and_section(blocks: list[Block], title_line: tuple[str, str] | None) -> tuple[str | None, str | None]:
    outlet: str | None = None
    section: str | None = None
    for b in blocks:
        if b.kind != "crumb":
            continue
        parts = breadcrumb(b.text) or []
        for part in parts:
            tokens = [t.lower() for t in re.findall(r"\w+", part)]
            if not tokens or all(t in _GENERIC for t in tokens):
                continue
            if outlet is None and _OUTLET_WORDS.search(part):
                outlet = part
            elif section is None and words(part) <= 3:
                section = part
        if outlet:
            break
    if outlet is None and title_line:
        outlet = title_line[1]
    if outlet is None:
        for b in reversed(blocks):
            m = _COPYRIGHT.search(b.text) if b.kind == "chrome" else None
            if m and words(m.group(1)) <= 5:
                outlet = m.group(1).strip(" .,")
                break
    return outlet, section
