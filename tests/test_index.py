"""Hamming index: range and k-NN agree with brute force (property test)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from memescope.imaging import ImageHash
from memescope.index import HammingIndex

codes64 = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=50, deadline=None)
@given(st.lists(codes64, min_size=1, max_size=200), codes64, st.integers(0, 64), st.integers(1, 20))
def test_range_and_knn_agree_with_brute_force(codes, query, radius, k):
    index = HammingIndex()
    # signed int64, as stored in SQLite, must mean the same bits
    index.add(range(len(codes)), [ImageHash(c).to_int64() for c in codes])
    dist = {i: (c ^ query).bit_count() for i, c in enumerate(codes)}
    got = index.range(ImageHash(query).to_int64(), radius)
    assert sorted(got) == sorted((i, d) for i, d in dist.items() if d <= radius)
    assert [d for _, d in got] == sorted(d for _, d in got)
    nn = index.knn(query, k)
    assert [d for _, d in nn] == sorted(dist.values())[: min(k, len(codes))]
    assert all(dist[i] == d for i, d in nn)


def test_empty_index():
    assert HammingIndex().knn(0, 3) == [] and HammingIndex().range(0, 64) == []
