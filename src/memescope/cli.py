"""The memescope command line: each command parses, calls one library function, and prints (text or
--json). Our exceptions become one clean line on stderr and a non-zero exit code."""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar
from rich.table import Table

from .config import DEFAULT_OCR_ENGINE
from .exceptions import MemescopeError
from .pipeline import Progress

__all__ = ["app", "main"]

app = typer.Typer(
    name="memescope",
    help="Find memes in a corpus, read them, tell how they are used and when their meaning moved.\n\n"
    "Example: memescope demo --out demo-out",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
templates_app = typer.Typer(
    help="Manage the template knowledge base.\n\nExample: memescope templates list", no_args_is_help=True
)
app.add_typer(templates_app, name="templates")

out = Console(soft_wrap=True)  # long paths and messages stay on one line (greppable)
err = Console(stderr=True, soft_wrap=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store: a SQLite file path or sqlite:///path (default ./memescope.db).", envvar="MEMESCOPE_DB"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class BarProgress(Progress):
    """Rich progress bars on stderr, one per stage."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.bar: RichBar | None = None
        self.task: TaskID | None = None

    def start(self, stage: str, total: int) -> None:
        if not self.enabled:
            return
        self.finish()
        self.bar = RichBar(
            SpinnerColumn(),
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        )
        self.bar.start()
        self.task = self.bar.add_task(stage, total=total or None)

    def advance(self, n: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task, n)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _command(fn):
    """Map our exceptions to one clean line and an exit code; Ctrl-C to exit 130 (the run resumes)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MemescopeError as exc:
            # escape: messages hold brackets ("pip install 'memescope[ocr]'") that Rich would read as markup
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted: run the same command again to resume where it stopped")
            raise typer.Exit(130) from None

    return wrapper


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=1, ensure_ascii=False, default=str) + "\n")


def _progress(json_out: bool, quiet: bool = False) -> BarProgress:
    return BarProgress(enabled=not quiet and err.is_terminal or False) if json_out else BarProgress(enabled=not quiet)


def _stage_table(run: dict) -> Table:
    t = Table(title=f"run {run['run_id']}: {run['status']}")
    for c in ("stage", "items", "errors", "seconds"):
        t.add_column(c, justify="right" if c != "stage" else "left")
    for s in run["stages"]:
        t.add_row(s["stage"], str(s["items"]), str(s["errors"]), f"{s['seconds']:.2f}")
    return t


@app.callback()
def _root(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log output (-v info, -vv debug).")
    ] = 0,
) -> None:
    """Find memes in a corpus, read them, tell how they are used and when their meaning moved.

    Example: memescope demo --out demo-out
    """
    # The CLI (an application) configures logging; the library never does.
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@app.command()
@_command
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the corpus, the store, and the report.")] = Path(
        "demo-out"
    ),
    size: Annotated[int, typer.Option(help="Number of posts in the demo corpus.", min=20)] = 400,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same corpus.")] = 2020,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Build the demo corpus, analyze it, write the report, and say what was recovered.

    Example: memescope demo --out demo-out --size 400
    """
    from .demo import run_demo

    res = run_demo(out_dir, size=size, seed=seed, workers=workers, progress=_progress(json_out))
    if json_out:
        _print_json(res)
        return
    ev = res["evaluation"]
    out.print(_stage_table(res["run"]))
    f = ev["focus"]
    out.print(
        f"[bold]{escape(f['template'])}[/]: precision {f['precision']}, recall {f['recall']} "
        f"({f['true']} planted instances)"
    )
    out.print(
        f"templates right for {ev['template_accuracy']:.1%} of {ev['posts']} posts; non-memes rejected: "
        f"{ev['non_memes']['rejected']}/{ev['non_memes']['total']}; OCR word error rate {ev['ocr_word_error_rate']}"
    )
    un = ev.get("unregistered") or {}
    if un.get("posts"):
        out.print(
            f"memes of a template the knowledge base lacks: {un['in_largest_cluster']}/{un['posts']} in one candidate "
            f"cluster ({un['clustered']} clustered in all; {un['other_posts_in_clusters']} other posts in clusters)"
        )
    s = ev["shift"]
    if s["found"]:
        fd = s["found"]
        out.print(
            f"planted shift {s['planted']} ({s['kind']}): found from {fd['date']} (on {fd['unit']} bins"
            f"{', placed to the day' if fd.get('date_unit') == 'day' != fd['unit'] else ''}), "
            f"share {fd['before']:.0%} -> {fd['after']:.0%}"
        )
    else:
        out.print(f"[red]planted shift {s['planted']} ({s['kind']}): not found[/]")
    u, us = ev.get("use") or {}, ev.get("use_shift") or {}
    if u.get("classified"):
        out.print(
            f"use right for {u['accuracy']:.1%} of {u['classified']} captioned memes (recall "
            + ", ".join(f"{k} {v:.0%}" for k, v in u["recall"].items())
            + ")"
        )
        fd = us.get("found")
        where = (
            ""
            if not fd
            else f"found from {fd['date']}"
            if fd["within_one_bin"]
            else f"found from {fd['date']} (95% interval {fd['date_low']} to {fd['date_high']} holds it)"
        )
        out.print(
            f"planted use shift {us['planted']} (use:sincere): "
            + (f"{where}, share {fd['before']:.0%} -> {fd['after']:.0%}" if fd else "[red]not found[/]")
        )
    out.print(f"report: {res['report']}")


@app.command()
@_command
def ingest(
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder of images, a CSV, JSONL or Parquet manifest, an ImgFlip575K folder, or Pushshift NDJSON; "
            "CSV and JSON lines may be compressed (.gz, .bz2, .xz, .zst: Reddit's dumps as they ship)."
        ),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force a format: folder, manifest, imgflip, pushshift.")
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            help="The folder every image must lie in (default: the source folder, or the manifest's folder); "
            "images elsewhere are skipped."
        ),
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Read a corpus into the store. Ingesting the same post twice keeps one; a bad item is recorded
    with its reason and the rest goes on.

    Example: memescope ingest ../shared/data/imgflip575k/captions --db imgflip.db
    """
    from .workflow import ingest as do_ingest

    res = do_ingest(source, db, fmt=fmt, progress=_progress(json_out), root=root)
    if json_out:
        _print_json(res)
    else:
        out.print(
            f"{res['format']}: {res['seen']} posts read, {res['new']} new, {res['skipped']} skipped"
            + (" (see `memescope errors`)" if res["skipped"] else "")
        )


@app.command()
@_command
def analyze(
    db: DbOpt = None,
    stages: Annotated[
        str | None, typer.Option(help="Comma-separated stages to run (default: hash,match,ocr,understand,timeline).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
    executor: Annotated[
        str, typer.Option(help="Where per-item work runs: local (processes), serial, or dask (a LocalCluster).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="A Dask scheduler address (tcp://HOST:8786): run on that cluster.", envvar="DASK_SCHEDULER_ADDRESS"
        ),
    ] = None,
    ocr_engine: Annotated[str, typer.Option(help="OCR engine name.")] = DEFAULT_OCR_ENGINE,
    retry_errors: Annotated[bool, typer.Option(help="Try previously skipped items again.")] = False,
    features_dir: Annotated[
        Path | None, typer.Option(help="Also write image features as Parquet shards here (run=<id>/part-*.parquet).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Run the pipeline over everything pending in the store; a killed run resumes where it stopped.

    Example: memescope analyze --db imgflip.db --workers 2   (or --scheduler tcp://10.0.0.5:8786)
    """
    from .workflow import analyze as do_analyze

    names = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
    res = do_analyze(
        db,
        stages=names,
        workers=workers,
        executor=executor,
        ocr_engine=ocr_engine,
        retry_errors=retry_errors,
        scheduler=scheduler,
        progress=_progress(json_out),
        features_dir=str(features_dir) if features_dir else None,
    )
    if json_out:
        _print_json(res)
    else:
        out.print(_stage_table(res))


@app.command()
@_command
def report(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write report.html, report.json and figures/ into.")],
    db: DbOpt = None,
    template: Annotated[str | None, typer.Option(help="Only this template.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the report from what the store holds (nothing is recomputed).

    Example: memescope report --out out --db imgflip.db
    """
    from .workflow import report as do_report

    res = do_report(out_dir, db, template=template)
    if json_out:
        _print_json({k: v for k, v in res.items() if k != "report"})
    else:
        r = res["report"]
        out.print(f"{len(r['templates'])} templates, {len(r['findings'])} change points")
        for f in r["findings"][:8]:
            out.print(f"  - {f['text']}", markup=False)
        out.print(f"report: {res['html']}")


@app.command()
@_command
def errors(
    db: DbOpt = None,
    stage: Annotated[str | None, typer.Option(help="Only this stage (ingest, hash, match, ocr, ...).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List every skipped item with its stage and reason.

    Example: memescope errors --stage hash
    """
    from .store import open_store

    with open_store(db) as store:
        rows = [e.to_dict() for e in store.errors(stage)]
    if json_out:
        _print_json(rows)
        return
    if not rows:
        out.print("no skipped items")
        return
    t = Table()
    for c in ("stage", "item", "reason", "detail"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*(escape(x) for x in (r["stage"], r["item"], r["reason"], (r["detail"] or "")[:120])))
    out.print(t)


@app.command()
@_command
def export(
    path: Annotated[Path, typer.Argument(help="Output file: .parquet or .csv.")],
    table: Annotated[
        str,
        typer.Option(
            "--table",
            help="posts (one row per post), series (posts per bin per template, "
            "community and variant) or change_points.",
        ),
    ] = "posts",
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Export posts (template, variant, texts, sentiment, contexts, use), series or change points to
    Parquet or CSV.

    Example: memescope export series.csv --table series --db imgflip.db
    """
    from .workflow import export as do_export

    res = do_export(path, db, table=table)
    if json_out:
        _print_json(res)
    else:
        out.print(f"{res['rows']} rows, {len(res['columns'])} columns -> {res['path']}")


@app.command("near-duplicates")
@_command
def near_duplicates_cmd(
    features_dir: Annotated[Path, typer.Argument(help="The folder given to analyze --features-dir.")],
    max_distance: Annotated[
        int, typer.Option(help="Largest pHash Hamming distance (bits) to report.", min=0, max=64)
    ] = 8,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the pairs to a .parquet or .csv file.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Find near-duplicate image pairs across Parquet feature shards with DuckDB.

    Example: memescope near-duplicates features/ --max-distance 6 --out pairs.parquet
    """
    from .store.shards import near_duplicates

    pairs = near_duplicates(features_dir, max_distance, out_file)
    if json_out:
        _print_json([{"a": a, "b": b, "distance": d} for a, b, d in pairs])
    else:
        out.print(f"{len(pairs)} pairs within {max_distance} bits" + (f" -> {out_file}" if out_file else ""))


@app.command()
@_command
def match(
    images: Annotated[list[Path], typer.Argument(help="Images to identify.")],
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Tell which registered template each image shows, how sure, and where in the picture.

    Example: memescope match meme1.jpg meme2.png --json
    """
    from .workflow import match_images

    res = match_images(images, db)
    if json_out:
        _print_json(res)
        return
    for r in res:
        if "error" in r and r.get("template") is None:
            out.print(f"{r['image']}: skipped ({r['error']})")
        else:
            out.print(
                f"{r['image']}: {r['template'] or 'no template'} (score {r['score']}, {r['method']}"
                f"{', verified' if r['verified'] else ''})"
            )


@app.command()
@_command
def ocr(
    images: Annotated[list[Path], typer.Argument(help="Images to read.")],
    engine: Annotated[str, typer.Option(help="OCR engine name.")] = DEFAULT_OCR_ENGINE,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Match each image to this store's templates first and read only what the caption added "
            "(default: read the image as it is).",
            envvar="MEMESCOPE_DB",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Read the caption text off images.

    Example: memescope ocr meme.jpg --db memescope.db --json
    """
    from .workflow import ocr_images

    res = ocr_images(images, engine, db)
    if json_out:
        _print_json(res)
        return
    for r in res:
        out.print(f"{r['image']}: " + (f"skipped ({r['error']})" if "error" in r else repr(r["clean"])), markup=False)


def _print_caption(r: dict) -> None:
    probs = " ".join(f"{u} {p:.0%}" for u, p in sorted((r.get("use_probs") or {}).items(), key=lambda kv: -kv[1]))
    why = (
        "; ".join(
            f"{c['cue']}" + (f" ({', '.join(c['found'])})" if c["found"] else "") for c in r.get("use_cues") or []
        )
        or "the wording as a whole"
    )
    ctx = ", ".join(f"{c} ({', '.join(r['cues'][c])})" for c in r["contexts"]) or "none"
    emo = ", ".join(f"{e} ({', '.join(c)})" for e, c in r["emotion_cues"].items()) or "none"
    out.print(f"{r['text']!r}", markup=False)
    if r.get("use") is None:
        out.print(
            f"  sentiment {r['sentiment_label']} {r['sentiment']:+.2f}; emotions: {emo}; context: {ctx}", markup=False
        )
        return
    out.print(f"  use: {r['use']}  [{probs}]", markup=False)
    out.print(f"  because: {why}", markup=False)
    if r.get("words"):
        out.print(
            "  words that mattered: " + ", ".join(f"{w['word']} (-{w['drop']:.0%})" for w in r["words"]), markup=False
        )
    out.print(
        f"  humour {r['humour']:.2f}, sarcasm {r['sarcasm']:.2f}; polarity {r['polarity_label']} "
        f"(P(positive) {r['polarity']:.2f}; VADER {r['sentiment']:+.2f}); emotion {r['emotion']}",
        markup=False,
    )
    off = f"offensive {r['offensive']:.2f}" + (
        f" ({', '.join(r['offensive_cues'])})" if r.get("offensive_cues") else ""
    )
    out.print(f"  {off}; lexicon emotions: {emo}; context: {ctx}", markup=False)


@app.command(context_settings={"ignore_unknown_options": True})
@_command
def classify(
    texts: Annotated[
        list[str] | None,
        typer.Argument(
            help="Caption texts ('-' alone: read captions from standard input). A caption that starts "
            "with '-' works as it is, or after '--'."
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            "-f",
            help="Read captions from a file ('-': standard input): one per line, or a column of a .csv or .jsonl file.",
        ),
    ] = None,
    column: Annotated[str, typer.Option(help="The column (CSV) or key (JSON lines) that holds the caption.")] = "text",
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="lines, csv or jsonl (default: by the file's suffix; lines on stdin)."),
    ] = None,
    template: Annotated[
        str | None, typer.Option(help="A registered template: its mood (affect) becomes a cue.")
    ] = None,
    affect: Annotated[
        str | None, typer.Option(help="The picture's mood when no template is registered, e.g. sad.")
    ] = None,
    explain: Annotated[
        bool | None,
        typer.Option(
            help="Also find the words that drove each decision (by leaving each out; default: on for up "
            "to 20 captions)."
        ),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write one row per caption to a .csv or .jsonl file.")
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """How each caption is used (sincere, humorous, sarcastic, other, or uncertain) and why: calibrated
    probabilities, the cues that drove the decision, polarity, emotion, offensiveness, VADER's sentiment
    and context tags. Captions come as arguments, from a file, or from standard input.

    Example: memescope classify "oh great, another zoom happy hour" --affect sad
    (or: cat captions.txt | memescope classify -)
    """
    from .corpus.captions import read_captions
    from .workflow import classify_texts, write_rows

    given = list(texts or [])
    source = file if file is not None else "-" if given == ["-"] else None
    captions = list(read_captions(source, column, fmt)) if source is not None else given
    if not captions:
        raise typer.BadParameter("no captions: give some as arguments, or --file FILE, or '-' for standard input")
    res = classify_texts(
        captions,
        template=template,
        affect=affect,
        db=db,
        explain=explain if explain is not None else len(captions) <= 20,
    )
    if out_file is not None:
        info = write_rows(res, out_file)
        err.print(f"{info['rows']} captions -> {info['path']}")
    if json_out:
        _print_json(res)
    elif out_file is None:
        for r in res:
            _print_caption(r)


@app.command()
@_command
def train(
    data: Annotated[
        Path | None, typer.Option(help="A folder laid out as ../shared/data: metmeme/ and memotion/ inside.")
    ] = None,
    metmeme: Annotated[Path | None, typer.Option(help="MET-Meme's metmeme_en_train.json (instead of --data).")] = None,
    memotion: Annotated[Path | None, typer.Option(help="Memotion's memotion_dev.csv (instead of --data).")] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the model, metrics.json, reliability.png and MODEL_CARD.md.")
    ] = Path("use-model"),
    minilm: Annotated[bool, typer.Option(help="Let the heads use MiniLM sentence embeddings too (5x slower).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Refit the caption model (use, polarity, emotion, offensiveness) from MET-Meme, Memotion and the
    project's own captions; evaluate it on rows and patterns it never saw; write the model with its card.
    Use it with MEMESCOPE_USE_MODEL=DIR, or write it over the shipped one (make model).

    Example: memescope train --data ../shared/data --out use-model
    """
    from .workflow import train_model

    res = train_model(out_dir, data, metmeme, memotion, minilm)
    if json_out:
        _print_json(res)
        return
    m = res["metrics"]
    met = m["metmeme_test"]
    out.print(f"model {res['meta']['version']} written to {out_dir}/ (MODEL_CARD.md has the figures)", markup=False)
    for task in ("use", "polarity", "offensive", "emotion"):
        r = met[task]
        out.print(
            f"  MET-Meme held out, {task}: macro-F1 {r['macro_f1']:.3f} {r['macro_f1_ci95']} "
            f"(TF-IDF {r['baselines']['tfidf_logreg']['macro_f1']:.3f}, majority {r['baselines']['majority']:.3f})",
            markup=False,
        )
    out.print(
        f"  project captions, held-out patterns, four uses: macro-F1 {m['project_val']['macro_f1']:.3f}", markup=False
    )


@app.command()
@_command
def serve(
    db: DbOpt = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="The analysis store to publish (default: --db itself when it is SQLite)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    republish: Annotated[bool, typer.Option(help="Publish the analysis again even if it did not change.")] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated addresses, e.g. "
            "127.0.0.1 behind a local nginx). Default: none, so clients cannot choose the address rate limits see."
        ),
    ] = None,
    https_only: Annotated[
        bool,
        typer.Option(help="Always mark session cookies Secure (they are anyway on requests that came over HTTPS)."),
    ] = False,
) -> None:
    """Serve the web app: templates, instances, search by picture or words, and a moderated discussion
    under every meme. --db takes a SQLite file or postgresql://user@host/db.

    Example: memescope serve --db demo-out/memescope.db --port 8000   (behind nginx: --forwarded-allow-ips 127.0.0.1)
    """
    from .web import WebConfig, create_app, prepare

    try:
        import uvicorn
    except ImportError:
        from .exceptions import NotInstalledError

        raise NotInstalledError("uvicorn", "web") from None
    web, res = prepare(db, source, force=republish)
    err.print(
        "analysis unchanged since the last publish"
        if res.get("skipped")
        else f"published {res['templates']} templates and {res['instances']:,} instances"
    )
    err.print(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: here only from the proxies named
    proxies = forwarded_allow_ips.strip() if forwarded_allow_ips else ""
    uvicorn.run(
        create_app(web, WebConfig(https_only=https_only)),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or "",
    )


@app.command()
@_command
def moderator(
    name: Annotated[str, typer.Argument(help="A registered user's name.")],
    revoke: Annotated[bool, typer.Option(help="Take the role away instead.")] = False,
    db: DbOpt = None,
) -> None:
    """Make a registered user a moderator of the web app's discussion (or revoke it).

    Example: memescope moderator alice --db memescope.db
    """
    from .web import open_web_db, set_moderator

    set_moderator(open_web_db(db), name, on=not revoke)
    out.print(f"{name} is {'no longer ' if revoke else ''}a moderator")


@templates_app.command("add")
@_command
def templates_add(
    name: Annotated[str, typer.Argument(help="Template name.")],
    images: Annotated[list[Path], typer.Argument(help="One or more reference images.")],
    description: Annotated[str | None, typer.Option(help="What the picture shows and means.")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name (repeatable).")] = None,
    affect: Annotated[str | None, typer.Option(help="The picture's own mood, e.g. sad.")] = None,
    db: DbOpt = None,
) -> None:
    """Register a template (or add reference images to one).

    Example: memescope templates add crying-behind-mask mask.png --description "weeping behind a smiling mask"
    """
    from .store import open_store
    from .templates import add_template

    with open_store(db) as store:
        tid = add_template(store, name, list(images), description=description, aliases=alias, affect=affect)
    out.print(f"template {name} (id {tid}): {len(images)} reference image(s)")


@templates_app.command("list")
@_command
def templates_list(db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """List templates with their reference images and posts.

    Example: memescope templates list --json
    """
    from .store import open_store
    from .templates import list_templates

    with open_store(db) as store:
        rows = list_templates(store)
    if json_out:
        _print_json(rows)
        return
    t = Table()
    for c in ("name", "references", "posts", "description"):
        t.add_column(c)
    for r in rows:
        t.add_row(escape(r["name"]), str(r["n_images"]), str(r["n_posts"]), escape((r["description"] or "")[:60]))
    out.print(t)


@templates_app.command("import")
@_command
def templates_import_gallery(
    gallery: Annotated[
        Path,
        typer.Argument(
            help="A folder of pictures (file or sub-folder names are template names) or a CSV of name, image, "
            "description, affect, aliases."
        ),
    ],
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Load a whole gallery of templates in one call. Pictures that cannot be read are recorded with
    their reason (`memescope errors`) and the rest is loaded.

    Example: memescope templates import gallery/ --db memes.db
    """
    from .store import open_store
    from .templates import import_gallery

    with open_store(db) as store:
        res = import_gallery(store, gallery, progress=_progress(json_out))
    if json_out:
        _print_json(res)
        return
    out.print(
        f"{res['templates']} templates, {res['references']} reference pictures; {res['skipped']} skipped"
        + (" (see `memescope errors`)" if res["skipped"] else ""),
        markup=False,
    )


@templates_app.command("import-imgflip")
@_command
def templates_import(
    templates_json: Annotated[Path, typer.Argument(help="The ImgFlip575K templates.json.")],
    db: DbOpt = None,
) -> None:
    """Import templates (names, aliases, reference images) from the ImgFlip575K layout.

    Example: memescope templates import-imgflip ../shared/data/imgflip575k/templates.json
    """
    from .store import open_store
    from .templates import import_imgflip_templates

    with open_store(db) as store:
        n = import_imgflip_templates(store, templates_json)
    out.print(f"{n} templates imported")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
