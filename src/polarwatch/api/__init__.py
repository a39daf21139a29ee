"""The REST API: ``create_app(db, token=None)`` returns the FastAPI app (endpoints in docs/api.md)."""

from __future__ import annotations

from .app import CSP, create_app

__all__ = ["create_app", "CSP"]
