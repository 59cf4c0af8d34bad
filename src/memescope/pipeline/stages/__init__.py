"""The pipeline's stages, one module each: a query for what is pending (a store method), a pure
per-batch worker (top-level, so it pickles to any executor) and a saver (a store method). Importing this
package registers them in pipeline.registry."""

from . import hash, match, ocr, timeline, understand  # noqa: F401  (registration)
from .hash import hash_batch
from .match import verify_batch
from .ocr import ocr_batch, picture_region, template_own_text
from .understand import understand_batch

__all__ = ["hash_batch", "verify_batch", "ocr_batch", "picture_region", "template_own_text", "understand_batch"]
