"""Clustering in blocks vs in one process, on the same codes: equal clusters, and the time each takes.

    .venv/bin/python bench/index/cluster_blocks.py [--n 100000] [--shards 4] [--workers 2]

Codes: n random 64-bit hashes with planted clusters (2% of them: centres with copies 0-3 bits away).
One process: templates.cluster_codes (all codes in memory). Blocks: index.ShardedIndex with n/shards
codes per shard and index.cluster_sharded, one task per shard pair on a local process pool.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()

    from memescope.index.sharded import ShardedIndex, cluster_sharded
    from memescope.pipeline.executors import make_executor
    from memescope.templates.clustering import cluster_codes

    rng = np.random.default_rng(0)
    n_planted = a.n // 50
    centres = rng.integers(0, 2**63, size=n_planted // 10, dtype=np.int64).view(np.uint64)
    planted = []
    for c in centres:
        for _ in range(10):
            flips = rng.choice(64, size=int(rng.integers(0, 4)), replace=False)
            planted.append(int(c) ^ sum(1 << int(b) for b in flips))
    codes = np.concatenate([np.array(planted, dtype=np.uint64), rng.integers(0, 2**63, size=a.n - len(planted), dtype=np.int64).view(np.uint64)])
    codes = codes[rng.permutation(len(codes))]
    ids = np.arange(len(codes))

    t = time.perf_counter()
    one = cluster_codes(codes, eps=8, min_size=5)
    t_one = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as d:
        sh = ShardedIndex(d, shard_size=-(-len(codes) // a.shards))
        sh.add(ids, codes)
        with make_executor("local", workers=a.workers) as ex:
            list(ex.map_batches(len, [[0]] * a.workers))  # start the pool outside the timing
            t = time.perf_counter()
            blocks = cluster_sharded(sh, eps=8, min_size=5, executor=ex)
            t_blocks = time.perf_counter() - t
    same = {frozenset(g) for g in one} == {frozenset(g) for g in blocks}
    res = {"n": len(codes), "shards": a.shards, "workers": a.workers, "clusters": len(one), "equal": same,
           "one_process_s": round(t_one, 2), "blocks_s": round(t_blocks, 2), "ratio": round(t_blocks / t_one, 2)}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
