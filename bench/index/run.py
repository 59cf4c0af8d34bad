"""Hamming search over N random 64-bit codes (default 10M), one thread: range queries (radius 10, the
match radius) and 10-NN with multi-index hashing, against numpy brute force in the same run."""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", default="bench/index/results.json")
    args = ap.parse_args()
    import faiss

    faiss.omp_set_num_threads(1)
    from memescope.index import HammingIndex, MultiHashIndex

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 2**63, size=args.n, dtype=np.int64).view(np.uint64) ^ rng.integers(0, 2, size=args.n).astype(np.uint64) << np.uint64(63)
    # each query has a planted neighbour at 0-10 bits, so range queries return something
    qidx = rng.choice(args.n, args.queries, replace=False)
    queries = codes[qidx].copy()
    for i in range(args.queries):
        for b in rng.choice(64, rng.integers(0, 11), replace=False):
            queries[i] ^= np.uint64(1) << np.uint64(b)
    t0 = time.perf_counter()
    mh = MultiHashIndex()
    mh.add(np.arange(args.n), codes)
    build = time.perf_counter() - t0
    brute = HammingIndex()
    brute.add(np.arange(args.n), codes)
    res = {"n": args.n, "build_s": round(build, 1)}
    for name, idx in (("multihash", mh), ("numpy brute force", brute)):
        qs = queries if name == "multihash" else queries[:20]  # brute force is slow: fewer queries
        t0 = time.perf_counter()
        found = [idx.range(int(q), 10) for q in qs]
        rt = (time.perf_counter() - t0) / len(qs)
        t0 = time.perf_counter()
        for q in qs[:20]:
            idx.knn(int(q), 10)
        kt = (time.perf_counter() - t0) / min(20, len(qs))
        res[name] = {"range10_ms": round(1000 * rt, 3), "knn10_ms": round(1000 * kt, 3),
                     "planted_found": sum(int(qidx[i]) in {j for j, _ in f} for i, f in enumerate(found)) / len(qs)}
        print(name, res[name], flush=True)
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    res["speedup_range"] = round(res["numpy brute force"]["range10_ms"] / res["multihash"]["range10_ms"], 1)
    open(args.out, "w").write(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
