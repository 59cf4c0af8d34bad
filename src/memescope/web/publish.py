"""Publish an analysis into the web database: templates (with the report's per-template content and
figures), instances, reference hashes and the full-text index. Idempotent; skipped when the analysis has
not changed since the last publish (its runs and template knowledge are the fingerprint)."""

from __future__ import annotations

import json
import logging

from ..store import Store
from .db import WebDB

__all__ = ["publish", "analysis_fingerprint"]

log = logging.getLogger(__name__)


def analysis_fingerprint(store: Store) -> str:
    runs = store.query("SELECT max(id), max(finished_at), count(*) FROM runs")[0]
    return json.dumps([list(runs), store.kb_version, int(store.scalar("SELECT count(*) FROM analyses"))])


def _figures(entry: dict) -> dict:
    from ..report import figures

    if not entry["timeline"]:
        return {}
    use = figures.use_or_mood_figure(entry["timeline"], entry["change_points"], entry["name"], entry["bin_unit"])
    out = {
        "timeline": figures.inline_svg(figures.timeline_figure(entry["timeline"], entry["change_points"], entry["name"], entry["bin_unit"])),
        "use": figures.inline_svg(use) if use is not None else None,
    }
    for kind in ("community", "variant"):  # the report's small multiples, one row per part
        fig = figures.scopes_figure([sc for sc in entry.get("scopes") or [] if sc["kind"] == kind], f"{entry['name']} by {kind}")
        out[f"by_{kind}"] = figures.inline_svg(fig) if fig is not None else None
    return out


def _scope_summary(scopes: list[dict]) -> list[dict]:
    # the figures carry the series; the page needs each part's name, size and findings
    return [{k: sc[k] for k in ("scope", "kind", "label", "posts", "change_points")} for sc in scopes]


def publish(store: Store, web: WebDB, force: bool = False) -> dict:
    """Copy what the web app shows from the analysis store; returns counts (or {"skipped": True})."""
    from ..report.build import build_report

    fp = analysis_fingerprint(store)
    if not force and web.get_meta("published") == fp:
        return {"skipped": True}
    report = build_report(store, samples=1)
    templates = []
    for rank, t in enumerate(report["templates"]):
        summary = {k: t[k] for k in ("change_points", "spread", "variants", "first_by_community", "communities",
                                     "match_methods", "sentiment_mean", "bin_unit", "aliases")}
        summary["scopes"] = _scope_summary(t.get("scopes") or [])
        templates.append((t["name"], rank, t["description"], t["affect"], t["instances"], t["first_seen"],
                          json.dumps(t["uses"]), json.dumps(t["contexts"]), json.dumps(summary, default=str),
                          json.dumps(_figures(t)), t["references"][0] if t["references"] else None))
    instances = store.query(
        """SELECT p.key, pt.template, p.created_at, p.community, a.text, a.text_source, a.use, a.use_probs, a.use_cues,
                  a.sentiment, a.contexts, i.path, f.phash, pt.method
           FROM posts p LEFT JOIN post_templates pt ON pt.post_key=p.key
           LEFT JOIN analyses a ON a.post_key=p.key
           LEFT JOIN images i ON i.sha256=p.image_sha256
           LEFT JOIN features f ON f.sha256=p.image_sha256"""
    )
    refs = store.query("SELECT t.name, ti.phash, ti.phash_mirror, ti.path FROM template_images ti JOIN templates t ON t.id=ti.template_id WHERE ti.phash IS NOT NULL")
    with web.tx():
        web.ex("DELETE FROM web_templates")
        web.ex("DELETE FROM web_instances")
        web.ex("DELETE FROM web_refs")
        web.clear_text()
        web.many("""INSERT INTO web_templates(name, rank, description, affect, instances, first_seen, uses, contexts,
                    summary, figures, reference) VALUES (?,?,?,?,?,?,?,?,?,?,?)""", templates)
        web.many("""INSERT INTO web_instances(key, template, created_at, community, text, text_source, use, use_probs,
                    use_cues, sentiment, contexts, image_path, phash, method) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                 [tuple(r) for r in instances])
        web.many("INSERT INTO web_refs(template, phash, phash_mirror, path) VALUES (?,?,?,?)", [tuple(r) for r in refs])
        web.index_text([(r["key"], r["template"] or "", r["text"]) for r in instances if r["text"]])
        # the folders images are served from; none recorded (a store from before ingest kept them): the
        # bytes alone decide (see web.files)
        has_sources = bool(store.scalar("SELECT count(*) FROM sources"))
        web.set_meta("image_roots", json.dumps(store.image_roots()) if has_sources else "")
        web.set_meta("published", fp)
    log.info("published %d templates, %d instances", len(templates), len(instances))
    return {"templates": len(templates), "instances": len(instances), "references": len(refs)}
