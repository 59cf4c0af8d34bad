"""The runner: hostile files recorded and skipped, kill -9 and resume, executors agree item by item."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memescope.corpus import ingest
from memescope.exceptions import UnknownNameError
from memescope.pipeline import analyze
from memescope.store import open_store

from .conftest import jpeg, random_picture, write_manifest


def test_hostile_files_are_recorded_and_the_run_goes_on(store, hostile_dir, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(hostile_dir, folder)
    ingest(store, folder)
    # missing.jpg was never there, so ingest has nothing to record; the six files on disk reach the run
    res = analyze(store, stages=["hash", "match"], executor="serial")
    assert res["status"] == "done"
    assert store.counts()["features"] == 2  # good.jpg, good2.png
    reasons = {Path(e.item).name if "/" in e.item else e.item: e.reason for e in store.errors("hash")}
    assert sorted(reasons.values()) == [
        "decompression bomb", "decompression bomb", "empty file", "not an image", "truncated image"
    ]
    # a second run does not retry what was recorded, and --retry-errors does
    again = analyze(store, stages=["hash"], executor="serial")
    assert again["stages"][0]["items"] == 0 and again["stages"][0]["errors"] == 0
    retry = analyze(store, stages=["hash"], executor="serial", retry_errors=True)
    assert retry["stages"][0]["errors"] == 5


def test_unknown_stage_fails_before_any_work(store):
    with pytest.raises(UnknownNameError, match="unknown stage 'hsah'"):
        analyze(store, stages=["hash", "hsah"])
    assert store.scalar("SELECT count(*) FROM runs") == 0


def _image_corpus(folder: Path, n: int) -> Path:
    (folder / "images").mkdir(parents=True)
    rows = []
    for i in range(n):
        (folder / "images" / f"{i}.jpg").write_bytes(jpeg(random_picture(i, (96, 72)), 80))
        rows.append({"id": str(i), "image": f"images/{i}.jpg", "created_at": f"20{10 + i % 12}-0{1 + i % 9}-01"})
    return write_manifest(folder, rows)


def _features(db: Path) -> dict:
    s = open_store(db)
    try:
        return {r[0]: tuple(r[1:]) for r in s.query("SELECT sha256, phash, phash_full, phash_mirror, box FROM features")}
    finally:
        s.close()


@pytest.mark.slow
def test_kill_and_resume_loses_and_duplicates_nothing(tmp_path):
    manifest = _image_corpus(tmp_path / "c", 1500)
    db = tmp_path / "run.db"
    s = open_store(db)
    ingest(s, manifest)
    s.close()
    cmd = [sys.executable, "-m", "memescope.cli", "analyze", "--db", str(db), "--stages", "hash", "--executor", "serial"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline:
        time.sleep(0.05)
        try:
            done = len(_features(db))
        except Exception:
            continue
        if done >= 64:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < done < 1500, "the run must be killed mid-way for this test to mean anything"
    partial = _features(db)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    resumed = _features(db)
    assert len(resumed) == 1500
    assert all(resumed[k] == v for k, v in partial.items())
    # and the result equals a clean, uninterrupted run
    clean = tmp_path / "clean.db"
    s = open_store(clean)
    ingest(s, manifest)
    analyze(s, stages=["hash"], executor="serial")
    s.close()
    assert _features(clean) == resumed
    s = open_store(db)
    assert s.scalar("SELECT count(*) FROM errors") == 0
    assert [r[0] for r in s.query("SELECT status FROM runs ORDER BY id")][-1] == "done"
    s.close()


@pytest.mark.slow
def test_process_pool_and_serial_agree_item_by_item(tmp_path):
    manifest = _image_corpus(tmp_path / "c", 120)
    results = {}
    for ex in ("serial", "local"):
        db = tmp_path / f"{ex}.db"
        s = open_store(db)
        ingest(s, manifest)
        analyze(s, stages=["hash", "match", "understand", "timeline"], executor=ex, workers=2)
        s.close()
        results[ex] = _features(db)
    assert len(results["serial"]) == 120 and results["serial"] == results["local"]
