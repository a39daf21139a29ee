"""Event coding: the seeds acceptance, the hard cases, scoring, and floors pinned under measured scores."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from polarwatch.cli import main
from polarwatch.evaluate.events import GoldEvent, gold_type, load_event_gold, locate, predict, run_events_eval, score_article, summarise
from polarwatch.events import TYPES, code_events, country_code, lexicon
from polarwatch.records import Event

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
PLOVER = ROOT.parent / "shared" / "corpus" / "plover-gsr" / "PLOVER_GSR_CAMEO.txt"
OWN = ROOT / "tests" / "gold" / "events"


@lru_cache(maxsize=None)
def _events(text: str) -> tuple[Event, ...]:
    return tuple(predict([[p for p in text.split("\n\n")]])[0])


def _triples(text: str) -> set[tuple[str, str | None, str | None]]:
    return {(e.type, e.source_country, e.target_country) for e in _events(text)}


# --- data ------------------------------------------------------------------------------


def test_lexicon_types_are_the_ontology():
    types = {t.type for ts in lexicon().values() for t in ts}
    assert types == set(TYPES)


@pytest.mark.parametrize(
    "code,iso",
    [("USA", "US"), ("USAGOV", "US"), ("RUSMIL", "RU"), ("JAP", "JP"), ("UKG", "GB"), ("GBR", "GB"), ("CHN", "CN"), ("PSE", "PS"), ("IGO", None), ("XYZ", None)],
)
def test_country_codes(code, iso):
    assert country_code(code) == iso


def test_gold_type_labels():
    assert gold_type("DEMAND", "x") == "REQUEST"
    assert gold_type("cooperate (seek)", "x") == "COOPERATE"
    assert gold_type("express concern", "x") == "ACCUSE"
    assert gold_type("military posture", "x") == "MOBILIZE"
    assert gold_type("reject criticism", "x") == "REJECT"


# --- the hard cases --------------------------------------------------------------------


def test_coordinated_actors_make_one_symmetric_event():
    evs = [e for e in _events("Beijing and Moscow have been working together to develop Arctic shipping routes.") if e.type == "COOPERATE"]
    assert len(evs) == 1 and evs[0].symmetric
    assert {evs[0].source_country, evs[0].target_country} == {"RU", "CN"}


def test_negation_is_no_event():
    text = "The Kremlin said that Russia's cooperation with China in the Arctic was not aimed against any other country."
    assert not any(t == "THREATEN" for t, _, _ in _triples(text))
    assert not _events("Norway did not send warships to Svalbard this summer.")


def test_negated_cooperation_is_a_rejection():
    assert ("REJECT", "FI", "RU") in _triples("Finland will not accept Russian demands to reopen the border crossings, the minister said.")


def test_hypothetical_is_no_event():
    text = "“If we move toward some kind of normalization in US-Russia relations, then of course the most promising area for us would be Arctic cooperation,” the professor said."
    assert not any(t in ("AGREE", "COOPERATE") for t, _, _ in _triples(text))
    assert not _events("Finland could close its remaining border crossings if migrant pressure grows.")


def test_intent_to_act_against_is_a_threat():
    assert ("THREATEN", "NO", "RU") in _triples("Norway said it would impose new fishing bans on Russian trawlers if violations continue.")


def test_reported_speech_is_claimed_by_its_speaker():
    text = "“Russian-Chinese cooperation in the Arctic is built on mutual trust,” Kremlin spokesman Dmitry Peskov said."
    evs = [e for e in _events(text) if e.type == "COOPERATE"]
    assert evs and evs[0].claimed_by_name == "Dmitry Peskov"


def test_people_and_descriptions_resolve_to_countries():
    assert ("THREATEN", "US", "CN") in _triples("The US leader threatened China with sanctions if Chinese vessels entered the Bering Strait.")
    assert ("CONSULT", "NO", "RU") in _triples("Norwegian Foreign Minister Kari Holmvik met her Russian counterpart in Kirkenes on Thursday.")


def test_heads_of_state_resolve_without_a_title():
    assert ("CONSULT", "PL", "NO") in _triples("Donald Tusk met Norwegian officials in Tromsø on Friday.")
    assert ("ACCUSE", "TR", "SE") in _triples("Erdogan criticised Sweden over its Arctic defence plans.")


def test_groups_are_coded_by_their_home_country():
    assert ("ASSAULT", "YE", "GB") in _triples("The Houthis attacked a British tanker bound for the Barents Sea.")


def test_ethnic_groups_are_coded_by_where_they_live():
    triples = _triples("Ethnic Russians in Estonia protested against the new language law.")
    assert triples and all(s != "RU" and t != "RU" for _, s, t in triples)
    assert not any("RU" in (s, t) for _, s, t in _triples("Ethnic Russians protested against the new language law."))


def test_national_institutions_and_places_resolve_to_countries():
    assert ("REQUEST", "SE", "NO") in _triples("The Swedish Fishermen's Federation urged Norway to reopen the quota talks.")
    assert ("MOBILIZE", "RU", "BY") in _triples("Russia has strengthened its forces in Belarus, officials said.")
    assert ("CONCEDE", "NG", None) in _triples("The Nigerian Union of Teachers called off its strike.")
    assert ("SUPPORT", "LK", "IS") in _triples("Sri Lanka has established diplomatic ties with Iceland.")


def test_offsets_point_into_the_body():
    paras = ["A quiet opening paragraph.", "Norway accused Russia of jamming GPS signals over Finnmark."]
    body = "\n\n".join(paras)
    evs = predict([paras])[0]
    assert evs
    for e in evs:
        assert body[e.trigger_start : e.trigger_end] == e.trigger
        assert body[e.sentence_start : e.sentence_end].startswith("Norway accused")
        assert e.sentence_start <= e.evidence_start < e.evidence_end <= e.sentence_end


def test_code_events_is_pure():
    from polarwatch.nlp import analyse
    from polarwatch.nlp.parse import annotate

    paras = ["Denmark expelled two Russian diplomats on Monday."]
    docs = annotate(paras)
    an = analyse(paras, docs)
    assert code_events(paras, docs, an) == code_events(paras, docs, an)


# --- scoring ---------------------------------------------------------------------------


def _ev(typ, src, tgt, start=0, end=10, sym=False):
    return Event(typ, None, "x", start, start + 1, start, end, source_country=src, target_country=tgt, symmetric=sym)


def test_score_symmetric_and_location():
    gold = [GoldEvent("COOPERATE", ["RU"], ["CN"], False, 0, 10), GoldEvent("ACCUSE", ["US"], ["RU", "CN"], False, 20, 30)]
    pred = [_ev("COOPERATE", "CN", "RU", sym=True), _ev("ACCUSE", "US", "RU", 20, 30), _ev("ACCUSE", "US", "CN", 0, 10)]
    r = summarise([score_article(gold, pred)])
    assert r["events"]["tp"] == 2 and r["events"]["fp"] == 1 and r["events"]["fn"] == 1
    assert r["type_accuracy"] == 1.0
    assert r["actors"]["precision"] == 1.0 and r["actors"]["recall"] == 1.0


def test_locate_evidence():
    body = "One.\n\nBeijing and  Moscow have been\nworking together."
    s, e = locate(body, "Beijing and Moscow have been working together")
    assert body[s:e].startswith("Beijing") and body[s:e].endswith("together")


# --- gold sets -------------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/corpus/seeds not present")
def test_seeds_acceptance():
    golds = load_event_gold(SEEDS)
    result = run_events_eval(SEEDS)
    assert result["events"]["recall"] == 1.0, result  # every gold event: right source, type and target, at its evidence
    assert result["type_accuracy"] == 1.0
    assert sum(len(g.events) for g in golds) == 8
    # nothing from the caption or the related-stories block (removed by cleaning, so never coded)
    from polarwatch.evaluate.events import _paragraphs

    for g in golds:
        paras = _paragraphs(g)
        body = "\n\n".join(paras)
        for e in predict([paras])[0]:
            sent = body[e.sentence_start : e.sentence_end]
            assert "Related stories" not in sent and "pool photograph" not in sent and "Getty Images" not in sent


def test_own_gold_floors():
    r = run_events_eval(OWN)
    # measured 2026-11-24 (round 2): P 0.809, R 0.862, type accuracy 0.925, actors F1 0.961
    assert r["events"]["precision"] >= 0.80
    assert r["events"]["recall"] >= 0.85
    assert r["type_accuracy"] >= 0.92
    assert r["actors"]["f1"] >= 0.95
    assert set(r["per_type"]) >= set(TYPES)


def test_own_gold_covers_every_type_and_the_hard_cases():
    records = [r for f in sorted(OWN.glob("*.json")) for r in json.loads(f.read_text("utf-8"))]
    assert len(records) >= 150
    assert {r["event"] for r in records} >= set(TYPES) | {"NONE"}
    assert sum(r["event"] == "NONE" for r in records) >= 20


@pytest.mark.skipif(not PLOVER.is_file(), reason="../shared/corpus/plover-gsr not present")
def test_plover_floors():
    r = run_events_eval(PLOVER)
    # measured 2026-11-24 (round 2): type accuracy 0.764, actors F1 0.866 (P 0.927, R 0.812); the bars are 0.75 and 0.85
    assert r["type_accuracy"] >= 0.76
    assert r["actors"]["f1"] >= 0.86


def test_cli_eval_events_json(tmp_path):
    f = tmp_path / "gold.json"
    f.write_text(json.dumps([{"event": "DOCUMENT"}, {"id": "a", "event": "ACCUSE", "text": "Norway accused Russia of jamming GPS signals.",
                              "source": [{"code": "NOR"}], "target": [{"code": "RUSGOV"}]}]), "utf-8")  # fmt: skip
    out = CliRunner().invoke(main, ["eval", "events", "--gold", str(f), "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert set(d) == {"events", "type_accuracy", "actors", "per_type"}
    assert d["events"]["tp"] == 1 and d["type_accuracy"] == 1.0
    assert CliRunner().invoke(main, ["eval", "quotes", "--gold", str(f)]).exit_code != 0
