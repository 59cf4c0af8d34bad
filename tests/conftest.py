"""Shared fixtures. Tests use real parts: a real SQLite store, real images, the real OCR engine."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image

from memescope.store import open_store

from .webkit import make_site, site  # noqa: F401  (fixtures of the web app's tests)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data() -> Path:
    """../shared/data beside the repository; tests that need it skip cleanly when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "test.db")
    yield s
    s.close()


def jpeg(im: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def random_picture(seed: int, size=(160, 120)) -> Image.Image:
    """A small picture of random rectangles: distinct per seed, fast to make."""
    from PIL import ImageDraw

    rng = random.Random(seed)
    im = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        d.rectangle([x, y, x + rng.randrange(10, 60), y + rng.randrange(10, 60)], fill=tuple(rng.randrange(256) for _ in range(3)))
    return im


def old_store(path: Path, version: int):
    """A SQLite connection to a store at schema `version`, as an older memescope left it (the caller adds
    rows, then closes it; open_store migrates it the rest of the way)."""
    import sqlite3

    from memescope.store.schema import MIGRATIONS
    from memescope.store.sqlite import split_sql

    con = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:version]:
        for stmt in split_sql(script):
            con.execute(stmt)
    con.execute(f"PRAGMA user_version={version}")
    return con


def write_manifest(folder: Path, rows: list[dict], name: str = "posts.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> Path:
    """One of each kind of bad file, next to two good ones."""
    import struct
    import zlib

    d = tmp_path_factory.mktemp("hostile")
    good = jpeg(random_picture(1, (200, 150)))
    (d / "good.jpg").write_bytes(good)
    (d / "good2.png").write_bytes(_png(random_picture(2)))
    (d / "empty.jpg").write_bytes(b"")
    (d / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (d / "text.jpg").write_bytes(b"this is not an image, only words\n" * 20)
    # a PNG whose header claims 60000 x 60000 pixels: must be refused before any pixel is decoded
    png = bytearray(_png(Image.new("L", (1, 1))))
    ihdr = struct.pack(">II", 60000, 60000) + bytes(png[24:29])
    png[16:29] = ihdr
    png[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    (d / "bomb.png").write_bytes(bytes(png))
    # a JPEG whose frame header claims 60000 x 60000 pixels
    sof = good.index(b"\xff\xc0")
    (d / "bomb.jpg").write_bytes(good[: sof + 5] + struct.pack(">HH", 60000, 60000) + good[sof + 9 :])
    return d


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


DEMO_SIZE = 400


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One demo run shared by the tests that need a whole analyzed corpus and its report. DEMO_SIZE posts:
    fewer leave too few posts of a decided use for the planted change of use to be a finding."""
    pytest.importorskip("rapidocr")
    from memescope.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, size=DEMO_SIZE, workers=2)


def _pg_bin() -> Path | None:
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A private PostgreSQL cluster on a loopback port for this test session (skips without PostgreSQL).
    As root, the server runs as the `postgres` system user: PostgreSQL refuses to run as root."""
    import os
    import pwd
    import shutil
    import socket
    import subprocess

    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    run_as: list[str] = []
    base = tmp_path_factory.mktemp("pg")
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server")
        run_as = ["runuser", "-u", "postgres", "--"]
        os.chmod(base, 0o755)
        for p in (base.parent, base.parent.parent):
            os.chmod(p, os.stat(p).st_mode | 0o055)
        data, sock = base / "data", base / "sock"
        data.mkdir()
        sock.mkdir()
        shutil.chown(data, pw.pw_uid, pw.pw_gid)
        shutil.chown(sock, pw.pw_uid, pw.pw_gid)
    else:
        data, sock = base / "data", base / "sock"
        sock.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "memescope", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(data / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run([*run_as, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "memescope", "memescope_test"],
                       check=True, capture_output=True)
        yield f"postgresql://memescope@127.0.0.1:{port}/memescope_test"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
