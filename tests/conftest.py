"""Shared fixtures. Tests use real parts: a real SQLite store, real images, the real OCR engine."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image

from memescope.store import open_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data() -> Path:
    """../shared/data beside the repository; tests that need it skip cleanly when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "test.db")
    yield s
    s.close()


def jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def random_picture(seed: int, size=(160, 120)) -> Image.Image:
    """A small picture of random rectangles: distinct per seed, fast to make."""
    from PIL import ImageDraw

    rng = random.Random(seed)
    im = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        d.rectangle([x, y, x + rng.randrange(10, 60), y + rng.randrange(10, 60)], fill=tuple(rng.randrange(256) for _ in range(3)))
    return im


def write_manifest(folder: Path, rows: list[dict], name: str = "posts.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> Path:
    """One of each kind of bad file, next to two good ones."""
    import struct
    import zlib

    d = tmp_path_factory.mktemp("hostile")
    good = jpeg(random_picture(1, (200, 150)))
    (d / "good.jpg").write_bytes(good)
    (d / "good2.png").write_bytes(_png(random_picture(2)))
    (d / "empty.jpg").write_bytes(b"")
    (d / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (d / "text.jpg").write_bytes(b"this is not an image, only words\n" * 20)
    # a PNG whose header claims 60000 x 60000 pixels: must be refused before any pixel is decoded
    png = bytearray(_png(Image.new("L", (1, 1))))
    ihdr = struct.pack(">II", 60000, 60000) + bytes(png[24:29])
    png[16:29] = ihdr
    png[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    (d / "bomb.png").write_bytes(bytes(png))
    return d


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One demo run (160 posts) shared by the tests that need a whole analyzed corpus and its report."""
    pytest.importorskip("rapidocr")
    from memescope.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, size=160, workers=2)
