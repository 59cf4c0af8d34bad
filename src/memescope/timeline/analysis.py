"""From dated, analyzed posts to series and annotated change points: a pure function the timeline stage
calls per template (and for the whole corpus)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from ..records import ChangeKind, ChangePoint
from .bins import UNITS, bin_days, bin_range, bin_start, choose_unit
from .changepoints import (
    BinomialCost,
    Break,
    NormalMeanCost,
    detect_count_changes,
    detect_mean_changes,
    detect_share_changes,
    refine_change,
)
from .terms import distinctive_terms

__all__ = ["PostPoint", "SeriesResult", "analyze_posts", "detection_unit"]


@dataclass(frozen=True)
class PostPoint:
    created_at: str
    contexts: tuple[str, ...]
    sentiment: float | None
    text: str = ""
    use: str | None = None  # sincere / humorous / sarcastic / other, when classified
    date_error: float = 0.0  # days the date may be off (estimated dates)


@dataclass
class SeriesResult:
    unit: str  # display unit
    bins: list[str]
    n: list[int]
    context_n: dict[str, list[int]]
    sentiment: list[float | None]
    change_points: list[ChangePoint] = field(default_factory=list)
    use_n: dict[str, list[int]] = field(default_factory=dict)


MERGE_DAYS = 62
APPROX_ERROR_DAYS = 30.0  # an estimated date that does not say how far off it may be is taken as a month


def _widen(errors: np.ndarray, idx: np.ndarray, lo: int, hi: int, n_bins: int, days: float) -> tuple[int, int, float]:
    """A change's bin interval [lo, hi] widened by how far the dates of the posts around it may be off
    (`errors[j]` days for the post in bin `idx[j]`; their median, in whole bins): with estimated dates
    the data cannot place a change closer."""
    near = (idx >= lo - 1) & (idx <= hi + 1)
    err = float(np.median(errors[near])) if near.any() else 0.0
    if err <= 0:
        return lo, hi, 0.0
    w = math.ceil(err / days)
    return max(0, lo - w), min(n_bins - 1, hi + w), err


def detection_unit(display: str) -> str:
    """Changes are searched at least monthly, finer when the display is finer: a date is worth its bin."""
    return display if UNITS.index(display) <= UNITS.index("month") else "month"


# counted for each post whose use was decided (not uncertain): a use's share is taken of these posts, so
# the posts the classifier could not place neither dilute a change of use nor make one
DECIDED = "use-decided"


def _tags(p: PostPoint) -> tuple[str, ...]:
    # a post's use is binned like a context tag ("use:sincere"), so its share gets the same change points
    if not p.use:
        return p.contexts
    return (*p.contexts, f"use:{p.use}", *((DECIDED,) if p.use != "uncertain" else ()))


def _of(tag: str) -> str | None:
    """The tag whose count is the denominator of `tag`'s share: None for all posts."""
    return DECIDED if tag.startswith("use:") else None


def _scored(p: PostPoint) -> bool:
    # a post without text has no sentiment (VADER gives a blank 0.0): it would pull the mean to neutral
    return p.sentiment is not None and bool(p.text.strip())


def _sentiment(posts: list[PostPoint], idx: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin of `idx`: the sum, the sum of squares and the number of the scored posts' sentiment."""
    ok = np.array([_scored(p) for p in posts], dtype=bool)
    x = np.array([p.sentiment if o else 0.0 for p, o in zip(posts, ok)], dtype=float)
    return (np.bincount(idx, x, size), np.bincount(idx, x * x, size), np.bincount(idx, ok.astype(float), size))


def _bin(posts: list[PostPoint], unit: str, contexts: list[str]):
    dates = [p.created_at for p in posts]
    bins = bin_range(min(dates), max(dates), unit)
    pos = {b: i for i, b in enumerate(bins)}
    n = np.zeros(len(bins))
    k = {c: np.zeros(len(bins)) for c in contexts}
    idx = np.empty(len(posts), dtype=np.int64)
    for j, p in enumerate(posts):
        i = pos[bin_start(p.created_at, unit)]
        idx[j] = i
        n[i] += 1
        for c in _tags(p):
            if c in k:
                k[c][i] += 1
    return bins, n, k, _sentiment(posts, idx, len(bins)), idx


def _end(bins: list[str], unit: str) -> str:
    """The last day covered by a bin series."""
    last = date.fromisoformat(bins[-1])
    days = {"day": 1, "week": 7}.get(unit)
    if days:
        return (last + timedelta(days=days - 1)).isoformat()
    m = {"month": 1, "quarter": 3, "year": 12}[unit]
    y, mo = last.year + (last.month - 1 + m) // 12, (last.month - 1 + m) % 12 + 1
    return (date(y, mo, 1) - timedelta(days=1)).isoformat()


def _exposure(bins: list[str], unit: str, first: str, last: str) -> np.ndarray:
    """The part of each bin between the first and the last post (1 inside; less in the edge bins)."""
    e = np.ones(len(bins))
    start, end = date.fromisoformat(bins[0]), date.fromisoformat(_end(bins[:1], unit))
    e[0] = ((end - date.fromisoformat(first[:10])).days + 1) / ((end - start).days + 1)
    start, end = date.fromisoformat(bins[-1]), date.fromisoformat(_end(bins[-1:], unit))
    e[-1] -= ((end - date.fromisoformat(last[:10])).days) / ((end - start).days + 1)
    return e


class _Days:
    """The posts counted per calendar day, from the first post's day to the last's: the fine scale a
    change of share or of mean sentiment found on weeks or months is placed on (refine_change)."""

    def __init__(self, posts: list[PostPoint], contexts: list[str], bins: list[str], unit: str):
        first = date.fromisoformat(posts[0].created_at[:10])
        self.idx = np.array([(date.fromisoformat(p.created_at[:10]) - first).days for p in posts], dtype=np.int64)
        size = int(self.idx[-1]) + 1
        self.labels = [(first + timedelta(days=i)).isoformat() for i in range(size)]
        self.n = np.bincount(self.idx, minlength=size).astype(float)
        tags = [_tags(p) for p in posts]
        self.k = {c: np.bincount(self.idx[[c in t for t in tags]], minlength=size).astype(float) for c in contexts}
        self.sentiment = _sentiment(posts, self.idx, size)
        pos = {b: i for i, b in enumerate(bins)}
        self.bin = np.array([pos[bin_start(d, unit)] for d in self.labels])

    def cost(self, tag: str | None, cp):
        """The level cost on days of the share of `tag` (a context or "use:NAME"), or of mean sentiment
        when `tag` is None, with the dispersion the change was found with on bins."""
        d = cp.detail
        if tag is None:
            return NormalMeanCost(*self.sentiment, var=d["var"], phi=d["phi"], min_size=1)
        of = _of(tag)
        return BinomialCost(self.k[tag], self.k[of] if of else self.n, phi=d["phi"], min_size=1)


def analyze_posts(
    posts: list[PostPoint],
    contexts: list[str],
    background: Counter | None = None,
    embed=None,
    unit: str | None = None,
    refine: bool = True,
) -> SeriesResult:
    """Series in a unit chosen from density (or `unit`: a community's series in its template's unit, so
    the two line up), and change points (volume, each context's share) found on the detection unit,
    each with a date interval, an effect size, and distinctive terms on each side.

    Change points are sought in volume, in each context's and each use's share, and in mean sentiment
    (over posts with text). With `refine`, a change of share or of sentiment found on bins coarser than a
    day is then placed to the day (refine_change): its date, interval, levels and the texts of its two
    sides come from the days. Volume changes stay on bins: daily counts carry weekday cycles the count
    model does not have."""
    posts = sorted(posts, key=lambda p: p.created_at)
    errors = np.array([p.date_error for p in posts])
    # day bins only for exact dates: a date that may be off by days or weeks is not worth a day
    unit = unit or choose_unit([p.created_at for p in posts], finest="day" if (errors < 1).all() else "week")
    uses = sorted({f"use:{p.use}" for p in posts if p.use})
    contexts = [*contexts, *uses, *((DECIDED,) if uses else ())]
    bins, n, k, sent, idx = _bin(posts, unit, contexts)
    ssum, _, scored = sent
    res = SeriesResult(
        unit,
        bins,
        n.astype(int).tolist(),
        {c: v.astype(int).tolist() for c, v in k.items() if not c.startswith("use:") and c != DECIDED},
        [round(ssum[i] / scored[i], 4) if scored[i] else None for i in range(len(bins))],
        use_n={c[4:]: v.astype(int).tolist() for c, v in k.items() if c.startswith("use:")},
    )
    du = detection_unit(unit)
    if du == unit:  # the usual case: detect on the display bins
        dbins, dn, dk, dsent = bins, n, k, sent
    else:
        dbins, dn, dk, dsent, idx = _bin(posts, du, contexts)
    on_bins = (dbins, idx, du)
    found = [
        ("volume", cp, on_bins)
        for cp in detect_count_changes(dn, exposure=_exposure(dbins, du, posts[0].created_at, posts[-1].created_at))
    ]
    # steps of one shift less than ~2 months apart are one change of meaning (see detect_share_changes)
    merge_gap = max(1, round(MERGE_DAYS / bin_days(du)))
    # (kind, the tag whose share it is or None for sentiment, changes found on bins)
    levels: list[tuple[str, str | None, list[Break]]] = [
        (
            c if c.startswith("use:") else f"context:{c}",
            c,
            detect_share_changes(dk[c], dk[_of(c)] if _of(c) else dn, merge_gap=merge_gap),
        )
        for c in contexts
        # an uncertain use is counted in the series but is no meaning whose share could move
        if dk[c].sum() and c not in ("use:uncertain", DECIDED)
    ]
    s_sum, s_squares, s_n = dsent
    levels.append(("sentiment", None, detect_mean_changes(s_sum, s_squares, s_n, merge_gap=merge_gap)))
    days = None
    for kind, tag, cps in levels:
        for cp in cps:
            if not refine or du == "day":
                found.append((kind, cp, on_bins))
                continue
            days = days or _Days(posts, contexts, dbins, du)
            found.append((kind, refine_change(cp, days.cost(tag, cp), days.bin), (days.labels, days.idx, "day")))
    # segment edges per kind, to take "before" and "after" texts from the adjacent segments only
    by_kind: dict[str, list[int]] = {}
    for kind, cp, _ in found:
        by_kind.setdefault(kind, []).append(cp.index)
    for kind, cp, (labels, pidx, res_unit) in found:
        d = cp.detail
        if "segment_lo" in d:  # share changes name the bins they compare (a shift in steps spans several)
            lo, first, last, hi = d["segment_lo"], d["first"], d["last"], d["segment_hi"]
        else:
            edges = [0, *sorted(by_kind[kind]), len(labels)]
            j = edges.index(cp.index)
            lo, first, last, hi = edges[j - 1], cp.index, cp.index, edges[j + 1]
        before = [p.text for p, i in zip(posts, pidx) if lo <= i < first and p.text]
        after = [p.text for p, i in zip(posts, pidx) if last <= i < hi and p.text]
        tb, ta = distinctive_terms(before, after, background)
        drift = None
        if embed is not None and kind != "volume":  # meaning changes only: volume says nothing of words
            from .drift import embedding_drift

            drift = embedding_drift(before, after, embed)
        il, ih, err = _widen(errors, pidx, d["index_low"], d["index_high"], len(labels), bin_days(res_unit))
        if err:
            d = d | {"date_error_days": err}
        res.change_points.append(
            ChangePoint(
                kind=ChangeKind.parse(kind),
                date=labels[cp.index],
                date_low=labels[il],
                date_high=labels[ih],
                segment_start=labels[lo],
                segment_end=_end(labels[:hi], res_unit),
                unit=du,
                date_unit=res_unit,
                before=cp.before,
                after=cp.after,
                effect={k2: v for k2, v in d.items() if k2.startswith(("diff", "rate_ratio"))},
                terms_before=tb,
                terms_after=ta,
                stats={k2: v for k2, v in d.items() if k2 in ("phi", "var", "n_before", "n_after")},
                embedding=drift or None,
                date_error_days=d.get("date_error_days"),
                steps=[
                    {"date": labels[st["index"]], "before": st["before"], "after": st["after"]}
                    for st in d.get("steps", [])
                ],
            )
        )
    res.change_points.sort(key=lambda c: (c.date, str(c.kind)))
    return res
