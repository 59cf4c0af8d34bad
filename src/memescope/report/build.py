"""Assemble the report's data from the store. Nothing is recomputed here: every number was stored by a
stage; this module only selects, orders and phrases.

report.json's keys (schema "memescope.report/1"; keys are only ever added) are described, field by field,
by the JSON Schema in `report.schema.json` beside this module; the tests validate every report they
build against it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime, timezone

from ..records import ChangeKind, ChangePoint
from ..store import Store, TemplatePost, TemplateSummary
from ..timeline.scopes import CORPUS, scope_label
from .findings import finding_text, readable

__all__ = ["build_report", "kind_label", "SCHEMA"]

SCHEMA = "memescope.report/1"


def kind_label(kind: str) -> str:
    """A change point's kind in words: "volume" -> "posting volume", "context:pandemic" -> "pandemic
    context", "use:sincere" -> "sincere use", "sentiment" -> "mean sentiment"."""
    try:
        return ChangeKind.parse(kind).label
    except ValueError:
        return kind


def _timeline(store: Store, template: str, scope: str = "") -> tuple[str | None, list[dict]]:
    bins = store.series(template, scope)
    return (bins[0].unit if bins else None), [b.to_report() for b in bins]


def _scopes(store: Store, template: str) -> list[dict]:
    """The template's parts with series of their own (per community, per variant), largest first."""
    out = []
    for scope in store.scopes(template):
        unit, timeline = _timeline(store, template, scope)
        kind, _, name = scope.partition(":")
        cps = [
            c | {"text": finding_text(template, c, scope)}
            for c in (cp.to_report() for cp in store.change_points(template, scope))
        ]
        out.append(
            {
                "scope": scope,
                "kind": kind,
                "name": name,
                "label": scope_label(scope),
                "posts": sum(b["n"] for b in timeline),
                "bin_unit": unit,
                "timeline": timeline,
                "change_points": cps,
            }
        )
    return out


def _corpus(store: Store) -> dict:
    counts = store.corpus_counts()
    errors = store.errors()
    unit, timeline = _timeline(store, CORPUS)
    return {
        "posts": counts.posts,
        "images": counts.images,
        "text_only": counts.text_only,
        "communities": counts.communities,
        "first_seen": counts.first_seen,
        "last_seen": counts.last_seen,
        "dates_approx": counts.dates_approx,
        "bin_unit": unit,
        "timeline": timeline,
        "uses": store.use_shares(),
        "change_points": [cp.to_report() for cp in store.change_points(CORPUS)],
        "scopes": _scopes(store, CORPUS),
        "spread": store.spread(CORPUS),
        "errors": {
            "total": len(errors),
            "by_stage": dict(Counter(e.stage for e in errors)),
            "by_reason": dict(Counter(e.reason for e in errors)),
        },
    }


def _shows(post: TemplatePost, cp: ChangePoint, tags: set[str]) -> bool:
    """A caption worth showing after a change: after a context or use change, one that carries it; after a
    turn of mood, one on the side it turned to (negative after a fall)."""
    family, name = cp.kind.family, cp.kind.name
    if family == "sentiment":
        score = post.sentiment or 0.0
        return score > 0 if cp.after > cp.before else score < 0
    return family == "volume" or (family == "context" and name in tags) or (family == "use" and post.use == name)


def _with_samples(cp: ChangePoint, dated: list[TemplatePost], tags: dict[str, set[str]]) -> dict:
    """The change point's report object with captions on either side, from its adjacent segments (a shift
    in steps compares the time before its first step with the time after its last)."""
    lo, hi = cp.segment_start or "", (cp.segment_end or "9999") + "~"
    first = cp.steps[0]["date"] if cp.steps else cp.date
    last = cp.steps[-1]["date"] if cp.steps else cp.date
    before = [p.text for p in dated if lo <= (p.created_at or "") < first and readable(p.text)]
    after = [
        p.text for p in dated if last <= (p.created_at or "") < hi and readable(p.text) and _shows(p, cp, tags[p.key])
    ]
    return cp.to_report() | {"samples_before": before[-3:], "samples_after": after[:3]}


def _sample(p: TemplatePost) -> dict:
    cues = [f"{c['cue']}: {', '.join(c['found'])}" if c.get("found") else c["cue"] for c in p.use_cues[:3]]
    return {
        "post": p.key,
        "date": p.created_at,
        "community": p.community,
        "text": p.text,
        "text_source": p.text_source,
        "image": p.image_path,
        "method": p.method,
        "use": p.use,
        "use_cues": cues,
    }


def _model_answers(posts: list[TemplatePost]) -> dict:
    """The caption model's other answers over a template's posts: mean P(positive), the emotions' shares,
    mean offensiveness (None without the model)."""
    pol = [p.polarity for p in posts if p.polarity is not None]
    emo = [p.emotion for p in posts if p.emotion]
    off = [p.offensive for p in posts if p.offensive is not None]
    return {
        "polarity_mean": round(sum(pol) / len(pol), 4) if pol else None,
        "emotions": {e: round(n / len(emo), 4) for e, n in Counter(emo).most_common()} if emo else {},
        "offensive_mean": round(sum(off) / len(off), 4) if off else None,
    }


def _shares(posts: list[TemplatePost], tags: dict[str, set[str]]) -> tuple[dict, dict, float | None]:
    """(context shares of the analyzed posts, use shares of the classified ones, `uncertain` among them,
    mean sentiment of the posts with text: a blank caption's VADER 0.0 is no mood, as in the timeline's
    series)."""
    analyzed = sum(1 for p in posts if p.contexts is not None)
    ctx_n: Counter = Counter()
    for p in posts:
        ctx_n.update(tags[p.key])
    used = [p.use for p in posts if p.use]
    sent = [p.sentiment for p in posts if p.sentiment is not None and (p.text or "").strip()]
    return (
        {c: round(n / analyzed, 4) for c, n in ctx_n.items()} if analyzed else {},
        {u: round(n / len(used), 4) for u, n in Counter(used).most_common()} if used else {},
        round(sum(sent) / len(sent), 4) if sent else None,
    )


def _template_entry(store: Store, t: TemplateSummary, samples: int) -> dict:
    posts = store.template_posts(t.id)
    dated = [p for p in posts if p.created_at]
    # each post's context tags, once (the change-point captions filter on them too)
    tags = {p.key: set(p.contexts or {}) for p in posts}
    contexts, uses, mood = _shares(posts, tags)
    # samples spread evenly over time, images first when there are any
    pool = [p for p in dated if p.image_path] or dated
    picks = pool[:: max(1, len(pool) // samples)][:samples]
    unit, timeline = _timeline(store, t.name)
    spread = store.spread(t.name)
    return {
        "name": t.name,
        "description": t.description,
        "aliases": t.aliases,
        "affect": t.affect,
        "instances": len(posts),
        "images": sum(1 for p in posts if p.image_sha256),
        "first_seen": dated[0].created_at if dated else None,
        "first_post": dated[0].key if dated else None,
        "first_by_community": {c["community"]: c["first_seen"] for c in spread["first_by_community"]} if spread else {},
        "communities": dict(Counter(p.community or "(none)" for p in posts).most_common()),
        "match_methods": dict(Counter(p.method for p in posts)),
        "sentiment_mean": mood,
        "contexts": contexts,
        "uses": uses,
        "bin_unit": unit,
        "timeline": timeline,
        "change_points": [_with_samples(cp, dated, tags) for cp in store.change_points(t.name)],
        "samples": [_sample(p) for p in picks],
        "references": store.reference_paths(t.id).get(t.id, []),
        "spread": spread,
        "variants": [asdict(v) for v in store.variants(t.id)],
        "scopes": _scopes(store, t.name),
    } | _model_answers(posts)


def _finding_entry(template: str | None, cp: dict) -> dict:
    # size: the change in share, or half the change in mean sentiment (whose scale spans -1 to 1)
    scale = {"volume": 0.0, "sentiment": 0.5}.get(cp["kind"], 1.0)
    return {
        "text": finding_text(template or CORPUS, cp),
        "template": template,
        "kind": cp["kind"],
        "date": cp["date"],
        "size": round(scale * abs(cp["after"] - cp["before"]), 4),
    }


def _findings(corpus: dict, templates: list[dict]) -> list[dict]:
    """Every change point as a sentence: shifts in meaning (context and use shares, sentiment) first,
    largest first (on a big corpus many small shifts are significant, and the reader should meet the big
    ones), then volume changes by template size."""
    findings = [_finding_entry(None, cp) for cp in corpus["change_points"]]
    findings += [_finding_entry(t["name"], cp) for t in templates for cp in t["change_points"]]
    rank = {t["name"]: i for i, t in enumerate(templates)}
    findings.sort(
        key=lambda f: (
            f["kind"] == "volume",
            -f["size"],
            f["template"] is not None,
            rank.get(f["template"], -1),
            f["date"],
        )
    )
    return findings


def build_report(store: Store, template: str | None = None, samples: int = 8) -> dict:
    """The report as a JSON-ready dict; `template` limits the per-template part to one template."""
    corpus = _corpus(store)
    templates = [_template_entry(store, t, samples) for t in store.templates_with_posts(template)]
    return {
        "schema": SCHEMA,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "store": store.path,
        "corpus": corpus,
        "templates": templates,
        "clusters": [asdict(c) for c in store.clusters()],
        "unassigned_images": store.unassigned_images(),
        "non_meme_images": store.unassigned_images(clustered=False),
        "findings": _findings(corpus, templates),
        "runs": [r.to_dict() for r in store.runs(10)],
    }
