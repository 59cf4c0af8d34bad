"""The hash stage: decode each image (draft JPEG), find the picture inside caption bars and borders, and
keep its pHashes (memescope.imaging.file_features)."""

from __future__ import annotations

from ...exceptions import BadImageError
from ...imaging import file_features
from ...records import Done, ImageFeatures, Outcome, Skipped
from ...store import ImageFile
from ...store.shards import ShardWriter
from ..registry import stage_registry
from ..runner import RunContext, StageCount, run_items

__all__ = ["hash_batch", "hash_stage"]


def hash_batch(items: list[ImageFile]) -> list[Outcome[ImageFeatures]]:
    out: list[Outcome[ImageFeatures]] = []
    for image in items:
        try:
            out.append(Done(image.sha256, file_features(image.path)))
        except BadImageError as exc:
            out.append(Skipped(image.sha256, exc.reason, exc.detail))
        except Exception as exc:  # a decoder bug on one hostile file must not stop the run
            out.append(Skipped(image.sha256, "unreadable image", f"{type(exc).__name__}: {exc}"))
    return out


@stage_registry.register("hash")
def hash_stage(ctx: RunContext) -> StageCount:
    store = ctx.store
    writer = ShardWriter(ctx.config.features_dir, ctx.run_id) if ctx.config.features_dir else None

    def save(results: list[Done[ImageFeatures]]) -> None:
        store.save_features(results)
        if writer is not None:
            writer.write(
                [
                    (r.item, r.value.width, r.value.height, r.value.phash, r.value.phash_full, r.value.phash_mirror)
                    for r in results
                ]
            )

    return run_items(ctx, "hash", store.pending_images(), hash_batch, save, batch_size=ctx.config.batches.hash)
