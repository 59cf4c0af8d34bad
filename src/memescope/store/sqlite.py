"""SQLite store (WAL mode): the embedded default. Opened by path or sqlite:/// URL.

Every statement memescope runs on the store lives in this package, behind named methods grouped by
who asks: the corpus side (posts, sources, errors, runs), the pipeline's stages, the timeline, the
template knowledge base, and the readers (report, export, web publish). The connection is private;
`query`, `scalar` and `execute` remain for ad-hoc use (notebooks, tests).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..exceptions import StoreError
from .corpus import CorpusMethods
from .knowledge import KnowledgeMethods
from .pipeline import PipelineMethods
from .reading import ReadingMethods
from .schema import MIGRATIONS
from .timeline import TimelineMethods

__all__ = ["Store", "open_store", "DEFAULT_DB"]

log = logging.getLogger(__name__)

DEFAULT_DB = "memescope.db"


def open_store(url: str | Path | None = None) -> Store:
    """Open the store at `url`: a file path, `sqlite:///path`, or None for ./memescope.db."""
    text = str(url) if url is not None else DEFAULT_DB
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(f"unsupported store URL scheme {scheme!r}: use a file path or sqlite:///path")
    return Store(text)


class Store(CorpusMethods, PipelineMethods, TimelineMethods, KnowledgeMethods, ReadingMethods):
    """A typed layer over one SQLite database. One writer at a time; readers never block (WAL)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._depth = 0
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create the store {self.path}: folder {parent} does not exist")
        try:
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None

    # -- plumbing ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer memescope (schema {version} > {len(MIGRATIONS)})")
        for i, script in enumerate(MIGRATIONS[version:], start=version + 1):
            log.info("migrating %s to schema %d", self.path, i)
            with self.transaction():
                if callable(script):  # a step SQL cannot say (checking stored values in Python)
                    script(self._db)
                else:
                    for stmt in split_sql(script):
                        self._db.execute(stmt)
                self._db.execute(f"PRAGMA user_version={i}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; a transaction opened inside another joins it (the outer one commits)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._db.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    # -- ad-hoc SQL (notebooks, tests) ------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlite3.Row]:
        """Rows of an ad-hoc query (rows index by position and by column name)."""
        return self._db.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        """The first column of the first row of an ad-hoc query, or None."""
        return self._one(sql, params)  # type: ignore[arg-type]

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> int:
        """Run one ad-hoc statement; returns the number of rows it changed."""
        return self._db.execute(sql, params).rowcount

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta -------------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        v = self._one("SELECT value FROM meta WHERE key=?", (key,))
        return default if v is None else v

    def set_meta(self, key: str, value: str) -> None:
        self._run(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    @property
    def kb_version(self) -> int:
        return int(self.get_meta("kb_version", "0") or 0)

    def bump_kb_version(self) -> int:
        v = self.kb_version + 1
        self.set_meta("kb_version", str(v))
        return v


def split_sql(script: str) -> list[str]:
    """Split a migration into statements. Comments go first (they may hold ';'); our migrations hold
    no '--' or ';' inside string literals or triggers."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]
