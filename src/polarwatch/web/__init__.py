"""The web dashboard: server-rendered pages over a store, served by the API's app at ``/``.

``make_router(db)`` is what the REST API's ``create_app`` includes. ``dashboard_app(db)`` is the
dashboard alone, with the same security headers, for tests and for an installation without the API;
``serving_app(db)`` is the one a user should be served.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from .pages import make_router

__all__ = ["make_router", "dashboard_app", "serving_app", "CSP"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def dashboard_app(db: str) -> FastAPI:
    """The dashboard on its own app: the pages plus the Content-Security-Policy and related headers."""
    app = FastAPI(title="polarwatch dashboard", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.include_router(make_router(db))
    return app


def serving_app(db: str) -> FastAPI:
    """The app to serve: the REST API's (``polarwatch.api.create_app``, which includes the dashboard at
    ``/``), or the dashboard's own app when the API is not installed."""
    try:
        from ..api import create_app
    except ImportError:
        return dashboard_app(db)
    return create_app(db)
