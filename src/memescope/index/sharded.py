"""A Hamming index in shards on disk, for hash collections that do not fit one process.

A shard is a folder holding `ids.npy`, `codes.npy` and, optionally, `mirrors.npy` (the mirrored view's
hash), memory-mapped when read. The index is built incrementally: `add` fills the last shard to
`shard_size` and opens new ones; `index.json` lists the shards and is rewritten last, atomically, so a
killed `add` leaves the index as it was before the call. Queries run shard by shard, in this process or
on any executor whose workers see the folder (a shared filesystem for a Dask cluster), and their merged
results equal a single HammingIndex over the same codes.

Clustering in blocks (`cluster_sharded`) links images within `eps` bits shard pair by shard pair; each
task returns a spanning forest of its links (at most one link per image), so what travels back to the
caller is small however dense the clusters are. Its clusters equal `cluster_codes` on the same codes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .components import UnionFind
from .hamming import hamming_matrix, to_uint64

__all__ = ["ShardedIndex", "cluster_sharded"]


class ShardedIndex:
    def __init__(self, directory: str | Path, shard_size: int = 1_000_000):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        meta = self.dir / "index.json"
        if meta.exists():
            m = json.loads(meta.read_text())
            self.shard_size, self._shards = m["shard_size"], m["shards"]
        else:
            self.shard_size, self._shards = shard_size, []

    def __len__(self) -> int:
        return sum(s["n"] for s in self._shards)

    @property
    def shards(self) -> list[dict]:
        """[{name, n, offset}]: offset is the shard's first position in insertion order."""
        out, off = [], 0
        for s in self._shards:
            out.append({"name": s["name"], "n": s["n"], "offset": off, "path": str(self.dir / s["name"])})
            off += s["n"]
        return out

    def _load(self, name: str, part: str) -> np.ndarray | None:
        p = self.dir / name / f"{part}.npy"
        return np.load(p, mmap_mode="r") if p.exists() else None

    def _commit(self) -> None:
        tmp = self.dir / "index.json.tmp"
        tmp.write_text(json.dumps({"shard_size": self.shard_size, "shards": self._shards}))
        os.replace(tmp, self.dir / "index.json")

    def add(self, ids, codes, mirrors=None) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        codes = to_uint64(codes)
        mirrors = None if mirrors is None else to_uint64(mirrors)
        if len(ids) != len(codes) or (mirrors is not None and len(mirrors) != len(codes)):
            raise ValueError("ids, codes and mirrors must have the same length")
        shards = [dict(s) for s in self._shards]
        pos = 0
        while pos < len(codes):
            if shards and shards[-1]["n"] < self.shard_size:
                last = shards[-1]
                take = min(self.shard_size - last["n"], len(codes) - pos)
                parts = {p: self._load(last["name"], p) for p in ("ids", "codes", "mirrors")}
                new_name = f"{last['name'].split('.')[0]}.{last.get('gen', 0) + 1}"
                gen = last.get("gen", 0) + 1
            else:
                take = min(self.shard_size, len(codes) - pos)
                parts = {
                    "ids": np.empty(0, np.int64),
                    "codes": np.empty(0, np.uint64),
                    "mirrors": np.empty(0, np.uint64) if mirrors is not None else None,
                }
                new_name, gen, last = f"shard-{len(shards):06d}.0", 0, None
            sl = slice(pos, pos + take)
            # a shard is rewritten under a new name (copy on write): the old one stays valid until
            # index.json points at the new one
            folder = self.dir / new_name
            folder.mkdir(exist_ok=True)
            np.save(folder / "ids.npy", np.concatenate([parts["ids"], ids[sl]]))
            np.save(folder / "codes.npy", np.concatenate([parts["codes"], codes[sl]]))
            if mirrors is not None:
                old = parts["mirrors"] if parts["mirrors"] is not None else to_uint64(np.asarray(parts["codes"]))
                np.save(folder / "mirrors.npy", np.concatenate([old, mirrors[sl]]))
            elif parts["mirrors"] is not None:
                np.save(folder / "mirrors.npy", np.concatenate([parts["mirrors"], codes[sl]]))
            entry = {"name": new_name, "n": (last["n"] if last else 0) + take, "gen": gen}
            if last is not None:
                shards[-1] = entry
            else:
                shards.append(entry)
            pos += take
        old_names = {s["name"] for s in self._shards} - {s["name"] for s in shards}
        self._shards = shards
        self._commit()
        for name in old_names:  # superseded copies, now unreferenced
            for f in (self.dir / name).glob("*.npy"):
                f.unlink()
            (self.dir / name).rmdir()

    def _query(self, code: int, fn, executor=None) -> list[tuple[int, int, int]]:
        tasks = [[(s["path"], s["offset"], int(to_uint64([code])[0]), fn)] for s in self.shards]
        if executor is None:
            return [hit for t in tasks for hit in _shard_query(t)]
        return [hit for res in executor.map_batches(_shard_query, tasks) for hit in res]

    def range(self, code: int, radius: int, executor=None) -> list[tuple[int, int]]:
        """(id, distance) of every code within `radius`, nearest first, ties in insertion order."""
        hits = self._query(code, ("range", int(radius)), executor)
        return [(i, d) for i, d, _ in sorted(hits, key=lambda h: (h[1], h[2]))]

    def knn(self, code: int, k: int, executor=None) -> list[tuple[int, int]]:
        """(id, distance) of the k nearest codes (each shard's k nearest, merged)."""
        hits = self._query(code, ("knn", int(k)), executor)
        return [(i, d) for i, d, _ in sorted(hits, key=lambda h: (h[1], h[2]))[:k]]


def _shard_query(batch: list) -> list[tuple[int, int, int]]:
    """(id, distance, global position) hits of one query in one shard; a pure task for any executor."""
    ((path, offset, code, (kind, arg)),) = batch
    codes = np.load(Path(path) / "codes.npy", mmap_mode="r")
    ids = np.load(Path(path) / "ids.npy", mmap_mode="r")
    d = np.bitwise_count(np.asarray(codes) ^ np.uint64(code))
    if kind == "range":
        hit = np.flatnonzero(d <= arg)
    else:
        k = min(arg, len(d))
        hit = np.argpartition(d, k - 1)[:k] if k else np.empty(0, dtype=np.int64)
        # ties at the k-th distance: keep every code at that distance so the merge can pick by position
        if k:
            hit = np.flatnonzero(d <= d[hit].max())
    return [(int(ids[i]), int(d[i]), offset + int(i)) for i in hit]


def _block_forest(batch: list) -> list[tuple[int, int]]:
    """Links between two shards (or within one) as a spanning forest in global positions: a pure task.

    Images a < b link when d(code a, code b) <= eps or d(code a, mirror b) <= eps, as cluster_codes."""
    ((pi, oi, pj, oj, eps, block),) = batch
    ci = np.load(Path(pi) / "codes.npy", mmap_mode="r")
    cj = np.load(Path(pj) / "codes.npy", mmap_mode="r")
    mj_path = Path(pj) / "mirrors.npy"
    mj = np.load(mj_path, mmap_mode="r") if mj_path.exists() else None
    # local positions: shard i first, then shard j (one shard when it is the diagonal block)
    same = oi == oj
    uf = UnionFind(len(ci) if same else len(ci) + len(cj))
    out = []
    for s in range(0, len(ci), block):
        rows = np.asarray(ci[s : s + block])
        near = hamming_matrix(rows, np.asarray(cj)) <= eps
        if mj is not None:
            near |= hamming_matrix(rows, np.asarray(mj)) <= eps
        for a, b in zip(*np.nonzero(near)):
            ga, gb = oi + s + int(a), oj + int(b)
            if ga < gb and uf.union(s + int(a), int(b) if same else len(ci) + int(b)):
                out.append((ga, gb))
    return out


def cluster_sharded(
    index: ShardedIndex, eps: int = 8, min_size: int = 5, executor=None, block: int = 4096
) -> list[list[int]]:
    """Clusters as lists of ids, largest first: connected components (>= min_size) of the links within
    `eps` bits, computed one shard pair at a time (on `executor` when given)."""
    shards = index.shards
    tasks = [
        [(a["path"], a["offset"], b["path"], b["offset"], eps, block)] for i, a in enumerate(shards) for b in shards[i:]
    ]
    results = map(_block_forest, tasks) if executor is None else executor.map_batches(_block_forest, tasks)
    uf = UnionFind(len(index))
    for forest in results:
        for a, b in forest:
            uf.union(a, b)
    ids = np.concatenate([np.load(Path(s["path"]) / "ids.npy") for s in shards]) if shards else np.empty(0, np.int64)
    return [[int(ids[i]) for i in g] for g in uf.groups(min_size)]
