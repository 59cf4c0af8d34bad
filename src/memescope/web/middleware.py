"""ASGI middleware around the whole app: security headers on every response (errors and crashes too), a
cap on request bodies, refusal of control characters in the address, and session cookies marked Secure
whenever the request came over HTTPS.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: it wraps the app from outside, so a response that
an unhandled exception produced still passes through it, and it never buffers a response body.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_to_bytes

__all__ = ["SecurityMiddleware", "SchemeSessions", "SECURITY_HEADERS", "MAX_BODY_BYTES"]

log = logging.getLogger(__name__)

# scripts only from this origin (htmx); inline SVG figures carry style attributes, hence style-src
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
# an upload is at most 8 MB; the multipart envelope and the form fields around it fit in the rest
MAX_BODY_BYTES = 9 * 1024 * 1024
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")

_ERROR_PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title>'
    b'<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>Something went wrong</h1>'
    b"<p>The server could not answer this request. It has been logged; please try again later.</p>"
    b'<p><a href="/">Back to the templates</a></p></main></body></html>'
)


def _plain(status: int, text: str) -> tuple[dict, dict]:
    body = text.encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
    }
    return start, {"type": "http.response.body", "body": body}


class SecurityMiddleware:
    """Security headers on every HTTP response; `Cache-Control: no-store` unless the route chose a cache
    policy (pages carry a CSRF token and, logged in, personal data: no cache may keep them); 400 for
    control characters in the path or query; 413 for bodies over `max_body` bytes; a plain 500 page,
    with the same headers, for anything that raised."""

    def __init__(self, app, max_body: int = MAX_BODY_BYTES):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", [])]
                names = {k.lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        refused = self._refuse(scope)
        if refused is not None:
            for message in refused:
                await send_with_headers(message)
            return
        try:
            await self.app(scope, self._capped(receive), send_with_headers)
        except _TooLarge:
            if not started:
                for message in _plain(413, "the request is too large"):
                    await send_with_headers(message)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"content-length", str(len(_ERROR_PAGE)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": _ERROR_PAGE})

    def _refuse(self, scope) -> tuple[dict, dict] | None:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if _CONTROL.search(unquote_to_bytes(raw_path)) or _CONTROL.search(
            unquote_to_bytes(scope.get("query_string", b""))
        ):
            return _plain(400, "control characters are not allowed in an address")
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    if int(v) > self.max_body:
                        return _plain(413, f"the request is larger than {self.max_body // (1024 * 1024)} MB")
                except ValueError:
                    return _plain(400, "bad Content-Length")
        return None

    def _capped(self, receive):
        seen = 0

        async def wrapped():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return message

        return wrapped


class _TooLarge(Exception):
    pass


class SchemeSessions:
    """Starlette's signed-cookie sessions, with the cookie marked Secure when the request came over HTTPS
    (directly, or through a proxy whose X-Forwarded-Proto the server trusts) or when `https_only`."""

    def __init__(self, app, https_only: bool = False, **options):
        from starlette.middleware.sessions import SessionMiddleware

        self.secure = SessionMiddleware(app, https_only=True, **options)
        self.plain = self.secure if https_only else SessionMiddleware(app, https_only=False, **options)

    async def __call__(self, scope, receive, send):
        chosen = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await chosen(scope, receive, send)
