"""Change points in counts (quasi-Poisson) and in shares (quasi-binomial), found with ruptures' PELT.

Real counts are overdispersed: a plain Poisson cost turns every busy week into a change. We estimate the
dispersion phi from successive differences (for a stationary Poisson series E[(x_t - x_t-1)^2] equals
E[x_t + x_t-1], so the ratio is 1; overdispersion inflates it, level shifts barely move a median of it)
and divide the deviance by phi. The penalty is BIC-like, PENALTY_FACTOR * log(n) per change, with the
factor set so that null series raise false alarms in well under 5% of cases (tests/test_timeline.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["ChangePoint", "detect_count_changes", "detect_share_changes", "PENALTY_FACTOR"]

PENALTY_FACTOR = 3.0


@dataclass(frozen=True)
class ChangePoint:
    index: int          # first bin of the new segment
    before: float       # rate or share in the segment before
    after: float        # rate or share in the segment after
    detail: dict = field(default_factory=dict)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(y > 0, y, 1)), 0.0)


def _make_costs():
    from ruptures.base import BaseCost

    class PoissonCost(BaseCost):
        model = "quasi-poisson"
        min_size = 2

        def __init__(self, phi: float = 1.0):
            self.phi = phi

        def fit(self, signal):
            self.signal = np.asarray(signal, dtype=float).reshape(len(signal), -1)
            x = self.signal[:, 0]
            self.cs = np.concatenate([[0.0], np.cumsum(x)])
            self.const = np.concatenate([[0.0], np.cumsum(_xlogy(x, x))])
            return self

        def error(self, start, end):
            s, n = self.cs[end] - self.cs[start], end - start
            lam = s / n
            # deviance of a constant rate against the saturated model
            ll_sat = self.const[end] - self.const[start]
            ll_fit = float(_xlogy(np.array(s), np.array(lam)))
            return 2 * (ll_sat - ll_fit) / self.phi

    class BinomialCost(BaseCost):
        model = "quasi-binomial"
        min_size = 2

        def __init__(self, phi: float = 1.0):
            self.phi = phi

        def fit(self, signal):
            sig = self.signal = np.asarray(signal, dtype=float)
            k, n = sig[:, 0], sig[:, 1]
            self.ck = np.concatenate([[0.0], np.cumsum(k)])
            self.cn = np.concatenate([[0.0], np.cumsum(n)])
            p = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
            sat = _xlogy(k, p) + _xlogy(n - k, 1 - p)
            self.csat = np.concatenate([[0.0], np.cumsum(sat)])
            return self

        def error(self, start, end):
            k, n = self.ck[end] - self.ck[start], self.cn[end] - self.cn[start]
            if n <= 0:
                return 0.0
            p = k / n
            ll_fit = float(_xlogy(np.array(k), np.array(p)) + _xlogy(np.array(n - k), np.array(1 - p)))
            return 2 * (self.csat[end] - self.csat[start] - ll_fit) / self.phi

    return PoissonCost, BinomialCost


def _phi_counts(x: np.ndarray) -> float:
    a, b = x[1:], x[:-1]
    ok = (a + b) > 0
    if ok.sum() < 3:
        return 1.0
    r = (a[ok] - b[ok]) ** 2 / (a[ok] + b[ok])
    # median of a chi2(1)-like ratio is 0.455 under Poisson: rescale so a Poisson series gives ~1
    return max(1.0, float(np.median(r)) / 0.455)


def _phi_shares(k: np.ndarray, n: np.ndarray) -> float:
    ok = n > 0
    k, n = k[ok], n[ok]
    if len(k) < 4:
        return 1.0
    p = k / n
    pbar = k.sum() / n.sum()
    if pbar <= 0 or pbar >= 1:
        return 1.0
    var = pbar * (1 - pbar) * (1 / n[1:] + 1 / n[:-1])
    r = (p[1:] - p[:-1]) ** 2 / var
    return max(1.0, float(np.median(r)) / 0.455)


def _pelt(cost, signal: np.ndarray, n: int, penalty_factor: float) -> list[int]:
    import ruptures as rpt

    if n < 2 * cost.min_size:
        return []
    algo = rpt.Pelt(custom_cost=cost, min_size=cost.min_size, jump=1).fit(signal)
    return [b for b in algo.predict(pen=penalty_factor * math.log(n)) if b < n]


def detect_count_changes(counts, penalty_factor: float = PENALTY_FACTOR) -> list[ChangePoint]:
    """Change points in a series of counts per bin; before/after are mean counts per bin."""
    x = np.asarray(counts, dtype=float)
    PoissonCost, _ = _make_costs()
    phi = _phi_counts(x)
    bks = _pelt(PoissonCost(phi), x.reshape(-1, 1), len(x), penalty_factor)
    edges = [0, *bks, len(x)]
    out = []
    for i, b in enumerate(bks):
        before, after = x[edges[i] : b].mean(), x[b : edges[i + 2]].mean()
        out.append(ChangePoint(b, round(float(before), 3), round(float(after), 3), {"phi": round(phi, 3)}))
    return out


def detect_share_changes(k, n, penalty_factor: float = PENALTY_FACTOR) -> list[ChangePoint]:
    """Change points in the share k/n per bin; before/after are pooled shares of the adjacent segments."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    _, BinomialCost = _make_costs()
    phi = _phi_shares(k, n)
    bks = _pelt(BinomialCost(phi), np.column_stack([k, n]), len(k), penalty_factor)
    edges = [0, *bks, len(k)]
    out = []
    for i, b in enumerate(bks):
        kb, nb = k[edges[i] : b].sum(), n[edges[i] : b].sum()
        ka, na = k[b : edges[i + 2]].sum(), n[b : edges[i + 2]].sum()
        out.append(
            ChangePoint(
                b, round(float(kb / nb), 4) if nb else 0.0, round(float(ka / na), 4) if na else 0.0,
                {"phi": round(phi, 3), "n_before": int(nb), "n_after": int(na)},
            )
        )
    return out
