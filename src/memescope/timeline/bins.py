"""Calendar bins (day, week, month, quarter, year) chosen from the data's span and density."""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["bin_start", "choose_unit", "bin_range", "UNITS", "bin_days"]

UNITS = ("day", "week", "month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_DAYS = {"day": 1, "week": 7, "month": 30.44, "quarter": 91.3, "year": 365.25}
MAX_BINS = 1000  # change-point search grows with the square of the bins in the worst case


def bin_days(unit: str) -> float:
    return _DAYS[unit]


def bin_start(iso: str, unit: str) -> str:
    """The first day of the `unit` bin holding the ISO date `iso` (weeks start on Monday)."""
    if unit in ("day", "week"):
        d = date.fromisoformat(iso[:10])
        return (d - timedelta(days=d.weekday() if unit == "week" else 0)).isoformat()
    y, m = int(iso[:4]), int(iso[5:7])
    step = _MONTHS[unit]
    return date(y, ((m - 1) // step) * step + 1, 1).isoformat()


def bin_range(first: str, last: str, unit: str) -> list[str]:
    """Every bin start from the bin of `first` to the bin of `last`, with empty bins kept."""
    a, b = date.fromisoformat(bin_start(first, unit)), date.fromisoformat(bin_start(last, unit))
    if unit in ("day", "week"):
        step = 1 if unit == "day" else 7
        return [(a + timedelta(days=i)).isoformat() for i in range(0, (b - a).days + 1, step)]
    out = []
    y, m, step = a.year, a.month, _MONTHS[unit]
    while (y, m) <= (b.year, b.month):
        out.append(date(y, m, 1).isoformat())
        m += step
        if m > 12:
            y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return out


def choose_unit(dates: list[str], min_per_bin: float = 4.0, finest: str = "day") -> str:
    """The finest unit (no finer than `finest`) whose bins hold `min_per_bin` posts on average over the
    span, with at most MAX_BINS bins."""
    if not dates:
        return "month"
    span = (date.fromisoformat(max(dates)[:10]) - date.fromisoformat(min(dates)[:10])).days + 1
    for unit in UNITS[UNITS.index(finest) :]:
        bins = max(1.0, span / _DAYS[unit])
        if len(dates) / bins >= min_per_bin and bins <= MAX_BINS:
            return unit
    return "year"
