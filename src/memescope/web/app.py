"""`memescope serve`: FastAPI, server-rendered Jinja2 pages, HTMX for partial updates (progressive: every
form also works without JavaScript). One module of routes over the web database, the security helpers
and the analysis published into it."""


import json
import logging
import math
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import numpy as np

from ..exceptions import NotInstalledError
from ..report.build import kind_label
from .db import MARK_END, MARK_START, WebDB
from .security import (
    RateLimiter, UploadRefused, check_upload, csrf_ok, hash_password, new_csrf_token, render_comment,
    valid_name, verify_password,
)

# no "from __future__ import annotations": FastAPI reads the route annotations, whose types are
# imported inside create_app (the web extra is optional)
__all__ = ["create_app", "WebConfig", "find_htmx", "DEFAULT_LIMITS"]

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
HTMX_VERSION = "2.0.8"  # pinned; installed from npm (htmx.org) by `make install`, never copied into the repo

# (events, seconds) per action and key
DEFAULT_LIMITS = {
    "login_ip": (10, 60.0), "login_name": (5, 60.0), "register": (5, 600.0),
    "comment": (10, 60.0), "upload": (10, 60.0), "flag": (20, 60.0),
}
PAGE = 20


def find_htmx() -> Path | None:
    """htmx.min.js from $MEMESCOPE_HTMX, or an npm install beside the checkout or in the working folder."""
    env = os.environ.get("MEMESCOPE_HTMX")
    cands = [Path(env)] if env else []
    for base in (Path.cwd(), *HERE.parents):
        cands += [base / ".vendor" / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
                  base / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"]
    return next((p for p in cands if p.is_file()), None)


@dataclass
class WebConfig:
    secret: str | None = None
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    https_only: bool = False
    trust_proxy: bool = False


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _snippet(s: str | None):
    from markupsafe import Markup, escape

    s = str(escape(s or ""))
    return Markup(s.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


class _Dups:
    """Instance hashes in memory for near-duplicate search; reloaded when the publish changes."""

    def __init__(self):
        self.key = None
        self.keys: list[str] = []
        self.codes = np.zeros(0, dtype=np.uint64)

    def get(self, web: WebDB):
        from ..index.hamming import to_uint64

        fp = web.get_meta("published")
        if fp != self.key:
            rows = web.q("SELECT key, phash FROM web_instances WHERE phash IS NOT NULL ORDER BY key")
            self.keys = [r["key"] for r in rows]
            self.codes = to_uint64([r["phash"] for r in rows])
            self.key = fp
        return self.keys, self.codes

    def near(self, web: WebDB, views: list[int], exclude: str | None = None, radius: int = 10, limit: int = 12) -> list[tuple[str, int]]:
        """(key, distance) of instances within `radius` bits of any of the query's views, nearest first."""
        from ..index import hamming_matrix

        keys, codes = self.get(web)
        if not len(codes):
            return []
        dist = hamming_matrix(views, codes).min(axis=0)
        order = np.argsort(dist, kind="stable")
        return [(keys[j], int(dist[j])) for j in order[: limit + 1] if dist[j] <= radius and keys[j] != exclude][:limit]


def create_app(web: WebDB, config: WebConfig | None = None):
    """The ASGI app over an opened web database (publish the analysis into it first)."""
    try:
        from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
        from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
        from fastapi.templating import Jinja2Templates
        from starlette.middleware.sessions import SessionMiddleware
    except ImportError as exc:
        raise NotInstalledError(exc.name or "fastapi", "web") from None

    config = config or WebConfig()
    if os.environ.get("MEMESCOPE_RATE_LIMITS"):
        # e.g. '{"comment": [600, 60]}' for a load test: events per seconds, by action
        config.limits.update({k: (int(v[0]), float(v[1])) for k, v in json.loads(os.environ["MEMESCOPE_RATE_LIMITS"]).items()})
    secret = config.secret or os.environ.get("MEMESCOPE_SECRET") or web.get_meta("secret")
    if not secret:
        secret = secrets.token_urlsafe(48)  # kept in the database so sessions survive restarts
        web.set_meta("secret", secret)
    limiter = RateLimiter(config.limits)
    dups = _Dups()
    htmx = find_htmx()
    if htmx is None:
        log.warning("htmx.min.js not found (npm install htmx.org@%s): pages work without partial updates", HTMX_VERSION)

    app = FastAPI(title="memescope", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="memescope_session",
                       max_age=14 * 24 * 3600, same_site="lax", https_only=config.https_only)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # every template escapes by default: Jinja's autoescape picks by extension, and ours end in .j2
    templates.env.autoescape = True
    templates.env.filters["comment"] = render_comment
    templates.env.filters["snippet"] = _snippet
    templates.env.filters["q"] = lambda s: quote(str(s), safe="")
    templates.env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.0f}%"
    templates.env.filters["kindlabel"] = kind_label
    templates.env.filters["fromjson"] = lambda s: json.loads(s) if s else None
    app.state.web, app.state.limiter = web, limiter

    @app.middleware("http")
    async def headers(request: Request, call_next):
        resp = await call_next(request)
        # scripts only from this origin (htmx); inline SVG figures carry style attributes, hence style-src
        resp.headers["Content-Security-Policy"] = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                   "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "same-origin"
        return resp

    # -- helpers ----------------------------------------------------------------------------------
    def user(request: Request) -> dict | None:
        uid = request.session.get("uid")
        if uid is None:
            return None
        # one lookup per request: a page asks for the user once for its thread and once for its header
        cached = getattr(request.state, "me", None)
        if cached is not None and cached[0] == uid:
            return cached[1]
        u = web.one("SELECT id, name, email, is_moderator, banned, created_at FROM web_users WHERE id=?", (uid,))
        if u is None:
            request.session.clear()
        request.state.me = (uid, u)
        return u

    def csrf_token(request: Request) -> str:
        tok = request.session.get("csrf")
        if not tok:
            tok = request.session["csrf"] = new_csrf_token()
        return tok

    def guard(request: Request, form_token: str | None) -> None:
        if not csrf_ok(request.session.get("csrf"), form_token or request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")

    def ip(request: Request) -> str:
        if config.trust_proxy and request.headers.get("x-forwarded-for"):
            return request.headers["x-forwarded-for"].split(",")[0].strip()
        return request.client.host if request.client else "?"

    def limited(action: str, key: str) -> None:
        wait = limiter.hit(action, key)
        if wait:
            raise HTTPException(429, f"too many attempts: try again in {math.ceil(wait)} s", headers={"Retry-After": str(math.ceil(wait))})

    def page(request: Request, name: str, status: int = 200, **ctx):
        ctx.update(me=user(request), csrf=csrf_token(request), htmx=htmx is not None)
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def is_htmx(request: Request) -> bool:
        return request.headers.get("hx-request") == "true"

    def target_ok(target: str) -> bool:
        kind, _, ident = target.partition(":")
        if kind == "t":
            return web.one("SELECT 1 AS x FROM web_templates WHERE name=?", (ident,)) is not None
        if kind == "i":
            return web.one("SELECT 1 AS x FROM web_instances WHERE key=?", (ident,)) is not None
        return False

    def target_url(target: str) -> str:
        kind, _, ident = target.partition(":")
        return f"/{kind}/{quote(ident, safe='')}"

    def thread(target: str, page_no: int, me: dict | None) -> dict:
        """Top-level comments newest first, PAGE per page, each with its replies oldest first."""
        total = web.one("SELECT count(*) AS n FROM web_comments WHERE target=? AND parent_id IS NULL", (target,))["n"]
        pages = max(1, math.ceil(total / PAGE))
        page_no = min(max(1, page_no), pages)
        top = web.q(
            """SELECT c.*, u.name AS author FROM web_comments c JOIN web_users u ON u.id=c.user_id
               WHERE c.target=? AND c.parent_id IS NULL ORDER BY c.id DESC LIMIT ? OFFSET ?""",
            (target, PAGE, (page_no - 1) * PAGE),
        )
        replies: dict[int, list] = {}
        if top:
            ids = [c["id"] for c in top]
            marks = ",".join("?" * len(ids))
            # replies of replies are shown flat under their top-level comment, in order
            rows = web.q(
                f"""WITH RECURSIVE sub(id) AS (SELECT id FROM web_comments WHERE parent_id IN ({marks})
                        UNION ALL SELECT c.id FROM web_comments c JOIN sub ON c.parent_id = sub.id)
                    SELECT c.*, u.name AS author FROM web_comments c JOIN web_users u ON u.id=c.user_id
                    WHERE c.id IN (SELECT id FROM sub) ORDER BY c.id""",
                ids,
            )
            root = {c["id"]: c["id"] for c in top}
            for r in rows:
                root[r["id"]] = root.get(r["parent_id"], r["parent_id"])
                replies.setdefault(root[r["id"]], []).append(r)
        return {"target": target, "comments": top, "replies": replies, "page": page_no, "pages": pages, "total": total,
                "url": target_url(target), "me": me}

    def comments_response(request: Request, target: str, page_no: int = 1):
        me = user(request)
        return page(request, "_comments.html.j2", t=thread(target, page_no, me))

    # -- pages ------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        rows = web.q("SELECT name, description, instances, first_seen, uses, affect FROM web_templates ORDER BY rank")
        n = web.one("SELECT count(*) AS n FROM web_instances")["n"]
        return page(request, "index.html.j2", templates=rows, instances=n)

    @app.get("/t/{name}", response_class=HTMLResponse)
    def template_page(request: Request, name: str, page_no: int = 1):
        t = web.one("SELECT * FROM web_templates WHERE name=?", (name,))
        if t is None:
            raise HTTPException(404, "no such template")
        samples = web.q(
            """SELECT key, created_at, community, text, use, image_path FROM web_instances WHERE template=?
               ORDER BY created_at LIMIT 400""", (name,))
        step = max(1, len(samples) // 12)
        return page(request, "template.html.j2", t=t, summary=json.loads(t["summary"] or "{}"),
                    figures=json.loads(t["figures"] or "{}"), uses=json.loads(t["uses"] or "{}"),
                    contexts=json.loads(t["contexts"] or "{}"), samples=samples[::step][:12],
                    thread=thread(f"t:{name}", page_no, user(request)))

    @app.get("/i/{key}", response_class=HTMLResponse)
    def instance_page(request: Request, key: str, page_no: int = 1):
        i = web.one("SELECT * FROM web_instances WHERE key=?", (key,))
        if i is None:
            raise HTTPException(404, "no such instance")
        near = dups.near(web, [i["phash"]], exclude=key) if i["phash"] is not None else []
        return page(request, "instance.html.j2", i=i, probs=json.loads(i["use_probs"] or "{}"),
                    cues=json.loads(i["use_cues"] or "[]"), near=near, thread=thread(f"i:{key}", page_no, user(request)))

    def stored_file(path: str | None):
        # files are found by an instance key or template name only: no path from the request reaches
        # the filesystem
        if not path or not Path(path).is_file():
            raise HTTPException(404, "no image")
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/img/{key}")
    def image(key: str):
        i = web.one("SELECT image_path FROM web_instances WHERE key=?", (key,))
        return stored_file(i and i["image_path"])

    @app.get("/ref/{name}")
    def reference(name: str):
        t = web.one("SELECT reference FROM web_templates WHERE name=?", (name,))
        return stored_file(t and t["reference"])

    @app.get("/static/htmx.min.js")
    def htmx_js():
        if htmx is None:
            raise HTTPException(404, "htmx is not installed")
        return FileResponse(htmx, media_type="text/javascript", headers={"Cache-Control": "public, max-age=604800"})

    @app.get("/static/style.css")
    def style():
        return FileResponse(HERE / "static" / "style.css", media_type="text/css")

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "", page_no: int = 1):
        q = q[:200]
        page_no = max(1, page_no)
        hits = web.search_text(q, limit=PAGE + 1, offset=(page_no - 1) * PAGE) if q.strip() else []
        more = len(hits) > PAGE
        ctx = dict(q=q, hits=hits[:PAGE], page_no=page_no, more=more)
        if is_htmx(request):
            return page(request, "_hits.html.j2", **ctx)
        return page(request, "search.html.j2", image_result=None, **ctx)

    @app.post("/search/image", response_class=HTMLResponse)
    def search_image(request: Request, image: UploadFile = File(...), csrf: str = Form("")):
        guard(request, csrf)
        limited("upload", ip(request))
        data = image.file.read(8 * 1024 * 1024 + 1)
        try:
            im = check_upload(data)
        except UploadRefused as exc:
            return page(request, "search.html.j2", status=400, q="", hits=[], page_no=1, more=False,
                        image_result={"error": str(exc)})
        return page(request, "search.html.j2", q="", hits=[], page_no=1, more=False, image_result=_match_upload(im))

    def _match_upload(im) -> dict:
        from ..imaging import hash_views
        from ..templates import match_hashes, reference_codes

        _, content, full, mirror = hash_views(im)
        refs = web.q("SELECT template, phash, phash_mirror, path FROM web_refs")
        names = sorted({r["template"] for r in refs})
        idx = {n: k for k, n in enumerate(names)}
        ids, codes = reference_codes([idx[r["template"]] for r in refs], [r["phash"] for r in refs], [r["phash_mirror"] for r in refs])
        d = match_hashes(content.to_int64(), full.to_int64(), mirror.to_int64(), ids, codes)
        near = dups.near(web, [content.to_int64(), mirror.to_int64()])
        res = {"template": names[d.template_id] if d.template_id is not None else None, "score": d.score,
               "distance": d.distance, "method": d.method, "near": near, "verified": False}
        if res["template"] is None and refs:
            # what hashes cannot settle (crops, heavy overlays): keypoints + RANSAC, as the pipeline does
            from ..exceptions import NotInstalledError as _Missing
            from ..templates.verify import get_verifier

            paths = tuple(sorted({(idx[r["template"]], r["path"]) for r in refs if r["path"] and Path(r["path"]).is_file()}))
            try:
                v = get_verifier(paths).verify(im, d.nearest) if paths else None
            except (_Missing, ImportError):
                v = None
            if v is not None:
                res.update(template=names[v.template_id], score=v.score, method=v.method, verified=True)
        return res

    # -- accounts ---------------------------------------------------------------------------------
    def start_session(request: Request, uid: int, dest: str):
        # a fresh session (and CSRF token) at every login: nothing from before the login carries over
        request.session.clear()
        request.session.update(uid=uid, csrf=new_csrf_token())
        # only local paths: no open redirect
        return RedirectResponse(dest if dest.startswith("/") and not dest.startswith("//") else "/", status_code=303)

    @app.get("/register", response_class=HTMLResponse)
    def register_form(request: Request):
        return page(request, "register.html.j2", error=None)

    @app.post("/register", response_class=HTMLResponse)
    def register(request: Request, name: str = Form(""), email: str = Form(""), password: str = Form(""), csrf: str = Form("")):
        guard(request, csrf)
        limited("register", ip(request))
        name, email = name.strip(), email.strip()[:200]
        error = None
        if not valid_name(name):
            error = "a name has 3-32 letters, digits, '.', '_' or '-'"
        elif len(password) < 10 or len(password) > 256:
            error = "a password has 10 to 256 characters"
        elif web.one("SELECT 1 AS x FROM web_users WHERE lower(name)=lower(?)", (name,)):
            error = "that name is taken"
        if error:
            return page(request, "register.html.j2", status=400, error=error)
        try:
            with web.tx():
                web.ex("INSERT INTO web_users(name, email, password_hash, created_at) VALUES (?,?,?,?)",
                       (name, email or None, hash_password(password), _now()))
        except Exception as exc:  # two registrations of one name at once: the UNIQUE constraint decides
            if "unique" not in str(exc).lower():
                raise
            return page(request, "register.html.j2", status=400, error="that name is taken")
        return start_session(request, web.one("SELECT id FROM web_users WHERE name=?", (name,))["id"], "/")

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request):
        return page(request, "login.html.j2", error=None)

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, name: str = Form(""), password: str = Form(""), csrf: str = Form(""), next: str = Form("/")):
        guard(request, csrf)
        limited("login_ip", ip(request))
        limited("login_name", name.strip().lower()[:64])
        u = web.one("SELECT id, password_hash, banned FROM web_users WHERE lower(name)=lower(?)", (name.strip(),))
        if u is None or not verify_password(u["password_hash"], password):
            return page(request, "login.html.j2", status=400, error="wrong name or password")
        if u["banned"]:
            return page(request, "login.html.j2", status=403, error="this account is banned")
        return start_session(request, u["id"], next)

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        guard(request, csrf)
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    @app.get("/account", response_class=HTMLResponse)
    def account(request: Request):
        me = user(request)
        if me is None:
            return RedirectResponse("/login", status_code=303)
        mine = web.q("SELECT id, target, body, created_at, hidden, deleted FROM web_comments WHERE user_id=? ORDER BY id DESC LIMIT 50", (me["id"],))
        return page(request, "account.html.j2", mine=mine)

    @app.get("/u/{name}", response_class=HTMLResponse)
    def profile(request: Request, name: str):
        u = web.one("SELECT id, name, created_at, is_moderator, banned FROM web_users WHERE name=?", (name,))
        if u is None:
            raise HTTPException(404, "no such user")
        n = web.one("SELECT count(*) AS n FROM web_comments WHERE user_id=? AND deleted=0 AND hidden=0", (u["id"],))["n"]
        return page(request, "profile.html.j2", u=u, comments=n)

    # -- discussion -------------------------------------------------------------------------------
    def need_user(request: Request) -> dict:
        me = user(request)
        if me is None:
            raise HTTPException(401, "log in to take part")
        if me["banned"]:
            raise HTTPException(403, "this account is banned")
        return me

    def own_comment(cid: int, me: dict) -> dict:
        c = web.one("SELECT * FROM web_comments WHERE id=?", (cid,))
        if c is None or c["deleted"]:
            raise HTTPException(404, "no such comment")
        if c["user_id"] != me["id"]:
            raise HTTPException(403, "you can only change your own comments")
        return c

    def after_change(request: Request, target: str):
        if is_htmx(request):
            return comments_response(request, target)
        return RedirectResponse(target_url(target) + "#discussion", status_code=303)

    @app.get("/c/{target}", response_class=HTMLResponse)
    def comments(request: Request, target: str, page_no: int = 1):
        if not target_ok(target):
            raise HTTPException(404, "no such thread")
        return comments_response(request, target, page_no)

    @app.post("/c/{target}", response_class=HTMLResponse)
    def post_comment(request: Request, target: str, body: str = Form(""), parent_id: str = Form(""), csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        if not target_ok(target):
            raise HTTPException(404, "no such thread")
        body = body.strip()
        if not body or len(body) > 5000:
            raise HTTPException(400, "a comment has 1 to 5000 characters")
        limited("comment", str(me["id"]))
        parent = None
        if parent_id:
            if not parent_id.isdigit():
                raise HTTPException(400, "bad parent")
            p = web.one("SELECT id, target FROM web_comments WHERE id=?", (int(parent_id),))
            if p is None or p["target"] != target:
                raise HTTPException(400, "the reply's parent is not in this thread")
            parent = p["id"]
        with web.tx():
            web.ex("INSERT INTO web_comments(target, parent_id, user_id, body, created_at) VALUES (?,?,?,?,?)",
                   (target, parent, me["id"], body, _now()))
        return after_change(request, target)

    @app.post("/comment/{cid}/edit", response_class=HTMLResponse)
    def edit_comment(request: Request, cid: int, body: str = Form(""), csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        c = own_comment(cid, me)
        body = body.strip()
        if not body or len(body) > 5000:
            raise HTTPException(400, "a comment has 1 to 5000 characters")
        web.ex("UPDATE web_comments SET body=?, edited_at=? WHERE id=?", (body, _now(), cid))
        return after_change(request, c["target"])

    @app.post("/comment/{cid}/delete", response_class=HTMLResponse)
    def delete_comment(request: Request, cid: int, csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        c = own_comment(cid, me)
        # replies stay readable: the comment's text goes, its place in the thread stays
        web.ex("UPDATE web_comments SET deleted=1, body='' WHERE id=?", (cid,))
        return after_change(request, c["target"])

    @app.post("/comment/{cid}/flag", response_class=HTMLResponse)
    def flag_comment(request: Request, cid: int, reason: str = Form(""), csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        limited("flag", str(me["id"]))
        c = web.one("SELECT id, target FROM web_comments WHERE id=? AND deleted=0", (cid,))
        if c is None:
            raise HTTPException(404, "no such comment")
        web.ex("INSERT INTO web_flags(comment_id, user_id, reason, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
               (cid, me["id"], reason.strip()[:200] or None, _now()))
        return after_change(request, c["target"])

    # -- moderation -------------------------------------------------------------------------------
    def need_mod(request: Request) -> dict:
        me = need_user(request)
        if not me["is_moderator"]:
            raise HTTPException(403, "moderators only")
        return me

    @app.get("/mod", response_class=HTMLResponse)
    def mod_queue(request: Request):
        need_mod(request)
        rows = web.q(
            """SELECT c.id, c.target, c.body, c.hidden, u.name AS author, count(f.user_id) AS flags
               FROM web_flags f JOIN web_comments c ON c.id=f.comment_id JOIN web_users u ON u.id=c.user_id
               WHERE c.deleted=0 GROUP BY c.id, c.target, c.body, c.hidden, u.name ORDER BY flags DESC, c.id DESC LIMIT 100""")
        return page(request, "mod.html.j2", flagged=rows)

    @app.post("/comment/{cid}/hide", response_class=HTMLResponse)
    def hide_comment(request: Request, cid: int, hidden: int = Form(1), csrf: str = Form("")):
        guard(request, csrf)
        need_mod(request)
        c = web.one("SELECT target FROM web_comments WHERE id=?", (cid,))
        if c is None:
            raise HTTPException(404, "no such comment")
        web.ex("UPDATE web_comments SET hidden=? WHERE id=?", (1 if hidden else 0, cid))
        return after_change(request, c["target"])

    @app.post("/u/{name}/ban")
    def ban(request: Request, name: str, banned: int = Form(1), csrf: str = Form("")):
        guard(request, csrf)
        me = need_mod(request)
        u = web.one("SELECT id FROM web_users WHERE name=?", (name,))
        if u is None:
            raise HTTPException(404, "no such user")
        if u["id"] == me["id"]:
            raise HTTPException(400, "moderators cannot ban themselves")
        web.ex("UPDATE web_users SET banned=? WHERE id=?", (1 if banned else 0, u["id"]))
        return RedirectResponse(f"/u/{quote(name, safe='')}", status_code=303)

    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        if is_htmx(request):
            return Response(str(exc.detail), status_code=exc.status_code, headers=exc.headers)
        return page(request, "error.html.j2", status=exc.status_code, code=exc.status_code, message=exc.detail) if exc.status_code != 429 else \
            Response(str(exc.detail), status_code=429, headers=exc.headers)

    return app
