"""Figures for the report and for papers. Each function returns a matplotlib Figure; the report composes
them. Colour is never the only carrier: series differ by mark and line style too, and change points
are labelled."""

from __future__ import annotations

from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: figures are written to files or strings
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..records import ChangeKind

__all__ = [
    "timeline_figure",
    "use_figure",
    "mood_figure",
    "use_or_mood_figure",
    "scopes_figure",
    "templates_figure",
    "entry_figures",
    "context_names",
    "inline_svg",
    "USE_STYLE",
]

_INK = "#1f2937"
_BAR = "#93c5fd"
_LINE = "#b91c1c"
_BAR_DAYS = {"day": 0.8, "week": 5.5, "month": 25, "quarter": 80, "year": 330}  # bar width per bin unit, in days
_MIN_POSTS = 3  # a share drawn from 1 or 2 posts (0%, 50%, 100%) is noise, so such bins are left blank


def _shares(counts, totals) -> list[float]:
    """Percent per bin; NaN (drawn as a gap) where the bin has fewer than _MIN_POSTS posts."""
    return [100 * c / t if t >= _MIN_POSTS else float("nan") for c, t in zip(counts, totals)]


def context_names(timeline: list[dict]) -> list[str]:
    names: set[str] = set()
    for b in timeline:
        names.update(k for k, v in b["contexts"].items() if v)
    return sorted(names)


def _mark_changes(ax, change_points: list[dict], family: str, placed: list[date] | None = None) -> list[date]:
    """Change points of one kind `family` (context, use, sentiment) as labelled dashed lines, 95% intervals shaded.
    Labels of changes on (nearly) the same date stand side by side, not on top of each other: `placed`
    holds the dates already labelled (also by another call on a twin axis), and is returned."""
    placed = [] if placed is None else placed
    dates = [date.fromisoformat(b) for cp in change_points for b in (cp["date"], cp.get("date_low") or cp["date"])]
    near = max(1, (max(dates) - min(dates)).days // 60) if dates else 1  # within 1/60 of the span
    for cp in change_points:
        kind = ChangeKind.parse(cp["kind"])
        if kind.family != family:
            continue
        x = date.fromisoformat(cp["date"])
        if cp.get("date_low") and cp.get("date_high") and cp["date_low"] != cp["date_high"]:
            ax.axvspan(
                date.fromisoformat(cp["date_low"]), date.fromisoformat(cp["date_high"]), color=_INK, alpha=0.08, lw=0
            )
        ax.axvline(x, color=_INK, ls=(0, (4, 3)), lw=1.1)
        arrow = "↑" if cp["after"] > cp["before"] else "↓"
        beside = sum(abs((x - p).days) <= near for p in placed)
        ax.annotate(
            f"{kind.name or kind.family} {arrow}",
            (x, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3 + 9 * beside, -4),
            textcoords="offset points",
            fontsize=7,
            color=_INK,
            rotation=90,
            va="top",
        )
        placed.append(x)
    return placed


def timeline_figure(
    timeline: list[dict], change_points: list[dict], title: str = "", unit: str | None = None
) -> Figure:
    """Posts per bin (bars, or an area when bins are many), the volume regimes found (a dark step line
    of segment means), each context's share (line, right axis), and context change points as labelled
    dashed lines."""
    fig, ax = plt.subplots(figsize=(8, 3.4), dpi=110)
    xs: Any = [date.fromisoformat(b["bin"]) for b in timeline]  # matplotlib draws dates
    ns = [b["n"] for b in timeline]
    if len(xs) > 80:
        ax.fill_between(xs, ns, step="post", color=_BAR, edgecolor="#1d4ed8", linewidth=0.5, label="posts")
    else:
        width = _BAR_DAYS.get(unit or "month", 25)
        ax.bar(xs, ns, width=width, color=_BAR, edgecolor="#1d4ed8", linewidth=0.4, label="posts", align="edge")
    vol = sorted(date.fromisoformat(cp["date"]) for cp in change_points if cp["kind"] == "volume")
    if vol and xs:
        edges = [xs[0], *vol, date.max]
        lx, ly = [], []
        for a, b in zip(edges, edges[1:]):
            seg = [n for x, n in zip(xs, ns) if a <= x < b]
            if seg:
                lx += [max(a, xs[0]), min(b, xs[-1])]
                ly += [sum(seg) / len(seg)] * 2
        ax.plot(lx, ly, color=_INK, lw=1.6, label="volume regimes")
    ax.set_ylabel(f"posts per {unit or 'bin'}", color=_INK)
    ax.spines[["top"]].set_visible(False)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    handles, labels = ax.get_legend_handles_labels()
    ctxs = context_names(timeline)
    if ctxs:
        ax2 = ax.twinx()
        styles = ["-", "--", ":", "-."]
        markers = ["o", "s", "^", "D"]
        for i, c in enumerate(ctxs):
            share = _shares([b["contexts"].get(c, 0) for b in timeline], [b["n"] for b in timeline])
            ax2.plot(
                xs,
                share,
                styles[i % 4],
                marker=markers[i % 4] if len(xs) <= 80 else None,
                ms=3,
                color=_LINE,
                lw=1.4,
                label=f"{c} share (%)",
            )
        ax2.set_ylim(0, 100)
        ax2.set_ylabel("share of posts (%)", color=_LINE)
        ax2.spines[["top"]].set_visible(False)
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    _mark_changes(ax, change_points, "context")  # use and sentiment changes are drawn on the use figure
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=4, fontsize=8, frameon=False)
    if title:
        ax.set_title(title, loc="right", fontsize=10, color=_INK)
    fig.tight_layout()
    return fig


# colour plus a hatch per use, so the bands read in grey print and without colour vision
USE_STYLE = {
    "sincere": ("#2563eb", ""),
    "humorous": ("#f59e0b", "//"),
    "sarcastic": ("#dc2626", "xx"),
    "other": ("#9ca3af", ".."),
    "uncertain": ("#e5e7eb", "||"),  # the caption model could not tell: drawn, so the others are not inflated
}


def use_figure(
    timeline: list[dict], change_points: list[dict], title: str = "", unit: str | None = None
) -> Figure | None:
    """How the meme is used over time: each use's share of the bin's classified posts as stacked bands
    (colour and hatch), the mean sentiment per bin (dotted line, right axis), use and sentiment change
    points as labelled dashed lines with their 95% intervals shaded. Bins with fewer than 3 classified posts are
    left blank rather than drawn as 0% or 100%."""
    uses = [u for u in USE_STYLE if any(b.get("uses", {}).get(u) for b in timeline)]
    if not uses:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.0), dpi=110)
    xs: Any = [date.fromisoformat(b["bin"]) for b in timeline]  # matplotlib draws dates
    tot = [sum(b.get("uses", {}).values()) for b in timeline]
    # step="post" draws a value up to the next x: repeat the last bin one bin later so it gets a width
    if len(xs) > 1:
        xs = xs + [xs[-1] + (xs[-1] - xs[-2])]
        timeline, tot = timeline + [timeline[-1]], tot + [tot[-1]]
    bottom = [0.0] * len(xs)
    for u in uses:
        share = _shares([b.get("uses", {}).get(u, 0) for b in timeline], tot)
        top = [a + (v if v == v else 0) for a, v in zip(bottom, share)]
        colour, hatch = USE_STYLE[u]
        masked = [t >= _MIN_POSTS for t in tot]
        ax.fill_between(
            xs,
            bottom,
            top,
            where=masked,
            step="post",
            color=colour,
            alpha=0.55,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.0,
            label=u,
        )
        bottom = top
    ax.set_ylim(0, 100)
    ax.set_ylabel("share of posts (%)", color=_INK)
    ax.spines[["top"]].set_visible(False)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    placed = _mark_changes(ax, change_points, "use")
    handles, labels = ax.get_legend_handles_labels()
    # mean sentiment per bin (VADER compound), on its own axis: a dark dotted line with markers
    sent: list[float] = [
        float(b["sentiment"]) if t >= _MIN_POSTS and b.get("sentiment") is not None else float("nan")
        for b, t in zip(timeline, tot)
    ]
    if any(v == v for v in sent):
        ax2 = ax.twinx()
        _sentiment_line(ax2, xs, sent, change_points, placed)
        ax2.spines[["top"]].set_visible(False)
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    # below the plot: a legend of five entries above it would run into the title
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=5, fontsize=8, frameon=False)
    if title:
        ax.set_title(f"{title}: use", loc="right", fontsize=10, color=_INK)
    fig.tight_layout()
    return fig


def _sentiment_line(
    ax, xs: list[date], sent: list[float], change_points: list[dict], placed: list[date] | None = None
) -> None:
    """Mean sentiment per bin (VADER compound) on `ax`, -1 to 1: a dark dotted step line with markers,
    and its change points (labels beside those already `placed`)."""
    ax.plot(
        xs,
        sent,
        ":",
        color=_INK,
        lw=1.4,
        marker="o" if len(xs) <= 80 else None,
        ms=2.5,
        drawstyle="steps-post",
        label="mean sentiment",
    )
    ax.set_ylim(-1, 1)
    ax.axhline(0, color=_INK, lw=0.5, alpha=0.4)
    ax.set_ylabel("mean sentiment (VADER)", color=_INK)
    _mark_changes(ax, change_points, "sentiment", placed)


def mood_figure(timeline: list[dict], change_points: list[dict], title: str = "") -> Figure | None:
    """Mean sentiment per bin (VADER compound, -1 to 1) with its change points as labelled dashed lines
    and 95% intervals shaded: the use figure's sentiment line, drawn alone when no post has a use (the
    use classifier is not installed or turned off). Bins with fewer than 3 posts are left blank."""
    xs: Any = [date.fromisoformat(b["bin"]) for b in timeline]  # matplotlib draws dates
    sent = [
        b["sentiment"] if b["n"] >= _MIN_POSTS and b.get("sentiment") is not None else float("nan") for b in timeline
    ]
    if not any(v == v for v in sent):
        return None
    if len(xs) > 1:  # as in use_figure: the last bin gets a width
        xs, sent = xs + [xs[-1] + (xs[-1] - xs[-2])], sent + [sent[-1]]
    fig, ax = plt.subplots(figsize=(8, 2.6), dpi=110)
    _sentiment_line(ax, xs, sent, change_points)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    if title:
        ax.set_title(f"{title}: mood", loc="right", fontsize=10, color=_INK)
    fig.tight_layout()
    return fig


def use_or_mood_figure(
    timeline: list[dict], change_points: list[dict], title: str = "", unit: str | None = None
) -> Figure | None:
    """The use figure, or without uses (no classifier) the mood figure: sentiment changes are drawn either way."""
    return use_figure(timeline, change_points, title, unit) or mood_figure(timeline, change_points, title)


def scopes_figure(scopes: list[dict], title: str = "", top: int = 6) -> Figure | None:
    """Small multiples, one row per part of a template (a community, a variant), on one time axis: posts
    per bin (bars), each context's share (red line, right axis), the share of each use that changed in
    that part (thin line, coloured and marked per use), meaning changes as labelled dashed lines with
    their 95% intervals shaded. The `top` largest parts are drawn."""
    scopes = [s for s in scopes if s["timeline"]][:top]
    if not scopes:
        return None
    fig, axes = plt.subplots(len(scopes), 1, figsize=(8, 0.4 + 1.55 * len(scopes)), dpi=110, sharex=True, squeeze=False)
    for ax, sc in zip(axes[:, 0], scopes):
        tl = sc["timeline"]
        xs: Any = [date.fromisoformat(b["bin"]) for b in tl]
        width = _BAR_DAYS.get(sc.get("bin_unit") or "month", 25)
        ax.bar(xs, [b["n"] for b in tl], width=width, color=_BAR, edgecolor="#1d4ed8", linewidth=0.3, align="edge")
        ax.set_ylabel("posts", fontsize=7, color=_INK)
        ax.tick_params(labelsize=7)
        ax.spines[["top"]].set_visible(False)
        ax2 = ax.twinx()
        for i, c in enumerate(context_names(tl)):
            ax2.plot(
                xs,
                _shares([b["contexts"].get(c, 0) for b in tl], [b["n"] for b in tl]),
                ["-", "--", ":", "-."][i % 4],
                color=_LINE,
                lw=1.8,
                label=f"{c} share",
            )
        tot = [sum(b.get("uses", {}).values()) for b in tl]
        changed = {k.name for k in (ChangeKind.parse(cp["kind"]) for cp in sc["change_points"]) if k.family == "use"}
        for u in [u for u in USE_STYLE if u in changed]:  # a use's line only where its share moved: less ink
            colour, hatch = USE_STYLE[u]
            ax2.plot(
                xs,
                _shares([b.get("uses", {}).get(u, 0) for b in tl], tot),
                color=colour,
                lw=1.0,
                marker={"": "o", "//": "^", "xx": "x", "..": ".", "||": "|"}[hatch],
                ms=3,
                label=f"{u} share",
            )
        ax2.set_ylim(0, 100)
        ax2.tick_params(labelsize=7)
        ax2.set_ylabel("%", fontsize=7)
        ax2.spines[["top"]].set_visible(False)
        _mark_changes(ax, sc["change_points"], "use", _mark_changes(ax, sc["change_points"], "context"))
        ax.set_title(f"{sc['label']} · {sc['posts']} posts", loc="left", fontsize=8, color=_INK)
    h, labels = [], []  # one legend for all rows: each series once
    for ax in fig.axes:
        for hh, ll in zip(*ax.get_legend_handles_labels()):
            if ll not in labels:
                h.append(hh)
                labels.append(ll)
    ax0 = axes[0, 0]
    ax0.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax0.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax0.xaxis.get_major_locator()))
    if labels:
        fig.legend(h, labels, loc="lower center", ncol=4, fontsize=7, frameon=False)
    if title:
        fig.suptitle(title, x=0.99, ha="right", fontsize=9, color=_INK)
    fig.tight_layout(rect=(0, 0.06 if labels else 0, 1, 1))
    return fig


def templates_figure(templates: list[dict], top: int = 20) -> Figure:
    """Templates ranked by instances (horizontal bars, labelled with counts)."""
    ts = templates[:top][::-1]
    fig, ax = plt.subplots(figsize=(8, max(1.5, 0.32 * len(ts) + 0.8)), dpi=110)
    ax.barh([t["name"] for t in ts], [t["instances"] for t in ts], color=_BAR, edgecolor="#1d4ed8", linewidth=0.5)
    for i, t in enumerate(ts):
        ax.text(t["instances"], i, f" {t['instances']:,}", va="center", fontsize=8, color=_INK)
    ax.set_xlabel("instances")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return fig


def entry_figures(entry: dict, title: str) -> dict[str, Figure | None]:
    """The figures of one entry of report.json (a template, or the corpus): the timeline, the use figure
    (or, without uses, the mood figure), and small multiples by community and by variant, each None when
    there is nothing to draw. The report saves and inlines them; the web app inlines them."""
    timeline, cps, unit = entry["timeline"], entry["change_points"], entry["bin_unit"]
    scopes = entry.get("scopes") or []
    return {
        "timeline": timeline_figure(timeline, cps, title, unit) if timeline else None,
        "use": use_or_mood_figure(timeline, cps, title, unit) if timeline else None,
        **{
            f"by_{kind}": scopes_figure([sc for sc in scopes if sc["kind"] == kind], f"{title} by {kind}")
            for kind in ("community", "variant")
        },
    }


def close(fig: Figure) -> None:
    plt.close(fig)


def inline_svg(fig: Figure) -> str:
    """The figure as an <svg> element to put inside HTML (no XML prologue); closes the figure."""
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]
