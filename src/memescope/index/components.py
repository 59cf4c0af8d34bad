"""Connected components over positions 0..n-1 (union-find with path halving): the last step of both
clustering paths, so they cannot disagree on what a cluster is."""

from __future__ import annotations

import numpy as np

__all__ = ["UnionFind"]


class UnionFind:
    def __init__(self, n: int):
        self.parent = np.arange(n)

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return int(x)

    def union(self, a: int, b: int) -> bool:
        """Join a's and b's components (the smaller root wins); False when they were one already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True

    def groups(self, min_size: int = 1) -> list[list[int]]:
        """Components with at least min_size members, largest first (ties: by smallest member)."""
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return sorted((g for g in out.values() if len(g) >= min_size), key=len, reverse=True)
