"""The store's methods for its readers: the report, `memescope export`, the web app's publish and the
demo's evaluation. Nothing here writes."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..records import ChangePoint
from .base import StoreBase
from .rows import (
    ClusterRow,
    CorpusCounts,
    InstanceRow,
    PostResult,
    SeriesBin,
    TemplatePost,
    TemplateSummary,
    VariantRow,
)

__all__ = ["ReadingMethods", "EXPORTS"]

# one query per exportable table; JSON columns stay JSON strings (pandas: json.loads or pd.json_normalize)
EXPORTS = {
    "posts": """
SELECT p.key, p.source, p.id, p.created_at, p.date_approx, p.date_error_days, p.community, p.author, p.url,
       p.image_sha256,
       i.path AS image_path, pt.template, pt.method AS match_method, m.distance AS match_distance,
       m.verified AS match_verified, m.variant, p.text AS post_text, o.clean AS ocr_text, a.text_source, a.text,
       a.sentiment, a.sentiment_label, a.contexts, a.use, a.use_probs, a.humour, a.sarcasm, a.emotions, a.polarity,
       a.emotion, a.emotion_probs, a.offensive, a.offensive_cues
FROM posts p
LEFT JOIN images i ON i.sha256=p.image_sha256
LEFT JOIN post_templates pt ON pt.post_key=p.key
LEFT JOIN matches m ON m.sha256=p.image_sha256
LEFT JOIN ocr o ON o.sha256=p.image_sha256
LEFT JOIN analyses a ON a.post_key=p.key
ORDER BY p.created_at, p.key
""",
    # template '*' is the whole corpus; scope '' all of a template's posts, else 'community:X' or 'variant:N'
    "series": """
SELECT template, scope, bin, bin_unit, n, context_n, use_n, sentiment FROM series ORDER BY template, scope, bin
""",
    "change_points": """
SELECT template, scope, kind, date, date_low, date_high, before, after, effect, terms, detail
FROM change_points ORDER BY template, scope, date, kind
""",
}


class ReadingMethods(StoreBase):
    # -- the corpus -------------------------------------------------------------------------------
    def corpus_counts(self) -> CorpusCounts:
        first, last = self._rows("SELECT min(created_at), max(created_at) FROM posts")[0]
        return CorpusCounts(
            posts=int(self._one("SELECT count(*) FROM posts")),
            images=int(self._one("SELECT count(*) FROM images")),
            text_only=int(self._one("SELECT count(*) FROM posts WHERE image_sha256 IS NULL")),
            communities={
                r[0] or "(none)": r[1]
                for r in self._rows("SELECT community, count(*) FROM posts GROUP BY community ORDER BY 2 DESC")
            },
            first_seen=first,
            last_seen=last,
            dates_approx=bool(self._one("SELECT count(*) FROM posts WHERE date_approx=1")),
        )

    def use_shares(self) -> dict[str, float]:
        """Each use's share of the classified posts, most used first."""
        rows = self._rows("SELECT use, count(*) FROM analyses WHERE use IS NOT NULL GROUP BY use ORDER BY 2 DESC")
        total = sum(n for _, n in rows)
        return {u: round(n / total, 4) for u, n in rows} if total else {}

    def clusters(self) -> list[ClusterRow]:
        rows = self._rows(
            """SELECT c.id, c.size, c.medoid, i.path FROM clusters c JOIN images i ON i.sha256=c.medoid
               ORDER BY c.size DESC"""
        )
        return [ClusterRow(*r) for r in rows]

    def unassigned_images(self, clustered: bool = True) -> int:
        """Images no template explains; with `clustered=False`, only those in no candidate cluster either."""
        sql = "SELECT count(*) FROM matches WHERE template_id IS NULL"
        return int(self._one(sql if clustered else sql + " AND cluster_id IS NULL"))

    # -- series and change points -----------------------------------------------------------------
    def series(self, template: str, scope: str = "") -> list[SeriesBin]:
        rows = self._rows(
            """SELECT bin, bin_unit, n, context_n, sentiment, use_n FROM series WHERE template=? AND scope=?
               ORDER BY bin""",
            (template, scope),
        )
        return [
            SeriesBin(template, scope, r[0], r[1], r[2], json.loads(r[3]), json.loads(r[5] or "{}"), r[4]) for r in rows
        ]

    def scopes(self, template: str) -> list[str]:
        """The template's parts with series of their own, largest first."""
        return [
            r[0]
            for r in self._rows(
                "SELECT scope FROM series WHERE template=? AND scope<>'' GROUP BY scope ORDER BY sum(n) DESC, scope",
                (template,),
            )
        ]

    def change_points(self, template: str, scope: str = "", kind: str | None = None) -> list[ChangePoint]:
        """A template's change points in one scope (of one kind, if given), by date."""
        sql = """SELECT template, scope, kind, date, date_low, date_high, before, after, detail, effect, terms
                 FROM change_points WHERE template=? AND scope=?"""
        params: tuple = (template, scope)
        if kind is not None:
            sql, params = sql + " AND kind=?", (*params, kind)
        return [ChangePoint.from_row(r) for r in self._rows(sql + " ORDER BY date, kind", params)]

    def spread(self, template: str) -> dict | None:
        value = self._one("SELECT data FROM spread WHERE template=?", (template,))
        return json.loads(value) if value else None

    # -- templates --------------------------------------------------------------------------------
    def templates_with_posts(self, name: str | None = None) -> list[TemplateSummary]:
        """Templates with posts assigned (or the one named), most posts first."""
        where, params = ("WHERE t.name=?", (name,)) if name else ("", ())
        rows = self._rows(
            f"""SELECT t.id, t.name, t.description, t.aliases, t.affect, count(pt.post_key) AS n
                FROM templates t JOIN assignments pt ON pt.template_id=t.id {where}
                GROUP BY t.id ORDER BY n DESC, t.name""",
            params,
        )
        return [TemplateSummary(r[0], r[1], r[2], json.loads(r[3] or "[]"), r[4], r[5]) for r in rows]

    def template_posts(self, template_id: int) -> list[TemplatePost]:
        """A template's posts, oldest first, with their images and analyses."""
        rows = self._rows(
            """SELECT p.key, p.created_at, p.community, p.image_sha256, i.path, pt.method, a.text, a.text_source,
                      a.sentiment, a.contexts, a.use, a.use_cues, a.polarity, a.emotion, a.offensive
               FROM assignments pt JOIN posts p ON p.key=pt.post_key
               LEFT JOIN images i ON i.sha256=p.image_sha256
               LEFT JOIN analyses a ON a.post_key=p.key
               WHERE pt.template_id=? ORDER BY p.created_at""",
            (template_id,),
        )
        return [
            TemplatePost(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                json.loads(r[9]) if r[9] is not None else None,
                r[10],
                json.loads(r[11] or "[]"),
                r[12],
                r[13],
                r[14],
            )
            for r in rows
        ]

    def variants(self, template_id: int, top: int = 12) -> list[VariantRow]:
        """Variants of a template's picture, largest first, each shown by its earliest instance, with that
        instance's post and community (the variant's origin)."""
        # SQLite gives the bare columns of a min() query from the row holding the minimum: the earliest post
        rows = self._rows(
            """SELECT m.variant, i.path, min(p.created_at) AS first_seen, count(DISTINCT m.sha256) AS images,
                      p.key AS first_post, p.community AS first_community
               FROM matches m JOIN images i ON i.sha256=m.sha256 JOIN posts p ON p.image_sha256=m.sha256
               WHERE m.template_id=? AND m.variant IS NOT NULL GROUP BY m.variant
               ORDER BY images DESC, m.variant LIMIT ?""",
            (template_id, top),
        )
        return [VariantRow(*r) for r in rows]

    # -- export, publish, evaluation ----------------------------------------------------------------
    def export_rows(self, table: str) -> tuple[list[str], Iterator[tuple]]:
        """(columns, rows) of an exportable table (EXPORTS), streamed."""
        cur = self._run(EXPORTS[table])
        return [d[0] for d in cur.description], (tuple(r) for r in cur)

    def analysis_fingerprint(self) -> str:
        """Changes whenever a run finishes, the knowledge base changes or analyses are added."""
        runs = self._rows("SELECT max(id), max(finished_at), count(*) FROM runs")[0]
        return json.dumps([list(runs), self.kb_version, int(self._one("SELECT count(*) FROM analyses"))])

    def instances(self) -> list[InstanceRow]:
        """Every post as the web app publishes it."""
        rows = self._rows(
            """SELECT p.key, pt.template, p.created_at, p.community, a.text, a.text_source, a.use, a.use_probs,
                      a.use_cues, a.sentiment, a.contexts, i.path, f.phash, pt.method, a.polarity, a.emotion,
                      a.offensive, a.offensive_cues
               FROM posts p LEFT JOIN post_templates pt ON pt.post_key=p.key
               LEFT JOIN analyses a ON a.post_key=p.key
               LEFT JOIN images i ON i.sha256=p.image_sha256
               LEFT JOIN features f ON f.sha256=p.image_sha256"""
        )
        return [InstanceRow(*r) for r in rows]

    def post_results(self, source: str) -> list[PostResult]:
        """What the analysis made of each post of one source: template, OCR text, use, cluster."""
        rows = self._rows(
            """SELECT p.id, pt.template, o.clean, a.use, m.template_id IS NOT NULL, m.cluster_id FROM posts p
               LEFT JOIN post_templates pt ON pt.post_key=p.key
               LEFT JOIN ocr o ON o.sha256=p.image_sha256
               LEFT JOIN analyses a ON a.post_key=p.key
               LEFT JOIN matches m ON m.sha256=p.image_sha256
               WHERE p.source=?""",
            (source,),
        )
        return [PostResult(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]
