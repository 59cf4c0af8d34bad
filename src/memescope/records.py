"""Small typed records that cross module lines: what a reader yields, what a stage's worker returns, what
the store keeps and the report and the web app show. Each knows how to become a row and a JSON object,
so no module unpacks another's tuples or parses another's strings."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Generic, TypeVar

__all__ = [
    "Post",
    "Skipped",
    "Done",
    "Outcome",
    "ImageFeatures",
    "OcrReading",
    "CaptionAnalysis",
    "ChangeKind",
    "ChangePoint",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Post:
    """One post of a corpus: an image, a text, or both, with its metadata.

    `id` is unique within `source` (the reader's name); the store keys posts by (source, id), so ingesting
    the same post twice keeps one. `image_path` is absolute; the image's identity is its content hash,
    computed at ingest. `created_at` is ISO 8601 (UTC); `date_approx` marks estimated dates, and
    `date_error_days`, when known, how far such a date may be off (change-point intervals widen by it).
    """

    id: str
    source: str
    image_path: str | None = None
    text: str | None = None
    title: str | None = None
    created_at: str | None = None
    date_approx: bool = False
    date_error_days: float | None = None
    community: str | None = None
    author: str | None = None
    url: str | None = None
    template_hint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


@dataclass(frozen=True)
class Skipped:
    """An item that could not be used (a reader's bad record, a stage's unreadable image), recorded in the
    errors table with its reason: a short stable tag, and a detail for people."""

    item: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Done(Generic[T]):
    """An item a stage's worker finished, with what it made of it."""

    item: str
    value: T


# what a stage's worker returns for each item: the runner saves the Done ones and records the Skipped
Outcome = Done[T] | Skipped


@dataclass(frozen=True)
class ImageFeatures:
    """What the hash stage keeps of a decoded image: its size and format, where the picture lies inside
    caption bars and borders, and 64-bit pHashes (as signed int64, SQLite's integer) of the picture, of the
    whole image and of the mirrored picture."""

    width: int
    height: int
    format: str
    box: tuple[int, int, int, int]
    phash: int
    phash_full: int
    phash_mirror: int

    def to_row(self, sha256: str) -> tuple:
        return (
            sha256,
            self.width,
            self.height,
            self.format,
            json.dumps(list(self.box)),
            self.phash,
            self.phash_full,
            self.phash_mirror,
        )


@dataclass(frozen=True)
class OcrReading:
    """What OCR read off one image: every line with its box, confidence and block (`lines`), the joined
    text, the cleaned caption, and which pixels were read (`image` or `caption layer`)."""

    engine: str
    text: str
    clean: str
    lines: list[dict]
    source: str = "image"

    def to_row(self, sha256: str) -> tuple:
        return (sha256, self.engine, self.text, self.clean, json.dumps(self.lines), self.source)


@dataclass(frozen=True)
class CaptionAnalysis:
    """How one caption reads: sentiment (VADER compound and label), context tags with the terms that fired
    them, lexicon emotions with their cues, and, with the caption model: the use (sincere, humorous,
    sarcastic, other or uncertain) with its probabilities, humour and sarcasm scores (which follow from
    the use), the cues that pushed toward the use, polarity (P(positive)), the emotion of seven with its
    probabilities, and offensiveness with the word n-grams behind it."""

    sentiment: float
    sentiment_label: str
    contexts: dict[str, float]
    cues: dict[str, list[str]]
    emotions: dict[str, int]
    emotion_cues: dict[str, list[str]]
    use: str | None = None
    use_probs: dict[str, float] | None = None
    humour: float | None = None
    is_humorous: bool | None = None
    sarcasm: float | None = None
    is_sarcastic: bool | None = None
    use_cues: list[dict] | None = None
    polarity: float | None = None
    polarity_label: str | None = None
    emotion: str | None = None
    emotion_probs: dict[str, float] | None = None
    offensive: float | None = None
    is_offensive: bool | None = None
    offensive_cues: list[str] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, order=True)
class ChangeKind:
    """What moved at a change point: `volume`, `sentiment`, or a share: `context` or `use`, with its name.
    Written as `volume`, `sentiment`, `context:pandemic`, `use:sincere` in the store and report.json."""

    family: str
    name: str = ""

    FAMILIES = ("volume", "context", "use", "sentiment")

    def __post_init__(self) -> None:
        if self.family not in self.FAMILIES or bool(self.name) != (self.family in ("context", "use")):
            raise ValueError(f"not a change kind: {self.family!r}, {self.name!r}")

    @classmethod
    def parse(cls, text: str) -> ChangeKind:
        family, _, name = text.partition(":")
        return cls(family, name)

    def __str__(self) -> str:
        return f"{self.family}:{self.name}" if self.name else self.family

    @property
    def is_share(self) -> bool:
        return self.family in ("context", "use")

    @property
    def label(self) -> str:
        """In words: "posting volume", "pandemic context", "sincere use", "mean sentiment"."""
        return {"volume": "posting volume", "sentiment": "mean sentiment"}.get(
            self.family
        ) or f"{self.name} {self.family}"


@dataclass(frozen=True)
class ChangePoint:
    """A change point as the timeline stage finds it and the store, report and web app keep it.

    `date` is the first bin (or day) of the new regime and `date_low`/`date_high` its 95% interval;
    `before`/`after` are posts per bin (volume), shares (context, use) or mean sentiment; `unit` is the bins
    it was found on and `date_unit` the unit of its dates ("day" once placed to the day); `effect` is
    {diff, diff_low, diff_high} or {rate_ratio, rate_ratio_low, rate_ratio_high}; `terms_*` the words
    typical of each side; `steps` each step of a shift in steps; `stats` the model's numbers (phi, var,
    n_before, n_after); `embedding` the caption drift, when measured."""

    kind: ChangeKind
    date: str
    date_low: str
    date_high: str
    before: float
    after: float
    unit: str
    date_unit: str
    segment_start: str
    segment_end: str
    effect: dict[str, float] = field(default_factory=dict)
    terms_before: list[dict] = field(default_factory=list)
    terms_after: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    embedding: dict | None = None
    date_error_days: float | None = None
    template: str = ""
    scope: str = ""

    # -- the store's row (change_points table) ---------------------------------------------------------
    def to_row(self) -> tuple:
        """(template, scope, kind, date, before, after, detail, date_low, date_high, effect, terms)."""
        detail: dict[str, Any] = {
            **self.stats,
            "unit": self.unit,
            "date_unit": self.date_unit,
            "segment_start": self.segment_start,
            "segment_end": self.segment_end,
        }
        if self.date_error_days is not None:
            detail["date_error_days"] = self.date_error_days
        if self.embedding:
            detail["embedding"] = self.embedding
        if self.steps:
            detail["steps"] = self.steps
        return (
            self.template,
            self.scope,
            str(self.kind),
            self.date,
            self.before,
            self.after,
            json.dumps(detail),
            self.date_low,
            self.date_high,
            json.dumps(self.effect),
            json.dumps({"before": self.terms_before, "after": self.terms_after}),
        )

    @classmethod
    def from_row(cls, row: Any) -> ChangePoint:
        """From a change_points row (a mapping by column name)."""
        d = json.loads(row["detail"] or "{}")
        terms = json.loads(row["terms"] or "{}")
        unit = d.get("unit")
        return cls(
            kind=ChangeKind.parse(row["kind"]),
            date=row["date"],
            date_low=row["date_low"],
            date_high=row["date_high"],
            before=row["before"],
            after=row["after"],
            unit=unit,
            date_unit=d.get("date_unit", unit),
            segment_start=d.get("segment_start"),
            segment_end=d.get("segment_end"),
            effect=json.loads(row["effect"] or "{}"),
            terms_before=terms.get("before", []),
            terms_after=terms.get("after", []),
            steps=d.get("steps", []),
            stats={k: d[k] for k in _STATS if k in d},
            embedding=d.get("embedding"),
            date_error_days=d.get("date_error_days"),
            template=row["template"],
            scope=row["scope"],
        )

    # -- report.json ----------------------------------------------------------------------------------
    def to_report(self) -> dict:
        """The change point's object in report.json (schema in report/report.schema.json)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("stats", "template", "scope")}
        out["kind"] = str(self.kind)
        # `detail` keeps the stored detail as it always was (the model's numbers and where it was found)
        out["detail"] = json.loads(self.to_row()[6])
        return out


_STATS = ("phi", "var", "n_before", "n_after")
