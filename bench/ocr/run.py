"""OCR benchmark: real ImgFlip templates with real captions (../shared, not copied), rendered in three
styles (Anton outlined top/bottom, DejaVu Bold outlined, black text in a white bar), JPEG quality 50-90,
widths 400-1000 px. Character error rate, word accuracy and CPU-s per image, per engine and style, with
raw Tesseract as the baseline measured in the same run. Run by hand; see README.md."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import re
import time
from pathlib import Path

import matplotlib
from PIL import Image

from memescope.demo.render import caption_bar, caption_outlined
from memescope.imaging import load_image, strip_bars
from memescope.ocr import OcrLine, OcrResult, drop_template_text, get_engine, template_text
from memescope.ocr.base import prints_text
from memescope.ocr.layer import caption_layer, read_caption_layer
from memescope.ocr.metrics import edit_distance

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "imgflip575k"
DEJAVU = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf")
STYLES = ("anton-outlined", "dejavu-outlined", "white-bar")


def _norm(text: str) -> str:
    """Upper case, letters/digits/apostrophes and single spaces: punctuation is not scored."""
    return " ".join(re.sub(r"[^A-Z0-9' ]+", " ", text.upper()).split())


def captions(rng: random.Random, per_template: int = 30) -> dict[str, list[tuple[str, str]]]:
    out = {}
    for f in sorted((SHARED / "captions").glob("*.jsonl.gz")):
        name = f.name[: -len(".jsonl.gz")]
        if not (SHARED / "templates" / f"{name}.jpg").exists():
            continue
        good = []
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                boxes = [b.strip() for b in json.loads(line).get("boxes") or []]
                if len(boxes) == 2 and all(0 < len(b) <= 50 and b.isascii() and b.isprintable() for b in boxes):
                    good.append((boxes[0], boxes[1]))
        out[name] = rng.sample(good, min(per_template, len(good)))
    return out


class RawTesseract:
    """The baseline: Tesseract on the whole image, no preprocessing."""

    name = "tesseract-raw"
    reads_caption_layer = False

    def __init__(self):
        import tesserocr

        from memescope.ocr.tesseract import _tessdata

        self.api = tesserocr.PyTessBaseAPI(path=_tessdata(), lang="eng")

    def read(self, im: Image.Image, box=None) -> OcrResult:
        self.api.SetImage(im)
        lines = [ln for ln in self.api.GetUTF8Text().splitlines() if ln.strip()]
        return OcrResult(self.name, [OcrLine(ln, 1.0, (0, 0, 0, 0)) for ln in lines])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-style", type=int, default=40)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--engines", default="rapidocr,tesseract,tesseract-raw")
    ap.add_argument("--no-layer", dest="layer", action="store_false",
                    help="read the images as they are, not their caption layers (the pipeline before session 6)")
    ap.add_argument("--out", default="bench/ocr/results.json")
    ap.add_argument("--errors", help="also write every misread sample (style, template, truth, reading) to this "
                                     "JSON file; it holds ImgFlip's captions, so keep it out of the repository")
    args = ap.parse_args()
    misread = []
    rng = random.Random(args.seed)
    caps = captions(rng)
    names = sorted(caps)
    samples = []
    for style in STYLES:
        for _ in range(args.per_style):
            name = rng.choice(names)
            top, bottom = rng.choice(caps[name])
            pic = Image.open(SHARED / "templates" / f"{name}.jpg").convert("RGB")
            w = rng.randrange(400, 1001)
            pic = pic.resize((w, max(64, round(pic.height * w / pic.width))), Image.Resampling.LANCZOS)
            if style == "white-bar":
                im = caption_bar(pic, top, bottom)
            else:
                im = caption_outlined(pic, top, bottom, DEJAVU if style.startswith("dejavu") else None)
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=rng.randrange(50, 91))
            samples.append((style, name, f"{top} {bottom}", buf.getvalue(), pic))
    results = {}
    # templates that carry printed text of their own (WHO WOULD WIN?, HISTORY.COM), as the first engine
    # reads them: a caption drawn over that text cannot be told apart from it, so the CER is also given
    # on the other templates
    printed: dict[str, bool] = {}
    references: dict[str, Image.Image] = {}
    for engine_name in args.engines.split(","):
        eng = RawTesseract() if engine_name == "tesseract-raw" else get_engine(engine_name)
        own_text: dict[str, list[str]] = {}  # per template, as the pipeline stores it (template_text table)
        per = {s: {"chars": 0, "char_err": 0, "raw_err": 0, "words": 0, "word_err": 0, "cpu": 0.0, "n": 0, "layer": 0,
                    "plain_chars": 0, "plain_err": 0, "plain_words": 0, "plain_word_err": 0, "plain_n": 0} for s in STYLES}
        for style, name, ref, data, pic in samples:
            im = load_image(data)
            # the caption is what was added: what the bare template (same size, same engine) says is
            # dropped, as the pipeline does with the template_text table (outside the timing: done once)
            if name not in own_text:
                own_text[name] = template_text(eng, Image.open(SHARED / "templates" / f"{name}.jpg").convert("RGB"))
            own = own_text[name]
            printed.setdefault(name, prints_text(own))
            t0 = time.process_time()
            box = strip_bars(im)[1]
            layer = None
            if args.layer and getattr(eng, "reads_caption_layer", True):
                # as the pipeline does for a matched image: the template's reference, over the region the
                # hash match stores (the content box), with its untouched pixels blanked
                if name not in references:
                    references[name] = Image.open(SHARED / "templates" / f"{name}.jpg").convert("RGB")
                layer, _ = caption_layer(im, references[name], box)
            res = read_caption_layer(eng, layer, box, None if prints_text(own) else im) if layer is not None else eng.read(im, box)
            cpu = time.process_time() - t0
            r, h = _norm(ref), _norm(drop_template_text(res, own).clean)
            p = per[style]
            ce, we = edit_distance(r, h), edit_distance(r.split(), h.split())
            p["chars"] += len(r); p["char_err"] += ce; p["raw_err"] += edit_distance(r, _norm(res.clean))
            p["words"] += len(r.split()); p["word_err"] += we
            p["cpu"] += cpu; p["n"] += 1; p["layer"] += layer is not None
            if ce:
                misread.append({"engine": engine_name, "style": style, "template": name, "truth": r, "read": h,
                                "char_errors": ce, "printed_template": printed[name]})
            if not printed[name]:
                p["plain_chars"] += len(r); p["plain_err"] += ce; p["plain_words"] += len(r.split()); p["plain_word_err"] += we
                p["plain_n"] += 1
        results[engine_name] = {s: {"cer": round(p["char_err"] / p["chars"], 4), "word_accuracy": round(1 - p["word_err"] / p["words"], 4),
                                    "cer_with_template_text": round(p["raw_err"] / p["chars"], 4),
                                    "cer_plain_templates": round(p["plain_err"] / max(1, p["plain_chars"]), 4),
                                    "word_accuracy_plain_templates": round(1 - p["plain_word_err"] / max(1, p["plain_words"]), 4),
                                    "n_plain_templates": p["plain_n"],
                                    "cpu_s_per_image": round(p["cpu"] / p["n"], 3), "n": p["n"],
                                    "read_through_caption_layer": p["layer"]} for s, p in per.items()}
        print(engine_name, json.dumps(results[engine_name]), flush=True)
    Path(args.out).write_text(json.dumps({"seed": args.seed, "per_style": args.per_style, "caption_layer": args.layer,
                                          "results": results}, indent=1))
    if args.errors:
        Path(args.errors).write_text(json.dumps(misread, indent=1))
    print("\n| engine | style | CER | word accuracy | CER, word acc. on templates without printed text (n) "
          "| CER counting the template's own text | CPU-s/image |\n|---|---|---|---|---|---|---|")
    for e, per in results.items():
        for s, m in per.items():
            print(f"| {e} | {s} | {100 * m['cer']:.2f}% | {100 * m['word_accuracy']:.1f}% | {100 * m['cer_plain_templates']:.2f}%, "
                  f"{100 * m['word_accuracy_plain_templates']:.1f}% ({m['n_plain_templates']}) "
                  f"| {100 * m['cer_with_template_text']:.2f}% | {m['cpu_s_per_image']} |")


if __name__ == "__main__":
    main()
