"""Events, themes and tone through the whole pipeline: stored on ingest, queried by the CLI, replaced on reprocess."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from polarwatch.cli import main

ARTICLE = """ date 2025-03-04 https://example.no/news/barents-fisheries
Norway and Russia extend fisheries talks despite tensions
Norway and Russia agreed on Tuesday to extend their fisheries cooperation in the Barents Sea for another year.
Denmark criticised Russia over the jamming of GPS signals near Bornholm, which it called a provocation.
“We are not aiming this against any other country,” the Russian foreign ministry said.
"""


def _cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def _ingested(tmp_path: Path, db: str) -> str:
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, "utf-8")
    _cli("--db", db, "ingest", str(src), "-q")
    return db


def test_events_are_stored_and_filtered_both_ways(tmp_path, db):
    db = _ingested(tmp_path, db)
    rows = [json.loads(x) for x in _cli("--db", db, "events", "--json").splitlines()]
    assert rows, "no events stored"
    first = rows[0]
    assert {"article", "article_title", "outlet", "published", "type", "source_country", "target_country", "symmetric",
            "claimed_by_name", "sentence_start", "sentence_end", "trigger_start", "trigger_end"} <= set(first)  # fmt: skip
    # Norway and Russia cooperate: a symmetric event matches in either direction.
    for src, tgt in (("NO", "RU"), ("RU", "NO")):
        got = [json.loads(x) for x in _cli("--db", db, "events", "--source", src, "--target", tgt, "--json").splitlines()]
        assert any(r["type"] in ("AGREE", "COOPERATE") for r in got), (src, tgt, got)
    dk = [json.loads(x) for x in _cli("--db", db, "events", "--source", "DK", "--json").splitlines()]
    assert any(r["type"] == "ACCUSE" and r["target_country"] == "RU" for r in dk)
    # The negated threat inside the quote codes nothing hostile.
    assert not [r for r in rows if r["type"] == "THREATEN"]
    # Every event points at its sentence in the stored body.
    shown = json.loads(_cli("--db", db, "show", first["article"], "--json"))
    body = "\n\n".join(shown["paragraphs"])
    for e in shown["events"]:
        assert body[e["trigger_start"] : e["trigger_end"]].lower() == e["trigger"].lower()
        assert e["sentence_start"] <= e["trigger_start"] < e["trigger_end"] <= e["sentence_end"]
    assert {t["theme"] for t in shown["themes"]} >= {"fisheries", "gnss"}
    assert shown["tone"]["scored"] >= 2


def test_timeline_counts_events_between_two_actors_per_period(tmp_path, db):
    db = _ingested(tmp_path, db)
    rows = [json.loads(x) for x in _cli("--db", db, "timeline", "RU", "NO", "--json").splitlines()]
    assert rows and all(r["period"] == "2025-W09" for r in rows)
    assert sum(r["events"] for r in rows) >= 1
    months = [json.loads(x) for x in _cli("--db", db, "timeline", "DK", "RU", "--period", "month", "--json").splitlines()]
    assert any(r["period"] == "2025-03" and r["type"] == "ACCUSE" and r["source"] == "DK" for r in months)
    assert _cli("--db", db, "timeline", "IS", "FI").startswith("no dated events")


def test_reprocess_replaces_events(tmp_path, db):
    db = _ingested(tmp_path, db)
    before = _cli("--db", db, "events", "--json")
    _cli("--db", db, "reprocess", "--force")
    assert _cli("--db", db, "events", "--json") == before


def test_reingest_completes_articles_stored_without_their_analysis(tmp_path, db):
    """An ingest killed during extraction (or run with --no-nlp) leaves articles without analysis; the same
    ingest again extracts them, while articles already analysed stay as they are."""
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, "utf-8")
    _cli("--db", db, "ingest", str(src), "-q", "--no-nlp")
    assert _cli("--db", db, "events", "--json") == ""
    out = _cli("--db", db, "ingest", str(src), "--json")
    assert json.loads(out.splitlines()[-1])["duplicate"] == 1
    first = _cli("--db", db, "events", "--json")
    assert first
    _cli("--db", db, "ingest", str(src), "-q")
    assert _cli("--db", db, "events", "--json") == first


def test_python_api_mirrors_the_commands(tmp_path, db):
    import polarwatch

    db = _ingested(tmp_path, db)
    evs = polarwatch.find_events(db, source="DK", type="ACCUSE")
    assert evs and evs[0][4].target_country == "RU"
    assert polarwatch.timeline("DK", "RU", db, period="month")[0]["period"] == "2025-03"
    assert {"fisheries", "gnss"} <= {t["theme"] for t in polarwatch.theme_counts(db)}
    got = polarwatch.extraction(evs[0][0], db)
    assert set(got) == {"mentions", "quotes", "themes", "tone", "events"}
