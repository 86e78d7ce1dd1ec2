"""The API's writes: add and remove a saved search, delete one article.

Off unless ``serve`` was given a write token (``--write-token`` or
``NEWSSEARCH_WRITE_TOKEN``): without one, every write is 403 whatever it
carries, so a server started to be read cannot be written by mistake. With
one, each write needs ``Authorization: Bearer TOKEN`` (401 without it or
with another), compared with :func:`hmac.compare_digest`. A browser cannot
add that header from another site without CORS, which never allows these
methods, so the API needs no CSRF token (the page's forms do: :mod:`.csrf`).

A saved search is checked as ``newssearch saved add`` checks it (the
library's :meth:`~newssearch.live.saved.SavedSearches.add` does the work,
so the messages are the CLI's): a bad name, option, date or query is 400, a
name taken 409 (unless ``"replace": true``). Saved searches live in
``saved.sqlite`` beside the index, not under the index's write lock, so
they are added and removed while ``index`` or ``follow`` runs.

Deleting an article needs the index's write lock. When ``index`` or
``follow`` holds it, the delete waits :data:`LOCK_WAIT` seconds (the time a
``follow`` round's commit usually takes to finish, and short enough that a
client is not left hanging), then answers 503 with ``Retry-After``. The
delete opens its own index for that, so the wait does not hold up the
worker's searches, which share :class:`~.holder.IndexHolder`'s index one
request at a time; the worker's index sees the delete at its next request,
as it sees any commit. Only one article per request: deleting by a query
stays on the command line (``newssearch delete --query``), where its count
is shown and confirmed.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import AccessDenied, ConfigError, Forbidden, IndexLocked, NotFound
from ..index import NewsIndex, open_index
from ..search.request import MAX_LIMIT, SORTS
from .config import ServeConfig
from .encode import saved_body
from .holder import IndexHolder
from .params import no_params
from .problems import logged_problem

__all__ = ["LOCK_WAIT", "SAVED_FIELDS", "Writes", "saved_fields"]

#: Seconds a delete waits for the index's write lock before answering 503.
LOCK_WAIT = 2.0
#: What a saved search is sent with (the options of ``saved add``), each with its JSON type.
SAVED_FIELDS: dict[str, str] = {
    "name": "string", "query": "string", "since": "string", "until": "string", "tz": "string",
    "source": "list", "section": "list", "agency": "list", "lang": "list",
    "sort": "string", "match": "string", "half_life": "string", "limit": "integer", "replace": "boolean",
}

_Work = Callable[[Request], Awaitable[Response]]


def saved_fields(fields: Mapping[str, Any]) -> tuple[str, str, dict[str, Any], bool]:
    """``(name, query, options, replace)`` from a saved search as sent (JSON, or the page's form),
    each field checked for its type; the library checks the values, as for ``saved add``."""
    unknown = sorted(set(fields) - set(SAVED_FIELDS))
    if unknown:
        raise ConfigError(f"a saved search has no field {unknown[0]!r} (it takes {', '.join(SAVED_FIELDS)})", option=unknown[0])
    options: dict[str, Any] = {}
    for key, kind in SAVED_FIELDS.items():
        value = fields.get(key)
        if value is None:
            continue
        if kind == "list":
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"field {key!r} must be a string or a list of strings", option=key)
            value = [v.strip() for v in values if v.strip()]
        elif kind == "integer" and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_LIMIT):
            raise ConfigError(f"field {key!r} must be a whole number from 1 to {MAX_LIMIT}", option=key)
        elif kind == "boolean" and not isinstance(value, bool):
            raise ConfigError(f"field {key!r} must be true or false", option=key)
        elif kind == "string":
            if not isinstance(value, str):
                raise ConfigError(f"field {key!r} must be a string", option=key)
            value = value.strip()
        options[key] = value
    name = options.pop("name", "")
    if not name:
        raise ConfigError("a saved search needs a name", option="name")
    if options.get("sort") and options["sort"] not in SORTS:
        raise ConfigError(f"field 'sort' must be one of {', '.join(SORTS)}, not {options['sort'][:40]!r}", option="sort")
    if options.get("match") and options["match"] not in ("all", "any"):
        raise ConfigError(f"field 'match' must be all or any, not {options['match'][:40]!r}", option="match")
    query = options.pop("query", "")
    replace = bool(options.pop("replace", False))
    return name, query, {k: v for k, v in options.items() if v not in ("", [])}, replace


def add_saved(ix: NewsIndex, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Save the search ``fields`` describe; its JSON body (as ``GET /api/saved/{name}``)."""
    name, query, options, replace = saved_fields(fields)
    saved = ix.saved.add(name, query, replace=replace, **options)
    return saved_body(saved, len(ix.saved.unread(saved.name)))


def remove_saved(ix: NewsIndex, name: str) -> None:
    """Forget the saved search ``name`` and its alerts (:class:`NotFound` when there is none)."""
    if name.strip() not in {s.name for s in ix.saved.list()}:
        raise NotFound(f"no saved search named {name!r}")
    ix.saved.remove(name)


class Writes:
    """The write endpoints of one worker."""

    def __init__(self, config: ServeConfig, holder: IndexHolder) -> None:
        self.config = config
        self.holder = holder
        self._token = config.write_token.encode("utf-8") if config.write_token else None

    def routes(self) -> list[Route]:
        """``POST /api/saved``, ``DELETE /api/saved/{name}``, ``DELETE /api/articles/{article_id}``."""
        return [
            Route("/api/saved", self._writing(self.add), methods=["POST"]),
            Route("/api/saved/{name}", self._writing(self.remove), methods=["DELETE"]),
            Route("/api/articles/{article_id}", self._writing(self.delete), methods=["DELETE"]),
        ]

    def authorize(self, request: Request) -> None:
        """Refuse the request unless writes are on and it carries the write token."""
        if self._token is None:
            raise Forbidden("writes are off on this server: start it with --write-token (or NEWSSEARCH_WRITE_TOKEN) to allow them")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise AccessDenied("a write needs the server's write token: send 'Authorization: Bearer TOKEN'")
        if not hmac.compare_digest(given.strip().encode("utf-8"), self._token):
            raise AccessDenied("the token given is not this server's write token")

    def _writing(self, work: Callable[[Request, bytes], Response]) -> _Work:
        """An endpoint: the token checked, the body read, then ``work`` in the thread pool; errors as the API's JSON errors."""

        async def endpoint(request: Request) -> Response:
            try:
                self.authorize(request)
                no_params({k: [v] for k, v in request.query_params.items()})
                body = await request.body()
                return await run_in_threadpool(work, request, body)
            except Exception as exc:  # noqa: BLE001 - every error is an answer; a bug's traceback goes to the log
                problem = logged_problem(exc, request.method, request.url.path)
                return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)

        return endpoint

    def add(self, request: Request, body: bytes) -> Response:
        """``POST /api/saved``: save a search (a JSON object: name, query, the options of ``saved add``); 201."""
        try:
            fields = json.loads(body or b"null")
        except ValueError as exc:
            raise ConfigError(f"the request's body is not JSON: {exc}") from None
        if not isinstance(fields, dict):
            raise ConfigError('the request\'s body must be a JSON object, as {"name": "opec", "query": "opec output"}')
        made = self.holder.use(lambda ix: add_saved(ix, fields))
        where = str(request.scope.get("root_path", "")).rstrip("/") + "/api/saved/" + quote(made["name"], safe="")
        return JSONResponse(made, status_code=201, headers={"Location": where})

    def remove(self, request: Request, body: bytes) -> Response:
        """``DELETE /api/saved/{name}``: forget a saved search and its alerts."""
        name = request.path_params["name"]
        self.holder.use(lambda ix: remove_saved(ix, name))
        return JSONResponse({"removed": name.strip()})

    def delete(self, request: Request, body: bytes) -> Response:
        """``DELETE /api/articles/{id}``: delete one article, named by its full id (a prefix is refused, as
        ``newssearch delete`` refuses one without ``--yes``: there is no one to confirm what it matched)."""
        given = request.path_params["article_id"]
        with open_index(self.holder.path) as ix:  # its own index: waiting for the lock must not hold up this worker's searches
            article = ix.get(given)
            if article is None:
                raise NotFound(f"no article with id {given!r}")
            if article.id != given:
                raise ConfigError(f"{given!r} is a prefix of the id {article.id}: a delete takes the full id", option="article_id")
            try:
                with ix.writer(timeout=LOCK_WAIT) as writer:
                    writer.delete(article.id)
            except IndexLocked as exc:  # the CLI's advice (--wait) means nothing over HTTP: what to do here
                held = str(exc).split(";")[0]
                raise IndexLocked(f"{held}; waited {LOCK_WAIT:g} s for it: ask again after Retry-After") from None
        return JSONResponse({"deleted": article.id})
