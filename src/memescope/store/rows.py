"""The store's typed rows: what its named methods take and give. A stage asks the store for its pending
items as these and hands back records (memescope.records); no caller writes SQL or reads a tuple by
position."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import CaptionAnalysis, ImageFeatures

__all__ = [
    "AddedPosts",
    "ImageFile",
    "Reference",
    "PendingMatch",
    "MatchRow",
    "CodeSet",
    "Cluster",
    "PendingOcr",
    "CaptionSource",
    "AnalyzedCaption",
    "TimelinePost",
    "SeriesBin",
    "TemplateSummary",
    "TemplatePost",
    "VariantRow",
    "ClusterRow",
    "InstanceRow",
    "ErrorRow",
    "RunRow",
    "TemplateRow",
    "CorpusCounts",
    "PostResult",
]


@dataclass(frozen=True)
class AddedPosts:
    """What add_posts did: posts new to the store, and (key, fields that differ) for each post whose id
    was already stored with other content (the stored post is kept)."""

    new: int
    conflicts: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class ImageFile:
    """A stored image: its content hash and where it lies."""

    sha256: str
    path: str


@dataclass(frozen=True)
class Reference:
    """A template's reference picture with its pHashes (as the hash stage computes them)."""

    template_id: int
    template: str
    path: str
    phash: int
    phash_mirror: int


@dataclass(frozen=True)
class PendingMatch:
    """An image the match stage has yet to place (or to place again against a newer knowledge base)."""

    sha256: str
    path: str
    features: ImageFeatures


@dataclass(frozen=True)
class MatchRow:
    """An image -> template decision as stored (template None: no template)."""

    sha256: str
    template_id: int | None
    distance: int | None
    score: float
    method: str
    verified: bool
    region: tuple[int, int, int, int] | None
    kb_version: int


@dataclass(frozen=True)
class CodeSet:
    """Images with their pHashes (signed int64) and mirrored pHashes, in one order."""

    shas: list[str]
    codes: list[int]
    mirrors: list[int]


@dataclass(frozen=True)
class Cluster:
    """A candidate template: images no template explains that lie close together, and its medoid."""

    medoid: str
    members: list[str]


@dataclass(frozen=True)
class PendingOcr:
    """An image OCR has yet to read, with where its matched template lies in it (if matched)."""

    sha256: str
    path: str
    box: tuple[int, int, int, int]
    template_id: int | None
    region: tuple[int, int, int, int] | None
    method: str | None
    width: int
    height: int


@dataclass(frozen=True)
class CaptionSource:
    """A post waiting for its caption analysis: its own text, its OCR text, its title, and the mood of the
    template it is assigned to."""

    post_key: str
    text: str | None
    title: str | None
    ocr_text: str | None
    affect: str | None


@dataclass(frozen=True)
class AnalyzedCaption:
    """A post's caption analysis, with which text it read (`post`, `ocr`, `title` or `none`) and the
    template mood it assumed."""

    post_key: str
    text_source: str
    text: str
    affect: str | None
    analysis: CaptionAnalysis


@dataclass(frozen=True)
class TimelinePost:
    """A dated, analyzed post as the timeline stage reads it."""

    template: str  # '' when no template is assigned
    created_at: str
    contexts: tuple[str, ...]
    sentiment: float | None
    text: str
    community: str | None
    use: str | None
    variant: int | None
    date_approx: bool
    date_error_days: float | None


@dataclass(frozen=True)
class SeriesBin:
    """One bin of a template's series (template '*' is the whole corpus) in one scope ('' for all its
    posts, 'community:NAME', 'variant:N'): posts, posts per context and per use, mean sentiment."""

    template: str
    scope: str
    bin: str
    unit: str
    n: int
    contexts: dict[str, int]
    uses: dict[str, int]
    sentiment: float | None

    def to_report(self) -> dict:
        return {"bin": self.bin, "n": self.n, "contexts": self.contexts, "sentiment": self.sentiment, "uses": self.uses}


@dataclass(frozen=True)
class TemplateSummary:
    """A template with at least one post assigned, and how many."""

    id: int
    name: str
    description: str | None
    aliases: list[str]
    affect: str | None
    posts: int


@dataclass(frozen=True)
class TemplatePost:
    """A post of a template as the report reads it: when, where, its image and its analysis."""

    key: str
    created_at: str | None
    community: str | None
    image_sha256: str | None
    image_path: str | None
    method: str
    text: str | None
    text_source: str | None
    sentiment: float | None
    contexts: dict[str, float] | None
    use: str | None
    use_cues: list[dict]
    polarity: float | None = None
    emotion: str | None = None
    offensive: float | None = None


@dataclass(frozen=True)
class VariantRow:
    variant: int
    example: str
    first_seen: str | None
    images: int
    first_post: str | None
    first_community: str | None


@dataclass(frozen=True)
class ClusterRow:
    id: int
    size: int
    medoid: str
    medoid_path: str


@dataclass(frozen=True)
class InstanceRow:
    """A post as the web app publishes it."""

    key: str
    template: str | None
    created_at: str | None
    community: str | None
    text: str | None
    text_source: str | None
    use: str | None
    use_probs: str | None
    use_cues: str | None
    sentiment: float | None
    contexts: str | None
    image_path: str | None
    phash: int | None
    method: str | None
    polarity: float | None = None
    emotion: str | None = None
    offensive: float | None = None
    offensive_cues: str | None = None


@dataclass(frozen=True)
class ErrorRow:
    stage: str
    item: str
    reason: str
    detail: str | None
    run_id: int | None
    created_at: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RunRow:
    id: int
    command: str
    started_at: str
    finished_at: str | None
    status: str
    stages: list[dict]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TemplateRow:
    """A template of the knowledge base with its counts (`templates list`)."""

    id: int
    name: str
    description: str | None
    aliases: list[str]
    origin: str | None
    links: list[str]
    affect: str | None
    created_at: str
    n_images: int
    n_posts: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CorpusCounts:
    posts: int
    images: int
    text_only: int
    communities: dict[str, int]
    first_seen: str | None
    last_seen: str | None
    dates_approx: bool


@dataclass(frozen=True)
class PostResult:
    """What the analysis made of one post: its template, OCR reading, use and cluster."""

    id: str
    template: str | None
    ocr_text: str | None
    use: str | None
    matched: bool
    cluster_id: int | None
