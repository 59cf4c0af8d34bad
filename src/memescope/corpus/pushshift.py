"""Reddit submissions as Pushshift NDJSON: id, created_utc, subreddit, author, title, url (+ optional local
`image` path). Remote images are not fetched: such posts are analyzed by their title. The monthly dumps
are read as they ship (RS_2020-03.zst), compressed, as a stream (streams.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..records import Post, Skipped
from .base import readers
from .manifest import iter_json_lines
from .streams import inner_suffix
from .validate import make_post

__all__ = ["PushshiftReader"]


@readers.register("pushshift")
class PushshiftReader:
    name = "reddit"

    def sniff(self, path: Path) -> bool:
        if not (path.is_file() and inner_suffix(path) in {".ndjson", ".jsonl", ".json"}):
            return False
        for _, obj, _ in iter_json_lines(path):
            return obj is not None and "created_utc" in obj and "subreddit" in obj
        return False

    def read(self, path: Path, root: Path) -> Iterator[Post | Skipped]:
        for n, obj, err in iter_json_lines(path):
            where = f"{path.name}:{n}"
            if obj is None:
                yield Skipped(where, "bad json", err)
                continue
            image = obj.get("image")
            selftext = obj.get("selftext")
            subreddit = obj.get("subreddit")
            yield make_post(
                self.name,
                where,
                {
                    "id": obj.get("id"),
                    "image_path": str(path.parent / image) if isinstance(image, str) and image else image or None,
                    "text": None if selftext in ("[removed]", "[deleted]") else selftext or None,
                    "title": obj.get("title"),
                    "created_at": obj.get("created_utc"),
                    "community": f"r/{subreddit}" if isinstance(subreddit, str) and subreddit else subreddit or None,
                    "author": obj.get("author"),
                    "url": obj.get("url"),
                    "extra": {k: obj[k] for k in ("score", "num_comments") if obj.get(k) is not None},
                },
                root,
            )
