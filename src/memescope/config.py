"""The pipeline's settings in one typed place, each with the default the project measured for it.
`memescope analyze` builds one from its options; the stages read it from their RunContext."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PipelineConfig", "BatchSizes", "DEFAULT_OCR_ENGINE", "STAGE_NAMES"]

# rapidocr: PP-OCR models inside its wheel, CER 0.3-0.5% on the OCR bench (tesseract is the smaller one)
DEFAULT_OCR_ENGINE = "rapidocr"
STAGE_NAMES = ("hash", "match", "ocr", "understand", "timeline")


@dataclass(frozen=True)
class BatchSizes:
    """Items per task sent to a worker. Small enough that progress moves and a killed run loses little,
    large enough that a task outweighs its dispatch: hashing takes ~1 ms an image, verification ~120 ms,
    OCR ~0.4 s, and the caption analysis embeds a batch at once."""

    hash: int = 32
    verify: int = 8
    ocr: int = 4
    understand: int = 500


@dataclass(frozen=True)
class PipelineConfig:
    """What a run does and how.

    - `stages`: the stages to run, in order.
    - `ocr_engine`: the OCR engine's registered name.
    - `batches`: items per worker task, per stage.
    - `cluster_eps`, `cluster_min_size`: images no template explains group into a candidate template
      when their pHashes lie within `cluster_eps` bits and at least `cluster_min_size` of them do.
    - `variant_eps`: a template's images within this many bits are one variant of its picture (a crop or a
      bar makes a new variant, a caption does not).
    - `features_dir`: also write every image's hashes as Parquet shards here (None: not).
    """

    stages: tuple[str, ...] = STAGE_NAMES
    ocr_engine: str = DEFAULT_OCR_ENGINE
    batches: BatchSizes = field(default_factory=BatchSizes)
    cluster_eps: int = 8
    cluster_min_size: int = 5
    variant_eps: int = 6
    features_dir: str | None = None

    def runs(self, stage: str) -> bool:
        return stage in self.stages
