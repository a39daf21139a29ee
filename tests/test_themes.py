"""Arctic themes: the taxonomy file, term matching, article and paragraph scores with evidence."""

from __future__ import annotations

import pytest

from polarwatch.config import Settings
from polarwatch.ingest import read_paths
from polarwatch.pipeline import to_article
from polarwatch.records import Article
from polarwatch.themes import score_paragraphs, taxonomy

# The list of themes, each of which the taxonomy must have.
REQUIRED = {
    "shipping", "energy", "minerals", "fisheries", "military", "naval", "surveillance", "cyber",
    "gnss", "sanctions", "infrastructure", "climate", "indigenous", "governance", "science", "tourism",
}  # fmt: skip
# The seeds' gold theme labels, in our taxonomy's terms (a label we have no theme for is left out).
SEED_LABELS = {"diplomacy": "governance", "shipping routes": "shipping", "energy": "energy", "resources": "minerals",
               "military": "military", "sanctions": "sanctions"}  # fmt: skip


def _themes(*paragraphs: str) -> dict[str, float]:
    return {s.theme: s.score for s in score_paragraphs(list(paragraphs))}


def test_taxonomy_has_every_theme_with_a_description_and_terms():
    tax = taxonomy()
    assert REQUIRED <= set(tax.by_id)
    for t in tax.themes:
        assert len(t.description) > 40 and t.name
        assert len(t.strong) >= 5 and len(t.weak) >= 5
        assert not set(t.strong) & set(t.weak), t.id


@pytest.mark.parametrize(
    "text,theme",
    [
        ("Cargo on the Northern Sea Route reached a record this year.", "shipping"),
        ("The nuclear icebreakers escorted the convoy.", "shipping"),
        ("A new LNG plant on the Gydan peninsula will start in spring.", "energy"),
        ("Greenland suspended the rare-earths licence.", "minerals"),
        ("Norway extended its fisheries protection zone around the archipelago.", "fisheries"),
        ("Denmark will reopen an air base in the north.", "military"),
        ("A Russian submarine surfaced near the coast.", "naval"),
        ("Radar stations will cover the northern approaches.", "surveillance"),
        ("Police arrested two men on suspicion of espionage.", "cyber"),
        ("Pilots in Lapland reported GPS jamming again.", "gnss"),
        ("Ottawa added three shipping firms to its sanctions list.", "sanctions"),
        ("The subsea cable to the archipelago was damaged.", "infrastructure"),
        ("Sea ice reached its lowest extent on record.", "climate"),
        ("The Sámi Parliament objected to the wind farm.", "indigenous"),
        ("Iceland hands over the Arctic Council chairmanship in May.", "governance"),
        ("The research vessel left Tromsø for a six-week expedition.", "science"),
        ("Cruise ships brought record numbers of tourists to Longyearbyen.", "tourism"),
    ],
)
def test_one_strong_term_is_enough(text, theme):
    assert theme in _themes(text)


def test_words_inside_other_words_and_lower_case_acronyms_do_not_count():
    assert "shipping" not in _themes("The report, a portrait of the portfolio, was an important portion.")
    assert "tourism" not in _themes("Russia tested a cruise missile over the Barents Sea.")
    assert "gnss" not in _themes("The gps of the company was renamed.")  # acronyms only in capitals
    assert "naval" not in _themes("Shipping firms ordered more shipments.")


def test_term_variants_stems_hyphens_and_spaces():
    assert "minerals" in _themes("Rare earth elements were found.")
    assert "minerals" in _themes("The rare-earth deposit is large.")
    assert "sanctions" in _themes("The company was sanctioned last year.")
    assert "cyber" in _themes("The cyber-attack hit the port authority.")


def test_weak_terms_need_company():
    assert "climate" not in _themes("The ice was thick that day, the minister said.")
    assert "climate" in _themes("The ice melted early, and temperatures stayed above zero.")


def test_evidence_points_into_the_body_and_paragraphs_are_listed():
    paras = ["Intro paragraph about the weather in Tromsø.", "Two frigates and a submarine sailed north.", "LNG exports grew."]
    body = "\n\n".join(paras)
    scores = {s.theme: s for s in score_paragraphs(paras)}
    naval = scores["naval"]
    assert naval.paragraphs == [1]
    assert sorted(body[e.start : e.end].lower() for e in naval.evidence) == ["frigates", "submarine"]
    assert all(e.paragraph == 1 for e in naval.evidence)
    assert scores["energy"].paragraphs == [2]
    assert abs(sum(s.share for s in scores.values()) - 1.0) < 1e-9
    d = naval.as_dict(body)
    assert d["evidence"][0]["text"] == "frigates"


def test_repeated_theme_in_passing_is_an_article_theme():
    paras = [f"Paragraph {i} says the two states deepened their cooperation." for i in range(3)]
    paras.append("Their diplomats met again in Tromsø.")
    assert "governance" in _themes(*paras)
    assert "governance" not in _themes(paras[0])


def test_seed_articles_carry_their_gold_themes(seeds, seeds_gold):
    gold = seeds_gold["articles"]
    for doc in read_paths(sorted(seeds.glob("*.txt")), Settings()):
        art = to_article(doc)
        if not isinstance(art, Article):
            continue
        name = doc.source.path.rsplit("/", 1)[-1]
        want = {SEED_LABELS[t] for t in gold[name]["themes"] if t in SEED_LABELS}
        got = {s.theme for s in score_paragraphs(art.paragraphs)}
        assert want <= got, (name, want - got)
        assert len(got - want) <= 1, (name, got - want)
