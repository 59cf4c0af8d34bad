"""Report schema on a real analyzed store, and the CLI: every command has help with an example,
errors become clean messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from memescope.cli import app
from memescope.corpus import ingest
from memescope.pipeline import analyze
from memescope.report import SCHEMA, build_report, validate_report, write_report

from .conftest import write_manifest

runner = CliRunner()

TEMPLATE_KEYS = {"name", "description", "aliases", "affect", "instances", "images", "first_seen", "first_post",
                 "first_by_community", "communities", "match_methods", "sentiment_mean", "contexts", "uses", "bin_unit",
                 "timeline", "change_points", "samples", "references", "scopes"}


@pytest.fixture
def text_store(store, tmp_path):
    """A text-only corpus with a planted pandemic shift in March 2020 (our own sentences)."""
    rows = []
    for m in range(36):
        y, mo = 2018 + m // 12, 1 + m % 12
        for i in range(20):
            after = (y, mo) >= (2020, 3)
            text = "stuck in lockdown again" if after and i % 5 < 2 else f"when the bus is late number {i}"
            rows.append({"id": f"{m}-{i}", "text": text, "created_at": f"{y}-{mo:02d}-{1 + i:02d}",
                         "community": "r/a" if i % 2 else "r/b", "template": "Bus-Meme"})
    ingest(store, write_manifest(tmp_path, rows))
    analyze(store, executor="serial")
    return store


def test_report_json_schema(text_store, tmp_path):
    rep = build_report(text_store)
    assert rep["schema"] == SCHEMA
    validate_report(rep)  # report.schema.json: every key, its type and range
    assert rep["corpus"]["posts"] == 720 and rep["corpus"]["text_only"] == 720
    (t,) = rep["templates"]
    assert set(t) >= TEMPLATE_KEYS
    assert t["name"] == "Bus-Meme" and t["instances"] == 720 and t["first_seen"].startswith("2018-01-01")
    assert t["first_by_community"] == {"r/b": "2018-01-01", "r/a": "2018-01-02"}
    assert t["spread"]["origin"] == {"date": "2018-01-01", "community": "r/b"}
    assert [(c["community"], c["lag_days"]) for c in t["spread"]["first_by_community"]] == [("r/b", 0), ("r/a", 1)]
    assert rep["corpus"]["spread"]["origin"]["community"] == "r/b"
    assert all(set(b) == {"bin", "n", "contexts", "uses", "sentiment"} for b in t["timeline"])
    ctx = [cp for cp in t["change_points"] if cp["kind"] == "context:pandemic"]
    assert len(ctx) == 1
    cp = ctx[0]
    unit = t["bin_unit"]
    # found on the template's bins, then placed to the day: March 1 itself, not the bin that holds it
    assert cp["unit"] == unit != "day" and cp["date_unit"] == "day" and cp["date"] == "2020-03-01"
    assert cp["before"] == 0.0 and cp["after"] == 0.4
    assert {"date", "date_low", "date_high", "kind", "before", "after", "terms_before", "terms_after", "effect"} <= set(cp)
    assert cp["date_low"] <= cp["date"] <= cp["date_high"]
    assert cp["effect"]["diff_low"] <= 0.4 <= cp["effect"]["diff_high"]
    assert [t["term"] for t in cp["terms_after"][:2]] == ["lockdown", "stuck"] or {"lockdown", "stuck"} <= {t["term"] for t in cp["terms_after"]}
    assert "lockdown" not in {t["term"] for t in cp["terms_before"]}
    assert cp["samples_after"] and all("lockdown" in x for x in cp["samples_after"])
    assert any("pandemic" in f["text"] and f["template"] == "Bus-Meme" for f in rep["findings"])
    json.dumps(rep)  # serializable


LONELY = ["so tired and alone tonight", "i miss everyone and feel awful", "another lonely grey day"]


def _mood_rows() -> list[dict]:
    """Captions that turn from cheerful to lonely on 2020-03-11, neutral ones throughout (our own sentences)."""
    import random
    from datetime import date, timedelta

    rng = random.Random(4)
    cheerful = ["what a lovely sunny morning", "my dog is the best friend ever", "great pizza night with friends"]
    neutral = ["the bus is late again", "monday meetings"]
    rows = []
    for i in range(480):
        day = date(2019, 1, 1) + timedelta(days=(i * 3) // 2)
        mood = LONELY if day >= date(2020, 3, 11) else cheerful
        rows.append({"id": f"m{i}", "text": rng.choice(mood if i % 3 else neutral), "created_at": day.isoformat(),
                     "community": "r/a", "template": "Mood-Meme"})
    return rows


@pytest.fixture
def mood_store(store, tmp_path):
    ingest(store, write_manifest(tmp_path, _mood_rows()))
    analyze(store, executor="serial")
    return store


def test_without_the_use_classifier_the_mood_is_still_drawn(store, tmp_path, monkeypatch):
    import memescope.understand as u

    monkeypatch.setenv("MEMESCOPE_USE_MODEL", "none")
    u.use_model.cache_clear()
    try:
        ingest(store, write_manifest(tmp_path, _mood_rows()))
        analyze(store, executor="serial")
    finally:
        u.use_model.cache_clear()
    res = write_report(store, tmp_path / "out")
    (t,) = res["report"]["templates"]
    assert t["uses"] == {} and any(c["kind"] == "sentiment" for c in t["change_points"])
    assert (tmp_path / "out" / "figures" / "use-Mood-Meme.svg").exists()
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Mood-Meme: mean sentiment of posts with text" in html and "Mood-Meme: share of posts by use" not in html


def test_a_turn_of_mood_is_a_sentiment_change_in_the_report(mood_store, tmp_path):
    rep = build_report(mood_store)
    validate_report(rep)
    (t,) = rep["templates"]
    (cp,) = [c for c in t["change_points"] if c["kind"] == "sentiment"]
    # found on the template's bins, placed to the day of the first lonely caption
    assert cp["date_unit"] == "day" and cp["unit"] != "day" and "2020-03-11" <= cp["date"] <= "2020-03-12"
    assert cp["before"] > 0.3 and cp["after"] < -0.2 and cp["effect"]["diff_high"] < -0.5
    assert {"lonely", "alone"} & {w["term"] for w in cp["terms_after"]}
    # the captions shown after it are on the side the mood turned to
    assert cp["samples_after"] and all(x in LONELY for x in cp["samples_after"])
    assert not [c for c in t["change_points"] if c["kind"].startswith("context")]
    assert any(f["kind"] == "sentiment" and f["text"].startswith("The mean sentiment of captions for Mood-Meme (VADER, -1 to 1) fell")
               for f in rep["findings"])
    html = (Path(write_report(mood_store, tmp_path / "out")["html"])).read_text()
    assert "mean sentiment</span>" in html and "of posts with text" in html


def test_report_files_are_self_contained(text_store, tmp_path):
    res = write_report(text_store, tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert json.loads((tmp_path / "out" / "report.json").read_text())["schema"] == SCHEMA
    # nothing is fetched from elsewhere when the file is opened offline
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<svg" in html and "Bus-Meme" in html
    assert (tmp_path / "out" / "figures" / "timeline-Bus-Meme.png").exists()
    assert (tmp_path / "out" / "figures" / "timeline-Bus-Meme.svg").exists()
    assert res["html"].endswith("report.html")


def _commands(cmd, prefix=""):
    yield prefix or "memescope", cmd
    if hasattr(cmd, "commands"):  # a group
        for name, sub in cmd.commands.items():
            yield from _commands(sub, f"{prefix} {name}".strip())


def test_every_command_has_help_with_an_example():
    names = []
    for name, cmd in _commands(get_command(app)):
        names.append(name)
        assert cmd.help and "Example:" in cmd.help, f"{name} lacks an Example: in its help"
        res = runner.invoke(app, [*([] if name == "memescope" else name.split()), "--help"])
        assert res.exit_code == 0 and "Example:" in res.output
    assert {"demo", "ingest", "analyze", "report", "errors", "export", "match", "ocr", "classify", "templates add"} <= set(names)


def test_cli_errors_are_clean(tmp_path):
    res = runner.invoke(app, ["ingest", str(tmp_path / "missing"), "--db", str(tmp_path / "x.db")])
    assert res.exit_code == 1 and "error:" in res.output and "does not exist" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["ingest", str(tmp_path), "--format", "nope", "--db", str(tmp_path / "x.db")])
    assert res.exit_code == 2 and "unknown corpus format 'nope'" in res.output
    res = runner.invoke(app, ["analyze", "--db", "mysql://x/y"])
    assert res.exit_code == 1 and "unsupported store URL" in res.output
    # brackets in messages are text, not markup: the extra to install must survive
    from memescope.exceptions import NotInstalledError

    assert "memescope[ocr]" in str(NotInstalledError("rapidocr", "ocr"))
    res = runner.invoke(app, ["ingest", str(tmp_path), "--format", "[bold]x[/]", "--db", str(tmp_path / "x.db")])
    assert "'[bold]x[/]'" in res.output


def test_cli_flow_json_and_export(text_store, tmp_path):
    db = text_store.path
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["html"].endswith("report.html")
    res = runner.invoke(app, ["export", str(tmp_path / "posts.parquet"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "posts.parquet")
    assert table.num_rows == 720 and "template" in table.column_names and "contexts" in table.column_names
    res = runner.invoke(app, ["export", str(tmp_path / "posts.csv"), "--db", db])
    assert res.exit_code == 0 and (tmp_path / "posts.csv").read_text().count("\n") == 721
    res = runner.invoke(app, ["classify", "another week of quarantine", "--json"])
    assert json.loads(res.stdout)[0]["contexts"] == {"pandemic": 1.0}
    res = runner.invoke(app, ["errors", "--db", db, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == []


def test_a_change_in_one_community_is_found_in_that_community(store, tmp_path):
    # r/a starts talking lockdown in March 2020, r/b never does: the template moves a little, r/a a lot
    rows = []
    for m in range(36):
        y, mo = 2018 + m // 12, 1 + m % 12
        for i in range(16):
            a = i % 2 == 1
            text = "stuck in lockdown again" if a and (y, mo) >= (2020, 3) and i % 4 == 1 else f"when the bus is late number {i}"
            rows.append({"id": f"{m}-{i}", "text": text, "created_at": f"{y}-{mo:02d}-{1 + i:02d}",
                         "community": "r/a" if a else "r/b", "template": "Bus-Meme"})
    ingest(store, write_manifest(tmp_path, rows))
    analyze(store, executor="serial")
    rep = build_report(store)
    validate_report(rep)
    (t,) = rep["templates"]
    scopes = {sc["scope"]: sc for sc in t["scopes"]}
    assert set(scopes) == {"community:r/a", "community:r/b"} and scopes["community:r/a"]["posts"] == 288
    assert scopes["community:r/a"]["bin_unit"] == t["bin_unit"]  # parts line up with the whole
    (cp,) = [c for c in scopes["community:r/a"]["change_points"] if c["kind"] == "context:pandemic"]
    assert cp["date"] == "2020-03-02" and cp["before"] == 0 and cp["after"] == 0.5  # r/a's first post of March
    assert "(in r/a)" in cp["text"] and "lockdown" in {w["term"] for w in cp["terms_after"]}
    assert not [c for c in scopes["community:r/b"]["change_points"] if c["kind"].startswith("context")]
    (whole,) = [c for c in t["change_points"] if c["kind"] == "context:pandemic"]
    # placed to the day, the whole template's change starts with the first lockdown post (2 March): after
    # it, 4 of 16 posts a month for 10 months, less the 1 March post
    assert whole["date"] == "2020-03-02" and whole["after"] == round(40 / 159, 4)
    assert {sc["scope"] for sc in rep["corpus"]["scopes"]} == {"community:r/a", "community:r/b"}
    # the figure per community is in the report
    res = write_report(store, tmp_path / "r")
    assert (tmp_path / "r" / "figures" / "community-Bus-Meme.svg").exists()
    assert "By community" in (tmp_path / "r" / "report.html").read_text()
    # series and change points export with their scope
    out = runner.invoke(app, ["export", str(tmp_path / "series.csv"), "--table", "series", "--db", store.path, "--json"])
    assert out.exit_code == 0, out.output
    import csv

    series = list(csv.DictReader((tmp_path / "series.csv").open()))
    by_scope = {}
    for r in series:
        if r["template"] == "Bus-Meme":
            by_scope[r["scope"]] = by_scope.get(r["scope"], 0) + int(r["n"])
    assert by_scope == {"": 576, "community:r/a": 288, "community:r/b": 288}
    out = runner.invoke(app, ["export", str(tmp_path / "cps.parquet"), "--table", "change_points", "--db", store.path])
    import pyarrow.parquet as pq

    cps = pq.read_table(tmp_path / "cps.parquet").to_pylist()
    assert any(c["scope"] == "community:r/a" and c["kind"] == "context:pandemic" for c in cps)
    out = runner.invoke(app, ["export", str(tmp_path / "x.csv"), "--table", "nope", "--db", store.path])
    assert out.exit_code != 0 and "choose one of posts, series, change_points" in out.output
    assert res["report"]["templates"][0]["scopes"]
