"""A folder of images (recursive), each with an optional sidecar `<image>.json` of metadata.

The walk never leaves the folder: links are followed only to files inside it, linked folders are not
entered, and a name that is not UTF-8, a link that leads nowhere or in a loop, or a folder that cannot be
read is recorded as skipped with its reason."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from ..records import Post, Skipped
from .base import readers
from .validate import BadField, check_image, make_post, printable_path

__all__ = ["FolderReader", "IMAGE_SUFFIXES"]

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
MAX_SIDECAR_BYTES = 1 << 20


def walk_files(root: Path) -> Iterator[Path | Skipped]:
    """Every file under `root` in a stable order, or a Skipped item for what cannot be walked."""
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append, followlinks=False):
        while errors:
            exc = errors.pop()
            yield Skipped(printable_path(exc.filename or folder), "unreadable folder", exc.strerror or str(exc))
        dirs.sort()
        for d in list(dirs):
            full = os.path.join(folder, d)
            if os.path.islink(full):  # linked folders are not entered: they could lead out, or round
                dirs.remove(d)
                yield Skipped(printable_path(full), "linked folder", "links to folders are not followed")
        for name in sorted(files):
            yield Path(folder) / name
    while errors:
        exc = errors.pop()
        yield Skipped(printable_path(exc.filename or root), "unreadable folder", exc.strerror or str(exc))


def _sidecar(file: Path) -> tuple[dict, Skipped | None]:
    sidecar = file.with_name(file.name + ".json")
    if not os.path.lexists(sidecar):
        return {}, None
    try:
        if os.path.getsize(sidecar) > MAX_SIDECAR_BYTES:
            raise ValueError(f"larger than {MAX_SIDECAR_BYTES} bytes")
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        return meta, None
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        return {}, Skipped(printable_path(sidecar), "bad sidecar", str(exc)[:200])


@readers.register("folder")
class FolderReader:
    """Posts are images; a post's id is its sidecar's `id`, else its content hash (so copies are one post)."""

    name = "folder"

    def sniff(self, path: Path) -> bool:
        return path.is_dir()

    def read(self, path: Path, root: Path) -> Iterator[Post | Skipped]:
        for file in walk_files(path):
            if isinstance(file, Skipped):
                yield file
                continue
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                real = check_image(str(file), root)
            except BadField as bad_file:
                yield Skipped(printable_path(file), bad_file.reason, bad_file.detail)
                continue
            meta, bad = _sidecar(file)
            if bad is not None:
                yield bad
            post_id = meta.get("id")
            if post_id in (None, ""):
                try:
                    post_id = _file_digest(Path(real))
                except OSError as exc:  # a link in a loop, a file that went away
                    yield Skipped(printable_path(file), "unreadable file", exc.strerror or str(exc))
                    continue
            yield make_post(
                self.name,
                printable_path(file),
                {
                    "id": post_id,
                    "image_path": str(file),
                    "text": meta.get("text"),
                    "title": meta.get("title"),
                    "created_at": meta.get("created_at"),
                    "community": meta.get("community"),
                    "author": meta.get("author"),
                    "url": meta.get("url"),
                    "template_hint": meta.get("template"),
                },
                root,
            )


def _file_digest(file: Path) -> str:
    h = hashlib.sha256()
    with file.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:20]
