"""The ImgFlip575K layout: `<Template>.json` (a JSON list) or `<Template>.jsonl[.gz]` files of posts with
`boxes`, `title`, `author`, `views`, `votes` and `approx_date`. The template is the file's name."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from ..records import Post, Skipped
from ..values import parse_date
from .base import readers
from .validate import make_post

__all__ = ["ImgflipReader"]

_SUFFIXES = (".jsonl.gz", ".jsonl", ".json")


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(_SUFFIXES))


def _template_name(file: Path) -> str:
    for suf in _SUFFIXES:
        if file.name.endswith(suf):
            return file.name[: -len(suf)]
    return file.stem


def _records(file: Path) -> Iterator[tuple[int, dict | None, str]]:
    opener = gzip.open if file.name.endswith(".gz") else open
    with opener(file, "rt", encoding="utf-8", errors="replace") as f:
        if file.name.endswith(".json"):
            try:
                data = json.load(f)
            except (ValueError, RecursionError, EOFError, OSError) as exc:
                yield 0, None, str(exc)
                return
            for n, obj in enumerate(data if isinstance(data, list) else [], 1):
                yield n, obj if isinstance(obj, dict) else None, "" if isinstance(obj, dict) else "not an object"
            return
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    obj = json.loads(line)
                    yield n, obj if isinstance(obj, dict) else None, "not an object"
                except (ValueError, RecursionError) as exc:
                    yield n, None, str(exc)[:200]


# How far an estimated date may be off. The dataset interpolates dates from post ids between dated anchors,
# the earliest 2018-10-25; its README says "within weeks from late 2018 on; only a rough order before
# that". We read that as two weeks, and half a year before the first anchor.
_ANCHORED_FROM = "2018-10-25"
_ERROR_ANCHORED_DAYS, _ERROR_BEFORE_DAYS = 14.0, 182.0


def _date_error(created: str | None) -> float | None:
    if not created:
        return None
    return _ERROR_ANCHORED_DAYS if created[:10] >= _ANCHORED_FROM else _ERROR_BEFORE_DAYS


@readers.register("imgflip")
class ImgflipReader:
    name = "imgflip"

    def sniff(self, path: Path) -> bool:
        files = _files(path) if path.exists() else []
        if not files:
            return False
        for _, obj, _ in _records(files[0]):
            return obj is not None and "boxes" in obj
        return False

    def read(self, path: Path, root: Path) -> Iterator[Post | Skipped]:
        for file in _files(path):
            template = _template_name(file)
            for n, obj, err in _records(file):
                where = f"{file.name}:{n}"
                if obj is None:
                    yield Skipped(where, "bad json", err)
                    continue
                raw_boxes = obj.get("boxes")
                if not isinstance(raw_boxes, list) or not all(isinstance(b, str | int | float) for b in raw_boxes):
                    yield Skipped(
                        where, "bad boxes", f"boxes: expected a list of texts, got {type(raw_boxes).__name__}"
                    )
                    continue
                boxes = [str(b).strip() for b in raw_boxes if str(b).strip()]
                approx = obj.get("approx_date")
                try:
                    created = parse_date(approx or obj.get("created_at"))
                except ValueError as exc:
                    yield Skipped(where, "bad date", str(exc))
                    continue
                post_id = obj.get("id")
                yield make_post(
                    self.name,
                    where,
                    {
                        "id": post_id,
                        "text": "\n".join(boxes) or None,
                        "title": obj.get("title"),
                        "created_at": created,
                        "date_approx": approx is not None,
                        "date_error_days": _date_error(created) if approx is not None else None,
                        "community": "imgflip",
                        "author": obj.get("author"),
                        "url": f"https://imgflip.com/i/{post_id}"
                        if isinstance(post_id, str) and post_id.isalnum()
                        else None,
                        "template_hint": obj.get("template") or template,
                        "extra": {k: obj[k] for k in ("views", "votes") if obj.get(k) is not None},
                    },
                    root,
                )
