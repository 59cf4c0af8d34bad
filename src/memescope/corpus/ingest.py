"""Ingest: read a source with its reader, identify images by content hash, store posts idempotently."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from ..records import Post, Skipped
from ..store import Store
from .base import detect_reader

__all__ = ["ingest"]

log = logging.getLogger(__name__)

_CHUNK = 5000


def _sha256(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _resolve(items: Iterator[Post | Skipped], skipped: list[Skipped]) -> Iterator[tuple[Post, str | None, int | None]]:
    for item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        if item.image_path is None:
            yield item, None, None
            continue
        try:
            if not os.path.isfile(item.image_path):
                skipped.append(Skipped(item.key, "missing file", item.image_path))
                continue
            sha, n = _sha256(item.image_path)
        except OSError as exc:
            skipped.append(Skipped(item.key, "unreadable file", str(exc)))
            continue
        yield item, sha, n


def ingest(store: Store, source: str | Path, fmt: str | None = None, progress=None) -> dict:
    """Read `source` into the store. The same post twice is one post; items that cannot be read are
    recorded in the errors table (stage 'ingest') with their reason, and the rest goes on.

    Returns {"format", "seen", "new", "skipped", "templates"}.
    """
    from ..templates import ensure_templates

    path = Path(source).expanduser()
    reader = detect_reader(path, fmt)
    skipped: list[Skipped] = []
    seen = new = 0
    stream = _resolve(reader.read(path), skipped)
    if progress is not None:
        progress.start("ingest", 0)
    try:
        while True:
            chunk = list(islice(stream, _CHUNK))
            if not chunk:
                break
            n_new, n_seen = store.add_posts(chunk)
            new, seen = new + n_new, seen + n_seen
            if progress is not None:
                progress.advance(len(chunk))
    finally:
        if progress is not None:
            progress.finish()
    with store.transaction():
        store.record_errors("ingest", [(s.item, s.reason, s.detail) for s in skipped], None)
    names = store.template_names_hinted()
    if names:
        ensure_templates(store, names)
    log.info("ingested %s as %s: %d posts seen, %d new, %d skipped", path, reader.name, seen, new, len(skipped))
    return {"format": reader.name, "seen": seen, "new": new, "skipped": len(skipped), "templates": len(names)}
