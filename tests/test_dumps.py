"""Dumps as they ship: compressed JSON lines and CSV (gzip, bzip2, xz, Zstandard with Reddit's long window),
Parquet manifests, and galleries of templates loaded in one call; damaged input loses only what is damaged."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
from datetime import datetime, timezone

import pytest

from memescope.corpus import ingest
from memescope.corpus.streams import inner_suffix
from memescope.exceptions import TemplateError
from memescope.templates import import_gallery

from .conftest import jpeg, random_picture

zstandard = pytest.importorskip("zstandard")

ROWS = [
    {"id": f"p{i}", "text": f"caption number {i} about the lockdown", "created_at": f"2020-03-{i + 1:02d}",
     "community": "r/a" if i % 2 else "r/b"}
    for i in range(12)
]


def _jsonl() -> bytes:
    return "".join(json.dumps(r) + "\n" for r in ROWS).encode()


def _zstd(data: bytes, window_log: int = 28) -> bytes:
    # a window past the decoder's default limit (2**27), written without the content size, as Reddit's are
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=window_log, write_content_size=0)
    buf = io.BytesIO()
    with zstandard.ZstdCompressor(compression_params=params).stream_writer(buf, closefd=False) as w:
        w.write(data)
    return buf.getvalue()


COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress, ".zst": _zstd}


def _posts(store) -> list[tuple]:
    return [tuple(r) for r in store.query("SELECT id, text, created_at, community FROM posts ORDER BY id")]


def test_inner_suffix_names_the_format_under_the_compression():
    from pathlib import Path

    assert inner_suffix(Path("a/posts.jsonl.zst")) == ".jsonl"
    assert inner_suffix(Path("RS_2020-03.zst")) == ".ndjson"  # Reddit's monthly dumps
    assert inner_suffix(Path("posts.csv.gz")) == ".csv" and inner_suffix(Path("p.parquet")) == ".parquet"


@pytest.mark.parametrize("suffix", list(COMPRESS))
def test_compressed_json_lines_read_like_plain_ones(tmp_path, suffix):
    from memescope.store import open_store

    plain = tmp_path / "plain" / "posts.jsonl"
    plain.parent.mkdir()
    plain.write_bytes(_jsonl())
    packed = tmp_path / "packed" / f"posts.jsonl{suffix}"
    packed.parent.mkdir()
    packed.write_bytes(COMPRESS[suffix](_jsonl()))
    a, b = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
    assert ingest(a, plain)["new"] == ingest(b, packed)["new"] == len(ROWS)
    assert _posts(a) == _posts(b)


def test_the_long_window_of_reddit_dumps_is_allowed(tmp_path, store):
    packed = _zstd(_jsonl())
    with pytest.raises(zstandard.ZstdError):  # what a default decoder says of such a file
        zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read()
    dump = tmp_path / "RS_2020-03.zst"
    reddit = [{"id": f"r{i}", "created_utc": 1583020800 + i * 3600, "subreddit": "memes", "title": f"title {i}"}
              for i in range(5)]
    dump.write_bytes(_zstd("".join(json.dumps(r) + "\n" for r in reddit).encode()))
    res = ingest(store, dump)
    assert res["format"] == "reddit" and res["new"] == 5
    assert {r[0] for r in store.query("SELECT community FROM posts")} == {"r/memes"}


def test_a_truncated_dump_keeps_what_came_before_and_says_why(tmp_path, store):
    data = gzip.compress(_jsonl())
    cut = tmp_path / "posts.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    res = ingest(store, cut)
    assert 0 < res["new"] < len(ROWS) and res["skipped"] == 1
    (err,) = store.errors()
    assert "damaged or truncated" in err.detail
    # a file that only says it is compressed
    fake = tmp_path / "fake.jsonl.xz"
    fake.write_bytes(b"not xz at all\n")
    assert ingest(store, fake)["new"] == 0 and any("damaged" in e.detail for e in store.errors())


def test_compressed_csv_manifest(tmp_path, store):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(ROWS[0]))
    w.writeheader()
    w.writerows(ROWS)
    path = tmp_path / "posts.csv.bz2"
    path.write_bytes(bz2.compress(buf.getvalue().encode()))
    assert ingest(store, path)["new"] == len(ROWS)


def test_parquet_manifest_with_typed_columns(tmp_path, store):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.jpg").write_bytes(jpeg(random_picture(1)))
    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "text": ["one", None, "three"],
        "image": ["img/a.jpg", None, "../outside.jpg"],
        "created_at": pa.array([datetime(2020, 3, 1, 12, tzinfo=timezone.utc), datetime(2020, 3, 2), None],
                               pa.timestamp("s", tz="UTC")),
        "score": [5, 7, 9],
    })
    path = tmp_path / "posts.parquet"
    pq.write_table(table, path, row_group_size=2)
    res = ingest(store, path)
    assert res["format"] == "manifest" and res["new"] == 2 and res["skipped"] == 1  # the image outside the root
    rows = {r[0]: tuple(r[1:]) for r in store.query("SELECT id, created_at, image_sha256 IS NOT NULL, extra FROM posts")}
    assert rows["1"][:2] == ("2020-03-01T12:00:00", 1) and json.loads(rows["1"][2]) == {"score": 5}
    assert rows["2"][:2] == ("2020-03-02T00:00:00", 0)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    from memescope.exceptions import IngestError

    with pytest.raises(IngestError, match="not a readable Parquet file"):
        ingest(store, tmp_path / "broken.parquet")


def _gallery(tmp_path):
    g = tmp_path / "gallery"
    (g / "Distracted Boyfriend").mkdir(parents=True)
    (g / "Distracted Boyfriend" / "one.jpg").write_bytes(jpeg(random_picture(10)))
    (g / "Distracted Boyfriend" / "two.png").write_bytes(jpeg(random_picture(11)))
    (g / "drake_hotline.jpg").write_bytes(jpeg(random_picture(12)))
    (g / "broken.jpg").write_bytes(jpeg(random_picture(13))[:200])
    (g / "notes.txt").write_text("not a picture")
    return g


def test_a_gallery_folder_loads_in_one_call(tmp_path, store):
    res = import_gallery(store, _gallery(tmp_path))
    assert res == {"templates": 2, "references": 3, "skipped": 1}
    names = {t.name: t for t in store.list_templates()}
    assert set(names) == {"Distracted-Boyfriend", "drake-hotline"}
    assert names["Distracted-Boyfriend"].n_images == 2
    (err,) = [e for e in store.errors() if e.stage == "templates"]
    assert err.item == "broken" and err.reason == "bad picture"


def test_a_gallery_csv_with_hostile_rows(tmp_path, store):
    g = _gallery(tmp_path)
    (tmp_path / "secret.jpg").write_bytes(jpeg(random_picture(14)))
    path = g / "gallery.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "image", "description", "affect", "aliases"])
        w.writerow(["crying behind mask", "drake_hotline.jpg", "weeping behind a smiling mask", "sad", "mask; tears"])
        w.writerow(["escape", "../secret.jpg", "", "", ""])
        w.writerow(["", "drake_hotline.jpg", "", "", ""])
        w.writerow(["moody", "drake_hotline.jpg", "", "<script>", ""])
        w.writerow(["text only", "", "a template known by name", "", ""])
    res = import_gallery(store, path)
    assert res == {"templates": 2, "references": 1, "skipped": 3}
    t = {t.name: t for t in store.list_templates()}["crying-behind-mask"]
    assert t.affect == "sad" and t.aliases == ["mask", "tears"]
    reasons = sorted(e.reason for e in store.errors() if e.stage == "templates")
    assert reasons == ["bad affect", "missing name", "outside the gallery"]
    with pytest.raises(TemplateError):
        import_gallery(store, tmp_path / "nothing.txt")


def test_templates_import_command(tmp_path):
    from typer.testing import CliRunner

    from memescope.cli import app

    db = tmp_path / "m.db"
    r = CliRunner().invoke(app, ["templates", "import", str(_gallery(tmp_path)), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout[r.stdout.index("{"):])["templates"] == 2
