"""Dates from the wild, normalized to ISO 8601 UTC."""

from __future__ import annotations

import re
from datetime import datetime, timezone

__all__ = ["parse_date"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def parse_date(value: object) -> str | None:
    """ISO string for epoch seconds, ISO dates/datetimes (any offset, converted to UTC), or None if empty.

    Raises ValueError on text that is not a date, so the caller can record why.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    text = str(value).strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return parse_date(float(text))
    if _DATE_ONLY.match(text):
        return text if len(text) == 10 else text + "-01"
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.strftime("%Y-%m-%dT%H:%M:%S")
