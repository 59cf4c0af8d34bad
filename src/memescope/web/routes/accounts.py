"""Accounts: registration, login and logout (server-side sessions), the account page with a password
change, and public profiles."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..db import User
from ..deps import check_csrf, client_ip, current_user, limited, require_user, state
from ..pages import render
from ..security import (
    form_text,
    hash_password,
    new_csrf_token,
    session_digest,
    valid_name,
    verify_password,
    verify_unknown,
)
from ..state import now

__all__ = ["router", "SESSION_DAYS"]

router = APIRouter()

SESSION_DAYS = 14
_PASSWORD_RULE = "a password has 10 to 256 characters, and no control characters"


def _password_ok(password: str) -> bool:
    return 10 <= len(password) <= 256 and password == form_text(password, 256, multiline=True)


def start_session(request: Request, user_id: int, dest: str) -> RedirectResponse:
    """A fresh server-side session (and CSRF token) at every login: nothing from before carries over."""
    sid = secrets.token_urlsafe(32)
    state(request).db.start_session(session_digest(sid), user_id, now(), now(timedelta(days=SESSION_DAYS)))
    request.session.clear()
    request.session.update(sid=sid, csrf=new_csrf_token())
    # only local paths: no open redirect
    local = dest.startswith("/") and not dest.startswith("//") and "\\" not in dest
    return RedirectResponse(dest if local else "/", status_code=303)


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request):
    return render(request, "register.html.j2", error=None)


@router.post("/register", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def register(
    request: Request,
    name: str = Form("", max_length=200),
    email: str = Form("", max_length=400),
    password: str = Form("", max_length=1000),
):
    db = state(request).db
    limited(request, "register", client_ip(request))
    name, email = form_text(name, 64), form_text(email, 200)
    error = None
    if not valid_name(name):
        error = "a name has 3-32 letters, digits, '.', '_' or '-'"
    elif len(email) > 200:
        error = "an email address has at most 200 characters"
    elif not _password_ok(password):
        error = _PASSWORD_RULE
    elif db.name_taken(name):  # names are public (they sign comments): saying so reveals nothing
        error = "that name is taken"
    if error:
        return render(request, "register.html.j2", status=400, error=error)
    try:
        uid = db.create_user(name, email or None, hash_password(password), now())
    except Exception as exc:  # two registrations of one name at once: the UNIQUE constraint decides
        if "unique" not in str(exc).lower():
            raise
        return render(request, "register.html.j2", status=400, error="that name is taken")
    return start_session(request, uid, "/")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return render(request, "login.html.j2", error=None)


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    name: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    next: str = Form("/", max_length=2000),
):
    db = state(request).db
    limited(request, "login_ip", client_ip(request))
    name = form_text(name, 64)
    limited(request, "login_name", name.lower())
    u = db.user(name, any_case=True)
    # an unknown name costs the same Argon2 check as a known one: the timing tells no names
    if u is None or not verify_password(db.password_hash(u.id) or "", password):
        if u is None:
            verify_unknown(password)
        return render(request, "login.html.j2", status=400, error="wrong name or password")
    if u.banned:
        return render(request, "login.html.j2", status=403, error="this account is banned")
    return start_session(request, u.id, next)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request):
    sid = request.session.get("sid")
    if isinstance(sid, str):
        state(request).db.end_session(session_digest(sid))
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request):
    me = current_user(request)
    if me is None:
        return RedirectResponse("/login", status_code=303)
    return render(
        request,
        "account.html.j2",
        mine=state(request).db.comments_by(me.id),
        error=None,
        done=request.query_params.get("changed") == "1",
    )


@router.post("/account/password", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def change_password(
    request: Request,
    current: str = Form("", max_length=1000),
    new: str = Form("", max_length=1000),
    me: User = Depends(require_user),
):
    db = state(request).db
    limited(request, "login_name", me.name.lower())
    error = None
    if not verify_password(db.password_hash(me.id) or "", current):
        error = "the current password is wrong"
    elif not _password_ok(new):
        error = _PASSWORD_RULE
    if error:
        return render(request, "account.html.j2", status=400, mine=db.comments_by(me.id), error=error, done=False)
    db.set_password(me.id, hash_password(new))  # every other device is logged out
    return start_session(request, me.id, "/account?changed=1")


@router.get("/u/{name}", response_class=HTMLResponse)
def profile(request: Request, name: str):
    db = state(request).db
    u = db.user(name)
    if u is None:
        raise HTTPException(404, "no such user")
    return render(request, "profile.html.j2", u=u, comments=db.visible_comment_count(u.id))
