"""The fifth Wikinews development gold (tests/gold/wikinews-dev5): its selection and that it loads, quote by quote.

The set is the lead's unseen check of session 10's speaker ranker, so this file pins only what the annotation is
(the rows it comes from, the counts, every quote cut from its article); score floors come after the first score.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from polarwatch.evaluate.gold import load_gold
from polarwatch.evaluate.run import _article

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
