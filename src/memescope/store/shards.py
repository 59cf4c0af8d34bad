"""Image features as Parquet shards, partitioned by run (`<dir>/run=<id>/part-<n>.parquet`): columnar files
a corpus-scale engine (DuckDB, Spark, Dask) reads without the SQLite store; and near-duplicate pairs over
them with DuckDB, by `bit_count(xor(a, b))` on either view's pHash."""

from __future__ import annotations

import itertools
from pathlib import Path

from ..exceptions import MemescopeError, NotInstalledError

__all__ = ["ShardWriter", "FEATURE_COLUMNS", "near_duplicates"]

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
        table = pa.table(
            cols,
            schema=pa.schema(
                [
                    ("sha256", pa.string()),
                    ("width", pa.int32()),
                    ("height", pa.int32()),
                    ("phash", pa.int64()),
                    ("phash_full", pa.int64()),
                    ("phash_mirror", pa.int64()),
                ]
            ),
        )
        path = self.dir / f"part-{next(self._n):06d}.parquet"
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        tmp.rename(path)
        return path


def near_duplicates(
    features_dir: str | Path, max_distance: int = 8, out: str | Path | None = None
) -> list[tuple[str, str, int]]:
    """[(sha256 a, sha256 b, distance)] with a < b, nearest first; also written to `out` (.parquet/.csv)."""
    try:
        import duckdb
    except ImportError as exc:
        raise NotInstalledError("duckdb", "dask", "duckdb") from exc
    files = sorted(Path(features_dir).glob("run=*/part-*.parquet"))
    if not files:
        raise MemescopeError(f"no feature shards under {features_dir} (run analyze with --features-dir)")
    max_distance = int(max_distance)  # inlined below: COPY cannot take parameters
    con = duckdb.connect()
    con.read_parquet([str(f) for f in files]).create_view("shards")
    con.execute("CREATE VIEW f AS SELECT DISTINCT sha256, phash, phash_mirror FROM shards")
    sql = f"""
        SELECT a.sha256 AS a, b.sha256 AS b,
               least(bit_count(xor(a.phash, b.phash)), bit_count(xor(a.phash, b.phash_mirror))) AS distance
        FROM f a JOIN f b ON a.sha256 < b.sha256
        WHERE least(bit_count(xor(a.phash, b.phash)), bit_count(xor(a.phash, b.phash_mirror))) <= {max_distance}
        ORDER BY distance, a, b"""
    rows = con.execute(sql).fetchall()
    if out is not None:
        out = Path(out)
        fmt = {".parquet": "PARQUET", ".csv": "CSV"}.get(out.suffix.lower())
        if fmt is None:
            raise MemescopeError(f"cannot write {out.name}: use .parquet or .csv")
        target = out.as_posix().replace("'", "''")
        con.execute(f"COPY ({sql}) TO '{target}' (FORMAT {fmt})")
    con.close()
    return [(a, b, int(d)) for a, b, d in rows]
