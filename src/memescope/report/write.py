"""Write report.json, report.html (self-contained: figures inline as SVG, thumbnails as data URIs) and
figures/ (PNG and SVG for papers)."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..exceptions import BadImageError
from ..store import Store
from . import figures
from .build import build_report, kind_label

__all__ = ["write_report"]

log = logging.getLogger(__name__)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "corpus"


def _thumb(path: str | None, side: int = 220) -> str | None:
    """A JPEG data URI of the image, or None if it cannot be read (the report still renders)."""
    if not path:
        return None
    from ..imaging import load_image

    try:
        im = load_image(path, draft_size=side)
    except (BadImageError, OSError) as exc:
        log.warning("no thumbnail for %s: %s", path, exc)
        return None
    im.thumbnail((side, side))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def _svg(fig) -> Markup:
    return Markup(figures.inline_svg(fig))


def _save(fig, folder: Path, stem: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{stem}.png", dpi=150)
    fig.savefig(folder / f"{stem}.svg")


def write_report(store: Store, out: str | Path, template: str | None = None) -> dict:
    """Write the report into folder `out`; returns {"json", "html", "figures", "report"}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = build_report(store, template=template)
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")

    figdir = out / "figures"
    views: dict = {"corpus_timeline": None, "corpus_use": None, "corpus_community": None, "ranking": None, "templates": {}}
    corpus = report["corpus"]
    if corpus["timeline"]:
        fig = figures.timeline_figure(corpus["timeline"], corpus["change_points"], "Whole corpus", corpus["bin_unit"])
        _save(fig, figdir, "corpus-timeline")
        views["corpus_timeline"] = _svg(fig)
        fig = figures.use_or_mood_figure(corpus["timeline"], corpus["change_points"], "Whole corpus", corpus["bin_unit"])
        if fig is not None:
            _save(fig, figdir, "corpus-use")
            views["corpus_use"] = _svg(fig)
        fig = figures.scopes_figure(corpus.get("scopes") or [], "Whole corpus by community")
        if fig is not None:
            _save(fig, figdir, "corpus-community")
            views["corpus_community"] = _svg(fig)
    if report["templates"]:
        fig = figures.templates_figure(report["templates"])
        _save(fig, figdir, "templates-ranked")
        views["ranking"] = _svg(fig)
    for t in report["templates"]:
        v: dict = {"refs": [u for u in (_thumb(p, 260) for p in t["references"][:3]) if u]}
        v["samples"] = [dict(s, thumb=_thumb(s["image"])) for s in t["samples"]]
        v["variants"] = [dict(x, thumb=_thumb(x["example"], 160)) for x in t.get("variants") or []]
        if t["timeline"]:
            fig = figures.timeline_figure(t["timeline"], t["change_points"], t["name"], t["bin_unit"])
            _save(fig, figdir, f"timeline-{_slug(t['name'])}")
            v["timeline"] = _svg(fig)
            fig = figures.use_or_mood_figure(t["timeline"], t["change_points"], t["name"], t["bin_unit"])
            if fig is not None:
                _save(fig, figdir, f"use-{_slug(t['name'])}")
                v["use"] = _svg(fig)
        for kind in ("community", "variant"):  # small multiples per community and per variant
            fig = figures.scopes_figure([sc for sc in t.get("scopes") or [] if sc["kind"] == kind], f"{t['name']} by {kind}")
            if fig is not None:
                _save(fig, figdir, f"{kind}-{_slug(t['name'])}")
                v[f"by_{kind}"] = _svg(fig)
        views["templates"][t["name"]] = v
    clusters = [dict(c, thumb=_thumb(c["medoid_path"])) for c in report["clusters"][:24]]

    env = Environment(loader=PackageLoader("memescope.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.1f}%"
    env.filters["slug"] = _slug
    env.filters["kindlabel"] = kind_label
    html = env.get_template("report.html.j2").render(r=report, v=views, clusters=clusters)
    (out / "report.html").write_text(html, encoding="utf-8")
    return {"json": str(out / "report.json"), "html": str(out / "report.html"), "figures": str(figdir), "report": report}
