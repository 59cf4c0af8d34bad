"""Timelines: binned series per template and change points on volume and on context shares."""

from .bins import bin_start, choose_unit, bin_range
from .changepoints import ChangePoint, detect_count_changes, detect_share_changes

__all__ = ["bin_start", "choose_unit", "bin_range", "ChangePoint", "detect_count_changes", "detect_share_changes"]
