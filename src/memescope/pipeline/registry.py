"""The stage registry alone: each stage module registers itself here, and the runner looks stages up
here, so the runner and the stages never import each other."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..registry import Registry

if TYPE_CHECKING:  # the runner's types, for annotations only
    from .runner import RunContext, StageCount

__all__ = ["stage_registry", "Stage"]

Stage = Callable[["RunContext"], "StageCount"]

stage_registry: Registry[Stage] = Registry("stage")
