"""Group images no template explains into candidate templates: density clustering on pHash (like
Zannettou et al.'s DBSCAN, eps 8 / min 5), with a medoid per cluster. Singletons stay unassigned."""

from __future__ import annotations

import numpy as np

from ..index import hamming_matrix
from ..index.components import UnionFind
from ..index.hamming import to_uint64

__all__ = ["cluster_codes"]


def cluster_codes(codes, mirrors=None, eps: int = 8, min_size: int = 5, block: int = 4096) -> list[list[int]]:
    """Indices of each cluster (largest first). Two images link when either view is within `eps` bits;
    a cluster is a connected component of size >= `min_size`."""
    # to_uint64, not np.asarray: a list of Python ints with some >= 2**63 would become float64 and lose
    # bits (found by the property test comparing this with the sharded path)
    codes = to_uint64(codes)
    n = len(codes)
    uf = UnionFind(n)
    views = [codes] if mirrors is None else [codes, to_uint64(mirrors)]
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        near = np.zeros((rows.stop - rows.start, n), dtype=bool)
        for v in views:
            near |= hamming_matrix(codes[rows], v) <= eps
        for a, b in zip(*np.nonzero(near)):
            a += start
            if a < b:
                uf.union(int(a), int(b))
    return uf.groups(min_size)


def medoid(codes, members: list[int]) -> int:
    """The member with the smallest summed distance to the others."""
    sub = to_uint64(codes)[members]
    d = hamming_matrix(sub, sub).astype(np.int64).sum(axis=1)
    return members[int(np.argmin(d))]
