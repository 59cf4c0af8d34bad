"""SQLite store (WAL mode): the embedded default. Opened by path or sqlite:/// URL."""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..exceptions import StoreError
from ..records import Post
from ..values import clean_text
from .schema import MIGRATIONS

__all__ = ["Store", "open_store", "DEFAULT_DB", "AddedPosts"]

log = logging.getLogger(__name__)

DEFAULT_DB = "memescope.db"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AddedPosts:
    """What add_posts did: posts new to the store, and (key, fields that differ) for each post whose id
    was already stored with other content (the stored post is kept)."""

    new: int
    conflicts: list[tuple[str, list[str]]]


# the fields that make a post's content: the same id with other values here is a conflict, not a copy
_CONTENT = ("image_sha256", "text", "title", "created_at", "community", "author", "url", "template_hint")


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


def open_store(url: str | Path | None = None) -> Store:
    """Open the store at `url`: a file path, `sqlite:///path`, or None for ./memescope.db."""
    text = str(url) if url is not None else DEFAULT_DB
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(f"unsupported store URL scheme {scheme!r}: use a file path or sqlite:///path")
    return Store(text)


class Store:
    """A thin, typed layer over one SQLite database. One writer at a time; readers never block (WAL)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create the store {self.path}: folder {parent} does not exist")
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None

    # -- plumbing ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer memescope (schema {version} > {len(MIGRATIONS)})"
            )
        for i, script in enumerate(MIGRATIONS[version:], start=version + 1):
            log.info("migrating %s to schema %d", self.path, i)
            with self.transaction():
                if callable(script):  # a step SQL cannot say (checking stored values in Python)
                    script(self.db)
                else:
                    for stmt in _split_sql(script):
                        self.db.execute(stmt)
                self.db.execute(f"PRAGMA user_version={i}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta -------------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        v = self.scalar("SELECT value FROM meta WHERE key=?", (key,))
        return default if v is None else v

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    @property
    def kb_version(self) -> int:
        return int(self.get_meta("kb_version", "0"))

    def bump_kb_version(self) -> int:
        v = self.kb_version + 1
        self.set_meta("kb_version", str(v))
        return v

    # -- posts and images -------------------------------------------------------------------------
    def add_posts(self, posts: Iterable[tuple[Post, str | None, int | None]]) -> AddedPosts:
        """Insert (post, image sha256, image bytes) rows; existing posts are kept. A post whose key is
        stored with other content is reported in `conflicts`, not overwritten."""
        now = _now()
        new = 0
        conflicts: list[tuple[str, list[str]]] = []
        with self.transaction() as db:
            for post, sha, nbytes in posts:
                if sha is not None:
                    db.execute(
                        "INSERT OR IGNORE INTO images(sha256, path, bytes) VALUES (?, ?, ?)",
                        (sha, post.image_path, nbytes),
                    )
                values = (sha, post.text, post.title, post.created_at, post.community, post.author, post.url,
                          post.template_hint)
                cur = db.execute(
                    """INSERT OR IGNORE INTO posts(key, source, id, image_sha256, text, title, created_at,
                       community, author, url, template_hint, date_approx, date_error_days, extra, ingested_at)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (post.key, post.source, post.id, *values, int(post.date_approx), post.date_error_days,
                     json.dumps(post.extra, ensure_ascii=False) if post.extra else None, now),
                )
                if cur.rowcount:
                    new += 1
                    continue
                stored = db.execute(f"SELECT {', '.join(_CONTENT)} FROM posts WHERE key=?", (post.key,)).fetchone()
                differ = [f for f, a, b in zip(_CONTENT, stored, values) if a != b]
                if differ:
                    conflicts.append((post.key, differ))
        return AddedPosts(new, conflicts)

    def record_source(self, path: str, fmt: str, root: str) -> None:
        """Remember an ingested source and the root its images were confined to."""
        self.db.execute(
            """INSERT INTO sources(path, format, root, ingested_at) VALUES (?,?,?,?)
               ON CONFLICT(path) DO UPDATE SET format=excluded.format, root=excluded.root, ingested_at=excluded.ingested_at""",
            (path, fmt, root, _now()),
        )

    def image_roots(self) -> list[str]:
        """The folders stored images may come from: every source's root and every reference's folder."""
        roots = {r[0] for r in self.query("SELECT root FROM sources")}
        roots |= {str(Path(r[0]).parent) for r in self.query("SELECT path FROM template_images")}
        return sorted(roots)

    def template_names_hinted(self) -> list[str]:
        return [r[0] for r in self.query("SELECT DISTINCT template_hint FROM posts WHERE template_hint IS NOT NULL")]

    # -- errors and runs --------------------------------------------------------------------------
    def record_errors(self, stage: str, items: Iterable[tuple[str, str, str]], run_id: int | None) -> int:
        now = _now()
        rows = [(stage, _clean(item), _clean(reason), _clean(detail), run_id, now) for item, reason, detail in items]
        if rows:
            self.db.executemany(
                """INSERT INTO errors(stage, item, reason, detail, run_id, created_at) VALUES (?,?,?,?,?,?)
                   ON CONFLICT(stage, item) DO UPDATE SET reason=excluded.reason, detail=excluded.detail,
                   run_id=excluded.run_id, created_at=excluded.created_at""",
                rows,
            )
        return len(rows)

    def errors(self, stage: str | None = None) -> list[sqlite3.Row]:
        if stage:
            return self.query("SELECT * FROM errors WHERE stage=? ORDER BY stage, item", (stage,))
        return self.query("SELECT * FROM errors ORDER BY stage, item")

    def start_run(self, command: str) -> int:
        """Record a run as running, with this process's id and host; runs still marked running whose
        process on this host is gone (killed, even with kill -9) are marked interrupted first."""
        host = socket.gethostname()
        with self.transaction() as db:
            for run_id, pid in db.execute(
                "SELECT id, pid FROM runs WHERE status='running' AND (host IS NULL OR host=?)", (host,)
            ).fetchall():
                if pid is None or not _process_alive(int(pid)):
                    db.execute("UPDATE runs SET status='interrupted' WHERE id=?", (run_id,))
                    log.warning("run %d was interrupted (its process is gone): its finished batches are kept", run_id)
            cur = db.execute(
                "INSERT INTO runs(command, started_at, status, pid, host) VALUES (?, ?, 'running', ?, ?)",
                (command, _now(), os.getpid(), host),
            )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, stages: list[dict]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, stages=? WHERE id=?",
            (_now(), status, json.dumps(stages), run_id),
        )

    def counts(self) -> dict[str, int]:
        tables = ["posts", "images", "features", "templates", "matches", "ocr", "analyses", "errors"]
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in tables}


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements. Comments go first (they may hold ';'); our migrations hold
    no '--' or ';' inside string literals or triggers."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]
