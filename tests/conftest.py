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


# The store tests run once per backend: modules named here get ``db`` as a SQLite path and as a PostgreSQL
# URL (a schema of its own per test) on the server of tests/_postgres.py.
BOTH_BACKENDS = ("test_store", "test_stories_store", "test_stories_dedup", "test_postgres", "test_spark")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db" in metafunc.fixturenames and metafunc.module.__name__.rpartition(".")[2].startswith(BOTH_BACKENDS):
        metafunc.parametrize("backend", ["sqlite", "postgresql"])


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """The URL of a PostgreSQL server for tests: $POLARWATCH_TEST_PG, else a throw-away one started here."""
    from _postgres import pg_test_server

    yield from pg_test_server()


@pytest.fixture
def db(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return str(tmp_path / "t.db")
    from _postgres import pg_test_schema

    url, drop = pg_test_schema(request.getfixturevalue("pg_server"))
    request.addfinalizer(drop)
    return url
