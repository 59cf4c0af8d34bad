"""Hamming search over N random 64-bit codes (default 10M), one thread: range queries (radius 10, the
match radius) and 10-NN with memescope's multi-index hashing, against numpy brute force and faiss's
IndexBinaryMultiHash in the same run."""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np


class FaissMultiHash:
    """faiss's multi-index hashing (3 x 21 bits, 3 flips: exact to radius 11) behind the same range API."""

    def __init__(self, codes: np.ndarray):
        import faiss

        self.index = faiss.IndexBinaryMultiHash(64, 3, 21)
        self.index.nflip = 3
        self.index.add(np.ascontiguousarray(codes).view(np.uint8).reshape(-1, 8))

    def range(self, code: int, radius: int):
        q = np.asarray([code], dtype=np.int64).view(np.uint8).reshape(1, 8)
        lims, dist, pos = self.index.range_search(q, radius + 1)  # faiss keeps distances < radius
        return [(int(p), int(d)) for p, d in zip(pos, dist)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-faiss", action="store_true", help="skip the faiss baseline (its build takes ~25 s)")
    ap.add_argument("--out", default="bench/index/results.json")
    args = ap.parse_args()
    from memescope.index import HammingIndex, MultiHashIndex

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 2**63, size=args.n, dtype=np.int64).view(np.uint64) ^ rng.integers(0, 2, size=args.n).astype(np.uint64) << np.uint64(63)
    # each query has a planted neighbour at 0-10 bits, so range queries return something
    qidx = rng.choice(args.n, args.queries, replace=False)
    queries = codes[qidx].copy()
    for i in range(args.queries):
        for b in rng.choice(64, rng.integers(0, 11), replace=False):
            queries[i] ^= np.uint64(1) << np.uint64(b)
    queries = queries.view(np.int64)
    res = {"n": args.n, "queries": args.queries}
    t0 = time.perf_counter()
    mh = MultiHashIndex()
    mh.add(np.arange(args.n), codes)
    mh.build()
    res["build_s"] = round(time.perf_counter() - t0, 1)
    brute = HammingIndex()
    brute.add(np.arange(args.n), codes)
    indexes = [("multihash", mh, args.queries), ("numpy brute force", brute, 20)]
    if not args.no_faiss:
        import faiss

        faiss.omp_set_num_threads(1)
        t0 = time.perf_counter()
        fm = FaissMultiHash(codes)
        res["faiss_build_s"] = round(time.perf_counter() - t0, 1)
        indexes.append(("faiss IndexBinaryMultiHash", fm, 50))
    answers = {}
    for name, idx, nq in indexes:
        qs = queries[:nq]
        t0 = time.perf_counter()
        found = [idx.range(int(q), 10) for q in qs]
        rt = (time.perf_counter() - t0) / len(qs)
        answers[name] = [sorted(f) for f in found]
        row = {"range10_ms": round(1000 * rt, 3), "queries": nq,
               "planted_found": sum(int(qidx[i]) in {j for j, _ in f} for i, f in enumerate(found)) / len(qs)}
        if hasattr(idx, "knn"):
            # 1-NN: the planted neighbour (0-10 bits) is the answer; 10-NN on random codes must reach the
            # 10th nearest, 13-15 bits away at 10M, the worst case for multi-index hashing (3 flips)
            for k in (1, 10):
                t0 = time.perf_counter()
                for q in qs[:20]:
                    idx.knn(int(q), k)
                row[f"knn{k}_ms"] = round(1000 * (time.perf_counter() - t0) / min(20, len(qs)), 3)
        res[name] = row
        print(name, row, flush=True)
    # the answers must agree, not just the timings
    res["same_answers_as_brute_force"] = answers["multihash"][:20] == answers["numpy brute force"]
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    res["speedup_range_vs_brute"] = round(res["numpy brute force"]["range10_ms"] / res["multihash"]["range10_ms"], 1)
    if "faiss IndexBinaryMultiHash" in res:
        res["speedup_range_vs_faiss"] = round(res["faiss IndexBinaryMultiHash"]["range10_ms"] / res["multihash"]["range10_ms"], 1)
    open(args.out, "w").write(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
