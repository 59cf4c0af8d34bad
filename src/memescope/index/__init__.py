"""Hamming indexes over 64-bit hashes: range and k-NN queries, brute force (exact, simple) or multi-index
hashing (sub-linear, exact at every radius: about 1 ms per radius-10 query over 10M codes)."""

from .hamming import HammingIndex, hamming_matrix
from .multihash import MultiHashIndex
from .sharded import ShardedIndex, cluster_sharded

__all__ = ["HammingIndex", "MultiHashIndex", "ShardedIndex", "cluster_sharded", "hamming_matrix"]
