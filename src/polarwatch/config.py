"""Settings: defaults, overridden by environment variables, overridden by flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DB = Path("~/.local/share/polarwatch/polarwatch.db")


@dataclass(slots=True, frozen=True)
class Settings:
    db: str = str(DEFAULT_DB)
    # One article's raw input above this many bytes is refused (not truncated).
    max_article_bytes: int = 5_000_000
    # Articles written per transaction; each article is all-or-nothing within it.
    batch_size: int = 200
    # Processes for extraction (spaCy + quote rules); 1 runs it in the ingesting process.
    workers: int = 1
    # Bearer token enabling the REST API's write endpoints (ingest, delete); None: the API is read-only.
    api_token: str | None = None

    def with_(self, **kw: object) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def load_settings(**overrides: object) -> Settings:
    """Settings from ``POLARWATCH_DB`` / ``POLARWATCH_MAX_ARTICLE_BYTES`` / ``POLARWATCH_WORKERS`` /
    ``POLARWATCH_API_TOKEN``, then *overrides*."""
    s = Settings().with_(
        db=os.environ.get("POLARWATCH_DB") or None,
        max_article_bytes=_env_int("POLARWATCH_MAX_ARTICLE_BYTES"),
        workers=_env_int("POLARWATCH_WORKERS"),
        api_token=os.environ.get("POLARWATCH_API_TOKEN") or None,
    )
    s = s.with_(**overrides)
    if s.workers < 1:
        raise ValueError(f"workers must be at least 1, got {s.workers}")
    return s
