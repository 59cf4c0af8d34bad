"""Serving stored images: only files that are images by their own bytes, only from the folders the
analysis recorded as corpus roots, and never as anything a browser would run.

A path comes from the analysis store, which took it from a corpus written by a stranger: it is checked
again here, when the file is served, because the file may have changed (or become a link) since.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["sniff_image_type", "servable", "IMAGE_TYPES"]

# magic bytes -> media type: the type comes from the file's bytes, never from its name
IMAGE_TYPES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
]


def sniff_image_type(head: bytes) -> str | None:
    """The media type of an image from its first bytes, or None when they are not one we serve."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((t for magic, t in IMAGE_TYPES if head.startswith(magic)), None)


def _inside(real: Path, roots: list[Path]) -> bool:
    return any(real == r or r in real.parents for r in roots)


def servable(path: str | None, roots: list[str] | None) -> tuple[str, str] | None:
    """(real path, media type) when `path` is a regular file inside one of `roots` (links followed) whose
    bytes are an image; else None. `roots` None: a store from before roots were recorded, where the
    bytes alone decide."""
    if not path:
        return None
    try:
        real = Path(os.path.realpath(path, strict=True))
        if not real.is_file():
            return None
        if roots is not None and not _inside(real, [Path(os.path.realpath(r)) for r in roots]):
            return None
        with open(real, "rb") as f:
            media = sniff_image_type(f.read(16))
    except (OSError, RuntimeError, ValueError):
        return None
    return (str(real), media) if media else None
