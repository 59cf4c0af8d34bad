"""`memescope serve`: FastAPI, server-rendered Jinja2 pages, HTMX for partial updates (progressive: every
form also works without JavaScript). The routes live in web/routes (one router per part), their shared
pieces in web/deps.py and web/state.py, every query in web/db.py."""

from __future__ import annotations

from ..exceptions import NotInstalledError
from .db import WebDB
from .middleware import SchemeSessions, SecurityMiddleware
from .state import DEFAULT_LIMITS, HTMX_VERSION, WebConfig, WebState, find_htmx

__all__ = ["create_app", "WebConfig", "find_htmx", "DEFAULT_LIMITS", "HTMX_VERSION"]

SESSION_COOKIE = "memescope_session"


def _errors(app) -> None:
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import Response
    from starlette.exceptions import HTTPException

    from .pages import is_htmx, render

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException):
        if is_htmx(request) or exc.status_code == 429:
            return Response(str(exc.detail), status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html.j2", status=exc.status_code, code=exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError):
        # a parameter out of range or of the wrong type: say which, as a 400 page
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
            for e in exc.errors()[:3]
        )
        return http_error(request, HTTPException(400, f"bad request ({where})"))


def create_app(web: WebDB, config: WebConfig | None = None):
    """The ASGI app over an opened web database (publish the analysis into it first)."""
    try:
        from fastapi import FastAPI

        from .routes import ROUTERS
    except ImportError as exc:  # the web extra is optional
        raise NotInstalledError(exc.name or "fastapi", "web") from None
    state = WebState.build(web, config)
    app = FastAPI(title="memescope", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.memescope = state
    for router in ROUTERS:
        app.include_router(router)
    _errors(app)
    # outermost: sessions (cookies Secure over HTTPS), then headers, body cap and crash pages around all
    sessions = SchemeSessions(
        app,
        https_only=state.config.https_only,
        secret_key=state.secret,
        session_cookie=SESSION_COOKIE,
        max_age=14 * 24 * 3600,
        same_site="lax",
    )
    return SecurityMiddleware(sessions)
