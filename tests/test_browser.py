"""The report in a real browser: Debian's headless Chromium (driven by Playwright) opens the demo report
from a file with no console errors, no request leaving the machine, and takes a screenshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def demo_report(demo_run) -> Path:
    return demo_run[0] / "report.html"


@pytest.mark.slow
def test_report_opens_cleanly_in_chromium(demo_report, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    errors, requests = [], []
    with sync_api.sync_playwright() as p:
        # a fresh, empty profile per run (Playwright passes its own --user-data-dir)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(demo_report.as_uri())
        page.wait_for_load_state("load")
        assert page.title() == "memescope report"
        # the page says what it found, with figures and images that loaded
        assert page.locator("h3", has_text="crying-behind-mask").count() == 1
        assert page.locator("ol.findings li").count() >= 1
        assert page.locator("figure svg").count() >= 2
        imgs = page.locator("img")
        assert imgs.count() >= 5
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("Array.from(document.images).every(i => i.alt && i.alt.length > 5)")
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert shot.stat().st_size > 50_000
