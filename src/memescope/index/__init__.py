"""Hamming index over 64-bit hashes: range and k-NN queries."""

from .hamming import HammingIndex, hamming_matrix

__all__ = ["HammingIndex", "hamming_matrix"]
