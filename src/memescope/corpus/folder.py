"""A folder of images (recursive), each with an optional sidecar `<image>.json` of metadata."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from ..records import Post, Skipped
from .base import readers
from .dates import parse_date

__all__ = ["FolderReader", "IMAGE_SUFFIXES"]

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}


@readers.register("folder")
class FolderReader:
    """Posts are images; a post's id is its sidecar's `id`, else its content hash (so copies are one post)."""

    name = "folder"

    def sniff(self, path: Path) -> bool:
        return path.is_dir()

    def read(self, path: Path) -> Iterator[Post | Skipped]:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            meta: dict = {}
            sidecar = file.with_name(file.name + ".json")
            if sidecar.exists():
                try:
                    meta = json.loads(sidecar.read_text(encoding="utf-8"))
                    if not isinstance(meta, dict):
                        raise ValueError("not a JSON object")
                except (ValueError, UnicodeDecodeError) as exc:
                    yield Skipped(str(sidecar), "bad sidecar", str(exc))
                    meta = {}
            try:
                created = parse_date(meta.get("created_at"))
            except ValueError as exc:
                yield Skipped(str(file), "bad date", str(exc))
                created = None
            post_id = str(meta.get("id") or _file_digest(file))
            yield Post(
                id=post_id,
                source=self.name,
                image_path=str(file.resolve()),
                text=meta.get("text") or None,
                title=meta.get("title") or None,
                created_at=created,
                community=meta.get("community"),
                author=meta.get("author"),
                url=meta.get("url"),
                template_hint=meta.get("template"),
            )


def _file_digest(file: Path) -> str:
    h = hashlib.sha256()
    with file.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:20]
