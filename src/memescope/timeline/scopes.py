"""Scopes within a template: its posts per community and per variant of its picture, each a series of its
own with its own change points ("the meme turned sincere in r/wholesomememes first").

A part is kept when it holds at least MIN_SCOPE_POSTS posts (a share measured on a handful of posts says
nothing), and parts of a kind are kept only when at least two of them are that big: a single one would
mostly repeat the whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .analysis import PostPoint

__all__ = ["CORPUS", "MIN_SCOPE_POSTS", "scope_label", "split_scopes"]

CORPUS = "*"  # the template key of the whole corpus
MIN_SCOPE_POSTS = 30


def scope_label(scope: str) -> str:
    """A scope in words: '' -> 'all posts', 'community:r/x' -> 'in r/x', 'variant:2' -> 'variant 2'."""
    kind, _, name = scope.partition(":")
    return {"": "all posts", "community": f"in {name}", "variant": f"variant {name}"}.get(kind, scope)


def split_scopes(
    items: Iterable[tuple[str, str | None, int | None, PostPoint]], min_posts: int = MIN_SCOPE_POSTS
) -> dict[str, dict[str, list[PostPoint]]]:
    """{template: {scope: posts}} from (template or '', community, variant, post) items.

    Scope '' holds all of a template's posts; CORPUS ('*') holds every post, assigned or not, with
    community scopes but no variant scopes (variant numbers are per template)."""
    whole: dict[str, list[PostPoint]] = defaultdict(list)
    parts: dict[str, dict[str, list[PostPoint]]] = defaultdict(lambda: defaultdict(list))
    for template, community, variant, post in items:
        whole[CORPUS].append(post)
        if community:
            parts[CORPUS][f"community:{community}"].append(post)
        if not template:
            continue
        whole[template].append(post)
        if community:
            parts[template][f"community:{community}"].append(post)
        if variant is not None:
            parts[template][f"variant:{variant}"].append(post)
    out: dict[str, dict[str, list[PostPoint]]] = {}
    for template, posts in whole.items():
        scopes = {"": posts}
        for kind in ("community", "variant"):
            big = {s: p for s, p in parts[template].items() if s.startswith(kind + ":") and len(p) >= min_posts}
            if len(big) >= 2:
                scopes.update(sorted(big.items(), key=lambda kv: -len(kv[1])))
        out[template] = scopes
    return out
