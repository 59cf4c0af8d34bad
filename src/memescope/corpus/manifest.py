"""A CSV or JSONL manifest: columns id, image (path, relative to the manifest), text, created_at,
community, author, url; optional title, template, date_approx (1/true/yes: the date is an estimate) and
date_error_days (how far it may be off; implies date_approx). Only id is required."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ..exceptions import IngestError
from ..records import Post, Skipped
from .base import readers
from .dates import parse_date

__all__ = ["ManifestReader", "iter_json_lines"]

_KNOWN = {"id", "image", "text", "title", "created_at", "community", "author", "url", "template", "date_approx",
          "date_error_days"}


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, object or None, error) for each non-blank line of a JSON-lines file."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield n, None, str(exc)
                continue
            if not isinstance(obj, dict):
                yield n, None, "not a JSON object"
                continue
            yield n, obj, ""


@readers.register("manifest")
class ManifestReader:
    name = "manifest"

    def sniff(self, path: Path) -> bool:
        return path.is_file() and path.suffix.lower() in {".csv", ".jsonl", ".ndjson"}

    def read(self, path: Path) -> Iterator[Post | Skipped]:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                if not reader.fieldnames or "id" not in reader.fieldnames:
                    raise IngestError(f"{path}: a manifest needs an 'id' column (has {reader.fieldnames})")
                for n, row in enumerate(reader, 2):
                    yield self._post(path, f"{path.name}:{n}", row)
        else:
            for n, obj, err in iter_json_lines(path):
                if obj is None:
                    yield Skipped(f"{path.name}:{n}", "bad json", err)
                else:
                    yield self._post(path, f"{path.name}:{n}", obj)

    def _post(self, path: Path, where: str, row: dict) -> Post | Skipped:
        post_id = str(row.get("id") or "").strip()
        if not post_id:
            return Skipped(where, "missing id")
        try:
            created = parse_date(row.get("created_at"))
        except ValueError as exc:
            return Skipped(where, "bad date", f"{row.get('created_at')!r}: {exc}")
        try:
            error = float(row["date_error_days"]) if str(row.get("date_error_days") or "").strip() else None
            if error is not None and not 0 <= error < 36500:
                raise ValueError("not between 0 and 100 years")
        except ValueError as exc:
            return Skipped(where, "bad date error", f"{row.get('date_error_days')!r}: {exc}")
        image = (row.get("image") or "").strip() or None
        if image:
            image = str((path.parent / image).resolve())
        extra = {k: v for k, v in row.items() if k not in _KNOWN and v not in (None, "")}
        return Post(
            id=post_id,
            source=self.name,
            image_path=image,
            text=(row.get("text") or None),
            title=(row.get("title") or None),
            created_at=created,
            date_approx=bool(error) or str(row.get("date_approx", "")).lower() in {"1", "true", "yes"},
            date_error_days=error,
            community=row.get("community") or None,
            author=row.get("author") or None,
            url=row.get("url") or None,
            template_hint=row.get("template") or None,
            extra=extra,
        )
