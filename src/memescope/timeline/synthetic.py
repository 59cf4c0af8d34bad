"""Synthetic series with known truth, shared by the tests and the benchmark: piecewise-constant rates
(counts), shares and mean scores (sentiment) with planted changes, and null series with none."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Planted", "PlantedScores", "count_series", "share_series", "score_series", "hawkes_posts", "daily_posts"]


@dataclass(frozen=True)
class Planted:
    k: np.ndarray | None  # successes per bin (shares) or None (counts)
    n: np.ndarray  # counts per bin (counts) or trials per bin (shares)
    changes: tuple[int, ...]  # first bin of each new regime


def count_series(
    rng: np.random.Generator,
    length: int = 60,
    changes: int = 1,
    dispersion: float = 1.0,
    min_gap: int = 8,
    jump: tuple[float, float] = (1.8, 3.0),
) -> Planted:
    """Poisson (dispersion 1) or negative-binomial counts whose mean jumps by a factor in `jump` (up or
    down) at `changes` random places at least `min_gap` apart."""
    cps = _places(rng, length, changes, min_gap)
    mean = np.empty(length)
    level = rng.uniform(5, 30)
    edges = [0, *cps, length]
    for i in range(len(edges) - 1):
        mean[edges[i] : edges[i + 1]] = level
        f = rng.uniform(*jump)
        level = level * f if rng.random() < 0.5 or level < 8 else level / f
    if dispersion <= 1:
        x = rng.poisson(mean)
    else:
        r = mean / (dispersion - 1)  # NB with variance = dispersion * mean
        x = rng.negative_binomial(r, r / (r + mean))
    return Planted(None, x, tuple(cps))


def share_series(
    rng: np.random.Generator,
    length: int = 60,
    changes: int = 1,
    trials: float = 25,
    min_gap: int = 8,
    shares: tuple[float, ...] | None = None,
) -> Planted:
    """Binomial successes out of Poisson(trials)+1 per bin; the share moves between regimes (by default
    from about 2% to 15-40%, alternating)."""
    cps = _places(rng, length, changes, min_gap)
    n = rng.poisson(trials, length) + 1
    edges = [0, *cps, length]
    levels = shares or tuple(0.02 if i % 2 == 0 else rng.uniform(0.15, 0.4) for i in range(len(edges) - 1))
    p = np.empty(length)
    for i in range(len(edges) - 1):
        p[edges[i] : edges[i + 1]] = levels[i]
    return Planted(rng.binomial(n, p), n, tuple(cps))


@dataclass(frozen=True)
class PlantedScores:
    s: np.ndarray  # sum of the posts' scores per bin
    q: np.ndarray  # sum of their squares per bin
    n: np.ndarray  # posts per bin
    changes: tuple[int, ...]  # first bin of each new regime


def score_series(
    rng: np.random.Generator,
    length: int = 60,
    changes: int = 1,
    posts: float = 25,
    min_gap: int = 8,
    shift: tuple[float, float] = (0.3, 0.6),
    drift: float = 0.0,
) -> PlantedScores:
    """Sentiment-like scores (VADER compound): per post 0 with probability 0.35 (no sentiment word),
    else a normal draw of sd 0.5 about the regime's level, clipped to [-1, 1]; Poisson(posts)+1 posts a
    bin. The level moves by a value in `shift` (up or down, staying within +-0.6) at each change, and
    with `drift` > 0 every bin's level wanders by a normal draw of that sd (some weeks are gloomier
    than others: no change)."""
    cps = _places(rng, length, changes, min_gap)
    n = rng.poisson(posts, length) + 1
    level, edges = rng.uniform(-0.3, 0.3), [0, *cps, length]
    mu = np.empty(length)
    for i in range(len(edges) - 1):
        mu[edges[i] : edges[i + 1]] = level
        step = rng.uniform(*shift)
        level = level + step if level + step <= 0.6 and (rng.random() < 0.5 or level - step < -0.6) else level - step
    mu = mu + (rng.normal(0, drift, length) if drift > 0 else 0.0)
    s, q = np.zeros(length), np.zeros(length)
    for i in range(length):
        x = np.clip(rng.normal(mu[i], 0.5, n[i]), -1, 1) * (rng.random(n[i]) >= 0.35)
        s[i], q[i] = x.sum(), (x * x).sum()
    return PlantedScores(s, q, n.astype(float), tuple(cps))


def _places(rng, length: int, changes: int, min_gap: int) -> list[int]:
    for _ in range(1000):
        cps = (
            sorted(rng.choice(np.arange(min_gap, length - min_gap + 1), size=changes, replace=False).tolist())
            if changes
            else []
        )
        if all(b - a >= min_gap for a, b in zip(cps, cps[1:])):
            return cps
    raise ValueError("cannot place that many changes that far apart")


def hawkes_posts(
    mu: dict[str, float],
    alpha: dict[tuple[str, str], float],
    days: int,
    decay_days: float = 3.0,
    start: str = "2018-01-01",
    seed: int = 0,
) -> list[tuple[str, str]]:
    """(date, community) posts from a discrete multivariate Hawkes process with known truth: `mu` posts a
    day of background per community, alpha[(a, b)] posts in b set off by each post in a, exponential
    kernel with mean lag `decay_days` (the model hawkes.py fits)."""
    from datetime import date, timedelta

    rng = np.random.default_rng(seed)
    names = sorted(mu)
    k = len(names)
    A = np.array([[alpha.get((a, b), 0.0) for b in names] for a in names])
    m = np.array([mu[c] for c in names])
    r = np.exp(-1.0 / decay_days)
    d0 = date.fromisoformat(start)
    H, prev, out = np.zeros(k), np.zeros(k), []
    for t in range(days):
        H = r * H + (1 - r) * prev
        prev = rng.poisson(m + A.T @ H).astype(float)
        day = (d0 + timedelta(days=t)).isoformat()
        for i, c in enumerate(names):
            out += [(day, c)] * int(prev[i])
    return out


def daily_posts(
    days: int = 60,
    rate: float = 20.0,
    change: str | None = None,
    before: float = 0.01,
    after: float = 0.4,
    weekend: float = 0.6,
    start: str = "2021-02-01",
    seed: int = 0,
) -> list[tuple[str, bool]]:
    """(date, in context) posts over `days` days with exact dates: Poisson counts at `rate` a weekday and
    `weekend` times that on Saturdays and Sundays (real posting has a weekly rhythm that is no change),
    each post in the context with probability `before` until the date `change` and `after` from it (no
    change when `change` is None)."""
    from datetime import date, timedelta

    rng = np.random.default_rng(seed)
    d0 = date.fromisoformat(start)
    out = []
    for t in range(days):
        day = d0 + timedelta(days=t)
        share = after if change is not None and day.isoformat() >= change else before
        n = rng.poisson(rate * (weekend if day.weekday() >= 5 else 1.0))
        out += [(day.isoformat(), bool(x)) for x in rng.random(n) < share]
    return out
