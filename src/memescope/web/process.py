"""`memescope serve` in a process of its own, on a free loopback port: what the end-to-end tests and the
web benchmarks run against (a real uvicorn server, as users run it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Served", "serving", "free_port"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def serving(
    db: str | Path, *args: str, env: dict[str, str] | None = None, quiet: bool = True, wait: float = 120.0
) -> Iterator[Served]:
    """Run `memescope serve --db DB ARGS...` until the block ends; yields its URL and process id once it
    answers. Raises RuntimeError (with the server's output) if it exits before answering."""
    port = free_port()
    out = subprocess.PIPE if quiet else None
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from memescope.cli import main; main()",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            *args,
        ],
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=out,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = proc.communicate()[0].decode(errors="replace") if quiet else ""
                    raise RuntimeError(f"memescope serve did not start: {text[-2000:]}") from None
                time.sleep(0.2)
        yield Served(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
