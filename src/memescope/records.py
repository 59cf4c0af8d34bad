"""Small typed records that stages exchange through the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Post", "Skipped"]


@dataclass(frozen=True)
class Post:
    """One post of a corpus: an image, a text, or both, with its metadata.

    `id` is unique within `source` (the reader's name); the store keys posts by (source, id), so ingesting
    the same post twice keeps one. `image_path` is absolute; the image's identity is its content hash,
    computed at ingest. `created_at` is ISO 8601 (UTC); `date_approx` marks estimated dates, and
    `date_error_days`, when known, how far such a date may be off (change-point intervals widen by it).
    """

    id: str
    source: str
    image_path: str | None = None
    text: str | None = None
    title: str | None = None
    created_at: str | None = None
    date_approx: bool = False
    date_error_days: float | None = None
    community: str | None = None
    author: str | None = None
    url: str | None = None
    template_hint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


@dataclass(frozen=True)
class Skipped:
    """An item a reader could not turn into a post; recorded in the errors table with its reason."""

    item: str
    reason: str
    detail: str = ""
