"""Which words drove a caption's use, by occlusion: drop each word in turn, classify again, and rank words
by how much the chosen use's probability falls without them. N+1 classifications for N words, so it is
for a handful of captions (`memescope classify`), not a corpus."""

from __future__ import annotations

__all__ = ["word_evidence"]


def word_evidence(text: str, affect: str | None = None, top: int = 3) -> list[dict]:
    """[{word, drop}] for the words whose removal lowers the chosen use's probability most (drop > 0.02)."""
    from . import use_model
    from .features import featurize

    model = use_model()
    words = text.split()
    if model is None or len(words) < 2:
        return []
    variants = [text] + [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
    preds = model.predict(featurize(variants, model.tfidf, [affect] * len(variants), model.needs_minilm))
    probs = preds[0]["use_probs"]
    use = preds[0]["use"] if preds[0]["use"] in probs else max(probs, key=probs.get)  # uncertain: the likeliest
    base = probs[use]
    drops = [(words[i], base - p["use_probs"][use]) for i, p in enumerate(preds[1:])]
    best: dict[str, float] = {}
    for w, d in drops:  # a repeated word counts once, with its largest effect; shown without punctuation
        w = w.strip(".,!?;:\"'()") or w
        best[w] = max(best.get(w, -1.0), d)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    return [{"word": w, "drop": round(d, 3)} for w, d in ranked[:top] if d > 0.02]
