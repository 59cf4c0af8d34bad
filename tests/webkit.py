"""Helpers of the web app's tests: a site to test (the demo analysis published into SQLite or PostgreSQL,
served by a TestClient), and the steps a user takes (register, post, find the CSRF token)."""

from __future__ import annotations

import re
import shutil

import pytest

from memescope.demo import FOCUS

PASSWORD = "correct horse battery"


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        for t in ("web_sessions", "web_flags", "web_comments", "web_users", "web_refs", "web_instances", "web_templates", "web_meta"):
            c.execute(f"DROP TABLE IF EXISTS {t} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def make_site(request, demo_run, tmp_path):
    """make_site(limits=None) -> (TestClient factory, web db): the demo analysis published into a fresh
    web database of the parametrized kind."""
    pytest.importorskip("fastapi")
    pytest.importorskip("argon2")
    from fastapi.testclient import TestClient

    from memescope.web import WebConfig, create_app, prepare
    from memescope.web.app import DEFAULT_LIMITS

    out, _ = demo_run
    analysis = tmp_path / "analysis.db"
    shutil.copy(out / "memescope.db", analysis)
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
        web, _ = prepare(url, analysis)
    else:
        web, _ = prepare(analysis)

    def make(limits: dict | None = None):
        app = create_app(web, WebConfig(secret="test-secret", limits={**DEFAULT_LIMITS, "register": (100, 600.0), **(limits or {})}))
        return (lambda: TestClient(app)), web

    yield make
    web.close()


@pytest.fixture
def site(make_site):
    return make_site()


def csrf_of(client, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def register(client, name: str, email: str | None = None) -> None:
    r = client.post("/register", data={"name": name, "email": email or f"{name}@example.org", "password": PASSWORD,
                                       "csrf": csrf_of(client, "/register")}, follow_redirects=False)
    assert r.status_code == 303, r.text


def post(client, target: str, body: str, parent: int | None = None):
    return client.post(f"/c/{target}", data={"body": body, "parent_id": str(parent or ""), "csrf": csrf_of(client)},
                       follow_redirects=False)


def comment_ids(web, target: str) -> list[int]:
    return [r["id"] for r in web.q("SELECT id FROM web_comments WHERE target=? ORDER BY id", (target,))]


def an_instance(web) -> str:
    """The first instance of the focus template with an image and a caption whose use was classified."""
    return web.one("SELECT key FROM web_instances WHERE template=? AND image_path IS NOT NULL AND use IS NOT NULL"
                   " ORDER BY key", (FOCUS,))["key"]
