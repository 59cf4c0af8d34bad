"""Scale-out: the same stages on Dask (a LocalCluster, and a scheduler + worker as separate processes on
loopback) give the same results item by item; a worker killed mid-run loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from memescope.corpus import ingest
from memescope.pipeline import analyze
from memescope.store import open_store

from .test_pipeline import _features, _image_corpus

distributed = pytest.importorskip("distributed")

STAGES = ["hash", "match", "understand", "timeline"]


def _run(tmp_path: Path, manifest: Path, name: str, **kw) -> Path:
    db = tmp_path / f"{name}.db"
    s = open_store(db)
    ingest(s, manifest)
    res = analyze(s, stages=STAGES, **kw)
    assert res["status"] == "done"
    s.close()
    return db


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    return d, _image_corpus(d / "c", 300)


@pytest.fixture(scope="module")
def serial(corpus):
    d, manifest = corpus
    return _features(_run(d, manifest, "serial", executor="serial"))


@pytest.mark.slow
def test_local_cluster_matches_serial_item_by_item(corpus, serial, tmp_path):
    _, manifest = corpus
    got = _features(_run(tmp_path, manifest, "dask", executor="dask", workers=2))
    assert len(got) == 300 and got == serial


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_separate_scheduler_and_worker_processes(corpus, serial, tmp_path):
    _, manifest = corpus
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    bindir = Path(sys.executable).parent
    procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(2)
        procs.append(subprocess.Popen([str(bindir / "dask"), "worker", addr, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        client = distributed.Client(addr, timeout="30s")
        client.wait_for_workers(2, timeout=60)
        client.close()
        db = tmp_path / "remote.db"
        s = open_store(db)
        ingest(s, manifest)
        s.close()
        # through the CLI, as a user would, with the scheduler given by the environment
        env = dict(os.environ, DASK_SCHEDULER_ADDRESS=addr)
        subprocess.run([sys.executable, "-m", "memescope.cli", "analyze", "--db", str(db), "--stages", ",".join(STAGES)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
        assert _features(db) == serial
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.slow
def test_worker_loss_is_exactly_once(corpus, serial, tmp_path):
    from memescope.pipeline.executors import DaskExecutor
    from memescope.config import PipelineConfig
    from memescope.pipeline import RunContext, stage_registry

    _, manifest = corpus
    db = tmp_path / "loss.db"
    s = open_store(db)
    ingest(s, manifest)
    ex = DaskExecutor(workers=2)
    try:
        pids = list(ex.client.run(os.getpid).values())
        killed = threading.Event()

        class KillOnce:
            """Progress sink that kills a worker process once the first batches have landed."""

            def start(self, stage, total): ...
            def finish(self): ...

            def advance(self, n):
                if not killed.is_set():
                    killed.set()
                    os.kill(pids[0], signal.SIGKILL)

        ctx = RunContext(s, ex, s.start_run("test"), KillOnce(), PipelineConfig(stages=("hash",)))
        count = stage_registry["hash"](ctx)
    finally:
        ex.close()
    assert killed.is_set() and (count.items, count.errors) == (300, 0)
    s.close()
    assert _features(db) == serial


def test_feature_shards_and_duckdb_near_duplicates(tmp_path):
    pytest.importorskip("duckdb")
    import numpy as np
    import pyarrow.parquet as pq
    from PIL import ImageOps

    from memescope.index import hamming_matrix
    from memescope.store.shards import near_duplicates

    from .conftest import jpeg, random_picture, write_manifest

    # 40 pictures, plus a re-compressed copy and a mirrored copy of the first 10: 20 known near-duplicates
    (tmp_path / "i").mkdir()
    rows = []
    for i in range(40):
        im = random_picture(100 + i, (160, 120))
        (tmp_path / "i" / f"{i}.jpg").write_bytes(jpeg(im, 90))
        rows.append({"id": str(i), "image": f"i/{i}.jpg"})
        if i < 10:
            (tmp_path / "i" / f"{i}q.jpg").write_bytes(jpeg(im, 30))
            (tmp_path / "i" / f"{i}m.jpg").write_bytes(jpeg(ImageOps.mirror(im), 90))
            rows += [{"id": f"{i}q", "image": f"i/{i}q.jpg"}, {"id": f"{i}m", "image": f"i/{i}m.jpg"}]
    s = open_store(tmp_path / "s.db")
    ingest(s, write_manifest(tmp_path, rows))
    analyze(s, stages=["hash"], executor="serial", features_dir=str(tmp_path / "features"))
    shards = sorted((tmp_path / "features").glob("run=*/part-*.parquet"))
    table = pq.read_table(shards)
    assert table.num_rows == s.counts()["features"] == 60
    assert set(table.column("sha256").to_pylist()) == {r[0] for r in s.query("SELECT sha256 FROM features")}
    # DuckDB's join equals brute force over the store's hashes (either view, as the join defines it)
    feats = s.query("SELECT sha256, phash, phash_mirror FROM features ORDER BY sha256")
    shas = [r[0] for r in feats]
    d = np.minimum(hamming_matrix([r[1] for r in feats], [r[1] for r in feats]),
                   hamming_matrix([r[1] for r in feats], [r[2] for r in feats]))
    want = {(shas[i], shas[j], int(d[i, j])) for i in range(60) for j in range(60) if shas[i] < shas[j] and d[i, j] <= 8}
    got = near_duplicates(tmp_path / "features", 8, out=tmp_path / "pairs.parquet")
    assert set(got) == want and len(got) >= 20
    assert pq.read_table(tmp_path / "pairs.parquet").num_rows == len(got)
    s.close()


def _malloc_state(_batch):
    import importlib

    executors = importlib.import_module("memescope.pipeline.executors")
    # glibc's thresholds cannot be read back; what can be checked is that the nanny's variable is there
    # or not, and that the reset ran in this worker before the task body
    return [(os.environ.get("MALLOC_TRIM_THRESHOLD_"), executors._MALLOC_DONE)]


@pytest.mark.parametrize("mode, env", [(True, None), ("mallopt", "65536")])
def test_the_nannys_malloc_setting_is_removed_or_undone(mode, env):
    from memescope.pipeline.executors import DaskExecutor

    with DaskExecutor(workers=1, relax_malloc=mode) as ex:
        (result,) = list(ex.map_batches(_malloc_state, [[0]]))
    # clusters memescope starts never get the variable; elsewhere each task resets glibc with mallopt
    assert result == [(env, True)]


def _worker_settings():
    import dask

    return (dask.config.get("distributed.admin.tick.interval"), dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.worker.memory.monitor-interval"))


def test_workers_memescope_starts_run_quiet_housekeeping():
    # their timers cost the two workers of a 2-core machine 5% of a core when left at Dask's defaults
    from memescope.pipeline.executors import DaskExecutor

    with DaskExecutor(workers=1) as ex:
        (got,) = ex.client.run(_worker_settings).values()
    assert got == ("1s", False, "1s")
