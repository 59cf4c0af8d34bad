"""Corpus readers, one per source format, each turning a source into Posts (or Skipped items)."""

from ..values import parse_date
from . import folder, imgflip, manifest, pushshift  # noqa: F401  (registers the readers)
from .base import Reader, detect_reader, readers
from .ingest import ingest

__all__ = ["Reader", "readers", "detect_reader", "parse_date", "ingest"]
