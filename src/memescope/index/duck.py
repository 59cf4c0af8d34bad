"""Corpus-scale near-duplicate joins with DuckDB over Parquet feature shards: every pair of images whose
pHashes (either view) differ by at most `max_distance` bits, by `bit_count(xor(a, b))`."""

from __future__ import annotations

from pathlib import Path

from ..exceptions import MemescopeError, NotInstalledError

__all__ = ["near_duplicates"]


def near_duplicates(features_dir: str | Path, max_distance: int = 8, out: str | Path | None = None) -> list[tuple[str, str, int]]:
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
