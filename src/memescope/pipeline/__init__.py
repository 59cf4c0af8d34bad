"""The pipeline: stages over items, run by a runner that batches, commits, times and resumes."""

from .executors import executors, make_executor
from .registry import stage_registry
from .run import STAGES, RunReport, StageTiming, analyze
from .runner import Progress, RunContext, StageCount

__all__ = [
    "executors",
    "make_executor",
    "Progress",
    "RunContext",
    "StageCount",
    "analyze",
    "RunReport",
    "StageTiming",
    "STAGES",
    "stage_registry",
]
