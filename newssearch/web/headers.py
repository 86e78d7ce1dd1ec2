"""The headers every answer carries that tell a browser what a page may do.

Every article field is untrusted: a headline scraped from any site may hold
``<script>`` or ``<img onerror=...>``. The templates escape it; the
Content-Security-Policy is the second wall, should an escape ever be
missed: no inline script or handler runs, scripts and styles come from
this server only (nothing from another host: no CDN fonts, scripts or
styles), no plugin, no ``<base>`` that re-points relative links, and no
other site may frame the pages (clickjacking). ``nosniff`` stops a browser
from running a JSON answer or a stylesheet as something else, and the
referrer policy keeps a search's address (its query, perhaps a read token)
from reaching the sites an article links to. The saved searches' page sets
``same-origin`` instead: with ``no-referrer`` a browser sends its forms'
POSTs with ``Origin: null``, and the forms are checked by their Origin.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "REFERRER_POLICY", "SecurityHeaders"]

#: The policy of every HTML answer.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none';"
    " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Other sites learn nothing of the page a reader came from.
REFERRER_POLICY = "no-referrer"


class SecurityHeaders:
    """Adds ``X-Content-Type-Options: nosniff`` to every answer, and the CSP and referrer policy to every HTML one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if kind.startswith(b"text/html"):
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")))
                    if not any(k.lower() == b"referrer-policy" for k, _v in headers):  # a page may ask for its own (web/savedpage.py)
                        headers.append((b"referrer-policy", REFERRER_POLICY.encode("ascii")))
                    headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
