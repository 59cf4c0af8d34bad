"""Template identity benchmark: the real ImgFlip templates (../shared), instances rendered with real
captions in edit families, and distractors of three kinds: memes of templates held out of the knowledge
base (rendered the same way), views of scikit-image's bundled photos (random crops, mirrors, sizes,
brightness), and the project's own non-meme drawings. Runs the real pipeline (hash + match) and, as the baseline in the same run, imagehash's pHash
nearest-template. Run by hand; see README.md."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import sys
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


def instance_jpeg(rng, name: str, family: str, caps: dict) -> bytes:
    """One instance of template `name` in an edit family, with one of its real captions, as JPEG bytes
    (quality 15-35 for the recompress family, else 60-91)."""
    pic = Image.open(SHARED / "templates" / f"{name}.jpg").convert("RGB")
    im = make_instance(rng, pic, family, _caption(rng, caps, name))
    q = rng.randrange(15, 35) if family == "recompress" else rng.randrange(60, 92)
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=q)
    return buf.getvalue()


def _photos() -> list[Image.Image]:
    from skimage import data

    out = []
    for name in ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field", "camera",
                 "moon", "page", "text", "brick", "grass", "gravel", "clock", "horse", "coins", "cat", "retina"):
        try:
            arr = getattr(data, name)()
        except Exception:  # a few need pooch downloads; skip those
            continue
        out.append(Image.fromarray(arr if arr.dtype == np.uint8 else (arr * 255).astype(np.uint8)).convert("RGB"))
    return out


def photo_view(rng, photos: list[Image.Image]) -> Image.Image:
    """A random view of a bundled photo: crop of 30-100% of its side, any aspect 0.6-1.6, maybe mirrored,
    resized to 250-900 px wide, brightness 0.7-1.3."""
    from PIL import ImageEnhance

    im = rng.choice(photos)
    side = min(im.size) * rng.uniform(0.3, 1.0)
    aspect = rng.uniform(0.6, 1.6)
    w, h = min(im.width, int(side * aspect ** 0.5)), min(im.height, int(side / aspect ** 0.5))
    x, y = rng.randrange(0, im.width - w + 1), rng.randrange(0, im.height - h + 1)
    view = im.crop((x, y, x + w, y + h))
    if rng.random() < 0.5:
        view = ImageOps.mirror(view)
    width = rng.randrange(250, 901)
    view = view.resize((width, max(32, round(view.height * width / view.width))), Image.Resampling.LANCZOS)
    return ImageEnhance.Brightness(view).enhance(rng.uniform(0.7, 1.3))


def distractors(rng, n: int, held_out: list[str], caps: dict) -> list[tuple[str, Image.Image]]:
    """(kind, image): a third memes of held-out templates, a third photo views, a third drawings."""
    photos = _photos()
    out = []
    for i in range(n):
        kind = ("unregistered-template", "photo", "drawing")[i % 3] if held_out else ("photo", "drawing")[i % 2]
        if kind == "unregistered-template":
            name = rng.choice(held_out)
            pic = Image.open(SHARED / "templates" / f"{name}.jpg").convert("RGB")
            out.append((kind, make_instance(rng, pic, rng.choice(FAMILIES), _caption(rng, caps, name))))
        elif kind == "photo":
            out.append((kind, photo_view(rng, photos)))
        else:
            out.append((kind, draw_non_meme(rng)))
    return out


def _upper95(k: int, n: int) -> float:
    """Exact (Clopper-Pearson) one-sided 95% upper bound on a rate with k events in n trials."""
    from scipy.stats import beta

    return 1.0 if k >= n else float(beta.ppf(0.95, k + 1, n - k))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-family", type=int, default=40, help="instances per edit family")
    ap.add_argument("--distractors", type=int, default=3000,
                    help="non-matches; 3,000 with none matched bounds the false-match rate below 0.1%% (95%%)")
    ap.add_argument("--holdout", type=int, default=20, help="templates left out of the knowledge base; their memes are distractors")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", default="bench/templates/results.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tjson = json.loads((SHARED / "templates.json").read_text())
    all_names = [t["name"] for t in tjson if t.get("image") and (SHARED / t["image"]).exists()]
    shuffled = all_names[:]
    rng.shuffle(shuffled)
    held_out, names = sorted(shuffled[: args.holdout]), sorted(shuffled[args.holdout:])
    caps = load_captions(rng)
    work = Path(tempfile.mkdtemp(prefix="memescope-tbench-"))
    print(f"working in {work}", file=sys.stderr)
    (work / "img").mkdir()
    # the knowledge base: every template but the held-out ones (image paths made absolute)
    kept = [t | {"image": str(SHARED / t["image"])} for t in tjson if t["name"] in set(names)]
    (work / "templates.json").write_text(json.dumps(kept))
    rows, truth = [], {}
    for family in FAMILIES:
        for i in range(args.per_family):
            name = rng.choice(names)
            pid = f"{family}-{i}"
            (work / "img" / f"{pid}.jpg").write_bytes(instance_jpeg(rng, name, family, caps))
            rows.append({"id": pid, "image": f"img/{pid}.jpg"})
            truth[pid] = (family, name)
    dkind = {}
    for i, (kind, im) in enumerate(distractors(rng, args.distractors, held_out, caps)):
        pid = f"distractor-{i}"
        im.convert("RGB").save(work / "img" / f"{pid}.jpg", quality=rng.randrange(60, 92))
        rows.append({"id": pid, "image": f"img/{pid}.jpg"})
        truth[pid] = ("distractor", None)
        dkind[pid] = kind
    (work / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    store = open_store(work / "b.db")
    import_imgflip_templates(store, work / "templates.json")
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
    # the largest radius whose false-match rate on distractors is <= 0.1%
    allowed = int(0.001 * len(dist_d))
    radius = int(dist_d[allowed]) - 1 if dist_d else 10

    res = {"families": {}, "baseline_imagehash": {"radius": radius, "families": {}}}
    for family in FAMILIES:
        ids = [p for p, (f, _) in truth.items() if f == family]
        ok = sum(got.get(p, (None,))[0] == truth[p][1] for p in ids)
        wrong = sum(got.get(p, (None,))[0] not in (None, truth[p][1]) for p in ids)
        bok = sum(base[p][0] == truth[p][1] and base[p][1] <= radius for p in ids)
        missed = [f"{p} ({truth[p][1]})" for p in ids if got.get(p, (None,))[0] != truth[p][1]]
        res["families"][family] = {"n": len(ids), "recall": round(ok / len(ids), 3), "wrong_template": wrong,
                                   "missed": missed}
        res["baseline_imagehash"]["families"][family] = round(bok / len(ids), 3)
    dids = [p for p, (f, _) in truth.items() if f == "distractor"]
    fm = sum(got.get(p, (None,))[0] is not None for p in dids)
    res["distractors"] = {"n": len(dids), "false_matches": fm, "rate": round(fm / len(dids), 4),
                          "rate_95_upper": round(_upper95(fm, len(dids)), 5), "held_out_templates": held_out,
                          "by_kind": {k: {"n": sum(dkind[p] == k for p in dids),
                                          "false_matches": sum(dkind[p] == k and got.get(p, (None,))[0] is not None for p in dids),
                                          "matched_to": sorted({got[p][0] for p in dids if dkind[p] == k and got.get(p, (None,))[0]})}
                                      for k in sorted(set(dkind.values()))}}
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
