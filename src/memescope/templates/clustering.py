"""Group images no template explains into candidate templates: density clustering on pHash (like
Zannettou et al.'s DBSCAN, eps 8 / min 5), with a medoid per cluster. Singletons stay unassigned."""

from __future__ import annotations

import numpy as np

from ..index import hamming_matrix

__all__ = ["cluster_codes"]


def cluster_codes(codes, mirrors=None, eps: int = 8, min_size: int = 5, block: int = 4096) -> list[list[int]]:
    """Indices of each cluster (largest first). Two images link when either view is within `eps` bits;
    a cluster is a connected component of size >= `min_size`."""
    codes = np.asarray(codes)
    n = len(codes)
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    views = [codes] if mirrors is None else [codes, np.asarray(mirrors)]
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        near = np.zeros((rows.stop - rows.start, n), dtype=bool)
        for v in views:
            near |= hamming_matrix(codes[rows], v) <= eps
        for a, b in zip(*np.nonzero(near)):
            a += start
            if a < b:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out = [g for g in groups.values() if len(g) >= min_size]
    return sorted(out, key=len, reverse=True)


def medoid(codes, members: list[int]) -> int:
    """The member with the smallest summed distance to the others."""
    sub = np.asarray(codes)[members]
    d = hamming_matrix(sub, sub).astype(np.int64).sum(axis=1)
    return members[int(np.argmin(d))]
