"""The fifth Wikinews development gold (tests/gold/wikinews-dev5): its selection and that it loads, quote by quote.

The set is the lead's unseen check of session 10's speaker ranker, so this file pins only what the annotation is
(the rows it comes from, the counts, every quote cut from its article); score floors come after the first score.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from polarwatch.evaluate.gold import load_gold
from polarwatch.evaluate.run import _article, run_eval

from conftest import shared_dir
from test_eval_wikinews import _eligible, _plain

DEV5 = Path(__file__).parent / "gold" / "wikinews-dev5"  # entries 126-140 of the held-out set's permutation


def test_the_selection_rule_gives_entries_126_to_140_in_order():
    data = shared_dir("wikinews") / "data"
    gold = json.loads((DEV5 / "gold.json").read_text("utf-8"))
    csv.field_size_limit(1 << 28)
    rows = []
    for rel in gold["corpus"]:
        with (data.parent.parent / rel).open(newline="", encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    pool = [r["url"] for r in rows if _eligible(r["text"])]
    sel = gold["selection"]
    assert (len(rows), len(pool)) == (sel["rows"], sel["eligible"]) == (295, 280)
    assert (sel["first"], sel["taken"]) == (126, 15)
    order = random.Random(2026).sample(range(len(pool)), len(pool))
    assert [pool[i] for i in order[125:140]] == list(gold["articles"])


def test_the_selection_is_disjoint_from_the_other_wikinews_sets():
    gold_dir = Path(__file__).parent / "gold"
    mine = set(json.loads((DEV5 / "gold.json").read_text("utf-8"))["articles"])
    for other in ("wikinews", "wikinews-dev", "wikinews-dev2", "wikinews-dev3", "wikinews-dev4"):
        theirs = set(json.loads((gold_dir / other / "gold.json").read_text("utf-8"))["articles"])
        assert not mine & theirs, other


def test_the_dev5_gold_loads_and_every_quote_is_in_its_article():
    shared_dir("wikinews")
    golds = load_gold(DEV5)
    quotes = [(g, q) for g in golds for q in g.quotes]
    assert (len(golds), len(quotes), sum(q.kind == "direct" for _, q in quotes)) == (15, 164, 46)
    seen = {}
    for g in golds:
        art = _article(g)
        assert art is not None, g.key
        seen[g.key] = _plain(f"{art.title} {' '.join(art.paragraphs)}")
    # continuations have neither a mention nor a cue; the others both, and never the same string
    assert all((q.speaker_mention is None) == (q.cue is None) for _, q in quotes)
    assert all(q.speaker and (q.cue is None or q.speaker_mention != q.cue) for _, q in quotes)
    # a content interrupted by its attribution is its pieces joined with a space, so only its words are in the text
    split = [q.text for g, q in quotes if _plain(q.text) not in seen[g.key]]
    assert all(w in seen[g.key] for g, q in quotes for w in _plain(q.text).split())
    assert len(split) == 6, split  # the six quotes with 'parts' in gold.json


def test_named_speakers_are_declared_with_a_type():
    gold = json.loads((DEV5 / "gold.json").read_text("utf-8"))
    for url, art in gold["articles"].items():
        for q in art["quotes"]:
            who = q["speaker"]
            assert who.startswith("unnamed ") or art["speakers"][who]["type"] in ("person", "organization", "country"), (url, who)


# Its first score, on unseen text (2026-11-25, the extractor as at 59da459, the start of session 10): quotes P 0.864
# R 0.659; speakers P 0.672 R 0.512; direct quotes P 0.949 R 0.804, direct speakers P 0.769 R 0.652; indirect quotes
# F1 0.696, indirect speakers F1 0.529. The session's speaker ranker (off by default; on, the same figures) and speaker
# round 8 (e8fbfd2) left every figure unchanged. Floors a little under (one direct quote moves a direct figure by about
# 0.02). Since session 11 it is a development set (its errors were read in speaker round 9): after that round's one
# change (a thing inside someone's report does not speak), speakers P 0.696 R 0.530, direct speakers P 0.821 R 0.696,
# indirect speakers F1 0.539, detection unchanged; the speaker floors sit a little under those tuned figures.
DEV5_FLOORS = {
    ("quotes", "precision"): 0.84, ("quotes", "recall"): 0.64,
    ("speakers", "precision"): 0.67, ("speakers", "recall"): 0.51,
    ("direct", "quotes", "precision"): 0.92, ("direct", "quotes", "recall"): 0.78,
    ("direct", "speakers", "precision"): 0.79, ("direct", "speakers", "recall"): 0.67,
    ("indirect", "quotes", "f1"): 0.67, ("indirect", "speakers", "f1"): 0.51,
}  # fmt: skip


@pytest.mark.parametrize("path,floor", list(DEV5_FLOORS.items()), ids=["/".join(k) for k in DEV5_FLOORS])
def test_dev5_floors(path, floor, dev5_scores):
    d = dev5_scores
    for k in path:
        d = d[k]
    assert d >= floor, dev5_scores


@pytest.fixture(scope="module")
def dev5_scores() -> dict:
    shared_dir("wikinews")
    return run_eval("quotes", DEV5)
