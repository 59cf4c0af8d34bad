"""Understanding captions: sentiment, context tags (topic lexicons) and the cues behind them."""

from .context import Lexicon, load_lexicons, tag_contexts
from .sentiment import sentiment

__all__ = ["Lexicon", "load_lexicons", "tag_contexts", "sentiment", "analyze_text"]


def analyze_text(text: str) -> dict:
    """Sentiment and context tags of one caption, with the cues found."""
    compound, label = sentiment(text)
    contexts, cues = tag_contexts(text)
    return {"sentiment": compound, "sentiment_label": label, "contexts": contexts, "cues": cues}
