"""Values as they may be stored: text without control characters or broken encoding, and dates that are
real ones (a stored date always parses and lies between EARLIEST and a day after now). A leaf module:
the corpus readers, the store and the web app all check their boundaries with it."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

__all__ = ["clean_text", "parse_date", "valid_stored_date", "EARLIEST"]

EARLIEST = datetime(1900, 1, 1)
# a post cannot be from the future; a day of slack covers clocks and time zones
_SLACK = timedelta(days=1)

_DATE_ONLY = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_EPOCH = re.compile(r"^-?\d{1,12}(\.\d+)?$")


def _latest() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None) + _SLACK


def _in_range(dt: datetime, shown: object) -> datetime:
    if not EARLIEST <= dt <= _latest():
        raise ValueError(f"{shown!r} is outside {EARLIEST.date()} .. today")
    return dt


def parse_date(value: object) -> str | None:
    """ISO string for epoch seconds, ISO dates/datetimes (any offset, converted to UTC), or None if empty.

    Raises ValueError on anything that is not a real date in range (text, 2020-13-45, 0000-00-00, an
    epoch of 1e20 or Infinity, a date after today), so the caller can record why.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > 1e11:
            raise ValueError(f"{value!r} is not a date")
        dt = datetime(1970, 1, 1) + timedelta(seconds=float(value))
        return _in_range(dt, value).strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, datetime):  # a typed timestamp (Parquet, pandas): naive means UTC
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return _in_range(value, value).strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        _in_range(datetime(value.year, value.month, value.day), value)
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"expected a date as text or epoch seconds, got {type(value).__name__}")
    text = value.strip()
    if _EPOCH.fullmatch(text) and len(text.split(".")[0].lstrip("-")) >= 9:
        return parse_date(float(text))
    m = _DATE_ONLY.match(text)
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3] or 1))
        except ValueError as exc:  # month 13, day 45, year 0
            raise ValueError(f"{text!r} is not a date: {exc}") from None
        _in_range(datetime(d.year, d.month, d.day), value)
        return d.isoformat()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{text[:40]!r} is not a date: {exc}") from None
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(f"{text[:40]!r} is out of range") from None
    return _in_range(dt, value).strftime("%Y-%m-%dT%H:%M:%S")


def valid_stored_date(text: str | None) -> bool:
    """True for what parse_date stores: a stored value read back by a later stage."""
    if text is None:
        return True
    try:
        return parse_date(text) is not None
    except ValueError:
        return False


# C0 and C1 control characters but tab and newline; NUL among them (PostgreSQL refuses it in text, and
# SQLite's full-text search stops at it). Carriage returns become newlines first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Text as it may be stored and shown: lone surrogates (undecodable bytes) become U+FFFD, control
    characters go, and newlines go too unless `multiline`. Normalized to NFC, so that the same caption
    typed two ways is one caption."""
    text = _LONE_SURROGATE.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return unicodedata.normalize("NFC", text)
