"""The addresses that other programs follow: suggestions, Atom feeds, the OpenSearch description, downloads.

Each is a thin function over the library, as the JSON API's are
(:mod:`.app`): parameters read by :mod:`.params`, the index used through the
worker's :class:`~.holder.IndexHolder`, errors answered as the API's JSON
errors (:mod:`.problems`). What differs is the body: XML built by
:mod:`.atom` and :mod:`.opensearch`, the ``[query, [completions]]`` array
browsers ask an OpenSearch engine for, or a file streamed by
:mod:`.downloads`. Every address they name is built from the request's base
URL, so a server behind a proxy under a path prefix (ASGI ``root_path``)
links under that prefix.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Send

from ..errors import NotFound, SearchTimedOut
from ..index import NewsIndex
from ..search.request import SearchRequest
from .atom import ATOM_TYPE, alert_entry, atom_feed, hit_entry
from .downloads import (
    CSV_TYPE,
    JSONL_TYPE,
    PAGE_ROWS,
    Download,
    csv_chunks,
    filename,
    jsonl_chunks,
)
from .holder import IndexHolder
from .opensearch import OPENSEARCH_TYPE, SUGGESTIONS_TYPE, description
from .params import (
    FEED_ENTRIES,
    Bounds,
    Params,
    download_request,
    feed_request,
    no_params,
    suggest_options,
)
from .problems import logged_problem

__all__ = ["Syndication", "base_url"]

_Endpoint = Callable[[Request], Response]
#: Parameters never repeated in an address the server writes (a feed's own link, its id).
_PRIVATE = frozenset({"token", "timeout"})


def base_url(request: Request) -> str:
    """The server's address as the client reached it, path prefix included, ending in ``/``."""
    base = str(request.base_url)
    return base if base.endswith("/") else base + "/"


def _params(request: Request) -> Params:
    found: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        found.setdefault(name, []).append(value)
    return found


def _public_query(request: Request) -> str:
    """The request's query string without the token (which a feed must never repeat) or the time budget."""
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in _PRIVATE])


class _Streamed(StreamingResponse):
    """A download streamed as it is written. When its search runs out of time part way, the
    transfer ends without its last chunk (the client sees it unfinished, never a short file
    that looks whole) and the log has one line: a search over budget is no bug to trace."""

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        except SearchTimedOut as exc:
            print(f"newssearch serve: a download ended unfinished: {exc}", file=sys.stderr)


def _answering(work: _Endpoint) -> _Endpoint:
    """An endpoint: ``work``'s answer, or the error it raised as the API's JSON error."""

    def endpoint(request: Request) -> Response:
        try:
            return work(request)
        except Exception as exc:  # noqa: BLE001 - every error is an answer; a bug's traceback goes to the log
            problem = logged_problem(exc, request.method, request.url.path)
            return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)

    return endpoint


class Syndication:
    """The endpoints of one worker beyond the JSON API's pages, over the worker's index."""

    def __init__(self, holder: IndexHolder, bounds: Bounds) -> None:
        self.holder = holder
        self.bounds = bounds

    def routes(self) -> list[Route]:
        """Every address this module answers (GET only)."""
        table: list[tuple[str, _Endpoint]] = [
            ("/api/suggest", self.suggest_json),
            ("/suggest", self.suggest_opensearch),
            ("/feed", self.search_feed),
            ("/saved/{name}/feed", self.saved_feed),
            ("/opensearch.xml", self.opensearch),
            ("/api/search.csv", self.download_csv),
            ("/api/search.jsonl", self.download_jsonl),
        ]
        return [Route(path, _answering(work), methods=["GET"]) for path, work in table]

    # --- search-as-you-type ---------------------------------------------------
    def suggest_json(self, request: Request) -> Response:
        """``GET /api/suggest?q=PREFIX``: completions with their kind and weight."""
        prefix, size = suggest_options(_params(request))
        found = self.holder.use(lambda ix: ix.complete(prefix, size))
        return JSONResponse({"query": prefix, "suggestions": [{"text": c.text, "kind": c.kind, "weight": c.weight} for c in found]})

    def suggest_opensearch(self, request: Request) -> Response:
        """``GET /suggest?q=PREFIX``: what a browser asks an OpenSearch engine, ``[query, [completions]]``."""
        prefix, size = suggest_options(_params(request))
        found = self.holder.use(lambda ix: ix.complete(prefix, size))
        return JSONResponse([prefix, [c.text for c in found]], media_type=SUGGESTIONS_TYPE)

    # --- feeds ------------------------------------------------------------------
    def search_feed(self, request: Request) -> Response:
        """``GET /feed?q=...``: the newest stories the search matches, as Atom."""
        wanted = feed_request(_params(request), self.bounds)
        results = self.holder.use(lambda ix: ix.search(wanted))
        # an undated article is as new as the newest dated one: the feed's time stays put between polls
        newest = max((hit.article.published for hit in results if hit.article.published), default=datetime.now(timezone.utc))
        entries = [hit_entry(hit, newest) for hit in results]
        query = _public_query(request)
        title = f"newssearch: {wanted.query.strip()}" if wanted.query.strip() else "newssearch: the newest stories"
        return self._atom(request, entries, feed_id=f"search?{query}", title=title, html=f"search?{query}")

    def saved_feed(self, request: Request) -> Response:
        """``GET /saved/{name}/feed``: a saved search's alerts, newest first, as Atom (none is marked read)."""
        no_params(_params(request))
        name = request.path_params["name"]

        def work(ix: NewsIndex) -> tuple[Any, list[Any]]:  # one use of the index: the search and its alerts as of one moment
            if name.strip() not in {s.name for s in ix.saved.list()}:
                raise NotFound(f"no saved search named {name!r}")
            return ix.saved.get(name), ix.saved.alerts(name)[-FEED_ENTRIES:][::-1]

        saved, alerts = self.holder.use(work)
        entries = [alert_entry(alert) for alert in alerts]
        html = f"search?{urlencode({'q': saved.query})}"
        return self._atom(request, entries, feed_id=f"saved/{name}", title=f"newssearch: {name}", html=html)

    def _atom(self, request: Request, entries: list[Any], *, feed_id: str, title: str, html: str) -> Response:
        base = base_url(request)
        query = _public_query(request)
        self_url = str(request.url.replace(query=query)) if query else str(request.url.replace(query=""))
        updated = max((e.updated for e in entries), default=datetime.now(timezone.utc))
        body = atom_feed(entries, feed_id=feed_id, title=title, self_url=self_url.rstrip("?"), html_url=base + html, base_url=base, updated=updated)
        return Response(body, media_type=ATOM_TYPE)

    # --- OpenSearch -------------------------------------------------------------
    def opensearch(self, request: Request) -> Response:
        """``GET /opensearch.xml``: how a browser adds this server as a search engine."""
        no_params(_params(request))
        return Response(description(base_url(request)), media_type=OPENSEARCH_TYPE)

    # --- downloads --------------------------------------------------------------
    def download_csv(self, request: Request) -> Response:
        """``GET /api/search.csv?q=...``: every hit (up to the row cap) as ``search --csv`` writes them."""
        wanted = download_request(_params(request), self.bounds)
        cap = self.bounds.max_rows

        def search(req: SearchRequest) -> Any:
            return self.holder.use(lambda ix: ix.search(req))

        started = time.monotonic()
        first = search(wanted.replace(limit=min(PAGE_ROWS, cap), offset=0))
        planned = Download(rows=min(first.total, cap), matches=first.total)
        chunks = csv_chunks(first, wanted, planned.rows, search, wanted.tz, started)
        return _Streamed(chunks, media_type=CSV_TYPE, headers=planned.headers(cap, filename(wanted.query, "csv")))

    def download_jsonl(self, request: Request) -> Response:
        """``GET /api/search.jsonl?q=...``: every matching article in full (up to the row cap), as ``newssearch export``."""
        wanted = download_request(_params(request), self.bounds)
        cap = self.bounds.max_rows
        found = self.holder.use(lambda ix: ix.export(wanted))
        planned = Download(rows=min(len(found), cap), matches=len(found))
        return _Streamed(jsonl_chunks(found, planned.rows), media_type=JSONL_TYPE, headers=planned.headers(cap, filename(wanted.query, "jsonl")))
