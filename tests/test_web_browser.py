"""The web app end to end in a real browser: a real server process (`memescope serve`), Debian's headless
Chromium driven by Playwright. Register, log in, search by words and by picture, comment, reply, flag,
and moderate; no console errors (a CSP violation would be one) on any page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from memescope.demo import FOCUS
from memescope.web.process import serving

from .test_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]

PASSWORD = "correct horse battery"


@pytest.fixture
def server(demo_run, tmp_path):
    pytest.importorskip("uvicorn")
    db = tmp_path / "site.db"
    shutil.copy(demo_run[0] / "memescope.db", db)
    with serving(db, env={"MEMESCOPE_SECRET": "e2e-secret"}) as served:
        yield served.url, db


def _register(page, url, name):
    page.goto(url + "/register")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Create account')")
    page.wait_for_url(url + "/")


def test_register_search_comment_reply_moderate(server, demo_run, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from memescope.web.app import find_htmx

    url, db = server
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def new_page():
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            pg = ctx.new_page()
            pg.on("console", lambda m: errors.append(f"{pg.url}: {m.text}") if m.type == "error" else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            return pg

        alice, bob, mia = new_page(), new_page(), new_page()
        _register(alice, url, "alice")
        assert alice.locator("nav a", has_text="alice").count() == 1
        htmx = find_htmx() is not None and alice.evaluate("typeof window.htmx") == "object"

        # search by words: typing fills the results in place when HTMX is there, the form works without it
        alice.fill("#q", "lockdown")
        if htmx:
            alice.wait_for_selector("#hits mark")
        else:
            alice.press("#q", "Enter")
            alice.wait_for_selector("mark")
        assert alice.locator("mark").count() >= 1

        # search by picture: an instance's own image finds its template
        alice.goto(url + "/search")
        img = next(Path(r) for r in _image_paths(db))
        alice.set_input_files("#image", str(img))
        alice.click("button:has-text('Find its template')")
        alice.wait_for_selector("#image-result")
        assert alice.locator("#image-result a", has_text=FOCUS).count() >= 1

        # comment, then reply from another account
        alice.goto(f"{url}/t/{FOCUS}")
        alice.fill("#body-new", "This one got **so** sad in 2020.")
        alice.click(".comment-form button[type=submit]")
        alice.wait_for_selector("article.comment strong:has-text('so')")
        if htmx:
            assert alice.url.endswith(f"/t/{FOCUS}")  # swapped in place, no navigation
        _register(bob, url, "bob")
        bob.goto(f"{url}/t/{FOCUS}")
        bob.click("article.comment summary")
        bob.fill("article.comment textarea[name=body]", "Agreed, the pandemic changed it.")
        bob.click("article.comment button:has-text('Reply')")
        bob.wait_for_selector("article.comment.reply")
        assert "Agreed, the pandemic changed it." in bob.inner_text("article.comment.reply")
        # bob flags alice's comment
        bob.click("article.comment:not(.reply) summary")
        bob.click("article.comment:not(.reply) button:has-text('Flag')")
        bob.wait_for_load_state("load")

        # a moderator (promoted with the CLI) hides it; bob then sees it hidden
        _register(mia, url, "mia")
        subprocess.run([sys.executable, "-c", "from memescope.cli import main; main()", "moderator", "mia", "--db", str(db)], check=True)
        mia.goto(url + "/mod")
        assert "so** sad" in mia.inner_text("table") or "so sad" in mia.inner_text("table")
        mia.click("table button:has-text('Hide')")
        mia.wait_for_load_state("load")
        bob.goto(f"{url}/t/{FOCUS}")
        assert "hidden by a moderator" in bob.inner_text("#thread")
        assert "sad in 2020" not in bob.inner_text("#thread")
        bob.screenshot(path=str(tmp_path / "thread.png"), full_page=True)

        # log out and back in
        alice.click("button:has-text('Log out')")
        alice.wait_for_url(url + "/")
        alice.goto(url + "/login")
        alice.fill("#name", "alice")
        alice.fill("#password", PASSWORD)
        alice.click("form.stack button[type=submit]")
        alice.wait_for_url(url + "/")
        assert alice.locator("nav a", has_text="alice").count() == 1
        browser.close()
    assert errors == [], errors
    assert (tmp_path / "thread.png").stat().st_size > 20_000


def _image_paths(db: Path) -> list[str]:
    import sqlite3

    c = sqlite3.connect(db)
    rows = c.execute(
        """SELECT i.path FROM assignments a JOIN templates t ON t.id=a.template_id JOIN posts p ON p.key=a.post_key
           JOIN images i ON i.sha256=p.image_sha256 WHERE t.name=? AND a.method='phash' ORDER BY p.key""", (FOCUS,)).fetchall()
    return [r[0] for r in rows]
