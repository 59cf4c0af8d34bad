"""Captions to classify, read from a file or standard input: one per line, or a column of a CSV or JSON
lines file. What `memescope classify --file` reads; every caption is cleaned as ingest cleans text."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..exceptions import IngestError
from ..values import clean_text

__all__ = ["read_captions", "CAPTION_FORMATS"]

CAPTION_FORMATS = ("lines", "csv", "jsonl")


def _format(source: str, fmt: str | None) -> str:
    if fmt:
        if fmt not in CAPTION_FORMATS:
            raise IngestError(f"unknown caption format {fmt!r}: choose one of {', '.join(CAPTION_FORMATS)}")
        return fmt
    suffix = Path(source).suffix.lower()
    return {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix, "lines")


def _rows(f: TextIO, fmt: str, column: str) -> Iterator[str]:
    if fmt == "lines":
        for line in f:
            yield line.rstrip("\r\n")
        return
    if fmt == "csv":
        reader = csv.DictReader(f)
        if not reader.fieldnames or column not in reader.fieldnames:
            raise IngestError(f"no column {column!r} in the CSV (has {reader.fieldnames}): give --column")
        for row in reader:
            yield row.get(column) or ""
        return
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise IngestError(f"line {n} is not JSON: {exc}") from None
        value = obj.get(column) if isinstance(obj, dict) else None
        yield value if isinstance(value, str) else ""


def read_captions(source: str | Path, column: str = "text", fmt: str | None = None) -> Iterator[str]:
    """Each caption of `source` ('-' for standard input) in order, blank ones as empty strings (so that
    results line up with the input's rows). `fmt`: lines, csv or jsonl (default: by the file's suffix)."""
    source = str(source)
    kind = _format(source, fmt)
    if source == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="")
        yield from (clean_text(t).strip() for t in _rows(stream, kind, column))
        return
    path = Path(source)
    if not path.is_file():
        raise IngestError(f"{path} does not exist")
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        yield from (clean_text(t).strip() for t in _rows(f, kind, column))
