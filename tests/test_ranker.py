"""The ranker of candidate speakers (nlp/ranker.py): its mentions, its features at run time and at training, its
setting, and that benchmarks/train_speakers.py reproduces the shipped weights."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import numpy as np
from polarwatch.nlp import ranker
from polarwatch.nlp.quotes import analyse

from conftest import shared_dir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import train_speakers  # noqa: E402

TEXT = [
    "Norrmalm Minerals plans a new mine near Kiruna, the company's chief executive Anna Berg said on Monday.",
    "Berg said she expected the licence this year. The company added that it would hire 200 people.",
    "Local herders oppose the plan. Jon Sarri, a reindeer herder, said he feared for the grazing land.",
    "\u201cThe mine will cut the migration route in two,\u201d he said.",
    "\u201cWe were never asked.\u201d",
]


def _shipped() -> dict:
    return json.loads(resources.files("polarwatch").joinpath("data/speaker_ranker.json").read_text("utf-8"))


def test_shipped_weights_name_the_features() -> None:
    data = _shipped()
    assert data["features"] == list(ranker.FEATURES)
    assert len(data["weights"]) == len(ranker.FEATURES)
    assert all("polnear" not in s.lower() and s != "tests/gold/wikinews" for s in data["trained_on"])


def test_mentions_the_ranker_decides() -> None:
    from polarwatch.nlp.model import nlp

    doc = nlp()("He said the company would close. Anna Berg said so. The Kremlin said no.")
    he, company, berg = doc[0:1], doc[2:4], doc[7:9]
    assert ranker.mention_type(list(he), "pronoun") == "he"
    assert ranker.mention_type(list(company), "description") == "desc:company"
    assert ranker.mention_type(list(berg), "name") is None  # a name is the rules' alone


def test_setting_off_keeps_the_rules(monkeypatch) -> None:
    monkeypatch.setenv("POLARWATCH_SPEAKER_RANKER", "0")
    assert ranker.weights() is None
    with ranker.recording():
        an = analyse(TEXT)
    assert an.decisions, "the pronouns and descriptions of the text are decisions"
    assert all(d.chosen == d.rule for d in an.decisions)
    off = [(q.start, q.speaker_name) for q in analyse(TEXT).quotes]
    assert off == [(q.start, q.speaker_name) for q in an.quotes]  # recording changes nothing


def test_run_time_choice_is_the_training_features_argmax(monkeypatch, tmp_path) -> None:
    # weights that overrule the rules wherever another candidate is more recent: the run-time choice must be the
    # argmax of the same features the trainer reads, and the quote must carry that answer
    w = np.zeros(len(ranker.FEATURES))
    w[ranker.FEATURES.index("rank0")] = 5.0
    path = tmp_path / "w.json"
    path.write_text(train_speakers.weights_json(w, ["test"], 0, True, 1.0), encoding="utf-8")
    monkeypatch.setenv("POLARWATCH_SPEAKER_RANKER", str(path))
    with ranker.recording():
        an = analyse(TEXT)
    assert an.decisions
    for d in an.decisions:
        x = np.array(d.features)
        assert x.shape == (len(d.answers), len(ranker.FEATURES))
        s = x @ w
        assert s[d.chosen] == s.max()
        assert d.chosen == (d.rule if s[d.rule] == s.max() else int(np.argmax(s)))
    by_start = {q.start: q for q in an.quotes}
    for d in an.decisions:
        q = by_start.get(d.offset)
        if q is not None:
            assert q.speaker_name == d.answers[d.chosen][1]


def test_retraining_reproduces_the_shipped_weights() -> None:
    shared_dir("wikinews")  # the development sets' text; skips saying so when absent
    by_set = {s: train_speakers.collect(ROOT / "tests" / "gold" / s) for s in train_speakers.SETS}
    data = [x for s in train_speakers.SETS for x in by_set[s]]
    shipped = _shipped()
    assert shipped["decisions"] == len(data)
    assert shipped["l2"] == train_speakers.choose_l2(by_set)
    w = train_speakers.fit(data, shipped["l2"])
    assert np.allclose(np.round(w, 4), shipped["weights"], atol=2e-4)
