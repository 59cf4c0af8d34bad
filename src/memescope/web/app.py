"""`memescope serve`: FastAPI, server-rendered Jinja2 pages, HTMX for partial updates (progressive: every
form also works without JavaScript). One module of routes over the web database, the security helpers
and the analysis published into it."""


import json
import logging
import math
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import numpy as np

from ..exceptions import NotInstalledError
from ..report.build import kind_label
from .db import MARK_END, MARK_START, WebDB
from .files import servable
from .middleware import SchemeSessions, SecurityMiddleware
from .security import (
    RateLimiter, UploadGate, UploadRefused, check_upload, csrf_ok, form_text, hash_password, new_csrf_token,
    render_comment, session_digest, valid_name, verify_password, verify_unknown,
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
SESSION_DAYS = 14
MAX_COMMENT = 5000
MAX_ID = 2**63 - 1       # database ids are signed 64-bit integers
MAX_PAGE = 100_000


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
    """`https_only`: session cookies are always marked Secure (they are anyway on requests that came over
    HTTPS, directly or through a proxy the server trusts: `memescope serve --forwarded-allow-ips`).
    `upload_slots`: pictures decoded at once for search by picture."""

    secret: str | None = None
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    https_only: bool = False
    upload_slots: int = 2


def _now(after: timedelta = timedelta()) -> str:
    return (datetime.now(timezone.utc) + after).isoformat(timespec="seconds")


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
        from fastapi import FastAPI, File, Form, HTTPException, Path as PathParam, Query, Request, UploadFile
        from fastapi.exceptions import RequestValidationError
        from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
        from fastapi.templating import Jinja2Templates
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
    gate = UploadGate(config.upload_slots)
    dups = _Dups()
    htmx = find_htmx()
    if htmx is None:
        log.warning("htmx.min.js not found (npm install htmx.org@%s): pages work without partial updates", HTMX_VERSION)

    app = FastAPI(title="memescope", docs_url=None, redoc_url=None, openapi_url=None)
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

    # -- helpers ----------------------------------------------------------------------------------
    def user(request: Request) -> dict | None:
        """The logged-in user: the session cookie names a server-side session, which logout, a password
        change and a ban delete (a copied cookie then opens nothing)."""
        sid = request.session.get("sid")
        if not isinstance(sid, str):
            return None
        # one lookup per request: a page asks for the user once for its thread and once for its header
        cached = getattr(request.state, "me", None)
        if cached is not None and cached[0] == sid:
            return cached[1]
        u = web.one(
            """SELECT u.id, u.name, u.email, u.is_moderator, u.banned, u.created_at FROM web_sessions s
               JOIN web_users u ON u.id = s.user_id WHERE s.id=? AND s.expires_at > ?""",
            (session_digest(sid), _now()),
        )
        if u is None:
            request.session.pop("sid", None)
        request.state.me = (sid, u)
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
        # the peer's address; the server rewrites it from X-Forwarded-For only for proxies the operator
        # named (memescope serve --forwarded-allow-ips), so a client cannot choose its own
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

    PageNo = Query(1, ge=1, le=MAX_PAGE)

    @app.get("/t/{name:path}", response_class=HTMLResponse)
    def template_page(request: Request, name: str, page_no: int = PageNo):
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

    @app.get("/i/{key:path}", response_class=HTMLResponse)
    def instance_page(request: Request, key: str, page_no: int = PageNo):
        i = web.one("SELECT * FROM web_instances WHERE key=?", (key,))
        if i is None:
            raise HTTPException(404, "no such instance")
        near = dups.near(web, [i["phash"]], exclude=key) if i["phash"] is not None else []
        return page(request, "instance.html.j2", i=i, probs=json.loads(i["use_probs"] or "{}"),
                    cues=json.loads(i["use_cues"] or "[]"), near=near, thread=thread(f"i:{key}", page_no, user(request)))

    def stored_file(path: str | None):
        # files are found by an instance key or template name only, and served only when they lie inside
        # the corpus roots the analysis recorded and their bytes are an image: never as a page or script
        found = servable(path, roots())
        if found is None:
            raise HTTPException(404, "no image")
        real, media = found
        return FileResponse(real, media_type=media, content_disposition_type="inline",
                            headers={"Cache-Control": "public, max-age=86400",
                                     "Content-Security-Policy": "default-src 'none'; sandbox"})

    def roots() -> list[str] | None:
        value = web.get_meta("image_roots")
        return json.loads(value) if value else None

    @app.get("/img/{key:path}")
    def image(key: str):
        i = web.one("SELECT image_path FROM web_instances WHERE key=?", (key,))
        return stored_file(i and i["image_path"])

    @app.get("/ref/{name:path}")
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
    def search(request: Request, q: str = Query("", max_length=2000), page_no: int = PageNo):
        q = form_text(q, 200)[:200]
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
            with gate:  # a few decodes at a time: each may take tens of MB while it runs
                result = _match_upload(check_upload(data))
        except UploadRefused as exc:
            busy = "busy" in str(exc)
            return page(request, "search.html.j2", status=503 if busy else 400, q="", hits=[], page_no=1, more=False,
                        image_result={"error": str(exc)})
        finally:
            del data
        return page(request, "search.html.j2", q="", hits=[], page_no=1, more=False, image_result=result)

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
        sid = secrets.token_urlsafe(32)
        with web.tx():
            web.ex("DELETE FROM web_sessions WHERE expires_at <= ?", (_now(),))
            web.ex("INSERT INTO web_sessions(id, user_id, created_at, expires_at) VALUES (?,?,?,?)",
                   (session_digest(sid), uid, _now(), _now(timedelta(days=SESSION_DAYS))))
        request.session.clear()
        request.session.update(sid=sid, csrf=new_csrf_token())
        # only local paths: no open redirect
        return RedirectResponse(dest if dest.startswith("/") and not dest.startswith("//") and "\\" not in dest else "/",
                                status_code=303)

    def end_sessions(uid: int) -> None:
        """Every session of a user ends (password change, ban)."""
        web.ex("DELETE FROM web_sessions WHERE user_id=?", (uid,))

    @app.get("/register", response_class=HTMLResponse)
    def register_form(request: Request):
        return page(request, "register.html.j2", error=None)

    @app.post("/register", response_class=HTMLResponse)
    def register(request: Request, name: str = Form("", max_length=200), email: str = Form("", max_length=400),
                 password: str = Form("", max_length=1000), csrf: str = Form("")):
        guard(request, csrf)
        limited("register", ip(request))
        name, email = form_text(name, 64), form_text(email, 200)
        error = None
        if not valid_name(name):
            error = "a name has 3-32 letters, digits, '.', '_' or '-'"
        elif len(email) > 200:
            error = "an email address has at most 200 characters"
        elif not 10 <= len(password) <= 256 or password != form_text(password, 256, multiline=True):
            error = "a password has 10 to 256 characters, and no control characters"
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
    def login(request: Request, name: str = Form("", max_length=200), password: str = Form("", max_length=1000),
              csrf: str = Form(""), next: str = Form("/", max_length=2000)):
        guard(request, csrf)
        limited("login_ip", ip(request))
        name = form_text(name, 64)
        limited("login_name", name.lower())
        u = web.one("SELECT id, password_hash, banned FROM web_users WHERE lower(name)=lower(?)", (name,))
        # an unknown name costs the same Argon2 check as a known one: the timing tells no names
        if not (verify_password(u["password_hash"], password) if u else verify_unknown(password)):
            return page(request, "login.html.j2", status=400, error="wrong name or password")
        if u["banned"]:
            return page(request, "login.html.j2", status=403, error="this account is banned")
        return start_session(request, u["id"], next)

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        guard(request, csrf)
        sid = request.session.get("sid")
        if isinstance(sid, str):
            web.ex("DELETE FROM web_sessions WHERE id=?", (session_digest(sid),))
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    @app.get("/account", response_class=HTMLResponse)
    def account(request: Request):
        me = user(request)
        if me is None:
            return RedirectResponse("/login", status_code=303)
        mine = web.q("SELECT id, target, body, created_at, hidden, deleted FROM web_comments WHERE user_id=? ORDER BY id DESC LIMIT 50", (me["id"],))
        return page(request, "account.html.j2", mine=mine, error=None, done=request.query_params.get("changed") == "1")

    @app.post("/account/password", response_class=HTMLResponse)
    def change_password(request: Request, current: str = Form("", max_length=1000), new: str = Form("", max_length=1000),
                        csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        limited("login_name", me["name"].lower())
        row = web.one("SELECT password_hash FROM web_users WHERE id=?", (me["id"],))
        error = None
        if not verify_password(row["password_hash"], current):
            error = "the current password is wrong"
        elif not 10 <= len(new) <= 256 or new != form_text(new, 256, multiline=True):
            error = "a password has 10 to 256 characters, and no control characters"
        if error:
            mine = web.q("SELECT id, target, body, created_at, hidden, deleted FROM web_comments WHERE user_id=? ORDER BY id DESC LIMIT 50", (me["id"],))
            return page(request, "account.html.j2", status=400, mine=mine, error=error, done=False)
        with web.tx():
            web.ex("UPDATE web_users SET password_hash=? WHERE id=?", (hash_password(new), me["id"]))
            end_sessions(me["id"])  # every other device is logged out; this one gets a new session
        return start_session(request, me["id"], "/account?changed=1")

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

    CommentId = PathParam(..., ge=1, le=MAX_ID)

    @app.get("/c/{target:path}", response_class=HTMLResponse)
    def comments(request: Request, target: str, page_no: int = PageNo):
        if not target_ok(target):
            raise HTTPException(404, "no such thread")
        return comments_response(request, target, page_no)

    @app.post("/c/{target:path}", response_class=HTMLResponse)
    def post_comment(request: Request, target: str, body: str = Form("", max_length=4 * MAX_COMMENT),
                     parent_id: str = Form("", max_length=20), csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        if not target_ok(target):
            raise HTTPException(404, "no such thread")
        body = comment_body(body)
        limited("comment", str(me["id"]))
        parent = None
        if parent_id:
            if not parent_id.isascii() or not parent_id.isdigit() or not 1 <= int(parent_id) <= MAX_ID:
                raise HTTPException(400, "bad parent")
            p = web.one("SELECT id, target FROM web_comments WHERE id=?", (int(parent_id),))
            if p is None or p["target"] != target:
                raise HTTPException(400, "the reply's parent is not in this thread")
            parent = p["id"]
        with web.tx():
            web.ex("INSERT INTO web_comments(target, parent_id, user_id, body, created_at) VALUES (?,?,?,?,?)",
                   (target, parent, me["id"], body, _now()))
        return after_change(request, target)

    def comment_body(body: str) -> str:
        body = form_text(body, MAX_COMMENT, multiline=True)
        if not body or len(body) > MAX_COMMENT:
            raise HTTPException(400, f"a comment has 1 to {MAX_COMMENT} characters")
        return body

    @app.post("/comment/{cid}/edit", response_class=HTMLResponse)
    def edit_comment(request: Request, cid: int = CommentId, body: str = Form("", max_length=4 * MAX_COMMENT), csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        c = own_comment(cid, me)
        body = comment_body(body)
        web.ex("UPDATE web_comments SET body=?, edited_at=? WHERE id=?", (body, _now(), cid))
        return after_change(request, c["target"])

    @app.post("/comment/{cid}/delete", response_class=HTMLResponse)
    def delete_comment(request: Request, cid: int = CommentId, csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        c = own_comment(cid, me)
        # replies stay readable: the comment's text goes, its place in the thread stays
        web.ex("UPDATE web_comments SET deleted=1, body='' WHERE id=?", (cid,))
        return after_change(request, c["target"])

    @app.post("/comment/{cid}/flag", response_class=HTMLResponse)
    def flag_comment(request: Request, cid: int = CommentId, reason: str = Form("", max_length=2000), csrf: str = Form("")):
        guard(request, csrf)
        me = need_user(request)
        limited("flag", str(me["id"]))
        c = web.one("SELECT id, target FROM web_comments WHERE id=? AND deleted=0", (cid,))
        if c is None:
            raise HTTPException(404, "no such comment")
        web.ex("INSERT INTO web_flags(comment_id, user_id, reason, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
               (cid, me["id"], form_text(reason, 200)[:200] or None, _now()))
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
    def hide_comment(request: Request, cid: int = CommentId, hidden: int = Form(1, ge=0, le=1), csrf: str = Form("")):
        guard(request, csrf)
        need_mod(request)
        c = web.one("SELECT target FROM web_comments WHERE id=?", (cid,))
        if c is None:
            raise HTTPException(404, "no such comment")
        web.ex("UPDATE web_comments SET hidden=? WHERE id=?", (1 if hidden else 0, cid))
        return after_change(request, c["target"])

    @app.post("/u/{name}/ban")
    def ban(request: Request, name: str, banned: int = Form(1, ge=0, le=1), csrf: str = Form("")):
        guard(request, csrf)
        me = need_mod(request)
        u = web.one("SELECT id FROM web_users WHERE name=?", (name,))
        if u is None:
            raise HTTPException(404, "no such user")
        if u["id"] == me["id"]:
            raise HTTPException(400, "moderators cannot ban themselves")
        with web.tx():
            web.ex("UPDATE web_users SET banned=? WHERE id=?", (1 if banned else 0, u["id"]))
            if banned:
                end_sessions(u["id"])
        return RedirectResponse(f"/u/{quote(name, safe='')}", status_code=303)

    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        if is_htmx(request):
            return Response(str(exc.detail), status_code=exc.status_code, headers=exc.headers)
        return page(request, "error.html.j2", status=exc.status_code, code=exc.status_code, message=exc.detail) if exc.status_code != 429 else \
            Response(str(exc.detail), status_code=429, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError):
        # a parameter out of range or of the wrong type: say which, as a 400 page
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
                          for e in exc.errors()[:3])
        return http_error(request, StarletteHTTPException(400, f"bad request ({where})"))

    # outermost: sessions (cookies Secure over HTTPS), then headers, body cap and crash pages around all
    sessions = SchemeSessions(app, https_only=config.https_only, secret_key=secret, session_cookie="memescope_session",
                              max_age=SESSION_DAYS * 24 * 3600, same_site="lax")
    return SecurityMiddleware(sessions)
