"""Memory of `memescope serve` under concurrent picture uploads (search by picture).

Starts the server on 127.0.0.1, sends N uploads at once of one picture, and reads the server process's
resident memory from /proc: its peak (VmHWM) and what is still resident a few seconds after. Two
pictures: a 6000x6600 PNG (131 KB on disk, 40 megapixels decoded: refused from its header, over the
upload cap) and a picture just under the cap (4000x3000 PNG of noise, decoded in full).

    python bench/web/uploads.py --demo-out demo-out            # 12 uploads of each, SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from memescope.web.process import serving


def _mem(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    get = lambda k: int(re.search(rf"^{k}:\s+(\d+) kB", status, re.M).group(1)) // 1024  # noqa: E731
    return {"rss_mb": get("VmRSS"), "peak_mb": get("VmHWM")}


def pictures() -> dict[str, bytes]:
    out = {}
    buf = io.BytesIO()
    Image.new("L", (6000, 6600), 255).save(buf, "PNG")
    out["6000x6600 PNG (40 MP, over the cap)"] = buf.getvalue()
    # blocks of noise: every pixel is decoded, and the file stays under the 8 MB upload limit
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).resize((4000, 3000), Image.NEAREST).save(buf, "PNG")
    out["4000x3000 PNG (12 MP, at the cap)"] = buf.getvalue()
    return out


async def burst(url: str, data: bytes, n: int) -> list[int]:
    import httpx

    async def one(i: int) -> int:
        async with httpx.AsyncClient(base_url=url, timeout=120) as c:
            page = await c.get("/search")
            tok = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            r = await c.post("/search/image", files={"image": (f"u{i}.png", data, "image/png")}, data={"csrf": tok})
            return r.status_code

    return list(await asyncio.gather(*[one(i) for i in range(n)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--demo-out", type=Path, default=Path("demo-out"))
    ap.add_argument("--uploads", type=int, default=12)
    ap.add_argument("--bursts", type=int, default=3)
    args = ap.parse_args()
    analysis = args.demo_out / "memescope.db"
    if not analysis.exists():
        from memescope.demo import run_demo

        run_demo(args.demo_out, size=160)
    tmp = Path(tempfile.mkdtemp(prefix="memescope-uploads-"))
    results = []
    for name, data in pictures().items():
        db = tmp / f"site-{len(results)}.db"
        shutil.copy(analysis, db)
        with serving(db, env={"MEMESCOPE_RATE_LIMITS": json.dumps({"upload": [100000, 60]})}) as server:
            url, pid = server.url, server.pid
            before = _mem(pid)
            # several bursts: what the first leaves resident may be caches (the keypoint verifier loads the
            # references once); what later ones add is what a burst keeps
            rounds = []
            for _ in range(args.bursts):
                t0 = time.perf_counter()
                codes = asyncio.run(burst(url, data, args.uploads))
                secs = time.perf_counter() - t0
                peak = _mem(pid)["peak_mb"]
                time.sleep(5)
                rounds.append({"status": {str(c): codes.count(c) for c in set(codes)}, "seconds": round(secs, 1),
                               "peak_rss_mb": peak, "rss_5s_after_mb": _mem(pid)["rss_mb"]})
        res = {"picture": name, "bytes": len(data), "uploads": args.uploads, "rss_before_mb": before["rss_mb"], "bursts": rounds}
        print(json.dumps(res), flush=True)
        results.append(res)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
