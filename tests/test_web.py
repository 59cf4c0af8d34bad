"""The web app against real databases (SQLite, and a private PostgreSQL server when installed): pages,
search by words and picture, accounts, the discussion, moderation, and the attacks it must shrug off."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient  # noqa: E402

from memescope.demo import FOCUS  # noqa: E402
from memescope.web import WebConfig, create_app, open_web_db, prepare, set_moderator  # noqa: E402

from .conftest import jpeg, random_picture  # noqa: E402
from .webkit import PASSWORD, an_instance, comment_ids, csrf_of, post, register  # noqa: E402
XSS = ['<script>alert("x")</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "javascript:alert(1)"]
SQLI = ["' OR 1=1 --", '"; DROP TABLE web_users; --', "1); DELETE FROM web_comments; --"]


def test_pages_show_the_analysis(site):
    new, web = site
    c = new()
    home = c.get("/")
    assert home.status_code == 200 and FOCUS in home.text
    assert "Content-Security-Policy" in home.headers and home.headers["X-Frame-Options"] == "DENY"
    t = c.get(f"/t/{FOCUS}")
    assert t.status_code == 200 and "<svg" in t.text and "Join the discussion" in t.text
    assert "context:pandemic" in t.text  # the change point, as in the report
    assert "Where it spread" in t.text and "r/wholesomememes" in t.text
    key = an_instance(web)
    i = c.get(f"/i/{key}")
    assert i.status_code == 200 and FOCUS in i.text and "because" in i.text
    img = c.get(f"/img/{key}")
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    assert c.get(f"/ref/{FOCUS}").status_code == 200
    assert c.get("/t/no-such-template").status_code == 404


def test_search_by_words(site):
    new, web = site
    c = new()
    word = "lockdown"
    want = {r["key"] for r in web.q("SELECT key, text FROM web_instances") if r["text"] and word in r["text"].lower()}
    assert want
    r = c.get("/search", params={"q": word})
    assert r.status_code == 200 and "<mark>" in r.text.lower()
    got = set(re.findall(r'href="/i/([^"]+)"', r.text))
    from urllib.parse import unquote

    assert {unquote(k) for k in got} <= want and len(got) == min(len(want), 20)
    # partial for HTMX
    assert "<html" not in c.get("/search", params={"q": word}, headers={"HX-Request": "true"}).text


def test_search_by_picture_finds_template_and_duplicates(site):
    new, web = site
    c = new()
    key = an_instance(web)
    path = web.one("SELECT image_path FROM web_instances WHERE key=?", (key,))["image_path"]
    data = open(path, "rb").read()
    r = c.post("/search/image", files={"image": ("meme.jpg", data, "image/jpeg")}, data={"csrf": csrf_of(c, "/search")})
    assert r.status_code == 200, r.text
    assert f"Template: <a href=\"/t/{FOCUS}\"" in r.text
    assert "0 bits apart" in r.text  # the very same picture is among the near-duplicates
    other = jpeg(random_picture(7, (300, 300)))
    r = c.post("/search/image", files={"image": ("x.jpg", other, "image/jpeg")}, data={"csrf": csrf_of(c, "/search")})
    assert r.status_code == 200 and "No registered template" in r.text


def test_uploads_that_are_not_plain_images_are_refused(site, hostile_dir):
    new, _ = site
    c = new()
    good = jpeg(random_picture(3, (200, 200)))
    polyglot_html = good + b"<html><script>alert(1)</script></html>"
    zip_tail = good + b"PK\x03\x04" + b"\x00" * 100
    cases = {
        "huge": (b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024 + 512 * 1024), "larger than 8 MB"),
        "text": ((hostile_dir / "text.jpg").read_bytes(), "not a JPEG, PNG or GIF"),
        "bomb": ((hostile_dir / "bomb.png").read_bytes(), "decompression bomb"),
        "truncated": ((hostile_dir / "truncated.jpg").read_bytes(), "cannot be used"),
        "polyglot-html": (polyglot_html, "polyglot"),
        "polyglot-zip": (zip_tail, "polyglot"),
        "empty": (b"", "empty"),
    }
    for name, (data, why) in cases.items():
        r = c.post("/search/image", files={"image": (f"{name}.jpg", data, "image/jpeg")}, data={"csrf": csrf_of(c, "/search")})
        assert r.status_code == 400, name
        assert "Upload refused" in r.text and why in r.text, (name, re.findall(r"Upload refused: [^<]*", r.text))
    # a body larger than any upload is cut off before it is read
    r = c.post("/search/image", files={"image": ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "image/jpeg")},
               data={"csrf": csrf_of(c, "/search")})
    assert r.status_code == 413 and r.headers["X-Frame-Options"] == "DENY"


def test_accounts_use_argon2_and_keep_email_private(site):
    new, web = site
    a, b = new(), new()
    r = a.post("/register", data={"name": "alice", "email": "alice@secret.example", "password": PASSWORD,
                                  "csrf": csrf_of(a, "/register")}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    register(b, "bob")
    assert web.one("SELECT password_hash FROM web_users WHERE name='alice'")["password_hash"].startswith("$argon2id$")
    assert "alice@secret.example" in a.get("/account").text
    assert "alice@secret.example" not in b.get("/account").text
    assert "alice@secret.example" not in b.get("/u/alice").text
    post(a, f"t:{FOCUS}", "hello")
    assert "alice@secret.example" not in b.get(f"/t/{FOCUS}").text
    # log out, log in, wrong password, open redirect refused
    a.post("/logout", data={"csrf": csrf_of(a)})
    assert "alice@secret.example" not in a.get("/account", follow_redirects=True).text
    r = a.post("/login", data={"name": "alice", "password": "wrong password!", "csrf": csrf_of(a, "/login")})
    assert r.status_code == 400 and "wrong name or password" in r.text
    r = a.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": csrf_of(a, "/login"), "next": "//evil.example/x"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    # names are validated; duplicates refused regardless of case
    r = a.post("/register", data={"name": "<b>x</b>", "password": PASSWORD, "csrf": csrf_of(a, "/register")})
    assert r.status_code == 400
    r = a.post("/register", data={"name": "ALICE", "password": PASSWORD, "csrf": csrf_of(a, "/register")})
    assert r.status_code == 400 and "taken" in r.text


def test_state_changes_without_csrf_are_refused(site):
    new, web = site
    c = new()
    register(c, "carol")
    target = f"t:{FOCUS}"
    for data in ({"body": "no token"}, {"body": "bad token", "csrf": "forged"}):
        assert c.post(f"/c/{target}", data=data).status_code == 403
    assert comment_ids(web, target) == []
    # an attacker's page posting login or logout without the token fails too
    other = new()
    assert other.post("/login", data={"name": "carol", "password": PASSWORD}).status_code == 403
    assert c.post("/logout", data={}).status_code == 403
    # HTMX sends the token as a header
    tok = csrf_of(c)
    r = c.post(f"/c/{target}", data={"body": "via header"}, headers={"X-CSRF-Token": tok, "HX-Request": "true"})
    assert r.status_code == 200 and "via header" in r.text and "<html" not in r.text


def test_xss_payloads_are_inert(site):
    new, web = site
    c = new()
    register(c, "dave")
    target = f"t:{FOCUS}"
    for p in XSS:
        assert post(c, target, p + " **bold** `code` https://example.org/a?b=1").status_code == 303
    page = c.get(f"/t/{FOCUS}").text
    for p in XSS[:3]:
        assert p not in page
    assert "&lt;script&gt;" in page and "<strong>bold</strong>" in page and "<code>code</code>" in page
    assert 'href="javascript:' not in page and 'rel="nofollow noopener ugc"' in page
    # a caption carrying markup, published from the analysis, is text on every page that shows it
    key = an_instance(web)
    web.ex("UPDATE web_instances SET text=? WHERE key=?", (XSS[0] + " quokka", key))
    if web.dialect == "sqlite":
        web.ex("UPDATE web_fts SET text=? WHERE key=?", (XSS[0] + " quokka", key))
    html = c.get(f"/i/{key}").text
    assert XSS[0] not in html and "&lt;script&gt;" in html
    html = c.get("/search?q=quokka").text  # PostgreSQL's headline drops the tags; SQLite's shows them escaped
    assert XSS[0] not in html and "<mark>quokka</mark>" in html


def test_sql_injection_strings_are_data(site):
    new, web = site
    c = new()
    register(c, "erin")
    users = web.one("SELECT count(*) AS n FROM web_users")["n"]
    for s in SQLI:
        assert c.get("/search", params={"q": s}).status_code == 200
        assert c.get(f"/t/{s}").status_code == 404
        assert post(c, f"t:{FOCUS}", s).status_code == 303
    bodies = [r["body"] for r in web.q("SELECT body FROM web_comments ORDER BY id")]
    assert bodies == SQLI
    assert web.one("SELECT count(*) AS n FROM web_users")["n"] == users
    r = c.post("/login", data={"name": "erin' --", "password": "x", "csrf": csrf_of(c, "/login")})
    assert r.status_code == 400


def test_threads_pages_edit_delete_and_ownership(site):
    new, web = site
    a, b = new(), new()
    register(a, "frank")
    register(b, "grace")
    key = an_instance(web)
    target = f"i:{key}"
    assert post(a, target, "first").status_code == 303
    first = comment_ids(web, target)[0]
    assert post(b, target, "a reply", parent=first).status_code == 303
    reply = comment_ids(web, target)[1]
    assert post(a, target, "reply to the reply", parent=reply).status_code == 303
    html = a.get(f"/i/{key}").text
    assert html.index("first") < html.index("a reply") < html.index("reply to the reply")
    assert html.count('class="comment reply"') == 2
    # a reply must stay in its thread
    assert post(a, f"t:{FOCUS}", "cross-thread", parent=first).status_code == 400
    # only the author edits or deletes
    tok_b = csrf_of(b)
    assert b.post(f"/comment/{first}/edit", data={"body": "hijacked", "csrf": tok_b}).status_code == 403
    assert b.post(f"/comment/{first}/delete", data={"csrf": tok_b}).status_code == 403
    assert new().post(f"/comment/{first}/delete", data={"csrf": tok_b}).status_code == 403  # no session: token mismatch
    assert a.post(f"/comment/{first}/edit", data={"body": "first, edited", "csrf": csrf_of(a)}, follow_redirects=False).status_code == 303
    assert "first, edited" in a.get(f"/i/{key}").text
    assert a.post(f"/comment/{first}/delete", data={"csrf": csrf_of(a)}, follow_redirects=False).status_code == 303
    html = b.get(f"/i/{key}").text
    assert "first, edited" not in html and "(deleted)" in html and "a reply" in html
    # pagination: 20 top-level comments per page, newest first
    for k in range(21):
        web.ex("INSERT INTO web_comments(target, user_id, body, created_at) VALUES (?, (SELECT id FROM web_users WHERE name='grace'), ?, '2026-01-01')",
               (f"t:{FOCUS}", f"bulk comment {k:02d}"))
    p1, p2 = b.get(f"/t/{FOCUS}").text, b.get(f"/t/{FOCUS}?page_no=2").text
    assert "bulk comment 20" in p1 and "bulk comment 00" not in p1 and "bulk comment 00" in p2
    assert "page 1 of 2" in p1


def test_flags_moderation_and_bans(site):
    new, web = site
    mod, troll, reader = new(), new(), new()
    register(mod, "mia")
    register(troll, "trent")
    register(reader, "rita")
    set_moderator(web, "mia")
    target = f"t:{FOCUS}"
    post(troll, target, "something nasty")
    cid = comment_ids(web, target)[0]
    assert reader.post(f"/comment/{cid}/flag", data={"csrf": csrf_of(reader)}, follow_redirects=False).status_code == 303
    assert reader.get("/mod").status_code == 403
    assert reader.post(f"/comment/{cid}/hide", data={"csrf": csrf_of(reader)}).status_code == 403
    queue = mod.get("/mod").text
    assert "something nasty" in queue
    assert mod.post(f"/comment/{cid}/hide", data={"hidden": "1", "csrf": csrf_of(mod)}, follow_redirects=False).status_code == 303
    assert "something nasty" not in reader.get(f"/t/{FOCUS}").text
    assert "hidden by a moderator" in reader.get(f"/t/{FOCUS}").text
    assert "something nasty" in mod.get(f"/t/{FOCUS}").text  # moderators still see it
    # ban: the user can neither post nor log in again
    assert reader.post("/u/trent/ban", data={"csrf": csrf_of(reader)}).status_code == 403
    assert mod.post("/u/trent/ban", data={"banned": "1", "csrf": csrf_of(mod)}, follow_redirects=False).status_code == 303
    # the ban ends the user's sessions at once
    assert troll.get("/account", follow_redirects=False).status_code == 303
    r = troll.post(f"/c/{target}", data={"body": "again", "csrf": csrf_of(troll, "/login")}, follow_redirects=False)
    assert r.status_code == 401
    fresh = new()
    r = fresh.post("/login", data={"name": "trent", "password": PASSWORD, "csrf": csrf_of(fresh, "/login")})
    assert r.status_code == 403 and "banned" in r.text


def test_login_brute_force_is_throttled(make_site):
    new, _ = make_site()
    c = new()
    register(c, "henry")
    attacker = new()
    codes = [attacker.post("/login", data={"name": "henry", "password": f"guess {k}", "csrf": csrf_of(attacker, "/login")}).status_code
             for k in range(7)]
    assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]
    # even the right password waits: the window is per account name too
    r = attacker.post("/login", data={"name": "henry", "password": PASSWORD, "csrf": csrf_of(attacker, "/login")})
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_posting_and_registration_are_rate_limited(make_site):
    new, web = make_site({"comment": (3, 60.0), "register": (2, 600.0)})
    c = new()
    register(c, "ivy")
    register(new(), "jack")
    r = new().post("/register", data={"name": "kate", "password": PASSWORD, "csrf": csrf_of(c, "/register")})
    assert r.status_code in (403, 429)  # another session's token is refused before the limit is even asked
    fresh = new()
    assert fresh.post("/register", data={"name": "kate", "password": PASSWORD, "csrf": csrf_of(fresh, "/register")}).status_code == 429
    codes = [post(c, f"t:{FOCUS}", f"c{k}").status_code for k in range(4)]
    assert codes == [303, 303, 303, 429]
    assert len(comment_ids(web, f"t:{FOCUS}")) == 3


def test_path_traversal_reaches_no_file(site):
    new, _ = site
    c = new()
    for url in ["/img/..%2F..%2F..%2Fetc%2Fpasswd", "/img/../../etc/passwd", "/ref/..%2F..%2Fetc%2Fpasswd",
                "/static/..%2F..%2Fapp.py", "/static/../app.py", "/i/..%2F..%2Fetc%2Fpasswd", "/c/..%2Fetc%2Fpasswd"]:
        r = c.get(url)
        assert r.status_code == 404, url
        assert "root:" not in r.text and "def create_app" not in r.text


def test_png_and_gif_uploads_work(site):
    new, _ = site
    c = new()
    for fmt, ctype in (("PNG", "image/png"), ("GIF", "image/gif")):
        buf = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, fmt)
        r = c.post("/search/image", files={"image": (f"x.{fmt.lower()}", buf.getvalue(), ctype)}, data={"csrf": csrf_of(c, "/search")})
        assert r.status_code == 200, (fmt, r.text[:300])


def test_web_db_urls(tmp_path):
    from memescope.exceptions import UnknownNameError

    with pytest.raises(UnknownNameError):
        open_web_db("mysql://x/y")
    db = open_web_db(tmp_path / "w.db")
    assert db.dialect == "sqlite" and db.search_text("") == []


def _template_page(tmp_path, rows: list[dict], template: str) -> str:
    """The web page of `template` after `rows` (a JSONL corpus) are ingested and analyzed."""
    import json

    from memescope import analyze, ingest

    (tmp_path / "posts.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    db = str(tmp_path / "a.db")
    ingest(tmp_path / "posts.jsonl", db)
    analyze(db)
    web, _ = prepare(db)
    try:
        return TestClient(create_app(web, WebConfig(secret="s"))).get(f"/t/{template}").text
    finally:
        web.close()


def test_a_template_page_shows_its_communities_apart(tmp_path, monkeypatch):
    """As in the report: when a template has two communities of 30+ posts, its page draws them apart and
    says where its meaning moved (here in community a only)."""
    import random
    from datetime import date, timedelta

    monkeypatch.setenv("MEMESCOPE_USE_MODEL", "none")
    rng = random.Random(2)
    calm = ["my cat stole the remote again", "monday meetings are the worst", "this pizza is art"]
    lockdown = ["week two of lockdown and I talk to plants", "quarantine hair is a choice"]
    rows = []
    for i in range(160):
        community, day = "ab"[i % 2], date(2019, 1, 1) + timedelta(days=4 * i)
        words = lockdown if community == "a" and day >= date(2020, 3, 1) else calm
        rows.append({"id": f"p{i}", "text": rng.choice(words), "created_at": day.isoformat(), "community": community,
                     "template": "wave-cat"})
    page = _template_page(tmp_path, rows, "wave-cat")
    assert "By community" in page and "wave-cat by community" in page and "<svg" in page
    assert "The share of pandemic captions for wave-cat (in a) rose" in page
    assert "(in b)" not in page


def test_a_template_page_says_how_its_mood_moved(tmp_path, monkeypatch):
    from datetime import date, timedelta

    import memescope.understand as u

    monkeypatch.setenv("MEMESCOPE_USE_MODEL", "none")
    u.use_model.cache_clear()  # an earlier test may have loaded the classifier
    cheerful, lonely = ["what a lovely sunny morning", "great pizza night with friends"], ["so tired and alone tonight", "another lonely grey day"]
    rows = [{"id": f"p{i}", "text": (lonely if day >= date(2020, 3, 11) else cheerful)[i % 2], "created_at": day.isoformat(),
             "template": "mood-cat"} for i in range(300) for day in [date(2019, 6, 1) + timedelta(days=2 * i)]]
    try:
        page = _template_page(tmp_path, rows, "mood-cat")
    finally:
        u.use_model.cache_clear()  # later tests load it again, with the environment restored
    # the change is read as a mean on VADER's scale, not as a share of posts
    assert re.search(r"mean sentiment</span> from <strong>2020-03-1[12]</strong>", page)
    assert re.search(r"mean sentiment \+0\.\d\d → -0\.\d\d \(VADER", page), page[page.find("What changed"):][:800]
    # no use classifier here: the mood is drawn on its own
    assert "mood-cat: mood" in page and "Mean sentiment of posts with text" in page
