"""Publish an analysis into the web database: templates (with the report's per-template content and
figures), instances, reference hashes and the full-text index. Idempotent; skipped when the analysis has
not changed since the last publish (its runs and template knowledge are the fingerprint)."""

from __future__ import annotations

import json
import logging
from dataclasses import astuple

from ..report import figures
from ..report.build import build_report
from ..store import Store
from .db import WebDB

__all__ = ["publish", "analysis_fingerprint"]

log = logging.getLogger(__name__)


def analysis_fingerprint(store: Store) -> str:
    return store.analysis_fingerprint()


def _figures(entry: dict) -> dict:
    """The report's figures of a template (report.figures.entry_figures), inlined as SVG."""
    if not entry["timeline"]:
        return {}
    return {
        name: figures.inline_svg(fig) if fig is not None else None
        for name, fig in figures.entry_figures(entry, entry["name"]).items()
    }


def _scope_summary(scopes: list[dict]) -> list[dict]:
    # the figures carry the series; the page needs each part's name, size and findings
    return [{k: sc[k] for k in ("scope", "kind", "label", "posts", "change_points")} for sc in scopes]


def publish(store: Store, web: WebDB, force: bool = False) -> dict:
    """Copy what the web app shows from the analysis store; returns counts (or {"skipped": True})."""
    fp = analysis_fingerprint(store)
    if not force and web.get_meta("published") == fp:
        return {"skipped": True}
    report = build_report(store, samples=1)
    templates = []
    for rank, t in enumerate(report["templates"]):
        summary = {
            k: t[k]
            for k in (
                "change_points",
                "spread",
                "variants",
                "first_by_community",
                "communities",
                "match_methods",
                "sentiment_mean",
                "bin_unit",
                "aliases",
            )
        }
        summary["scopes"] = _scope_summary(t.get("scopes") or [])
        templates.append(
            (
                t["name"],
                rank,
                t["description"],
                t["affect"],
                t["instances"],
                t["first_seen"],
                json.dumps(t["uses"]),
                json.dumps(t["contexts"]),
                json.dumps(summary, default=str),
                json.dumps(_figures(t)),
                t["references"][0] if t["references"] else None,
            )
        )
    instances = store.instances()
    refs = store.references()
    # the folders images are served from; none recorded (a store from before ingest kept them): the bytes
    # alone decide (see web.files)
    roots = store.image_roots()
    web.replace_published(
        templates,
        [astuple(i) for i in instances],
        [(r.template, r.phash, r.phash_mirror, r.path) for r in refs],
        json.dumps(roots) if roots is not None else "",
        fp,
    )
    log.info("published %d templates, %d instances", len(templates), len(instances))
    return {"templates": len(templates), "instances": len(instances), "references": len(refs)}
