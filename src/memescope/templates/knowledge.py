"""The template knowledge base: names, aliases, descriptions, origin, and several reference images."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from ..exceptions import BadImageError, TemplateError
from ..imaging import load_image, phash_and_mirror, strip_bars
from ..store import Store

__all__ = ["add_template", "ensure_templates", "import_imgflip_templates", "list_templates", "reference_hashes"]

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def reference_hashes(path: str | Path) -> tuple[str, int, int]:
    """(sha256, pHash, mirrored pHash) of a reference picture, normalized exactly as queries are."""
    data = Path(path).read_bytes()
    pic, _ = strip_bars(load_image(data))
    content, mirror = phash_and_mirror(pic)
    return hashlib.sha256(data).hexdigest(), content.to_int64(), mirror.to_int64()


def add_template(
    store: Store,
    name: str,
    images: list[str | Path] = (),
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
    with store.transaction() as db:
        row = db.execute("SELECT id FROM templates WHERE name=?", (name,)).fetchone()
        if row is None:
            cur = db.execute(
                "INSERT INTO templates(name, description, aliases, origin, links, affect, created_at) VALUES (?,?,?,?,?,?,?)",
                (name, description, json.dumps(aliases or []), origin, json.dumps(links or []), affect, _now()),
            )
            tid = int(cur.lastrowid)
        else:
            tid = int(row[0])
            for col, val in (("description", description), ("origin", origin), ("affect", affect)):
                if val is not None:
                    db.execute(f"UPDATE templates SET {col}=? WHERE id=?", (val, tid))
            if aliases:
                db.execute("UPDATE templates SET aliases=? WHERE id=?", (json.dumps(aliases), tid))
        added = 0
        for path, sha, ph, phm in refs:
            cur = db.execute(
                "INSERT OR IGNORE INTO template_images(template_id, sha256, path, phash, phash_mirror) VALUES (?,?,?,?,?)",
                (tid, sha, path, ph, phm),
            )
            added += cur.rowcount
        if added:
            # Earlier image -> template decisions were made without these references: re-match; and the
            # template's own text, read off its references for OCR, is read again.
            store.bump_kb_version()
            db.execute("DELETE FROM template_text WHERE template_id=?", (tid,))
    log.info("template %s: %d new reference image(s)", name, added)
    return tid


def ensure_templates(store: Store, names: list[str]) -> None:
    """Create image-less templates for names a source declared (e.g. ImgFlip file names)."""
    now = _now()
    with store.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO templates(name, aliases, links, created_at) VALUES (?, '[]', '[]', ?)",
            [(n, now) for n in names],
        )


def import_imgflip_templates(store: Store, templates_json: str | Path) -> int:
    """Import the ImgFlip575K `templates.json` (name, title, alternative_names, image); returns the count."""
    path = Path(templates_json)
    data = json.loads(path.read_text(encoding="utf-8"))
    n = 0
    for t in data:
        img = path.parent / t["image"] if t.get("image") else None  # some entries have no picture
        aliases = [a.strip() for a in (t.get("alternative_names") or "").split(",") if a.strip()]
        add_template(
            store, t["name"], [img] if img is not None and img.exists() else [],
            description=t.get("title"), aliases=aliases,
            links=[f"https://imgflip.com/memetemplate/{t['imgflip_template_id']}"] if t.get("imgflip_template_id") else None,
        )
        n += 1
    return n


def list_templates(store: Store) -> list[dict]:
    rows = store.query(
        """SELECT t.*, (SELECT count(*) FROM template_images i WHERE i.template_id=t.id) AS n_images,
                  (SELECT count(*) FROM assignments p WHERE p.template_id=t.id) AS n_posts
           FROM templates t ORDER BY n_posts DESC, t.name"""
    )
    return [dict(r) | {"aliases": json.loads(r["aliases"] or "[]")} for r in rows]
