"""The OCR stage: the caption text of each image, read through its caption layer when it is matched (the
template's untouched pixels blanked, see ocr.layer), with one engine loaded once per worker."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from PIL import Image

from ...exceptions import BadImageError, NotInstalledError
from ...imaging import load_image
from ...ocr import drop_template_text, get_engine, ocr_engines, template_text
from ...ocr.base import prints_text
from ...ocr.layer import caption_layer, read_caption_layer
from ...records import Done, OcrReading, Outcome, Skipped
from ...store import Store
from ..registry import stage_registry
from ..runner import RunContext, StageCount, run_items

__all__ = ["OcrItem", "ocr_batch", "ocr_stage", "picture_region", "template_own_text", "OCR_MAX_SIDE"]

log = logging.getLogger(__name__)

# Images larger than this (longest side) gain nothing for caption text and cost OCR time quadratically.
OCR_MAX_SIDE = 1600


@dataclass(frozen=True)
class OcrItem:
    """One image for OCR: where its picture lies, the text its template prints itself, the template's
    reference pictures, and where the template lies in it (mirrored or not), when it is matched."""

    sha256: str
    path: str
    box: tuple[int, int, int, int]
    template_lines: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    region: tuple[int, int, int, int] | None = None
    mirrored: bool = False


@functools.lru_cache(maxsize=16)
def _reference_picture(path: str) -> Image.Image:
    """A template's reference picture, at most OCR_MAX_SIDE a side, kept per worker: the same few
    templates come back again and again."""
    im = load_image(path)
    scale = min(1.0, OCR_MAX_SIDE / max(im.size))
    return im.resize((round(im.width * scale), round(im.height * scale))) if scale < 1 else im


def _caption_layer(im: Image.Image, refs: tuple[str, ...], region: tuple[int, int, int, int], mirrored: bool):
    """The caption layer against the template's best-aligned reference (see ocr.layer), or None."""
    best: tuple[Image.Image | None, float] = (None, 1.0)
    for path in refs:
        try:
            ref = _reference_picture(path)
        except BadImageError as exc:
            log.warning("reference %s cannot be read for the caption layer (%s)", path, exc.reason)
            continue
        layer, share = caption_layer(im, ref, region, mirrored)
        if layer is not None and share < best[1]:
            best = (layer, share)
    return best[0]


def picture_region(
    method: str | None, region: tuple[int, int, int, int] | None, width: int, height: int
) -> tuple[tuple[int, int, int, int] | None, bool]:
    """(where the matched template's picture lies, whether mirrored) from a match's method and region."""
    method = method or ""
    if method == "phash-full":  # the whole image's hash matched: the picture is the whole image
        region = (0, 0, width, height)
    return region, method.endswith("-mirror")


def _scaled(item: OcrItem, im: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int], tuple | None]:
    scale = min(1.0, OCR_MAX_SIDE / max(im.size))
    if scale >= 1:
        return im, item.box, item.region
    im = im.resize((round(im.width * scale), round(im.height * scale)))
    box = tuple(round(v * scale) for v in item.box)
    region = tuple(round(v * scale) for v in item.region) if item.region else item.region
    return im, box, region  # type: ignore[return-value]


def read_item(engine, item: OcrItem) -> OcrReading:
    """Read one image's caption: through its caption layer when it lines up with a reference; lines that
    still repeat the template's own text are marked as such and left out of the caption."""
    im, box, region = _scaled(item, load_image(item.path))
    layer = None
    if item.references and region and getattr(engine, "reads_caption_layer", True):
        layer = _caption_layer(im, item.references, region, item.mirrored)
    # the picture is read again where the layer is unsure, unless the template prints text of its own,
    # which the picture would bring back
    picture = None if prints_text(list(item.template_lines)) else im
    res = read_caption_layer(engine, layer, box, picture) if layer is not None else engine.read(im, box)
    res = drop_template_text(res, list(item.template_lines))
    return OcrReading(res.engine, res.text, res.clean, res.to_json(), res.source)


def ocr_batch(batch: tuple[str, list[OcrItem]]) -> list[Outcome[OcrReading]]:
    """Read each image's caption with one engine, loaded once per worker process."""
    engine_name, items = batch
    engine = get_engine(engine_name)
    out: list[Outcome[OcrReading]] = []
    for item in items:
        try:
            out.append(Done(item.sha256, read_item(engine, item)))
        except BadImageError as exc:
            out.append(Skipped(item.sha256, exc.reason, exc.detail))
    return out


def template_own_text(store: Store, engine_name: str, template_ids: set[int]) -> dict[int, list[str]]:
    """The text each template's first reference picture carries (at a few sizes), read once per engine
    and stored."""
    out: dict[int, list[str]] = {}
    for tid in sorted(template_ids):
        lines = store.template_text(tid, engine_name)
        if lines is None:
            lines = []
            ref = store.first_reference(tid)
            if ref:
                try:
                    lines = template_text(get_engine(engine_name), load_image(ref))
                except BadImageError as exc:
                    log.warning("template %d: cannot read its reference for its own text (%s)", tid, exc.reason)
            store.save_template_text(tid, engine_name, lines)
        out[tid] = lines
    return out


def _check_engine(name: str) -> None:
    ocr_engines[name]  # unknown engine: fail before starting workers
    if name == "rapidocr":
        try:
            import rapidocr  # noqa: F401
        except ImportError as exc:
            raise NotInstalledError("rapidocr", "ocr", "rapidocr onnxruntime") from exc


@stage_registry.register("ocr")
def ocr_stage(ctx: RunContext) -> StageCount:
    engine = ctx.config.ocr_engine
    store = ctx.store
    pending = store.pending_ocr()
    if pending:
        _check_engine(engine)
    own = (
        template_own_text(store, engine, {p.template_id for p in pending if p.template_id is not None})
        if pending
        else {}
    )
    refs = store.reference_paths()
    items = []
    for p in pending:
        tid = p.template_id
        region, mirrored = picture_region(p.method, p.region, p.width, p.height)
        items.append(
            OcrItem(
                p.sha256,
                p.path,
                p.box,
                tuple(own.get(tid, [])) if tid is not None else (),
                tuple(refs.get(tid, [])) if tid is not None else (),
                region,
                mirrored,
            )
        )
    return run_items(
        ctx,
        "ocr",
        items,
        ocr_batch,
        store.save_ocr,
        batch_size=ctx.config.batches.ocr,
        wrap=functools.partial(_with_engine, engine),
    )


def _with_engine(engine: str, batch: list[OcrItem]) -> tuple[str, list[OcrItem]]:
    return engine, batch
