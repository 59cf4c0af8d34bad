"""The pipeline: stages over items, run by a runner that batches, commits, times and resumes."""

from .executors import executors, make_executor
from .runner import Progress, RunContext, analyze, STAGES
from .stages import stages

__all__ = ["executors", "make_executor", "Progress", "RunContext", "analyze", "STAGES", "stages"]
