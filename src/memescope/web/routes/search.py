"""Search by words (full text over captions) and by picture (its template, by templates.identify, and its
near-duplicates among the instances)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from PIL import Image

from ...imaging import picture_features
from ...templates.identify import ReferenceSet, identify
from ..deps import check_csrf, client_ip, limited, state
from ..pages import is_htmx, render
from ..security import MAX_UPLOAD_BYTES, UploadRefused, check_upload, form_text
from ..state import WebState
from .discussion import MAX_PAGE, PAGE

__all__ = ["router"]

router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = Query("", max_length=2000), page_no: int = Query(1, ge=1, le=MAX_PAGE)):
    q = form_text(q, 200)[:200]
    hits = state(request).db.search_text(q, limit=PAGE + 1, offset=(page_no - 1) * PAGE) if q.strip() else []
    ctx: dict[str, Any] = {"q": q, "hits": hits[:PAGE], "page_no": page_no, "more": len(hits) > PAGE}
    if is_htmx(request):
        return render(request, "_hits.html.j2", **ctx)
    return render(request, "search.html.j2", image_result=None, **ctx)


def _references(st: WebState) -> ReferenceSet:
    """The published references, numbered by template name; only pictures still on disk are verified."""
    rows = st.db.reference_rows()
    index = {name: k for k, name in enumerate(sorted({r[0] for r in rows}))}
    return ReferenceSet.build((index[t], t, p if p and Path(p).is_file() else None, ph, pm) for t, ph, pm, p in rows)


def _match_upload(st: WebState, im: Image.Image) -> dict:
    features = picture_features(im)
    refs = _references(st)
    d = identify(features, refs, im)
    near = st.dups.near(st.db, [features.phash, features.phash_mirror])
    return {
        "template": refs.names.get(d.template_id) if d.template_id is not None else None,
        "score": d.score,
        "distance": d.distance,
        "method": d.method,
        "near": near,
        "verified": d.verified,
    }


@router.post("/search/image", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def search_image(request: Request, image: UploadFile = File(...)):
    st = state(request)
    limited(request, "upload", client_ip(request))
    data = image.file.read(MAX_UPLOAD_BYTES + 1)
    try:
        with st.gate:  # a few decodes at a time: each may take tens of MB while it runs
            result = _match_upload(st, check_upload(data))
    except UploadRefused as exc:
        busy = "busy" in str(exc)
        return render(
            request,
            "search.html.j2",
            status=503 if busy else 400,
            q="",
            hits=[],
            page_no=1,
            more=False,
            image_result={"error": str(exc)},
        )
    finally:
        del data
    return render(request, "search.html.j2", q="", hits=[], page_no=1, more=False, image_result=result)
