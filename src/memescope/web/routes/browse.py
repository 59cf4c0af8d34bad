"""Browsing: the templates ranked, a template's page (the report's content), an instance's page, and the
files they show (images, reference pictures, the style sheet and HTMX)."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from ..deps import current_user, state
from ..files import servable
from ..pages import render
from ..state import HERE
from .discussion import MAX_PAGE, thread

__all__ = ["router"]

router = APIRouter()

PAGE_NO = Query(1, ge=1, le=MAX_PAGE)
SAMPLES = 12


@router.get("/", response_class=HTMLResponse)
def index(request: Request):
    db = state(request).db
    return render(request, "index.html.j2", templates=db.templates(), instances=db.instance_count())


@router.get("/t/{name:path}", response_class=HTMLResponse)
def template_page(request: Request, name: str, page_no: int = PAGE_NO):
    db = state(request).db
    t = db.template(name)
    if t is None:
        raise HTTPException(404, "no such template")
    samples = db.instances_of(name)
    step = max(1, len(samples) // SAMPLES)
    return render(
        request,
        "template.html.j2",
        t=t,
        summary=json.loads(t.summary or "{}"),
        figures=json.loads(t.figures or "{}"),
        uses=json.loads(t.uses or "{}"),
        contexts=json.loads(t.contexts or "{}"),
        samples=samples[::step][:SAMPLES],
        thread=thread(db, f"t:{name}", page_no, current_user(request)),
    )


@router.get("/i/{key:path}", response_class=HTMLResponse)
def instance_page(request: Request, key: str, page_no: int = PAGE_NO):
    st = state(request)
    i = st.db.instance(key)
    if i is None:
        raise HTTPException(404, "no such instance")
    near = st.dups.near(st.db, [i.phash], exclude=key) if i.phash is not None else []
    return render(
        request,
        "instance.html.j2",
        i=i,
        probs=json.loads(i.use_probs or "{}"),
        cues=json.loads(i.use_cues or "[]"),
        near=near,
        thread=thread(st.db, f"i:{key}", page_no, current_user(request)),
    )


def _stored_file(request: Request, path: str | None) -> FileResponse:
    # files are found by an instance key or template name only, and served only when they lie inside
    # the corpus roots the analysis recorded and their bytes are an image: never as a page or script
    roots = state(request).db.get_meta("image_roots")
    found = servable(path, json.loads(roots) if roots else None)
    if found is None:
        raise HTTPException(404, "no image")
    real, media = found
    return FileResponse(
        real,
        media_type=media,
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


@router.get("/img/{key:path}")
def image(request: Request, key: str):
    i = state(request).db.instance(key)
    return _stored_file(request, i.image_path if i else None)


@router.get("/ref/{name:path}")
def reference(request: Request, name: str):
    t = state(request).db.template(name)
    return _stored_file(request, t.reference if t else None)


@router.get("/static/htmx.min.js")
def htmx_js(request: Request):
    htmx = state(request).htmx
    if htmx is None:
        raise HTTPException(404, "htmx is not installed")
    return FileResponse(htmx, media_type="text/javascript", headers={"Cache-Control": "public, max-age=604800"})


@router.get("/static/style.css")
def style():
    return FileResponse(HERE / "static" / "style.css", media_type="text/css")
