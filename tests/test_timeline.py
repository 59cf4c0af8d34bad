"""Timelines: bins (properties) and change points on synthetic series with known truth."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from memescope.timeline import bin_range, bin_start, choose_unit, detect_count_changes, detect_share_changes

N_SERIES = 60


def test_planted_count_changes_are_found_within_one_bin():
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(N_SERIES):
        at = int(rng.integers(15, 45))
        lam0 = float(rng.uniform(5, 30))
        x = np.r_[rng.poisson(lam0, at), rng.poisson(lam0 * 2, 60 - at)]
        hits += any(abs(cp.index - at) <= 1 for cp in detect_count_changes(x))
    assert hits / N_SERIES >= 0.95


def test_planted_share_changes_are_found_within_one_bin():
    rng = np.random.default_rng(8)
    hits = 0
    for _ in range(N_SERIES):
        at = int(rng.integers(15, 45))
        n = rng.poisson(25, 60) + 1
        k = np.r_[rng.binomial(n[:at], 0.02), rng.binomial(n[at:], 0.25)]
        found = detect_share_changes(k, n)
        hits += any(abs(cp.index - at) <= 1 for cp in found)
    assert hits / N_SERIES >= 0.95


def test_null_series_rarely_raise_false_alarms():
    rng = np.random.default_rng(9)
    alarms = 0
    for _ in range(N_SERIES):
        alarms += bool(detect_count_changes(rng.poisson(rng.uniform(3, 40), 60)))
        n = rng.poisson(30, 60) + 1
        alarms += bool(detect_share_changes(rng.binomial(n, rng.uniform(0.01, 0.3)), n))
    assert alarms / (2 * N_SERIES) <= 0.05


def test_overdispersed_null_counts_are_not_a_change_storm():
    # negative-binomial counts (variance 4x the mean): a plain Poisson cost would cut them everywhere
    rng = np.random.default_rng(10)
    alarms = sum(bool(detect_count_changes(rng.negative_binomial(20 / 3, 1 / 4, 60))) for _ in range(30))
    assert alarms <= 3


def test_before_and_after_describe_the_segments():
    x = np.r_[np.full(20, 10), np.full(20, 40)]
    (cp,) = detect_count_changes(x)
    assert (cp.index, cp.before, cp.after) == (20, 10.0, 40.0)
    n = np.full(30, 100)
    k = np.r_[np.full(15, 1), np.full(15, 30)]
    (cp,) = detect_share_changes(k, n)
    assert (cp.index, cp.before, cp.after) == (15, 0.01, 0.3)


def test_short_series_give_no_change():
    assert detect_count_changes([3, 50, 4]) == []
    assert detect_share_changes([0], [3]) == []


@given(st.dates(date(1990, 1, 1), date(2090, 1, 1)), st.integers(0, 4000), st.sampled_from(["month", "quarter", "year"]))
def test_every_date_falls_in_exactly_one_bin(d0, span, unit):
    d1 = d0 + timedelta(days=span)
    bins = bin_range(d0.isoformat(), d1.isoformat(), unit)
    assert bins == sorted(set(bins))
    for d in (d0, d1, d0 + timedelta(days=span // 2)):
        assert bins.count(bin_start(d.isoformat(), unit)) == 1


def test_unit_follows_density():
    dense = [f"2020-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 11)]
    sparse = [f"{y}-06-01" for y in range(2000, 2020)]
    assert choose_unit(dense) == "month"
    assert choose_unit(sparse) == "year"
