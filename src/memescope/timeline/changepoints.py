"""Change points in counts (quasi-Poisson), in shares (quasi-binomial) and in mean scores such as
sentiment (quasi-Gaussian): exact penalized segmentation (PELT), vectorized for our costs (tests check
it against ruptures' PELT with the same costs).

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

__all__ = [
    "Break",
    "PoissonCost",
    "BinomialCost",
    "NormalMeanCost",
    "segment",
    "detect_count_changes",
    "detect_share_changes",
    "detect_mean_changes",
    "refine_change",
    "PENALTY_FACTOR",
]

PENALTY_FACTOR = 3.0


@dataclass(frozen=True)
class Break:
    """Where a series breaks, as a detector finds it on bins: the annotated change point the timeline
    keeps is memescope.records.ChangePoint."""

    index: int  # first bin of the new segment
    before: float  # rate or share in the segment before
    after: float  # rate or share in the segment after
    detail: dict = field(default_factory=dict)


def _xlogy(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(y > 0, y, 1.0)), 0.0)


class PoissonCost:
    """Quasi-Poisson deviance of a constant rate on bins [s, t); s and t may be arrays (vectorized).

    `exposure` is the part of each bin that was observed (1 for a whole bin): a corpus that ends on a
    Thursday has 4/7 of its last week, and without it that week's few posts read as a fall in volume."""

    min_size = 2

    def __init__(self, x: np.ndarray, phi: float = 1.0, exposure: np.ndarray | None = None):
        x = np.asarray(x, dtype=float)
        e = np.ones_like(x) if exposure is None else np.asarray(exposure, dtype=float)
        self.n, self.phi = len(x), phi
        self.cs = np.concatenate([[0.0], np.cumsum(x)])
        self.ce = np.concatenate([[0.0], np.cumsum(e)])
        self.sat = np.concatenate([[0.0], np.cumsum(_xlogy(x, x / e))])

    def __call__(self, s, t):
        total = self.cs[t] - self.cs[s]
        fit = _xlogy(total, total / np.maximum(self.ce[t] - self.ce[s], 1e-9))
        return 2 * (self.sat[t] - self.sat[s] - fit) / self.phi


class _LevelCost:
    """What a level cost (a share, a mean) says besides its cost: how many posts a segment holds and its
    level, from cumulative sums of the value (`cv`: successes, scores) and of posts (`cn`)."""

    cv: np.ndarray
    cn: np.ndarray

    def posts(self, s, t):
        return self.cn[t] - self.cn[s]

    def stat(self, s: int, t: int) -> float:
        nn = self.cn[t] - self.cn[s]
        return float((self.cv[t] - self.cv[s]) / nn) if nn else 0.0


class BinomialCost(_LevelCost):
    """Quasi-binomial deviance of a constant share on bins [s, t) (k successes of n per bin); its level
    is the share, its `effect` the difference of shares between two segments with its interval."""

    def __init__(self, k: np.ndarray, n: np.ndarray, phi: float = 1.0, min_size: int = 2):
        k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
        self.n, self.phi, self.min_size = len(k), phi, min_size
        p = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
        self.cv = np.concatenate([[0.0], np.cumsum(k)])
        self.cn = np.concatenate([[0.0], np.cumsum(n)])
        self.sat = np.concatenate([[0.0], np.cumsum(_xlogy(k, p) + _xlogy(n - k, 1 - p))])

    def __call__(self, s, t):
        kk, nn = self.cv[t] - self.cv[s], self.cn[t] - self.cn[s]
        p = np.divide(kk, nn, out=np.zeros_like(np.asarray(kk, dtype=float)), where=np.asarray(nn) > 0)
        fit = _xlogy(kk, p) + _xlogy(nn - kk, 1 - p)
        return 2 * (self.sat[t] - self.sat[s] - fit) / self.phi

    def effect(self, lo: int, first: int, last: int, hi: int) -> dict:
        """after - before with its 95% interval (Agresti-Caffo: one success and one failure added to each
        side, so a tiny or all-or-nothing segment still gets an honest width; inflated by phi)."""
        kb, nb = self.cv[first] - self.cv[lo], self.cn[first] - self.cn[lo]
        ka, na = self.cv[hi] - self.cv[last], self.cn[hi] - self.cn[last]
        q1, q2 = (kb + 1) / (nb + 2), (ka + 1) / (na + 2)
        se = math.sqrt(self.phi * (q1 * (1 - q1) / (nb + 2) + q2 * (1 - q2) / (na + 2)))
        d = q2 - q1
        return {
            "diff": round(float(ka / na - kb / nb), 4) if na and nb else 0.0,
            "diff_low": round(max(-1.0, d - 1.96 * se), 4),
            "diff_high": round(min(1.0, d + 1.96 * se), 4),
        }


class NormalMeanCost(_LevelCost):
    """Quasi-Gaussian cost of a constant mean on bins [s, t) of a score per post (sentiment): `s`, `q`
    and `n` are each bin's sum, sum of squares and number of scored posts, `var` the variance of one
    post around its bin's mean, `phi` how much more bin means vary than var / n says (topics come and
    go from week to week). The cost is the segment's sum of squares about its mean over var * phi: the
    part within bins is the same for any segmentation, so only the spread of bin means counts."""

    def __init__(self, s, q, n, var: float, phi: float = 1.0, min_size: int = 2):
        s, q, n = (np.asarray(a, dtype=float) for a in (s, q, n))
        self.n, self.var, self.phi, self.min_size = len(s), var, phi, min_size
        self.cv, self.cq, self.cn = (np.concatenate([[0.0], np.cumsum(a)]) for a in (s, q, n))

    def __call__(self, s, t):
        ss, qq, nn = self.cv[t] - self.cv[s], self.cq[t] - self.cq[s], self.cn[t] - self.cn[s]
        fit = np.divide(ss * ss, nn, out=np.zeros_like(np.asarray(ss, dtype=float)), where=np.asarray(nn) > 0)
        return np.maximum(qq - fit, 0.0) / (self.var * self.phi)

    def effect(self, lo: int, first: int, last: int, hi: int) -> dict:
        """after - before (difference of means) with its 95% interval, inflated by phi."""
        nb, na = self.cn[first] - self.cn[lo], self.cn[hi] - self.cn[last]
        d = self.stat(last, hi) - self.stat(lo, first)
        se = math.sqrt(self.var * self.phi * (1 / max(nb, 1) + 1 / max(na, 1)))
        return {"diff": round(d, 4), "diff_low": round(d - 1.96 * se, 4), "diff_high": round(d + 1.96 * se, 4)}


def segment(cost, penalty: float) -> list[int]:
    """Exact penalized segmentation (optimal partitioning with PELT pruning, Killick et al. 2012): the
    change positions minimizing sum of segment costs + penalty per change, segments >= cost.min_size.
    Vectorized over candidate starts, so a 1000-bin series takes milliseconds."""
    n, m = cost.n, cost.min_size
    if n < 2 * m:
        return []
    f = np.full(n + 1, np.inf)
    f[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    cands = np.array([0], dtype=np.int64)
    for t in range(m, n + 1):
        ok = cands[t - cands >= m]
        if len(ok):
            c = cost(ok, t)
            vals = f[ok] + c + penalty
            j = int(np.argmin(vals))
            f[t], last[t] = vals[j], ok[j]
            # prune starts that can never be optimal again (valid because adding a change never raises cost)
            ok = ok[f[ok] + c <= f[t]]
        cands = (
            np.concatenate([cands[t - cands < m], ok, [t]])
            if np.isfinite(f[t])
            else np.concatenate([cands[t - cands < m], ok])
        )
    out, t = [], n
    while t > 0:
        t = int(last[t])
        if t > 0:
            out.append(t)
    return sorted(out)


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


def _var_phi_means(s: np.ndarray, q: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """The variance of one post about its bin's mean (pooled within bins: a change of level between bins
    does not inflate it) and the overdispersion of bin means (successive differences, as _phi_shares)."""
    ok = n > 0
    s, q, n = s[ok], q[ok], n[ok]
    if not len(n):
        return 0.0, 1.0
    dof = (n - 1).sum()
    var = float((q - s * s / n).sum() / dof) if dof > 0 else float(q.sum() / n.sum() - (s.sum() / n.sum()) ** 2)
    if var <= 1e-12 or len(n) < 4:
        return max(var, 0.0), 1.0
    m = s / n
    r = (m[1:] - m[:-1]) ** 2 / (var * (1 / n[1:] + 1 / n[:-1]))
    return var, max(1.0, float(np.median(r)) / 0.455)


def _location_interval(cost, lo: int, b: int, hi: int, level: float = 0.95) -> tuple[int, int]:
    """Credible interval for a change between segments [lo, b) and [b, hi): with one change in (lo, hi)
    and a flat prior on where, the posterior of position t is proportional to exp(-cost(t) / 2), the cost
    being a (quasi) deviance. Returns the first and last candidate of the highest-posterior set."""
    m = cost.min_size
    cands = np.arange(lo + m, hi - m + 1)
    if len(cands) <= 1:
        return b, b
    c = cost(np.full_like(cands, lo), cands) + cost(cands, np.full_like(cands, hi))
    w = np.exp(-(c - c.min()) / 2)
    w /= w.sum()
    order = np.argsort(-w)
    keep = order[: int(np.searchsorted(np.cumsum(w[order]), level) + 1)]
    return int(cands[keep].min()), int(cands[keep].max())


def detect_count_changes(counts, penalty_factor: float = PENALTY_FACTOR, exposure=None) -> list[Break]:
    """Change points in a series of counts per bin; before/after are mean counts per whole bin.

    exposure: the observed part of each bin (default 1 each; the first and last bins of a corpus are
    often partial). detail: phi, index_low/index_high (95% credible interval of the change's first bin),
    and rate_ratio with its 95% interval (quasi-Poisson, on the log scale)."""
    x = np.asarray(counts, dtype=float)
    e = np.ones_like(x) if exposure is None else np.asarray(exposure, dtype=float)
    phi = _phi_counts(x[e >= 1])  # whole bins only: a partial bin's shortfall is not overdispersion
    cost = PoissonCost(x, phi, e)
    bks = segment(cost, penalty_factor * math.log(max(len(x), 2)))
    edges = [0, *bks, len(x)]
    out = []
    for i, b in enumerate(bks):
        lo, hi = edges[i], edges[i + 2]
        s1, s2 = x[lo:b].sum(), x[b:hi].sum()
        e1, e2 = e[lo:b].sum(), e[b:hi].sum()
        r1, r2 = s1 / e1, s2 / e2
        # +0.5 keeps an empty segment finite
        lr = math.log((s2 + 0.5) / e2) - math.log((s1 + 0.5) / e1)
        se = math.sqrt(phi * (1 / (s1 + 0.5) + 1 / (s2 + 0.5)))
        il, ih = _location_interval(cost, lo, b, hi)
        detail = {
            "phi": round(phi, 3),
            "index_low": il,
            "index_high": ih,
            "rate_ratio": round(math.exp(lr), 3),
            "rate_ratio_low": round(math.exp(lr - 1.96 * se), 3),
            "rate_ratio_high": round(math.exp(lr + 1.96 * se), 3),
        }
        out.append(Break(b, round(float(r1), 3), round(float(r2), 3), detail))
    return out


MIN_SEGMENT_POSTS = 10  # a share measured on fewer posts is not a finding (1 post in a bin is 0% or 100%)


def _detect_levels(cost, penalty_factor: float, min_posts: int, merge_gap: int) -> list[Break]:
    """Change points in the level of a series (a share or a mean) under a level cost; see
    detect_share_changes for the rules they follow."""
    bks = segment(cost, penalty_factor * math.log(max(cost.n, 2)))
    while True:
        edges = [0, *bks, cost.n]
        thin = [i for i in range(len(edges) - 1) if cost.posts(edges[i], edges[i + 1]) < min_posts]
        if not thin or not bks:
            break
        i = thin[0]  # merge the thinnest-first segment into a neighbour by dropping one of its edges
        bks = [b for j, b in enumerate(bks) if j != (i - 1 if i == len(edges) - 2 else i)]
    edges = [0, *bks, cost.n]
    level = [cost.stat(a, b) for a, b in zip(edges, edges[1:])]
    # group steps: i and i+1 join when the segment between them is short and both move the same way
    groups: list[list[int]] = []
    for i in range(len(bks)):
        if (
            groups
            and merge_gap
            and bks[i] - bks[i - 1] <= merge_gap
            and np.sign(level[i] - level[i - 1]) == np.sign(level[i + 1] - level[i])
        ):
            groups[-1].append(i)
        else:
            groups.append([i])
    out = []
    for g in groups:
        lo, first, last, hi = edges[g[0]], bks[g[0]], bks[g[-1]], edges[g[-1] + 2]
        il, _ = _location_interval(cost, lo, first, edges[g[0] + 2])
        _, ih = _location_interval(cost, edges[g[-1]], last, hi)
        main = max(g, key=lambda i: abs(level[i + 1] - level[i]))
        detail = {
            "phi": round(cost.phi, 3),
            "n_before": int(cost.posts(lo, first)),
            "n_after": int(cost.posts(last, hi)),
            "index_low": il,
            "index_high": ih,
            "segment_lo": lo,
            "segment_hi": hi,
            "first": first,
            "last": last,
        }
        detail |= cost.effect(lo, first, last, hi)
        if len(g) > 1:
            detail["steps"] = [
                {"index": bks[i], "before": round(level[i], 4), "after": round(level[i + 1], 4)} for i in g
            ]
        out.append(Break(bks[main], round(level[g[0]], 4), round(level[g[-1] + 1], 4), detail))
    return out


def detect_share_changes(
    k, n, penalty_factor: float = PENALTY_FACTOR, min_posts: int = MIN_SEGMENT_POSTS, merge_gap: int = 0
) -> list[Break]:
    """Change points in the share k/n per bin; before/after are pooled shares of the adjacent segments.

    Changes whose segment on either side holds fewer than `min_posts` posts are dropped (and their
    neighbours merged). A shift that happens in steps (pandemic words: 0.2% of captions, 5% from late
    January, 36% from March) is one change of meaning: consecutive changes in the same direction whose
    middle segment lasts at most `merge_gap` bins are reported as one, from the share before the first
    step to the share after the last, dated by its largest step, with an interval from the first step's
    earliest to the last step's latest bin and the steps in detail["steps"].

    detail: phi, n_before/n_after, index_low/index_high (95% credible interval of the change's first
    bin), segment_lo/segment_hi (the bins compared: [segment_lo, first) against [last, segment_hi)),
    first/last (the first and last step), and diff (after - before) with its 95% interval
    (BinomialCost.effect)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    return _detect_levels(BinomialCost(k, n, _phi_shares(k, n)), penalty_factor, min_posts, merge_gap)


def detect_mean_changes(
    s, q, n, penalty_factor: float = PENALTY_FACTOR, min_posts: int = MIN_SEGMENT_POSTS, merge_gap: int = 0
) -> list[Break]:
    """Change points in the mean of a score per post (sentiment), from each bin's sum `s`, sum of squares
    `q` and number of scored posts `n`; before/after are the means of the adjacent segments. The same
    rules as detect_share_changes, with NormalMeanCost: the variance of a post and the overdispersion of
    bin means are estimated from the data (detail: var, phi), so the penalty holds false alarms down on
    noisy scores too. diff is the difference of means with its 95% interval."""
    s, q, n = (np.asarray(a, dtype=float) for a in (s, q, n))
    var, phi = _var_phi_means(s, q, n)
    if var <= 1e-12:  # every post scored alike: no level to move
        return []
    out = _detect_levels(NormalMeanCost(s, q, n, var, phi), penalty_factor, min_posts, merge_gap)
    return [Break(c.index, c.before, c.after, c.detail | {"var": round(var, 6)}) for c in out]


def refine_change(cp: Break, cost, fine_bin, penalty_factor: float = PENALTY_FACTOR, level: float = 0.95) -> Break:
    """The level change `cp` (found on bins by detect_share_changes or detect_mean_changes) placed on a
    finer scale, e.g. days inside weeks or months. `cost` is the same level cost on the fine units, with
    the dispersion found on bins and min_size 1 (one day may hold a step); `fine_bin` is the bin each
    fine unit lies in (non-decreasing). A change found on bins is only known to its bin, but the posts
    inside it are ordered: each step moves to the fine position, within its bin or the one before, that
    best splits its two neighbouring segments. Among equally good positions (empty days between two
    posts) the latest is taken: the first day the new level is seen. A step of a shift in several steps
    that, so placed, no longer gains the penalty it was found with (its neighbour took the posts that
    made it) is dropped and the others placed again.

    Returns the same change with every index (index, index_low/high, segment_lo/hi, first, last, steps)
    in fine units, its levels and effect measured on the refined segments, and the date interval the
    fine-scale posterior of the first and last steps gives (_location_interval, on fine units)."""
    fb = np.asarray(fine_bin)
    d = cp.detail
    penalty = penalty_factor * math.log(max(int(fb[-1]) + 1, 2))

    def start(b: int) -> int:  # first fine unit of bin b
        return int(np.searchsorted(fb, b, side="left"))

    lo, hi = start(d["segment_lo"]), start(d["segment_hi"])

    def place(bins: list[int]) -> list[int]:
        cuts: list[int] = []
        prev = lo
        for b, nxt in zip(bins, [start(b) for b in bins[1:]] + [hi]):
            cands = np.arange(max(start(b - 1), prev + 1), min(start(b + 1), nxt - 1) + 1)
            # both sides keep posts: a cut between two empty stretches is no split
            cands = cands[(cost.posts(prev, cands) > 0) & (cost.posts(cands, nxt) > 0)]
            if not len(cands):
                cuts.append(start(b))
            else:
                c = cost(np.full_like(cands, prev), cands) + cost(cands, np.full_like(cands, nxt))
                cuts.append(int(cands[len(c) - 1 - int(np.argmin(c[::-1]))]))
            prev = cuts[-1]
        return cuts

    bins = [st["index"] for st in d["steps"]] if "steps" in d else [cp.index]
    while True:
        cuts = place(bins)
        edges = [lo, *cuts, hi]
        gains = [float(cost(a, c) - cost(a, b) - cost(b, c)) for a, b, c in zip(edges, edges[1:], edges[2:])]
        if len(bins) == 1 or min(gains) >= penalty:
            break
        bins = [b for i, b in enumerate(bins) if i != int(np.argmin(gains))]
    levels = [cost.stat(a, b) for a, b in zip(edges, edges[1:])]
    first, last = cuts[0], cuts[-1]
    il, _ = _location_interval(cost, lo, first, edges[2], level)
    _, ih = _location_interval(cost, edges[-3], last, hi, level)
    main = max(range(len(cuts)), key=lambda i: abs(levels[i + 1] - levels[i]))
    detail = {k: v for k, v in d.items() if k != "steps"}
    detail |= {
        "n_before": int(cost.posts(lo, first)),
        "n_after": int(cost.posts(last, hi)),
        "index_low": min(il, first),
        "index_high": max(ih, last),
        "segment_lo": lo,
        "segment_hi": hi,
        "first": first,
        "last": last,
    } | cost.effect(lo, first, last, hi)
    if len(cuts) > 1:
        detail["steps"] = [
            {"index": c, "before": round(levels[i], 4), "after": round(levels[i + 1], 4)} for i, c in enumerate(cuts)
        ]
    return Break(cuts[main], round(levels[0], 4), round(levels[-1], 4), detail)
