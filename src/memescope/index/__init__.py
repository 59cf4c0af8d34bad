"""Hamming indexes over 64-bit hashes: range and k-NN queries, brute force (exact, simple) or multi-index
hashing (sub-linear, exact up to radius 11)."""

from .hamming import HammingIndex, hamming_matrix
from .multihash import MultiHashIndex
from .sharded import ShardedIndex, cluster_sharded

__all__ = ["HammingIndex", "MultiHashIndex", "ShardedIndex", "cluster_sharded", "hamming_matrix"]
