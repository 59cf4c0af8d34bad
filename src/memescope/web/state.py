"""What every request of the web app shares: the database, the settings, the rate limiter, the upload
gate, the near-duplicate index, the page templates and where HTMX is."""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ..index import hamming_matrix
from ..index.hamming import to_uint64
from .db import WebDB
from .security import RateLimiter, UploadGate

__all__ = ["WebConfig", "WebState", "NearDuplicates", "find_htmx", "now", "DEFAULT_LIMITS", "HTMX_VERSION"]

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
HTMX_VERSION = "2.0.8"  # pinned; installed from npm (htmx.org) by `make install`, never copied into the repo

# (events, seconds) per action and key
DEFAULT_LIMITS = {
    "login_ip": (10, 60.0),
    "login_name": (5, 60.0),
    "register": (5, 600.0),
    "comment": (10, 60.0),
    "upload": (10, 60.0),
    "flag": (20, 60.0),
}


def now(after: timedelta = timedelta()) -> str:
    return (datetime.now(timezone.utc) + after).isoformat(timespec="seconds")


def find_htmx() -> Path | None:
    """htmx.min.js from $MEMESCOPE_HTMX, or an npm install beside the checkout or in the working folder."""
    env = os.environ.get("MEMESCOPE_HTMX")
    cands = [Path(env)] if env else []
    for base in (Path.cwd(), *HERE.parents):
        cands += [
            base / ".vendor" / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
            base / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
        ]
    return next((p for p in cands if p.is_file()), None)


@dataclass
class WebConfig:
    """`https_only`: session cookies are always marked Secure (they are anyway on requests that came over
    HTTPS, directly or through a proxy the server trusts: `memescope serve --forwarded-allow-ips`).
    `upload_slots`: pictures decoded at once for search by picture. `limits`: (events, seconds) per
    rate-limited action; $MEMESCOPE_RATE_LIMITS ('{"comment": [30, 60]}') overrides them."""

    secret: str | None = None
    limits: dict = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    https_only: bool = False
    upload_slots: int = 2


class NearDuplicates:
    """Instance hashes in memory for near-duplicate search; reloaded when the publish changes."""

    def __init__(self) -> None:
        self.fingerprint: str | None = None
        self.keys: list[str] = []
        self.codes = np.zeros(0, dtype=np.uint64)

    def _load(self, web: WebDB) -> None:
        fp = web.get_meta("published")
        if fp != self.fingerprint:
            self.keys, codes = web.instance_codes()
            self.codes = to_uint64(codes)
            self.fingerprint = fp

    def near(
        self, web: WebDB, views: list[int], exclude: str | None = None, radius: int = 10, limit: int = 12
    ) -> list[tuple[str, int]]:
        """(key, distance) of instances within `radius` bits of any of the query's views, nearest first."""
        self._load(web)
        if not len(self.codes):
            return []
        dist = hamming_matrix(views, self.codes).min(axis=0)
        order = np.argsort(dist, kind="stable")
        return [
            (self.keys[j], int(dist[j])) for j in order[: limit + 1] if dist[j] <= radius and self.keys[j] != exclude
        ][:limit]


@dataclass
class WebState:
    db: WebDB
    config: WebConfig
    secret: str
    limiter: RateLimiter
    gate: UploadGate
    dups: NearDuplicates
    htmx: Path | None

    @classmethod
    def build(cls, db: WebDB, config: WebConfig | None = None) -> WebState:
        config = config or WebConfig()
        if os.environ.get("MEMESCOPE_RATE_LIMITS"):
            # e.g. '{"comment": [600, 60]}' for a load test: events per seconds, by action
            extra = json.loads(os.environ["MEMESCOPE_RATE_LIMITS"])
            config.limits.update({k: (int(v[0]), float(v[1])) for k, v in extra.items()})
        secret = config.secret or os.environ.get("MEMESCOPE_SECRET") or db.get_meta("secret")
        if not secret:
            secret = secrets.token_urlsafe(48)  # kept in the database so sessions survive restarts
            db.set_meta("secret", secret)
        htmx = find_htmx()
        if htmx is None:
            log.warning(
                "htmx.min.js not found (npm install htmx.org@%s): pages work without partial updates", HTMX_VERSION
            )
        return cls(
            db, config, secret, RateLimiter(config.limits), UploadGate(config.upload_slots), NearDuplicates(), htmx
        )
