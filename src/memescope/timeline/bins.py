"""Calendar bins (month, quarter, year) chosen from the data's span and density."""

from __future__ import annotations

from datetime import date

__all__ = ["bin_start", "choose_unit", "bin_range", "UNITS"]

UNITS = ("month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _ym(iso: str) -> tuple[int, int]:
    return int(iso[:4]), int(iso[5:7])


def bin_start(iso: str, unit: str) -> str:
    """The first day of the `unit` bin holding the ISO date `iso`."""
    y, m = _ym(iso)
    step = _MONTHS[unit]
    m0 = ((m - 1) // step) * step + 1
    return date(y, m0, 1).isoformat()


def bin_range(first: str, last: str, unit: str) -> list[str]:
    """Every bin start from the bin of `first` to the bin of `last`, with empty bins kept."""
    y, m = _ym(bin_start(first, unit))
    y1, m1 = _ym(bin_start(last, unit))
    step = _MONTHS[unit]
    out = []
    while (y, m) <= (y1, m1):
        out.append(date(y, m, 1).isoformat())
        m += step
        if m > 12:
            y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return out


def choose_unit(dates: list[str], min_per_bin: float = 4.0) -> str:
    """The finest unit whose bins hold `min_per_bin` posts on average over the span."""
    if not dates:
        return "month"
    first, last = min(dates), max(dates)
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    for unit in UNITS:
        if len(dates) / max(1, months / _MONTHS[unit]) >= min_per_bin:
            return unit
    return "year"
