"""Features as Parquet shards, partitioned by run (`<dir>/run=<id>/part-<n>.parquet`): columnar files
a corpus-scale engine (DuckDB, Spark, Dask) reads without the SQLite store."""

from __future__ import annotations

import itertools
from pathlib import Path

from ..exceptions import NotInstalledError

__all__ = ["ShardWriter", "FEATURE_COLUMNS"]

FEATURE_COLUMNS = ("sha256", "width", "height", "phash", "phash_full", "phash_mirror")


class ShardWriter:
    """Writes one shard per saved batch, inside the batch's store transaction, under a temporary name
    renamed into place: a killed run leaves no half-written shard. A run killed after the rename but
    before the commit re-hashes that batch, so its rows can appear in two shards: readers deduplicate by
    sha256 (near_duplicates does)."""

    def __init__(self, root: str | Path, run_id: int):
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise NotInstalledError("pyarrow", "parquet") from exc
        self.dir = Path(root) / f"run={run_id}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._n = itertools.count(len(list(self.dir.glob("part-*.parquet"))))

    def write(self, rows: list[tuple]) -> Path | None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not rows:
            return None
        cols = {c: [r[i] for r in rows] for i, c in enumerate(FEATURE_COLUMNS)}
        table = pa.table(cols, schema=pa.schema([("sha256", pa.string()), ("width", pa.int32()), ("height", pa.int32()),
                                                 ("phash", pa.int64()), ("phash_full", pa.int64()), ("phash_mirror", pa.int64())]))
        path = self.dir / f"part-{next(self._n):06d}.parquet"
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        tmp.rename(path)
        return path
