"""Ingest: read a source with its reader, identify images by content hash, store posts idempotently."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from ..exceptions import IngestError
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
            sha, n = _sha256(item.image_path)
        except OSError as exc:
            skipped.append(Skipped(item.key, "unreadable file", f"{item.image_path}: {exc.strerror or exc}"))
            continue
        yield item, sha, n


def corpus_root(path: Path, root: str | Path | None) -> Path:
    """The folder every image of the corpus must lie in: `root` if given, else the source itself when it
    is a folder, else the folder that holds it."""
    base = Path(root).expanduser() if root is not None else path if path.is_dir() else path.parent
    if not base.is_dir():
        raise IngestError(f"the corpus root {base} is not a folder")
    return base.resolve()


def ingest(
    store: Store, source: str | Path, fmt: str | None = None, progress=None, root: str | Path | None = None
) -> dict:
    """Read `source` into the store. The same post twice is one post; items that cannot be read are
    recorded in the errors table (stage 'ingest') with their reason, and the rest goes on. A post whose
    id is already stored with other content is recorded too ("duplicate id"), and the stored one kept.

    Images must lie inside `root` (default: the source folder, or the manifest's folder).
    Returns {"format", "seen", "new", "skipped", "conflicts", "templates", "root"}: `seen` posts were
    read, `new` of them stored; `skipped` items were recorded, `conflicts` of them duplicate ids.
    """
    from ..templates import ensure_templates

    path = Path(source).expanduser()
    reader = detect_reader(path, fmt)
    base = corpus_root(path, root)
    skipped: list[Skipped] = []
    seen = new = recorded = conflicts = 0
    stream = _resolve(reader.read(path, base), skipped)
    if progress is not None:
        progress.start("ingest", 0)
    try:
        while True:
            chunk = list(islice(stream, _CHUNK))
            if not chunk:
                break
            added = store.add_posts(chunk)
            new, seen = new + added.new, seen + len(chunk)
            skipped += [
                Skipped(key, "duplicate id", f"differs from the stored post in {', '.join(fields)}")
                for key, fields in added.conflicts
            ]
            conflicts += len(added.conflicts)
            if progress is not None:
                progress.advance(len(chunk))
            if len(skipped) >= _CHUNK:  # record as we go: a corpus of bad lines must not fill memory
                _record(store, skipped)
                recorded += len(skipped)
                skipped.clear()
    finally:
        if progress is not None:
            progress.finish()
    _record(store, skipped)
    store.record_source(str(path.resolve()), reader.name, str(base))
    n_skipped = recorded + len(skipped)
    names = store.template_names_hinted()
    if names:
        ensure_templates(store, names)
    log.info("ingested %s as %s: %d posts seen, %d new, %d skipped", path, reader.name, seen, new, n_skipped)
    return {
        "format": reader.name,
        "seen": seen,
        "new": new,
        "skipped": n_skipped,
        "templates": len(names),
        "root": str(base),
        "conflicts": conflicts,
    }


def _record(store: Store, skipped: list[Skipped]) -> None:
    with store.transaction():
        store.record_errors("ingest", [(s.item, s.reason, s.detail) for s in skipped], None)
