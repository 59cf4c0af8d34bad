"""Dumps as they ship, read as streams and never unpacked to disk: gzip, bzip2, xz and Zstandard files
(Reddit's monthly dumps are .zst with a 2 GiB window), and Parquet tables, read a batch of rows at a time.

A compressed file's format is that of the name under its compression suffix (`posts.jsonl.zst` is JSON
lines); a Zstandard file with no inner suffix (`RS_2020-03.zst`) is taken for NDJSON, as Reddit names it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..exceptions import IngestError, NotInstalledError

__all__ = [
    "COMPRESSIONS",
    "inner_suffix",
    "open_binary",
    "open_text",
    "iter_parquet_rows",
    "stream_errors",
    "PARQUET_BATCH",
]

COMPRESSIONS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}
# Reddit's dumps are compressed with --long=31: a decoder must be allowed that window
ZSTD_WINDOW = 1 << 31
PARQUET_BATCH = 10_000  # rows held at once from a Parquet file


def stream_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged or truncated stream raises, by codec: the reader records it and stops
    there, keeping what came before."""
    errors: tuple[type[BaseException], ...] = (EOFError, OSError, lzma.LZMAError)
    try:
        import zstandard

        errors += (zstandard.ZstdError,)
    except ImportError:
        pass
    return errors


def inner_suffix(path: Path) -> str:
    """The suffix that says the format, under any compression suffix: 'a.jsonl.zst' -> '.jsonl'; a bare
    Zstandard dump ('RS_2020-03.zst') -> '.ndjson'."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        inner = suffixes[-2] if len(suffixes) > 1 else ""
        if not inner and COMPRESSIONS[suffixes[-1]] == "zstd":
            return ".ndjson"
        return inner
    return suffixes[-1] if suffixes else ""


def _zstd(raw: IO[bytes]) -> IO[bytes]:
    try:
        import zstandard
    except ImportError as exc:
        raise NotInstalledError("zstandard", "dumps") from exc
    reader = zstandard.ZstdDecompressor(max_window_size=ZSTD_WINDOW).stream_reader(raw, read_across_frames=True)
    return io.BufferedReader(reader)


def open_binary(path: Path) -> IO[bytes]:
    """`path`'s bytes, decompressed on the fly by its compression suffix."""
    kind = COMPRESSIONS.get(path.suffix.lower())
    try:
        if kind == "gzip":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        if kind == "bzip2":
            return bz2.open(path, "rb")
        if kind == "xz":
            return lzma.open(path, "rb")
        if kind == "zstd":
            return _zstd(path.open("rb"))
        return path.open("rb")
    except OSError as exc:
        raise IngestError(f"cannot open {path}: {exc.strerror or exc}") from None


def open_text(path: Path, encoding: str = "utf-8", newline: str | None = None) -> IO[str]:
    """`path` as text, decompressed on the fly; bytes that are not `encoding` become U+FFFD (the
    validators then see them), so one bad byte never stops a dump."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors="replace", newline=newline)


def iter_parquet_rows(path: Path, batch_size: int = PARQUET_BATCH) -> Iterator[tuple[int, dict | None, str]]:
    """(row number from 1, row as a dict or None, error) for each row of a Parquet file, `batch_size`
    rows in memory at a time. A file pyarrow cannot read is one error, not a crash."""
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise NotInstalledError("pyarrow", "parquet") from exc
    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not Parquet
        raise IngestError(f"{path}: not a readable Parquet file ({str(exc)[:200]})") from None
    n = 0
    try:
        for batch in table.iter_batches(batch_size=batch_size):
            for row in batch.to_pylist():
                n += 1
                yield n, row, ""
    except Exception as exc:  # noqa: BLE001 - a damaged row group: what came before it is kept
        yield n + 1, None, f"unreadable row group: {str(exc)[:200]}"
