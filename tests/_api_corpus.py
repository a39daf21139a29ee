"""A store for the analysis and API tests, built once per test session from articles in the repo: the
story gold (tests/gold/stories, real outlet domains so outlets resolve to country and kind), the
cleaning fixtures, and one hostile article (markup, event handlers, javascript: links) in its text."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent
HOSTILE_ID_URL = "https://nrk.no/hostile/1"
HOSTILE_TEXT = (
    'Norway said on Monday <script>alert("x")</script> that the Coast Guard would patrol the Barents Sea.\n\n'
    '<img src=x onerror="alert(1)"> Officials told reporters <a href="javascript:alert(2)">click here</a> the plan stands.'
)


def build(folder: Path) -> str:
    """Ingest the corpus (with extraction) into ``folder/api.db``; returns the path."""
    from polarwatch import lib

    recs = folder / "gold.jsonl"
    with recs.open("w", encoding="utf-8") as out:
        for line in (ROOT / "gold" / "stories" / "stories.jsonl").read_text("utf-8").splitlines():
            r = json.loads(line)
            out.write(json.dumps({"url": f"https://{r['outlet']}/news/{r['id']}", "title": r["title"], "text": r["text"],
                                  "published": r["date"]}) + "\n")  # fmt: skip
        out.write(json.dumps({"url": HOSTILE_ID_URL, "title": '<b onmouseover="alert(3)">Patrol</b>', "text": HOSTILE_TEXT,
                              "published": "2025-03-20"}) + "\n")  # fmt: skip
    db = str(folder / "api.db")
    rep = lib.ingest([recs, ROOT / "fixtures" / "clean"], db)
    assert not rep.failed, rep.failed
    return db


_BUILT: dict[str, str] = {}


def corpus(tmp_path_factory) -> str:  # noqa: ANN001
    """The corpus store, built once per test session (read-only tests share it)."""
    if "db" not in _BUILT:
        _BUILT["db"] = build(tmp_path_factory.mktemp("api-corpus"))
    return _BUILT["db"]


def copy(db: str, dest: Path) -> str:
    """A copy of the store at *db* for a test that writes (SQLite's backup API: WAL content included)."""
    import sqlite3

    src, out = sqlite3.connect(db), sqlite3.connect(dest)
    with out:
        src.backup(out)
    src.close()
    out.close()
    return str(dest)
