"""OCR: engines behind one interface, looked up by name, and caption text cleaning."""

from .base import OcrLine, OcrResult, ocr_engines, get_engine
from .clean import clean_text
from . import rapid  # noqa: F401  (registers "rapidocr")

__all__ = ["OcrLine", "OcrResult", "ocr_engines", "get_engine", "clean_text"]
