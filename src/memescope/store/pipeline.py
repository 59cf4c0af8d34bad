"""The store's methods for the per-item stages: what each has pending, and saving what it made (hash
features, template matches and variants, candidate clusters, OCR readings, caption analyses)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..records import Done, ImageFeatures, OcrReading
from .base import StoreBase
from .rows import (
    AnalyzedCaption,
    CaptionSource,
    Cluster,
    CodeSet,
    ImageFile,
    MatchRow,
    PendingMatch,
    PendingOcr,
    Reference,
)

__all__ = ["PipelineMethods"]


def _box(text: str | None) -> tuple[int, int, int, int] | None:
    if not text:
        return None
    left, top, right, bottom = json.loads(text)
    return (left, top, right, bottom)


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value)


class PipelineMethods(StoreBase):
    # -- hash -------------------------------------------------------------------------------------
    def pending_images(self) -> list[ImageFile]:
        """Images not hashed yet (and not skipped by the hash stage)."""
        rows = self._rows(
            """SELECT i.sha256, i.path FROM images i
               WHERE NOT EXISTS (SELECT 1 FROM features f WHERE f.sha256=i.sha256)
                 AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.stage='hash' AND e.item=i.sha256)
               ORDER BY i.sha256"""
        )
        return [ImageFile(r[0], r[1]) for r in rows]

    def save_features(self, results: Iterable[Done[ImageFeatures]]) -> None:
        self._many(
            """INSERT INTO features(sha256, width, height, format, box, phash, phash_full, phash_mirror)
               VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET width=excluded.width, height=excluded.height,
               format=excluded.format, box=excluded.box, phash=excluded.phash, phash_full=excluded.phash_full,
               phash_mirror=excluded.phash_mirror""",
            [r.value.to_row(r.item) for r in results],
        )

    # -- match ------------------------------------------------------------------------------------
    def references(self) -> list[Reference]:
        """Every template's reference pictures, by template id then as registered."""
        rows = self._rows(
            """SELECT ti.template_id, t.name, ti.path, ti.phash, ti.phash_mirror FROM template_images ti
               JOIN templates t ON t.id=ti.template_id ORDER BY ti.template_id, ti.rowid"""
        )
        return [Reference(*r) for r in rows]

    def pending_matches(self, kb_version: int) -> list[PendingMatch]:
        """Hashed images not matched yet, or matched against an older knowledge base."""
        rows = self._rows(
            """SELECT f.sha256, i.path, f.width, f.height, f.format, f.box, f.phash, f.phash_full, f.phash_mirror
               FROM features f JOIN images i ON i.sha256=f.sha256
               LEFT JOIN matches m ON m.sha256=f.sha256
               WHERE m.sha256 IS NULL OR m.kb_version < ?""",
            (kb_version,),
        )
        return [
            PendingMatch(
                r[0], r[1], ImageFeatures(r[2], r[3], r[4] or "", _box(r[5]) or (0, 0, r[2], r[3]), r[6], r[7], r[8])
            )
            for r in rows
        ]

    def save_matches(self, rows: Iterable[MatchRow]) -> None:
        self._many(
            """INSERT INTO matches(sha256, template_id, distance, score, method, verified, region, kb_version)
               VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET template_id=excluded.template_id,
               distance=excluded.distance, score=excluded.score, method=excluded.method, verified=excluded.verified,
               region=excluded.region, kb_version=excluded.kb_version, variant=NULL, cluster_id=NULL""",
            [
                (
                    m.sha256,
                    m.template_id,
                    m.distance,
                    m.score,
                    m.method,
                    int(m.verified),
                    _json(list(m.region) if m.region else None),
                    m.kb_version,
                )
                for m in rows
            ],
        )

    def refresh_assignments(self) -> int:
        """Recompute every post's template in one pass: its image's match, else what its source declared."""
        with self.transaction():
            self._run("DELETE FROM assignments")
            self._run(
                """INSERT INTO assignments(post_key, template_id, method)
                   SELECT p.key, COALESCE(m.template_id, t.id),
                          CASE WHEN m.template_id IS NOT NULL THEN m.method ELSE 'declared' END
                   FROM posts p
                   LEFT JOIN matches m ON m.sha256 = p.image_sha256
                   LEFT JOIN templates t ON t.name = p.template_hint
                   WHERE COALESCE(m.template_id, t.id) IS NOT NULL"""
            )
            return int(self._one("SELECT count(*) FROM assignments"))

    def matched_template_ids(self) -> list[int]:
        return [r[0] for r in self._rows("SELECT DISTINCT template_id FROM matches WHERE template_id IS NOT NULL")]

    def template_codes(self, template_id: int) -> CodeSet:
        """The pHashes of the images matched to a template, by content hash."""
        rows = self._rows(
            """SELECT m.sha256, f.phash, f.phash_mirror FROM matches m JOIN features f ON f.sha256=m.sha256
               WHERE m.template_id=? ORDER BY m.sha256""",
            (template_id,),
        )
        return CodeSet([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])

    def set_variants(self, variants: dict[str, int]) -> None:
        """Each matched image's variant number within its template."""
        with self.transaction():
            self._many("UPDATE matches SET variant=? WHERE sha256=?", [(v, sha) for sha, v in variants.items()])

    def unmatched_codes(self) -> CodeSet:
        """The pHashes of the images no template explains."""
        rows = self._rows(
            """SELECT m.sha256, f.phash, f.phash_mirror FROM matches m JOIN features f ON f.sha256=m.sha256
               WHERE m.template_id IS NULL ORDER BY m.sha256"""
        )
        return CodeSet([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])

    def replace_clusters(self, clusters: list[Cluster]) -> None:
        """The candidate templates, numbered from 1 in the order given."""
        with self.transaction():
            self._run("UPDATE matches SET cluster_id=NULL")
            self._run("DELETE FROM clusters")
            for cid, c in enumerate(clusters, 1):
                self._run("INSERT INTO clusters(id, medoid, size) VALUES (?,?,?)", (cid, c.medoid, len(c.members)))
                self._many("UPDATE matches SET cluster_id=? WHERE sha256=?", [(cid, sha) for sha in c.members])

    # -- ocr --------------------------------------------------------------------------------------
    def template_text(self, template_id: int, engine: str) -> list[str] | None:
        """The text a template's own picture carries, as `engine` read it (None: not read yet)."""
        value = self._one("SELECT lines FROM template_text WHERE template_id=? AND engine=?", (template_id, engine))
        return None if value is None else json.loads(value)

    def save_template_text(self, template_id: int, engine: str, lines: list[str]) -> None:
        self._run(
            """INSERT INTO template_text(template_id, engine, lines) VALUES (?,?,?)
               ON CONFLICT(template_id, engine) DO UPDATE SET lines=excluded.lines""",
            (template_id, engine, json.dumps(lines)),
        )

    def first_reference(self, template_id: int) -> str | None:
        return self._one("SELECT path FROM template_images WHERE template_id=? ORDER BY rowid LIMIT 1", (template_id,))

    def pending_ocr(self) -> list[PendingOcr]:
        """Hashed images not read yet (and not skipped by OCR), with their match."""
        rows = self._rows(
            """SELECT f.sha256, i.path, f.box, m.template_id, m.region, m.method, f.width, f.height
               FROM features f JOIN images i ON i.sha256=f.sha256
               LEFT JOIN matches m ON m.sha256=f.sha256
               WHERE NOT EXISTS (SELECT 1 FROM ocr o WHERE o.sha256=f.sha256)
                 AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.stage='ocr' AND e.item=f.sha256)
               ORDER BY f.sha256"""
        )
        return [
            PendingOcr(r[0], r[1], _box(r[2]) or (0, 0, r[6], r[7]), r[3], _box(r[4]), r[5], r[6], r[7]) for r in rows
        ]

    def save_ocr(self, results: Iterable[Done[OcrReading]]) -> None:
        self._many(
            """INSERT INTO ocr(sha256, engine, text, clean, lines, source) VALUES (?,?,?,?,?,?)
               ON CONFLICT(sha256) DO UPDATE SET engine=excluded.engine, text=excluded.text, clean=excluded.clean,
               lines=excluded.lines, source=excluded.source""",
            [r.value.to_row(r.item) for r in results],
        )

    # -- understand -------------------------------------------------------------------------------
    def pending_captions(self, version: str, wait_for_ocr: bool) -> list[CaptionSource]:
        """Posts without an analysis of this `version`. With `wait_for_ocr`, a post with an image waits
        for its OCR, unless the image could not be read."""
        rows = self._rows(
            """SELECT p.key, p.text, p.title, o.clean, t.affect FROM posts p
               LEFT JOIN ocr o ON o.sha256 = p.image_sha256
               LEFT JOIN assignments asg ON asg.post_key = p.key
               LEFT JOIN templates t ON t.id = asg.template_id
               WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_key=p.key AND a.version=?)
                 AND (p.image_sha256 IS NULL OR o.sha256 IS NOT NULL OR ?
                      OR EXISTS (SELECT 1 FROM errors e WHERE e.item=p.image_sha256 AND e.stage IN ('hash','ocr')))
               ORDER BY p.key""",
            (version, 0 if wait_for_ocr else 1),
        )
        return [CaptionSource(*r) for r in rows]

    def save_analyses(self, version: str, results: Iterable[AnalyzedCaption]) -> None:
        cols = (
            "post_key",
            "text_source",
            "text",
            "sentiment",
            "sentiment_label",
            "contexts",
            "cues",
            "version",
            "use",
            "use_probs",
            "humour",
            "sarcasm",
            "use_cues",
            "emotions",
            "template_affect",
            "polarity",
            "emotion",
            "emotion_probs",
            "offensive",
            "offensive_cues",
        )
        rows = []
        for c in results:
            a = c.analysis
            rows.append(
                (
                    c.post_key,
                    c.text_source,
                    c.text,
                    a.sentiment,
                    a.sentiment_label,
                    json.dumps(a.contexts),
                    json.dumps(a.cues),
                    version,
                    a.use,
                    _json(a.use_probs),
                    a.humour,
                    a.sarcasm,
                    _json(a.use_cues),
                    json.dumps(a.emotion_cues),
                    c.affect,
                    a.polarity,
                    a.emotion,
                    _json(a.emotion_probs),
                    a.offensive,
                    _json(a.offensive_cues),
                )
            )
        update = ", ".join(f"{c}=excluded.{c}" for c in cols[1:])
        self._many(
            f"INSERT INTO analyses({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"
            f" ON CONFLICT(post_key) DO UPDATE SET {update}",
            rows,
        )
