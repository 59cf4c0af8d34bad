"""The store's methods for the timeline stage: the dated, analyzed posts it reads, and the series,
change points and spread it writes (recomputed whole at each run)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..records import ChangePoint
from .base import StoreBase
from .rows import SeriesBin, TimelinePost

__all__ = ["TimelineMethods"]


class TimelineMethods(StoreBase):
    def timeline_posts(self) -> Iterator[TimelinePost]:
        """Every dated, analyzed post with its template ('' if none), community, use and variant (that of
        its image within the template the post is assigned to)."""
        cur = self._run(
            """SELECT COALESCE(pt.template, ''), p.created_at, a.contexts, a.sentiment, a.text, p.community, a.use,
                      m.variant, p.date_approx, p.date_error_days
               FROM posts p JOIN analyses a ON a.post_key=p.key
               LEFT JOIN post_templates pt ON pt.post_key=p.key
               LEFT JOIN matches m ON m.sha256=p.image_sha256 AND m.template_id=pt.template_id
               WHERE p.created_at IS NOT NULL"""
        )
        for t, created, cx, s, text, community, use, variant, approx, error in cur:
            yield TimelinePost(
                t, created, tuple(json.loads(cx)), s, text or "", community, use, variant, bool(approx), error
            )

    def replace_timeline(
        self, series: list[SeriesBin], change_points: list[ChangePoint], spread: dict[str, dict]
    ) -> None:
        """The timeline stage's whole result, in one transaction: series, change points, spread."""
        with self.transaction():
            self._run("DELETE FROM series")
            self._run("DELETE FROM change_points")
            self._run("DELETE FROM spread")
            self._many(
                "INSERT INTO spread(template, data) VALUES (?, ?)", [(t, json.dumps(d)) for t, d in spread.items()]
            )
            self._many(
                """INSERT INTO series(template, scope, bin, bin_unit, n, context_n, sentiment, use_n)
                   VALUES (?,?,?,?,?,?,?,?)""",
                [
                    (b.template, b.scope, b.bin, b.unit, b.n, json.dumps(b.contexts), b.sentiment, json.dumps(b.uses))
                    for b in series
                ],
            )
            self._many(
                """INSERT INTO change_points(template, scope, kind, date, before, after, detail, date_low, date_high,
                   effect, terms) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                [cp.to_row() for cp in change_points],
            )
