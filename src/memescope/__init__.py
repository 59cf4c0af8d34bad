"""memescope: find memes in a corpus, read them, tell how they are used and when their meaning moved.

>>> import memescope
>>> memescope.ingest("posts.jsonl", db="memescope.db")          # doctest: +SKIP
>>> memescope.analyze(db="memescope.db")                        # doctest: +SKIP
>>> memescope.report("out", db="memescope.db")                  # doctest: +SKIP
"""

from .exceptions import (
    BadImageError,
    IngestError,
    MemescopeError,
    NotInstalledError,
    StoreError,
    TemplateError,
    UnknownNameError,
)
from .imaging import ImageHash, phash
from .records import Post
from .store import Store, open_store
from .workflow import analyze, export, ingest, match_images, ocr_images, report

__version__ = "0.1.0"

__all__ = [
    "ingest",
    "analyze",
    "report",
    "export",
    "match_images",
    "ocr_images",
    "Store",
    "open_store",
    "Post",
    "ImageHash",
    "phash",
    "MemescopeError",
    "UnknownNameError",
    "NotInstalledError",
    "BadImageError",
    "IngestError",
    "StoreError",
    "TemplateError",
    "__version__",
]
