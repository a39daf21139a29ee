"""The analysis layer over a real store: comparison, network, trends, blocs, and the log-odds maths."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from _api_corpus import corpus
from polarwatch.analysis import queries
from polarwatch.analysis import Filters, QueryError, Side, SideError, compare, log_odds, network, outlet_blocs, parse_side, tokens, trends
from polarwatch.store import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(corpus(tmp_path_factory))
    yield s
    s.close()


def body(store, aid: str) -> str:
    return store.get_body(aid)


# -- log-odds with an informative Dirichlet prior ---------------------------------------
def test_log_odds_matches_the_formula_by_hand():
    a = Counter({"icebreaker": 8, "route": 2, "fish": 1})
    b = Counter({"icebreaker": 1, "route": 2, "fish": 9})
    got = log_odds([a, b], alpha0=10.0, min_count=1)
    pooled = a + b
    n_total = sum(pooled.values())
    na, nb = sum(a.values()), sum(b.values())
    w = "icebreaker"
    aw = 10.0 * pooled[w] / n_total
    delta = math.log((a[w] + aw) / (na + 10.0 - a[w] - aw)) - math.log((b[w] + aw) / (nb + 10.0 - b[w] - aw))
    z = delta / math.sqrt(1 / (a[w] + aw) + 1 / (b[w] + aw))
    assert got[0][w] == pytest.approx((z, delta))
    assert got[1][w] == pytest.approx((-z, -delta))  # two groups: each is the other's rest
    assert got[0]["icebreaker"][0] > 0 > got[0]["fish"][0]


def test_the_prior_shrinks_rare_words():
    # Seen once, only on one side, vs seen 30 times, only on that side: the frequent word is more distinctive.
    a = Counter({"rare": 1, "often": 30, "both": 50})
    b = Counter({"both": 50, "other": 31})
    z = log_odds([a, b], alpha0=100.0, min_count=1)[0]
    assert z["often"][0] > z["rare"][0] > 0


def test_tokens_drop_stop_words_and_keep_offsets():
    text = "The Kremlin said that Russia's icebreakers would sail in 2025."
    toks = tokens(text)
    words = [w for w, _, _ in toks]
    assert "the" not in words and "said" not in words and "that" not in words and "2025" not in words
    assert "russia" in words and "icebreakers" in words
    for w, s, e in toks:
        assert text[s:e].lower().replace("’", "'").removesuffix("'s") == w


# -- sides and blocs ----------------------------------------------------------------------
def test_sides_from_specs_and_blocs(store):
    s = parse_side("country=ru;kind=state-controlled")
    assert s.countries == ("RU",) and s.kinds == ("state-controlled",)
    assert parse_side("region=nordic;kind=public-broadcaster").countries[:2] == ("DK", "FI")
    assert parse_side("outlet=TASS,RT").outlets == ("TASS", "RT")
    for bad in ("kind=tabloid", "colour=red", "", "atlantis/state-controlled"):
        with pytest.raises(SideError):
            parse_side(bad)
    blocs = {b["id"]: b for b in outlet_blocs(store)}
    ru = blocs["RU/state-controlled"]
    assert {"TASS", "RT", "Sputnik"} <= set(ru["outlets"]) and ru["articles"] == 14
    assert blocs["nordic/public-broadcaster"]["articles"] == sum(
        blocs[f"{c}/public-broadcaster"]["articles"] for c in ("NO", "DK", "GL") if f"{c}/public-broadcaster" in blocs
    )


# -- comparison -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cmp(store):
    return compare(store, sides=[parse_side("RU/state-controlled"), parse_side("nordic/public-broadcaster")], evidence=5)


def _without_evidence(x):
    if isinstance(x, dict):
        return {k: [] if k == "evidence" else _without_evidence(v) for k, v in x.items()}
    return [_without_evidence(v) for v in x] if isinstance(x, list) else x


def test_inline_evidence_is_opt_in_and_changes_no_figure(store, cmp, monkeypatch):
    """Without evidence asked for, no evidence walk runs and every figure and link is the same."""
    import sys

    compare_mod, network_mod = sys.modules["polarwatch.analysis.compare"], sys.modules["polarwatch.analysis.network"]

    net = network(store, evidence=3)
    assert all(1 <= len(e["evidence"]) <= 3 for e in net["edges"])

    def no_walk(*a, **k):
        raise AssertionError("an evidence walk ran")

    monkeypatch.setattr(compare_mod, "evidence_rows", no_walk)
    monkeypatch.setattr(network_mod, "evidence_rows", no_walk)
    plain = compare(store, sides=[parse_side("RU/state-controlled"), parse_side("nordic/public-broadcaster")])
    assert plain == _without_evidence(cmp)
    assert network(store) == _without_evidence(net)


def test_compare_counts_each_sides_articles(store, cmp):
    for side, out in zip(("RU", "NO"), cmp["sides"]):
        assert out["articles"] == sum(o["articles"] for o in out["outlets"]) > 0
    assert {o["name"] for o in cmp["sides"][0]["outlets"]} <= {"TASS", "RT", "Sputnik"}
    assert {o["country"] for o in cmp["sides"][1]["outlets"]} <= {"NO", "DK", "GL", "SE", "FI", "IS", "FO"}


def test_compare_evidence_points_at_the_sentences(store, cmp):
    for out in cmp["sides"]:
        q = out["quoted"]
        assert q["quotes"] == sum(c["quotes"] for c in q["by_country"]) == sum(t["quotes"] for t in q["by_type"])
        assert q["speakers"], "someone is quoted"
        for sp in q["speakers"]:
            assert sp["evidence"]
            for ev in sp["evidence"]:
                quoted = {(x.start, x.end) for x in store.get_quotes(ev["article"])}
                assert (ev["start"], ev["end"]) in quoted
        for t in out["themes"]:
            assert 0 < t["share"] <= 1 and t["evidence"]
        for t in out["tone"]:
            assert -1 <= t["tone"] <= 1
            for ev in t["evidence"]:
                assert 0 <= ev["start"] < ev["end"] <= len(body(store, ev["article"]))
        for e in out["events"]:
            assert e["events"] >= len(e["evidence"]) > 0
        for w in out["words"]:
            for ev in w["evidence"]:
                assert body(store, ev["article"])[ev["start"] : ev["end"]].lower().startswith(w["word"].split("'")[0][:3])


def test_events_left_out_are_reported_by_the_other_side_only(cmp):
    mine = [{(e["type"], e["source"], e["target"]) for e in s["events"]} for s in cmp["sides"]]
    for i, out in enumerate(cmp["sides"]):
        for e in out["events_left_out"]:
            key = (e["type"], e["source"], e["target"])
            assert key not in mine[i]
            assert e["reported_by"] and e["evidence"]


def test_distinctive_words_differ_between_sides(cmp):
    a, b = ({w["word"] for w in s["words"]} for s in cmp["sides"])
    assert a and b and not (a & b)
    assert all(w["z"] > 0 for s in cmp["sides"] for w in s["words"])


def test_compare_within_a_story(store):
    # The largest story with articles from two countries: each side sees only that story's articles.
    row = store.db.execute(
        "SELECT sa.story_id FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid WHERE a.outlet_country IS NOT NULL "
        "GROUP BY sa.story_id HAVING COUNT(DISTINCT a.outlet_country) >= 2 ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()
    sid = row[0]
    countries = [r[0] for r in store.db.execute(
        "SELECT DISTINCT a.outlet_country FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid "
        "WHERE sa.story_id = ? AND a.outlet_country IS NOT NULL ORDER BY 1", (sid,))]  # fmt: skip
    out = compare(store, sides=[Side(c, countries=(c,)) for c in countries[:2]], story=sid, evidence=5)
    members = {r[0] for r in store.db.execute(
        "SELECT a.id FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid WHERE sa.story_id = ?", (sid,))}  # fmt: skip
    assert out["scope"] == {"story": sid}
    assert sum(s["articles"] for s in out["sides"]) <= len(members)
    for s in out["sides"]:
        for sp in s["quoted"]["speakers"]:
            assert {ev["article"] for ev in sp["evidence"]} <= members


def test_compare_needs_two_sides(store):
    with pytest.raises(ValueError):
        compare(store, sides=[parse_side("RU")])


def test_compare_within_a_thread_or_a_clear_error(store, tmp_path):
    if store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'thread_stories'").fetchone():
        tid = store.db.execute("SELECT thread_id FROM thread_stories GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
        members = {r[0] for r in store.db.execute(
            "SELECT a.id FROM thread_stories ts JOIN story_articles sa ON sa.story_id = ts.story_id "
            "JOIN articles a ON a.rowid = sa.article_rowid WHERE ts.thread_id = ?", (tid,))}  # fmt: skip
        out = compare(store, sides=[parse_side("RU"), parse_side("nordic")], thread=tid, evidence=5)
        for s in out["sides"]:
            for e in s["events"]:
                assert {ev["article"] for ev in e["evidence"]} <= members
    import sqlite3

    bare = sqlite3.connect(tmp_path / "bare.db")  # a store from before threads: the filter says so
    bare.execute("CREATE TABLE articles (rowid INTEGER PRIMARY KEY)")

    class Bare:
        db = bare

    with pytest.raises(QueryError):
        queries.where(Bare(), Filters(thread=1))


# -- network --------------------------------------------------------------------------------
def test_network_edges_are_weighted_typed_and_evidenced(store):
    net = network(store, evidence=3)
    assert net["edges"] and net["nodes"]
    ids = {n["id"] for n in net["nodes"]}
    kinds = {e["kind"] for e in net["edges"]}
    assert {"event", "co-quoted", "quoted-about"} <= kinds
    for e in net["edges"]:
        assert e["source"] in ids and e["target"] in ids and e["source"] != e["target"]
        assert e["weight"] >= 1 and e["evidence"]
        for ev in e["evidence"]:
            assert 0 <= ev["start"] < ev["end"] <= len(body(store, ev["article"]))
    # An event edge's weight is the count of those events in the store.
    e = next(e for e in net["edges"] if e["kind"] == "event" and e["directed"])
    n = store.db.execute("SELECT COUNT(*) FROM events WHERE source_id = ? AND target_id = ? AND type = ? AND symmetric = 0",
                         (e["source"], e["target"], e["type"])).fetchone()[0]  # fmt: skip
    assert e["weight"] == n
    heavy = network(store, min_weight=2)
    assert all(e["weight"] >= 2 for e in heavy["edges"]) and len(heavy["edges"]) < len(net["edges"])
    only = network(store, kinds=("event",), event_types=("COOPERATE",))
    assert only["edges"] and {(e["kind"], e["type"]) for e in only["edges"]} == {("event", "COOPERATE")}


def test_network_over_a_period(store):
    net = network(store, since="2025-03-01", until="2025-03-31")
    for e in net["edges"]:
        for ev in e["evidence"]:
            assert "2025-03-01" <= store.get_article(ev["article"]).article.published <= "2025-03-31"


# -- trends -----------------------------------------------------------------------------------
def test_actor_trends_add_up_to_the_store(store):
    tr = trends(store, "actor", "month")
    assert tr["series"]
    s = tr["series"][0]
    total = store.db.execute(
        "SELECT COUNT(*) FROM mentions m JOIN articles a ON a.rowid = m.article_rowid WHERE m.actor_id = ? AND a.published IS NOT NULL",
        (s["key"],),
    ).fetchone()[0]
    assert sum(p["mentions"] for p in s["points"]) == total
    for p in s["points"]:
        assert p["since"] <= p["until"] and p["since"].endswith("-01")
    week = trends(store, "actor", "week", keys=["Russia"])
    assert [x["key"] for x in week["series"]] == ["ru"]
    for p in week["series"][0]["points"]:
        from datetime import date

        assert date.fromisoformat(p["since"]).weekday() == 0


def test_theme_trends(store):
    tr = trends(store, "theme", "day", since="2025-01-01")
    assert tr["series"]
    s = tr["series"][0]
    n = store.db.execute(
        "SELECT COUNT(*) FROM article_themes t JOIN articles a ON a.rowid = t.article_rowid WHERE t.theme = ? AND a.published >= '2025-01-01'",
        (s["key"],),
    ).fetchone()[0]
    assert sum(p["articles"] for p in s["points"]) == n
    with pytest.raises(ValueError):
        trends(store, "theme", "fortnight")


def test_filters_narrow_by_actor_and_theme(store):
    from polarwatch.analysis import queries

    rows, _ = queries.articles(store, Filters(actor="China"), limit=500)
    assert rows and all("cn" in {m.actor_id for m in store.get_mentions(r["id"])} for r in rows)
    rows, _ = queries.articles(store, Filters(theme="fisheries"), limit=500)
    assert rows and all("fisheries" in {t["theme"] for t in store.get_themes(r["id"])} for r in rows)


def test_evidence_rows_keep_the_first_rows_of_each_key_and_one_per_article_when_asked():
    """The shared evidence reader: *n* rows a key in order, whichever way it reads; with per_article a key
    (the network's co-quoted pairs, counted by article) shows an article once."""
    import sqlite3

    from polarwatch.analysis.queries import evidence_rows

    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE r (k TEXT, article TEXT, seq INTEGER)")
    db.executemany("INSERT INTO r VALUES (?, ?, ?)",
                   [("a", "x", 1), ("a", "x", 2), ("a", "y", 3), ("a", "z", 4), ("b", "x", 5)])  # fmt: skip
    base, cols = "FROM r WHERE 1 = 1", "article, seq"
    for how in ("window", "walk", "walk-all"):
        got = evidence_rows(db, "k", cols, base, "seq", [], ["a", "b"], how, n=2)
        assert {k: [(d["article"], d["seq"]) for d in v] for k, v in got.items()} == {"a": [("x", 1), ("x", 2)], "b": [("x", 5)]}
    once = evidence_rows(db, "k", cols, base, "seq", [], ["a"], "walk-all", n=2, per_article=True)
    assert [(d["article"], d["seq"]) for d in once["a"]] == [("x", 1), ("y", 3)]


def test_evidence_walk_stops_once_a_rare_key_has_all_its_rows():
    """With *rows_of*, a key counting fewer rows than the evidence shown is complete once it has them all:
    the slice walk then stops instead of reading every slice of the scope for it."""
    import sqlite3

    from polarwatch.analysis.queries import evidence_rows

    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE r (art INTEGER, k TEXT, seq INTEGER)")
    rows = [(a, "common", 0) for a in range(1, 2001)] + [(1990, "rare", 1)]
    db.executemany("INSERT INTO r VALUES (?, ?, ?)", rows)
    seen: list[str] = []

    class Counting:
        def execute(self, sql: str, args: object = ()) -> object:
            seen.append(sql)
            return db.execute(sql, args)

    rowids = list(range(2000, 0, -1))
    args = ("k", "art AS article, seq", "FROM r WHERE 1", "art DESC, seq", [], ["common", "rare"])
    got = evidence_rows(Counting(), *args, "walk-all", n=3, by=("art", rowids), rows_of={"common": 2000, "rare": 1})
    assert [d["article"] for d in got["rare"]] == [1990] and [d["article"] for d in got["common"]] == [2000, 1999, 1998]
    assert len(seen) == 1  # the first slice (256 articles) holds both keys' share
    seen.clear()
    again = evidence_rows(Counting(), *args, "walk-all", n=3, by=("art", rowids))  # without the counts: to the end
    assert again == got and len(seen) > 1



def test_evidence_of_an_article_deleted_after_the_walk_is_dropped_not_an_error():
    """The walk keeps rows by article rowid and looks their ids up in a second statement: an article
    another process deletes in between loses its evidence rows (no KeyError, no 500)."""
    import sqlite3

    from polarwatch.analysis.queries import evidence_rows

    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE articles (id TEXT)")
    db.executemany("INSERT INTO articles (rowid, id) VALUES (?, ?)", [(i, f"a{i}") for i in (1, 2, 3)])
    db.execute("CREATE TABLE r (art INTEGER, k TEXT, seq INTEGER)")
    db.executemany("INSERT INTO r VALUES (?, ?, ?)", [(1, "x", 0), (2, "x", 0), (3, "x", 0), (2, "y", 1)])

    class Racing:  # the other process's delete commits just before the ids are read
        def execute(self, sql: str, args: object = ()) -> object:
            if sql.startswith("SELECT rowid, id FROM articles"):
                db.execute("DELETE FROM articles WHERE rowid = 2")
            return db.execute(sql, args)

    got = evidence_rows(Racing(), "k", "art AS article, seq", "FROM r WHERE 1", "art DESC, seq", [], ["x", "y"], "walk", n=5,
                        by=("art", [3, 2, 1]), rows_of={"x": 3, "y": 1}, by_rowid=True)  # fmt: skip
    assert {k: [d["article"] for d in v] for k, v in got.items()} == {"x": ["a3", "a1"], "y": []}


def test_a_word_s_evidence_never_names_a_deleted_article(tmp_path_factory, tmp_path):
    """Stored word counts are summed without the articles' rows; an article deleted before its body is
    read for a shown word's evidence gives no evidence, never one with no article."""
    from _api_corpus import copy

    from polarwatch.analysis.counts import stored_words
    from polarwatch.analysis.queries import delete_article

    s = open_store(copy(corpus(tmp_path_factory), tmp_path / "copy.db"))
    try:
        rows = [(int(r), aid) for r, aid in s.db.execute("SELECT a.rowid, a.id FROM articles a JOIN article_words w ON w.article_rowid = a.rowid ORDER BY a.rowid")]
        wc = stored_words(s, [r for r, _ in rows])
        word = wc.counts.most_common(1)[0][0]
        wc.expect([word])
        for _, aid in rows:
            delete_article(s, aid)
        assert wc.where(word) == []
    finally:
        s.close()


def test_the_word_finder_finds_what_the_pattern_finds():
    """The comparison's word evidence: WordFinder gives pattern(word).search's span, by hand in ASCII or not."""
    import random

    from polarwatch.analysis.words import WordFinder, pattern

    rng = random.Random(3)
    pieces = ["cod", "Cod", "COD", "xcod", "cod's", "COD'S", "cods", "1cod", "_cod", "é", "cod’s", " ", ".", "-", "'", "ſ", "K", "o'neil", "s"]
    for _ in range(30000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7)))
        word = rng.choice(["cod", "k", "co", "cod's", "o'neil", "ſ", "é", "s"])
        m = pattern(word).search(text)
        assert (m.span() if m else None) == WordFinder(word).span(text), (word, text)
