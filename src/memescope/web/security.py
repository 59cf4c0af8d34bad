"""Accounts and safety: Argon2 password hashes, CSRF tokens, rate limits, upload checks and the small
comment formatting subset. Pure functions and small classes; the app wires them to requests."""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import deque
from html import escape

from markupsafe import Markup

from ..exceptions import BadImageError

__all__ = [
    "hash_password", "verify_password", "new_csrf_token", "csrf_ok", "RateLimiter", "check_upload",
    "UploadRefused", "render_comment", "valid_name", "MAX_UPLOAD_BYTES",
]

MAX_UPLOAD_BYTES = 8 * 1024 * 1024


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, got: str | None) -> bool:
    return bool(expected) and bool(got) and hmac.compare_digest(expected, got)


_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


class RateLimiter:
    """Sliding-window limits per (action, key): at most `n` events in `seconds`. In-process: with several
    server processes, each enforces its own window (documented)."""

    def __init__(self, limits: dict[str, tuple[int, float]]):
        self.limits = limits
        self._events: dict[tuple[str, str], deque] = {}
        self._lock = threading.Lock()

    def hit(self, action: str, key: str) -> float:
        """Record an attempt; returns 0 when allowed, else the seconds to wait."""
        n, seconds = self.limits[action]
        now = time.monotonic()
        with self._lock:
            q = self._events.setdefault((action, key), deque())
            while q and q[0] <= now - seconds:
                q.popleft()
            if len(q) >= n:
                return round(q[0] + seconds - now, 1) or 0.1
            q.append(now)
            return 0.0

    def reset(self, action: str, key: str) -> None:
        with self._lock:
            self._events.pop((action, key), None)


class UploadRefused(Exception):
    """An upload the app will not process; the message is shown to the user as is."""


_SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG", b"GIF87a": "GIF", b"GIF89a": "GIF"}
_ACTIVE = re.compile(rb"<\s*(script|html|svg|iframe|body|\?php)|PK\x03\x04|PK\x05\x06", re.IGNORECASE)


def _end_of_image(data: bytes, fmt: str) -> int:
    """Where the image's own bytes end (data past it is what makes a polyglot)."""
    if fmt == "PNG":
        i = data.rfind(b"IEND")
        return i + 8 if i >= 0 else len(data)
    if fmt == "JPEG":
        i = data.rfind(b"\xff\xd9")
        return i + 2 if i >= 0 else len(data)
    if fmt == "GIF":
        i = data.rfind(b"\x3b")
        return i + 1 if i >= 0 else len(data)
    return len(data)


def check_upload(data: bytes):
    """Return the decoded PIL image of an uploaded picture, or raise UploadRefused with the reason."""
    from ..imaging import load_image

    if not data:
        raise UploadRefused("the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    fmt = next((f for sig, f in _SIGNATURES.items() if data.startswith(sig)), None)
    if fmt is None:
        raise UploadRefused("not a JPEG, PNG or GIF image")
    end = _end_of_image(data, fmt)
    # bytes after the image's end, or markup/archive signatures inside it: a file that is also something
    # else (a polyglot). Browsers or other tools could read it as that something else; refuse it.
    if len(data) - end > 64 or _ACTIVE.search(data):
        raise UploadRefused("the file is an image and something else (a polyglot); upload a plain image")
    try:
        # the pipeline's safe decoder: size checked from the header before any pixel is decoded
        return load_image(data)
    except BadImageError as exc:
        raise UploadRefused(f"the image cannot be used: {exc.reason}") from None


_URL = re.compile(r"https?://[^\s<>\"']{1,300}")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITAL = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_CODE = re.compile(r"`([^`]+)`")
_QUOTE = re.compile(r"^&gt; ?(.*)$", re.MULTILINE)


def render_comment(body: str) -> Markup:
    """The safe formatting subset: **bold**, *italic*, `code`, > quotes, line breaks and http(s) links.
    Everything is HTML-escaped first; only the tags made here exist in the output."""
    text = escape(body, quote=True)
    links: list[str] = []

    def keep(m):  # links are taken out before the other rules so their '*' or '`' stay literal
        links.append(m.group(0))
        return f"\x00{len(links) - 1}\x00"

    text = _URL.sub(keep, text)
    text = _CODE.sub(r"<code>\1</code>", text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITAL.sub(r"<em>\1</em>", text)
    text = _QUOTE.sub(r"<blockquote>\1</blockquote>", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: f'<a href="{links[int(m.group(1))]}" rel="nofollow noopener ugc">{links[int(m.group(1))]}</a>', text)
    return Markup(text.replace("\n", "<br>"))
