"""Moderation: the queue of flagged comments, hiding a comment (moderators still see it) and banning a
user (which ends their sessions)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..db import User
from ..deps import check_csrf, require_moderator, state
from ..pages import render
from .discussion import COMMENT_ID, after_change

__all__ = ["router"]

router = APIRouter()


@router.get("/mod", response_class=HTMLResponse)
def mod_queue(request: Request, me: User = Depends(require_moderator)):
    return render(request, "mod.html.j2", flagged=state(request).db.flagged())


@router.post("/comment/{cid}/hide", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def hide_comment(
    request: Request, cid: int = COMMENT_ID, hidden: int = Form(1, ge=0, le=1), me: User = Depends(require_moderator)
):
    db = state(request).db
    c = db.comment(cid)
    if c is None:
        raise HTTPException(404, "no such comment")
    db.set_hidden(cid, bool(hidden))
    return after_change(request, c.target)


@router.post("/u/{name}/ban", dependencies=[Depends(check_csrf)])
def ban(request: Request, name: str, banned: int = Form(1, ge=0, le=1), me: User = Depends(require_moderator)):
    db = state(request).db
    u = db.user(name)
    if u is None:
        raise HTTPException(404, "no such user")
    if u.id == me.id:
        raise HTTPException(400, "moderators cannot ban themselves")
    db.set_banned(u.id, bool(banned))
    return RedirectResponse(f"/u/{quote(name, safe='')}", status_code=303)
