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


@settings(max_examples=30, deadline=None)
@given(st.lists(codes64, min_size=1, max_size=300), codes64, st.integers(0, 11), st.integers(1, 10),
       st.lists(st.integers(0, 63), max_size=11))
def test_multi_index_hashing_is_exact_up_to_radius_11(codes, query, radius, k, flips):
    __import__("pytest").importorskip("faiss")
    from memescope.index import MultiHashIndex

    # plant a near neighbour of the query, so small radii have something to find
    near = query
    for b in flips:
        near ^= 1 << b
    codes = codes + [near]
    mh = MultiHashIndex()
    mh.add(range(len(codes)), [ImageHash(c).to_int64() for c in codes])
    brute = HammingIndex()
    brute.add(range(len(codes)), codes)
    q = ImageHash(query).to_int64()
    assert sorted(mh.range(q, radius)) == sorted(brute.range(query, radius))
    assert [d for _, d in mh.knn(q, k)] == [d for _, d in brute.knn(query, k)]


def test_to_uint64_keeps_every_bit():
    from memescope.index.hamming import to_uint64

    big = 2**63 + 1
    assert to_uint64([big, 0]).tolist() == [big, 0]  # np.asarray would make this float64
    assert to_uint64([ImageHash(big).to_int64()]).tolist() == [big]
    assert to_uint64(iter([1, 2])).tolist() == [1, 2]
