"""Hostile corpora: every field of a manifest, every name in a folder, is written by an attacker. One bad
record never fails an ingest; each is recorded with its reason; only valid values are stored; a killed
run is found and marked, and its workers do not outlive it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memescope.corpus import ingest
from memescope.pipeline import analyze
from memescope.store import open_store
from memescope.values import valid_stored_date

from .conftest import jpeg, old_store, random_picture, write_manifest

CONTROL = [chr(c) for c in [*range(0, 9), *range(11, 32), *range(127, 160)]]


def _stored_values_are_valid(store) -> None:
    for row in store.query("SELECT key, text, title, community, author, url, created_at FROM posts"):
        for value in row[1:6]:
            assert value is None or not any(c in value for c in CONTROL), row["key"]
            assert value is None or value.encode("utf-8")
        assert valid_stored_date(row["created_at"]), row["key"]


def test_one_bad_record_never_fails_an_ingest(store, tmp_path):
    (tmp_path / "corpus" / "images").mkdir(parents=True)
    (tmp_path / "corpus" / "images" / "ok.jpg").write_bytes(jpeg(random_picture(1)))
    (tmp_path / "outside.html").write_text("<script>alert(1)</script>")
    os.mkfifo(tmp_path / "corpus" / "images" / "pipe.jpg")
    lines = [
        {"id": "good", "text": "a caption", "image": "images/ok.jpg", "created_at": "2020-03-01"},
        {"id": "epoch-huge", "created_at": 1e20},
        {"id": "epoch-huger", "created_at": 1e300},
        {"id": "list-text", "text": ["not", "a", "string"]},
        {"id": "dict-id-elsewhere", "community": {"a": 1}},
        {"id": {"nested": True}},
        {"id": "month-13", "created_at": "2020-13-45"},
        {"id": "year-0", "created_at": "0000-00-00"},
        {"id": "future", "created_at": "2999-01-01"},
        {"id": "passwd", "image": "../../../../../../etc/passwd"},
        {"id": "html", "image": "../outside.html"},
        {"id": "folder", "image": "images"},
        {"id": "fifo", "image": "images/pipe.jpg"},
        {"id": "js-url", "url": "javascript:alert(1)"},
        {"id": "nul", "text": "a\x00b\x07c", "title": "t\x00"},
    ]
    text = "".join(json.dumps(r) + "\n" for r in lines)
    # JSON that json.dumps would not write: Infinity, and a lone surrogate escape
    text += '{"id": "infinity", "created_at": Infinity}\n{"id": "surrogate", "text": "x\\ud800y"}\n'
    (tmp_path / "corpus" / "posts.jsonl").write_text(text)
    res = ingest(store, tmp_path / "corpus" / "posts.jsonl")
    assert res["new"] == 3 and res["skipped"] == 14
    reasons = sorted(e.reason for e in store.errors("ingest"))
    assert reasons == sorted(["bad date"] * 6 + ["bad text", "bad community", "bad id", "outside the corpus",
                                                 "outside the corpus", "not a file", "not a file", "bad url"])
    stored = {r["id"]: (r["text"], r["title"]) for r in store.query("SELECT id, text, title FROM posts")}
    assert stored == {"good": ("a caption", None), "nul": ("abc", "t"), "surrogate": ("x\ufffdy", None)}
    _stored_values_are_valid(store)
    assert not store.query("SELECT 1 FROM images WHERE path LIKE '%passwd%' OR path LIKE '%.html'")


def test_a_folder_with_hostile_names_and_links(store, tmp_path):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "good.jpg").write_bytes(jpeg(random_picture(2)))
    # a name that is not UTF-8 (bytes a file system allows)
    with open(os.fsencode(root) + b"/caf\xe9.jpg", "wb") as f:
        f.write(jpeg(random_picture(3)))
    os.symlink("loop.jpg", root / "loop.jpg")                     # a link to itself
    os.symlink("nowhere.jpg", root / "broken.jpg")                # a link that leads nowhere
    (tmp_path / "secret.jpg").write_bytes(jpeg(random_picture(4)))
    os.symlink(tmp_path / "secret.jpg", root / "escape.jpg")      # a link out of the corpus
    os.symlink(root / "good.jpg", root / "sub" / "again.jpg")     # a link that stays inside: fine
    os.symlink(tmp_path, root / "up")                             # a linked folder: not entered
    res = ingest(store, root)
    reasons = sorted(e.reason for e in store.errors("ingest"))
    assert reasons == ["bad file name", "bad link", "bad link", "linked folder", "outside the corpus"]
    # the link inside resolves to good.jpg: one image, one post (content-hash ids)
    assert res["new"] == 1 and store.counts()["images"] == 1
    _stored_values_are_valid(store)


def test_a_second_copy_of_an_id_with_other_content_is_recorded(store, tmp_path):
    write_manifest(tmp_path, [{"id": "1", "text": "first"}, {"id": "1", "text": "first"}, {"id": "2", "text": "x"}])
    assert ingest(store, tmp_path / "posts.jsonl")["skipped"] == 0   # the same post twice is one post
    write_manifest(tmp_path, [{"id": "1", "text": "changed", "created_at": "2020-01-01"}], "later.jsonl")
    res = ingest(store, tmp_path / "later.jsonl")
    assert res["new"] == 0 and res["skipped"] == 1
    err = store.errors("ingest")[0]
    assert err.reason == "duplicate id" and "text" in err.detail and "created_at" in err.detail
    assert store.scalar("SELECT text FROM posts WHERE id='1'") == "first"  # the stored post is kept


def test_images_outside_the_manifest_folder_need_a_root(store, tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.jpg").write_bytes(jpeg(random_picture(5)))
    (tmp_path / "meta").mkdir()
    write_manifest(tmp_path / "meta", [{"id": "a", "image": "../images/a.jpg"}])
    assert ingest(store, tmp_path / "meta" / "posts.jsonl")["skipped"] == 1
    res = ingest(store, tmp_path / "meta" / "posts.jsonl", root=tmp_path)
    assert res["new"] == 1 and res["root"] == str(tmp_path.resolve())


def test_impossible_dates_stored_by_an_older_store_are_repaired(tmp_path):
    path = tmp_path / "old.db"
    con = old_store(path, 7)
    for key, created in [("m:a", "2020-13-45"), ("m:b", "0000-00-00"), ("m:c", "2020-03-01")]:
        con.execute("INSERT INTO posts(key, source, id, text, created_at, ingested_at) VALUES (?, 'm', ?, 'words here', ?, '')",
                    (key, key[2:], created))
    con.close()
    s = open_store(path)
    assert dict(s.query("SELECT key, created_at FROM posts")) == {"m:a": None, "m:b": None, "m:c": "2020-03-01"}
    assert sorted(e.item for e in s.errors("ingest")) == ["m:a", "m:b"]
    assert analyze(s, stages=["understand", "timeline"], executor="serial")["status"] == "done"
    s.close()


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_run_is_marked_interrupted_and_its_workers_exit(tmp_path):
    (tmp_path / "c" / "images").mkdir(parents=True)
    rows = []
    for i in range(600):
        (tmp_path / "c" / "images" / f"{i}.jpg").write_bytes(jpeg(random_picture(i, (96, 72)), 80))
        rows.append({"id": str(i), "image": f"images/{i}.jpg"})
    manifest = write_manifest(tmp_path / "c", rows)
    db = tmp_path / "run.db"
    with open_store(db) as s:
        ingest(s, manifest)
    cmd = [sys.executable, "-m", "memescope.cli", "analyze", "--db", str(db), "--stages", "hash", "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.time() + 60
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.1)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the pool must have started for this test to mean anything"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text().split()[2]]
    assert not alive, f"workers outlived their parent: {alive}"
    with open_store(db) as s:
        assert s.query("SELECT status FROM runs")[0][0] == "running"
        analyze(s, stages=["hash"], executor="serial")
        assert [r[0] for r in s.query("SELECT status FROM runs ORDER BY id")] == ["interrupted", "done"]
        assert s.counts()["features"] == 600


# -- generated hostile manifests ------------------------------------------------------------------

_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=30), st.sampled_from(["2020-13-45", "0000-00-00", "1e20", "../../etc/passwd",
                                                           "javascript:x", "\x00", "\ud800", "2020-03-01"]))
_value = st.one_of(_scalar, st.lists(_scalar, max_size=3), st.dictionaries(st.text(max_size=5), _scalar, max_size=3))
_record = st.dictionaries(
    st.sampled_from(["id", "text", "title", "created_at", "community", "author", "url", "template", "image",
                     "date_error_days", "date_approx", "extra\x00field"]),
    _value, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.one_of(_record, st.text(max_size=40)), min_size=1, max_size=12))
def test_generated_hostile_manifests_never_fail_an_ingest(tmp_path, records):
    folder = tmp_path / f"m{abs(hash(json.dumps(records, default=str))) % 10**9}"
    folder.mkdir()
    lines = []
    for r in records:
        # raw text lines are written as they are (bad JSON); objects as JSON, surrogates and all
        lines.append(r.replace("\n", " ").replace("\r", " ") if isinstance(r, str) else json.dumps(r, default=str))
    (folder / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    with open(folder / "posts.jsonl", encoding="utf-8", errors="replace") as f:
        nonblank = sum(1 for line in f if line.strip())
    with open_store(folder / "s.db") as s:
        res = ingest(s, folder / "posts.jsonl")
        stored = s.counts()["posts"]
        errors = len(s.errors("ingest"))
        _stored_values_are_valid(s)
    # every line is a post (new, or the same post again) or a recorded error; a later copy of an id with
    # other content is both read and skipped
    assert res["seen"] + res["skipped"] - res["conflicts"] == nonblank
    assert stored == res["new"] and 0 < errors <= res["skipped"] or errors == res["skipped"] == 0
