"""Assemble the report's data from the store. Nothing is recomputed here: every number was stored by a
stage; this module only selects, orders and phrases.

report.json keys (schema "memescope.report/1"; keys are only ever added):
- schema, generated_at, store
- corpus: posts, images, text_only, communities {name: posts}, first_seen, last_seen, dates_approx
  (true if any date is an estimate), bin_unit, timeline[], uses {use: share}, change_points[], scopes[], spread,
  errors {total, by_stage, by_reason}
- templates[]: name, description, aliases, affect, instances, images, first_seen, first_post,
  first_by_community {community: date}, communities {community: posts}, match_methods {method: n},
  sentiment_mean, contexts {context: share}, uses {use: share}, bin_unit,
  timeline[] {bin, n, contexts {name: n}, uses {use: n}, sentiment},
  change_points[] {date, date_low, date_high, kind ("volume", "context:NAME", "use:NAME" or
  "sentiment"), before, after (posts per bin, shares, or mean VADER sentiment of the posts with text), unit (the
  bins it was found on), date_unit ("day" when a change of share or sentiment was then placed to the day; else
  unit), segment_start, segment_end, effect {diff, diff_low, diff_high} (shares, sentiment) or {rate_ratio,
  rate_ratio_low, rate_ratio_high} (volume),
  terms_before[], terms_after[] {term, z, before, after}, samples_before[], samples_after[],
  embedding {drift, noise, representative_before[], representative_after[], topics[] {status ("appeared",
  "vanished" or "stayed"), before, after (shares of the sampled captions), z, terms[], example}} (meaning
  changes, when the caption embedder is installed; null otherwise), date_error_days (set when the posts around the
  change carry estimated dates: their median error, by which date_low/date_high were widened), steps[] {date, before,
  after} (a shift that came in steps
  less than ~2 months apart is one change: before is the share before its first step, after the share after
  its last, date its largest step, date_low/date_high span all steps; empty for a one-step change)},
  spread {origin {date, community}, first_by_community[] {community, first_seen, lag_days, posts},
  leads[] {leader, follower, coef, p}, influence {method, decay_days, baseline {community: posts/day},
  self_excitation {community: alpha}, branching[] {source, target, alpha (posts in target set off per post
  in source), p, p_holm, significant}} or null}, variants[] {variant, example, first_seen, images, first_post,
  first_community},
  scopes[] {scope ("community:NAME" or "variant:N"), kind, name, label, posts, bin_unit, timeline[], change_points[]
  (as above, plus text: the change in words; without samples or embedding)}: the template's series per community
  and per variant of its picture, for parts of at least 30 posts when at least two parts are that big (the
  corpus has community scopes only), samples[] {post, date, community, text, text_source, image, method, use,
  use_cues[]}, references[] (image paths)
- clusters[]: id, size, medoid (sha256 of the medoid image), medoid_path
- unassigned_images, non_meme_images (unassigned and in no cluster)
- findings[]: {text, template, kind, date, size (|after - before| for shares, half of it for sentiment, 0 for
  volume)}, meaning first,
  largest first
- runs[]: id, command, started_at, finished_at, status, stages[]
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

from ..store import Store
from ..timeline.scopes import scope_label

__all__ = ["build_report", "kind_label", "SCHEMA"]

SCHEMA = "memescope.report/1"


def _timeline(store: Store, template: str, scope: str = "") -> tuple[str | None, list[dict]]:
    rows = store.query("SELECT bin, bin_unit, n, context_n, sentiment, use_n FROM series WHERE template=? AND scope=? ORDER BY bin",
                       (template, scope))
    unit = rows[0]["bin_unit"] if rows else None
    return unit, [{"bin": r["bin"], "n": r["n"], "contexts": json.loads(r["context_n"]), "sentiment": r["sentiment"],
                   "uses": json.loads(r["use_n"] or "{}")} for r in rows]


def _change_points(store: Store, template: str, scope: str = "") -> list[dict]:
    out = []
    for r in store.query(
        "SELECT kind, date, date_low, date_high, before, after, detail, effect, terms FROM change_points"
        " WHERE template=? AND scope=? ORDER BY date, kind",
        (template, scope),
    ):
        d = json.loads(r["detail"] or "{}")
        terms = json.loads(r["terms"] or "{}")
        out.append({
            "date": r["date"], "date_low": r["date_low"], "date_high": r["date_high"], "kind": r["kind"],
            "before": r["before"], "after": r["after"], "unit": d.get("unit"), "date_unit": d.get("date_unit", d.get("unit")),
            "segment_start": d.get("segment_start"), "segment_end": d.get("segment_end"),
            "effect": json.loads(r["effect"] or "{}"),
            "terms_before": terms.get("before", []), "terms_after": terms.get("after", []),
            "embedding": d.get("embedding"),
            "steps": d.get("steps", []),
            "date_error_days": d.get("date_error_days"),
            "detail": d,
        })
    return out


def _variants(store: Store, template_id: int, top: int = 12) -> list[dict]:
    """Variants of a template's picture (stored by the match stage), largest first, each shown by its
    earliest instance, with that instance's post and community (the variant's origin)."""
    # SQLite gives the bare columns of a min() query from the row holding the minimum: the earliest post
    rows = store.query(
        """SELECT m.variant, i.path, min(p.created_at) AS first_seen, count(DISTINCT m.sha256) AS images,
                  p.key AS first_post, p.community AS first_community
           FROM matches m JOIN images i ON i.sha256=m.sha256 JOIN posts p ON p.image_sha256=m.sha256
           WHERE m.template_id=? AND m.variant IS NOT NULL GROUP BY m.variant ORDER BY images DESC, m.variant LIMIT ?""",
        (template_id, top),
    )
    return [{"variant": r[0], "example": r[1], "first_seen": r[2], "images": r[3], "first_post": r[4], "first_community": r[5]}
            for r in rows]


def _scopes(store: Store, template: str) -> list[dict]:
    """The template's parts with series of their own (per community, per variant), largest first."""
    out = []
    for (scope,) in store.query("SELECT scope FROM series WHERE template=? AND scope<>'' GROUP BY scope ORDER BY sum(n) DESC, scope",
                                (template,)):
        unit, timeline = _timeline(store, template, scope)
        kind, _, name = scope.partition(":")
        cps = _change_points(store, template, scope)
        for cp in cps:
            cp["text"] = _finding(template, cp, scope)
        out.append({"scope": scope, "kind": kind, "name": name, "label": scope_label(scope), "posts": sum(b["n"] for b in timeline),
                    "bin_unit": unit, "timeline": timeline, "change_points": cps})
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x >= 0.01 or x == 0 else f"{100 * x:.1f}%"


def _when(d: str | None, unit: str | None) -> str:
    if not d:
        return "?"
    return d[:7] if unit in ("month", "quarter") else d[:4] if unit == "year" else d


def _finding(template: str, cp: dict, scope: str = "") -> str:
    unit, at = cp.get("unit"), cp["date_unit"]  # bins, and the dates' own unit (_change_points defaults it)
    when = _when(cp["date"], at)
    if cp.get("date_low") and (cp["date_low"], cp["date_high"]) != (cp["date"], cp["date"]):
        err = f", with dates off by up to {cp['date_error_days']:.0f} days" if cp.get("date_error_days") else ""
        when += f" (95% interval {_when(cp['date_low'], at)} to {_when(cp['date_high'], at)}{err})"
    where = "across the corpus" if template == "*" else f"for {template}"
    if scope:
        where += f" ({scope_label(scope)})"
    verb = "rose" if cp["after"] > cp["before"] else "fell"
    eff = cp.get("effect") or {}
    if cp["kind"] == "volume":
        ratio = f", x{eff['rate_ratio']:.2g} [{eff['rate_ratio_low']:.2g}, {eff['rate_ratio_high']:.2g}]" if "rate_ratio" in eff else ""
        return f"Posting volume {where} {verb} from {cp['before']:.1f} to {cp['after']:.1f} posts per {unit or 'bin'}{ratio} from {when}."
    mood = cp["kind"] == "sentiment"
    level = (lambda v: f"{v:+.2f}") if mood else _pct  # noqa: E731
    steps = cp.get("steps") or []
    if steps:
        # a shift in steps: say when it started and ended, and where each step took it
        parts = ", ".join(f"to {level(st['after'])} from {_when(st['date'], at)}" for st in steps)
        when = f"{_when(steps[0]['date'], at)} to {_when(steps[-1]['date'], at)} in {len(steps)} steps ({parts})"
    over = "over" if steps else "from"
    if mood:
        diff = f" (change {eff['diff']:+.2f}, 95% CI {eff['diff_low']:+.2f} to {eff['diff_high']:+.2f})" if "diff" in eff else ""
        # a mood turns either way: the words of the new mood say what it turned to
        words = "; words typical after it: " + ", ".join(t["term"] for t in cp["terms_after"][:5]) if cp.get("terms_after") else ""
        return (f"The mean sentiment of captions {where} (VADER, -1 to 1) {verb} from {level(cp['before'])} to "
                f"{level(cp['after'])}{diff} {over} {when}{words}.")
    diff = f" (change {100 * eff['diff']:+.0f} points, 95% CI {100 * eff['diff_low']:+.0f} to {100 * eff['diff_high']:+.0f})" if "diff" in eff else ""
    words = ""
    if cp.get("terms_after") and cp["after"] > cp["before"]:
        words = "; words that came in: " + ", ".join(t["term"] for t in cp["terms_after"][:5])
    ctx = cp["kind"].split(":", 1)[1]
    return f"The share of {ctx} captions {where} {verb} from {_pct(cp['before'])} to {_pct(cp['after'])}{diff} {over} {when}{words}."


def kind_label(kind: str) -> str:
    """A change point's kind in words: "volume" -> "posting volume", "context:pandemic" -> "pandemic
    context", "use:sincere" -> "sincere use", "sentiment" -> "mean sentiment"."""
    family, _, name = kind.partition(":")
    return {"volume": "posting volume", "sentiment": "mean sentiment"}.get(family) or (f"{name} {family}" if name else kind)


def _readable(text: str | None) -> bool:
    """A caption worth showing as an example: at least two words (OCR of a picture with no caption can
    leave a stray 'O')."""
    return bool(text) and len(text.split()) >= 2 and len(text) >= 6


def _uses(store: Store) -> dict:
    rows = store.query("SELECT use, count(*) FROM analyses WHERE use IS NOT NULL GROUP BY use ORDER BY 2 DESC")
    total = sum(n for _, n in rows)
    return {u: round(n / total, 4) for u, n in rows} if total else {}


def _cue_words(use_cues: str | None) -> list[str]:
    """The cues behind a post's use, as short readable strings ("sarcasm_marker: oh great")."""
    out = []
    for c in json.loads(use_cues or "[]")[:3]:
        out.append(f"{c['cue']}: {', '.join(c['found'])}" if c.get("found") else c["cue"])
    return out


def _finding_entry(template: str | None, cp: dict) -> dict:
    # size: the change in share, or half the change in mean sentiment (whose scale spans -1 to 1)
    scale = {"volume": 0.0, "sentiment": 0.5}.get(cp["kind"], 1.0)
    return {"text": _finding(template or "*", cp), "template": template, "kind": cp["kind"], "date": cp["date"],
            "size": round(scale * abs(cp["after"] - cp["before"]), 4)}


def build_report(store: Store, template: str | None = None, samples: int = 8) -> dict:
    """The report as a JSON-ready dict; `template` limits the per-template part to one template."""
    posts = int(store.scalar("SELECT count(*) FROM posts"))
    images = int(store.scalar("SELECT count(*) FROM images"))
    comm = {r[0] or "(none)": r[1] for r in store.query("SELECT community, count(*) FROM posts GROUP BY community ORDER BY 2 DESC")}
    first, last = store.query("SELECT min(created_at), max(created_at) FROM posts")[0]
    errors = store.errors()
    unit, timeline = _timeline(store, "*")
    report: dict = {
        "schema": SCHEMA,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "store": store.path,
        "corpus": {
            "posts": posts,
            "images": images,
            "text_only": int(store.scalar("SELECT count(*) FROM posts WHERE image_sha256 IS NULL")),
            "communities": comm,
            "first_seen": first,
            "last_seen": last,
            "dates_approx": bool(store.scalar("SELECT count(*) FROM posts WHERE date_approx=1")),
            "bin_unit": unit,
            "timeline": timeline,
            "uses": _uses(store),
            "change_points": _change_points(store, "*"),
            "scopes": _scopes(store, "*"),
            "spread": json.loads(store.scalar("SELECT data FROM spread WHERE template='*'") or "null"),
            "errors": {
                "total": len(errors),
                "by_stage": dict(Counter(e["stage"] for e in errors)),
                "by_reason": dict(Counter(e["reason"] for e in errors)),
            },
        },
    }
    where, params = ("WHERE t.name=?", (template,)) if template else ("", ())
    trows = store.query(
        f"""SELECT t.id, t.name, t.description, t.aliases, t.affect, count(pt.post_key) AS n
            FROM templates t JOIN assignments pt ON pt.template_id=t.id {where}
            GROUP BY t.id ORDER BY n DESC, t.name""",
        params,
    )
    templates = []
    findings = []
    for cp in report["corpus"]["change_points"]:
        findings.append(_finding_entry(None, cp))
    for t in trows:
        rows = store.query(
            """SELECT p.key, p.created_at, p.community, p.image_sha256, i.path, pt.method, a.text, a.text_source,
                      a.sentiment, a.contexts, a.use, a.use_cues
               FROM assignments pt JOIN posts p ON p.key=pt.post_key
               LEFT JOIN images i ON i.sha256=p.image_sha256
               LEFT JOIN analyses a ON a.post_key=p.key
               WHERE pt.template_id=? ORDER BY p.created_at""",
            (t["id"],),
        )
        dated = [r for r in rows if r["created_at"]]
        # each post's context tags, parsed once (the change-point captions below filter on them too)
        tags = {r["key"]: set(json.loads(r["contexts"] or "{}")) for r in rows}
        ctx_n: Counter = Counter()
        # a post without text has no mood (VADER's blank 0.0), as in the timeline's sentiment series
        sent = [r["sentiment"] for r in rows if r["sentiment"] is not None and (r["text"] or "").strip()]
        for r in rows:
            ctx_n.update(tags[r["key"]])
        analyzed = sum(1 for r in rows if r["contexts"] is not None)
        used = [r["use"] for r in rows if r["use"]]
        # samples spread evenly over time, images first when there are any
        pool = [r for r in dated if r["path"]] or dated
        step = max(1, len(pool) // samples)
        picks = pool[::step][:samples]
        tunit, ttimeline = _timeline(store, t["name"])
        cps = _change_points(store, t["name"])
        entry = {
            "name": t["name"],
            "description": t["description"],
            "aliases": json.loads(t["aliases"] or "[]"),
            "affect": t["affect"],
            "instances": len(rows),
            "images": sum(1 for r in rows if r["image_sha256"]),
            "first_seen": dated[0]["created_at"] if dated else None,
            "first_post": dated[0]["key"] if dated else None,
            "first_by_community": {},  # from the stored spread, below
            "communities": dict(Counter(r["community"] or "(none)" for r in rows).most_common()),
            "match_methods": dict(Counter(r["method"] for r in rows)),
            "sentiment_mean": round(sum(sent) / len(sent), 4) if sent else None,
            "contexts": {c: round(n / analyzed, 4) for c, n in ctx_n.items()} if analyzed else {},
            "uses": {u: round(n / len(used), 4) for u, n in Counter(used).most_common()} if used else {},
            "bin_unit": tunit,
            "timeline": ttimeline,
            "change_points": cps,
            "samples": [
                {"post": r["key"], "date": r["created_at"], "community": r["community"], "text": r["text"],
                 "text_source": r["text_source"], "image": r["path"], "method": r["method"], "use": r["use"],
                 "use_cues": _cue_words(r["use_cues"])}
                for r in picks
            ],
            "references": [r[0] for r in store.query("SELECT path FROM template_images WHERE template_id=?", (t["id"],))],
        }
        # captions on either side of each change, from the adjacent segments, for the reader to see what moved
        for cp in cps:
            lo, hi = cp.get("segment_start") or "", (cp.get("segment_end") or "9999") + "~"
            # after a context change, show captions that carry the context
            kind, _, name = cp["kind"].partition(":")

            def shows(r, kind=kind, name=name, up=cp["after"] > cp["before"]):
                # after a context or use change, captions that carry it; after a turn of mood, captions on
                # the side it turned to (negative after a fall)
                if kind == "sentiment":
                    return (r["sentiment"] or 0.0) > 0 if up else (r["sentiment"] or 0.0) < 0
                return kind == "volume" or (kind == "context" and name in tags[r["key"]]) or (kind == "use" and r["use"] == name)

            # a shift in steps compares the time before its first step with the time after its last
            first = cp["steps"][0]["date"] if cp.get("steps") else cp["date"]
            last = cp["steps"][-1]["date"] if cp.get("steps") else cp["date"]
            before = [r["text"] for r in dated if lo <= r["created_at"] < first and _readable(r["text"])]
            after = [r["text"] for r in dated if last <= r["created_at"] < hi and _readable(r["text"]) and shows(r)]
            cp["samples_before"], cp["samples_after"] = before[-3:], after[:3]
        sp = store.scalar("SELECT data FROM spread WHERE template=?", (t["name"],))
        entry["spread"] = json.loads(sp) if sp else None
        if entry["spread"]:
            entry["first_by_community"] = {c["community"]: c["first_seen"] for c in entry["spread"]["first_by_community"]}
        entry["variants"] = _variants(store, t["id"])
        entry["scopes"] = _scopes(store, t["name"])
        templates.append(entry)
        for cp in cps:
            findings.append(_finding_entry(t["name"], cp))
    report["templates"] = templates
    clusters = store.query("SELECT c.id, c.size, c.medoid, i.path FROM clusters c JOIN images i ON i.sha256=c.medoid ORDER BY c.size DESC")
    report["clusters"] = [{"id": r[0], "size": r[1], "medoid": r[2], "medoid_path": r[3]} for r in clusters]
    report["unassigned_images"] = int(store.scalar("SELECT count(*) FROM matches WHERE template_id IS NULL"))
    report["non_meme_images"] = int(store.scalar("SELECT count(*) FROM matches WHERE template_id IS NULL AND cluster_id IS NULL"))
    # meaning findings first (context and use), then volume; within each, by template size
    rank = {t["name"]: i for i, t in enumerate(templates)}
    # shifts in meaning (context and use shares, sentiment) first, largest first: on a big corpus many small shifts
    # are significant, and the reader should meet the big ones; then volume changes by template size
    findings.sort(key=lambda f: (f["kind"] == "volume", -f["size"], f["template"] is not None,
                                 rank.get(f["template"], -1), f["date"]))
    report["findings"] = findings
    report["runs"] = [
        {**dict(r), "stages": json.loads(r["stages"] or "[]")}
        for r in store.query("SELECT id, command, started_at, finished_at, status, stages FROM runs ORDER BY id DESC LIMIT 10")
    ]
    return report
