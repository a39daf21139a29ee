"""Storage: ``open_store`` picks a backend from a path or database URL."""

from __future__ import annotations

from .base import MARK_END, MARK_START, AmbiguousId, ArticleFilter, SearchHit, Store, StoredArticle, StoreError, stores
from .sqlite import SQLiteStore

__all__ = ["open_store", "MARK_START", "MARK_END", "Store", "StoreError", "AmbiguousId", "ArticleFilter", "SearchHit", "StoredArticle", "SQLiteStore", "stores"]


def open_store(location: str) -> Store:
    """A store for a file path, ``sqlite:///path`` or ``postgresql://`` URL."""
    if location.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore  # psycopg is an optional extra

        return PostgresStore(location)
    if location.startswith("sqlite:///"):
        location = location[len("sqlite:///") :]
    elif "://" in location:
        raise StoreError(f"unsupported database URL {location!r} (use a file path, sqlite:///path or postgresql://…)")
    return SQLiteStore(location)
