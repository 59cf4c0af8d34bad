"""An image's features as the pipeline keeps them (memescope.records.ImageFeatures): from a file, decoded
the hash stage's fast way, or from a picture already decoded (an upload)."""

from __future__ import annotations

import os

from PIL import Image

from ..records import ImageFeatures
from .decode import load_image
from .hashing import hash_views

__all__ = ["file_features", "picture_features", "HASH_DRAFT_SIDE"]

# pHash needs 32x32 of luma: JPEGs decode straight to grey at 1/2-1/8 scale (>= 128 px, so the bar search
# still sees rows; at 64 px it misplaced 1 bar in 15 on the demo)
HASH_DRAFT_SIDE = 128


def file_features(path: str | os.PathLike | bytes) -> ImageFeatures:
    """Decode (draft JPEG), find the picture inside caption bars, and hash it three ways. Raises
    BadImageError for an image that cannot be used."""
    im = load_image(path, draft_size=HASH_DRAFT_SIDE, mode="L")
    fmt = im.format or ""
    w, h = im.info.get("original_size", im.size)  # draft decoding may have scaled the pixels
    box, content, full, mirror = hash_views(im, fast=True)
    sx, sy = w / im.width, h / im.height
    box = (round(box[0] * sx), round(box[1] * sy), round(box[2] * sx), round(box[3] * sy))
    return ImageFeatures(w, h, fmt, box, content.to_int64(), full.to_int64(), mirror.to_int64())


def picture_features(im: Image.Image) -> ImageFeatures:
    """The same features of a picture already decoded, at its own size."""
    box, content, full, mirror = hash_views(im)
    return ImageFeatures(
        im.width, im.height, im.format or "", box, content.to_int64(), full.to_int64(), mirror.to_int64()
    )
