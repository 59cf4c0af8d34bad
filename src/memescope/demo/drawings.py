"""The demo's own template pictures, drawn with Pillow from a seed (no outside images).

Each template has a flat-shaded subject over a textured background: texture gives perceptual hashes and
keypoint matchers something to hold on to, as the grain of a real photo does.
"""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFilter

__all__ = ["TEMPLATES", "UNREGISTERED", "draw_template", "draw_non_meme"]

W, H = 480, 400

# name -> (title, description, affect of the picture itself)
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "crying-behind-mask": (
        "Crying behind a mask",
        "A figure weeping behind a smiling mask it holds up: hidden pain behind a cheerful face.",
        "sad",
    ),
    "two-buttons": ("Two buttons", "A sweating hand hovers between a red and a blue button: a hard choice.", "anxious"),
    "galaxy-brain": (
        "Galaxy brain",
        "Four panels of ever brighter brains: ideas ranked from plain to absurd.",
        "ironic",
    ),
    "pointing-robot": ("Pointing robot", "A small robot points at a glowing screen: 'look at this'.", "neutral"),
    "surprised-cat": ("Surprised cat", "A cat with enormous eyes and a tiny open mouth: shock.", "surprised"),
}


def _texture(rng: random.Random, size: tuple[int, int], base: tuple[int, int, int], n: int = 160) -> Image.Image:
    im = Image.new("RGB", size, base)
    d = ImageDraw.Draw(im)
    for _ in range(n):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(6, 40)
        jitter = [max(0, min(255, c + rng.randrange(-40, 41))) for c in base]
        shape = rng.random()
        if shape < 0.5:
            d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(jitter))
        else:
            d.polygon([(x + rng.randrange(-r, r), y + rng.randrange(-r, r)) for _ in range(4)], fill=tuple(jitter))
    return im.filter(ImageFilter.GaussianBlur(1.2))


def _crying_behind_mask(rng: random.Random) -> Image.Image:
    im = _texture(rng, (W, H), (70, 80, 120))
    d = ImageDraw.Draw(im)
    # shoulders and head
    d.ellipse([90, 300, 390, 520], fill=(40, 40, 60), outline=(15, 15, 25), width=4)
    d.ellipse([150, 60, 330, 270], fill=(236, 196, 160), outline=(60, 40, 30), width=4)
    d.chord([145, 40, 335, 190], 180, 360, fill=(60, 35, 20))  # hair
    # weeping eyes (visible above the mask), brows slanted up in the middle
    for ex in (200, 280):
        d.ellipse([ex - 18, 125, ex + 18, 150], fill=(255, 255, 255), outline=(30, 30, 30), width=3)
        d.ellipse([ex - 7, 131, ex + 7, 147], fill=(40, 60, 90))
        d.line(
            [(ex - 22, 112 + (10 if ex < 240 else 0)), (ex + 22, 112 + (0 if ex < 240 else 10))],
            fill=(50, 30, 20),
            width=6,
        )
    # tears streaming down
    for tx in (186, 214, 266, 294):
        d.line([(tx, 150), (tx - 4, 205)], fill=(90, 170, 255), width=7)
        d.ellipse([tx - 11, 198, tx + 3, 214], fill=(90, 170, 255))
    # the smiling mask held up in front of the lower face, on a stick
    d.line([(360, 250), (420, 390)], fill=(120, 80, 40), width=10)
    d.ellipse([170, 170, 370, 290], fill=(250, 245, 235), outline=(40, 40, 40), width=5)
    d.arc([215, 195, 325, 270], 20, 160, fill=(200, 30, 40), width=9)  # big smile
    d.ellipse([222, 195, 240, 212], fill=(40, 40, 40))
    d.ellipse([300, 195, 318, 212], fill=(40, 40, 40))
    d.ellipse([192, 225, 222, 245], fill=(250, 170, 170))  # rosy cheeks
    d.ellipse([318, 225, 348, 245], fill=(250, 170, 170))
    d.ellipse([350, 230, 385, 265], fill=(236, 196, 160), outline=(60, 40, 30), width=3)  # hand
    return im


def _two_buttons(rng: random.Random) -> Image.Image:
    im = _texture(rng, (W, H), (200, 190, 160))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([60, 40, 420, 230], 20, fill=(90, 90, 100), outline=(30, 30, 30), width=5)
    d.ellipse([100, 80, 210, 190], fill=(220, 40, 40), outline=(20, 20, 20), width=5)
    d.ellipse([270, 80, 380, 190], fill=(40, 90, 220), outline=(20, 20, 20), width=5)
    d.ellipse([120, 95, 160, 125], fill=(255, 140, 140))
    d.ellipse([290, 95, 330, 125], fill=(140, 180, 255))
    # hand with sweat drops
    d.rounded_rectangle([190, 250, 290, 400], 30, fill=(236, 196, 160), outline=(60, 40, 30), width=4)
    for fx in range(195, 290, 24):
        d.rounded_rectangle([fx, 215, fx + 20, 275], 10, fill=(236, 196, 160), outline=(60, 40, 30), width=3)
    for sx, sy in ((160, 260), (320, 240), (330, 300)):
        d.polygon([(sx, sy - 18), (sx - 9, sy + 4), (sx + 9, sy + 4)], fill=(120, 200, 255))
        d.ellipse([sx - 9, sy - 6, sx + 9, sy + 12], fill=(120, 200, 255))
    return im


def _galaxy_brain(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (W, H), (10, 10, 20))
    d = ImageDraw.Draw(im)
    ph = H // 4
    for i in range(4):
        y0 = i * ph
        panel = _texture(rng, (W, ph), (20 + 30 * i, 20 + 20 * i, 60 + 45 * i), n=60)
        im.paste(panel, (0, y0))
        d.line([(0, y0), (W, y0)], fill=(0, 0, 0), width=4)
        d.line([(W // 2, y0), (W // 2, y0 + ph)], fill=(0, 0, 0), width=4)
        cx, cy = 3 * W // 4, y0 + ph // 2
        glow = 40 + 70 * i
        for r in range(10 + 8 * i, 0, -4):
            c = min(255, glow + 3 * (10 + 8 * i - r))
            d.ellipse([cx - 35 - r, cy - 28 - r, cx + 35 + r, cy + 28 + r], outline=(c, c, min(255, c + 60)), width=2)
        d.ellipse(
            [cx - 35, cy - 28, cx + 35, cy + 28], fill=(230, 150 + 25 * i, 180 + 20 * i), outline=(80, 30, 60), width=3
        )
        for k in range(-2, 3):
            d.arc([cx - 30 + 12 * k, cy - 20, cx + 12 * k, cy + 20], 270, 90, fill=(150, 60, 100), width=2)
        d.rectangle([20, y0 + 20, W // 2 - 20, y0 + ph - 20], fill=(245, 245, 245), outline=(0, 0, 0), width=2)
    return im


def _pointing_robot(rng: random.Random) -> Image.Image:
    im = _texture(rng, (W, H), (110, 160, 120))
    d = ImageDraw.Draw(im)
    d.rectangle([260, 60, 450, 220], fill=(20, 30, 40), outline=(200, 200, 200), width=6)
    for k in range(6):
        y = 80 + 22 * k
        d.line([(280, y), (280 + rng.randrange(60, 150), y)], fill=(80, 255, 160), width=6)
    d.rounded_rectangle([60, 180, 190, 330], 16, fill=(170, 175, 190), outline=(40, 40, 50), width=4)
    d.rounded_rectangle([75, 90, 175, 175], 14, fill=(190, 195, 210), outline=(40, 40, 50), width=4)
    d.ellipse([95, 115, 120, 140], fill=(255, 220, 40))
    d.ellipse([130, 115, 155, 140], fill=(255, 220, 40))
    d.line([(125, 90), (125, 60)], fill=(40, 40, 50), width=5)
    d.ellipse([117, 50, 133, 66], fill=(230, 60, 60))
    d.line([(185, 220), (255, 160)], fill=(150, 155, 170), width=16)  # pointing arm
    d.ellipse([245, 148, 270, 173], fill=(120, 125, 140))
    d.rectangle([80, 330, 110, 390], fill=(120, 125, 140))
    d.rectangle([140, 330, 170, 390], fill=(120, 125, 140))
    return im


def _surprised_cat(rng: random.Random) -> Image.Image:
    im = _texture(rng, (W, H), (230, 200, 120))
    d = ImageDraw.Draw(im)
    d.polygon([(120, 140), (150, 30), (215, 110)], fill=(120, 110, 110), outline=(30, 30, 30))
    d.polygon([(360, 140), (330, 30), (265, 110)], fill=(120, 110, 110), outline=(30, 30, 30))
    d.ellipse([100, 80, 380, 360], fill=(140, 130, 125), outline=(30, 30, 30), width=5)
    for ex in (185, 295):
        d.ellipse([ex - 50, 150, ex + 50, 250], fill=(250, 250, 200), outline=(20, 20, 20), width=4)
        d.ellipse([ex - 28, 172, ex + 28, 228], fill=(20, 20, 20))
        d.ellipse([ex - 16, 178, ex - 2, 192], fill=(255, 255, 255))
    d.polygon([(230, 262), (250, 262), (240, 275)], fill=(240, 120, 150))
    d.ellipse([228, 285, 252, 312], fill=(60, 20, 30))
    for side in (-1, 1):
        for k in range(3):
            d.line([(240 + side * 40, 280 + 8 * k), (240 + side * 140, 265 + 16 * k)], fill=(30, 30, 30), width=2)
    return im


def _sleepy_owl(rng: random.Random) -> Image.Image:
    im = _texture(rng, (W, H), (70, 90, 140))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 330, W, 350], fill=(90, 60, 40))  # the branch
    d.ellipse([150, 90, 330, 345], fill=(150, 110, 70), outline=(40, 30, 20), width=5)
    d.ellipse([185, 190, 295, 330], fill=(220, 200, 160))
    for ex in (200, 280):  # closed eyes: a lid over each
        d.ellipse([ex - 38, 120, ex + 38, 196], fill=(250, 240, 210), outline=(40, 30, 20), width=4)
        d.chord([ex - 38, 120, ex + 38, 196], 180, 360, fill=(150, 110, 70))
        d.line([(ex - 30, 158), (ex + 30, 158)], fill=(40, 30, 20), width=4)
    d.polygon([(228, 190), (252, 190), (240, 215)], fill=(240, 170, 40))
    d.polygon([(160, 110), (185, 60), (205, 105)], fill=(150, 110, 70))
    d.polygon([(320, 110), (295, 60), (275, 105)], fill=(150, 110, 70))
    d.ellipse([360, 40, 420, 100], fill=(245, 235, 180))  # the moon
    return im


# Drawn like the others but never put in the demo's knowledge base: its memes must end up in a candidate
# cluster of their own, not in a registered template and not among the non-memes.
UNREGISTERED = {"sleepy-owl": ("Sleepy owl", "An owl dozing on a branch under the moon: too tired for this.", "tired")}

_DRAW = {
    "sleepy-owl": _sleepy_owl,
    "crying-behind-mask": _crying_behind_mask,
    "two-buttons": _two_buttons,
    "galaxy-brain": _galaxy_brain,
    "pointing-robot": _pointing_robot,
    "surprised-cat": _surprised_cat,
}


def draw_template(name: str, seed: int = 0) -> Image.Image:
    """The clean reference picture of a demo template (same seed, same pixels)."""
    return _DRAW[name](random.Random(f"{name}:{seed}"))


def draw_non_meme(rng: random.Random) -> Image.Image:
    """A picture that is no meme: a landscape, a pattern or a 'snapshot' of shapes."""
    kind = rng.choice(["landscape", "pattern", "snapshot"])
    w, h = rng.choice([(480, 360), (400, 400), (520, 340)])
    if kind == "landscape":
        im = Image.new("RGB", (w, h))
        d = ImageDraw.Draw(im)
        top, bottom = (
            (rng.randrange(60, 140), rng.randrange(120, 200), 255),
            (255, rng.randrange(150, 230), rng.randrange(90, 170)),
        )
        for y in range(h):
            t = y / h
            d.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
        for layer in range(3):
            base = h * (0.45 + 0.15 * layer)
            pts = (
                [(0, h)]
                + [
                    (x, base - rng.randrange(0, 90) * math.sin(x / w * math.pi * rng.uniform(1, 3)) ** 2)
                    for x in range(0, w + 40, 40)
                ]
                + [(w, h)]
            )
            g = 60 + 40 * layer
            d.polygon(pts, fill=(g // 2, g, g // 2 + rng.randrange(0, 40)))
        d.ellipse([w * 0.7, h * 0.1, w * 0.7 + 50, h * 0.1 + 50], fill=(255, 240, 200))
        return im.filter(ImageFilter.GaussianBlur(0.8))
    if kind == "pattern":
        im = _texture(rng, (w, h), (rng.randrange(40, 220), rng.randrange(40, 220), rng.randrange(40, 220)), n=300)
        d = ImageDraw.Draw(im)
        step = rng.randrange(30, 70)
        for x in range(0, w, step):
            d.line(
                [(x, 0), (x + rng.randrange(-60, 60), h)],
                fill=tuple(rng.randrange(256) for _ in range(3)),
                width=rng.randrange(2, 8),
            )
        return im
    im = _texture(rng, (w, h), (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200)), n=80)
    d = ImageDraw.Draw(im)
    for _ in range(rng.randrange(3, 8)):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(20, 90)
        d.rectangle(
            [x - r, y - r // 2, x + r, y + r],
            fill=tuple(rng.randrange(256) for _ in range(3)),
            outline=(0, 0, 0),
            width=2,
        )
    return im
