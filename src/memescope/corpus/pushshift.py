"""Reddit submissions as Pushshift NDJSON: id, created_utc, subreddit, author, title, url (+ optional local
`image` path). Remote images are not fetched: such posts are analyzed by their title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..records import Post, Skipped
from .base import readers
from .dates import parse_date
from .manifest import iter_json_lines

__all__ = ["PushshiftReader"]


@readers.register("pushshift")
class PushshiftReader:
    name = "reddit"

    def sniff(self, path: Path) -> bool:
        if not (path.is_file() and path.suffix.lower() in {".ndjson", ".jsonl", ".json"}):
            return False
        for _, obj, _ in iter_json_lines(path):
            return obj is not None and "created_utc" in obj and "subreddit" in obj
        return False

    def read(self, path: Path) -> Iterator[Post | Skipped]:
        for n, obj, err in iter_json_lines(path):
            where = f"{path.name}:{n}"
            if obj is None:
                yield Skipped(where, "bad json", err)
                continue
            post_id = str(obj.get("id") or "").strip()
            if not post_id:
                yield Skipped(where, "missing id")
                continue
            try:
                created = parse_date(obj.get("created_utc"))
            except ValueError as exc:
                yield Skipped(where, "bad date", str(exc))
                continue
            image = obj.get("image")
            yield Post(
                id=post_id,
                source=self.name,
                image_path=str((path.parent / image).resolve()) if image else None,
                text=(obj.get("selftext") or None) if obj.get("selftext") not in ("[removed]", "[deleted]") else None,
                title=obj.get("title") or None,
                created_at=created,
                community=f"r/{obj['subreddit']}" if obj.get("subreddit") else None,
                author=obj.get("author") or None,
                url=obj.get("url") or None,
                extra={k: obj[k] for k in ("score", "num_comments") if obj.get(k) is not None},
            )
