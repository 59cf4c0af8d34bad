"""The template knowledge base: names, aliases, descriptions, origin, and several reference images."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from ..exceptions import BadImageError, TemplateError
from ..imaging import load_image, phash_and_mirror, strip_bars
from ..store import Store

__all__ = ["add_template", "ensure_templates", "import_imgflip_templates", "list_templates", "reference_hashes"]

log = logging.getLogger(__name__)


def reference_hashes(path: str | Path) -> tuple[str, int, int]:
    """(sha256, pHash, mirrored pHash) of a reference picture, normalized exactly as queries are."""
    data = Path(path).read_bytes()
    pic, _ = strip_bars(load_image(data))
    content, mirror = phash_and_mirror(pic)
    return hashlib.sha256(data).hexdigest(), content.to_int64(), mirror.to_int64()


def add_template(
    store: Store,
    name: str,
    images: Sequence[str | Path] = (),
    *,
    description: str | None = None,
    aliases: list[str] | None = None,
    origin: str | None = None,
    links: list[str] | None = None,
    affect: str | None = None,
) -> int:
    """Register (or extend) a template; returns its id. Reference images that cannot be read raise."""
    name = name.strip()
    if not name:
        raise TemplateError("a template needs a name")
    refs = []
    for img in images:
        try:
            refs.append((str(Path(img).resolve()), *reference_hashes(img)))
        except (BadImageError, OSError) as exc:
            raise TemplateError(f"reference image {img}: {exc}") from None
    with store.transaction():
        tid = store.save_template(
            name, description=description, aliases=aliases, origin=origin, links=links, affect=affect
        )
        added = sum(store.add_reference(tid, sha, path, ph, phm) for path, sha, ph, phm in refs)
        if added:
            # Earlier image -> template decisions were made without these references: re-match; and the
            # template's own text, read off its references for OCR, is read again.
            store.bump_kb_version()
            store.forget_template_text(tid)
    log.info("template %s: %d new reference image(s)", name, added)
    return tid


def ensure_templates(store: Store, names: list[str]) -> None:
    """Create image-less templates for names a source declared (e.g. ImgFlip file names)."""
    store.ensure_templates(names)


def import_imgflip_templates(store: Store, templates_json: str | Path) -> int:
    """Import the ImgFlip575K `templates.json` (name, title, alternative_names, image); returns the count."""
    path = Path(templates_json)
    data = json.loads(path.read_text(encoding="utf-8"))
    n = 0
    for t in data:
        img = path.parent / t["image"] if t.get("image") else None  # some entries have no picture
        aliases = [a.strip() for a in (t.get("alternative_names") or "").split(",") if a.strip()]
        add_template(
            store,
            t["name"],
            [img] if img is not None and img.exists() else [],
            description=t.get("title"),
            aliases=aliases,
            links=[f"https://imgflip.com/memetemplate/{t['imgflip_template_id']}"]
            if t.get("imgflip_template_id")
            else None,
        )
        n += 1
    return n


def list_templates(store: Store) -> list[dict]:
    """Every template with its counts of reference pictures and posts, as plain dicts (for --json)."""
    return [t.to_dict() for t in store.list_templates()]
