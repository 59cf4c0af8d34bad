"""Hamming index: range and k-NN agree with brute force (property test)."""

from __future__ import annotations

import numpy as np
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


@settings(max_examples=40, deadline=None)
@given(st.lists(codes64, min_size=1, max_size=300), codes64, st.integers(0, 20), st.integers(1, 10),
       st.lists(st.integers(0, 63), max_size=11), st.integers(0, 40), st.sampled_from([4, 8, 16]))
def test_multi_index_hashing_is_exact_at_every_radius(codes, query, radius, k, flips, tail, m):
    from memescope.index import MultiHashIndex

    # plant a near neighbour of the query, so small radii have something to find
    near = query
    for b in flips:
        near ^= 1 << b
    codes = codes + [near]
    mh = MultiHashIndex(m=m)
    mh.add(range(len(codes)), [ImageHash(c).to_int64() for c in codes])
    mh.build()  # small sets would otherwise be scanned, never probed
    # codes added after the build live in the tail until the next build
    extra = [c ^ (1 << (i % 64)) for i, c in enumerate(codes[:tail])]
    mh.add(range(len(codes), len(codes) + len(extra)), extra)
    brute = HammingIndex()
    brute.add(range(len(codes) + len(extra)), codes + extra)
    q = ImageHash(query).to_int64()
    assert mh.range(q, radius) == brute.range(query, radius)
    assert [d for _, d in mh.knn(q, k)] == [d for _, d in brute.knn(query, k)]


def test_multi_index_hashing_rebuilds_when_the_tail_grows():
    from memescope.index import MultiHashIndex

    rng = np.random.default_rng(1)
    codes = rng.integers(0, 2**63, size=200_000, dtype=np.int64)
    mh = MultiHashIndex()
    mh.add(np.arange(100_000), codes[:100_000])
    assert mh.range(int(codes[5]), 0) == [(5, 0)]
    built = mh._built
    mh.add(np.arange(100_000, 200_000), codes[100_000:])
    assert mh.range(int(codes[150_000]), 3)[0] == (150_000, 0)
    assert mh._built == 200_000 > built


def test_to_uint64_keeps_every_bit():
    from memescope.index.hamming import to_uint64

    big = 2**63 + 1
    assert to_uint64([big, 0]).tolist() == [big, 0]  # np.asarray would make this float64
    assert to_uint64([ImageHash(big).to_int64()]).tolist() == [big]
    assert to_uint64(iter([1, 2])).tolist() == [1, 2]


# -- sharded index and clustering in blocks (issue 9): same answers as the single-process path ----------


def _planted(seed: int, n_clusters: int = 6, per: int = 12, noise: int = 150):
    """Codes with planted clusters (a centre and copies 0-3 bits away) among random codes, and mirrors."""
    rng = np.random.default_rng(seed)
    codes = []
    for _ in range(n_clusters):
        c = int(rng.integers(0, 2**63))
        for _ in range(per):
            flips = rng.choice(64, size=int(rng.integers(0, 4)), replace=False)
            codes.append(c ^ sum(1 << int(b) for b in flips))
    codes += [int(x) for x in rng.integers(0, 2**63, size=noise)]
    order = rng.permutation(len(codes))
    codes = [codes[i] for i in order]
    mirrors = [int(x) for x in rng.integers(0, 2**63, size=len(codes))]
    return codes, mirrors


def test_sharded_index_equals_one_index(tmp_path):
    from memescope.index import HammingIndex
    from memescope.index.sharded import ShardedIndex

    codes, _ = _planted(1)
    ids = list(range(1000, 1000 + len(codes)))
    one = HammingIndex()
    one.add(ids, codes)
    sh = ShardedIndex(tmp_path / "idx", shard_size=37)
    for s in range(0, len(codes), 50):  # incremental adds that cross shard boundaries
        sh.add(ids[s: s + 50], codes[s: s + 50])
    assert len(sh) == len(codes) and len(sh.shards) == -(-len(codes) // 37)
    reopened = ShardedIndex(tmp_path / "idx")
    for q in codes[:40]:
        assert sh.range(q, 10) == one.range(q, 10) == reopened.range(q, 10)
        assert [d for _, d in sh.knn(q, 7)] == [d for _, d in one.knn(q, 7)]
    # only the shards the index names are on disk (rewritten shards were replaced, not left behind)
    assert sorted(p.name for p in (tmp_path / "idx").iterdir() if p.is_dir()) == sorted(s["name"] for s in sh.shards)


def test_clustering_in_blocks_equals_clustering_in_one_process(tmp_path):
    from memescope.index.sharded import ShardedIndex, cluster_sharded
    from memescope.pipeline.executors import make_executor
    from memescope.templates.clustering import cluster_codes

    codes, mirrors = _planted(2)
    ids = np.arange(len(codes)) + 500
    want = {frozenset(int(ids[i]) for i in g) for g in cluster_codes(codes, mirrors, eps=8, min_size=5)}
    assert len(want) == 6
    sh = ShardedIndex(tmp_path / "idx", shard_size=41)
    sh.add(ids, codes, mirrors)
    assert {frozenset(g) for g in cluster_sharded(sh, eps=8, min_size=5)} == want
    # the same on worker processes (each shard pair a task)
    with make_executor("local", workers=2) as ex:
        assert {frozenset(g) for g in cluster_sharded(sh, eps=8, min_size=5, executor=ex)} == want
        q = codes[0]
        assert sh.range(q, 8, executor=ex) == sh.range(q, 8)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 60), st.integers(2, 6))
def test_blocks_never_change_the_clusters(seed, shard_size, eps):
    import tempfile

    from memescope.index.sharded import ShardedIndex, cluster_sharded
    from memescope.templates.clustering import cluster_codes

    codes, mirrors = _planted(seed, n_clusters=3, per=6, noise=40)
    want = {frozenset(g) for g in cluster_codes(codes, mirrors, eps=eps, min_size=3)}
    with tempfile.TemporaryDirectory() as d:
        sh = ShardedIndex(d, shard_size=shard_size)
        sh.add(range(len(codes)), codes, mirrors)
        assert {frozenset(g) for g in cluster_sharded(sh, eps=eps, min_size=3, block=7)} == want
