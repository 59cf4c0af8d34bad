"""Template identity benchmark: the 99 real ImgFlip templates (../shared), instances rendered with real
captions in edit families, and distractors (scikit-image's bundled photos and the project's own non-meme
drawings). Runs the real pipeline (hash + match) and, as the baseline in the same run, imagehash's pHash
nearest-template. Run by hand; see README.md."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from memescope.corpus import ingest
from memescope.demo.drawings import draw_non_meme
from memescope.demo.render import apply_edits, caption_bar, caption_outlined
from memescope.pipeline import analyze
from memescope.store import open_store
from memescope.templates import import_imgflip_templates

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "imgflip575k"
FAMILIES = ["caption", "white-bar", "crop", "recompress", "flip", "sticker", "rotate", "resize", "bar+crop+flip"]


def _caption(rng, caps, name):
    pool = caps.get(name) or caps["*"]
    return rng.choice(pool)


def load_captions(rng) -> dict:
    caps = {"*": []}
    for f in sorted((SHARED / "captions").glob("*.jsonl.gz")):
        name = f.name[: -len(".jsonl.gz")]
        good = []
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i > 3000:
                    break
                b = [x.strip() for x in json.loads(line).get("boxes") or []]
                if len(b) == 2 and all(0 < len(x) <= 40 and x.isascii() for x in b):
                    good.append((b[0], b[1]))
        caps[name] = good
        caps["*"] += good[:50]
    return caps


def make_instance(rng, pic: Image.Image, family: str, cap) -> Image.Image:
    top, bottom = cap
    if family == "caption":
        return caption_outlined(pic, top, bottom)
    if family == "white-bar":
        return caption_bar(pic, top, bottom)
    if family == "crop":
        w, h = pic.size
        f = rng.uniform(0.10, 0.30)
        l, t = int(w * f * rng.random()), int(h * f * rng.random())
        return caption_outlined(pic.crop((l, t, l + int(w * (1 - f)), t + int(h * (1 - f)))), top, bottom)
    if family == "recompress":
        return caption_outlined(pic, top, bottom)  # saved at low quality below
    if family == "flip":
        return caption_outlined(ImageOps.mirror(pic), top, bottom)
    if family == "sticker":
        return apply_edits(caption_outlined(pic, top, bottom), ["sticker", "sticker"], rng)
    if family == "rotate":
        return apply_edits(caption_outlined(pic, top, bottom), ["rotate"], rng)
    if family == "resize":
        return caption_outlined(pic, top, bottom).resize((rng.randrange(250, 400), rng.randrange(200, 400)))
    if family == "bar+crop+flip":
        w, h = pic.size
        f = rng.uniform(0.10, 0.25)
        return caption_bar(ImageOps.mirror(pic.crop((0, int(h * f), int(w * (1 - f)), h))), top, bottom)
    raise ValueError(family)


def distractors(rng, n: int) -> list[Image.Image]:
    from skimage import data

    out = []
    for name in ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field", "camera",
                 "moon", "page", "text", "brick", "grass", "gravel", "clock", "horse", "coins"):
        try:
            arr = getattr(data, name)()
        except Exception:  # a few need pooch downloads; skip those
            continue
        im = Image.fromarray(arr if arr.dtype == np.uint8 else (arr * 255).astype(np.uint8))
        out.append(im.convert("RGB"))
        out.append(ImageOps.mirror(im.convert("RGB")).resize((im.width // 2, im.height // 2)))
    while len(out) < n:
        out.append(draw_non_meme(rng))
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-family", type=int, default=40, help="instances per edit family")
    ap.add_argument("--distractors", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", default="bench/templates/results.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tjson = json.loads((SHARED / "templates.json").read_text())
    names = [t["name"] for t in tjson if t.get("image") and (SHARED / t["image"]).exists()]
    caps = load_captions(rng)
    work = Path(tempfile.mkdtemp(prefix="memescope-tbench-"))
    (work / "img").mkdir()
    rows, truth = [], {}
    for family in FAMILIES:
        for i in range(args.per_family):
            name = rng.choice(names)
            pic = Image.open(SHARED / "templates" / f"{name}.jpg").convert("RGB")
            im = make_instance(rng, pic, family, _caption(rng, caps, name))
            q = rng.randrange(15, 35) if family == "recompress" else rng.randrange(60, 92)
            pid = f"{family}-{i}"
            buf = io.BytesIO()
            im.convert("RGB").save(buf, "JPEG", quality=q)
            (work / "img" / f"{pid}.jpg").write_bytes(buf.getvalue())
            rows.append({"id": pid, "image": f"img/{pid}.jpg"})
            truth[pid] = (family, name)
    for i, im in enumerate(distractors(rng, args.distractors)):
        pid = f"distractor-{i}"
        im.convert("RGB").save(work / "img" / f"{pid}.jpg", quality=85)
        rows.append({"id": pid, "image": f"img/{pid}.jpg"})
        truth[pid] = ("distractor", None)
    (work / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    store = open_store(work / "b.db")
    import_imgflip_templates(store, SHARED / "templates.json")
    ingest(store, work / "posts.jsonl")
    t0 = time.perf_counter()
    run = analyze(store, stages=["hash", "match"], workers=args.workers, executor="local" if args.workers > 1 else "serial")
    wall = time.perf_counter() - t0
    got = {r[0]: (r[1], r[2]) for r in store.query(
        "SELECT p.id, t.name, m.method FROM posts p JOIN matches m ON m.sha256=p.image_sha256 LEFT JOIN templates t ON t.id=m.template_id")}
    stage_s = {s["stage"]: s["seconds"] for s in run["stages"]}

    # baseline: imagehash pHash of the whole image, nearest template, threshold set on the distractors
    import imagehash

    refs = {n: imagehash.phash(Image.open(SHARED / "templates" / f"{n}.jpg")) for n in names}
    base, t_ih = {}, 0.0
    for pid in truth:
        im = Image.open(work / "img" / f"{pid}.jpg")
        t1 = time.process_time()
        h = imagehash.phash(im)
        t_ih += time.process_time() - t1
        best = min(refs, key=lambda n: h - refs[n])
        base[pid] = (best, h - refs[best])
    dist_d = sorted(d for pid, (_, d) in base.items() if truth[pid][0] == "distractor")
    # the largest radius whose false-match rate on distractors is <= 0.1% (with few distractors: none)
    radius = int(dist_d[0]) - 1 if dist_d else 10

    res = {"families": {}, "baseline_imagehash": {"radius": radius, "families": {}}}
    for family in FAMILIES:
        ids = [p for p, (f, _) in truth.items() if f == family]
        ok = sum(got.get(p, (None,))[0] == truth[p][1] for p in ids)
        wrong = sum(got.get(p, (None,))[0] not in (None, truth[p][1]) for p in ids)
        bok = sum(base[p][0] == truth[p][1] and base[p][1] <= radius for p in ids)
        res["families"][family] = {"n": len(ids), "recall": round(ok / len(ids), 3), "wrong_template": wrong}
        res["baseline_imagehash"]["families"][family] = round(bok / len(ids), 3)
    dids = [p for p, (f, _) in truth.items() if f == "distractor"]
    fm = sum(got.get(p, (None,))[0] is not None for p in dids)
    res["distractors"] = {"n": len(dids), "false_matches": fm, "rate": round(fm / len(dids), 4),
                          "rate_95_upper": round(1 - 0.05 ** (1 / len(dids)), 4) if fm == 0 else None}
    n_img = len(truth)
    res["throughput"] = {"hash_stage_images_per_s": round(n_img / stage_s["hash"], 1),
                         "imagehash_phash_images_per_cpu_s": round(n_img / t_ih, 1),
                         "match_stage_s": stage_s["match"], "workers": args.workers, "wall_s": round(wall, 1)}
    res["methods"] = dict(__import__("collections").Counter(m for _, m in got.values()))
    text = json.dumps(res, indent=1, default=int)  # imagehash distances are numpy integers
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
