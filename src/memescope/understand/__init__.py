"""Understanding captions: how a meme is used (sincere / humorous / sarcastic / other) and why we think so,
sentiment, emotions, and context tags from topic lexicons, each with the cues behind it."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from functools import lru_cache

from ..records import CaptionAnalysis
from .context import Lexicon, load_lexicons, tag_contexts
from .emotion import emotions
from .sentiment import sentiment

__all__ = [
    "Lexicon",
    "load_lexicons",
    "tag_contexts",
    "sentiment",
    "emotions",
    "analyze_text",
    "analyze_texts",
    "analysis_version",
    "use_model",
]

log = logging.getLogger(__name__)

# Bump when analyze_texts' own logic changes; lexicon and model changes are picked up from their content.
_CODE_VERSION = "2"


@lru_cache(maxsize=1)
def use_model():
    """The caption model (from $MEMESCOPE_USE_MODEL or the shipped one) with its feature models loaded, or
    None when the `understand` extra is missing or MEMESCOPE_USE_MODEL=none: analyses then carry no use,
    polarity head, emotion head or offensiveness, and say so in their version."""
    from ..exceptions import NotInstalledError
    from .affect import get_affect
    from .model import load_model
    from .textfeatures import hashed_counts

    where = os.environ.get("MEMESCOPE_USE_MODEL")
    if where == "none":  # sentiment, emotions and contexts only
        return None
    try:
        model = load_model(where)
        get_affect()
        hashed_counts(["a"])
    except NotInstalledError as exc:
        log.warning("the caption model is off: %s", exc)
        return None
    return model


def analysis_version() -> str:
    """A fingerprint of what an analysis depends on: this code, every lexicon's terms and the use model."""
    import hashlib
    import json

    lex = [[lx.name, lx.threshold, sorted(lx.terms.items())] for lx in load_lexicons()]
    model = use_model()
    return ":".join(
        [
            _CODE_VERSION,
            hashlib.sha1(json.dumps(lex).encode()).hexdigest()[:12],
            model.version if model else "no-use-model",
        ]
    )


def analyze_texts(texts: list[str], affects: list[str | None] | None = None) -> list[CaptionAnalysis]:
    """Per caption: use (with probabilities, humour and sarcasm scores and the cues that drove it),
    polarity, emotion and offensiveness (with the caption model), VADER's sentiment, lexicon emotions and
    context tags. `affects` is each post's template mood (e.g. 'sad'), if known."""
    affects = list(affects) if affects is not None else [None] * len(texts)
    out = []
    for t in texts:
        compound, label = sentiment(t)
        contexts, cues = tag_contexts(t)
        emo, emo_cues = emotions(t)
        out.append(CaptionAnalysis(compound, label, contexts, cues, emo, emo_cues))
    model = use_model()
    live = [i for i, t in enumerate(texts) if t.strip()]
    if model is not None and live:
        from .features import featurize

        feats = featurize([texts[i] for i in live], model.tfidf, [affects[i] for i in live], model.needs_minilm)
        for i, pred in zip(live, model.predict(feats)):
            out[i] = replace(out[i], **pred)
    return out


def analyze_text(text: str, template_affect: str | None = None) -> CaptionAnalysis:
    """analyze_texts for one caption."""
    return analyze_texts([text], [template_affect])[0]
