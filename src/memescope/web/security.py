"""Accounts and safety: Argon2 password hashes, CSRF tokens, rate limits, upload checks and the small
comment formatting subset. Pure functions and small classes; the app wires them to requests."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from html import escape

from markupsafe import Markup

from ..exceptions import BadImageError
from ..values import clean_text

__all__ = [
    "hash_password",
    "verify_password",
    "verify_unknown",
    "new_csrf_token",
    "csrf_ok",
    "RateLimiter",
    "check_upload",
    "UploadRefused",
    "UploadGate",
    "render_comment",
    "valid_name",
    "form_text",
    "session_digest",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_PIXELS",
    "UPLOAD_SIDE",
]

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# A search picture needs no more than a phone photo's pixels. The analysis accepts 40 MP (a scan, a
# poster); an upload is decoded in the server's own memory, for anyone who asks, so its cap is lower:
# a 12 MP RGB picture takes 36 MB while it is decoded.
MAX_UPLOAD_PIXELS = 12_000_000
# what is kept of a decoded upload: hashes use 32x32 and keypoint verification 512 px
UPLOAD_SIDE = 1024


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


_UNKNOWN_HASH: list[str] = []


def verify_unknown(password: str) -> bool:
    """Spend on a name that does not exist the time a real check takes (one Argon2 verification), so
    that the answer's timing does not tell which names exist. Always False."""
    if not _UNKNOWN_HASH:
        _UNKNOWN_HASH.append(hash_password(secrets.token_urlsafe(16)))
    verify_password(_UNKNOWN_HASH[0], password)
    return False


def session_digest(session_id: str) -> str:
    """What the database keeps of a session id: its SHA-256, so a copy of the table opens no session."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def form_text(value: str | None, max_len: int, multiline: bool = False) -> str:
    """A form field as it may be stored: control characters (NUL among them) and broken encoding
    removed, surrounding space trimmed, at most `max_len` characters (longer is refused by the caller:
    this cuts only what no one could have typed)."""
    return clean_text(value or "", multiline=multiline).strip()[: max_len + 1]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, got: str | None) -> bool:
    return bool(expected) and bool(got) and hmac.compare_digest(str(expected), str(got))


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
    """The decoded PIL image of an uploaded picture, at most UPLOAD_SIDE pixels a side, or UploadRefused
    with the reason. The size is checked from the header before any pixel is decoded; JPEGs are decoded
    at a reduced scale."""
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
        im = load_image(data, max_pixels=MAX_UPLOAD_PIXELS, draft_size=UPLOAD_SIDE)
    except BadImageError as exc:
        if exc.reason == "decompression bomb":
            raise UploadRefused(
                f"the image cannot be used: decompression bomb ({exc.detail}; an upload may have "
                f"at most {MAX_UPLOAD_PIXELS // 1_000_000} megapixels)"
            ) from None
        raise UploadRefused(f"the image cannot be used: {exc.reason}") from None
    if max(im.size) > UPLOAD_SIDE:
        im.thumbnail((UPLOAD_SIDE, UPLOAD_SIDE))
    return im


class UploadGate:
    """At most `slots` uploads decoded at once: others wait up to `wait` seconds, then are told the server
    is busy. After each, freed memory goes back to the system (glibc keeps it otherwise, so a burst of
    large decodes would leave the server's memory at its peak)."""

    def __init__(self, slots: int = 2, wait: float = 20.0):
        self._sem = threading.BoundedSemaphore(slots)
        self.wait = wait

    def __enter__(self):
        if not self._sem.acquire(timeout=self.wait):
            raise UploadRefused("the server is busy with other pictures: try again in a moment")
        return self

    def __exit__(self, *exc) -> None:
        self._sem.release()
        _trim_memory()


def _trim_memory() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_URL = re.compile(r"https?://[^\s<>\"']{1,300}")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITAL = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_CODE = re.compile(r"`([^`]+)`")
_QUOTE = re.compile(r"^&gt; ?(.*)$", re.MULTILINE)


def render_comment(body: str) -> Markup:
    """The safe formatting subset: **bold**, *italic*, `code`, > quotes, line breaks and http(s) links.
    Everything is HTML-escaped first; only the tags made here exist in the output. Links are set aside
    under a random per-call marker while the other rules run, so no text can pose as one."""
    text = escape(clean_text(body), quote=True)
    links: list[str] = []
    marker = secrets.token_hex(8)

    def keep(m):  # links are taken out before the other rules so their '*' or '`' stay literal
        links.append(m.group(0))
        return f"{marker}L{len(links) - 1}E"

    text = _URL.sub(keep, text)
    text = _CODE.sub(r"<code>\1</code>", text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITAL.sub(r"<em>\1</em>", text)
    text = _QUOTE.sub(r"<blockquote>\1</blockquote>", text)
    text = re.sub(
        f"{marker}L(\\d+)E",
        lambda m: f'<a href="{links[int(m.group(1))]}" rel="nofollow noopener ugc">{links[int(m.group(1))]}</a>',
        text,
    )
    return Markup(text.replace("\n", "<br>"))
