"""An index for the page tests: examples/, a story told by two outlets, enough strikes to page, and hostile articles.

Every article field is untrusted, so the pages are tested with the worst a
scraped page can hold: a headline that is a ``<script>``, an ``<img>`` with
an ``onerror`` handler in a headline and in a body, and a ``javascript:``
URL. Each payload sets a global (``window.pwned``) that a browser test
checks stays undefined.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import newssearch as ns
from tests.helpers import EXAMPLES

#: The headline of the article whose title is a script.
SCRIPT_TITLE = "<script>window.pwned='script'</script>Hostile strike headline"
#: The headline of the article whose title is an image with a handler.
IMG_TITLE = "<img src=x onerror=\"window.pwned='img'\"> port strike in the headline"
#: A link that must never become one.
BAD_URL = "javascript:window.pwned='url'"
#: The outlets that both carry one story (its copies).
STORY_OUTLETS = ("Harbour Wire", "Coastal Times")


def build_pages_index(where: Path) -> Path:
    """The index at ``where`` (see the module's docstring)."""
    start = datetime(2024, 11, 4, 9, 0, tzinfo=timezone.utc)
    hostile = [
        ns.Article(title=SCRIPT_TITLE, body="A strike report whose headline carries a script. <script>window.pwned='body'</script>",
                   url=BAD_URL, published=start, source="<b>Bold Outlet</b>"),
        ns.Article(title=IMG_TITLE, body="The dock strike went on. <img src=x onerror=\"window.pwned='snippet'\"> strike again.",
                   url="https://hostile.example.com/img", published=start + timedelta(hours=1), source="Hostile Daily",
                   agencies=("<i>AP</i>",)),
    ]
    story = "Crane drivers at the northern terminal joined the strike on Monday, stopping container handling for the third day running; the union said talks would resume on Thursday."
    copies = [
        ns.Article(title="Crane drivers join terminal strike", body=story, url=f"https://{outlet.split()[0].lower()}.example.com/cranes",
                   published=start + timedelta(days=1, hours=i), source=outlet)
        for i, outlet in enumerate(STORY_OUTLETS)
    ]
    many = [
        ns.Article(title=f"Strike day {n}: ferries {kind}", body=f"Strike update number {n}: the ferries {kind} as the dispute over pay went on ({n * 7} sailings).",
                   url=f"https://ferries.example.com/day-{n}", published=start + timedelta(days=7 * n), source="Ferry News", section="transport")
        for n, kind in enumerate(("halted", "delayed", "cancelled", "rerouted", "idle", "queued", "docked", "stranded"), start=2)
    ]
    ix = ns.create_index(where)
    with ix:
        ix.add(ns.read_path(EXAMPLES))
        ix.add(hostile + copies + many)
    return where
