"""Origin and spread across communities: first sighting per community, its lag behind the origin, which
community's activity leads another's (a Granger-style test on monthly counts), and how many posts in one
community a post in another sets off (a multivariate Hawkes process on daily counts, `hawkes.py`).

The lead-lag test regresses B's activity this month on B's and A's last month (log1p counts, OLS):
a positive coefficient on A's last month with p < 0.05 says A's activity helps predict B's beyond B's own
past. It is evidence of lead, not proof of influence: a common cause that reaches A first gives the same.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from .bins import bin_range, bin_start
from .hawkes import hawkes_influence

__all__ = ["spread"]


def _lead_lag(a: np.ndarray, b: np.ndarray) -> tuple[float, float] | None:
    """(coefficient of a[t-1], two-sided p) in b[t] ~ 1 + b[t-1] + a[t-1]; None if too little data."""
    from scipy import stats

    y = np.log1p(b[1:])
    X = np.column_stack([np.ones(len(y)), np.log1p(b[:-1]), np.log1p(a[:-1])])
    n, k = X.shape
    if n < 12 or np.linalg.matrix_rank(X) < k:
        return None
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = resid @ resid / (n - k)
    cov = s2 * np.linalg.inv(X.T @ X)
    se = float(np.sqrt(cov[2, 2]))
    if se == 0:
        return None
    t = float(beta[2] / se)
    return float(beta[2]), float(2 * stats.t.sf(abs(t), n - k))


def spread(posts: list[tuple[str, str | None]], min_posts: int = 20) -> dict:
    """posts: [(created_at ISO, community)]. Returns {origin, first_by_community: [{community, first_seen,
    lag_days, posts}], leads: [{leader, follower, coef, p}] (p < 0.05, positive coefficient), influence
    (hawkes_influence over the communities with at least `min_posts` posts, or None)}."""
    dated: list[tuple[str, str]] = sorted((d, c or "(none)") for d, c in posts if d)
    if not dated:
        return {"origin": None, "first_by_community": [], "leads": [], "influence": None}
    origin_date, origin_comm = dated[0]
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for d, c in dated:
        first.setdefault(c, d)
        counts[c] = counts.get(c, 0) + 1
    d0 = date.fromisoformat(origin_date[:10])
    rows = [
        {"community": c, "first_seen": f, "lag_days": (date.fromisoformat(f[:10]) - d0).days, "posts": counts[c]}
        for c, f in sorted(first.items(), key=lambda kv: kv[1])
    ]
    leads: list[dict[str, Any]] = []
    influence = None
    active = sorted(c for c, n in counts.items() if n >= min_posts)
    if len(active) >= 2:
        bins = bin_range(dated[0][0], dated[-1][0], "month")
        pos = {b: i for i, b in enumerate(bins)}
        series = {c: np.zeros(len(bins)) for c in active}
        for d, c in dated:
            if c in series:
                series[c][pos[bin_start(d, "month")]] += 1
        for a in active:
            for b in active:
                if a == b:
                    continue
                r = _lead_lag(series[a], series[b])
                if r and r[0] > 0 and r[1] < 0.05:
                    leads.append({"leader": a, "follower": b, "coef": round(r[0], 3), "p": round(r[1], 4)})
        days = bin_range(dated[0][0], dated[-1][0], "day")
        dpos = {b: i for i, b in enumerate(days)}
        daily = {c: np.zeros(len(days)) for c in active}
        for d, c in dated:
            if c in daily:
                daily[c][dpos[d[:10]]] += 1
        influence = hawkes_influence(daily)
    leads.sort(key=lambda e: e["p"])
    return {
        "origin": {"date": origin_date, "community": origin_comm},
        "first_by_community": rows,
        "leads": leads,
        "influence": influence,
    }
