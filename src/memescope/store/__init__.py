"""The store: everything a stage computes, keyed so that re-running a stage never duplicates."""

from .sqlite import Store, open_store

__all__ = ["Store", "open_store"]
