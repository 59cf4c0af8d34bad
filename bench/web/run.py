"""Load test of `memescope serve` on 127.0.0.1: N concurrent readers and M writers for T seconds.

Readers fetch the pages people read (templates, a template page, an instance page, a text search);
writers are logged-in users posting comments (each with a unique token). Reports p50/p99 latency per
kind of request, throughput and errors, then checks that every comment the server accepted is stored
exactly once (no lost or duplicated comments).

    python bench/web/run.py                          # SQLite, 50 readers, 5 writers, 60 s
    python bench/web/run.py --db postgresql://user@127.0.0.1:5432/memescope --seconds 30

The server runs in its own process (uvicorn, one worker, the default thread pool), as `memescope serve`
does; the comment rate limit is raised for the writers (MEMESCOPE_RATE_LIMITS), the rest is as shipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from memescope.web.process import serving


def _analysis(demo_out: Path) -> Path:
    db = demo_out / "memescope.db"
    if not db.exists():
        from memescope.demo import run_demo

        run_demo(demo_out, size=160)
    return db


async def _login(client, name: str, password: str) -> str:
    r = await client.get("/register")
    tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = await client.post("/register", data={"name": name, "password": password, "csrf": tok})
    assert r.status_code in (200, 303), r.text[:200]
    r = await client.get("/")
    return re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)


async def main_async(url: str, readers: int, writers: int, seconds: float, db_url: str) -> dict:
    import httpx

    from memescope.web import open_web_db

    web = open_web_db(db_url)
    templates = [r["name"] for r in web.q("SELECT name FROM web_templates")]
    keys = [r["key"] for r in web.q("SELECT key FROM web_instances WHERE template IS NOT NULL")]
    words = ["lockdown", "mask", "monday", "zoom", "cat", "friends", "quarantine", "pizza"]
    lat: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    accepted: list[str] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=readers + writers + 10)

    async def timed(kind: str, coro):
        t = time.perf_counter()
        try:
            r = await coro
            ok = r.status_code < 400
        except httpx.HTTPError:
            ok, r = False, None
        lat.setdefault(kind, []).append(time.perf_counter() - t)
        if not ok:
            errors[kind] = errors.get(kind, 0) + 1
        return r

    async def reader(i: int):
        rng = random.Random(i)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as c:
            while time.monotonic() < stop:
                k = rng.random()
                if k < 0.2:
                    await timed("home", c.get("/"))
                elif k < 0.45:
                    await timed("template", c.get(f"/t/{rng.choice(templates)}"))
                elif k < 0.8:
                    await timed("instance", c.get(f"/i/{rng.choice(keys)}"))
                else:
                    await timed("search", c.get("/search", params={"q": rng.choice(words)}))

    async def writer(i: int):
        rng = random.Random(1000 + i)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as c:
            tok = await _login(c, f"loadwriter{i}_{os.getpid()}", "load test password")
            n = 0
            while time.monotonic() < stop:
                body = f"load comment w{i} n{n} {rng.random():.6f}"
                target = f"t:{rng.choice(templates)}" if rng.random() < 0.5 else f"i:{rng.choice(keys)}"
                r = await timed("comment", c.post(f"/c/{target}", data={"body": body, "csrf": tok}))
                if r is not None and r.status_code in (200, 303):
                    accepted.append(body)
                n += 1

    t0 = time.monotonic()
    await asyncio.gather(*[reader(i) for i in range(readers)], *[writer(i) for i in range(writers)])
    wall = time.monotonic() - t0
    stored = [r["body"] for r in web.q("SELECT body FROM web_comments WHERE body LIKE 'load comment %'")]
    out = {"readers": readers, "writers": writers, "seconds": round(wall, 1), "backend": web.dialect, "kinds": {}}
    for kind, xs in sorted(lat.items()):
        a = np.array(xs) * 1000
        out["kinds"][kind] = {"requests": len(xs), "per_s": round(len(xs) / wall, 1), "p50_ms": round(float(np.percentile(a, 50)), 1),
                              "p99_ms": round(float(np.percentile(a, 99)), 1), "errors": errors.get(kind, 0)}
    out["comments"] = {"accepted": len(accepted), "stored": len(stored), "lost": len(set(accepted) - set(stored)),
                       "duplicated": len(stored) - len(set(stored))}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--demo-out", type=Path, default=Path("demo-out"), help="a demo run to serve (made if missing)")
    ap.add_argument("--db", default=None, help="web database: a SQLite path (default: a copy of the demo store) or postgresql://...")
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--writers", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    analysis = _analysis(args.demo_out)
    tmp = Path(tempfile.mkdtemp(prefix="memescope-load-"))
    db = args.db
    cmd_from: list[str] = []
    if db is None:
        db = str(tmp / "site.db")
        shutil.copy(analysis, db)
    else:
        cmd_from = ["--from", str(analysis)]
    env = {"MEMESCOPE_RATE_LIMITS": json.dumps({"comment": [100000, 60], "register": [1000, 60]})}
    with serving(db, *cmd_from, env=env, quiet=False) as server:
        res = asyncio.run(main_async(server.url, args.readers, args.writers, args.seconds, db))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
