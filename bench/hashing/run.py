"""Hashing throughput per core: memescope's hash stage beside imagehash and imagededup, same images, same run.

Two image sets, because JPEG decoding dominates and draft decoding helps baseline files far more than
progressive ones:
- rendered: instances of the real ImgFlip templates with real captions, in every edit family of the
  template benchmark, saved as baseline JPEGs (as Pillow, phones and most sites write them);
- originals: the 99 ImgFlip template files as downloaded (mostly progressive JPEGs, up to 2,800 px).

Each method runs over the whole set in one process; CPU time (`time.process_time`) per image, the
median of `--rounds` interleaved rounds. Run by hand; see README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from memescope.imaging import load_image, phash
from memescope.pipeline.stages import hash_batch
from memescope.store import ImageFile


def _template_bench():
    """The template benchmark's module, for its renderer (both files are called run.py)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "templates" / "run.py"
    spec = importlib.util.spec_from_file_location("template_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tb = _template_bench()
FAMILIES, SHARED = tb.FAMILIES, tb.SHARED


def _imagededup():
    """imagededup's PHash, or None: the package imports torch and torchvision even for hashing."""
    try:
        from imagededup.methods import PHash
    except ImportError as exc:
        print(f"imagededup not measured: {exc}", file=sys.stderr)
        return None
    return PHash(verbose=False)


def render(n: int, seed: int, out: Path) -> list[Path]:
    rng = random.Random(seed)
    names = sorted(p.stem for p in (SHARED / "templates").glob("*.jpg"))
    caps = tb.load_captions(rng)
    paths = []
    for i in range(n):
        name = rng.choice(names)
        paths.append(out / f"{i:05d}.jpg")
        paths[-1].write_bytes(tb.instance_jpeg(rng, name, FAMILIES[i % len(FAMILIES)], caps))
    return paths


def methods(paths: list[Path]) -> dict:
    import imagehash

    items = [ImageFile(str(i), str(p)) for i, p in enumerate(paths)]
    out = {
        "imagehash.phash": lambda: [imagehash.phash(Image.open(p)) for p in paths],
        # what JPEG draft decoding alone buys: one pHash of the whole picture, no bar search
        "draft decode + phash": lambda: [phash(load_image(p, draft_size=128, mode="L")) for p in paths],
        "memescope hash stage": lambda: hash_batch(items),
    }
    dedup = _imagededup()
    if dedup is not None:
        out["imagededup PHash"] = lambda: [dedup.encode_image(image_file=str(p)) for p in paths]
    return out


def measure(paths: list[Path], rounds: int) -> dict:
    fns = methods(paths)
    for p in paths:  # warm the page cache so the first method does not pay for the disk
        p.read_bytes()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[name].append((time.process_time() - t0) / len(paths))
    base = statistics.median(times["imagehash.phash"])
    return {
        name: {
            "images_per_cpu_s": round(1 / statistics.median(ts), 1),
            "ratio_to_imagehash": round(base / statistics.median(ts), 2),
        }
        for name, ts in times.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rendered", type=int, default=450, help="rendered instances (50 per edit family)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"needs {SHARED}")
    work = Path(tempfile.mkdtemp(prefix="memescope-hbench-"))
    rendered = render(args.rendered, args.seed, work)
    originals = sorted((SHARED / "templates").glob("*.jpg"))
    res = {
        "rendered": {"n": len(rendered), **measure(rendered, args.rounds)},
        "originals": {"n": len(originals), **measure(originals, args.rounds)},
        "rounds": args.rounds,
        "seed": args.seed,
    }
    text = json.dumps(res, indent=1)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
