"""Understanding captions: sentiment, context tags (topic lexicons) and the cues behind them."""

from .context import Lexicon, load_lexicons, tag_contexts
from .sentiment import sentiment

__all__ = ["Lexicon", "load_lexicons", "tag_contexts", "sentiment", "analyze_text", "analysis_version"]

# Bump when analyze_text's own logic changes; lexicon edits are picked up from their content.
_CODE_VERSION = "1"


def analysis_version() -> str:
    """A fingerprint of what analyze_text depends on: this code's version and every lexicon's terms."""
    import hashlib
    import json

    lex = [[lx.name, lx.threshold, sorted(lx.terms.items())] for lx in load_lexicons()]
    return _CODE_VERSION + ":" + hashlib.sha1(json.dumps(lex).encode()).hexdigest()[:12]


def analyze_text(text: str) -> dict:
    """Sentiment and context tags of one caption, with the cues found."""
    compound, label = sentiment(text)
    contexts, cues = tag_contexts(text)
    return {"sentiment": compound, "sentiment_label": label, "contexts": contexts, "cues": cues}
