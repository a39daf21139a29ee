"""Themes and tone in the store: written with the analysis in one transaction, replaced on re-analysis."""

from __future__ import annotations

from polarwatch.nlp.quotes import Analysis
from polarwatch.pipeline import to_article
from polarwatch.records import RawDoc, Source
from polarwatch.store import open_store
from polarwatch.themes import score_paragraphs
from polarwatch.tone import article_tone

PARAS = [
    "Two Russian frigates and a submarine sailed past Tromsø on Monday.",
    "Norway condemned the provocation and warned of escalation in the Barents Sea.",
    "Cargo on the Northern Sea Route grew, the operator said.",
]


def _stored(db: str):
    art = to_article(RawDoc(Source("t.txt"), "text", "\n".join(PARAS), title="Frigates off Tromsø", paragraphs=PARAS))
    store = open_store(db)
    store.put_articles([art])
    return store, art


def test_themes_and_tone_round_trip(db):
    store, art = _stored(db)
    body = art.body
    ment = [(body.index("Norway"), body.index("Norway") + 6, "no")]
    store.put_analyses([(art.id, Analysis())], "v1", {art.id: score_paragraphs(art.paragraphs)}, {art.id: article_tone(art.paragraphs, ment)})
    themes = store.get_themes(art.id)
    assert [t["theme"] for t in themes][:1] == ["naval"]
    assert {"naval", "shipping"} <= {t["theme"] for t in themes}
    ev = themes[0]["evidence"][0]
    assert body[ev["start"] : ev["end"]].lower() in {"frigates", "submarine"}
    tone = store.get_tone(art.id)
    assert tone["negative"] >= 1 and tone["actors"]["no"]["tone"] < 0
    assert tone["actors"]["no"]["sentences"][0]["start"] == body.index("Norway")
    counts = {c["theme"]: c for c in store.theme_counts()}
    assert counts["naval"]["articles"] == 1 and counts["naval"]["mean_tone"] == tone["tone"]
    store.close()


def test_reanalysis_replaces_themes_and_tone(db):
    store, art = _stored(db)
    store.put_analyses([(art.id, Analysis())], "v1", {art.id: score_paragraphs(art.paragraphs)}, {art.id: article_tone(art.paragraphs)})
    store.put_analyses([(art.id, Analysis())], "v2", {art.id: []}, {})
    assert store.get_themes(art.id) == [] and store.get_tone(art.id) is None
    assert store.theme_counts() == []
    store.close()


def test_cli_themes_and_show_carry_themes_and_tone(db):
    import json

    from click.testing import CliRunner

    from polarwatch.cli import main

    store, art = _stored(db)
    store.put_analyses([(art.id, Analysis())], "v1", {art.id: score_paragraphs(art.paragraphs)}, {art.id: article_tone(art.paragraphs)})
    store.close()
    res = CliRunner().invoke(main, ["--db", db, "themes", "--json"], catch_exceptions=False)
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert {"naval", "shipping"} <= {r["theme"] for r in rows}
    assert set(rows[0]) == {"theme", "name", "description", "articles", "mean_score", "mean_tone"}
    shown = json.loads(CliRunner().invoke(main, ["--db", db, "show", art.id, "--json"], catch_exceptions=False).output)
    assert shown["themes"][0]["theme"] == "naval" and shown["tone"]["negative"] >= 1
    text = CliRunner().invoke(main, ["--db", db, "show", art.id], catch_exceptions=False).output
    assert "themes:" in text and "tone:" in text
    assert CliRunner().invoke(main, ["--db", db, "themes", "--country", "ZZ"], catch_exceptions=False).output.startswith("no themes")


def test_show_marks_quotes_and_speakers():
    from polarwatch.cli import _highlight
    from polarwatch.records import Quote

    p = "“The ice is thin,” the minister said on Monday."
    q = Quote(start=0, end=p.index(",”") + 2, text=p[: p.index(",”") + 2], kind="direct", cue="say", cue_start=p.index("said"),
              speaker_text="the minister", speaker_start=p.index("the minister"), speaker_end=p.index("the minister") + 12)  # fmt: skip
    assert _highlight([p], [q], color=False) == ["⟦“The ice is thin,”⟧ ⟨the minister⟩ said on Monday."]
