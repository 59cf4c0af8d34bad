"""The discussion under every template ('t:NAME') and instance ('i:KEY'): threaded comments, paginated,
edited and deleted by their authors, flagged by anyone logged in."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..db import Comment, User, WebDB
from ..deps import check_csrf, current_user, limited, require_user, state
from ..pages import is_htmx, render
from ..security import form_text
from ..state import now

__all__ = ["router", "thread", "Thread", "PAGE", "MAX_COMMENT", "MAX_ID", "MAX_PAGE", "COMMENT_ID", "after_change"]

router = APIRouter()

PAGE = 20  # top-level comments per page
MAX_COMMENT = 5000  # characters in a comment
MAX_ID = 2**63 - 1  # database ids are signed 64-bit integers
MAX_PAGE = 100_000
COMMENT_ID = Path(..., ge=1, le=MAX_ID)


@dataclass(frozen=True)
class Thread:
    target: str
    comments: list[Comment]
    replies: dict[int, list[Comment]] = field(default_factory=dict)
    page: int = 1
    pages: int = 1
    total: int = 0
    url: str = "/"
    me: User | None = None


def target_url(target: str) -> str:
    kind, _, ident = target.partition(":")
    return f"/{kind}/{quote(ident, safe='')}"


def thread(db: WebDB, target: str, page_no: int, me: User | None) -> Thread:
    """Top-level comments newest first, PAGE per page, each with its replies oldest first (replies of
    replies flat under their top-level comment)."""
    total = db.thread_size(target)
    pages = max(1, math.ceil(total / PAGE))
    page_no = min(max(1, page_no), pages)
    top = db.top_comments(target, PAGE, (page_no - 1) * PAGE)
    root = {c.id: c.id for c in top}
    replies: dict[int, list[Comment]] = {}
    for r in db.replies_under([c.id for c in top]):  # oldest first: a reply's parent is placed before it
        parent = r.parent_id if r.parent_id is not None else r.id
        root[r.id] = root.get(parent, parent)
        replies.setdefault(root[r.id], []).append(r)
    return Thread(target, top, replies, page_no, pages, total, target_url(target), me)


def _target_exists(db: WebDB, target: str) -> None:
    kind, _, ident = target.partition(":")
    if not db.target_exists(kind, ident):
        raise HTTPException(404, "no such thread")


def comments_response(request: Request, target: str, page_no: int = 1):
    return render(request, "_comments.html.j2", t=thread(state(request).db, target, page_no, current_user(request)))


def after_change(request: Request, target: str):
    if is_htmx(request):
        return comments_response(request, target)
    return RedirectResponse(target_url(target) + "#discussion", status_code=303)


def comment_body(body: str) -> str:
    body = form_text(body, MAX_COMMENT, multiline=True)
    if not body or len(body) > MAX_COMMENT:
        raise HTTPException(400, f"a comment has 1 to {MAX_COMMENT} characters")
    return body


def _own_comment(db: WebDB, cid: int, me: User) -> Comment:
    c = db.comment(cid)
    if c is None or c.deleted:
        raise HTTPException(404, "no such comment")
    if c.user_id != me.id:
        raise HTTPException(403, "you can only change your own comments")
    return c


def _parent(db: WebDB, parent_id: str, target: str) -> int | None:
    if not parent_id:
        return None
    if not parent_id.isascii() or not parent_id.isdigit() or not 1 <= int(parent_id) <= MAX_ID:
        raise HTTPException(400, "bad parent")
    p = db.comment(int(parent_id))
    if p is None or p.target != target:
        raise HTTPException(400, "the reply's parent is not in this thread")
    return p.id


@router.get("/c/{target:path}", response_class=HTMLResponse)
def comments(request: Request, target: str, page_no: int = Query(1, ge=1, le=MAX_PAGE)):
    _target_exists(state(request).db, target)
    return comments_response(request, target, page_no)


@router.post("/c/{target:path}", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def post_comment(
    request: Request,
    target: str,
    body: str = Form("", max_length=4 * MAX_COMMENT),
    parent_id: str = Form("", max_length=20),
    me: User = Depends(require_user),
):
    db = state(request).db
    _target_exists(db, target)
    body = comment_body(body)
    limited(request, "comment", str(me.id))
    db.add_comment(target, _parent(db, parent_id, target), me.id, body, now())
    return after_change(request, target)


@router.post("/comment/{cid}/edit", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def edit_comment(
    request: Request,
    cid: int = COMMENT_ID,
    body: str = Form("", max_length=4 * MAX_COMMENT),
    me: User = Depends(require_user),
):
    db = state(request).db
    c = _own_comment(db, cid, me)
    db.edit_comment(cid, comment_body(body), now())
    return after_change(request, c.target)


@router.post("/comment/{cid}/delete", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def delete_comment(request: Request, cid: int = COMMENT_ID, me: User = Depends(require_user)):
    db = state(request).db
    c = _own_comment(db, cid, me)
    db.delete_comment(cid)
    return after_change(request, c.target)


@router.post("/comment/{cid}/flag", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def flag_comment(
    request: Request, cid: int = COMMENT_ID, reason: str = Form("", max_length=2000), me: User = Depends(require_user)
):
    db = state(request).db
    limited(request, "flag", str(me.id))
    c = db.comment(cid)
    if c is None or c.deleted:
        raise HTTPException(404, "no such comment")
    db.flag_comment(cid, me.id, form_text(reason, 200)[:200] or None, now())
    return after_change(request, c.target)
