"""The pages a person reads in a browser: the search page and the article page.

Rendered on the server from Jinja2 templates (``templates/``), usable with
no script at all: every state (query, filters, sort, page, zone) is in the
address, so a page can be bookmarked and shared, and each control is a
link or a plain form. The parameters are read by :mod:`.params`, the same
reading as the JSON API's, so a value the API refuses is refused here with
the same message, shown on the page with its status (400 for a query or a
filter that cannot be used, 503 when the index cannot be read).

Autoescaping is on for every template: every article field is untrusted,
and only :mod:`.views` makes markup, from escaped pieces. Links and form
actions start from the app's root (``root_path``: ``serve --root-path`` for
a reverse proxy that serves it under a prefix).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..cli.output import format_copies
from ..errors import ConfigError, NotFound
from ..index import NewsIndex
from ..model import Article, Hit, SearchResults
from ..search.request import SORTS, SearchRequest
from .holder import IndexHolder
from .params import DOWNLOAD_PARAMS, FEED_PARAMS, Bounds, search_request
from .problems import Problem, logged_problem
from .views import State, marked, page_links, safe_url, timeline_svg, when

__all__ = ["FACETS_SHOWN", "Pages"]

#: The counts shown beside the results, each with the parameter its links add.
FACETS_SHOWN = (("source", "source", "Outlet"), ("agencies", "agency", "Agency"), ("section", "section", "Section"), ("language", "lang", "Language"))
#: The parameters of the search page beyond the API's search (the timeline's period).
_PAGE_ONLY = ("by",)
#: The parameters of the article page.
_ARTICLE_PARAMS = frozenset({"tz", "q", "explain", "token"})
#: How deep into a query's matches the article page looks for the article to explain.
_EXPLAIN_DEPTH = 100
_FILTER_LABELS = {"source": "outlet", "agency": "agency", "section": "section", "lang": "language", "since": "since", "until": "until"}


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("newssearch.web", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(marked=marked, safe_url=safe_url, when=when, sorts=SORTS, copies_label=format_copies)
    return env


@dataclass(frozen=True)
class _Found:
    """What the search page shows of one search."""

    results: SearchResults
    listed: SearchResults
    fallback: bool
    suggestion: str | None
    chart: Markup


class Pages:
    """The page endpoints of one worker, over its index (shared with the API's)."""

    def __init__(self, holder: IndexHolder, bounds: Bounds) -> None:
        self.holder = holder
        self.bounds = bounds
        self.env = _environment()

    def routes(self) -> list[BaseRoute]:
        """``/``, ``/search``, ``/article/{id}`` and the stylesheet under ``/static``."""
        return [
            Route("/", self._page(self.search), methods=["GET"]),
            Route("/search", self._page(self.search), methods=["GET"]),
            Route("/article/{article_id}", self._page(self.article), methods=["GET"]),
            Mount("/static", app=StaticFiles(packages=[("newssearch.web", "static")]), name="static"),
        ]

    def _page(self, work: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """An endpoint: ``work``'s page, or the error it raised as a page with its message and status."""

        def endpoint(request: Request) -> Response:
            try:
                return work(request)
            except Exception as exc:  # noqa: BLE001 - every error is a page; a bug's traceback goes to the log
                problem = logged_problem(exc, request.method, request.url.path)
                return self.error_page(request, problem)

        return endpoint

    def error_page(self, request: Request, problem: Problem) -> Response:
        """``problem`` as a page: its message and status, with the search form to go on from."""
        state = State(request.query_params.multi_items(), _base(request))
        return self._render("error.html", request, status=problem.status, headers=problem.headers,
                            state=state, problem=problem, title=f"Error {problem.status}")

    def render(self, name: str, request: Request, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
        """The template ``name`` as a page, with the app's root and stylesheet's addresses (for the pages of other modules)."""
        return self._render(name, request, status=status, headers=headers, **context)

    def _render(self, name: str, request: Request, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
        base = _base(request)
        body = self.env.get_template(name).render(base=base, static=base + "/static", **context)
        return HTMLResponse(body, status_code=status, headers=headers)

    def search(self, request: Request) -> Response:
        """``GET /`` and ``GET /search``: the form, and with a query or a filter, its results."""
        pairs = request.query_params.multi_items()
        state = State(pairs, _base(request))
        params: dict[str, list[str]] = {}
        for name, value in pairs:
            params.setdefault(name, []).append(value)
        by = (params.pop("by", None) or ["week"])[-1]
        if by not in ("day", "week", "month", "year"):
            raise ConfigError(f"parameter 'by' must be one of day, week, month, year, not {by[:40]!r}", option="by")
        asked = any(v.strip() for k, vs in params.items() if k not in ("tz", "token", "sort", "match", "page", "size") for v in vs)
        params["facets"] = [field for field, _p, _l in FACETS_SHOWN]
        wanted = search_request(params, self.bounds)
        found = self.holder.use(lambda ix: _search(ix, wanted, by)) if asked else None
        page = wanted.offset // wanted.limit + 1 if wanted.limit else 1
        total = (found.listed.total if found else 0)
        return self._render(
            "search.html", request, state=state, wanted=wanted, found=found, page=page,
            pager=page_links(state, page, wanted.limit, total, self.bounds.max_depth) if found and not found.fallback else [],
            facets=_facet_rows(found.results, state) if found else [],
            chips=_filter_chips(state), feed_params=FEED_PARAMS, download_params=DOWNLOAD_PARAMS, title=f"{wanted.query or 'Search'} - newssearch" if asked else "newssearch",
        )

    def article(self, request: Request) -> Response:
        """``GET /article/{id}``: the whole article, its provenance, its story's other copies, similar stories;
        with ``?explain=1&q=...``, how that query scores it."""
        pairs = request.query_params.multi_items()
        unknown = sorted({k for k, _v in pairs} - _ARTICLE_PARAMS)
        if unknown:
            raise ConfigError(f"unknown parameter {unknown[0]!r} (this page takes {', '.join(sorted(_ARTICLE_PARAMS - {'token'}))})", option=unknown[0])
        state = State(pairs, _base(request))
        zone_request = SearchRequest.build("", tz=state.get("tz") or None)  # a bad zone is refused, named
        article_id = request.path_params["article_id"]
        query = state.get("q")
        explain = state.get("explain").lower() in ("1", "true", "yes", "on")

        def work(ix: NewsIndex) -> dict[str, Any]:
            article = ix.get(article_id)
            if article is None:
                raise NotFound(f"no article with id {article_id!r}")
            explained = _explain(ix, article, query) if explain and query.strip() else None
            return {"article": article, "story": _story(ix, article), "similar": ix.similar(article.id, limit=5),
                    "explained": explained}

        shown = self.holder.use(work)
        return self._render("article.html", request, state=state, zone=zone_request.tz, explain=explain, query=query,
                            paragraphs=_paragraphs(shown["article"].body), title=shown["article"].title or article_id, **shown)


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _search(ix: NewsIndex, wanted: SearchRequest, by: str) -> _Found:
    results = ix.search(wanted)  # first: it checks the query (its length above all) and keeps to the time budget
    suggestion = ix.suggest(wanted.query) if wanted.query.strip() else None
    fallback = results.fallback if not results.total and results.fallback is not None and len(results.fallback) else None
    chart = timeline_svg(ix.timeline(wanted, by=by)) if results.total else Markup("")
    return _Found(results, fallback or results, fallback is not None, suggestion, chart)


def _facet_rows(results: SearchResults, state: State) -> list[dict[str, Any]]:
    """Each facet's commonest values, each with the link that adds it as a filter (and the count)."""
    rows = []
    for field, param, label in FACETS_SHOWN:
        counts = results.facets.get(field) or {}
        chosen = set(state.all(param))
        values = [
            {"value": value, "count": count, "chosen": value in chosen,
             "href": state.link(drop=("page",), add=[(param, value)])}
            for value, count in list(counts.items())[:10]
        ]
        if values:
            rows.append({"label": label, "values": values})
    return rows


def _filter_chips(state: State) -> list[dict[str, str]]:
    """The filters in force, each with the link that removes it."""
    chips = []
    for name, label in _FILTER_LABELS.items():
        for value in state.all(name):
            kept = [(k, v) for k, v in state.pairs if (k, v) != (name, value) and k != "page"]
            chips.append({"label": f"{label}: {value}", "href": State(kept, state.base).link()})
    return chips


def _story(ix: NewsIndex, article: Article) -> list[Any]:
    """The other copies of ``article``'s story (other outlets, other versions).

    Found through a search for the headline's words, where the story's hit
    lists its copies: the library has no lookup by story, and the copies of a
    story share most of their headline."""
    words = " ".join(re.findall(r"\w+", article.title)[:12])
    if not words:
        return []
    for hit in ix.search(words, match="any", limit=10, snippets=False):
        ids = {hit.article.id, *(c.id for c in hit.copies)}
        if article.id in ids:
            others: list[Any] = [c for c in hit.copies if c.id != article.id]
            if hit.article.id != article.id:
                others.insert(0, hit.article)
            return others
    return []


def _explain(ix: NewsIndex, article: Article, query: str) -> Hit | None:
    """``article``'s hit for ``query`` with its explanation, when it is among the first matches."""
    for hit in ix.search(query, explain=True, all_copies=True, limit=_EXPLAIN_DEPTH, snippets=False):
        if hit.article.id == article.id:
            return hit
    return None


def _paragraphs(body: str) -> list[str]:
    """The body's paragraphs (blank-line separated; single lines when it has no blank line)."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    if len(parts) <= 1:
        parts = [p.strip() for p in body.splitlines() if p.strip()]
    return parts
