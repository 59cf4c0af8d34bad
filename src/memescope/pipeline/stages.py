"""The pipeline's stages. Each is a function of a RunContext that finds its pending items in the store,
runs a pure per-batch worker (top-level, so it pickles to any executor) and saves what comes back."""

from __future__ import annotations

import functools
import json
import logging
from collections import defaultdict

from ..exceptions import BadImageError, NotInstalledError
from ..registry import Registry
from ..store import Store
from .runner import RunContext, run_items

__all__ = ["stages", "hash_batch", "ocr_batch", "picture_region", "understand_batch", "verify_batch"]

log = logging.getLogger(__name__)

stages: Registry = Registry("stage")

# -- hash ------------------------------------------------------------------------------------------

def hash_batch(items: list[tuple[str, str]]) -> list[tuple]:
    """Decode (draft JPEG), find the picture inside caption bars, and hash it three ways."""
    from ..imaging import hash_views, load_image

    out = []
    for sha, path in items:
        try:
            # pHash needs 32x32 of luma: JPEGs decode straight to grey at 1/2-1/8 scale (>= 128 px, so the
            # bar search still sees rows; at 64 px it misplaced 1 bar in 15 on the demo)
            im = load_image(path, draft_size=128, mode="L")
            fmt = im.format or ""
            w, h = im.info.get("original_size", im.size)  # draft decoding may have scaled the pixels
            box, content, full, mirror = hash_views(im, fast=True)
            sx, sy = w / im.width, h / im.height
            box = (round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy))
            payload = (w, h, fmt, box, content.to_int64(), full.to_int64(), mirror.to_int64())
            out.append(("ok", sha, payload))
        except BadImageError as exc:
            out.append(("err", sha, exc.reason, exc.detail))
        except Exception as exc:  # a decoder bug on one hostile file must not stop the run
            out.append(("err", sha, "unreadable image", f"{type(exc).__name__}: {exc}"))
    return out


def _save_hashes(store: Store, results: list) -> None:
    store.db.executemany(
        """INSERT OR REPLACE INTO features(sha256, width, height, format, box, phash, phash_full, phash_mirror)
           VALUES (?,?,?,?,?,?,?,?)""",
        [(sha, w, h, f, json.dumps(box), p, pf, pm) for _, sha, (w, h, f, box, p, pf, pm) in results],
    )


@stages.register("hash")
def hash_stage(ctx: RunContext) -> tuple[int, int]:
    items = [
        (r[0], r[1])
        for r in ctx.store.query(
            """SELECT i.sha256, i.path FROM images i
               WHERE NOT EXISTS (SELECT 1 FROM features f WHERE f.sha256=i.sha256)
                 AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.stage='hash' AND e.item=i.sha256)
               ORDER BY i.sha256"""
        )
    ]
    save = _save_hashes
    if ctx.options.get("features_dir"):
        from .shards import ShardWriter

        writer = ShardWriter(ctx.options["features_dir"], ctx.run_id)

        def save(store: Store, results: list) -> None:
            _save_hashes(store, results)
            writer.write([(sha, w, h, p, pf, pm) for _, sha, (w, h, f, box, p, pf, pm) in results])

    return run_items(ctx, "hash", items, hash_batch, save, batch_size=32)


# -- match -----------------------------------------------------------------------------------------


def verify_batch(batch: tuple[list[tuple[int, str]], list[tuple[str, str, list]]]) -> list[tuple]:
    """ORB + RANSAC for images the hashes could not place: against every reference when there are few,
    else against the references the image's keypoints vote for, then reshaped to the nearest templates'
    proportions (see templates.verify). Items are (sha256, path, hints)."""
    from ..imaging import load_image
    from ..templates.verify import get_verifier

    refs, items = batch
    verifier = get_verifier(tuple(refs), threads=1)  # one worker per core
    out = []
    for sha, path, hints in items:
        try:
            im = load_image(path)
            v = verifier.verify(im, hints)
            out.append(("ok", sha, v))  # a Verified (small, picklable) or None
        except BadImageError as exc:
            out.append(("err", sha, exc.reason, exc.detail))
    return out


@stages.register("match")
def match_stage(ctx: RunContext) -> tuple[int, int]:
    from ..index.hamming import to_uint64
    from ..templates import match_hashes, reference_codes
    from ..templates.clustering import cluster_codes, medoid

    store = ctx.store
    kb = store.kb_version
    refs = store.query("SELECT template_id, path, phash, phash_mirror FROM template_images ORDER BY template_id")
    ref_ids, ref_codes = reference_codes([r[0] for r in refs], [r[2] for r in refs], [r[3] for r in refs])
    pending = store.query(
        """SELECT f.sha256, i.path, f.phash, f.phash_full, f.phash_mirror, f.box FROM features f
           JOIN images i ON i.sha256=f.sha256
           LEFT JOIN matches m ON m.sha256=f.sha256
           WHERE m.sha256 IS NULL OR m.kb_version < ?""",
        (kb,),
    )
    # Step 1, every pending image: nearest reference by Hamming distance over three views.
    ctx.progress.start("match", len(pending))
    decisions = {r["sha256"]: (r, match_hashes(r["phash"], r["phash_full"], r["phash_mirror"], ref_ids, ref_codes)) for r in pending}
    undecided = [sha for sha, (_, d) in decisions.items() if d.template_id is None]

    def save(st: Store, results: list) -> None:
        """Results are ("ok", sha256, verified) with verified None (the hash decision stands) or
        a Verified from geometric verification."""
        rows = []
        for _, sha, v in results:
            r, d = decisions[sha]
            if v is None:
                region = r["box"] if d.template_id is not None else None
                rows.append((sha, d.template_id, d.distance, d.score, d.method, 0, region, kb))
            else:
                rows.append((sha, v.template_id, d.distance, v.score, v.method, 1, json.dumps(v.region), kb))
        st.db.executemany(
            "INSERT OR REPLACE INTO matches(sha256, template_id, distance, score, method, verified, region, kb_version) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )

    # images the hashes placed are decided now; the others wait for step 2 (or stay unplaced)
    verify = bool(undecided and refs)
    if verify:
        try:
            import cv2  # noqa: F401
        except ImportError:
            log.warning("OpenCV missing: images the hashes cannot place stay unmatched (pip install 'memescope[ocr]')")
            verify = False
    waiting = set(undecided) if verify else set()
    with store.transaction():
        save(store, [("ok", sha, None) for sha in decisions if sha not in waiting])
    ctx.progress.advance(len(pending))
    ctx.progress.finish()
    errors = 0
    if verify:
        # Step 2: what hashes cannot settle (crops, heavy overlays) is verified geometrically.
        unique_refs = sorted({(int(r[0]), r[1]) for r in refs})
        items = [(sha, decisions[sha][0]["path"], decisions[sha][1].nearest) for sha in undecided]
        _, errors = run_items(ctx, "verify", items, verify_batch, save, batch_size=8,
                              wrap=functools.partial(_with_refs, unique_refs))

    refresh_assignments(store)
    _number_variants(store)

    # Cluster whatever no template explains into candidate templates; singletons stay unassigned.
    rows = store.query(
        """SELECT m.sha256, f.phash, f.phash_mirror FROM matches m JOIN features f ON f.sha256=m.sha256
           WHERE m.template_id IS NULL ORDER BY m.sha256"""
    )
    codes = to_uint64([r[1] for r in rows])
    mirrors = to_uint64([r[2] for r in rows])
    min_size = int(ctx.options.get("cluster_min_size", 5))
    groups = cluster_codes(codes, mirrors, eps=8, min_size=min_size) if len(rows) else []
    with store.transaction() as db:
        db.execute("UPDATE matches SET cluster_id=NULL")
        db.execute("DELETE FROM clusters")
        for cid, members in enumerate(groups, 1):
            med = rows[medoid(codes, members)][0]
            db.execute("INSERT INTO clusters(id, medoid, size) VALUES (?,?,?)", (cid, med, len(members)))
            db.executemany("UPDATE matches SET cluster_id=? WHERE sha256=?", [(cid, rows[i][0]) for i in members])
    return len(pending) - errors, errors


def _number_variants(store: Store, eps: int = 6) -> None:
    """Group each template's matched images into variants (pHash within `eps` bits, mirrors alike),
    numbered by size; singletons are variants of their own."""
    from ..index.hamming import to_uint64
    from ..templates.clustering import cluster_codes

    updates = []
    for (tid,) in store.query("SELECT DISTINCT template_id FROM matches WHERE template_id IS NOT NULL"):
        rows = store.query(
            "SELECT m.sha256, f.phash, f.phash_mirror FROM matches m JOIN features f ON f.sha256=m.sha256 WHERE m.template_id=? ORDER BY m.sha256",
            (tid,),
        )
        groups = cluster_codes(to_uint64([r[1] for r in rows]), to_uint64([r[2] for r in rows]), eps=eps, min_size=1)
        for vid, members in enumerate(groups, 1):
            updates += [(vid, rows[i][0]) for i in members]
    with store.transaction() as db:
        db.executemany("UPDATE matches SET variant=? WHERE sha256=?", updates)


def refresh_assignments(store: Store) -> int:
    """Recompute every post's template in one pass: its image's match, else what its source declared."""
    with store.transaction() as db:
        db.execute("DELETE FROM assignments")
        db.execute(
            """INSERT INTO assignments(post_key, template_id, method)
               SELECT p.key, COALESCE(m.template_id, t.id),
                      CASE WHEN m.template_id IS NOT NULL THEN m.method ELSE 'declared' END
               FROM posts p
               LEFT JOIN matches m ON m.sha256 = p.image_sha256
               LEFT JOIN templates t ON t.name = p.template_hint
               WHERE COALESCE(m.template_id, t.id) IS NOT NULL"""
        )
        return int(db.execute("SELECT count(*) FROM assignments").fetchone()[0])


# -- ocr -------------------------------------------------------------------------------------------


# Images larger than this (longest side) gain nothing for caption text and cost OCR time quadratically.
OCR_MAX_SIDE = 1600


@functools.lru_cache(maxsize=16)
def _reference_picture(path: str):
    """A template's reference picture, at most OCR_MAX_SIDE a side, kept per worker: the same few
    templates come back again and again."""
    from ..imaging import load_image

    im = load_image(path)
    scale = min(1.0, OCR_MAX_SIDE / max(im.size))
    return im.resize((round(im.width * scale), round(im.height * scale))) if scale < 1 else im


def _caption_layer(im, refs: list[str], region: list[int], mirrored: bool):
    """The caption layer against the template's best-aligned reference (see ocr.layer), or None."""
    from ..ocr.layer import caption_layer

    best = (None, 1.0)
    for path in refs:
        try:
            ref = _reference_picture(path)
        except BadImageError as exc:
            log.warning("reference %s cannot be read for the caption layer (%s)", path, exc.reason)
            continue
        layer, share = caption_layer(im, ref, tuple(region), mirrored)
        if layer is not None and share < best[1]:
            best = (layer, share)
    return best[0]


def picture_region(method: str | None, region: list[int] | None, width: int, height: int) -> tuple[list[int] | None, bool]:
    """(where the matched template's picture lies, whether mirrored) from a match's method and region."""
    method = method or ""
    if method == "phash-full":  # the whole image's hash matched: the picture is the whole image
        region = [0, 0, width, height]
    return region, method.endswith("-mirror")


def ocr_batch(batch: tuple[str, list[tuple]]) -> list[tuple]:
    """Read the caption text of each image with one engine loaded once per worker process.

    Items are (sha256, path, content box, the template's own lines, its reference paths, the matched
    region, mirrored). For a matched image OCR reads the caption layer, the image with the template's
    untouched pixels blanked, when it lines up with a reference; lines that still repeat the template's
    own text are marked as such and left out of the caption."""
    from ..imaging import load_image
    from ..ocr import drop_template_text, get_engine
    from ..ocr.base import prints_text
    from ..ocr.layer import read_caption_layer

    engine_name, items = batch
    engine = get_engine(engine_name)
    out = []
    for sha, path, box, template_lines, refs, region, mirrored in items:
        try:
            im = load_image(path)
            scale = min(1.0, OCR_MAX_SIDE / max(im.size))
            if scale < 1:
                im = im.resize((round(im.width * scale), round(im.height * scale)))
                box = [round(v * scale) for v in box]
                region = [round(v * scale) for v in region] if region else region
            use_layer = refs and region and getattr(engine, "reads_caption_layer", True)
            layer = _caption_layer(im, refs, region, mirrored) if use_layer else None
            # the picture is read again where the layer is unsure, unless the template prints text of its
            # own, which the picture would bring back
            picture = None if prints_text(template_lines) else im
            res = read_caption_layer(engine, layer, tuple(box), picture) if layer is not None else engine.read(im, tuple(box))
            res = drop_template_text(res, template_lines)
            out.append(("ok", sha, (res.engine, res.text, res.clean, res.to_json(), res.source)))
        except BadImageError as exc:
            out.append(("err", sha, exc.reason, exc.detail))
    return out


def template_own_text(store: Store, engine_name: str, template_ids: set[int]) -> dict[int, list[str]]:
    """The text each template's first reference picture carries (at a few sizes), read once per engine
    and stored."""
    from ..imaging import load_image
    from ..ocr import get_engine, template_text

    out: dict[int, list[str]] = {}
    for tid in sorted(template_ids):
        row = store.query("SELECT lines FROM template_text WHERE template_id=? AND engine=?", (tid, engine_name))
        if row:
            out[tid] = json.loads(row[0][0])
            continue
        ref = store.query("SELECT path FROM template_images WHERE template_id=? ORDER BY rowid LIMIT 1", (tid,))
        lines: list[str] = []
        if ref:
            try:
                lines = template_text(get_engine(engine_name), load_image(ref[0][0]))
            except BadImageError as exc:
                log.warning("template %d: cannot read its reference for its own text (%s)", tid, exc.reason)
        store.db.execute("INSERT OR REPLACE INTO template_text(template_id, engine, lines) VALUES (?,?,?)",
                         (tid, engine_name, json.dumps(lines)))
        out[tid] = lines
    return out


def _save_ocr(store: Store, results: list) -> None:
    store.db.executemany(
        "INSERT OR REPLACE INTO ocr(sha256, engine, text, clean, lines, source) VALUES (?,?,?,?,?,?)",
        [(sha, eng, text, clean, json.dumps(lines), src) for _, sha, (eng, text, clean, lines, src) in results],
    )


@stages.register("ocr")
def ocr_stage(ctx: RunContext) -> tuple[int, int]:
    engine = ctx.options.get("ocr_engine", "rapidocr")
    rows = ctx.store.query(
        """SELECT f.sha256, i.path, f.box, m.template_id, m.region, m.method, f.width, f.height
           FROM features f JOIN images i ON i.sha256=f.sha256
           LEFT JOIN matches m ON m.sha256=f.sha256
           WHERE NOT EXISTS (SELECT 1 FROM ocr o WHERE o.sha256=f.sha256)
             AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.stage='ocr' AND e.item=f.sha256)
           ORDER BY f.sha256"""
    )
    if rows:
        from ..ocr import ocr_engines

        ocr_engines[engine]  # unknown engine: fail before starting workers
        if engine == "rapidocr":
            try:
                import rapidocr  # noqa: F401
            except ImportError as exc:
                raise NotInstalledError("rapidocr", "ocr", "rapidocr onnxruntime") from exc
    own = template_own_text(ctx.store, engine, {r[3] for r in rows if r[3] is not None}) if rows else {}
    refs: dict[int, list[str]] = {}
    for tid, ref_path in ctx.store.query("SELECT template_id, path FROM template_images ORDER BY template_id, rowid"):
        refs.setdefault(tid, []).append(ref_path)
    items = [
        (r[0], r[1], json.loads(r[2]), own.get(r[3], []), refs.get(r[3], []) if r[3] is not None else [],
         *picture_region(r[5], json.loads(r[4]) if r[4] else None, r[6], r[7]))
        for r in rows
    ]
    return run_items(ctx, "ocr", items, ocr_batch, _save_ocr, batch_size=4, wrap=functools.partial(_with_engine, engine))


def _with_engine(engine: str, batch: list) -> tuple[str, list]:
    return engine, batch


def _with_refs(refs: list, batch: list) -> tuple[list, list]:
    return refs, batch


# -- understand ------------------------------------------------------------------------------------


def understand_batch(items: list[tuple[str, str, str, str | None]]) -> list[tuple]:
    """(post key, text source, text, template affect) -> analyses, batched: embeddings run per batch."""
    from ..understand import analyze_texts

    res = analyze_texts([t for _, _, t, _ in items], [a for _, _, _, a in items])
    return [("ok", key, (source, text, affect, a)) for (key, source, text, affect), a in zip(items, res)]


def _save_analyses(store: Store, results: list, version: str) -> None:
    def j(v):
        return None if v is None else json.dumps(v)

    store.db.executemany(
        """INSERT OR REPLACE INTO analyses(post_key, text_source, text, sentiment, sentiment_label, contexts, cues,
               version, use, use_probs, humour, sarcasm, use_cues, emotions, template_affect)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        [(k, s, t, a["sentiment"], a["sentiment_label"], json.dumps(a["contexts"]), json.dumps(a["cues"]), version,
          a["use"], j(a.get("use_probs")), a.get("humour"), a.get("sarcasm"), j(a.get("use_cues")),
          json.dumps(a["emotion_cues"]), affect)
         for _, k, (s, t, affect, a) in results],
    )


@stages.register("understand")
def understand_stage(ctx: RunContext) -> tuple[int, int]:
    from ..understand import analysis_version

    version = analysis_version()
    ocr_ran = "ocr" in ctx.options.get("stages", [])
    # A post waits for its image's OCR unless OCR is not part of this run or the image could not be read.
    # Analyses made by other lexicons or analyzers (another version) are redone.
    rows = ctx.store.query(
        f"""SELECT p.key, p.text, p.title, o.clean, p.image_sha256, t.affect FROM posts p
            LEFT JOIN ocr o ON o.sha256 = p.image_sha256
            LEFT JOIN assignments asg ON asg.post_key = p.key
            LEFT JOIN templates t ON t.id = asg.template_id
            WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_key=p.key AND a.version=?)
              AND (p.image_sha256 IS NULL OR o.sha256 IS NOT NULL OR {0 if ocr_ran else 1}
                   OR EXISTS (SELECT 1 FROM errors e WHERE e.item=p.image_sha256 AND e.stage IN ('hash','ocr')))
            ORDER BY p.key""",
        (version,),
    )
    items = []
    for key, text, title, ocr_text, _, affect in rows:
        # Typed caption first (exact), then what OCR read off the picture, then the post's title.
        if text and text.strip():
            items.append((key, "post", text, affect))
        elif ocr_text and ocr_text.strip():
            items.append((key, "ocr", ocr_text, affect))
        elif title and title.strip():
            items.append((key, "title", title, affect))
        else:
            items.append((key, "none", "", affect))
    return run_items(ctx, "understand", items, understand_batch, functools.partial(_save_analyses, version=version), batch_size=500)


# -- timeline --------------------------------------------------------------------------------------


@stages.register("timeline")
def timeline_stage(ctx: RunContext) -> tuple[int, int]:
    """Series per template (and for the whole corpus, '*'), and within each per community and per variant
    of its picture, with change points (date intervals, effect sizes, distinctive terms). Recomputed
    whole: it is cheap and depends on everything before it."""
    from collections import Counter

    from ..timeline import CORPUS, PostPoint, analyze_posts, split_scopes, tokenize
    from ..timeline.analysis import APPROX_ERROR_DAYS
    from ..timeline.spread import spread

    store = ctx.store
    # the variant is that of the post's image within the template the post is assigned to
    rows = store.query(
        """SELECT COALESCE(pt.template, '') AS template, p.created_at, a.contexts, a.sentiment, a.text, p.community, a.use,
                  m.variant, p.date_approx, p.date_error_days
           FROM posts p JOIN analyses a ON a.post_key=p.key
           LEFT JOIN post_templates pt ON pt.post_key=p.key
           LEFT JOIN matches m ON m.sha256=p.image_sha256 AND m.template_id=pt.template_id
           WHERE p.created_at IS NOT NULL"""
    )
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)
    items = []
    contexts: set[str] = set()
    background: Counter = Counter()
    for t, created, cx, s, text, community, use, variant, approx, error in rows:
        if t:
            where[t].append((created, community))
        where[CORPUS].append((created, community))
        c = tuple(json.loads(cx))
        contexts.update(c)
        pp = PostPoint(created, c, s, text or "", use, error if error is not None else APPROX_ERROR_DAYS if approx else 0.0)
        background.update(tokenize(pp.text))
        items.append((t, community, variant, pp))
    by_t = split_scopes(items)
    del items
    from ..understand import use_model

    embed = None
    model = use_model()
    if model is not None:  # the caption embedder is there: measure drift at meaning changes
        from ..understand.embed import get_embedder

        embed = get_embedder(model.embedder).embed
    ctx.progress.start("timeline", len(by_t))
    series_rows, cp_rows = [], []
    context_names = sorted(contexts)
    for template, scopes in by_t.items():
        unit = None
        for scope, posts in scopes.items():  # '' first: its unit is the parts' unit
            # drift embeds captions: worth it for the whole template, too slow for every part of it
            res = analyze_posts(posts, context_names, background, embed=None if scope else embed, unit=unit)
            unit = unit or res.unit
            for i, b in enumerate(res.bins):
                series_rows.append((template, scope, b, res.unit, res.n[i], json.dumps({c: v[i] for c, v in res.context_n.items()}),
                                    res.sentiment[i], json.dumps({u: v[i] for u, v in res.use_n.items()})))
            for cp in res.change_points:
                cp_rows.append((
                    template, scope, cp["kind"], cp["date"], cp["before"], cp["after"],
                    json.dumps(cp["detail"] | {"unit": cp["unit"], "date_unit": cp["date_unit"], "segment_start": cp["segment_start"], "segment_end": cp["segment_end"]}
                               | ({"steps": cp["steps"]} if cp["steps"] else {})),
                    cp["date_low"], cp["date_high"], json.dumps(cp["effect"]),
                    json.dumps({"before": cp["terms_before"], "after": cp["terms_after"]}),
                ))
        ctx.progress.advance(1)
    spread_rows = [(t, json.dumps(spread(p))) for t, p in where.items()]
    with store.transaction() as db:
        db.execute("DELETE FROM series")
        db.execute("DELETE FROM change_points")
        db.execute("DELETE FROM spread")
        db.executemany("INSERT INTO spread(template, data) VALUES (?, ?)", spread_rows)
        db.executemany("INSERT INTO series(template, scope, bin, bin_unit, n, context_n, sentiment, use_n) VALUES (?,?,?,?,?,?,?,?)",
                       series_rows)
        db.executemany(
            "INSERT INTO change_points(template, scope, kind, date, before, after, detail, date_low, date_high, effect, terms)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            cp_rows,
        )
    ctx.progress.finish()
    return len(by_t), 0
