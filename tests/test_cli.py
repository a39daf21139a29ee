"""The CLI contract: commands, flags, --json shapes, --db / POLARWATCH_DB, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from polarwatch.cli import main

SHOW_KEYS = {"id", "url", "source", "outlet", "title", "published", "paragraphs", "removed"}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(
        " date 2025-05-01 https://thebarentsobserver.com/en/a\nNorthern Fleet sails out\n"
        "Frigates of the Northern Fleet left Severomorsk on Tuesday for an exercise in the Barents Sea, the fleet said.\n"
        "Photo: Ann Example\n"
        "The drill will last a week.\n",
        "utf-8",
    )
    (d / "b.jsonl").write_text(
        json.dumps({"url": "https://tass.com/politics/1", "title": "Icebreaker launched", "published": "2025-04-02",
                    "text": "A new nuclear icebreaker was launched in St Petersburg.\nIt will serve the Northern Sea Route."}) + "\n"
        + "{not json\n",
        "utf-8",
    )  # fmt: skip
    return d


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_ingest_summary_failure_lines_and_exit_status(corpus, db):
    r = run("ingest", "--db", db, "--quiet", str(corpus))
    assert r.exit_code == 1
    assert "read 2, new 2, duplicate 0, updated 0, failed 1" in r.output
    assert "b.jsonl (line 2): malformed JSON" in r.output
    r = run("ingest", "--db", db, str(corpus / "a.txt"))
    assert r.exit_code == 0 and "new 0, duplicate 1" in r.output


def test_ingest_json_summary(corpus, db):
    r = run("ingest", "--db", db, "--json", str(corpus))
    d = json.loads(r.output)
    assert {k: d[k] for k in ("read", "new", "duplicate", "updated", "failed")} == {"read": 2, "new": 2, "duplicate": 0, "updated": 0, "failed": 1}
    assert d["failures"][0]["source"].endswith("b.jsonl (line 2)")


def test_articles_json_lines_and_filters(corpus, db):
    run("ingest", "--db", db, "-q", str(corpus))
    r = run("articles", "--db", db, "--json")
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [x["title"] for x in rows] == ["Northern Fleet sails out", "Icebreaker launched"]
    assert rows[0]["outlet"]["name"] == "The Independent Barents Observer" and rows[0]["outlet"]["country"] == "NO"
    assert rows[1]["outlet"]["country"] == "RU"
    r = run("articles", "--db", db, "--json", "--country", "RU")
    assert [json.loads(x)["title"] for x in r.output.splitlines()] == ["Icebreaker launched"]
    r = run("articles", "--db", db, "--since", "2025-04-15")
    assert "Northern Fleet sails out" in r.output and "Icebreaker" not in r.output


def test_show_json_shape(corpus, db):
    run("ingest", "--db", db, "-q", str(corpus))
    aid = json.loads(run("articles", "--db", db, "--json", "--outlet", "barents").output.splitlines()[0])["id"]
    d = json.loads(run("show", aid, "--db", db, "--json").output)
    assert SHOW_KEYS <= set(d)
    assert d["published"] == "2025-05-01" and d["url"] == "https://thebarentsobserver.com/en/a"
    assert d["source"]["path"].endswith("a.txt") and d["source"]["locator"] == ""
    assert d["paragraphs"] == [
        "Frigates of the Northern Fleet left Severomorsk on Tuesday for an exercise in the Barents Sea, the fleet said.",
        "The drill will last a week.",
    ]
    assert d["removed"] == [{"text": "Photo: Ann Example", "rule": "caption"}]
    text = run("show", aid[:8], "--db", db).output
    assert "[caption] Photo: Ann Example" in text and "removed by cleaning (1)" in text
    assert run("show", "0000000000000000", "--db", db).exit_code == 1


def test_search_json_and_text(corpus, db):
    run("ingest", "--db", db, "-q", str(corpus))
    rows = [json.loads(x) for x in run("search", "icebreaker", "--db", db, "--json").output.splitlines()]
    assert len(rows) == 1 and {"id", "title", "snippet", "score", "outlet", "published"} <= set(rows[0])
    assert "«icebreaker»" in rows[0]["snippet"]
    assert "«icebreaker»" in run("search", "icebreaker", "--db", db).output


def test_db_from_environment_and_group_option(corpus, tmp_path):
    envdb = str(tmp_path / "env.db")
    run("ingest", "-q", str(corpus), env={"POLARWATCH_DB": envdb})
    assert Path(envdb).exists()
    assert len(run("articles", "--json", env={"POLARWATCH_DB": envdb}).output.splitlines()) == 2
    assert len(run("--db", envdb, "articles", "--json").output.splitlines()) == 2


def test_stats(corpus, db):
    run("ingest", "--db", db, "-q", str(corpus))
    d = json.loads(run("stats", "--db", db, "--json").output)
    assert d["articles"] == 2 and d["by_country"] == {"NO": 1, "RU": 1}


def test_max_article_bytes_flag(corpus, db):
    r = run("ingest", "--db", db, "--max-article-bytes", "100", str(corpus / "a.txt"))
    assert r.exit_code == 1 and "over the limit of 100" in r.output


def test_python_m_polarwatch_is_the_same_command_line():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "polarwatch", "--help"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("Usage: polarwatch ")
    for command in ("ingest", "eval", "serve", "quotes", "stories", "reprocess"):
        assert f"\n  {command} " in out, command
