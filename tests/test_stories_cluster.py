"""Same-event story clustering: scores, the hard cases, and floors on ECB+ dev and our own story gold."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import shared_dir
from polarwatch.cli import main
from polarwatch.evaluate.gold import GoldError
from polarwatch.stories.cluster import Clusterer
from polarwatch.stories.evaluate import load_gold
from polarwatch.stories.features import build, dateline
from polarwatch.stories.metrics import adjusted_rand, bcubed

OWN_GOLD = Path(__file__).resolve().parent / "gold" / "stories" / "stories.jsonl"
# Pinned just below what was measured (docs/eval.md, "Stories"): a drop fails CI.
ECB_FLOOR = {"f1": 0.86, "ari": 0.82}  # measured 0.877 / 0.842
OWN_FLOOR = {"f1": 0.91, "ari": 0.83}  # measured 0.927 / 0.849


def test_bcubed_and_adjusted_rand_by_hand():
    b = bcubed(["a", "a", "b", "b"], [1, 1, 1, 2])
    assert b["precision"] == pytest.approx(2 / 3) and b["recall"] == pytest.approx(0.75)
    assert b["f1"] == pytest.approx(2 * (2 / 3) * 0.75 / (2 / 3 + 0.75))
    assert adjusted_rand([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand(["x", "x", "y"], [5, 5, 9]) == 1.0
    assert bcubed(["x", "x", "y"], [5, 5, 9])["f1"] == 1.0


QUAKE = (
    "A magnitude {mag} earthquake struck near {town} in {region} on Monday, damaging houses and cutting power lines. "
    "Rescue teams searched collapsed buildings in {town} overnight, and the regional governor of {region} said shelters "
    "had opened for families who lost their homes. Seismologists recorded several aftershocks after the earthquake."
)


def _quake(aid: str, town: str, region: str, mag: str, published: str | None = None):  # noqa: ANN202
    return build(aid, f"Earthquake hits {town}", QUAKE.format(town=town, region=region, mag=mag), published=published)


def test_two_earthquakes_of_one_kind_do_not_merge_but_two_reports_of_one_do():
    c = Clusterer()
    a1 = c.add(_quake("a1", "Petropavlovsk", "Kamchatka", "6.8"))
    a2 = c.add(_quake("a2", "Petropavlovsk", "Kamchatka", "6.9"))
    b1 = c.add(_quake("b1", "Húsavík", "Iceland", "5.9"))
    b2 = c.add(_quake("b2", "Húsavík", "Iceland", "6.0"))
    assert a1 == a2 and b1 == b2 and a1 != b1


def test_the_same_kind_of_story_years_later_starts_a_new_story():
    c = Clusterer()
    first = c.add(_quake("old", "Petropavlovsk", "Kamchatka", "6.8", "2021-03-01"))
    assert c.add(_quake("next-day", "Petropavlovsk", "Kamchatka", "6.8", "2021-03-02")) == first
    assert c.add(_quake("later", "Petropavlovsk", "Kamchatka", "6.8", "2024-03-01")) != first


def test_a_dateline_gives_an_undated_text_its_date():
    assert str(dateline("Lohan checks into rehab\nMay 03 , 2013\nAfter skipping ...")) == "2013-05-03"
    assert str(dateline("Published 2025-09-14 by the desk")) == "2025-09-14"
    assert dateline("Maybe 3, 2013 is not a date; nor is 31 February 2020.") is None


def test_gold_loader_names_the_bad_line(tmp_path):
    bad = tmp_path / "g.jsonl"
    bad.write_text('{"id": "a", "cluster": "x", "text": "t"}\n{"id": "b", "text": "no cluster"}\n', "utf-8")
    with pytest.raises(GoldError, match="line 2"):
        load_gold(bad)
    ok = tmp_path / "s.jsonl"
    ok.write_text('{"doc": "a", "cluster": "x", "sentences": ["One.", "Two."], "topic": 1}\n', "utf-8")
    g = load_gold(ok)
    assert g[0].id == "a" and g[0].text == "One.\nTwo."


def _eval(path: Path) -> dict:
    res = CliRunner().invoke(main, ["eval", "stories", "--gold", str(path), "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_own_story_gold_stays_above_its_floor():
    r = _eval(OWN_GOLD)
    assert {"bcubed", "ari", "clusters"} <= set(r) and set(r["bcubed"]) == {"precision", "recall", "f1"}
    assert r["bcubed"]["f1"] >= OWN_FLOOR["f1"], r
    assert r["ari"] >= OWN_FLOOR["ari"], r


@pytest.mark.slow
def test_ecbplus_dev_stays_above_its_floor():
    r = _eval(shared_dir("ecbplus-dev") / "ecbplus_dev_clusters.jsonl")
    assert r["articles"] == 462
    assert r["bcubed"]["f1"] >= ECB_FLOOR["f1"], r
    assert r["ari"] >= ECB_FLOOR["ari"], r


def test_the_story_profile_scores_the_mean_cosine_to_its_recent_members():
    from polarwatch.stories.cluster import MAX_RECENT, DocFreq, Story, _cosine, _vector, score, terms_of, vector

    feats = [_quake(f"k{i}", "Petropavlovsk", "Kamchatka", f"6.{i}") for i in range(MAX_RECENT + 3)]
    feats += [_quake("h", "Húsavík", "Iceland", "5.9")]
    df = DocFreq()
    s = Story(1, profile={}, vecs=[], weighted_at=0)
    for f in feats[:-2]:
        df.add(f)
        s.add(f, vector(f, df))  # the profile is updated in place as members come and go...
    assert len(s.recent) == MAX_RECENT and s.size == len(feats) - 2
    probe = feats[-2]
    vec = vector(probe, df)
    fresh = Story(2, size=s.size, terms=s.terms, recent=s.recent)  # ... and a story read back weighs them again
    expected = sum(_cosine(vec, _vector(t, df)) for t in s.recent) / len(s.recent)
    assert score(probe, vec, s, df) == pytest.approx(score(probe, vec, fresh, df))
    assert _cosine(vec, fresh.weigh(df)) / len(fresh.recent) == pytest.approx(expected)
    assert terms_of(probe)["n:petropavlovsk"] > 1.0


def test_the_index_offers_only_stories_that_share_a_key_term():
    from polarwatch.stories.cluster import DocFreq, StoryIndex, keys_of, vector

    c = Clusterer()
    a = c.add(_quake("a1", "Petropavlovsk", "Kamchatka", "6.8"))
    b = c.add(_quake("b1", "Húsavík", "Iceland", "5.9"))
    other = build("x", "Budget vote", "The parliament in Oslo approved the fisheries budget after a long debate on quotas.")
    c.df.add(other)
    assert c.index.candidates(keys_of(vector(other, c.df))) == []  # no word or name in common: never scored
    probe = _quake("a2", "Petropavlovsk", "Kamchatka", "6.9")
    found = [s.id for s in c.index.candidates(keys_of(vector(probe, c.df)))]
    assert found[0] == a  # the story sharing most keys comes first
    idx = StoryIndex()
    s = c.index.stories[a]
    idx.put(s, DocFreq(c.df.n, c.df.df))
    idx.rename(a, 99)
    assert 99 in idx.stories and a not in idx.stories
    assert all(99 in ids and a not in ids for k, ids in idx.postings.items() if k in s.keys)
    idx.drop(99)
    assert not idx.stories and not idx.postings


def test_a_settled_profile_is_weighed_again_only_when_the_count_moves_enough():
    from polarwatch.stories.cluster import REWEIGHT, DocFreq, Story

    f = _quake("k", "Petropavlovsk", "Kamchatka", "6.8")
    s = Story(1)
    s.add(f)
    big = DocFreq(20_000, Counter({"earthquake": 900}))
    first = s.weigh(big)
    assert s.weigh(DocFreq(20_000 + int(REWEIGHT * 20_000) - 1, big.df)) is first
    assert s.weigh(DocFreq(20_000 + int(REWEIGHT * 20_000) + 1, big.df)) is not first
    small = DocFreq(300, Counter({"earthquake": 30}))
    kept = s.weigh(small)
    assert s.weigh(DocFreq(301, small.df)) is not kept  # exact while the corpus is small
