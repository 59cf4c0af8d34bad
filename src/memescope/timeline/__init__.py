"""Timelines: binned series per template, change points with dated intervals and effect sizes, and the
words that changed; per community and per variant too."""

from ..records import ChangeKind, ChangePoint
from .analysis import PostPoint, SeriesResult, analyze_posts, detection_unit
from .bins import bin_range, bin_start, choose_unit
from .changepoints import Break, detect_count_changes, detect_mean_changes, detect_share_changes
from .scopes import CORPUS, MIN_SCOPE_POSTS, scope_label, split_scopes
from .terms import distinctive_terms, tokenize

__all__ = [
    "PostPoint",
    "SeriesResult",
    "analyze_posts",
    "detection_unit",
    "bin_start",
    "choose_unit",
    "bin_range",
    "ChangePoint",
    "ChangeKind",
    "Break",
    "detect_count_changes",
    "detect_share_changes",
    "detect_mean_changes",
    "distinctive_terms",
    "tokenize",
    "CORPUS",
    "MIN_SCOPE_POSTS",
    "scope_label",
    "split_scopes",
]
