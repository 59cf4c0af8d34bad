"""Change points in words: the sentences of report.json's findings, of the report and of the web pages."""

from __future__ import annotations

from ..records import ChangeKind
from ..timeline.scopes import scope_label

__all__ = ["finding_text", "readable"]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x >= 0.01 or x == 0 else f"{100 * x:.1f}%"


def _when(d: str | None, unit: str | None) -> str:
    if not d:
        return "?"
    return d[:7] if unit in ("month", "quarter") else d[:4] if unit == "year" else d


def finding_text(template: str, cp: dict, scope: str = "") -> str:
    """A change point (its report.json object) as a plain sentence, with its dates, sizes and the words that
    came in."""
    unit, at = cp.get("unit"), cp["date_unit"]  # bins, and the dates' own unit (_change_points defaults it)
    when = _when(cp["date"], at)
    if cp.get("date_low") and (cp["date_low"], cp["date_high"]) != (cp["date"], cp["date"]):
        err = f", with dates off by up to {cp['date_error_days']:.0f} days" if cp.get("date_error_days") else ""
        when += f" (95% interval {_when(cp['date_low'], at)} to {_when(cp['date_high'], at)}{err})"
    where = "across the corpus" if template == "*" else f"for {template}"
    if scope:
        where += f" ({scope_label(scope)})"
    verb = "rose" if cp["after"] > cp["before"] else "fell"
    eff = cp.get("effect") or {}
    if cp["kind"] == "volume":
        ratio = (
            f", x{eff['rate_ratio']:.2g} [{eff['rate_ratio_low']:.2g}, {eff['rate_ratio_high']:.2g}]"
            if "rate_ratio" in eff
            else ""
        )
        return (
            f"Posting volume {where} {verb} from {cp['before']:.1f} to {cp['after']:.1f} posts per "
            f"{unit or 'bin'}{ratio} from {when}."
        )
    mood = cp["kind"] == "sentiment"
    level = (lambda v: f"{v:+.2f}") if mood else _pct  # noqa: E731
    steps = cp.get("steps") or []
    if steps:
        # a shift in steps: say when it started and ended, and where each step took it
        parts = ", ".join(f"to {level(st['after'])} from {_when(st['date'], at)}" for st in steps)
        when = f"{_when(steps[0]['date'], at)} to {_when(steps[-1]['date'], at)} in {len(steps)} steps ({parts})"
    over = "over" if steps else "from"
    if mood:
        diff = (
            f" (change {eff['diff']:+.2f}, 95% CI {eff['diff_low']:+.2f} to {eff['diff_high']:+.2f})"
            if "diff" in eff
            else ""
        )
        # a mood turns either way: the words of the new mood say what it turned to
        words = (
            "; words typical after it: " + ", ".join(t["term"] for t in cp["terms_after"][:5])
            if cp.get("terms_after")
            else ""
        )
        return (
            f"The mean sentiment of captions {where} (VADER, -1 to 1) {verb} from {level(cp['before'])} to "
            f"{level(cp['after'])}{diff} {over} {when}{words}."
        )
    diff = (
        f" (change {100 * eff['diff']:+.0f} points, "
        f"95% CI {100 * eff['diff_low']:+.0f} to {100 * eff['diff_high']:+.0f})"
        if "diff" in eff
        else ""
    )
    words = ""
    if cp.get("terms_after") and cp["after"] > cp["before"]:
        words = "; words that came in: " + ", ".join(t["term"] for t in cp["terms_after"][:5])
    ctx = ChangeKind.parse(cp["kind"]).name
    return (
        f"The share of {ctx} captions {where} {verb} from {_pct(cp['before'])} to {_pct(cp['after'])}{diff} "
        f"{over} {when}{words}."
    )


def readable(text: str | None) -> bool:
    """A caption worth showing as an example: at least two words (OCR of a picture with no caption can
    leave a stray 'O')."""
    return text is not None and len(text.split()) >= 2 and len(text) >= 6
