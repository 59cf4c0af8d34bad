"""Imaging: safe decoding, normalization (caption bars, borders, flips) and perceptual hashes."""

from .decode import MAX_PIXELS, load_image, open_image
from .features import HASH_DRAFT_SIDE, file_features, picture_features
from .hashing import ImageHash, hash_views, hashers, phash, phash_and_mirror
from .normalize import content_box, strip_bars

__all__ = [
    "MAX_PIXELS",
    "load_image",
    "open_image",
    "ImageHash",
    "hashers",
    "phash",
    "phash_and_mirror",
    "hash_views",
    "content_box",
    "strip_bars",
    "file_features",
    "picture_features",
    "HASH_DRAFT_SIDE",
]
