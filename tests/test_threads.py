"""Threads: stories of one ongoing issue linked, online, with their reasons; scored on our own gold; the seeds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import shared_dir
from polarwatch import lib
from polarwatch.cli import main
from polarwatch.records import RawDoc
from polarwatch.store import open_store
from polarwatch.stories import threads as T
from polarwatch.stories.cluster import DocFreq, Story
from polarwatch.stories.evaluate import run_stories_eval
from polarwatch.stories.features import build

OWN_GOLD = Path(__file__).resolve().parent / "gold" / "stories" / "stories.jsonl"
# Pinned just below what was measured (docs/eval.md, "Threads"): a drop fails CI.
OWN_THREAD_FLOOR = {"f1": 0.84, "ari": 0.72}  # measured 0.861 / 0.749

# One fictional thread (a harbour licence in a fictional Arctic town, and the court complaint against it four
# months later: two events) and one fictional story of another issue (a glaciology expedition).
LICENCE = [
    ("nrk.no", "2031-04-02", "Nordvik harbour licence granted to Kvalfjord Logistics",
     "The Ministry of Trade granted Kvalfjord Logistics a licence on Wednesday to build a deep-water harbour at Nordvik "
     "in Finnmark. Mayor Ragnhild Sørbø welcomed the decision and said the Nordvik harbour would bring two hundred jobs. "
     "The Nordvik Fishermen's Association, led by Arne Hætta, warned that dredging would damage the cod spawning grounds."),
    ("highnorthnews.com", "2031-04-03", "Kvalfjord Logistics wins Nordvik port licence",
     "Kvalfjord Logistics received its licence for the Nordvik deep-water harbour, the Ministry of Trade said. "
     "Ragnhild Sørbø, the mayor of Nordvik, called it a historic day for Finnmark. Arne Hætta of the Nordvik "
     "Fishermen's Association said the cod spawning grounds in the fjord would suffer from the dredging."),
    ("thebarentsobserver.com", "2031-04-04", "Finnmark town of Nordvik gets its deep-water harbour",
     "A licence for a deep-water harbour at Nordvik was granted to Kvalfjord Logistics this week. Fishermen led by "
     "Arne Hætta fear for the cod spawning grounds, while mayor Ragnhild Sørbø expects two hundred jobs in Nordvik."),
]
COMPLAINT = [
    ("nrk.no", "2031-08-11", "Fishermen take Nordvik harbour licence to court",
     "The Nordvik Fishermen's Association filed a complaint at the Hålogaland Court of Appeal on Monday against the "
     "harbour licence granted to Kvalfjord Logistics in April. Arne Hætta said the dredging at Nordvik would destroy "
     "the cod spawning grounds. Kvalfjord Logistics said the licence followed every rule."),
    ("highnorthnews.com", "2031-08-12", "Court complaint filed against Kvalfjord's Nordvik harbour",
     "Arne Hætta and the Nordvik Fishermen's Association have asked the Hålogaland Court of Appeal to annul the "
     "Nordvik harbour licence of Kvalfjord Logistics. The association says cod spawning grounds in the fjord are at risk; "
     "mayor Ragnhild Sørbø said the harbour would go ahead."),
]
EXPEDITION = [
    ("polarjournal.ch", "2031-05-20", "Glaciologists begin drilling on Austfonna ice cap",
     "A team of glaciologists led by Dr Ingrid Solheim began drilling an ice core on the Austfonna ice cap in Svalbard "
     "on Tuesday. The Norwegian Polar Institute expedition hopes to reach ice two thousand years old. "
     "\"The ice of Austfonna keeps a record of every warm summer,\" Solheim said."),
    ("thebarentsobserver.com", "2031-05-21", "Austfonna ice core drilling under way",
     "Norwegian Polar Institute glaciologists are drilling an ice core on Svalbard's Austfonna ice cap. Ingrid Solheim, "
     "who leads the expedition, said the core would show how fast the ice cap has thinned in warm summers."),
]


def _write(path: Path, items: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for domain, day, title, text in items:
            fh.write(json.dumps({"url": f"https://{domain}/news/{day}/{abs(hash(title))}", "published": day,
                                 "title": title, "text": text}) + "\n")  # fmt: skip
    return path


def _run(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def _story(sid: int, items: list[tuple[str, str, str, str]], df: DocFreq) -> Story:
    s = Story(sid)
    for domain, day, title, text in items:
        f = build(f"{sid}-{domain}", title, text, published=day, outlet=domain)
        df.add(f)
        s.add(f)
    return s


def _profiles() -> dict[str, T.Profile]:
    df = DocFreq()
    stories = {"licence": _story(1, LICENCE, df), "complaint": _story(2, COMPLAINT, df), "expedition": _story(3, EXPEDITION, df)}
    return {k: T.profile(s, {}, df, k) for k, s in stories.items()}


# -- the link and the placing, in memory -------------------------------------------------------------------
def test_two_events_of_one_issue_link_with_their_reasons_and_another_issue_does_not():
    p = _profiles()
    link = T.similarity(p["complaint"], p["licence"])
    assert link is not None and link.score >= T.THRESHOLD
    assert "nordvik" in link.reasons["terms"] and link.reasons["gap_days"] > 100
    other = T.similarity(p["expedition"], p["licence"])
    assert other is not None and other.score < T.THRESHOLD


def test_stories_further_apart_than_the_window_are_never_linked():
    p = _profiles()
    late = T.Profile(**{**{f: getattr(p["complaint"], f) for f in T.Profile.__slots__}, "story": 9})
    late.first = late.last = p["licence"].last.replace(year=p["licence"].last.year + 2)
    assert T.similarity(late, p["licence"]) is None


def test_a_verbal_answer_to_the_other_storys_act_is_a_reply():
    report = T.Profile(1, {"n:arctic": 1.0}, pairs={("US", "RU")})
    answer = T.Profile(2, {"n:arctic": 1.0}, pairs={("RU", "US")}, answers={("RU", "US")})
    unrelated = T.Profile(3, {"n:arctic": 1.0}, pairs={("NO", "RU")}, answers={("NO", "RU")})
    assert T.similarity(answer, report).reasons["reply"] == {"story": 2, "answers": 1}
    assert T.similarity(report, answer).reasons["reply"] == {"story": 2, "answers": 1}
    assert T.similarity(unrelated, report).reasons["reply"] is None
    assert T.similarity(answer, report).score > T.similarity(unrelated, report).score


def test_threader_joins_leaves_and_dissolves():
    p = _profiles()
    th = T.Threader()
    assert th.update(p["licence"]) is None
    assert th.update(p["expedition"]) is None
    tid = th.update(p["complaint"])
    assert tid is not None and th.thread_of[p["licence"].story] == tid
    assert th.members[tid] == {1, 2} and th.link_of[2].other == 1 and th.link_of[1].other == 2
    # The complaint story changes into something else entirely: it leaves, and a thread of one is no thread.
    changed = T.Profile(2, dict(p["expedition"].vec), first=p["complaint"].first, last=p["complaint"].last)
    th.index.clear()  # the expedition is forgotten, so the changed story links to nothing
    th.profiles = {1: p["licence"]}
    for k in p["licence"].keys():
        th.index[k].add(1)
    assert th.update(changed) is None
    assert th.thread_of == {} and th.members == {}


def test_profile_round_trips_through_json():
    p = _profiles()["licence"]
    back = T.Profile.from_json(p.story, p.to_json(), str(p.first), str(p.last), p.size, p.title)
    assert back.keys() == p.keys() and back.pairs == p.pairs and back.actors == p.actors
    assert T.similarity(back, _profiles()["complaint"]).score == pytest.approx(T.similarity(p, _profiles()["complaint"]).score, abs=1e-3)


# -- the store, the commands and the API -------------------------------------------------------------------
def test_threads_in_the_store_commands_and_api(tmp_path):
    db = str(tmp_path / "t.db")
    lib.ingest([_write(tmp_path / "a.jsonl", LICENCE + EXPEDITION)], db)
    assert lib.threads(db) == []  # one story of the issue so far: no thread
    lib.ingest([_write(tmp_path / "b.jsonl", COMPLAINT)], db)
    rows = lib.threads(db)
    assert len(rows) == 1 and rows[0]["stories"] == 2 and rows[0]["articles"] == 5
    assert (rows[0]["first_seen"], rows[0]["last_seen"]) == ("2031-04-02", "2031-08-12")

    t = lib.thread(rows[0]["id"], db)
    assert [s["first_seen"] for s in t["stories"]] == ["2031-04-02", "2031-08-11"]
    assert all(s["reasons"]["terms"] and s["outlets"] for s in t["stories"])
    assert {o["country"] for s in t["stories"] for o in s["outlets"]} == {"NO"}
    assert any(n["name"] == "nordvik" for n in t["shared"]["names"])
    sid = t["stories"][1]["id"]
    st = lib.story(sid, db)
    assert st["thread"]["id"] == t["id"] and st["thread"]["linked_to"] == t["stories"][0]["id"]

    listed = [json.loads(line) for line in _run("threads", "--db", db, "--json").splitlines()]
    assert listed == rows
    text = _run("thread", str(t["id"]), "--db", db)
    assert "linked to story" in text and "nordvik" in text
    assert json.loads(_run("thread", str(t["id"]), "--db", db, "--json")) == t
    assert f"thread {t['id']}:" in _run("story", str(sid), "--db", db)
    res = CliRunner().invoke(main, ["thread", "999", "--db", db])
    assert res.exit_code == 1

    # Re-ingesting changes nothing; threads of a store made before migration 010 come back with reprocess.
    lib.ingest([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], db)
    assert lib.threads(db) == rows
    s = open_store(db)
    try:
        for table in ("thread_stories", "threads", "story_keys", "story_profiles"):
            s.db.execute(f"DELETE FROM {table}")  # noqa: S608
    finally:
        s.close()
    lib.reprocess(db)
    again = lib.threads(db)
    assert [(r["stories"], r["articles"], r["first_seen"]) for r in again] == [(2, 5, "2031-04-02")]


# -- scores on our own gold and the seeds ----------------------------------------------------------------
def test_own_gold_thread_floors_and_eval_json_keys():
    r = run_stories_eval(OWN_GOLD)
    assert {"bcubed", "ari", "clusters", "gold_clusters", "articles", "errors", "threads"} <= set(r)
    t = r["threads"]
    assert t["gold_threads"] == 9 and t["articles"] == 72
    assert t["bcubed"]["f1"] >= OWN_THREAD_FLOOR["f1"], t
    assert t["ari"] >= OWN_THREAD_FLOOR["ari"], t


def test_eval_without_thread_labels_has_no_threads_key(tmp_path):
    lines = [json.loads(x) for x in OWN_GOLD.read_text("utf-8").splitlines() if x.strip()][:6]
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(json.dumps({k: v for k, v in d.items() if k != "thread"}) for d in lines), "utf-8")
    assert "threads" not in run_stories_eval(path)


def _seed_stories() -> tuple[T.Profile, T.Profile]:
    """Each seed article as a story of its own, through reading, cleaning, extraction and the themes stage."""
    from polarwatch import nlp
    from polarwatch.config import load_settings
    from polarwatch.ingest import read_paths
    from polarwatch.pipeline import to_article
    from polarwatch.themes import score_paragraphs

    folder = shared_dir("seeds")
    paths = [str(folder / n) for n in ("000_791a3bd2037d847a.txt", "004_ed1f8c7022a83c26.txt")]
    arts = [to_article(d) for d in read_paths(paths, load_settings()) if isinstance(d, RawDoc)]
    analyses = nlp.analyse_batch([a.paragraphs for a in arts], titles=[a.title for a in arts])
    df = DocFreq()  # word rarity as in a store of Arctic news: our own gold articles stand in for it
    for line in OWN_GOLD.read_text("utf-8").splitlines():
        d = json.loads(line)
        df.add(build(d["id"], d["title"], d["text"]))
    stories = []
    for i, (a, an) in enumerate(zip(arts, analyses), 1):
        f = build(a.id, a.title, "\n\n".join(a.paragraphs), an.mentions, an.events, a.published)
        df.add(f)
        s = Story(i)
        s.add(f)
        stories.append((s, Counter({t.theme: t.score for t in score_paragraphs(a.paragraphs)})))
    sputnik, kremlin = (T.profile(s, th, df) for s, th in stories)
    return sputnik, kremlin


def test_the_two_seed_events_are_one_thread():
    sputnik, kremlin = _seed_stories()
    th = T.Threader()
    th.update(kremlin)
    tid = th.update(sputnik)
    assert tid is not None and th.members[tid] == {1, 2}
    why = th.link_of[1].reasons
    assert {"arctic", "china", "russia"} <= set(why["terms"]) and "COOPERATE:CN:RU" in why["events"]


def test_seeds_ingested_are_two_stories_in_one_thread(tmp_path):
    folder = shared_dir("seeds")
    db = str(tmp_path / "s.db")
    lib.ingest([folder / "000_791a3bd2037d847a.txt", folder / "004_ed1f8c7022a83c26.txt"], db)
    assert len(lib.stories(db)) == 2
    rows = lib.threads(db)
    assert len(rows) == 1 and rows[0]["stories"] == 2
