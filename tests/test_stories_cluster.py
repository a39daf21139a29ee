"""Same-event story clustering: scores, the hard cases, and floors on ECB+ dev and our own story gold."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
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
ECB_FLOOR = {"f1": 0.93, "ari": 0.91}  # measured 0.939 / 0.920 (file order, session 11: lead years and counts)
OWN_FLOOR = {"f1": 0.93, "ari": 0.86}  # measured 0.942 / 0.876


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


TSUNAMI = (
    "A tsunami warning was issued for the coast of Kamchatka after the earthquake near Petropavlovsk. Residents of "
    "Petropavlovsk moved to higher ground while the warning centre in Vladivostok measured waves of {height}. The "
    "warning was lifted later, the centre in Vladivostok said."
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


def test_eval_stories_scores_shuffled_orders_as_the_benchmark_script_does():
    from polarwatch.stories.evaluate import run_stories_eval

    res = CliRunner().invoke(main, ["eval", "stories", "--gold", str(OWN_GOLD), "--shuffle", "1", "--json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    r = json.loads(res.output)
    bare = run_stories_eval(OWN_GOLD, (1,), details=False)
    assert "errors" in r and "errors" not in bare and "threads" not in bare
    assert list(r["orders"]) == ["1"] and r["orders"] == bare["orders"]
    assert r["orders"]["1"]["bcubed"] != r["bcubed"]  # another order, other stories (shuffle 2's are the date order's since the split)


@pytest.mark.slow
def test_ecbplus_dev_stays_above_its_floor():
    r = _eval(shared_dir("ecbplus-dev") / "ecbplus_dev_clusters.jsonl")
    assert r["articles"] == 462
    assert r["bcubed"]["f1"] >= ECB_FLOOR["f1"], r
    assert r["ari"] >= ECB_FLOOR["ari"], r


def _reference_vector(terms: Counter, df) -> dict[str, float]:  # noqa: ANN001
    """The unit TF-IDF vector written out with plain dicts, as the clusterer is documented to weigh terms."""
    from polarwatch.stories.cluster import NAME_WEIGHT

    v = {t: tf * df.idf(t) * (NAME_WEIGHT if t[0] == "n" else 1.0) for t, tf in terms.items()}
    norm = sum(x * x for x in v.values()) ** 0.5 or 1.0
    return {t: x / norm for t, x in v.items()}


def _by_term(df, ids: np.ndarray, vals: np.ndarray) -> dict[str, float]:  # noqa: ANN001
    at = {int(c): float(x) for c, x in zip(ids, vals)}
    return {t: at[c] for t, c in df.cols.items() if c in at}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(x * b[t] for t, x in a.items() if t in b)


def test_the_story_profile_scores_the_mean_cosine_to_its_recent_members():
    from polarwatch.stories.cluster import CORE_WEIGHT, MAX_RECENT, DocFreq, Story, _core_overlap, score, terms_of, vector

    feats = [_quake(f"k{i}", "Petropavlovsk", "Kamchatka", f"6.{i}") for i in range(MAX_RECENT + 3)]
    feats += [_quake("h", "Húsavík", "Iceland", "5.9")]
    df = DocFreq()
    s = Story(1, cols=[], space=df)
    for f in feats[:-2]:
        df.add(f)
        s.add(f, vector(f, df))  # members come and go as the story grows ...
    assert len(s.recent) == MAX_RECENT and s.size == len(feats) - 2
    for probe in feats[-2:]:
        vec = vector(probe, df)
        ref = _reference_vector(terms_of(probe), df)
        assert dict(zip((t for t in terms_of(probe)), vec.vals.tolist())) == pytest.approx(ref)
        expected = sum(_dot(ref, _reference_vector(t, df)) for t in s.recent) / len(s.recent)
        core = CORE_WEIGHT * (_core_overlap(probe, s) - 0.5)
        fresh = Story(2, size=s.size, terms=s.terms, recent=s.recent)  # ... and a story read back weighs them again
        assert score(probe, vec, s, df) == pytest.approx(expected + core)
        assert score(probe, vec, fresh, df) == pytest.approx(expected + core)
    assert 0.0 < expected < 0.5  # the Icelandic quake shares the words, not the names
    assert terms_of(probe)["n:petropavlovsk"] == 0 and terms_of(feats[0])["n:petropavlovsk"] > 1.0


def test_a_growing_story_keeps_its_weighed_members_exactly_as_weighing_them_all_again_would():
    from polarwatch.stories.cluster import MAX_RECENT, DocFreq, Story, vector

    df = DocFreq()
    s = Story(1, cols=[], space=df)
    feats = [_quake(f"k{i}", "Petropavlovsk", "Kamchatka", f"6.{i}") for i in range(MAX_RECENT + 4)]
    feats.insert(3, build("empty", None, "A 6.5 in 2024."))  # a member with no terms at all
    shifted = 0
    for f in feats:
        df.add(f)
        vec = vector(f, df)
        s.weigh(df)  # weighed under the current counts, as a candidate is before it is joined ...
        s.add(f, vec)
        shifted += s.vals is not None  # ... so the new member is weighed alone and appended
        fresh = Story(2, cols=[], space=df, recent=list(s.recent))
        fresh.cols = list(s.cols or [])
        for mine, theirs in zip(s.weigh(df), fresh.weigh(df)):
            assert np.array_equal(mine, theirs)  # to the bit: the scores cannot drift from a story read back
        assert np.array_equal(s.starts, fresh.starts)
    assert shifted >= len(feats) - 2 and len(s.recent) == MAX_RECENT


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
    assert found[0] == a and b in found  # the story sharing most keys comes first
    idx = StoryIndex()
    s = c.index.stories[a]
    other_space = DocFreq(c.df.n, c.df.df)
    idx.put(s, other_space)  # indexed again in another term space: its columns are made anew there
    assert s.space is other_space and s.keys
    assert {t for t, i in other_space.cols.items() if i in s.keys} >= {"n:petropavlovsk", "n:kamchatka"}
    idx.rename(a, 99)
    assert 99 in idx.stories and a not in idx.stories
    assert all(99 in ids and a not in ids for k, ids in idx.postings.items() if k in s.keys)
    idx.drop(99)
    assert not idx.stories and not idx.postings


def test_candidates_come_most_shared_keys_first_then_newest_however_many_there_are():
    import random

    from polarwatch.stories.cluster import Story, StoryIndex

    rng = random.Random(3)
    for n in (5, 60, 1500):  # below and above the length where the heap takes over from the sorts
        idx = StoryIndex()
        for sid in rng.sample(range(1, 10 * n), n):
            s = Story(sid)
            idx.stories[sid] = s
            idx._post(s, set(rng.sample(range(40), rng.randint(1, 6))))
        keys = list(range(20))
        shared = {sid: sum(1 for k in keys if sid in idx.postings.get(k, ())) for sid in idx.stories}
        expected = sorted((sid for sid, c in shared.items() if c), key=lambda sid: (-shared[sid], -sid))[:20]
        assert [s.id for s in idx.candidates(keys)] == expected


def test_a_story_is_weighed_again_whenever_the_counts_move():
    from polarwatch.stories.cluster import DocFreq, Story

    f = _quake("k", "Petropavlovsk", "Kamchatka", "6.8")
    s = Story(1)
    s.add(f)
    df = DocFreq(20_000, Counter({"earthquake": 900}))
    ids, first = s.weigh(df)
    first = first.copy()
    assert s.weigh(df)[1] is s.vals  # unchanged counts: kept
    ref = _reference_vector(s.recent[0], df)
    assert _by_term(df, ids, first) == pytest.approx(ref)
    df.learn({"earthquake": 15_000})  # a common word now: it weighs less, every other term more
    col = df.cols["w:earthquake"]
    again = s.weigh(df)[1]
    pos = int(np.flatnonzero(ids == col)[0])
    assert again[pos] < first[pos]
    ref = _reference_vector(s.recent[0], df)
    assert _by_term(df, ids, again) == pytest.approx(ref)


def test_a_shared_country_counts_less_than_a_shared_person_and_an_outlet_not_at_all():
    from polarwatch.stories.cluster import ACTOR_WEIGHT, COUNTRY_WEIGHT

    f = _quake("a", "Petropavlovsk", "Kamchatka", "6.8")
    f.actors = {"ru", "us", "outlet:sputnik", "article:yana-leksyutina"}
    assert dict(f.weighed_actors(COUNTRY_WEIGHT)) == {"ru": COUNTRY_WEIGHT, "us": COUNTRY_WEIGHT, "article:yana-leksyutina": 1.0}
    assert f.actor_mass == pytest.approx(2 * COUNTRY_WEIGHT + 1.0)

    def joined_with(actors: set[str]) -> float:
        c = Clusterer()
        first = _quake("s", "Petropavlovsk", "Kamchatka", "6.8")
        first.actors = actors
        c.add(first)
        probe = _quake("p", "Petropavlovsk", "Kamchatka", "6.9")
        probe.actors = {"ru", "us", "outlet:sputnik", "article:yana-leksyutina"}
        c.df.add(probe)
        from polarwatch.stories.cluster import score, vector

        return score(probe, vector(probe, c.df), c.stories[0], c.df) or 0.0

    countries, person, outlet = joined_with({"ru", "us"}), joined_with({"article:yana-leksyutina"}), joined_with({"outlet:sputnik"})
    none = joined_with(set())
    assert countries - none == pytest.approx(ACTOR_WEIGHT * 2 * COUNTRY_WEIGHT / (2 * COUNTRY_WEIGHT + 1.0))
    assert person - none == pytest.approx(ACTOR_WEIGHT * 1.0 / (2 * COUNTRY_WEIGHT + 1.0))
    assert outlet == pytest.approx(none)


def test_the_person_a_report_is_about_is_named_four_times_and_more_than_any_other():
    from types import SimpleNamespace as NS

    from polarwatch.stories.features import lead_person

    def named(**counts: int) -> list[NS]:
        return [NS(actor_id=a, kind="organization" if a == "academy" else "person") for a, n in counts.items() for _ in range(n)]

    assert lead_person(named(jackman=4, condon=3)) == "jackman"
    assert lead_person(named(jackman=3, condon=1)) is None  # a source quoted with a "he said" or two is not enough
    assert lead_person(named(jackman=4, degeneres=4)) is None  # a tie: about neither
    assert lead_person(named(academy=9, jackman=4)) == "jackman"  # persons only


def test_a_report_about_another_person_fits_a_story_less_unless_it_names_the_storys():
    from polarwatch.stories.cluster import LEAD_AGREE, LEAD_CONFLICT, score, vector

    def joined(story_lead: str | None, lead: str | None, actors: set[str]) -> float:
        c = Clusterer()
        first = _quake("s", "Petropavlovsk", "Kamchatka", "6.8")
        first.lead, first.actors = story_lead, {story_lead} if story_lead else set()
        c.add(first)
        probe = _quake("p", "Petropavlovsk", "Kamchatka", "6.9")
        probe.lead, probe.actors = lead, actors
        c.df.add(probe)
        return score(probe, vector(probe, c.df), c.stories[0], c.df) or 0.0

    # the actor share moves with the actors, so each pair below differs in the lead alone
    assert joined("a:ivanov", "a:ivanov", {"a:ivanov"}) - joined("a:ivanov", None, {"a:ivanov"}) == pytest.approx(LEAD_AGREE)
    assert joined("a:ivanov", "a:petrov", {"a:petrov"}) - joined("a:ivanov", None, {"a:petrov"}) == pytest.approx(-LEAD_CONFLICT)
    both = {"a:petrov", "a:ivanov"}  # it names the story's person too: a report on both, no conflict
    assert joined("a:ivanov", "a:petrov", both) == pytest.approx(joined("a:ivanov", None, both))
    assert joined(None, "a:petrov", {"a:petrov"}) == pytest.approx(joined(None, None, {"a:petrov"}))


def test_the_years_a_report_writes_are_read_from_its_lead_only():
    from datetime import date

    from polarwatch.stories.features import DATELINE_CHARS, lead_years

    lead = "Turkmenistan holds its fourth parliamentary election\nVoting began on Dec. 14, 2008, in Ashgabat."
    assert lead_years(lead, None) == {2008}
    assert lead_years(lead, date(2008, 12, 15)) == {2008}
    assert lead_years("Quake hits Qeshm island, five hurt", date(2005, 11, 27)) == {2005}  # its date's year
    background = "Voters went to the polls. " + "x " * DATELINE_CHARS + "The previous vote, in 2004, was ..."
    assert lead_years(background, None) == frozenset()  # further down: background, not the event
    assert lead_years("http : / / www . trend . az / 2013 / 09 / 26 / vote . html\nThe vote in the 1990s ...", None) == frozenset()
    assert lead_years("2,000 booths and 1,500 observers; $2013 raised; room 20134", None) == frozenset()


def test_a_report_whose_lead_writes_other_years_fits_an_undated_story_less():
    from polarwatch.stories.cluster import YEAR_CONFLICT, score, vector

    def joined(story_year: str, year: str, story_day: str | None = None, day: str | None = None) -> float:
        c = Clusterer()
        first = _quake("s", "Qeshm", "Hormozgan", "5.6", story_day)
        first.years = build("s", f"Quake of {story_year}" if story_year else "Quake", "", published=story_day).years
        c.add(first)
        probe = _quake("p", "Qeshm", "Hormozgan", "5.9", day)
        probe.years = build("p", f"Quake of {year}" if year else "Quake", "", published=day).years
        c.df.add(probe)
        return score(probe, vector(probe, c.df), c.stories[0], c.df) or 0.0

    assert joined("2008", "2013") - joined("2008", "2008") == pytest.approx(-YEAR_CONFLICT)  # both undated
    assert joined("2008", "2008 and 2013") == pytest.approx(joined("2008", "2008"))  # one year in common: no conflict
    assert joined("", "2013") == pytest.approx(joined("2008", "2008"))  # a side writing no year tells nothing
    assert joined("", "", "2008-12-14") - joined("", "2008", "2008-12-14") == pytest.approx(0.0)
    assert joined("", "2013", "2008-12-14") - joined("", "2008", "2008-12-14") == pytest.approx(-YEAR_CONFLICT)  # the story's date
    # both dated: the date window rules (years apart cannot join at all), not this term
    assert joined("2008", "2008", "2008-12-14", "2008-12-15") == pytest.approx(joined("2008", "2013", "2008-12-14", "2008-12-15"))


def test_assign_picks_what_scoring_every_story_would():
    from polarwatch.stories.cluster import assign, score, vector

    c = Clusterer()
    for i, (town, region) in enumerate([("Petropavlovsk", "Kamchatka"), ("Húsavík", "Iceland"), ("Tromsø", "Troms"),
                                        ("Nome", "Alaska"), ("Petropavlovsk", "Kamchatka")]):
        f = _quake(f"q{i}", town, region, f"6.{i}")
        f.lead = None if i % 2 else f"a:mayor-{i}"  # leads agreeing, conflicting and absent
        f.actors = {f.lead} if f.lead else set()
        c.add(f)
    probe = _quake("p", "Petropavlovsk", "Kamchatka", "6.4")
    probe.lead, probe.actors = "a:mayor-4", {"a:mayor-4"}
    c.df.add(probe)
    vec = vector(probe, c.df)
    scores = {s.id: score(probe, vec, s, c.df) for s in c.stories}
    best = max(scores, key=lambda k: scores[k] or -1.0)
    story, sc = assign(probe, list(reversed(c.stories)), c.df, vec=vec)
    assert story is not None and story.id == best and sc == pytest.approx(scores[best])


def test_referred_dates_take_their_missing_year_from_the_article():
    from datetime import date

    from polarwatch.stories.features import referred_dates

    spans = referred_dates("The Nov. 30 escape, an April 2007 shooting, the vote in December. It may 3 times.",
                           date(2010, 1, 12))
    assert (date(2009, 11, 30), date(2009, 11, 30)) in spans  # Nov. 30 before January 2010: last year's
    assert (date(2007, 4, 1), date(2007, 4, 30)) in spans
    assert (date(2009, 12, 1), date(2009, 12, 31)) in spans
    assert len(spans) == 3  # "may 3" is no date
    assert referred_dates("the vote in December", None) == ()  # no year to give it


def test_a_date_missing_its_year_may_lie_in_next_year_or_on_the_side_its_words_say():
    from datetime import date

    from polarwatch.stories.features import referred_dates

    def days(text: str, day: date) -> list[tuple[str, str]]:
        return [(str(a), str(b)) for a, b in referred_dates(text, day)]

    assert days("the trial set for January 15", date(2009, 12, 20)) == [("2010-01-15", "2010-01-15")]
    assert days("elections in January", date(2009, 11, 15)) == [("2010-01-01", "2010-01-31")]
    assert days("talks until March 20", date(2011, 1, 15)) == [("2011-03-20", "2011-03-20")]
    assert days("closed since last March", date(2011, 2, 10)) == [("2010-03-01", "2010-03-31")]
    assert days("a vote next March", date(2011, 4, 1)) == [("2012-03-01", "2012-03-31")]
    assert days("the raid on Feb. 29", date(2012, 3, 10)) == [("2012-02-29", "2012-02-29")]
    assert days("the attack of Dec. 7", date(2011, 10, 1)) == []  # ten months back: an anniversary, no event


def test_what_only_looks_like_a_date_is_none_and_ranges_and_years_are_kept():
    from datetime import date

    from polarwatch.stories.features import referred_dates

    day = date(2011, 7, 1)
    for text in ("In June 1,500 people marched", "Chapter 11 May filings", "Theresa May 10 Downing Street",
                 "since Marché Central", "in Augustów", "MAY 5 people"):
        assert [s for s in referred_dates(text, day) if s[0].month in (3, 5, 8)] == [], text
    assert referred_dates("In June 1,500 people marched", day) == ((date(2011, 6, 1), date(2011, 6, 30)),)
    assert referred_dates("the Nov 30th of 2008 raid", day) == ((date(2008, 11, 30), date(2008, 11, 30)),)
    assert referred_dates("fighting in May-June 2009", day) == ((date(2009, 5, 1), date(2009, 5, 31)),
                                                                  (date(2009, 6, 1), date(2009, 6, 30)))
    assert referred_dates("the summit of 12-14 March", day) == ((date(2011, 3, 12), date(2011, 3, 14)),)
    assert referred_dates("On 11 May and Friday, May 20", day) == ((date(2011, 5, 11), date(2011, 5, 11)),
                                                                     (date(2011, 5, 20), date(2011, 5, 20)))


def test_long_runs_of_spaces_after_a_month_cost_no_time():
    import time
    from datetime import date

    from polarwatch.stories.features import referred_dates

    t = time.perf_counter()
    assert referred_dates("in March" + " " * 20000 + "x", date(2011, 4, 1)) == ((date(2011, 3, 1), date(2011, 3, 31)),)
    assert time.perf_counter() - t < 0.5


SINKING = (
    "The trawler Nordstjerne sank off Hammerfest {when}, and the skipper Arvid Lunde was charged with negligence. "
    "Prosecutors in Hammerfest said the Nordstjerne left port with a damaged hull and Lunde ignored a storm warning. "
    "Two crew members of the Nordstjerne drowned when the trawler sank in the Barents Sea."
)


def test_a_report_months_later_joins_a_story_whose_member_named_its_date():
    # The story's first report announces the trial date; the trial report, months on, names no date of the story.
    def later(trial_day: str) -> bool:
        c = Clusterer()
        first = c.add(build("sink", "Trawler sinks off Hammerfest",
                            SINKING.format(when="on Monday") + " The trial of Lunde opens on April 20.",
                            published="2025-03-04"))
        return c.add(build("trial", "Nordstjerne skipper on trial", SINKING.format(when="last winter"),
                           published=trial_day)) == first

    assert later("2025-04-20")  # 47 days on, beyond the 30-day window
    assert not later("2025-05-20")  # the same text on a day no member named: the window keeps it out


def test_a_story_keeps_the_referred_dates_nearest_its_span():
    from datetime import date, timedelta

    from polarwatch.stories.cluster import MAX_REFS, Story

    s = Story(1)
    s.add(build("a", "Sinking", SINKING.format(when="on March 3"), published="2025-03-04"))
    event = (date(2025, 3, 3), date(2025, 3, 3))
    far = [(date(2027, 1, 1) + timedelta(days=i), date(2027, 1, 1) + timedelta(days=i)) for i in range(MAX_REFS)]
    later = build("b", "Sinking", SINKING.format(when="on Monday"), published="2025-03-05")
    later.referred = tuple(far)
    s.add(later)
    assert len(s.refs) == MAX_REFS
    assert event in s.refs and far[-1] not in s.refs  # the event's day stays, the furthest date goes


def test_a_report_months_later_joins_the_story_only_if_it_names_the_event_date():
    def later(when: str) -> bool:
        c = Clusterer()
        first = c.add(build("sink", "Trawler sinks off Hammerfest", SINKING.format(when="on Monday"), published="2025-03-04"))
        c.add(build("lost", "Nordstjerne lost", SINKING.format(when="on Monday"), published="2025-03-05"))
        return c.add(build("trial", "Nordstjerne skipper on trial", SINKING.format(when=when), published="2025-06-10")) == first

    assert later("on March 3")  # three months on, but it names the day of the sinking
    assert later("in March")
    assert not later("last week")  # the same words without the date: the window keeps it out
    assert not later("on May 3")  # a date, but not the story's


def test_a_small_story_that_stopped_growing_is_placed_again_where_its_members_now_go(monkeypatch):
    from polarwatch.stories import cluster

    monkeypatch.setattr(cluster, "SETTLE", 2)
    c = Clusterer(threshold=2.0)  # no article joins a story on arrival: each starts its own
    a1 = c.add(_quake("a1", "Petropavlovsk", "Kamchatka", "6.8"))
    a2 = c.add(_quake("a2", "Petropavlovsk", "Kamchatka", "6.9"))
    assert a1 != a2 and c.moves == []
    b1 = c.add(_quake("b1", "Húsavík", "Iceland", "5.9"))  # two articles on, the first story has not grown ...
    assert c.moves == [(a1, a2)] and c.story_of["a1"] == a2  # ... and its one member now joins the second
    assert [s.id for s in c.stories] == [a2, b1] and c.index.stories[a2].size == 2
    c.add(build("x", "Budget vote", "The parliament in Oslo approved the fisheries budget after a long debate on quotas."))
    assert c.moves == [(a1, a2)]  # the two Kamchatka reports are not placed with the Icelandic quake
    assert c.story_of["a2"] == a2 != c.story_of["b1"]
    off = Clusterer(threshold=2.0, settle=False)
    for aid in ("a1", "a2", "b1"):
        off.add(_quake(aid, "Petropavlovsk" if aid[0] == "a" else "Húsavík", "Kamchatka" if aid[0] == "a" else "Iceland", "6.8"))
    assert off.moves == [] and len(off.stories) == 3


def test_a_small_story_moves_as_a_whole_where_its_members_fit_best_on_average():
    from polarwatch.stories.cluster import MOVE_FLOOR, THRESHOLD, Story, replacement, vector

    c = Clusterer(threshold=2.0, settle=False)
    kam = c.index.stories[c.add(_quake("a1", "Petropavlovsk", "Kamchatka", "6.8"))]
    ice = c.index.stories[c.add(_quake("b1", "Húsavík", "Iceland", "5.9"))]

    def small(*feats) -> Story:  # noqa: ANN002
        s = Story(90 + len(feats), cols=[], space=c.df)
        for f in feats:
            c.df.add(f)
            s.add(f, vector(f, c.df))
        return s

    a2, b2, b3 = _quake("a2", "Petropavlovsk", "Kamchatka", "6.9"), _quake("b2", "Húsavík", "Iceland", "6.0"), _quake("b3", "Húsavík", "Iceland", "6.1")
    m = replacement(small(a2, b2, b3), c.index, c.df)
    assert m is not None and m.target is ice and len(m.scores) == 3  # its members chose two stories: the one they fit best goes
    assert all(x is not None and x >= MOVE_FLOOR for x in m.scores) and sum(m.scores) / 3 >= THRESHOLD  # type: ignore[arg-type, misc]
    assert m.scores[0] < m.scores[1]  # type: ignore[operator]  # the Kamchatka report goes along, at a lower score
    assert kam.size == 1
    warning = c.index.stories[c.add(build("t1", "Tsunami warning for Kamchatka", TSUNAMI.format(height="one metre")))]
    k2 = build("k2", "Waves reach Kamchatka", TSUNAMI.format(height="two metres"))
    m = replacement(small(a2, k2), c.index, c.df)  # one chooses the quake's story, the other the warning's ...
    assert m is not None and m.target is kam  # ... and the one both fit best on average takes both (no tie)
    assert m.scores[1] is not None and m.scores[1] < THRESHOLD + 0.2 < m.scores[0]  # type: ignore[operator]
    assert warning.size == 1
    vote = build("v", "Budget vote", "The parliament in Oslo approved the fisheries budget after a long debate on quotas.")
    assert replacement(small(a2, vote), c.index, c.df) is None  # the budget report fits neither quake: nothing moves
    big = small(*[_quake(f"b{i}", "Húsavík", "Iceland", "6.0") for i in range(4, 8)])
    assert big.feats is not None and replacement(big, c.index, c.df) is None  # four members: not a small story


def _reports(rows: list[tuple[str, str, str, str]], dated: bool = True) -> list:  # noqa: ANN401
    return [build(f"{o}-{i}", t, b, published=d if dated else None) for i, (o, d, t, b) in enumerate(rows)]


def test_two_stories_of_the_same_days_merge_when_their_reports_are_alike():
    """``merger``: with no article joining on arrival (threshold 2), the icebreaker's reports of two days in a
    row become one story; its report two days later, the patrol's a day after it, and the same reports
    undated stay apart."""
    from test_stories_store import ICEBREAKER, PATROL

    c = Clusterer(threshold=2.0)
    ids = [c.add(f) for f in _reports(ICEBREAKER + PATROL)]
    assert c.merges == [(2, 1)] and ids == [1, 1, 3, 4, 5]  # the second report's story taken in by the first's
    assert c.story_of["tass.com-0"] == c.story_of["thebarentsobserver.com-1"] == 1 and c.index.stories[1].size == 2
    undated = Clusterer(threshold=2.0)
    for f in _reports(ICEBREAKER + PATROL, dated=False):
        undated.add(f)
    assert undated.merges == [] and len(undated.stories) == 5
    off = Clusterer(threshold=2.0, merge=False)
    for f in _reports(ICEBREAKER):
        off.add(f)
    assert off.merges == [] and len(off.stories) == 3


def test_two_events_of_one_kind_on_the_same_day_do_not_merge_when_each_storys_reports_are_more_alike():
    """Two earthquakes told in the same words on the same day: the stories' reports are alike across (mean
    cosine about 0.3), but each story's own are identical in all but the magnitude, so they stay apart."""
    from polarwatch.stories.cluster import MERGE_COHESION, _own_cohesion

    c = Clusterer(threshold=2.0)
    for aid, mag in [("a1", "6.8"), ("a2", "6.9"), ("b1", "5.9"), ("b2", "6.0")]:
        town, region = ("Petropavlovsk", "Kamchatka") if aid[0] == "a" else ("Húsavík", "Iceland")
        c.add(_quake(aid, town, region, mag, "2031-03-03"))
    assert c.merges == [(2, 1), (4, 3)] and len(c.stories) == 2
    kam, ice = c.stories
    sums = []
    for story in (kam, ice):  # the sum of each story's two members' unit vectors
        total: Counter[int] = Counter()
        for col, v in zip(*story.weigh(c.df)):
            total[int(col)] += float(v)
        sums.append(total)
    link = sum(v * sums[1][col] for col, v in sums[0].items()) / 4  # the mean cosine across
    own_a, own_b = _own_cohesion(kam, c.df), _own_cohesion(ice, c.df)
    assert 0.2 < link < MERGE_COHESION * min(own_a or 0.0, own_b or 0.0)


def test_a_story_merge_is_measured_against_how_alike_the_stories_around_are():
    """Single reports of two earthquakes on one island on one day, told in the same words, are alike enough for
    two single reports (a link over ``MERGE_SINGLE``), but not among three stories whose reports are near
    copies of each other: the median cohesion of the stories around sets the bar (``MERGE_TYPICAL``)."""
    from polarwatch.stories.cluster import MERGE_COHESION, MERGE_SINGLE, _typical_cohesion, merger

    places = {"a": ("Petropavlovsk", "Kamchatka"), "b": ("Húsavík", "Iceland"), "c": ("Arica", "Chile")}
    c = Clusterer(threshold=2.0)
    for aid, mag in [("a1", "6.8"), ("a2", "6.9"), ("b1", "5.9"), ("b2", "6.0"), ("c1", "7.1"), ("c2", "7.2")]:
        c.add(_quake(aid, *places[aid[0]], mag, "2031-03-03"))
    quakes = c.stories
    assert [s.size for s in quakes] == [2, 2, 2]
    c.merge = False
    kushiro = c.index.stories[c.add(_quake("d1", "Kushiro", "Hokkaido", "6.5", "2031-03-03"))]
    extra = " Fishermen in Nemuro said the harbour and the fleet were unharmed, and the island ferry kept sailing."
    text = QUAKE.format(town="Nemuro", region="Hokkaido", mag="6.4") + extra
    nemuro = c.index.stories[c.add(build("e1", "Earthquake hits Nemuro", text, published="2031-03-03"))]
    typical = _typical_cohesion(nemuro, quakes, c.df)
    assert typical is not None and typical > 0.9 and _typical_cohesion(nemuro, quakes[:2], c.df) is None
    assert merger(nemuro, [kushiro], c.df) is kushiro  # alike enough for two single reports ...
    assert merger(nemuro, [kushiro, *quakes], c.df) is None  # ... not where one story's reports are near copies
    assert MERGE_SINGLE < MERGE_COHESION * typical


def test_a_story_is_looked_at_for_a_split_at_each_fourth_member():
    from polarwatch.stories.cluster import crossed

    assert [n for n in range(1, 30) if crossed(n - 1, n)] == [4, 8, 12, 16, 20, 24, 28]
    assert crossed(3, 9) and crossed(6, 9) and crossed(9, 15) and not crossed(9, 11)  # a merge may pass a step on the way


def test_a_story_of_two_events_splits_in_two_and_each_keeps_its_own():
    """``splitter``: two Kamchatka reports and two Icelandic ones in one story (as when an early report joined
    the wrong story) part; the Icelandic ones, which came after the story's first report, leave with their
    names, actors and persons. The same four dated within a day of each other do not: the merge would take
    them together again. Two reports of one quake and two more of it stay together."""
    from polarwatch.stories.cluster import Story, split_off, splitter, vector

    c = Clusterer()

    def story(feats) -> Story:  # noqa: ANN001
        s = Story(90, cols=[], space=c.df)
        for f in feats:
            c.df.add(f)
            s.add(f, vector(f, c.df))
        return s

    kam = [_quake(f"k{i}", "Petropavlovsk", "Kamchatka", f"6.{i}") for i in range(2)]
    ice = [_quake(f"i{i}", "Húsavík", "Iceland", f"5.{i}") for i in range(2)]
    s = story([kam[0], *ice, kam[1]])
    assert splitter(s, c.df) == [1, 2]  # the part without the oldest member leaves
    new = split_off(s, [1, 2], 91, c.df)
    assert (s.members, new.members, s.size, new.size) == (["k0", "k1"], ["i0", "i1"], 2, 2)
    assert not any("húsavík" in t or "iceland" in t for t in s.terms) and "n:húsavík" in new.terms
    assert len(s.recent) == len(s.feats) == 2 and [f.id for f in new.feats] == ["i0", "i1"]  # type: ignore[union-attr]
    assert splitter(s, c.df) is None and splitter(new, c.df) is None  # too few to split again
    dated = story([_quake(f.id + "d", *town, published=day) for f, town, day in zip(
        [kam[0], *ice, kam[1]], [("Petropavlovsk", "Kamchatka", "6.0"), ("Húsavík", "Iceland", "5.0"),
                                 ("Húsavík", "Iceland", "5.1"), ("Petropavlovsk", "Kamchatka", "6.1")],
        ["2031-03-03", "2031-03-03", "2031-03-04", "2031-03-04"])])  # fmt: skip
    assert splitter(dated, c.df) is None
    one = story([_quake(f"o{i}", "Petropavlovsk", "Kamchatka", f"6.{i}") for i in range(4)])
    assert splitter(one, c.df) is None


def test_a_split_story_keeps_the_dates_of_its_earlier_members():
    """A story of more than ``MAX_RECENT`` members keeps the dated span of those no longer recent (``older``), so a
    split gives it its own dates back, not the part that left's."""
    from datetime import date

    from polarwatch.stories.cluster import MAX_RECENT, DocFreq, Story, split_off

    s = Story(1)
    for i in range(MAX_RECENT + 2):
        s.add(_quake(f"k{i}", "Petropavlovsk", "Kamchatka", "6.1", published=f"2031-03-{i + 1:02d}"))
    assert s.older == (date(2031, 3, 1), date(2031, 3, 2))
    new = split_off(s, list(range(6, MAX_RECENT)), 2, DocFreq())
    assert (s.first, s.last, new.first, new.last) == (date(2031, 3, 1), date(2031, 3, 8), date(2031, 3, 9), date(2031, 3, 14))
    assert s.size == 8 and len(s.recent) == 6 and new.size == 6


def test_a_split_story_refers_to_the_dates_of_the_members_it_keeps_as_if_placed_alone():
    """After a split each part holds the referred dates its members would have given it alone (``_refs_of``):
    a story whose members are all recent makes them again; a larger one takes off the spans of the members that
    leave unless a member it keeps refers to them too (each span is kept with how many members refer to it)."""
    from datetime import date, timedelta

    from polarwatch.stories.cluster import MAX_RECENT, MAX_REFS, DocFreq, Story, split_off

    def member(i: int, shared: bool = False):  # noqa: ANN202
        f = _quake(f"k{i}", "Petropavlovsk", "Kamchatka", "6.1", published=f"2031-03-{i + 1:02d}")
        own = (date(2031, 1, 1) + timedelta(days=i),) * 2
        f.referred = (own, (date(2030, 12, 24),) * 2) if shared else (own,)
        return f

    def alone(feats) -> Story:  # noqa: ANN001
        x = Story(9)
        for f in feats:
            x.add(f)
        return x

    for n, out in ((8, [4, 5, 6, 7]), (MAX_RECENT + 4, list(range(6, MAX_RECENT)))):
        feats = [member(i, shared=i in (1, n - 1)) for i in range(n)]  # a span both parts refer to
        s = alone(feats)
        gone = {s.feats[i].id for i in out}  # type: ignore[index]
        new = split_off(s, out, 2, DocFreq())
        assert s.refs == alone([f for f in feats if f.id not in gone]).refs
        assert new.refs == alone([f for f in feats if f.id in gone]).refs
        assert s.refs[(date(2030, 12, 24),) * 2] == 1 and new.refs[(date(2030, 12, 24),) * 2] == 1
    # What cannot be made again: a span dropped while the story held more than MAX_REFS (the furthest from its
    # span) stays dropped, as the earlier members' own referred dates are not kept.
    far = member(0)
    far.referred = tuple((date(2040, 1, 1) + timedelta(days=i),) * 2 for i in range(MAX_REFS))
    feats = [far, *(member(i) for i in range(1, MAX_RECENT + 3))]
    s = alone(feats)
    assert len(s.refs) == MAX_REFS and (date(2040, 1, 1),) * 2 in s.refs
    split_off(s, list(range(2, MAX_RECENT)), 2, DocFreq())
    kept = alone([f for f in feats if f.id in s.members]).refs
    # 78 spans once (64 far ones and 14 members' own): the 14 furthest went; its 5 members alone refer to 68, of
    # which they would keep all but the 4 furthest: 10 far spans they would hold are gone for good.
    assert s.members == ["k0", "k1", "k2", "k3", "k4"] and (len(s.refs), len(kept)) == (54, MAX_REFS)
    assert set(s.refs) < set(kept) and set(kept) - set(s.refs) == {(date(2040, 1, 1) + timedelta(days=i),) * 2 for i in range(50, 60)}
