"""The store's corpus side: posts and their images, ingested sources and their roots, skipped items, and
runs."""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterable
from pathlib import Path

from ..records import Post
from ..values import clean_text
from .base import StoreBase, now
from .rows import AddedPosts, ErrorRow, RunRow

__all__ = ["CorpusMethods"]

log = logging.getLogger(__name__)

# the fields that make a post's content: the same id with other values here is a conflict, not a copy
_CONTENT = ("image_sha256", "text", "title", "created_at", "community", "author", "url", "template_hint")
COUNTED = ("posts", "images", "features", "templates", "matches", "ocr", "analyses", "errors")


def _clean(value: str | None) -> str | None:
    # error rows carry names and messages from the corpus: store them as valid text whatever they hold
    return None if value is None else clean_text(str(value))[:2000]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class CorpusMethods(StoreBase):
    # -- posts and images -------------------------------------------------------------------------
    def add_posts(self, posts: Iterable[tuple[Post, str | None, int | None]]) -> AddedPosts:
        """Insert (post, image sha256, image bytes) rows; existing posts are kept. A post whose key is
        stored with other content is reported in `conflicts`, not overwritten."""
        stamp = now()
        new = 0
        conflicts: list[tuple[str, list[str]]] = []
        with self.transaction():
            for post, sha, nbytes in posts:
                if sha is not None:
                    self._run(
                        "INSERT INTO images(sha256, path, bytes) VALUES (?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
                        (sha, post.image_path, nbytes),
                    )
                values = (
                    sha,
                    post.text,
                    post.title,
                    post.created_at,
                    post.community,
                    post.author,
                    post.url,
                    post.template_hint,
                )
                cur = self._run(
                    """INSERT INTO posts(key, source, id, image_sha256, text, title, created_at, community, author,
                       url, template_hint, date_approx, date_error_days, extra, ingested_at)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING""",
                    (
                        post.key,
                        post.source,
                        post.id,
                        *values,
                        int(post.date_approx),
                        post.date_error_days,
                        json.dumps(post.extra, ensure_ascii=False) if post.extra else None,
                        stamp,
                    ),
                )
                if cur.rowcount:
                    new += 1
                    continue
                stored = self._rows(f"SELECT {', '.join(_CONTENT)} FROM posts WHERE key=?", (post.key,))[0]
                differ = [f for f, a, b in zip(_CONTENT, stored, values) if a != b]
                if differ:
                    conflicts.append((post.key, differ))
        return AddedPosts(new, conflicts)

    def record_source(self, path: str, fmt: str, root: str) -> None:
        """Remember an ingested source and the root its images were confined to."""
        self._run(
            """INSERT INTO sources(path, format, root, ingested_at) VALUES (?,?,?,?)
               ON CONFLICT(path) DO UPDATE SET format=excluded.format, root=excluded.root,
               ingested_at=excluded.ingested_at""",
            (path, fmt, root, now()),
        )

    def image_roots(self) -> list[str] | None:
        """The folders stored images may come from: every source's root and every reference's folder;
        None for a store whose sources were ingested before roots were recorded."""
        roots = {r[0] for r in self._rows("SELECT root FROM sources")}
        if not roots and self._one("SELECT count(*) FROM images"):
            return None
        roots |= {str(Path(r[0]).parent) for r in self._rows("SELECT path FROM template_images")}
        return sorted(roots)

    def template_names_hinted(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT DISTINCT template_hint FROM posts WHERE template_hint IS NOT NULL")]

    # -- errors and runs --------------------------------------------------------------------------
    def record_errors(self, stage: str, items: Iterable[tuple[str, str, str]], run_id: int | None) -> int:
        stamp = now()
        rows = [(stage, _clean(item), _clean(reason), _clean(detail), run_id, stamp) for item, reason, detail in items]
        if rows:
            self._many(
                """INSERT INTO errors(stage, item, reason, detail, run_id, created_at) VALUES (?,?,?,?,?,?)
                   ON CONFLICT(stage, item) DO UPDATE SET reason=excluded.reason, detail=excluded.detail,
                   run_id=excluded.run_id, created_at=excluded.created_at""",
                rows,
            )
        return len(rows)

    def errors(self, stage: str | None = None) -> list[ErrorRow]:
        sql = "SELECT stage, item, reason, detail, run_id, created_at FROM errors"
        rows = (
            self._rows(sql + " WHERE stage=? ORDER BY stage, item", (stage,))
            if stage
            else self._rows(sql + " ORDER BY stage, item")
        )
        return [ErrorRow(*r) for r in rows]

    def clear_errors(self, stages: Iterable[str]) -> None:
        """Forget the skipped items of these stages, so that a run tries them again."""
        with self.transaction():
            self._many("DELETE FROM errors WHERE stage=?", [(s,) for s in stages])

    def start_run(self, command: str) -> int:
        """Record a run as running, with this process's id and host; runs still marked running whose
        process on this host is gone (killed, even with kill -9) are marked interrupted first."""
        host = socket.gethostname()
        with self.transaction():
            for run_id, pid in self._rows(
                "SELECT id, pid FROM runs WHERE status='running' AND (host IS NULL OR host=?)", (host,)
            ):
                if pid is None or not _process_alive(int(pid)):
                    self._run("UPDATE runs SET status='interrupted' WHERE id=?", (run_id,))
                    log.warning("run %d was interrupted (its process is gone): its finished batches are kept", run_id)
            cur = self._run(
                "INSERT INTO runs(command, started_at, status, pid, host) VALUES (?, ?, 'running', ?, ?)",
                (command, now(), os.getpid(), host),
            )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, stages: list[dict]) -> None:
        self._run(
            "UPDATE runs SET finished_at=?, status=?, stages=? WHERE id=?", (now(), status, json.dumps(stages), run_id)
        )

    def runs(self, limit: int = 10) -> list[RunRow]:
        """The latest runs, newest first."""
        rows = self._rows(
            "SELECT id, command, started_at, finished_at, status, stages FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [RunRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "[]")) for r in rows]

    def counts(self) -> dict[str, int]:
        return {t: int(self._one(f"SELECT count(*) FROM {t}")) for t in COUNTED}
