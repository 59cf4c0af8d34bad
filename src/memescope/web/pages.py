"""Server-rendered pages: the Jinja2 environment (autoescaped, with the app's filters) and `render`,
which gives every page the user, the CSRF token and whether HTMX is there."""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..report.build import kind_label
from .db import MARK_END, MARK_START
from .deps import csrf_token, current_user, state
from .security import render_comment
from .state import HERE

__all__ = ["render", "is_htmx"]


def _snippet(s: str | None) -> Markup:
    text = str(escape(s or ""))
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _environment() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # every template escapes by default: Jinja's autoescape picks by extension, and ours end in .j2
    templates.env.autoescape = True
    templates.env.filters["comment"] = render_comment
    templates.env.filters["snippet"] = _snippet
    templates.env.filters["q"] = lambda s: quote(str(s), safe="")
    templates.env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.0f}%"
    templates.env.filters["kindlabel"] = kind_label
    templates.env.filters["fromjson"] = lambda s: json.loads(s) if s else None
    return templates


TEMPLATES = _environment()


def render(request: Request, name: str, status: int = 200, **ctx):
    ctx.update(me=current_user(request), csrf=csrf_token(request), htmx=state(request).htmx is not None)
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
