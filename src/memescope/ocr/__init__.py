"""OCR: engines behind one interface, looked up by name, and caption text cleaning."""

from . import rapid, tesseract  # noqa: F401  (register "rapidocr", "tesseract")
from .base import OcrLine, OcrResult, drop_template_text, get_engine, norm_line, ocr_engines, template_text
from .clean import clean_text

__all__ = [
    "OcrLine",
    "OcrResult",
    "ocr_engines",
    "get_engine",
    "clean_text",
    "drop_template_text",
    "norm_line",
    "template_text",
]
