"""The web app: browse templates and instances, search by picture or words, and discuss each meme.

web = open_web_db("memescope.db")            # or "postgresql://user@host/db"
publish(open_store("memescope.db"), web)     # the analysis the pages show
app = create_app(web)                        # an ASGI app (FastAPI); `memescope serve` runs it
"""

from __future__ import annotations

from pathlib import Path

from .app import create_app
from .db import WebDB, open_web_db
from .publish import publish
from .state import WebConfig, find_htmx

__all__ = ["create_app", "WebConfig", "open_web_db", "WebDB", "publish", "find_htmx", "prepare", "set_moderator"]


def prepare(db: str | Path | None = None, source: str | Path | None = None, force: bool = False) -> tuple[WebDB, dict]:
    """Open the web database and publish the analysis into it: from `source` (an analysis store), or
    from the same SQLite file when `db` is one."""
    from ..exceptions import StoreError
    from ..store import open_store

    web = open_web_db(db)
    src = source if source is not None else (None if web.dialect == "postgres" else getattr(web, "path", None))
    if src is None:
        raise StoreError("a PostgreSQL web database needs the analysis to publish: --from memescope.db")
    with open_store(src) as store:
        res = publish(store, web, force=force)
    return web, res


def set_moderator(web: WebDB, name: str, on: bool = True) -> None:
    from ..exceptions import MemescopeError

    if not web.set_moderator(name, on):
        raise MemescopeError(f"no user named {name!r}: they must register first")
