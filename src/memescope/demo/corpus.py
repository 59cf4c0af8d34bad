"""Build the demo corpus: the project's own template drawings, its own captions in three uses, rendered
as memes with realistic edits, dated 2010-2023 across communities, with a meaning shift planted in 2020.

Deterministic: the same seed and size give the same files, byte for byte. Ground truth goes next to it.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .drawings import TEMPLATES, UNREGISTERED, draw_non_meme, draw_template
from .phrases import PHRASES
from .render import apply_edits, caption_bar, caption_outlined, jpeg_bytes

__all__ = ["build_demo_corpus", "SHIFT_DATE", "FOCUS"]

FOCUS = "crying-behind-mask"
SHIFT_DATE = date(2020, 3, 15)  # the planted moment: the mask meme becomes pandemic talk
COMMUNITIES = ["r/memes", "r/wholesomememes", "tumblr", "twitter"]
START, END = date(2010, 1, 1), date(2023, 12, 31)


def _random_date(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


def _plan(rng: random.Random, n: int) -> list[dict]:
    """Who is what: template (or None for a non-meme), date, use, pandemic context, community."""
    posts: list[dict[str, Any]] = []
    others = [t for t in TEMPLATES if t != FOCUS]
    for _i in range(n):
        r = rng.random()
        if r < 0.12:
            posts.append({"template": None, "date": _random_date(rng, START, END)})
            continue
        template = FOCUS if r < 0.50 else rng.choice(others)
        if template == FOCUS:
            # A decade of steady, mostly humorous use, then a surge of sincere pandemic use from 2020.
            after = rng.random() < 0.5
            # the new meaning comes with a surge: most later posts fall in the first year and a half
            surge_end = date(2021, 9, 30)
            d = (
                (_random_date(rng, SHIFT_DATE, surge_end) if rng.random() < 0.7 else _random_date(rng, surge_end, END))
                if after
                else _random_date(rng, START, SHIFT_DATE - timedelta(days=1))
            )
            if after:
                use = rng.choices(["sincere", "humorous", "sarcastic"], [0.7, 0.15, 0.15])[0]
                pandemic = rng.random() < (0.85 if d.year <= 2021 else 0.5)
            else:
                use = rng.choices(["sincere", "humorous", "sarcastic"], [0.2, 0.55, 0.25])[0]
                pandemic = False
        else:
            d = _random_date(rng, START, END)
            use = rng.choices(["sincere", "humorous", "sarcastic"], [0.1, 0.6, 0.3])[0]
            pandemic = d >= SHIFT_DATE and d.year <= 2021 and rng.random() < 0.3
        community = "r/wholesomememes" if use == "sincere" and rng.random() < 0.6 else rng.choice(COMMUNITIES)
        posts.append({"template": template, "date": d, "use": use, "pandemic": pandemic, "community": community})
    return posts


def build_demo_corpus(out: str | Path, n: int = 400, seed: int = 2020) -> dict:
    """Write `out/images/*.jpg`, `out/posts.jsonl` (a manifest), `out/templates/*.png` (reference
    drawings), `out/templates.json` and `out/ground_truth.json`. Returns the ground truth."""
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "templates").mkdir(exist_ok=True)
    rng = random.Random(seed)
    kb = []
    refs = {}
    for name, (title, desc, affect) in TEMPLATES.items():
        refs[name] = draw_template(name, seed)
        path = out / "templates" / f"{name}.png"
        refs[name].save(path)
        kb.append(
            {"name": name, "title": title, "description": desc, "affect": affect, "image": f"templates/{name}.png"}
        )
    (out / "templates.json").write_text(json.dumps(kb, indent=1))

    for name in UNREGISTERED:
        refs[name] = draw_template(name, seed)
    plan = _plan(rng, n)
    # One post in 16 of the other templates becomes a meme of a template the knowledge base does not know.
    # A separate generator picks them, so every other post is drawn exactly as before.
    pick = random.Random(f"unregistered:{seed}")
    others = [i for i, p in enumerate(plan) if p["template"] not in (None, FOCUS)]
    for i in pick.sample(others, min(len(others), max(1, n // 16))):
        plan[i]["template"] = next(iter(UNREGISTERED))
    truth_posts = []
    with (out / "posts.jsonl").open("w") as manifest:
        for i, p in enumerate(plan):
            pid = f"demo-{i:05d}"
            edits: list[str] = []
            caption = None
            if p["template"] is None:
                im = draw_non_meme(rng)
                style = "photo"
            else:
                pic = refs[p["template"]]
                # Flips and crops happen to the picture before it is captioned (text reads right, and a
                # crop never cuts the caption the ground truth records); the other edits come after.
                pre = [e for e, prob in (("crop", 0.3), ("flip", 0.25)) if rng.random() < prob]
                pic = apply_edits(pic, pre, rng)
                edits += pre
                top, bottom = rng.choice(PHRASES[p["use"]][p["pandemic"]])
                caption = f"{top} {bottom}"
                style = rng.choices(["outlined", "bar", "bare"], [0.55, 0.35, 0.10])[0]
                if style == "bare":
                    im, caption = pic, None
                else:
                    im = (caption_outlined if style == "outlined" else caption_bar)(pic, top, bottom)
                extra = rng.sample(["sticker", "rotate", "resize"], k=rng.choice([0, 1, 1, 2]))
                im = apply_edits(im, extra, rng)
                edits += extra
            quality = rng.randrange(35, 92)
            rel = f"images/{pid}.jpg"
            (out / rel).write_bytes(jpeg_bytes(im, quality))
            created = p["date"].isoformat() + f"T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00"
            community = p.get("community") or rng.choice(COMMUNITIES)
            manifest.write(
                json.dumps(
                    {
                        "id": pid,
                        "image": rel,
                        "created_at": created,
                        "community": community,
                        "author": f"user{rng.randrange(1, 90)}",
                    }
                )
                + "\n"
            )
            unknown = p["template"] in UNREGISTERED
            truth_posts.append(
                {
                    # an unregistered template's meme has no registered template to find: None is right for it
                    "id": pid,
                    "template": None if unknown else p["template"],
                    "unregistered": p["template"] if unknown else None,
                    "use": p.get("use"),
                    "pandemic": p.get("pandemic", False),
                    "caption": caption,
                    "style": style,
                    "edits": edits,
                    "jpeg_quality": quality,
                    "created_at": created,
                    "community": community,
                }
            )
    truth = {
        "seed": seed,
        "size": n,
        "focus": FOCUS,
        "shift": {"template": FOCUS, "kind": "context:pandemic", "date": SHIFT_DATE.isoformat()},
        "posts": truth_posts,
    }
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=1))
    return truth
