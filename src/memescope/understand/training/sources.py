"""Labelled captions for the use task from each source, as (text, label) pairs: Memotion's rows whose
labels leave no doubt, and the project's own captions. MET-Meme's rows are read by training/metmeme.py."""

from __future__ import annotations

from pathlib import Path

from .labelled import labelled_examples, split_of
from .train import read_memotion

__all__ = ["memotion_use", "memotion_use_rows", "project_use_rows"]


def memotion_use(r: dict) -> str | None:
    """A use label only where Memotion's labels leave no doubt: very funny or hilarious, not sarcastic:
    humorous; motivational, not funny, not sarcastic: sincere. Its sarcasm labels label nothing: 78% of
    its rows are "sarcastic" in some degree, most of them plain jokes."""
    funny = r["humour"] in ("very_funny", "hilarious")
    if funny and r["sarcasm"] == "not_sarcastic":
        return "humorous"
    if r["motivational"] == "motivational" and r["humour"] == "not_funny" and r["sarcasm"] == "not_sarcastic":
        return "sincere"
    return None


def memotion_use_rows(path: Path) -> list[tuple[str, str]]:
    return [(r["text"], u) for r in read_memotion(Path(path)) if (u := memotion_use(r))]


def project_use_rows(split: str = "train", per_pattern: int = 12, seed: int = 0) -> list[tuple[str, str]]:
    """The project's captions of the patterns on one side of their split (train or val)."""
    return [
        (e.text, e.use) for e in labelled_examples(per_pattern=per_pattern, seed=seed) if split_of(e.pattern) == split
    ]
