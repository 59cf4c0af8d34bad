"""A gallery of templates, loaded in one call: a folder of pictures (a file's name is its template's name;
a sub-folder holds several pictures of one template, named after the folder), or a CSV with columns name,
image and optionally description, affect, aliases (';'-separated). Images named in a CSV are relative to
it and must lie inside its folder. A picture that cannot be read, a row without a name, a path outside the
gallery: each is recorded with its reason (stage 'templates') and the rest is loaded."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus.folder import IMAGE_SUFFIXES, walk_files
from ..corpus.validate import confined, printable_path
from ..exceptions import TemplateError
from ..records import Skipped
from ..store import Store
from ..values import clean_text
from .knowledge import add_template

__all__ = ["GalleryEntry", "read_gallery", "import_gallery", "template_name"]

log = logging.getLogger(__name__)

MAX_NAME = 200
_AFFECT = re.compile(r"^[a-z][a-z -]{0,29}$")  # a mood in a word or two: sad, happy, proud


@dataclass
class GalleryEntry:
    name: str
    images: list[Path] = field(default_factory=list)
    description: str | None = None
    affect: str | None = None
    aliases: list[str] = field(default_factory=list)


def template_name(stem: str) -> str | None:
    """A template's name from a file or folder name: 'Crying behind mask' -> 'Crying-behind-mask'; None
    when nothing printable is left."""
    name = re.sub(r"[\s_]+", "-", clean_text(stem, multiline=False) or "").strip("-.")
    return name[:MAX_NAME] or None


def _from_folder(root: Path) -> Iterator[GalleryEntry | Skipped]:
    entries: dict[str, GalleryEntry] = {}
    for item in walk_files(root):
        if isinstance(item, Skipped):
            yield item
            continue
        if item.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        real = confined(item, root)
        if real is None:
            yield Skipped(
                printable_path(item), "outside the gallery", "a link that leads out of the gallery, or nowhere"
            )
            continue
        rel = item.relative_to(root)
        name = template_name(rel.parts[0] if len(rel.parts) > 1 else item.stem)
        if name is None:
            yield Skipped(printable_path(item), "bad name", "no printable characters to name a template by")
            continue
        entries.setdefault(name, GalleryEntry(name)).images.append(real)
    yield from entries.values()


def _split(value: str | None) -> list[str]:
    return [a.strip() for a in (clean_text(x, multiline=False) for x in (value or "").split(";")) if a.strip()]


def _from_csv(path: Path) -> Iterator[GalleryEntry | Skipped]:
    root = path.parent
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise TemplateError(f"{path}: a gallery CSV needs a 'name' column (has {reader.fieldnames})")
        for n, row in enumerate(reader, start=2):
            where = f"{path.name}:{n}"
            name = template_name(row.get("name") or "")
            if name is None:
                yield Skipped(where, "missing name", "a row needs a template name")
                continue
            images: list[Path] = []
            bad = None
            for rel in _split(row.get("image")):
                real = confined(root / rel, root)
                if real is None:
                    bad = Skipped(where, "outside the gallery", f"{rel[:200]!r} is missing or outside {root}")
                    break
                images.append(real)
            if bad is not None:
                yield bad
                continue
            affect = (row.get("affect") or "").strip().lower() or None
            if affect is not None and not _AFFECT.match(affect):
                yield Skipped(where, "bad affect", f"{affect[:40]!r} is not a mood in a word or two (e.g. sad)")
                continue
            description = clean_text(row.get("description") or "")[:2_000] or None
            yield GalleryEntry(name, images, description, affect, _split(row.get("aliases")))


def read_gallery(path: str | Path) -> Iterator[GalleryEntry | Skipped]:
    """The gallery's templates, and a Skipped item for each thing that cannot be one."""
    p = Path(path).expanduser()
    if p.is_dir():
        return _from_folder(p.resolve())
    if p.is_file() and p.suffix.lower() == ".csv":
        return _from_csv(p)
    raise TemplateError(f"{path}: a gallery is a folder of pictures or a .csv file")


def import_gallery(store: Store, path: str | Path, progress=None) -> dict:
    """Load every template of the gallery at `path`; returns {"templates", "references", "skipped"}. Each
    template is added on its own (add_template), so a bad picture costs only its template."""
    loaded = refs = 0
    skipped: list[Skipped] = []
    if progress is not None:
        progress.start("templates", 0)
    for item in read_gallery(path):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        try:
            add_template(
                store, item.name, item.images, description=item.description, aliases=item.aliases, affect=item.affect
            )
        except TemplateError as exc:
            skipped.append(Skipped(item.name, "bad picture", str(exc)[:300]))
            continue
        loaded += 1
        refs += len(item.images)
        if progress is not None:
            progress.advance(1)
    if progress is not None:
        progress.finish()
    with store.transaction():
        store.record_errors("templates", [(s.item, s.reason, s.detail) for s in skipped], None)
    log.info("gallery %s: %d templates, %d pictures, %d skipped", path, loaded, refs, len(skipped))
    return {"templates": loaded, "references": refs, "skipped": len(skipped)}
