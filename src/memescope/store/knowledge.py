"""The store's methods for the template knowledge base: templates, their reference pictures, and what
the list of templates shows."""

from __future__ import annotations

import json

from .base import StoreBase, now
from .rows import TemplateRow

__all__ = ["KnowledgeMethods"]


class KnowledgeMethods(StoreBase):
    def template_id(self, name: str) -> int | None:
        return self._one("SELECT id FROM templates WHERE name=?", (name,))

    def template(self, name: str) -> TemplateRow | None:
        rows = [t for t in self._template_rows("WHERE t.name=?", (name,))]
        return rows[0] if rows else None

    def list_templates(self) -> list[TemplateRow]:
        """Every template with its reference pictures and posts, most posts first."""
        return self._template_rows("", ())

    def _template_rows(self, where: str, params: tuple) -> list[TemplateRow]:
        rows = self._rows(
            f"""SELECT t.id, t.name, t.description, t.aliases, t.origin, t.links, t.affect, t.created_at,
                       (SELECT count(*) FROM template_images i WHERE i.template_id=t.id) AS n_images,
                       (SELECT count(*) FROM assignments p WHERE p.template_id=t.id) AS n_posts
                FROM templates t {where} ORDER BY n_posts DESC, t.name""",
            params,
        )
        return [
            TemplateRow(
                r[0], r[1], r[2], json.loads(r[3] or "[]"), r[4], json.loads(r[5] or "[]"), r[6], r[7], r[8], r[9]
            )
            for r in rows
        ]

    def save_template(
        self,
        name: str,
        *,
        description: str | None = None,
        aliases: list[str] | None = None,
        origin: str | None = None,
        links: list[str] | None = None,
        affect: str | None = None,
    ) -> int:
        """Create a template, or update the fields given of an existing one; returns its id."""
        tid = self.template_id(name)
        if tid is None:
            cur = self._run(
                """INSERT INTO templates(name, description, aliases, origin, links, affect, created_at)
                   VALUES (?,?,?,?,?,?,?)""",
                (name, description, json.dumps(aliases or []), origin, json.dumps(links or []), affect, now()),
            )
            return int(cur.lastrowid)
        for col, val in (("description", description), ("origin", origin), ("affect", affect)):
            if val is not None:
                self._run(f"UPDATE templates SET {col}=? WHERE id=?", (val, tid))
        if aliases:
            self._run("UPDATE templates SET aliases=? WHERE id=?", (json.dumps(aliases), tid))
        return int(tid)

    def add_reference(self, template_id: int, sha256: str, path: str, phash: int, phash_mirror: int) -> bool:
        """Register a reference picture; False when the template already had it."""
        cur = self._run(
            """INSERT INTO template_images(template_id, sha256, path, phash, phash_mirror) VALUES (?,?,?,?,?)
               ON CONFLICT(template_id, sha256) DO NOTHING""",
            (template_id, sha256, path, phash, phash_mirror),
        )
        return bool(cur.rowcount)

    def forget_template_text(self, template_id: int) -> None:
        """The template's own text is read again (its references changed)."""
        self._run("DELETE FROM template_text WHERE template_id=?", (template_id,))

    def ensure_templates(self, names: list[str]) -> None:
        """Image-less templates for names a source declared (e.g. ImgFlip file names)."""
        stamp = now()
        with self.transaction():
            self._many(
                """INSERT INTO templates(name, aliases, links, created_at) VALUES (?, '[]', '[]', ?)
                   ON CONFLICT(name) DO NOTHING""",
                [(n, stamp) for n in names],
            )

    def reference_paths(self, template_id: int | None = None) -> dict[int, list[str]]:
        """Reference picture paths per template (or of one), as registered."""
        sql = "SELECT template_id, path FROM template_images"
        rows = (
            self._rows(sql + " WHERE template_id=? ORDER BY rowid", (template_id,))
            if template_id is not None
            else self._rows(sql + " ORDER BY template_id, rowid")
        )
        out: dict[int, list[str]] = {}
        for tid, path in rows:
            out.setdefault(tid, []).append(path)
        return out
