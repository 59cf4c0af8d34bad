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


def _draw(figs: dict, folder: Path, stems: dict[str, str]) -> dict:
    """Each figure saved as PNG and SVG under its stem, and inlined: {name: inline SVG} of those drawn."""
    out = {}
    for name, fig in figs.items():
        if fig is not None:
            _save(fig, folder, stems[name])
            out[name] = _svg(fig)
    return out


def write_report(store: Store, out: str | Path, template: str | None = None) -> dict:
    """Write the report into folder `out`; returns {"json", "html", "figures", "report"}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = build_report(store, template=template)
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")

    figdir = out / "figures"
    corpus = report["corpus"]
    views: dict = {"templates": {}, "ranking": None}
    drawn = _draw(
        figures.entry_figures(corpus, "Whole corpus"),
        figdir,
        {"timeline": "corpus-timeline", "use": "corpus-use", "by_community": "corpus-community"},
    )
    views.update(
        corpus_timeline=drawn.get("timeline"), corpus_use=drawn.get("use"), corpus_community=drawn.get("by_community")
    )
    if report["templates"]:
        views["ranking"] = _draw(
            {"ranking": figures.templates_figure(report["templates"])}, figdir, {"ranking": "templates-ranked"}
        )["ranking"]
    for t in report["templates"]:
        slug = _slug(t["name"])
        v: dict = {"refs": [u for u in (_thumb(p, 260) for p in t["references"][:3]) if u]}
        v["samples"] = [dict(s, thumb=_thumb(s["image"])) for s in t["samples"]]
        v["variants"] = [dict(x, thumb=_thumb(x["example"], 160)) for x in t.get("variants") or []]
        v.update(
            _draw(
                figures.entry_figures(t, t["name"]),
                figdir,
                {
                    "timeline": f"timeline-{slug}",
                    "use": f"use-{slug}",
                    "by_community": f"community-{slug}",
                    "by_variant": f"variant-{slug}",
                },
            )
        )
        views["templates"][t["name"]] = v
    clusters = [dict(c, thumb=_thumb(c["medoid_path"])) for c in report["clusters"][:24]]

    env = Environment(
        loader=PackageLoader("memescope.report", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.1f}%"
    env.filters["slug"] = _slug
    env.filters["kindlabel"] = kind_label
    html = env.get_template("report.html.j2").render(r=report, v=views, clusters=clusters)
    (out / "report.html").write_text(html, encoding="utf-8")
    return {
        "json": str(out / "report.json"),
        "html": str(out / "report.html"),
        "figures": str(figdir),
        "report": report,
    }
