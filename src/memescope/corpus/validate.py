"""The ingest boundary: every field of every post is checked for type, range and encoding, and every image
path for confinement to the corpus root, before anything is stored. Corpus data is written by strangers
and reaches the report and the web app, so only valid values get past here.

`make_post` returns a clean Post or a Skipped item whose reason says which field was wrong and why.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..records import Post, Skipped
from ..values import clean_text, parse_date

__all__ = ["make_post", "check_image", "confined", "printable_path", "BadField", "LIMITS"]

# The longest value each text field may hold: Reddit's own limit for a self-post's text, and generous
# bounds for names and links. Longer values are refused, not cut: a cut caption would be a wrong caption.
LIMITS = {
    "id": 512,
    "text": 40_000,
    "title": 2_000,
    "community": 200,
    "author": 200,
    "url": 2_048,
    "template_hint": 200,
}
MAX_EXTRA_FIELDS = 32
_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


def printable_path(path: str | os.PathLike) -> str:
    """A path as text that can always be stored: bytes that are not UTF-8 are shown as \\xNN escapes."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="backslashreplace")


def confined(path: str | os.PathLike, root: str | os.PathLike) -> Path | None:
    """The real path of `path` (symbolic links followed) when it lies inside the real `root`, else None.
    A link loop or a missing file is None too: the caller says which."""
    try:
        real = Path(os.path.realpath(path, strict=True))
        base = Path(os.path.realpath(root, strict=True))
    except (OSError, RuntimeError, ValueError):
        return None
    return real if real == base or base in real.parents else None


class BadField(Exception):
    """A field that may not be stored; `reason` is the short tag recorded with the skipped item."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _text_field(name: str, value: object, multiline: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadField(f"bad {name}", f"{name}: expected text, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadField(f"bad {name}", f"{name}: {value!r} is not a value")
    text = clean_text(str(value), multiline=multiline).strip()
    if len(text) > LIMITS[name]:
        raise BadField(f"bad {name}", f"{name}: {len(text)} characters, at most {LIMITS[name]}")
    return text or None


def _extra(extra: dict) -> dict:
    """Extra columns kept as they are only when they are plain scalars; text cleaned like the rest."""
    out: dict = {}
    for k, v in list(extra.items())[:MAX_EXTRA_FIELDS]:
        key = clean_text(str(k), multiline=False)[:64]
        if isinstance(v, bool) or v is None:
            out[key] = v
        elif isinstance(v, int):
            out[key] = v if abs(v) < 2**53 else str(v)
        elif isinstance(v, float):
            if math.isfinite(v):
                out[key] = v
        elif isinstance(v, str):
            out[key] = clean_text(v)[:2_000]
    return out


def make_post(
    source: str, where: str, raw: Mapping[str, object], root: str | os.PathLike | None = None
) -> Post | Skipped:
    """A Post from a reader's raw fields (named as Post's), every one checked and cleaned, or a Skipped
    item saying what was wrong. `where` names the item (file and line) when it has no usable id.

    `root`: the folder a post's image must lie in (after following links). Readers pass raw values;
    this is the one place that decides what may be stored."""
    try:
        pid_raw = raw.get("id")
        if isinstance(pid_raw, bool) or not isinstance(pid_raw, str | int | type(None)):
            raise BadField("bad id", f"id: expected text or a whole number, got {type(pid_raw).__name__}")
        pid = _text_field("id", pid_raw, multiline=False)
        if not pid:
            raise BadField("missing id", "")
        fields = {
            name: _text_field(name, raw.get(name), multiline=name == "text")
            for name in ("text", "title", "community", "author", "url", "template_hint")
        }
        if fields["url"] and not _URL.match(fields["url"]):
            raise BadField("bad url", f"url: {fields['url'][:80]!r} is not an http(s) address")
        try:
            created = parse_date(raw.get("created_at"))
        except ValueError as exc:
            raise BadField("bad date", str(exc)) from None
        error = raw.get("date_error_days")
        if error is not None:
            if isinstance(error, bool) or not isinstance(error, int | float) or not (0 <= error < 36_500):
                raise BadField("bad date error", f"date_error_days: {error!r} is not between 0 and 100 years")
            error = float(error)
        image = raw.get("image_path")
        if image is not None:
            if not isinstance(image, str | os.PathLike):
                raise BadField("bad image", f"image: expected a path, got {type(image).__name__}")
            image = check_image(os.fspath(image), root)
        extra = raw.get("extra") or {}
        if not isinstance(extra, dict):
            extra = {}
    except BadField as bad:
        return Skipped(where, bad.reason, bad.detail)
    return Post(
        id=pid,
        source=source,
        image_path=image,
        created_at=created,
        date_approx=bool(raw.get("date_approx")) or bool(error),
        date_error_days=error,
        extra=_extra(extra),
        **fields,
    )


def check_image(path: str, root: str | os.PathLike | None) -> str:
    """The real path of an image that lies inside `root` and is a regular file (links followed), or
    BadField saying why not: a name that is not UTF-8, a missing file, a link that leads nowhere or in a
    loop, a file outside the root, something that is not a file (a folder, a pipe)."""
    shown = printable_path(path)
    if shown != str(path):
        raise BadField("bad file name", f"{shown}: the name is not UTF-8 text")
    if root is not None:
        if not os.path.lexists(path):
            raise BadField("missing file", shown)
        real = confined(path, root)
        if real is None:
            if os.path.islink(path) and not os.path.exists(path):
                raise BadField("bad link", f"{shown}: a link that leads nowhere (or in a loop)")
            raise BadField("outside the corpus", f"{shown} is not inside {printable_path(root)}")
        path = str(real)
    if not os.path.isfile(path):
        raise BadField("not a file", f"{shown} is not a regular file")
    return path
