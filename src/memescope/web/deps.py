"""The web app's dependencies: the shared state, the current user (from a server-side session), a user
who may take part, a moderator, the CSRF check and the rate limits."""

from __future__ import annotations

import math

from fastapi import Form, HTTPException, Request

from .db import User
from .security import csrf_ok, new_csrf_token, session_digest
from .state import WebState, now

__all__ = [
    "state",
    "current_user",
    "require_user",
    "require_moderator",
    "check_csrf",
    "csrf_token",
    "limited",
    "client_ip",
]


def state(request: Request) -> WebState:
    return request.app.state.memescope


def current_user(request: Request) -> User | None:
    """The logged-in user: the session cookie names a server-side session, which logout, a password
    change and a ban delete (a copied cookie then opens nothing)."""
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        return None
    # one lookup per request: a page asks for the user once for its thread and once for its header
    cached = getattr(request.state, "me", None)
    if cached is not None and cached[0] == sid:
        return cached[1]
    me = state(request).db.session_user(session_digest(sid), now())
    if me is None:
        request.session.pop("sid", None)
    request.state.me = (sid, me)
    return me


def require_user(request: Request) -> User:
    me = current_user(request)
    if me is None:
        raise HTTPException(401, "log in to take part")
    if me.banned:
        raise HTTPException(403, "this account is banned")
    return me


def require_moderator(request: Request) -> User:
    me = require_user(request)
    if not me.is_moderator:
        raise HTTPException(403, "moderators only")
    return me


def csrf_token(request: Request) -> str:
    tok = request.session.get("csrf")
    if not tok:
        tok = request.session["csrf"] = new_csrf_token()
    return tok


def check_csrf(request: Request, csrf: str = Form("")) -> None:
    """Every state change carries the session's token (form field, or X-CSRF-Token from HTMX)."""
    if not csrf_ok(request.session.get("csrf"), csrf or request.headers.get("x-csrf-token")):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def client_ip(request: Request) -> str:
    # the peer's address; the server rewrites it from X-Forwarded-For only for proxies the operator
    # named (memescope serve --forwarded-allow-ips), so a client cannot choose its own
    return request.client.host if request.client else "?"


def limited(request: Request, action: str, key: str) -> None:
    wait = state(request).limiter.hit(action, key)
    if wait:
        raise HTTPException(
            429, f"too many attempts: try again in {math.ceil(wait)} s", headers={"Retry-After": str(math.ceil(wait))}
        )
