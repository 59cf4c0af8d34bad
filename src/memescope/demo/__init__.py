"""The demo: a corpus the project makes itself (drawings, captions, ground truth) and a run over it."""

from .corpus import FOCUS, SHIFT_DATE, build_demo_corpus
from .run import evaluate, run_demo

__all__ = ["build_demo_corpus", "run_demo", "evaluate", "FOCUS", "SHIFT_DATE"]
