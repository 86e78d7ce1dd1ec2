"""The web application: the JSON API's addresses, each a thin function over the library.

Each endpoint reads its parameters (:mod:`.params`), makes its library
calls on the worker's index (:mod:`.holder`) and returns a body shaped as
the CLI's ``--json`` output (:mod:`.encode`); whatever it raises becomes a
status and a JSON error in one place (:mod:`.problems`). Around the routes,
from the outside in: the access log (:mod:`.accesslog`), CORS when
``--cors`` names origins (off otherwise: a page from another site cannot
read the API through its reader's browser), and the size and token checks
(:mod:`.guard`). Endpoints are plain functions: the framework runs them in
its thread pool, so a search never blocks the event loop that reads and
writes every connection, and a slow or stalled client holds a socket, not
a worker.

Everything here reads. The writes (adding and removing saved searches,
deleting an article) are their own routes in :mod:`.writes`, and the saved
searches' page with its forms is :mod:`.savedpage`: both off unless a
write token is configured, and then needing it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import NewsSearchError, NotFound
from ..index import NewsIndex
from ..lifetime import die_with_parent
from .accesslog import AccessLog
from .config import PARENT_VARIABLE, ServeConfig
from .encode import (
    alerts_body,
    article_body,
    facets_body,
    hits_body,
    saved_body,
    search_body,
    stats_body,
    timeline_body,
)
from .guard import Guard, wants_page
from .headers import SecurityHeaders
from .holder import IndexHolder
from .openapi import describe
from .pages import Pages
from .params import (
    Params,
    alerts_options,
    facets_request,
    no_params,
    search_request,
    similar_options,
    timeline_request,
)
from .problems import Problem, logged_problem, problem_for
from .proxy import ForwardedHeaders, TrustedProxies
from .savedpage import SavedPages
from .syndication import Syndication
from .writes import Writes

__all__ = ["app_from_environment", "create_app"]

_Endpoint = Callable[[Request], Response]


def _problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)


def _params(request: Request) -> Params:
    """The query string as name -> every value (the one shape :mod:`.params` reads)."""
    found: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        found.setdefault(name, []).append(value)
    return found


class Api:
    """The endpoints of one worker, over its index."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.bounds = config.bounds
        self.holder = IndexHolder(config.index)

    def routes(self) -> list[Route]:
        """Every address the API answers: its reads (GET) and its writes (:mod:`.writes`)."""
        table: list[tuple[str, Callable[[Request], dict[str, Any]]]] = [
            ("/api/search", self.search),
            ("/api/facets", self.facets),
            ("/api/timeline", self.timeline),
            ("/api/articles/{article_id}", self.article),
            ("/api/articles/{article_id}/similar", self.similar),
            ("/api/stats", self.stats),
            ("/api/saved", self.saved_list),
            ("/api/saved/{name}", self.saved_one),
            ("/api/saved/{name}/alerts", self.alerts),
            ("/api/openapi.json", lambda request: describe()),
        ]
        routes = [Route(path, _answering(work), methods=["GET"]) for path, work in table]
        # suggestions, Atom feeds, the OpenSearch description, downloads (syndication.py)
        routes += Syndication(self.holder, self.bounds).routes()
        routes += Writes(self.config, self.holder).routes()
        return routes

    def search(self, request: Request) -> dict[str, Any]:
        """``GET /api/search``: a page of hits, the totals, facets when asked, did-you-mean."""
        wanted = search_request(_params(request), self.bounds)

        def work(ix: NewsIndex) -> dict[str, Any]:
            results = ix.search(wanted)  # first: it checks the query (its length above all) and keeps to the time budget
            suggestion = ix.suggest(wanted.query) if wanted.query.strip() else None
            return search_body(results, wanted.query, suggestion, bool(wanted.facets))

        return self.holder.use(work)

    def facets(self, request: Request) -> dict[str, Any]:
        """``GET /api/facets``: counts per outlet, section, agency, author over every match."""
        wanted = facets_request(_params(request), self.bounds)
        return self.holder.use(lambda ix: facets_body(ix.search(wanted), wanted.query))

    def timeline(self, request: Request) -> dict[str, Any]:
        """``GET /api/timeline``: matching stories per day, week, month or year."""
        wanted, by = timeline_request(_params(request), self.bounds)
        return self.holder.use(lambda ix: timeline_body(ix.timeline(wanted, by=by)))

    def article(self, request: Request) -> dict[str, Any]:
        """``GET /api/articles/{id}``: one article in full (a unique id prefix works, as for ``show``)."""
        _reject_params(request)
        article_id = request.path_params["article_id"]
        return self.holder.use(lambda ix: article_body(_article(ix, article_id)))

    def similar(self, request: Request) -> dict[str, Any]:
        """``GET /api/articles/{id}/similar``: the stories most like it."""
        options = similar_options(_params(request), self.bounds)
        article_id = request.path_params["article_id"]
        return self.holder.use(lambda ix: hits_body(ix.similar(_article(ix, article_id).id, **options)))

    def stats(self, request: Request) -> dict[str, Any]:
        """``GET /api/stats``: what the index holds."""
        _reject_params(request)
        return self.holder.use(lambda ix: stats_body(ix.stats()))

    def saved_list(self, request: Request) -> dict[str, Any]:
        """``GET /api/saved``: every saved search with its count of unread alerts."""
        _reject_params(request)

        def work(ix: NewsIndex) -> dict[str, Any]:
            return {"saved": [saved_body(s, len(ix.saved.unread(s.name))) for s in ix.saved.list()]}

        return self.holder.use(work)

    def saved_one(self, request: Request) -> dict[str, Any]:
        """``GET /api/saved/{name}``: one saved search."""
        _reject_params(request)
        name = request.path_params["name"]

        def work(ix: NewsIndex) -> dict[str, Any]:
            _saved_exists(ix, name)
            return saved_body(ix.saved.get(name), len(ix.saved.unread(name)))

        return self.holder.use(work)

    def alerts(self, request: Request) -> dict[str, Any]:
        """``GET /api/saved/{name}/alerts?after=N``: its alerts after alert N, oldest first (read only: none is marked read)."""
        after, size = alerts_options(_params(request), self.bounds)
        name = request.path_params["name"]

        def work(ix: NewsIndex) -> dict[str, Any]:
            _saved_exists(ix, name)
            return alerts_body(ix.saved.alerts(name, after=after)[:size])

        return self.holder.use(work)


def _article(ix: NewsIndex, article_id: str) -> Any:
    found = ix.get(article_id)
    if found is None:
        raise NotFound(f"no article with id {article_id!r}")
    return found


def _saved_exists(ix: NewsIndex, name: str) -> None:
    if name.strip() not in {s.name for s in ix.saved.list()}:
        raise NotFound(f"no saved search named {name!r}")


def _reject_params(request: Request) -> None:
    """An address without parameters refuses any (but ``token``), as the others refuse unknown ones."""
    no_params(_params(request))


def _answering(work: Callable[[Request], dict[str, Any]]) -> _Endpoint:
    """An endpoint: ``work``'s body as JSON, or the error it raised as the API's JSON error."""

    def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(work(request))
        except Exception as exc:  # noqa: BLE001 - every error is an answer; a bug's traceback goes to the log
            problem = logged_problem(exc, request.method, request.url.path)
            return _problem_response(problem)

    return endpoint


def _framework_problem(request: Request, exc: Exception) -> Problem:
    """The framework's own refusals (no such address, a method not taken) as a :class:`Problem`."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return problem_for(NotFound(f"no address {request.url.path!r} here; the API is described at /api/openapi.json"))
    if status == 405:
        return Problem(405, "MethodNotAllowed", f"{request.method} is not taken by {request.url.path} (the API describes each address's methods at /api/openapi.json)",
                       dict(getattr(exc, "headers", None) or {}))
    return Problem(status, "HTTPError", str(getattr(exc, "detail", "")) or "the request cannot be answered")


def create_app(config: ServeConfig) -> Starlette:
    """The application one worker serves."""
    api = Api(config)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # open the index before the first request, so that it does not wait for it; an index that
        # cannot be read now is the first request's 503, not a worker that fails to start
        with contextlib.suppress(NewsSearchError):
            api.holder.use(len)
        yield
        api.holder.close()

    routes: list[Any] = list(api.routes())
    # the pages (search, article, their stylesheet): server-rendered HTML over the same index
    pages = Pages(api.holder, config.bounds)
    routes += pages.routes()
    routes += SavedPages(config, api.holder, pages).routes()  # /saved and its forms

    async def http_error(request: Request, exc: Exception) -> Response:
        # a browser that asks for an address that is not there is shown a page; a program, JSON
        problem = _framework_problem(request, exc)
        return pages.error_page(request, problem) if wants_page(request.scope) else _problem_response(problem)

    # outermost: a trusted proxy's X-Forwarded-* headers become the scope every layer reads (proxy.py)
    middleware = [Middleware(ForwardedHeaders, trusted=TrustedProxies(config.forwarded_allow_ips)), Middleware(AccessLog), Middleware(SecurityHeaders)]
    if config.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(config.cors), allow_methods=["GET"], allow_headers=["Authorization"]))
    middleware.append(Middleware(Guard, read_token=config.read_token, page=pages.error_page, write_token=config.write_token))
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error}, lifespan=lifespan)


def app_from_environment() -> Starlette:
    """The application as ``newssearch serve`` configured it (:data:`~newssearch.web.config.CONFIG_VARIABLE`): the workers' factory.

    A worker of several ends, as if stopped, when ``serve`` dies: killed
    outright, it runs no clean-up, and its workers went on answering on its
    port as children of init."""
    parent = os.environ.get(PARENT_VARIABLE, "")
    if parent.isdigit() and int(parent) != os.getpid():
        die_with_parent(int(parent), signal.SIGTERM)
    return create_app(ServeConfig.from_environment())
