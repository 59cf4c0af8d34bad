"""A CSV, JSON-lines or Parquet manifest: columns id, image (path, relative to the manifest), text,
created_at, community, author, url; optional title, template, date_approx (1/true/yes: the date is an
estimate) and date_error_days (how far it may be off; implies date_approx). Only id is required. Images
must lie inside the corpus root (the manifest's folder unless ingest is given another).

CSV and JSON lines may come compressed (.gz, .bz2, .xz, .zst): they are read as streams (streams.py)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ..exceptions import IngestError
from ..records import Post, Skipped
from .base import readers
from .streams import inner_suffix, iter_parquet_rows, open_text, stream_errors
from .validate import make_post

__all__ = ["ManifestReader", "iter_json_lines"]

_KNOWN = {
    "id",
    "image",
    "text",
    "title",
    "created_at",
    "community",
    "author",
    "url",
    "template",
    "date_approx",
    "date_error_days",
}
# the longest line read as one record: a longer one is recorded as skipped, not held in memory
MAX_LINE = 1 << 20


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line number, object or None, error) for each non-blank line of a JSON-lines file, compressed or
    not."""
    damaged = stream_errors()
    with open_text(path) as f:
        n = 0
        while True:
            try:
                line = f.readline(MAX_LINE + 1)
            except damaged as exc:  # a truncated or corrupt dump: what came before it is kept
                yield n + 1, None, f"the file is damaged or truncated here: {str(exc)[:200]}"
                return
            if not line:
                return
            n += 1
            if len(line) > MAX_LINE and not line.endswith("\n"):
                while line and not line.endswith("\n"):  # skip the rest of the long line
                    line = f.readline(MAX_LINE)
                yield n, None, f"a line longer than {MAX_LINE} characters"
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield n, None, str(exc)[:200]
                continue
            if not isinstance(obj, dict):
                yield n, None, "not a JSON object"
                continue
            yield n, obj, ""


def _number(value: object) -> object:
    """A CSV cell is text: numbers written in it are read as numbers; JSON values stay as they are."""
    if isinstance(value, str) and value.strip():
        try:
            return float(value)
        except ValueError:
            return value
    return None if value == "" else value


@readers.register("manifest")
class ManifestReader:
    name = "manifest"

    def sniff(self, path: Path) -> bool:
        return path.is_file() and inner_suffix(path) in {".csv", ".jsonl", ".ndjson", ".parquet"}

    def read(self, path: Path, root: Path) -> Iterator[Post | Skipped]:
        kind = inner_suffix(path)
        if kind == ".parquet":
            yield from self._rows(path, root, iter_parquet_rows(path), "bad parquet row")
        elif kind == ".csv":
            with open_text(path, encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                if not reader.fieldnames or "id" not in reader.fieldnames:
                    raise IngestError(f"{path}: a manifest needs an 'id' column (has {reader.fieldnames})")
                n = 1
                while True:
                    try:
                        row = next(reader)
                    except StopIteration:
                        return
                    except stream_errors() as exc:
                        yield Skipped(f"{path.name}:{n + 1}", "damaged file", f"damaged or truncated: {exc}"[:300])
                        return
                    except csv.Error as exc:  # a NUL byte, a field over the csv module's limit
                        n += 1
                        yield Skipped(f"{path.name}:{n}", "bad csv", str(exc))
                        continue
                    n += 1
                    row.pop(None, None)  # cells past the header: no column to put them in
                    yield self._post(path, root, f"{path.name}:{n}", row, csv_row=True)
        else:
            yield from self._rows(path, root, iter_json_lines(path), "bad json")

    def _rows(self, path: Path, root: Path, rows, bad: str) -> Iterator[Post | Skipped]:
        for n, obj, err in rows:
            if obj is None:
                yield Skipped(f"{path.name}:{n}", bad, err)
            else:
                yield self._post(path, root, f"{path.name}:{n}", obj, csv_row=False)

    def _post(self, path: Path, root: Path, where: str, row: dict, csv_row: bool) -> Post | Skipped:
        image = row.get("image")
        if isinstance(image, str):  # relative to the manifest; must lie inside the root all the same
            image = str(path.parent / image.strip()) if image.strip() else None
        error = row.get("date_error_days")
        if csv_row or isinstance(error, str):
            error = _number(error)
            if isinstance(error, str):
                return Skipped(where, "bad date error", f"date_error_days: {error[:40]!r} is not a number")
        approx = row.get("date_approx")
        return make_post(
            self.name,
            where,
            {
                "id": row.get("id"),
                "image_path": image,
                "text": row.get("text"),
                "title": row.get("title"),
                "created_at": row.get("created_at"),
                "date_error_days": error,
                "date_approx": approx is True or str(approx or "").strip().lower() in {"1", "true", "yes"},
                "community": row.get("community"),
                "author": row.get("author"),
                "url": row.get("url"),
                "template_hint": row.get("template"),
                "extra": {k: v for k, v in row.items() if k not in _KNOWN and v not in (None, "")},
            },
            root,
        )
