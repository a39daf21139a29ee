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

    def with_(self, **kw: object) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


def load_settings(**overrides: object) -> Settings:
    """Settings from ``POLARWATCH_DB`` / ``POLARWATCH_MAX_ARTICLE_BYTES``, then *overrides*."""
    s = Settings()
    env_db = os.environ.get("POLARWATCH_DB")
    if env_db:
        s = s.with_(db=env_db)
    env_max = os.environ.get("POLARWATCH_MAX_ARTICLE_BYTES")
    if env_max:
        try:
            s = s.with_(max_article_bytes=int(env_max))
        except ValueError as exc:
            raise ValueError(f"POLARWATCH_MAX_ARTICLE_BYTES must be an integer, got {env_max!r}") from exc
    return s.with_(**overrides)
