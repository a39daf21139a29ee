"""Same-event stories in the store: placed online at ingest, kept across runs, listed and shown by the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from polarwatch import lib
from polarwatch.cli import main
from polarwatch.store import open_store

# Two fictional events, each told by several outlets: an icebreaker's sea trials and a Canadian patrol exercise.
ICEBREAKER = [
    ("tass.com", "2031-03-03", "Nuclear icebreaker Zarya Severa completes sea trials",
     "Rosatom said on Monday that the nuclear icebreaker Zarya Severa had completed its sea trials in the Gulf of Finland. "
     "The ship, built at the Baltic Shipyard in St Petersburg, will sail to Murmansk next month. "
     "\"The Zarya Severa is ready to lead convoys on the Northern Sea Route,\" said Rosatom's Arctic director Pavel Orlov."),
    ("thebarentsobserver.com", "2031-03-04", "Zarya Severa icebreaker finishes trials, heads for Murmansk",
     "The nuclear icebreaker Zarya Severa finished sea trials in the Gulf of Finland this week, according to Rosatom. "
     "Pavel Orlov, Rosatom's Arctic director, said the icebreaker would be based in Murmansk and escort tankers "
     "along the Northern Sea Route. The Baltic Shipyard delivered the vessel two years late."),
    ("highnorthnews.com", "2031-03-06", "Rosatom's new icebreaker ready for the Northern Sea Route",
     "After sea trials in the Gulf of Finland, the Zarya Severa nuclear icebreaker is on its way to Murmansk. "
     "Rosatom expects the icebreaker to extend the navigation season on the Northern Sea Route, Pavel Orlov told reporters. "
     "The Baltic Shipyard in St Petersburg has two more icebreakers of the class under construction."),
]
PATROL = [
    ("cbc.ca", "2031-03-05", "Canadian patrol ships begin Nanook Frost exercise in Nunavut",
     "Two Canadian offshore patrol ships sailed from Halifax on Wednesday for the Nanook Frost exercise near Resolute Bay. "
     "The exercise tests search and rescue with the Canadian Rangers in Nunavut. "
     "\"We are training for the day a cruise ship runs aground in the Northwest Passage,\" said Commodore Alice Tremblay."),
    ("rcinet.ca", "2031-03-07", "Nanook Frost: Rangers and navy train off Resolute Bay",
     "Canadian Rangers and two navy offshore patrol ships are training together off Resolute Bay in the Nanook Frost exercise. "
     "Commodore Alice Tremblay said the ships from Halifax would rehearse a rescue in the Northwest Passage. "
     "Nunavut officials welcomed the exercise, the largest in the territory this winter."),
]


def _write(path: Path, items: list[tuple[str, str, str, str]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, (domain, day, title, text) in enumerate(items):
            rec = {"url": f"https://{domain}/news/{day}-{i}", "published": day, "title": title, "text": text}
            fh.write(json.dumps(rec) + "\n")


def _run(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_two_events_become_two_stories_kept_across_runs(tmp_path, db):
    # The first run brings one report of each event; the second (a new process's store) the rest.
    _write(tmp_path / "a.jsonl", [ICEBREAKER[0], PATROL[0]])
    _write(tmp_path / "b.jsonl", [*ICEBREAKER[1:], PATROL[1]])
    first = lib.ingest([tmp_path / "a.jsonl"], db)
    second = lib.ingest([tmp_path / "b.jsonl"], db)
    assert first.new == 2 and second.new == 3
    ice = {first.new_ids[0], *second.new_ids[:2]}
    patrol = {first.new_ids[1], second.new_ids[2]}

    s = open_store(db)
    try:
        of = {aid: s.story_of(aid) for aid in ice | patrol}  # type: ignore[attr-defined]
    finally:
        s.close()
    assert None not in of.values()
    assert len({of[a] for a in ice}) == 1 and len({of[a] for a in patrol}) == 1
    assert {of[a] for a in ice} != {of[a] for a in patrol}

    # Re-ingesting both files changes nothing: no article is placed twice, no story is added.
    before = lib.stories(db)
    again = lib.ingest([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], db)
    assert again.new == 0
    assert lib.stories(db) == before
    assert [r["articles"] for r in before] == [3, 2]

    lines = [json.loads(x) for x in _run("stories", "--db", db, "--json").splitlines()]
    assert [set(r) for r in lines] == [{"id", "title", "first_seen", "last_seen", "articles", "outlets"}] * 2
    top = lines[0]
    assert top["id"] == of[first.new_ids[0]] and top["articles"] == 3
    assert top["title"] == ICEBREAKER[0][2]
    assert (top["first_seen"], top["last_seen"]) == ("2031-03-03", "2031-03-06")
    assert top["outlets"] == ["High North News", "TASS", "The Independent Barents Observer"]
    only_ca = [json.loads(x) for x in _run("stories", "--db", db, "--country", "CA", "--json").splitlines()]
    assert [r["id"] for r in only_ca] == [lines[1]["id"]]

    rec = json.loads(_run("story", str(top["id"]), "--db", db, "--json"))
    assert set(rec) == {"id", "title", "first_seen", "last_seen", "outlets", "articles", "quoted", "events", "thread"}
    assert [a["published"] for a in rec["articles"]] == ["2031-03-03", "2031-03-04", "2031-03-06"]
    assert {a["id"] for a in rec["articles"]} == ice
    assert rec["articles"][0]["similarity"] is None and all(a["similarity"] > 0 for a in rec["articles"][1:])
    tass = next(o for o in rec["outlets"] if o["name"] == "TASS")
    assert (tass["country"], tass["kind"], tass["articles"]) == ("RU", "state-controlled", 1)
    assert all(set(q) == {"speaker", "speaker_id", "country", "quotes", "articles"} for q in rec["quoted"])
    assert any("Orlov" in q["speaker"] for q in rec["quoted"])
    assert all(set(e) == {"type", "source", "target", "count", "articles"} for e in rec["events"])

    text = _run("story", str(top["id"]), "--db", db)
    assert "TASS [RU, state-controlled]" in text
    missing = CliRunner().invoke(main, ["story", "999", "--db", db])
    assert missing.exit_code == 1


def _stored(store, items: list[tuple[str, str, str, str]], prefix: str) -> list[str]:
    """Store articles directly (no extraction) and return their ids."""
    from polarwatch.identity import content_hash
    from polarwatch.records import Article, Source

    arts = [Article(f"{prefix}{i}", content_hash([title, text]), title, [text], [], text, "test", [Source("t", f"{prefix}{i}")],
                    published=day) for i, (_, day, title, text) in enumerate(items)]  # fmt: skip
    store.put_articles(arts)
    return [a.id for a in arts]


def test_what_one_process_keeps_between_batches_follows_another_writer(tmp_path):
    from types import SimpleNamespace

    from polarwatch.stories.service import assign_stories

    db = str(tmp_path / "w.db")
    one, two = open_store(db), open_store(db)
    none = SimpleNamespace(mentions=[], events=[])
    try:
        a = _stored(one, [ICEBREAKER[0], PATROL[0]], "a")
        assert assign_stories(one, a, [none] * 2) == 2  # one keeps both stories in memory ...
        b = _stored(two, [ICEBREAKER[1], PATROL[1]], "b")
        assert assign_stories(two, b, [none] * 2) == 2  # ... while another connection grows them
        c = _stored(one, [ICEBREAKER[2]], "c")
        assert assign_stories(one, c, [none]) == 1
        assert assign_stories(one, c, [none]) == 0  # placed once
        of = {aid: one.story_of(aid) for aid in a + b + c}  # type: ignore[attr-defined]
        assert of["a0"] == of["b0"] == of["c0"] != of["a1"] == of["b1"]
        size = one.db.execute("SELECT size FROM stories WHERE id = ?", (of["c0"],)).fetchone()[0]  # type: ignore[attr-defined]
        assert size == 3  # the story grown by the other writer was read again, not overwritten with a stale state
        df = dict(one.db.execute("SELECT term, df FROM story_df WHERE term IN ('icebreaker', 'exercise')"))  # type: ignore[attr-defined]
        assert df == {"icebreaker": 3, "exercise": 2}
        assert one.story_count() == 5  # type: ignore[attr-defined]
    finally:
        one.close()
        two.close()


def test_a_storys_referred_dates_are_kept_in_its_stored_state():
    from datetime import date

    from polarwatch.stories.cluster import Story
    from polarwatch.stories.features import build
    from polarwatch.stories.service import _state, _story

    s = Story(7)
    s.add(build("a", "Trial opens", "The trial over the Nov. 30 escape opened on Monday.", published="2031-03-04"))
    assert (date(2030, 11, 30), date(2030, 11, 30)) in s.refs
    row = {"id": 7, "size": s.size, "state": _state(s), "first_seen": "2031-03-04", "last_seen": "2031-03-04"}
    assert _story(row).refs == s.refs
    old = json.loads(row["state"])
    del old["refs"]  # a state stored before dates were kept
    assert not _story({**row, "state": json.dumps(old)}).refs
    old["refs"] = [r[:2] for r in json.loads(row["state"])["refs"]]  # stored before splits: no counts
    assert _story({**row, "state": json.dumps(old)}).refs == {r: s.size for r in s.refs}  # at most every member


def test_a_storys_lead_years_and_counts_are_kept_in_its_stored_state_and_leave_with_a_split():
    from polarwatch.stories.cluster import DocFreq, Story, split_off
    from polarwatch.stories.features import build
    from polarwatch.stories.service import _state, _story

    s = Story(9)
    for aid, year in (("a", 2008), ("b", 2008), ("c", 2013), ("d", 2013)):
        s.add(build(aid, f"Turkmenistan votes, Dec. 14, {year}", f"{year - 1720} candidates ran in Ashgabat."))
    assert s.years == {2008: 2, 2013: 2}
    row = {"id": 9, "size": s.size, "state": _state(s), "first_seen": "2008-12-14", "last_seen": "2013-12-15"}
    back = _story(row)
    assert back.years == s.years and back.feats is not None and [f.years for f in back.feats] == [{2008}] * 2 + [{2013}] * 2
    assert [f.counts for f in back.feats] == [{("candid", 288.0)}] * 2 + [{("candid", 293.0)}] * 2
    new = split_off(back, [2, 3], 10, DocFreq())
    assert back.years == {2008: 2} and new.years == {2013: 2}
    old = json.loads(row["state"])
    del old["years"]  # a state stored before the lead years were kept: none, so no conflict
    for m in old["feats"]:
        del m["years"], m["counts"]
    before = _story({**row, "state": json.dumps(old)})
    assert not before.years and all(not f.years and not f.counts for f in before.feats or ())


def test_a_storys_stored_events_and_actors_do_not_depend_on_the_order_they_came_in():
    from polarwatch.stories.cluster import Story
    from polarwatch.stories.service import _state

    def state(order: list[tuple[str, str, str]]) -> dict:
        s = Story(3)
        s.events.update(order + [("protest", "no", "ru")])
        s.actors.update(e[1] for e in order)
        return json.loads(_state(s))

    events = [("protest", "no", "ru"), ("consult", "fi", "ru"), ("consult", "dk", "ru")]
    one, two = state(events), state(list(reversed(events)))
    assert one == two
    assert list(one["actors"]) == ["dk", "fi", "no"]
    assert one["events"] == [["protest", "no", "ru", 2], ["consult", "dk", "ru", 1], ["consult", "fi", "ru", 1]]


def test_a_report_months_later_naming_the_event_day_joins_its_story_at_ingest(tmp_path, db):
    from test_stories_cluster import SINKING  # a sinking; months later the skipper's trial names its day

    _write(tmp_path / "a.jsonl", [
        ("nrk.no", "2031-03-04", "Trawler sinks off Hammerfest", SINKING.format(when="on Monday")),
        ("thebarentsobserver.com", "2031-03-05", "Nordstjerne lost", SINKING.format(when="on Monday night")),
        ("highnorthnews.com", "2031-06-10", "Nordstjerne skipper on trial", SINKING.format(when="on March 3")),
    ])  # fmt: skip
    run = lib.ingest([tmp_path / "a.jsonl"], db)  # one batch, as a backfill: the March story is loaded
    s = open_store(db)
    try:
        sinking, lost, trial = (s.story_of(aid) for aid in run.new_ids)  # type: ignore[attr-defined]
    finally:
        s.close()
    assert sinking == lost == trial  # three months on, but it names the day of the sinking
    assert len(lib.stories(db)) == 1



@pytest.mark.parametrize("when", ["on March 3", "last winter"])
def test_a_report_in_a_later_batch_naming_the_event_day_joins_its_story(tmp_path, db, when):
    from test_stories_cluster import SINKING

    _write(tmp_path / "a.jsonl", [
        ("nrk.no", "2031-03-04", "Trawler sinks off Hammerfest", SINKING.format(when="on Monday")),
        ("thebarentsobserver.com", "2031-03-05", "Nordstjerne lost", SINKING.format(when="on Monday night")),
    ])  # fmt: skip
    _write(tmp_path / "b.jsonl", [("highnorthnews.com", "2031-06-10", "Nordstjerne skipper on trial", SINKING.format(when=when))])
    first = lib.ingest([tmp_path / "a.jsonl"], db)
    second = lib.ingest([tmp_path / "b.jsonl"], db)  # months later: only the named day brings the March story
    s = open_store(db)
    try:
        sinking, trial = s.story_of(first.new_ids[0]), s.story_of(second.new_ids[0])  # type: ignore[attr-defined]
    finally:
        s.close()
    assert (trial == sinking) == (when == "on March 3")


_STATE = '{"terms":{},"actors":{},"events":[],"refs":[],"recent":[]}'


def _three_stories(store) -> tuple[int, int, int]:
    """Stories A (a0, a1), B (a2) and C (a3) of four stored articles, all three in one thread."""
    _stored(store, [ICEBREAKER[0], ICEBREAKER[1], ICEBREAKER[2], PATROL[0]], "a")
    days = {"a0": "2031-03-03", "a1": "2031-03-04", "a2": "2031-03-06", "a3": "2031-03-10"}
    ids = store.put_stories(
        [{"id": -1, "title": "A", "first_seen": days["a0"], "last_seen": days["a1"], "size": 2, "state": _STATE, "grown": 2},
         {"id": -2, "title": "B", "first_seen": days["a2"], "last_seen": days["a2"], "size": 1, "state": _STATE, "grown": 3},
         {"id": -3, "title": "C", "first_seen": days["a3"], "last_seen": days["a3"], "size": 1, "state": _STATE, "grown": 4}],
        [(-1, "a0", None), (-1, "a1", 0.5), (-2, "a2", None), (-3, "a3", None)], {},
    )  # fmt: skip
    a, b, c = ids[-1], ids[-2], ids[-3]
    store.put_threads(
        [{"story_id": x, "first_seen": None, "last_seen": None, "size": 1, "profile": "{}", "keys": ["n:zarya"]} for x in (a, b, c)],
        {a: (-1, 0.5, b, "{}"), b: (-1, 0.5, a, "{}"), c: (-1, 0.45, b, "{}")}, {-1},
    )  # fmt: skip
    return a, b, c


def test_a_story_moved_into_another_takes_its_articles_record_and_thread_along(db):
    s = open_store(db)
    try:
        a, b, c = _three_stories(s)
        (tid,) = {r["id"] for r in s.list_threads()}  # type: ignore[attr-defined]
        s.move_stories([(b, a, [("a2", 0.31)])])  # type: ignore[attr-defined]
        assert s.story_of("a2") == a and s.story_rows([b]) == []  # type: ignore[attr-defined]
        got = s.get_story(a)  # type: ignore[attr-defined]
        assert (got["first_seen"], got["last_seen"], len(got["articles"])) == ("2031-03-03", "2031-03-06", 3)
        assert {x["id"]: x["similarity"] for x in got["articles"]}["a2"] == pytest.approx(0.31)
        assert s.story_rows([a])[0]["size"] == 3  # type: ignore[attr-defined]
        assert s.story_profile_rows([b]) == [] and s.thread_memberships([a, b, c]) == {a: tid, c: tid}  # type: ignore[attr-defined]
        t = s.get_thread(tid)  # type: ignore[attr-defined]
        assert (len(t["stories"]), t["articles"]) == (2, 4)
        assert {x["id"]: x["linked_to"] for x in t["stories"]}[c] == a  # it linked to B, whose articles are in A now
        assert s.story_count() == 4  # type: ignore[attr-defined]

        s.move_stories([(c, a, [])])  # type: ignore[attr-defined]
        assert s.get_story(a)["last_seen"] == "2031-03-10"  # type: ignore[attr-defined]
        assert s.list_threads() == [] and s.thread_memberships([a]) == {}  # type: ignore[attr-defined]  # one story left: no thread
        assert [r["articles"] for r in lib.stories(db)] == [4]
    finally:
        s.close()


def test_a_story_split_gives_the_articles_named_to_a_new_story_in_one_transaction(db, monkeypatch):
    s = open_store(db)
    try:
        a, b, c = _three_stories(s)
        s.move_stories([(b, a, [])])  # type: ignore[attr-defined]  # A: a0, a1, a2
        ids = s.put_stories(  # type: ignore[attr-defined]
            [{"id": -1, "title": None, "first_seen": "2031-03-04", "last_seen": "2031-03-06", "size": 2, "state": _STATE, "grown": 5},
             {"id": a, "title": "A", "first_seen": "2031-03-03", "last_seen": "2031-03-03", "size": 1, "state": _STATE, "grown": 4}],
            [], {}, [], [(a, -1, ["a1", "a2"])],
        )  # fmt: skip
        new = ids[-1]
        assert [s.story_of(x) for x in ("a0", "a1", "a2", "a3")] == [a, new, new, c]  # type: ignore[attr-defined]
        assert {r["id"]: r["size"] for r in s.story_rows([a, new])} == {a: 1, new: 2}  # type: ignore[attr-defined]
        got = s.get_story(new)  # type: ignore[attr-defined]
        assert got["title"] == ICEBREAKER[1][2] and (got["first_seen"], got["last_seen"]) == ("2031-03-04", "2031-03-06")
        assert {x["id"]: x["similarity"] for x in got["articles"]}["a1"] == pytest.approx(0.5)  # its score goes along
        s.split_stories([(new, c, ["a2"])])  # type: ignore[attr-defined]  # alone, into a story that exists
        assert s.story_of("a2") == c and {r["id"]: r["size"] for r in s.story_rows([a, new, c])} == {a: 1, new: 1, c: 2}  # type: ignore[attr-defined]
        assert s.story_count() == 4  # type: ignore[attr-defined]

        def fail(*_: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(s, "_move_stories", fail)  # the write fails after the split: nothing of it stays
        with pytest.raises(RuntimeError):
            s.put_stories([{"id": a, "title": "A", "first_seen": None, "last_seen": None, "size": 2, "state": _STATE}],  # type: ignore[attr-defined]
                          [], {}, [], [(a, new, ["a0"])])
        assert s.story_of("a0") == a and s.story_rows([a])[0]["size"] == 1  # type: ignore[attr-defined]
    finally:
        s.close()


def test_a_story_merged_and_split_in_one_batch_is_stored_as_it_is_kept_in_memory(db, monkeypatch):
    """One batch merges a stored story into another and then splits the merged one (the decisions are forced
    here: real texts that do both in one batch depend on the order they come in). The split moves articles
    that are still in the taken-in story's row; the merge's move must not widen the kept story's stored dates
    with them: each stored story (members, size, first and last seen) is the one kept in memory."""
    from types import SimpleNamespace

    from polarwatch.stories import cluster
    from polarwatch.stories.service import _OPEN, place_stories
    from polarwatch.stories.threads import update_threads_of_articles

    none = SimpleNamespace(mentions=[], events=[])
    s = open_store(db)
    try:
        first = _stored(s, [*ICEBREAKER, *PATROL], "a")  # icebreaker 03-03..03-06; patrol 03-05, 03-07
        place_stories(s, first, [none] * 5)
        ice, patrol = s.story_of("a0"), s.story_of("a3")  # type: ignore[attr-defined]
        assert ice != patrol and s.story_of("a2") == ice and s.story_of("a4") == patrol  # type: ignore[attr-defined]
        mem = _OPEN[s]

        def merger(story, cands, df):  # noqa: ANN001, ANN202
            return mem.index.stories[patrol] if story.id == ice else None

        def splitter(story, df):  # noqa: ANN001, ANN202
            assert story.feats is not None
            return [i for i, f in enumerate(story.feats) if f.id in ("a3", "a4")] or None

        def broken(story, df):  # noqa: ANN001, ANN202
            raise RuntimeError("killed half-way")

        monkeypatch.setattr(cluster, "merger", merger)
        monkeypatch.setattr(cluster, "splitter", broken)  # first the batch fails after the merge, before the split
        late = _stored(s, [("tass.com", "2031-03-05", ICEBREAKER[1][2], ICEBREAKER[1][3] + " Sea ice was thin.")], "b")
        with pytest.raises(RuntimeError):
            place_stories(s, late, [none])
        assert s.story_of("b0") is None and s.get_story(patrol) is not None  # type: ignore[attr-defined]  # nothing written
        monkeypatch.setattr(cluster, "splitter", splitter)  # ... then runs again: as if it had never been tried
        placed = place_stories(s, late, [none])
        mem = _OPEN[s]  # what was kept ran ahead of the store in the failed try, and was read again
        assert placed.merged == [(patrol, ice)] and len(placed.split) == 1 and placed.split[0][0] == ice
        new = placed.split[0][1]
        kept = {x.id: x for x in (mem.index.stories[ice], mem.index.stories[new])}
        assert (str(kept[ice].first), str(kept[ice].last)) == ("2031-03-03", "2031-03-06")  # the patrol's days left with it
        members = {ice: ["a0", "a1", "a2", "b0"], new: ["a3", "a4"]}  # (a story read again knows its recent members only)
        for sid, x in kept.items():
            got = s.get_story(sid)  # type: ignore[attr-defined]
            size = s.story_rows([sid])[0]["size"]  # type: ignore[attr-defined]
            assert (sorted(a["id"] for a in got["articles"]), size, got["first_seen"], got["last_seen"]) == (
                members[sid], x.size, str(x.first), str(x.last))
            assert [f.id for f in x.feats] == members[sid]  # type: ignore[union-attr]
        assert s.get_story(patrol) is None and sorted(s.story_heads(None, None, 10)) == sorted(kept)  # type: ignore[attr-defined]
        assert update_threads_of_articles(s, late + placed.moved) >= 0  # as ingest does: both parts get a profile
        assert sorted(r["story_id"] for r in s.story_profile_rows([ice, new])) == sorted([ice, new])  # type: ignore[attr-defined]
        assert place_stories(s, late, [none]).placed == 0 and sorted(s.story_heads(None, None, 10)) == sorted(kept)  # type: ignore[attr-defined]
    finally:
        s.close()


def test_migration_018_fills_when_each_stored_story_last_grew(db):
    s = open_store(db)
    try:
        a, b, c = _three_stories(s)
        for sql in ("DROP INDEX stories_grown", "ALTER TABLE stories DROP COLUMN grown_at", "DELETE FROM schema_migrations WHERE version = 18"):
            s.db.execute(sql)  # type: ignore[attr-defined]  # a store from before the migration
    finally:
        s.close()
    s = open_store(db)
    try:
        grown = {r["id"]: r["grown_at"] for r in s.story_rows([a, b, c])}  # type: ignore[attr-defined]
        assert grown == {a: 2, b: 3, c: 4}  # the rank of its latest article among those placed
        assert [r["id"] for r in s.settled_stories(2, 3, 3)] == [b]  # type: ignore[attr-defined]
        assert [r["id"] for r in s.settled_stories(0, 4, 1)] == [b, c]  # type: ignore[attr-defined]
        assert s.grown_stories(2) == {b: 1, c: 1}  # type: ignore[attr-defined]
    finally:
        s.close()


def _own_gold_one_by_one(db: str, shuffle: int | None = None) -> tuple[Any, dict[str, int], list[Any], dict[int, int]]:
    """Our gold's articles (no extraction) placed in memory and, article by article, through the store, which
    must give the same stories: (the clusterer, each article's story on arrival, each batch's ``Placed``, the
    stored stories' sizes by id). *shuffle*: in that ``arrival_order``, not by date."""
    from types import SimpleNamespace

    from polarwatch.stories import cluster
    from polarwatch.stories.evaluate import _article, arrival_order, load_gold
    from polarwatch.stories.features import build
    from polarwatch.stories.metrics import bcubed
    from polarwatch.stories.service import place_stories
    from test_stories_cluster import OWN_GOLD

    gold = load_gold(OWN_GOLD)
    arts = [_article(g, "gold") for g in gold]
    feats = [build(a.id, a.title, "\n\n".join(a.paragraphs), [], [], g.date) for g, a in zip(gold, arts)]
    order = arrival_order(gold, shuffle)
    mem = cluster.Clusterer()
    first = {feats[i].id: mem.add(feats[i]) for i in order}
    none = SimpleNamespace(mentions=[], events=[])
    s = open_store(db)
    try:
        s.put_articles([arts[i] for i in order])
        placed = [place_stories(s, [arts[i].id], [none]) for i in order]
        stored = [s.story_of(a.id) for a in arts]  # type: ignore[attr-defined]
        sizes = s.story_heads(None, None, 1000)  # type: ignore[attr-defined]
        rows = [s.get_story(sid) for sid in sizes]  # type: ignore[attr-defined]
    finally:
        s.close()
    assert bcubed([mem.story_of[f.id] for f in feats], stored)["f1"] == 1.0  # the same stories either way
    # ... and each stored story is the one in memory: its members, size, first and last seen
    want = {frozenset(x.members): (x.size, x.first and str(x.first), x.last and str(x.last)) for x in mem.stories}
    got = {frozenset(a["id"] for a in r["articles"]): (sizes[r["id"]], r["first_seen"], r["last_seen"]) for r in rows}
    assert got == want
    return mem, first, placed, sizes


def test_the_store_path_places_and_moves_small_stories_as_the_clusterer_does(db, monkeypatch):
    """Article by article (batches of one), ingest's placement gives the in-memory clusterer's stories, small
    stories placed again included (``SETTLE`` lowered so that our 72 articles see some; no merges, which would
    take in the small stories first: the next test has them)."""
    from polarwatch.stories import cluster

    monkeypatch.setattr(cluster, "SETTLE", 5)
    monkeypatch.setattr(cluster, "MERGE_TEXT", 2.0)  # no two stories' members are more alike than identical
    monkeypatch.setattr(cluster, "MERGE_SINGLE", 2.0)
    mem, first, placed, _ = _own_gold_one_by_one(db)
    assert len(mem.moves) >= 2 and mem.merges == []
    moved = [aid for p in placed for aid in p.moved]
    assert set(moved) == {aid for aid, sid in first.items() if mem.story_of[aid] != sid}


@pytest.mark.parametrize("settle", [None, 5])
def test_the_store_path_merges_stories_of_the_same_days_as_the_clusterer_does(db, monkeypatch, settle):
    """Article by article, ingest merges the same stories as the in-memory clusterer (``cluster.merger``): a
    stored story taken in moves whole, one made in the same batch never reaches the store; with ``SETTLE``
    lowered, merges and small stories placed again side by side."""
    from polarwatch.stories import cluster

    if settle:
        monkeypatch.setattr(cluster, "SETTLE", settle)
    mem, _, placed, sizes = _own_gold_one_by_one(db)
    assert len(mem.merges) >= 2
    assert len([m for p in placed for m in p.merged]) == len(mem.merges)
    assert sorted(sizes.values()) == sorted(x.size for x in mem.stories)  # those taken in are gone, the sizes agree


@pytest.mark.parametrize("settle", [None, 5])
def test_the_store_path_splits_stories_as_the_clusterer_does(db, monkeypatch, settle):
    """Article by article, ingest splits the same stories in two as the in-memory clusterer (``cluster.splitter``),
    beside merges (and small stories placed again, with ``SETTLE`` lowered): our gold in its second shuffled
    order, where stories of two events meet early, with ``SPLIT_RATIO`` raised so that it splits some."""
    from polarwatch.stories import cluster

    monkeypatch.setattr(cluster, "SPLIT_RATIO", 0.6)
    if settle:
        monkeypatch.setattr(cluster, "SETTLE", settle)
    mem, _, placed, sizes = _own_gold_one_by_one(db, shuffle=2)
    assert len(mem.splits) == 2 and len(mem.merges) >= 2 and (settle is None or len(mem.moves) >= 1)
    assert len([x for p in placed for x in p.split]) == len(mem.splits)
    assert sorted(sizes.values()) == sorted(x.size for x in mem.stories)


def test_the_store_path_offers_undated_stories_to_dated_reports_as_the_clusterer_does(db):
    """Our gold with every third article's date taken away, in the file's order, article by article: a dated
    report may join an undated story (which has no window) in memory, and at ingest too, though a batch of
    dated reports loads no undated story from the store: the undated stories held stay open to it."""
    from types import SimpleNamespace

    from polarwatch.stories import cluster
    from polarwatch.stories.evaluate import GoldStory, _article, load_gold
    from polarwatch.stories.features import build
    from polarwatch.stories.metrics import bcubed
    from polarwatch.stories.service import place_stories
    from test_stories_cluster import OWN_GOLD

    gold = [GoldStory(g.id, g.cluster, g.text, g.title, None if i % 3 == 0 else g.date)
            for i, g in enumerate(load_gold(OWN_GOLD))]
    arts = [_article(g, "gold") for g in gold]
    feats = [build(a.id, a.title, "\n\n".join(a.paragraphs), [], [], g.date) for g, a in zip(gold, arts)]
    mem = cluster.Clusterer()
    for f in feats:
        mem.add(f)
    day = {f.id: f.day for f in feats}
    # a story an undated report opened that dated ones joined
    assert any(day[x.members[0]] is None and any(day[m] for m in x.members[1:]) for x in mem.stories)
    none = SimpleNamespace(mentions=[], events=[])
    s = open_store(db)
    try:
        s.put_articles(arts)
        for a in arts:
            place_stories(s, [a.id], [none])
        stored = [s.story_of(a.id) for a in arts]  # type: ignore[attr-defined]
    finally:
        s.close()
    assert bcubed([mem.story_of[f.id] for f in feats], stored)["f1"] == 1.0


def test_the_store_path_weighs_the_person_a_report_is_about_as_the_clusterer_does(db):
    """Each of our gold's articles made about the person its text names most (its most frequent name, said
    four times): ingest, article by article, places them as the in-memory clusterer does, whose stories' persons
    (``Story.leads``) go through the stored state and back."""
    from types import SimpleNamespace as NS

    from polarwatch.stories import cluster
    from polarwatch.stories.evaluate import _article, arrival_order, load_gold
    from polarwatch.stories.features import build, words_and_names
    from polarwatch.stories.metrics import bcubed
    from polarwatch.stories.service import place_stories
    from test_stories_cluster import OWN_GOLD

    gold = load_gold(OWN_GOLD)
    arts = [_article(g, "gold") for g in gold]
    analyses = []
    for a in arts:
        names = words_and_names("\n\n".join(a.paragraphs))[1]
        top = min(names.items(), key=lambda nc: (-nc[1], nc[0]))[0] if names else None
        analyses.append(NS(mentions=[NS(actor_id=f"article:{top}", country=None, kind="person")] * 4 if top else [],
                           events=[]))
    feats = [build(a.id, a.title, "\n\n".join(a.paragraphs), an.mentions, [], g.date) for g, a, an in zip(gold, arts, analyses)]
    assert sum(1 for f in feats if f.lead) == len(feats)
    order = arrival_order(gold)
    mem = cluster.Clusterer()
    for i in order:
        mem.add(feats[i])
    assert any(len(s.leads) > 1 for s in mem.stories)  # stories whose members are about different persons
    s = open_store(db)
    try:
        s.put_articles([arts[i] for i in order])
        for i in order:  # batches of one: a batch's document frequencies are fixed before any of it is placed
            place_stories(s, [arts[i].id], [analyses[i]])
        stored = [s.story_of(a.id) for a in arts]  # type: ignore[attr-defined]
    finally:
        s.close()
    assert bcubed([mem.story_of[f.id] for f in feats], stored)["f1"] == 1.0


def test_a_small_storys_members_are_kept_in_its_stored_state_to_be_placed_again():
    from types import SimpleNamespace as NS

    from polarwatch.stories.cluster import MAX_RECENT, SMALL, Story, _member
    from polarwatch.stories.features import build
    from polarwatch.stories.service import _state, _story

    ev = NS(type="PROTEST", source_country="NO", source_id=None, target_country="RU", target_id=None, symmetric=False)
    skipper = [NS(actor_id="article:ivanov", country=None, kind="person")] * 4  # named four times: whom the reports are about
    feats = [build(f"m{i}", "Trawler held", f"Coast Guard held the trawler Nordstjerne near Bjørnøya. Skipper Ivanov {i} said on Nov. 30 ...",
                   [NS(actor_id="org:coast-guard", country="NO", kind="organization"), *skipper], [ev], f"2031-03-0{i + 1}")
             for i in range(SMALL + 1)]  # fmt: skip
    s = Story(5)
    for f in feats[:SMALL]:
        s.add(f)
    row = {"id": 5, "size": s.size, "state": _state(s), "first_seen": "2031-03-01", "last_seen": "2031-03-03", "grown_at": 40}
    back = _story(row)
    assert back.grown == 40 and back.feats is not None and [f.id for f in back.feats] == ["m0", "m1", "m2"]
    assert back.leads == s.leads == {"article:ivanov": SMALL}
    for f, g, t in zip(feats, back.feats, back.recent):
        assert (g.actors, g.events, g.day, g.referred, g.lead) == (f.actors, f.events, f.day, f.referred, "article:ivanov")
        assert _member(g, t).names == f.names and _member(g, t).repeated_names() == f.repeated_names()
    s.add(feats[SMALL])  # one more: no longer small, but its recent members' features are kept (``splitter``)
    back = _story({**row, "size": s.size, "state": _state(s)})
    assert back.feats is not None and [f.id for f in back.feats] == ["m0", "m1", "m2", "m3"] and back.older is None
    for f in (feats * 3)[:MAX_RECENT]:  # the same four again, three times over
        s.add(f)
    back = _story({**row, "size": s.size, "state": _state(s)})  # the first four are no longer recent: their span is kept
    assert back.feats is not None and len(back.feats) == MAX_RECENT and back.older == (feats[0].day, feats[SMALL].day)
    old = json.loads(_state(s))
    del old["feats"]  # a story stored before its recent members' features were kept never splits
    assert _story({**row, "size": s.size, "state": json.dumps(old)}).feats is None
