"""What several test files share that is not a fixture: paths, the fixed
articles, generated articles, a query list, and the way to reach the real
corpora in ../shared.

Fixtures live in ``conftest.py``, which pytest loads by itself; everything a
test module imports by name lives here, so no test file imports another
(a test module imported by a second one runs its import-time code twice and
ties the two files' private names together) and none imports ``conftest``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import newssearch as ns
from newssearch.search.compile import compile_request

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
REUTERS = ("data", "reuters-news-2006-2007")


def shared(*parts: str) -> Path:
    """Path into ../shared; skip the test when it is missing, fail under CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared test data not found: {path}"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    return path


def readme_session(heading: str) -> list[tuple[str, list[str]]]:
    """``(command, lines shown after it)`` for each ``$`` line of the first
    console block under the README's ``heading``: the README's sessions are
    run as tests from the README itself, so they cannot drift from what runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading) :]
    block = section[section.index("```console\n") + len("```console\n") : section.index("\n```\n")]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip() and steps:
            steps[-1][1].append(line)
    return steps


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


ARTICLES = [
    ns.Article(
        title="Ceasefire talks resume in Minsk",
        body="Negotiators returned to Minsk on Monday to revive the ceasefire agreement, Reuters reports.",
        url="https://example.com/world/minsk-talks",
        published=utc(2022, 1, 24, 9, 0),
        source="Example Times",
        agencies=("Reuters",),
        section="world",
    ),
    ns.Article(
        title="Grain exports climb at Black Sea ports",
        body="Grain exports rose for a third month as ports on the Black Sea worked at full capacity.",
        url="https://example.com/business/grain",
        published=utc(2022, 1, 26, 15, 30),
        source="Example Times",
        section="business",
    ),
    ns.Article(
        title="Diplomats meet on the Minsk agreement",
        body="Diplomats from four countries met to discuss how the Minsk agreement could be implemented, AFP reported.",
        url="https://wire.example.org/minsk-agreement",
        published=utc(2022, 1, 27, 11, 0),
        source="Wire Daily",
        agencies=("AFP",),
        section="world",
    ),
    ns.Article(
        title="Museum reopens after renovation",
        body="The city museum reopened its doors after a two-year renovation with a new wing for modern art.",
        source="Wire Daily",
        section="culture",
    ),
]


def many_articles(n: int) -> list[ns.Article]:
    """``n`` articles over ten words; one in five undated, the others in
    December 2021 or January 2022, in two sections."""
    words = "minsk agreement ceasefire grain ports museum talks wheat diplomats renovation".split()
    return [
        ns.Article(
            title=f"Story {i} about {words[i % 10]}",
            body=" ".join(words[(i * k) % 10] for k in range(1, 40)) + f" number{i}",
            url=f"https://example.com/{i}",
            published=datetime(2021 + i % 2, 12 if i % 2 == 0 else 1, 1 + i % 28, tzinfo=timezone.utc) if i % 5 else None,
            section=("world", "business")[i % 3 == 0],
        )
        for i in range(n)
    ]


#: Every query shape, for the index ``messy_index`` (conftest) builds from
#: :func:`many_articles`: words, AND/OR/NOT, +/-, phrases, prefixes, fields,
#: stop words only, no match, a date range.
QUERIES = [
    "minsk", "minsk agreement", "minsk AND agreement", "minsk NOT agreement", "minsk -talks +grain",
    '"grain ports"', "gra*", "negotiat*", "*", "title:story", "zebra", "the of",
    "published:[2022-01-01 TO 2022-01-31]", "story OR number7 OR number13", "(minsk OR wheat) AND NOT museum",
]


def parse_for(ix: ns.NewsIndex, text: str, **options: Any) -> tuple[Any, Any, Any]:
    """What a search for ``text`` runs: the snapshot, the query tree
    (prefixes expanded) and the filter the options make."""
    session = ix.session()
    parsed = compile_request(ns.SearchRequest.build(text, **options), session.parser, session.snapshot)
    return session.snapshot, parsed.query, parsed.restrict


def search_json(stdout: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The hits and the summary of ``search --json``: every line a JSON
    object with a ``type``, hits first, then exactly one summary, last."""
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert lines and all("type" in line for line in lines), stdout[:300]
    *hits, summary = lines
    assert summary["type"] == "summary" and all(h["type"] == "hit" for h in hits), stdout[:300]
    return hits, summary
