"""What the pages show, made from the library's records: links that keep the search, marked text, the timeline chart.

Nothing here renders a whole page (the templates do) or touches the index
(:mod:`.pages` does); these are the pieces a template cannot compute
safely itself. Every article field is untrusted (the pages come from any
site), so every piece that becomes HTML here is built from escaped text:
a highlight is ``<mark>`` around :func:`markupsafe.escape`'d pieces of a
:class:`~newssearch.model.Snippet`, a link to an article's original is made
only for an ``http(s)`` URL (``javascript:`` and the like are shown as
text), and the chart's labels go through the same escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup, escape

from ..dates import format_datetime
from ..model import Snippet, Timeline

__all__ = ["PageLink", "State", "marked", "page_links", "safe_url", "timeline_svg", "when"]


def marked(snippet: Snippet | None, fallback: str = "") -> Markup:
    """``snippet``'s text, escaped, with each highlight in ``<mark>``; ``fallback`` (escaped) without one."""
    if snippet is None or not snippet.text:
        return escape(fallback)
    return Markup("").join(Markup("<mark>{}</mark>").format(piece) if hit else escape(piece) for piece, hit in snippet.parts())


def safe_url(url: str | None) -> str | None:
    """``url`` when a browser may follow it from our page (http or https with a host), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def when(published: datetime | None, zone: tzinfo) -> str:
    """A date as the CLI shows it, in the reader's zone."""
    return format_datetime(published, zone)


class State:
    """The page's parameters, as given, so every link can keep them and change one.

    A link built here carries the whole search (query, filters, sort, zone):
    every state of a page is in its address, so it can be bookmarked and
    shared. ``base`` is the address of the app's root (the proxy's path prefix).
    """

    def __init__(self, pairs: Sequence[tuple[str, str]], base: str) -> None:
        self.pairs = [(k, v) for k, v in pairs if v.strip()]
        self.base = base

    def get(self, name: str) -> str:
        """The first value of ``name`` ('' when absent)."""
        return next((v for k, v in self.pairs if k == name), "")

    def all(self, name: str) -> list[str]:
        """Every value of ``name``."""
        return [v for k, v in self.pairs if k == name]

    def link(self, path: str = "/search", *, drop: Sequence[str] = (), add: Sequence[tuple[str, str]] = (), **values: str | int) -> str:
        """This search's address at ``path``, without the parameters in ``drop``,
        with ``values`` replacing theirs and ``add`` appended (a filter value added)."""
        gone = set(drop) | set(values)
        pairs = [(k, v) for k, v in self.pairs if k not in gone]
        pairs += [(k, str(v)) for k, v in values.items() if str(v)]
        pairs += [pair for pair in add if pair not in pairs]
        query = urlencode(pairs)
        return self.base + path + ("?" + query if query else "")

    def only(self, path: str, keep: Sequence[str]) -> str:
        """This search's address at ``path`` with only the parameters in ``keep``
        (and the token): a feed or a download takes the query and its filters,
        not the page's paging or chart."""
        pairs = [(k, v) for k, v in self.pairs if k in keep or k == "token"]
        return self.base + path + ("?" + urlencode(pairs) if pairs else "")

    def article(self, article_id: str, *extra: tuple[str, str]) -> str:
        """The address of an article's page, keeping the reader's zone and token, with ``extra`` parameters."""
        pairs = [*extra, *((k, v) for k, v in self.pairs if k in ("tz", "token"))]
        query = urlencode([(k, v) for k, v in pairs if v])
        return f"{self.base}/article/{quote(article_id, safe='')}" + ("?" + query if query else "")

    def token_pairs(self) -> list[tuple[str, str]]:
        """The read token, when the page was asked with one: carried by links to other pages."""
        return [(k, v) for k, v in self.pairs if k == "token"]


@dataclass(frozen=True)
class PageLink:
    """One link of the pager: its label, its address (None: this page, or no such page), whether it is this page."""

    label: str
    href: str | None
    current: bool = False
    rel: str = ""


def page_links(state: State, page: int, size: int, total: int, depth: int) -> list[PageLink]:
    """Previous, numbered pages around this one (first and last too), next: within the server's depth."""
    last = max(1, min(-(-total // size) if size else 1, depth // size if size else 1))
    if last == 1:
        return []
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    links = [PageLink("Previous", state.link(page=page - 1) if page > 1 else None, rel="prev")]
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append(PageLink("…", None))
        links.append(PageLink(str(number), None if number == page else state.link(page=number), current=number == page))
        previous = number
    links.append(PageLink("Next", state.link(page=page + 1) if page < last else None, rel="next"))
    return links


_WIDTH, _HEIGHT, _TOP = 640, 100, 6


@lru_cache(maxsize=256)
def timeline_svg(tl: Timeline) -> Markup:
    """The timeline as an inline SVG bar chart, with a title and a description a screen reader reads.

    A pure function of the (immutable) timeline, so the charts drawn last
    are kept (256, a few kilobytes each): a search page asked again draws
    the same chart, a few milliseconds of formatting for a year by week.

    Drawn here, on the server: no chart service, no script. Each bar has
    its own ``<title>`` (period and count: a tooltip on hover). Empty when
    no match is dated."""
    if not tl.buckets:
        return Markup("")
    peak = max(count for _start, count in tl.buckets) or 1
    step = _WIDTH / len(tl.buckets)
    gap = min(2.0, step / 4)
    usable = _HEIGHT - _TOP
    label = _period_label(tl.by)
    first, final = tl.buckets[0][0], tl.buckets[-1][0]
    summary = (f"{tl.total:,} stories per {tl.by} from {first.strftime(label)} to {final.strftime(label)};"
               f" most in one {tl.by}: {peak:,}")
    # the bars as one string: Markup.format escaped each of a bar's six pieces
    # through string.Formatter, 5 ms of a page's CPU for a year by week; only the
    # texts can hold markup (numbers formatted here cannot), and they are escaped
    bars = []
    width = max(step - gap, 0.5)
    for i, (start, count) in enumerate(tl.buckets):
        height = usable * count / peak
        bars.append(f'<rect x="{i * step + gap / 2:.1f}" y="{_TOP + usable - height:.1f}" width="{width:.1f}" height="{height:.1f}">'
                    f"<title>{escape(start.strftime(label))}: {escape(f'{count:,}')}</title></rect>")
    return Markup(
        '<svg class="timeline" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img" aria-labelledby="tl-title tl-desc">'
        '<title id="tl-title">Matches over time</title><desc id="tl-desc">{summary}</desc>{bars}</svg>'
        # the axis's ends as HTML, not SVG text: the chart stretches to the page's width, and its text with it
        '<p class="axis" aria-hidden="true"><span>{first}</span><span>{last}</span></p>'
    ).format(w=_WIDTH, h=_HEIGHT, summary=summary, bars=Markup("".join(bars)), first=first.strftime(label), last=final.strftime(label))


def _period_label(by: str) -> str:
    return {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}.get(by, "%Y-%m-%d")
