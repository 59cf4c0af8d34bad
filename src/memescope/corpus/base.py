"""The reader interface and its registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ..exceptions import IngestError
from ..records import Post, Skipped
from ..registry import Registry

__all__ = ["Reader", "readers", "detect_reader"]


class Reader(Protocol):
    name: str

    def sniff(self, path: Path) -> bool:
        """True if this reader recognizes `path`."""

    def read(self, path: Path, root: Path) -> Iterator[Post | Skipped]:
        """Yield the posts of `path`; items that cannot be read come out as Skipped. Images must lie
        inside `root` (corpus.validate checks every field)."""


readers: Registry[type] = Registry("corpus format")

# Sniffing order: the most specific formats first.
_ORDER = ["imgflip", "pushshift", "manifest", "folder"]


def detect_reader(path: Path, fmt: str | None = None) -> Reader:
    """The reader for `path`: by name if given (unknown names fail loudly), else the first that sniffs it."""
    if not path.exists():
        raise IngestError(f"{path} does not exist")
    if fmt:
        return readers[fmt]()
    for name in _ORDER:
        reader = readers[name]()
        if reader.sniff(path):
            return reader
    raise IngestError(f"cannot tell the format of {path}: give --format ({', '.join(readers.names())})")
