"""Training the use classifier: the project's labelled captions and the reproducible training command."""

from .labelled import USES, Example, labelled_examples, split_of
from .train import train_use_model

__all__ = ["USES", "Example", "labelled_examples", "split_of", "train_use_model"]
