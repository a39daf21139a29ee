"""Shared fixtures: the real corpus beside the repo, and a throw-away store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or skip the test saying why."""
    d = SHARED / name
    if not d.is_dir():
        pytest.skip(f"../shared/corpus/{name} is absent: this test reads the real reference corpus from there")
    return d


@pytest.fixture
def seeds() -> Path:
    return shared_dir("seeds")


@pytest.fixture
def seeds_gold(seeds: Path) -> dict:
    return json.loads((seeds / "gold.json").read_text("utf-8"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "t.db")
