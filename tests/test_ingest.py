"""Ingest and store: idempotency, every reader, bad items recorded with their reason, store guards."""

from __future__ import annotations

import gzip
import json
import sqlite3

import pytest

from memescope.corpus import detect_reader, ingest, parse_date
from memescope.exceptions import IngestError, StoreError, UnknownNameError
from memescope.store import open_store
from memescope.store.schema import MIGRATIONS

from .conftest import jpeg, old_store, random_picture, write_manifest

from hypothesis import given
from hypothesis import strategies as st
from datetime import datetime, timezone


def _images(folder, n):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"img{i}.jpg").write_bytes(jpeg(random_picture(i)))


def test_manifest_ingest_is_idempotent(store, tmp_path):
    _images(tmp_path / "images", 3)
    rows = [{"id": f"p{i}", "image": f"images/img{i}.jpg", "created_at": "2019-05-0%d" % (i + 1), "community": "r/x"} for i in range(3)]
    rows.append({"id": "t1", "text": "a text-only post about nothing", "created_at": 1583020800})
    m = write_manifest(tmp_path, rows)
    first = ingest(store, m)
    again = ingest(store, m)
    assert (first["new"], first["seen"]) == (4, 4)
    assert (again["new"], again["seen"]) == (0, 4)
    assert store.counts()["posts"] == 4 and store.counts()["images"] == 3
    row = store.query("SELECT created_at, image_sha256 FROM posts WHERE id='t1'")[0]
    assert row[0] == "2020-03-01T00:00:00" and row[1] is None


def test_same_image_in_two_posts_is_one_image(store, tmp_path):
    _images(tmp_path / "a", 1)
    (tmp_path / "b.jpg").write_bytes((tmp_path / "a" / "img0.jpg").read_bytes())
    m = write_manifest(tmp_path, [{"id": "1", "image": "a/img0.jpg"}, {"id": "2", "image": "b.jpg"}])
    ingest(store, m)
    assert store.counts()["posts"] == 2 and store.counts()["images"] == 1


def test_folder_with_sidecars_and_copies(store, tmp_path):
    _images(tmp_path / "f" / "sub", 2)
    (tmp_path / "f" / "copy.jpg").write_bytes((tmp_path / "f" / "sub" / "img0.jpg").read_bytes())
    (tmp_path / "f" / "sub" / "img1.jpg.json").write_text(json.dumps({"id": "named", "community": "tumblr", "created_at": "2021-02-03"}))
    (tmp_path / "f" / "notes.txt").write_text("ignored")
    res = ingest(store, tmp_path / "f")
    assert res["format"] == "folder"
    # a copy without a sidecar has the same content id: one post
    assert store.counts()["posts"] == 2
    assert store.scalar("SELECT community FROM posts WHERE id='named'") == "tumblr"
    assert ingest(store, tmp_path / "f")["new"] == 0


def test_bad_items_are_recorded_and_the_rest_goes_on(store, tmp_path):
    _images(tmp_path / "images", 1)
    (tmp_path / "posts.jsonl").write_text(
        json.dumps({"id": "ok", "image": "images/img0.jpg"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "gone", "image": "images/nope.jpg"}) + "\n"
        + json.dumps({"image": "images/img0.jpg"}) + "\n"
        + json.dumps({"id": "when", "created_at": "last tuesday"}) + "\n"
        + json.dumps({"id": "fine", "text": "still here"}) + "\n"
    )
    res = ingest(store, tmp_path / "posts.jsonl")
    assert res["new"] == 2 and res["skipped"] == 4
    reasons = sorted(e.reason for e in store.errors("ingest"))
    assert reasons == ["bad date", "bad json", "missing file", "missing id"]


def test_csv_manifest(store, tmp_path):
    (tmp_path / "m.csv").write_text("id,text,created_at,community,template\n1,hello there,2020-01-05,r/a,X\n2,,2020-02-05T10:00:00+02:00,r/b,\n")
    ingest(store, tmp_path / "m.csv")
    assert store.scalar("SELECT created_at FROM posts WHERE id='2'") == "2020-02-05T08:00:00"
    assert store.scalar("SELECT template_hint FROM posts WHERE id='1'") == "X"
    assert store.scalar("SELECT count(*) FROM templates WHERE name='X'") == 1


def test_manifest_dates_may_say_how_far_off_they_are(store, tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("id,text,created_at,date_error_days,date_approx\n1,a,2020-03-01,10,\n2,b,2020-03-02,,\n3,c,2020-03-03,,yes\n"
                 "4,d,2020-03-04,soon,\n5,e,2020-03-05,-3,\n")
    res = ingest(store, p)
    assert res["new"] == 3 and res["skipped"] == 2
    got = {r[0]: (r[1], r[2]) for r in store.query("SELECT id, date_approx, date_error_days FROM posts")}
    assert got == {"1": (1, 10.0), "2": (0, None), "3": (1, None)}  # an error says the date is an estimate
    assert {e.reason for e in store.errors()} == {"bad date error"}


def test_csv_without_id_column_is_a_clear_error(store, tmp_path):
    (tmp_path / "m.csv").write_text("name,text\na,b\n")
    with pytest.raises(IngestError, match="'id' column"):
        ingest(store, tmp_path / "m.csv")


def test_imgflip_layout(store, tmp_path):
    d = tmp_path / "captions"
    d.mkdir()
    posts = [{"id": "3z1dty", "template": "Sad-Robot", "approx_date": "2020-04-19", "boxes": ["top words", "bottom words"],
              "title": "a title", "author": "someone", "views": 10, "votes": 2},
             {"id": "3z1dtz", "approx_date": "2020-04-20", "boxes": ["only one box"]}]
    with gzip.open(d / "Sad-Robot.jsonl.gz", "wt") as f:
        f.write("".join(json.dumps(p) + "\n" for p in posts))
    (d / "Happy-Robot.json").write_text(json.dumps([{"id": "abc", "approx_date": "2019-01-01", "boxes": ["x", ""]},
                                                    {"id": "0old", "approx_date": "2015-06-01", "boxes": ["y"]}]))
    res = ingest(store, d)
    assert res["format"] == "imgflip" and res["new"] == 4 and res["templates"] == 2
    # the data's own word on its estimated dates: within weeks once anchored (late 2018), rough before
    assert dict(store.query("SELECT id, date_error_days FROM posts")) == {"3z1dty": 14, "3z1dtz": 14, "abc": 14, "0old": 182}
    row = store.query("SELECT text, title, template_hint, date_approx, community FROM posts WHERE id='3z1dty'")[0]
    assert tuple(row) == ("top words\nbottom words", "a title", "Sad-Robot", 1, "imgflip")
    assert store.scalar("SELECT template_hint FROM posts WHERE id='3z1dtz'") == "Sad-Robot"


def test_pushshift(store, tmp_path):
    p = tmp_path / "rs.ndjson"
    p.write_text(json.dumps({"id": "abc", "created_utc": 1584000000, "subreddit": "memes", "author": "u", "title": "stuck inside again", "url": "https://example.invalid/x.jpg"}) + "\n")
    res = ingest(store, p)
    assert res["format"] == "reddit"
    row = store.query("SELECT key, community, title, created_at FROM posts")[0]
    assert tuple(row) == ("reddit:abc", "r/memes", "stuck inside again", "2020-03-12T08:00:00")


def test_unknown_sources_fail_loudly(tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        detect_reader(tmp_path / "nothing")
    (tmp_path / "x.bin").write_bytes(b"\0\1")
    with pytest.raises(IngestError, match="cannot tell the format"):
        detect_reader(tmp_path / "x.bin")
    with pytest.raises(UnknownNameError, match="unknown corpus format 'nope'"):
        detect_reader(tmp_path / "x.bin", "nope")


def test_store_guards(tmp_path):
    with pytest.raises(StoreError, match="unsupported store URL"):
        open_store("mysql://localhost/db")
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "no" / "such" / "dir.db")
    path = tmp_path / "new.db"
    open_store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer memescope"):
        open_store(path)
    s = open_store(f"sqlite:///{tmp_path / 'url.db'}")
    assert s.scalar("PRAGMA journal_mode") == "wal"
    s.close()


def test_a_store_from_before_scopes_keeps_its_series(tmp_path):
    # schema 7 rebuilt the series table with a wider key: rows written by the older schema must survive
    path = tmp_path / "old.db"
    con = old_store(path, 6)
    con.execute("INSERT INTO series(template, bin, bin_unit, n, context_n, sentiment, use_n) VALUES ('T', '2020-03-01', 'month', 5, '{}', 0.1, '{}')")
    con.execute("INSERT INTO change_points(template, kind, date, before, after) VALUES ('T', 'volume', '2020-03-01', 1, 5)")
    con.close()
    s = open_store(path)
    assert [tuple(r) for r in s.query("SELECT template, scope, bin, n FROM series")] == [("T", "", "2020-03-01", 5)]
    assert s.scalar("SELECT scope FROM change_points") == ""
    s.execute("INSERT INTO series(template, scope, bin, bin_unit, n, context_n) VALUES ('T', 'community:r/x', '2020-03-01', 'month', 2, '{}')")
    s.close()


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2026, 1, 1)))
def test_parse_date_round_trips(dt):
    dt = dt.replace(microsecond=0)
    iso = dt.strftime("%Y-%m-%dT%H:%M:%S")
    assert parse_date(iso) == iso
    assert parse_date(dt.replace(tzinfo=timezone.utc).timestamp()) == iso
    assert parse_date(iso + "Z") == iso
