"""The saved searches' page, ``/saved``: each saved search with its new alerts, and the forms that change them.

Reading it needs what every page needs (nothing, or the read token). Each
saved search is listed with its unread alerts (headline, outlet, date in the
reader's zone, ``?tz=`` as on the search page), a link to run it on the
search page and its Atom feed. With a write token configured, the page also
has forms: add a saved search, remove one, mark its alerts read. A form
cannot send ``Authorization``, so the page asks for the write token once
and keeps a signed session cookie instead; every form then carries a CSRF
token and is checked for its Origin (:mod:`.csrf` says how and why). The
forms post, then redirect back to the page (303), so reloading it never
sends a form twice.

Errors are shown on the page itself, with the status the API would answer
(400 for a bad query, 409 for a name taken, 403 for a form from elsewhere)
and the add form filled in as it was sent, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import AccessDenied, ConfigError, Forbidden, NewsSearchError, NotFound
from ..index import NewsIndex
from ..live.saved import Alert, SavedSearch
from ..search.request import SearchRequest
from .config import ServeConfig
from .csrf import COOKIE_NAME, SESSION_SECONDS, Sessions, check_origin
from .holder import IndexHolder
from .pages import Pages
from .params import SEARCH_PARAMS
from .problems import Problem, logged_problem, problem_for
from .views import State
from .writes import add_saved, remove_saved

__all__ = ["ALERTS_SHOWN", "SavedPages"]

#: The most unread alerts listed under one saved search (the newest; its feed and the API have them all).
ALERTS_SHOWN = 20
#: The parameters of the page itself.
_PAGE_PARAMS = frozenset({"tz", "token"})
#: What the add form sends, besides its CSRF token.
_ADD_FIELDS = ("name", "query", "since", "until", "source", "section", "agency", "lang", "sort", "match")
#: A page with forms: its Origin must reach us on POST (no-referrer would send ``Origin: null``), and it is never cached.
_PAGE_HEADERS = {"Referrer-Policy": "same-origin", "Cache-Control": "no-store"}

_Form = dict[str, str]


class SavedPages:
    """``/saved`` and its forms, for one worker."""

    def __init__(self, config: ServeConfig, holder: IndexHolder, pages: Pages) -> None:
        self.holder = holder
        self.pages = pages
        self.sessions = Sessions(config.write_token) if config.write_token else None

    def routes(self) -> list[Route]:
        """The page (GET) and its forms (POST)."""
        return [
            Route("/saved", self._page, methods=["GET"]),
            Route("/saved", self._form(self.add), methods=["POST"]),
            Route("/saved/signin", self._form(self.signin, session=False), methods=["POST"]),
            Route("/saved/signout", self._form(self.signout), methods=["POST"]),
            Route("/saved/{name}/remove", self._form(self.remove), methods=["POST"]),
            Route("/saved/{name}/read", self._form(self.mark_read), methods=["POST"]),
        ]

    # --- the page -----------------------------------------------------------
    def _page(self, request: Request) -> Response:
        unknown = sorted({k for k, _v in request.query_params.multi_items()} - _PAGE_PARAMS)
        try:
            if unknown:
                raise ConfigError(f"unknown parameter {unknown[0]!r} (this page takes tz)", option=unknown[0])
            return self.render(request)
        except Exception as exc:  # noqa: BLE001 - every error is a page; a bug's traceback goes to the log
            return self.pages.error_page(request, logged_problem(exc, request.method, request.url.path))

    def render(self, request: Request, *, problem: Problem | None = None, sent: _Form | None = None) -> Response:
        """The page, with ``problem`` shown above the forms and the add form filled from ``sent``."""
        state = State(request.query_params.multi_items(), _base(request))
        zone = SearchRequest.build("", tz=state.get("tz") or None).tz  # a bad zone is refused, named
        session_id = self.sessions.session(request.cookies.get(COOKIE_NAME)) if self.sessions else None
        listed = self.holder.use(lambda ix: _listed(ix, state))
        return self.pages.render(
            "saved.html", request, status=problem.status if problem else 200, headers={**_PAGE_HEADERS, **(problem.headers if problem else {})},
            state=state, zone=zone, listed=listed, problem=problem, sent=sent or {}, writes=self.sessions is not None,
            signed_in=session_id is not None, csrf=self.sessions.csrf_token(session_id) if self.sessions and session_id else "",
            keep=_kept(state), title="Saved searches - newssearch",
        )

    # --- the forms ----------------------------------------------------------
    def _form(self, work: Callable[[Request, _Form], Response], *, session: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """An endpoint for a form: writes on, the Origin ours, the body read, the CSRF token checked
        (but for signing in, which makes the session), then ``work`` in the thread pool."""

        async def endpoint(request: Request) -> Response:
            sent: _Form = {}
            try:
                if self.sessions is None:
                    raise Forbidden("writes are off on this server: start it with --write-token (or NEWSSEARCH_WRITE_TOKEN) to change saved searches here")
                check_origin(request)
                sent = _form_fields(request.headers.get("content-type", ""), await request.body())
                if session:
                    self.sessions.check_csrf(self.sessions.session(request.cookies.get(COOKIE_NAME)), sent.get("csrf"))
                return await run_in_threadpool(work, request, sent)
            except Exception as exc:  # noqa: BLE001 - every error is shown on the page
                problem = logged_problem(exc, request.method, request.url.path)
                return await run_in_threadpool(self._refused, request, problem, sent)

        return endpoint

    def _refused(self, request: Request, problem: Problem, sent: _Form) -> Response:
        try:
            return self.render(request, problem=problem, sent={k: v for k, v in sent.items() if k in _ADD_FIELDS})
        except Exception as exc:  # noqa: BLE001 - the page itself cannot be shown (the index unreadable): the error page
            shown = problem if problem.status >= 500 or not isinstance(exc, NewsSearchError) else problem_for(exc)
            return self.pages.error_page(request, shown)

    def signin(self, request: Request, sent: _Form) -> Response:
        """``POST /saved/signin``: the write token, once; a session cookie back."""
        assert self.sessions is not None  # checked by _form
        if not self.sessions.token_matches(sent.get("write_token", "")):
            raise AccessDenied("the token given is not this server's write token")
        answer = self._back(request)
        answer.set_cookie(COOKIE_NAME, self.sessions.issue(), max_age=SESSION_SECONDS, path=_base(request) or "/",
                          secure=request.url.scheme == "https", httponly=True, samesite="strict")
        return answer

    def signout(self, request: Request, sent: _Form) -> Response:
        """``POST /saved/signout``: forget the session cookie."""
        answer = self._back(request)
        answer.delete_cookie(COOKIE_NAME, path=_base(request) or "/", secure=request.url.scheme == "https", httponly=True, samesite="strict")
        return answer

    def add(self, request: Request, sent: _Form) -> Response:
        """``POST /saved``: save a search, as ``saved add`` (its checks, its messages)."""
        fields: dict[str, Any] = {k: v for k, v in sent.items() if k in _ADD_FIELDS and v.strip()}
        self.holder.use(lambda ix: add_saved(ix, fields))
        return self._back(request)

    def remove(self, request: Request, sent: _Form) -> Response:
        """``POST /saved/{name}/remove``: forget a saved search and its alerts."""
        name = request.path_params["name"]
        self.holder.use(lambda ix: remove_saved(ix, name))
        return self._back(request)

    def mark_read(self, request: Request, sent: _Form) -> Response:
        """``POST /saved/{name}/read``: mark read the alerts the page showed (up to ``through``), not one matched since."""
        name = request.path_params["name"]
        through = sent.get("through", "")
        if not through.isdigit():
            raise ConfigError(f"field 'through' must be an alert's number, not {through[:40]!r}", option="through")
        self.holder.use(lambda ix: _mark_read(ix, name, int(through)))
        return self._back(request)

    def _back(self, request: Request) -> Response:
        """Back to the page (303: the browser asks for it with GET), keeping its zone and read token."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k in _PAGE_PARAMS]
        return RedirectResponse(_base(request) + "/saved" + ("?" + urlencode(kept) if kept else ""), status_code=303)


def _kept(state: State) -> str:
    """The query string every form's address keeps: the reader's zone, and the read token the page was asked with."""
    kept = [(k, v) for k, v in state.pairs if k in _PAGE_PARAMS]
    return "?" + urlencode(kept) if kept else ""


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _form_fields(content_type: str, body: bytes) -> _Form:
    """A form's fields (the first value of each), from its urlencoded body."""
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise ConfigError(f"a form is sent as application/x-www-form-urlencoded, not {content_type[:60] or 'nothing'!r}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("the form's body is not UTF-8") from None
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _mark_read(ix: NewsIndex, name: str, through: int) -> None:
    if name.strip() not in {s.name for s in ix.saved.list()}:
        raise NotFound(f"no saved search named {name!r}")
    ix.saved.mark_read(name, through)


def _listed(ix: NewsIndex, state: State) -> list[dict[str, Any]]:
    """Each saved search as the page lists it: its links, and its unread alerts, newest (published) first."""
    return [_one(saved, ix.saved.unread(saved.name), state) for saved in ix.saved.list()]


def _newest_first(alert: Alert) -> tuple[bool, float, int]:
    """Published newest first, undated last; among equals, the latest matched first."""
    return (alert.published is None, -(alert.published.timestamp() if alert.published else 0.0), -alert.id)


def _one(saved: SavedSearch, unread: list[Alert], state: State) -> dict[str, Any]:
    reader = [(k, v) for k, v in state.pairs if k in _PAGE_PARAMS]
    pairs: list[tuple[str, str]] = [("q", saved.query)] if saved.query else []
    for key, value in saved.options.items():
        if key in SEARCH_PARAMS and key not in ("tz", "limit"):
            pairs += [(key, str(v)) for v in (value if isinstance(value, list) else [value])]
    token = [(k, v) for k, v in reader if k == "token"]
    feed = state.base + f"/saved/{quote(saved.name, safe='')}/feed" + ("?" + urlencode(token) if token else "")
    return {
        "saved": saved,
        "search": State([*pairs, *reader], state.base).link("/search"),
        "feed": feed,
        "action": state.base + f"/saved/{quote(saved.name, safe='')}",
        "unread": len(unread),
        "alerts": sorted(unread, key=_newest_first)[:ALERTS_SHOWN],
        "through": unread[-1].id if unread else 0,
    }

