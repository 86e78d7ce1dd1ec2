"""The write session of the saved searches' page, and its defence against cross-site requests.

A browser cannot send ``Authorization: Bearer`` from a plain form, so the
page asks for the write token once (``POST /saved/signin``) and answers
with a session cookie: ``HttpOnly`` (no script reads it), ``SameSite=Strict``
(a browser never sends it with a request another site started) and
``Secure`` when the page came over HTTPS. The cookie does not hold the
token: it holds a random session id, when it was issued, and an HMAC of
both keyed by the write token, so a stolen cookie does not reveal the token
and every worker process checks it without shared storage (changing the
token ends every session).

Every form that writes carries a CSRF token as well: an HMAC of the session
id under the same key, put in the page as a hidden field. Starlette has no
CSRF protection of its own; this is the signed double-submit pattern. It is
stateless, so it works across ``--workers`` processes; a page from another
site can neither read the cookie nor our page, so cannot know the token;
and a cookie planted by a neighbouring host (cookie tossing) cannot carry a
valid signature. On top of it, :func:`check_origin` refuses a write whose
``Origin`` (or, without one, ``Referer``) is not this server: either check
alone would stop the attacks known today; both are asked, so that a browser
bug in one does not open the door.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

from starlette.requests import Request

from ..errors import Forbidden

__all__ = ["COOKIE_NAME", "SESSION_SECONDS", "Sessions", "check_origin"]

#: The session cookie's name.
COOKIE_NAME = "newssearch_write"
#: How long a session lasts before the token must be entered again (a working day).
SESSION_SECONDS = 12 * 3600


class Sessions:
    """Issues and checks write sessions and their CSRF tokens, keyed by the server's write token."""

    def __init__(self, write_token: str) -> None:
        self._key = hashlib.sha256(b"newssearch write session\0" + write_token.encode("utf-8")).digest()
        self._token = write_token.encode("utf-8")

    def token_matches(self, given: str) -> bool:
        """Whether ``given`` is the write token (in constant time)."""
        return hmac.compare_digest(given.encode("utf-8"), self._token)

    def issue(self, now: float | None = None) -> str:
        """A new session's cookie value: ``id.issued.signature``."""
        session_id = secrets.token_urlsafe(24)
        issued = str(int(time.time() if now is None else now))
        return f"{session_id}.{issued}.{self._sign('session', session_id, issued)}"

    def session(self, cookie: str | None, now: float | None = None) -> str | None:
        """The session id of a valid, unexpired cookie, else None."""
        if not cookie or cookie.count(".") != 2:
            return None
        session_id, issued, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign("session", session_id, issued)):
            return None
        age = (time.time() if now is None else now) - int(issued) if issued.isdigit() else -1
        return session_id if 0 <= age <= SESSION_SECONDS else None

    def csrf_token(self, session_id: str) -> str:
        """The CSRF token that the session's forms carry."""
        return self._sign("csrf", session_id)

    def check_csrf(self, session_id: str | None, given: str | None) -> None:
        """Raise :class:`Forbidden` unless ``given`` is the CSRF token of a valid session."""
        if session_id is None:
            raise Forbidden("this form needs the write token first: enter it on the saved searches page (or the session expired)")
        if not given or not hmac.compare_digest(given, self.csrf_token(session_id)):
            raise Forbidden("this form was not sent from this server's page (its CSRF token is missing or wrong): reload the page and send it again")

    def _sign(self, purpose: str, *parts: str) -> str:
        message = "\0".join((purpose, *parts)).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def check_origin(request: Request) -> None:
    """Raise :class:`Forbidden` unless the request's ``Origin`` (else its
    ``Referer``) is this server's own origin, as the request reached it.

    A request with neither is refused: every browser sends ``Origin`` with a
    form's POST (the page's referrer policy lets it), and a program that
    writes uses the API with its bearer token, not the forms."""
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.rstrip("/").lower() != own:
            raise Forbidden(f"a form sent from another site ({origin[:100]}) is refused: writes come from this server's own pages")
        return
    referer = request.headers.get("referer")
    if referer is None:
        raise Forbidden("a form sent without an Origin or Referer header is refused: send it from this server's page")
    parts = urlsplit(referer)
    if f"{parts.scheme}://{parts.netloc}".lower() != own:
        raise Forbidden(f"a form sent from another page ({referer[:100]}) is refused: writes come from this server's own pages")
