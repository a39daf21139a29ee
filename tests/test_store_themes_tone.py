"""Themes and tone in the store: written with the analysis in one transaction, replaced on re-analysis."""

from __future__ import annotations

from polarwatch.nlp.quotes import Analysis
from polarwatch.pipeline import to_article
from polarwatch.records import RawDoc, Source
from polarwatch.store import SQLiteStore
from polarwatch.themes import score_paragraphs
from polarwatch.tone import article_tone

PARAS = [
    "Two Russian frigates and a submarine sailed past Tromsø on Monday.",
    "Norway condemned the provocation and warned of escalation in the Barents Sea.",
    "Cargo on the Northern Sea Route grew, the operator said.",
]


def _stored(db: str):
    art = to_article(RawDoc(Source("t.txt"), "text", "\n".join(PARAS), title="Frigates off Tromsø", paragraphs=PARAS))
    store = SQLiteStore(db)
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
