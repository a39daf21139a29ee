"""What the store keeps for the REST API at write time (migration 013) on SQLite and PostgreSQL: each
article's word counts, equal to a count from scratch after ingest, reprocess, delete and re-ingest, and
the comparison's distinctive words (with their evidence) the same from stored counts as from the bodies;
the store generation every write moves on, and the API's result cache that it invalidates."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta

import pytest

from polarwatch.analysis import Side, compare
from polarwatch.analysis.counts import fill_word_counts, raw_counts, side_words, unpack
from polarwatch.analysis.words import WordCounts, distinctive
from polarwatch.api.cache import ResultCache, generation
from polarwatch.nlp.quotes import Analysis
from polarwatch.records import Article, Outlet, Source
from polarwatch.store import open_store

TEXTS = [
    "The icebreaker's crew met the Coast Guard. Icebreaker convoys and icebreakers sailed; the cargo-ship followed.",
    "Sea-ice melt worried herders: reindeer herders said the ice-free route opened. Herders' talks went on.",
    "Russia’s fleet and the fleet's tanker: LNG tankers crossed the strait, the strait-crossing was watched.",
    "Nothing but short words: a to of in on it.",
    "Sanctions, sanctions and more sanctions on the shipping of LNG; the shipping lane’s ice.",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):  # noqa: ANN001
    if request.param == "sqlite":
        yield str(tmp_path / "a.db")
        return
    pytest.importorskip("psycopg")
    from _postgres import pg_test_schema

    u, drop = pg_test_schema(request.getfixturevalue("pg_server"))
    yield u
    drop()


def article(i: int, text: str, country: str = "NO", kind: str = "public-broadcaster") -> Article:
    url = f"https://example.{country.lower()}/a/{i}"
    return Article(hashlib.sha1(url.encode()).hexdigest()[:16], hashlib.sha1(f"{i} {text}".encode()).hexdigest(), f"Title {i}", [text], [],
                   text, "jsonl", [Source("t", f"line {i}")], url=url, published=f"2025-01-{1 + i:02d}",
                   outlet=Outlet(f"example.{country.lower()}", f"Outlet {country}", country, kind))  # fmt: skip


def stored(store) -> dict[str, Counter[str]]:  # noqa: ANN001
    """Article id -> its stored word counts, as words."""
    words = {int(k): w for k, w in store.db.execute("SELECT id, word FROM words")}
    out = {}
    for aid, blob in store.db.execute("SELECT a.id, w.counts FROM article_words w JOIN articles a ON a.rowid = w.article_rowid"):
        ids, counts = unpack(blob)
        out[aid] = Counter({words[int(i)]: int(n) for i, n in zip(ids, counts)})
    return out


def scratch(store) -> dict[str, Counter[str]]:  # noqa: ANN001
    """Article id -> word counts from its body now, for the analysed articles."""
    return {aid: raw_counts(body) for aid, body in store.db.execute("SELECT id, body FROM articles WHERE analysed_with IS NOT NULL")}


def test_word_counts_equal_a_recount_after_ingest_reprocess_delete_and_reingest(url):  # noqa: ANN001
    s = open_store(url)
    try:
        arts = [article(i, t) for i, t in enumerate(TEXTS)]
        s.put_articles(arts)
        assert stored(s) == {}  # kept with the analysis: nothing before it
        s.put_analyses([(a.id, Analysis(text=a.body)) for a in arts], "v1")
        assert stored(s) == scratch(s) and len(stored(s)) == len(TEXTS)
        assert stored(s)[arts[0].id]["icebreaker's"] == 1 and "the" not in stored(s)[arts[0].id]
        s.put_analyses([(a.id, Analysis(text=a.body)) for a in arts[:2] + arts[:1]], "v2")  # reprocess, one twice
        assert stored(s) == scratch(s)
        assert s.db.execute("SELECT COUNT(*) FROM article_words").fetchone()[0] == len(TEXTS)
        s.db.execute("BEGIN IMMEDIATE")
        s.db.execute("DELETE FROM articles WHERE id = ?", (arts[1].id,))
        s.db.execute("COMMIT")
        assert stored(s) == scratch(s) and arts[1].id not in stored(s)
        s.put_articles(arts)  # the same batch again: the deleted one comes back, the others are duplicates
        s.put_analyses([(a.id, Analysis(text=a.body)) for a in arts], "v2")
        assert stored(s) == scratch(s) and len(stored(s)) == len(TEXTS)
        # A body changed after its analysis is counted again by the ingest itself (its cell is recounted, migration 019).
        changed = article(0, TEXTS[0] + " Permafrost thaw.")
        s.put_articles([changed])
        assert stored(s)[changed.id]["permafrost"] == 1
        assert fill_word_counts(s) == 0
        # One whose counts went stale some other way (a store from before migration 019) is counted by the fill.
        s.db.execute("BEGIN IMMEDIATE")
        s.db.execute("UPDATE article_words SET content_hash = 'old' WHERE article_rowid = (SELECT rowid FROM articles WHERE id = ?)", (changed.id,))
        s.db.execute("COMMIT")
        assert fill_word_counts(s) == 1 and fill_word_counts(s) == 0
    finally:
        s.close()


def test_distinctive_words_and_evidence_match_counting_the_bodies(url):  # noqa: ANN001
    s = open_store(url)
    try:
        arts = [article(i, t, "NO" if i % 2 else "RU", "public-broadcaster" if i % 2 else "state-controlled")
                for i, t in enumerate(TEXTS * 3)]  # fmt: skip
        s.put_articles(arts)
        # Some analysed (stored counts), some not (counted from the body at query time).
        s.put_analyses([(a.id, Analysis(text=a.body)) for a in arts[:9]], "v1")
        sides = [Side("ru", countries=("RU",)), Side("no", countries=("NO",))]
        from_store, from_bodies = [], []
        for side in sides:
            cond, args = side.sql("a")
            from_store.append(side_words(s, cond, args, 1000))
            wc = WordCounts()
            for aid, body in s.db.execute(f"SELECT a.id, a.body FROM articles a WHERE {cond} ORDER BY a.published DESC, a.rowid DESC", args):
                wc.add(aid, body)
            from_bodies.append(wc)
        got, want = distinctive(from_store, 10, min_count=1), distinctive(from_bodies, 10, min_count=1)
        assert got == want and any(got)
        # Evidence of a word found inside compounds and possessives (herders', icebreaker's, lane’s).
        for word in ("icebreaker", "herders", "lane", "ice", "strait", "fleet"):
            a, b = side_words(s, "1", [], 1000).finish(), WordCounts()
            for aid, body in s.db.execute("SELECT a.id, a.body FROM articles a ORDER BY a.published DESC, a.rowid DESC"):
                b.add(aid, body)
            assert a.where(word) == b.where(word), word
            # The same after the word's pairs are indexed up front (as ``distinctive`` does for the shown words).
            c = side_words(s, "1", [], 1000).finish()
            c.expect([word, "ice"])
            assert c.where(word) == b.where(word) and c.indexed, word
        out = compare(s, sides=sides)
        assert [len(x["words"]) for x in out["sides"]] == [len(x) for x in distinctive(from_bodies, 25)]
    finally:
        s.close()


def test_every_write_moves_the_generation_and_a_cached_result_goes_stale(url):  # noqa: ANN001
    s = open_store(url)
    try:
        g0 = generation(s)
        assert g0 >= 0
        arts = [article(i, t) for i, t in enumerate(TEXTS)]
        s.put_articles(arts)
        g1 = generation(s)
        assert g1 > g0
        cache, calls = ResultCache(), []

        def count() -> int:
            calls.append(1)
            return s.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

        assert cache.get(s, "n", count) == len(TEXTS) and cache.get(s, "n", count) == len(TEXTS)
        assert len(calls) == 1 and cache.hits == 1
        s.put_analyses([(arts[0].id, Analysis(text=arts[0].body))], "v1")  # an analysis is a write too
        assert generation(s) > g1
        assert cache.get(s, "n", count) == len(TEXTS) and len(calls) == 2
        s.db.execute("BEGIN IMMEDIATE")
        s.db.execute("DELETE FROM articles WHERE id = ?", (arts[0].id,))
        s.db.execute("COMMIT")
        assert cache.get(s, "n", count) == len(TEXTS) - 1 and len(calls) == 3
    finally:
        s.close()


def test_the_api_serves_a_cached_comparison_until_a_write(tmp_path, monkeypatch):  # noqa: ANN001
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from polarwatch.api import create_app

    db = str(tmp_path / "api.db")
    s = open_store(db)
    arts = [article(i, t, "NO" if i % 2 else "RU", "public-broadcaster" if i % 2 else "state-controlled") for i, t in enumerate(TEXTS * 2)]
    s.put_articles(arts)
    s.put_analyses([(a.id, Analysis(text=a.body)) for a in arts], "v1")
    s.close()
    app = create_app(db, token="secret")
    client = TestClient(app)
    url = "/api/compare?side=RU&side=NO&words=5"
    first = client.get(url).json()
    assert client.get(url).json() == first and app.state.results.hits == 1
    assert first["sides"][0]["articles"] == 5
    r = client.delete(f"/api/articles/{arts[0].id}", headers={"Authorization": "Bearer secret"})
    assert r.status_code in (200, 204), r.text
    after = client.get(url).json()
    assert after["sides"][0]["articles"] == 4 and app.state.results.hits == 1
    story = client.get("/api/compare?side=RU&side=NO&story=1").json()  # scoped by story membership: never cached
    assert client.get("/api/compare?side=RU&side=NO&story=1").json() == story and app.state.results.hits == 1


def pg_api_store(url: str) -> None:
    """Skip unless *url* is PostgreSQL and the API can run; else store the five articles there."""
    if not url.startswith("postgresql"):
        pytest.skip("the PostgreSQL read path")
    pytest.importorskip("fastapi")
    s = open_store(url)
    s.put_articles([article(i, t) for i, t in enumerate(TEXTS)])
    s.close()


def test_postgresql_requests_borrow_a_pool_connection_each_and_give_it_back(url):  # noqa: ANN001
    import time

    from fastapi.testclient import TestClient

    from polarwatch.api import app as app_module
    from polarwatch.api import create_app
    from polarwatch.store.postgres import _pool

    pg_api_store(url)
    app = create_app(url)
    borrowed: list[bool] = []
    read = app_module.Stores.read

    def spy(self):  # noqa: ANN001, ANN202
        store = read(self)
        held = app_module._borrowed.get()
        borrowed.append(held is not None and held == [store] and store is not self._shared)
        return store

    app_module.Stores.read = spy  # type: ignore[method-assign]
    try:
        with TestClient(app) as client:
            codes = [client.get(u).status_code for u in ("/api/articles?limit=2", "/api/outlets", "/api/compare?side=NO&side=RU")]
    finally:
        app_module.Stores.read = read  # type: ignore[method-assign]
    assert codes == [200] * 3 and borrowed and all(borrowed)  # each request on a connection of its own
    pool = _pool(url)[0]
    for _ in range(50):  # given back when the response has been sent
        stats = pool.get_stats()
        if stats["pool_available"] == stats["pool_size"]:
            break
        time.sleep(0.05)
    assert stats["pool_available"] == stats["pool_size"]


def test_postgresql_lists_wait_for_a_pool_connection_off_the_event_loop(url, monkeypatch):  # noqa: ANN001
    """More requests in flight than the pool holds: a list waiting for a connection must not stop the loop
    that finishes the request holding it (on the loop it froze the server until the pool's timeout)."""
    import threading
    import time

    from fastapi.testclient import TestClient

    from polarwatch import analysis
    from polarwatch.api import create_app
    from polarwatch.store.postgres import close_pools

    pg_api_store(url)
    close_pools(url)
    monkeypatch.setenv("POLARWATCH_PG_POOL", "1")
    compare = analysis.compare

    def slow(*a, **k):  # noqa: ANN002, ANN003, ANN202
        time.sleep(1.0)  # holding the pool's only connection
        return compare(*a, **k)

    monkeypatch.setattr(analysis, "compare", slow)
    try:
        with TestClient(create_app(url)) as client:
            got: dict[str, tuple[int, float]] = {}
            t0 = time.monotonic()

            def get(name: str, path: str) -> None:
                got[name] = (client.get(path).status_code, time.monotonic() - t0)

            first = threading.Thread(target=get, args=("compare", "/api/compare?side=NO&side=RU"))
            first.start()
            time.sleep(0.3)
            lists = [threading.Thread(target=get, args=(p, f"/api/{p}?limit=2")) for p in ("articles", "quotes", "events", "stories")]
            for t in lists:
                t.start()
            for t in (first, *lists):
                t.join(60)
    finally:
        close_pools(url)
    assert {k: v[0] for k, v in got.items()} == dict.fromkeys(("compare", "articles", "quotes", "events", "stories"), 200)
    assert max(v[1] for v in got.values()) < 10, got  # each waited for the one connection, not for the pool's timeout


# -- daily aggregates per outlet (migration 014) ---------------------------------------------------------
def _agg_tables() -> tuple[str, ...]:
    from polarwatch.analysis.aggregates import TABLES

    return (*dict.fromkeys(t for t, _, _ in TABLES), "agg_words")  # and the cells' word sums (migration 019)


AGG_TABLES = _agg_tables()
ACTORS = [("putin", "Vladimir Putin", "RU"), ("nato", "NATO", None), ("no", "Norway", "NO"), ("article:x", "Ola Nordmann", "NO")]


def analysis_of(a: Article, k: int) -> tuple[str, Analysis]:
    """A small but complete analysis of *a* that depends on *k*: mentions, quotes (named, unresolved and
    about others), events (one symmetric, one with a country only), themes and tone."""
    from polarwatch.records import Event, Mention, Quote
    from polarwatch.themes import ThemeScore
    from polarwatch.tone import ActorTone, ArticleTone

    who = [ACTORS[(k + j) % len(ACTORS)] for j in range(3)]
    mentions = [Mention(0, 3, n, "person", i, n, c) for i, n, c in who]
    quotes = [Quote(0, 5, "text", "direct", "said", None, n, 0, 3, i, n, c, [who[(j + 1) % 3][0], i]) for j, (i, n, c) in enumerate(who)]
    quotes.append(Quote(6, 9, "more", "indirect", None, None, "a source", 0, 3, None, None, None, []))
    quotes.append(Quote(6, 9, "named", "indirect", "said", None, "Mr Smith", 0, 3, None, "Mr Smith", None, []))
    events = [Event("AGREE" if k % 2 else "CONSULT", None, "x", 0, 1, 0, 9, who[1][0], who[1][1], who[1][2], None,
                    who[0][0], who[0][1], who[0][2], None, bool(k % 2), evidence_start=0, evidence_end=5),
              Event("ACCUSE", None, "x", 0, 1, 0, 9, None, None, "CN", None, who[2][0], who[2][1], who[2][2], None,
                    evidence_start=1, evidence_end=4)]  # fmt: skip
    themes = [ThemeScore(t, 1.25 + k % 3, 0.3) for t in ("security", "shipping")[: 1 + k % 2]]
    tone = ArticleTone(0.1 * (k % 5) - 0.2, 1, 1, 3, [], {i: ActorTone(i, 0.123 * (k % 4) - 0.2, 1 + k % 2, []) for i, _, _ in who[:2]})
    return a.id, Analysis(mentions=mentions, quotes=quotes, text=a.body, events=events, themes=themes, tone=tone)


def agg_rows(store) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every aggregate row, with its cell written out (span, day, bucket of undated rowids, outlet), sorted."""
    out = {}
    for t in AGG_TABLES:
        rows = store.db.execute(
            f"SELECT c.span, c.day, c.ckey, o.okey, x.* FROM {t} x JOIN agg_cells c ON c.id = x.cell JOIN agg_outlets o ON o.id = c.oid"  # noqa: S608
        ).fetchall()
        out[t] = sorted(((r[0], r[1], r[2].split("\x1f")[1], r[3], *r[5:]) for r in rows), key=repr)
    return out


def recount(store) -> dict[str, list[tuple]]:  # noqa: ANN001
    """The aggregates computed from scratch: every cell emptied and every article counted again."""
    from polarwatch.analysis.aggregates import refresh

    db = store.db
    db.execute("BEGIN IMMEDIATE")
    for t in (*AGG_TABLES, "agg_article_cell", "agg_cells", "agg_outlets"):
        db.execute(f"DELETE FROM {t}")  # noqa: S608
    refresh(db, [int(r[0]) for r in db.execute("SELECT rowid FROM articles")])
    out = agg_rows(store)
    db.execute("ROLLBACK")
    return out


def readings(store) -> list[str]:  # noqa: ANN001
    """The JSON of a period's comparison, the network and the trends (actors and themes) over the store."""
    import json

    from polarwatch.analysis import Filters, network, trends

    f = Filters(since="2025-01-01", until="2025-01-31")
    sides = [Side("ru", countries=("RU",)), Side("no", countries=("NO", "SE"))]
    s = store
    return [json.dumps(x, sort_keys=True) for x in (
        compare(s, sides=sides, since=f.since, until=f.until), network(s, filters=f), network(s, filters=Filters(country="NO")),
        trends(s, "actor", "week", filters=f), trends(s, "theme", "day", filters=f), trends(s, "actor", "month", keys=["nato", "no"]),
        # Keys asked for but unknown give no series, duplicates one; ties in the top lists break alike.
        trends(s, "actor", "week", keys=["nobody-at-all"]), trends(s, "theme", "week", keys=["no-such-theme"]),
        trends(s, "actor", "day", keys=["nato", "nato", "no"]), trends(s, "actor", "day", top=1), trends(s, "theme", "month", top=1),
        # Filters the aggregates answer too: event types, a minimum weight, an outlet, a kind.
        network(s, filters=Filters(outlet="example.se"), event_types=("AGREE",)), network(s, filters=f, min_weight=2, max_edges=3),
        compare(s, sides=sides, since=f.since, top=1), trends(s, "actor", "week", filters=Filters(kind="state-controlled")),
        compare(s, sides=[Side("a", outlets=("example.no",)), Side("b", kinds=("state-controlled",))]),
    )]  # fmt: skip


def test_aggregates_equal_a_recount_after_ingest_reprocess_delete_and_reingest(url, monkeypatch):  # noqa: ANN001
    from polarwatch.analysis import aggregates
    from polarwatch.analysis.queries import delete_article

    def same_as_rows() -> None:
        assert aggregates.usable(s.db)
        # Every row of the keyed tables carries the integer key of its names (migrations 020-022), which compare
        # and the network sum on.
        for table, keys, cols in aggregates.KEYED:
            same = " AND ".join(f"k.{c} = x.{c}" for c in cols)
            keyed = s.db.execute(f"SELECT COUNT(*) FROM {table} x JOIN {keys} k ON k.id = x.ekey AND {same}").fetchone()[0]  # noqa: S608
            assert keyed == s.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0, table  # noqa: S608
        with_aggs = readings(s)
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        assert readings(s) == with_aggs
        monkeypatch.undo()

    s = open_store(url)
    try:
        arts = [article(i % 9, TEXTS[i % 5], ("RU", "NO", "SE")[i % 3], ("state-controlled", "public-broadcaster")[i % 2]) for i in range(12)]
        arts = list({a.id: a for a in arts}.values())
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        first = agg_rows(s)
        assert first == recount(s) and all(first.values())
        same_as_rows()
        s.put_analyses([analysis_of(a, k + 1) for k, a in enumerate(arts[:4] + arts[:1])], "v2")  # reprocess, one twice
        assert agg_rows(s) == recount(s) != first
        same_as_rows()
        assert delete_article(s, arts[2].id)
        assert agg_rows(s) == recount(s)
        same_as_rows()
        s.put_articles(arts)  # the same batch again, twice
        for _ in range(2):
            s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
            assert agg_rows(s) == recount(s) == first
        same_as_rows()
        # An ingest that moves an article to another day and outlet recounts its old and new cells in its own transaction.
        moved = article(0, TEXTS[0] + " Later.", "RU", "state-controlled")
        assert moved.id == arts[0].id
        moved.published, moved.outlet = "2025-01-20T23:30:00+01:00", Outlet("example.se", "Outlet SE", "SE", "public-broadcaster")
        s.put_articles([moved])
        assert aggregates.usable(s.db) and agg_rows(s) == recount(s)
        same_as_rows()
        # A delete behind the store's back: the readers count the rows until the next write recounts its cell.
        s.db.execute("BEGIN IMMEDIATE")
        s.db.execute("DELETE FROM articles WHERE id = ?", (arts[3].id,))
        s.db.execute("COMMIT")
        assert not aggregates.usable(s.db)
        assert aggregates.scope(s, aggregates.Filters(since="2025-01-01")) is None
        s.put_articles([])
        assert aggregates.usable(s.db) and agg_rows(s) == recount(s)
        s.put_analyses([analysis_of(moved, 3)], "v1")
        assert agg_rows(s) == recount(s)
        same_as_rows()
    finally:
        s.close()


def test_a_store_from_before_the_aggregates_is_filled_and_answers_the_same(url, monkeypatch):  # noqa: ANN001
    from polarwatch.analysis import aggregates

    s = open_store(url)
    try:
        arts = [article(i, TEXTS[i % 5], ("RU", "NO")[i % 2]) for i in range(8)]
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        want, answers = agg_rows(s), readings(s)
        # As a store migrated to 014 with its articles already there: nothing counted, not complete.
        s.db.execute("BEGIN IMMEDIATE")
        for t in (*AGG_TABLES, "agg_article_cell", "agg_cells", "agg_outlets"):
            s.db.execute(f"DELETE FROM {t}")  # noqa: S608
        s.db.execute("UPDATE agg_state SET complete = 0")
        s.db.execute("COMMIT")
        assert not aggregates.usable(s.db)
        assert readings(s) == answers  # counted from the rows meanwhile
        assert aggregates.fill_aggregates(s, batch=3) == len(arts)
        assert aggregates.usable(s.db) and agg_rows(s) == want
        assert readings(s) == answers
        assert aggregates.fill_aggregates(s) == 0
    finally:
        s.close()


def awkward() -> list[Article]:
    """Articles the cells must place like the rows: undated, without an outlet, with a UTC offset that
    crosses midnight either way (the day is the first ten characters of ``published``), on week and month
    edges, and enough of them that the network's evidence walks more than one slice."""
    arts = []
    stamps = [None, "2025-01-20T00:30:00+01:00", "2025-01-19T23:30:00-02:00", "2025-01-31T23:59:00-05:00", "2025-02-01T00:10:00+03:00",
              "2025-01-26T23:00:00-01:00", "2025-01-27T00:15:00+02:00", "2025-01-05", None]  # fmt: skip
    for i in range(300):
        a = article(i % 28, TEXTS[i % 5] + f" Item {i}.", ("RU", "NO", "SE")[i % 3], ("state-controlled", "public-broadcaster")[i % 2])
        a.id = hashlib.sha1(f"awkward {i}".encode()).hexdigest()[:16]
        a.url = f"https://example.org/awkward/{i}"
        a.published = stamps[i % len(stamps)] if i < 60 else a.published
        if i % 7 == 3:
            a.outlet = None
        elif i % 11 == 5:
            a.outlet = Outlet(None, "Nameless", None, None)
        arts.append(a)
    return arts


def test_aggregates_answer_like_the_rows_for_undated_outletless_and_offset_articles(url, monkeypatch):  # noqa: ANN001
    s = open_store(url)
    try:
        arts = awkward()
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        assert_cells_read_like_the_rows(s, monkeypatch)
    finally:
        s.close()


def assert_cells_read_like_the_rows(s, monkeypatch) -> None:  # noqa: ANN001
    """The aggregates are usable, equal a recount, and every reading is the same from them as from the rows."""
    from polarwatch.analysis import aggregates

    assert aggregates.usable(s.db) and agg_rows(s) == recount(s)
    with_aggs = readings(s)
    monkeypatch.setattr(aggregates, "usable", lambda db: False)
    assert readings(s) == with_aggs
    monkeypatch.undo()


def test_the_network_evidence_walk_binds_at_most_a_capped_slice_of_articles(tmp_path, monkeypatch):  # noqa: ANN001
    import json
    import sqlite3

    from polarwatch.analysis import network, queries

    s = open_store(str(tmp_path / "walk.db"))
    try:
        arts = awkward()
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        want = json.dumps(network(s, max_edges=2000), sort_keys=True)
    finally:
        s.close()
    # A new connection (statements prepared under the old limit are cached) may bind at most 200
    # parameters a statement; with slices capped at 64 rowids the walk reads the 300 articles in several
    # slices (uncapped, its first slice alone binds 256).
    s = open_store(str(tmp_path / "walk.db"))
    try:
        monkeypatch.setattr(queries, "SLICE_MAX", 64)
        s.db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 200)
        assert json.dumps(network(s, max_edges=2000), sort_keys=True) == want
    finally:
        s.close()


def test_trend_periods_start_from_the_day_as_written_on_both_backends_and_paths(url, monkeypatch):  # noqa: ANN001
    """A UTC offset across midnight: the article counts on the day its ``published`` names (as the day
    filters read it), from the rows and from the aggregates, on SQLite as on PostgreSQL."""
    from polarwatch.analysis import aggregates, trends

    stamps = ["2025-01-20T00:30:00+01:00", "2025-01-26T23:00:00-01:00", "2025-01-27T00:15:00+02:00", "2025-02-01T00:10:00+03:00"]
    s = open_store(url)
    try:
        arts = []
        for i, stamp in enumerate(stamps):
            a = article(i, TEXTS[i])
            a.published = stamp
            arts.append(a)
        s.put_articles(arts)
        s.put_analyses([(a.id, analysis_of(a, 0)[1]) for a in arts], "v1")
        for rows in (False, True):
            if rows:
                monkeypatch.setattr(aggregates, "usable", lambda db: False)
            periods = {p: [x["period"] for x in trends(s, "actor", p, keys=["nato"])["series"][0]["points"]] for p in ("day", "week", "month")}
            assert periods == {"day": ["2025-01-20", "2025-01-26", "2025-01-27", "2025-02-01"],
                               "week": ["2025-01-20", "2025-01-27"], "month": ["2025-01-01", "2025-02-01"]}, rows  # fmt: skip
            since = trends(s, "actor", "day", keys=["nato"], since="2025-01-20", until="2025-01-20")["series"][0]["points"]
            assert [x["period"] for x in since] == ["2025-01-20"]
    finally:
        s.close()


def test_undated_articles_of_an_outlet_fill_bounded_cells(url, monkeypatch):  # noqa: ANN001
    from polarwatch.analysis import aggregates

    monkeypatch.setattr(aggregates, "UNDATED_BUCKET", 4)
    s = open_store(url)
    try:
        arts = []
        for i in range(20):
            a = article(i, TEXTS[i % 5] + f" Undated {i}.", "NO")
            a.published = None
            arts.append(a)
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        sizes = [n for (n,) in s.db.execute(
            "SELECT COUNT(*) FROM agg_article_cell ac JOIN agg_cells c ON c.id = ac.cell WHERE c.day IS NULL GROUP BY ac.cell")]  # fmt: skip
        assert len(sizes) >= 5 and max(sizes) <= 4 and sum(sizes) == 20
        assert_cells_read_like_the_rows(s, monkeypatch)
    finally:
        s.close()


def test_speakers_with_the_same_name_and_count_rank_by_their_key_on_both_paths(url, monkeypatch):  # noqa: ANN001
    from polarwatch.analysis import aggregates
    from polarwatch.records import Quote

    s = open_store(url)
    try:
        arts = [article(i, TEXTS[i], ("RU", "NO")[i % 2]) for i in range(4)]
        s.put_articles(arts)
        ids = ["zz:1", "aa:2", "mm:3", "bb:4"]
        s.put_analyses([(a.id, Analysis(text=a.body, quotes=[Quote(0, 5, "text", "direct", "said", None, "Same Name", 0, 3, sid, "Same Name",
                                                                     None, []) for sid in ids])) for a in arts], "v1")  # fmt: skip
        sides = [Side("ru", countries=("RU",)), Side("no", countries=("NO",))]
        got = []
        for rows in (False, True):
            if rows:
                monkeypatch.setattr(aggregates, "usable", lambda db: False)
            out = compare(s, sides=sides, since="2025-01-01", top=3)
            got.append([[x["speaker_id"] for x in side["quoted"]["speakers"]] for side in out["sides"]])
        assert got[0] == got[1] == [["aa:2", "bb:4", "mm:3"]] * 2
    finally:
        s.close()


def test_cells_sum_to_a_count_in_python_of_the_child_rows(url):  # noqa: ANN001
    """Independent of aggregates.refresh's SQL: mentions, theme articles and events counted here in Python
    per (day as written, outlet, key), against the cells summed over the same."""
    from collections import defaultdict

    s = open_store(url)
    try:
        arts = awkward()[:90]
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        outlet = "a.published, a.outlet_name, a.outlet_domain, a.outlet_country, a.outlet_kind"
        cell = "c.day, o.outlet_name, o.outlet_domain, o.outlet_country, o.outlet_kind"
        agg = "FROM {} x JOIN agg_cells c ON c.id = x.cell JOIN agg_outlets o ON o.id = c.oid WHERE c.span IN ('{}', '{}') GROUP BY 1, 2, 3, 4, 5, 6"
        for child, key, table, sums in (
            ("mentions m", "m.actor_id", "agg_mentions", "x.actor_id, SUM(x.mentions), SUM(x.articles)"),
            ("article_themes m", "m.theme", "agg_themes", "x.theme, SUM(x.articles), SUM(x.articles)"),
            ("events m", "m.type || ':' || COALESCE(m.source_name, m.source_country, '?')", "agg_events",
             "x.type || ':' || x.source, SUM(x.events), SUM(x.articles)"),
        ):  # fmt: skip
            rows, articles = Counter(), defaultdict(set)
            for rowid, pub, *rest in s.db.execute(f"SELECT a.rowid, {outlet}, {key} FROM {child} JOIN articles a ON a.rowid = m.article_rowid"):  # noqa: S608
                if rest[-1] is None:
                    continue
                k = (pub[:10] if pub else None, *rest)
                rows[k] += 1
                articles[k].add(rowid)
            want = {k: (n, len(articles[k])) for k, n in rows.items()}
            if table == "agg_themes":
                want = {k: (len(articles[k]),) * 2 for k in rows}  # a theme once per article
            got = {tuple(r[:6]): (int(r[6]), int(r[7])) for r in s.db.execute(f"SELECT {cell}, {sums} {agg.format(table, 'D', 'X')}")}  # noqa: S608
            assert got == want and want, table
            # Week cells (migration 017): the same counts by the Monday of each calendar date's week.
            weekly: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
            for k, (n, arts) in want.items():
                if k[0] is not None and len(k[0]) == 10 and k[0][4] == "-":
                    d = date.fromisoformat(k[0])
                    w = weekly[((d - timedelta(days=d.weekday())).isoformat(), *k[1:])]
                    w[0], w[1] = w[0] + n, w[1] + arts
            got = {tuple(r[:6]): [int(r[6]), int(r[7])] for r in s.db.execute(f"SELECT {cell}, {sums} {agg.format(table, 'W', 'W')}")}  # noqa: S608
            assert got == dict(weekly) and len(got) < len(want), table
    finally:
        s.close()


def old_store(url, monkeypatch, below: int, arts: list[Article], cells) -> None:  # noqa: ANN001
    """A store at the migrations under *below*, holding *arts* analysed, whose cells *cells* (a function of
    the connection, within a transaction) writes as that version's code did; marked complete."""
    from polarwatch.analysis import aggregates
    from polarwatch.store import postgres, sqlite

    before = [m for m in sqlite.migrations() if m[0] < below]
    with monkeypatch.context() as m:
        for module in (sqlite, postgres):
            m.setattr(module, "migrations", lambda: before)
        s = open_store(url)
        try:
            s.put_articles(arts)
            m.setattr(aggregates, "refresh", lambda db, rowids: 0)  # child rows stored, cells as *cells* writes them
            s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
            s.db.execute("BEGIN IMMEDIATE")
            cells(s.db)
            s.db.execute("UPDATE agg_state SET complete = 1")
            s.db.execute("COMMIT")
        finally:
            s.close()


def test_migration_016_counts_a_filled_store_again_by_the_day_as_written(url, monkeypatch):  # noqa: ANN001
    from polarwatch.analysis import aggregates
    from polarwatch.store import sqlite

    def cells(db) -> None:  # noqa: ANN001 - as migration 014's code counted them: cells keyed by day and pday
        db.execute("INSERT INTO agg_cells (ckey, day, pday, oid) VALUES ('old', '2025-01-19', '2025-01-19', 1)")
        db.execute("INSERT INTO agg_mentions (cell, actor_id, mentions, articles) SELECT id, 'nato', 5, 5 FROM agg_cells")

    arts = awkward()[:40]
    old_store(url, monkeypatch, 16, arts, cells)
    s = open_store(url)
    try:
        assert s.schema_version() == sqlite.migrations()[-1][0] and not aggregates.usable(s.db)
        assert s.db.execute("SELECT COUNT(*) FROM agg_mentions").fetchone()[0] == 0
        assert aggregates.fill_aggregates(s) == len(arts) and aggregates.usable(s.db)
        assert agg_rows(s) == recount(s)  # the fill's own count, before any other write
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        assert agg_rows(s) == recount(s)
    finally:
        s.close()


def test_a_comparison_reads_its_sides_from_the_cells_only_when_every_article_lies_in_one(url, monkeypatch):  # noqa: ANN001
    """An article stored but never analysed has no cell: the comparison then lists the sides' articles
    from their rows, so its article and outlet counts still hold it; once analysed, from the cells."""
    from polarwatch.analysis import aggregates

    s = open_store(url)
    try:
        arts = [article(i, TEXTS[i % 5], ("RU", "NO")[i % 2]) for i in range(6)]
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts[:-1])], "v1")  # the last one, NO, not analysed
        sides = [Side("ru", countries=("RU",)), Side("no", countries=("NO",))]
        assert aggregates.usable(s.db) and not aggregates.every_article_counted(s.db)
        before = compare(s, sides=sides, since="2025-01-01")
        assert [side["articles"] for side in before["sides"]] == [3, 3]
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        assert compare(s, sides=sides, since="2025-01-01") == before
        monkeypatch.undo()
        s.put_analyses([analysis_of(arts[-1], 5)], "v1")
        assert aggregates.every_article_counted(s.db)
        after = compare(s, sides=sides, since="2025-01-01")
        assert [side["articles"] for side in after["sides"]] == [3, 3] and after["sides"][1]["outlets"] == before["sides"][1]["outlets"]
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        assert compare(s, sides=sides, since="2025-01-01") == after
    finally:
        s.close()


def test_every_article_counted_never_hands_one_store_s_answer_to_another(monkeypatch):  # noqa: ANN001
    """The answer is kept per store object, not per id(): CPython gives a new object a freed one's id, and
    a store whose generation, flag and highest rowids read the same as that freed one's must be asked
    afresh. Every object is given the same id() here, which is what that reuse amounts to."""
    import sqlite3

    from polarwatch.analysis import aggregates

    class Store:  # a store (.db), that also takes SQL itself as a connection does
        def __init__(self, articles: list[int], cells: list[int]) -> None:
            self.db = sqlite3.connect(":memory:")
            self.db.executescript("CREATE TABLE store_generation (id INTEGER PRIMARY KEY, generation INTEGER);"
                                  "INSERT INTO store_generation VALUES (1, 7);"
                                  "CREATE TABLE agg_state (id INTEGER PRIMARY KEY, complete INTEGER);"
                                  "INSERT INTO agg_state VALUES (1, 1);"
                                  "CREATE TABLE articles (id TEXT);"
                                  "CREATE TABLE agg_article_cell (article_rowid INTEGER PRIMARY KEY, cell INTEGER);")  # fmt: skip
            self.db.executemany("INSERT INTO articles (rowid, id) VALUES (?, ?)", [(r, f"a{r}") for r in articles])
            self.db.executemany("INSERT INTO agg_article_cell VALUES (?, 1)", [(r,) for r in cells])

        def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:  # type: ignore[type-arg]
            return self.db.execute(sql, args)

    monkeypatch.setattr(aggregates, "id", lambda obj: 1, raising=False)
    a, b = Store([1, 3], [1, 3]), Store([1, 2, 3], [1, 3])  # b: article 2 never analysed
    assert aggregates.every_article_counted(a)
    assert not aggregates.every_article_counted(b)
    assert aggregates.every_article_counted(a) and not aggregates.every_article_counted(b.db)  # a bare SQLite connection: asked each time


def test_a_side_s_words_come_from_its_most_recently_published_articles_whatever_the_storage_order(url, monkeypatch):  # noqa: ANN001
    """An archive stored newest news first (a backfill): with *word_articles* fewer than a side's articles,
    the words counted from the rows are its most recently published ones', not its last stored; an undated
    article comes last. From the cells' word sums (migration 019) they are every article's, and the
    evidence is still the most recently published first."""
    from polarwatch.analysis import aggregates

    texts = {5: "walrus walrus walrus tundra", 3: "narwhal narwhal narwhal tundra", 1: "puffin puffin puffin tundra",
             7: "lemming lemming lemming tundra"}  # fmt: skip
    s = open_store(url)
    try:
        arts = [article(i, texts.get(i, "kremlin kremlin kremlin convoy"), ("RU", "NO")[i % 2]) for i in (7, 5, 4, 3, 2, 1, 0)]
        arts[0].published = None  # 7: undated, stored first
        arts = [*arts[1:], arts[0]]  # stored: 5 (newest), 4, 3, 2, 1, 0, then the undated 7
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        by_id = {a.id: i for i, a in zip((5, 4, 3, 2, 1, 0, 7), arts)}
        sides = [Side("ru", countries=("RU",)), Side("no", countries=("NO",))]
        assert aggregates.usable(s.db) and aggregates.every_article_counted(s)
        out = compare(s, sides=sides, word_articles=2, evidence=5)  # from the cells
        no = out["sides"][1]
        cited = [[by_id[e["article"]] for e in w["evidence"]] for w in no["words"]]
        assert no["articles"] == no["words_from"] == 4 and {"walrus", "narwhal", "puffin", "lemming"} <= {w["word"] for w in no["words"]}
        assert [5, 3, 1, 7] in cited, cited  # 'tundra': in every article, the undated one last
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        out = compare(s, sides=sides, word_articles=2, evidence=5)  # from the rows
        no = out["sides"][1]
        words = {w["word"] for w in no["words"]}
        cited = {by_id[e["article"]] for w in no["words"] for e in w["evidence"]}
        assert no["articles"] == 4 and no["words_from"] == 2 and {"walrus", "narwhal"} <= words, words
        assert not words & {"puffin", "lemming"} and cited and cited <= {5, 3}, (words, cited)
        assert compare(s, sides=sides, word_articles=4)["sides"][1]["words_from"] == 4
    finally:
        s.close()


def test_week_cells_and_the_days_around_them_answer_like_the_rows(url, monkeypatch):  # noqa: ANN001
    """Migration 017: a period's comparison and network sum the week cells of its whole weeks and the day
    cells of its ends; a day that is no calendar date (published is free text) is taken from the day cells
    wherever it falls. Periods with and without whole weeks, starting and ending on every weekday."""
    import json

    from polarwatch.analysis import aggregates, network

    s = open_store(url)
    try:
        arts = []
        for i in range(70):
            a = article(i % 28, TEXTS[i % 5] + f" Week item {i}.", ("RU", "NO", "SE")[i % 3], ("state-controlled", "public-broadcaster")[i % 2])
            a.id, a.url = hashlib.sha1(f"week {i}".encode()).hexdigest()[:16], f"https://example.org/week/{i}"
            a.published = f"2025-01-{1 + i % 31:02d}T1{i % 10}:00:00"
            arts.append(a)
        arts[5].published, arts[6].published = "2025-01-1X (no date)", "2025-01-31"  # 1X: between the 19th and the 20th, as text
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        assert aggregates.usable(s.db) and agg_rows(s) == recount(s)
        assert s.db.execute("SELECT COUNT(*) FROM agg_cells WHERE span = 'X'").fetchone()[0] == 1
        assert aggregates.period_cells("2025-01-06", "2025-01-11") is None  # no whole week: day cells
        assert aggregates.period_cells("2025-01-06", "2025-01-12") is not None
        assert aggregates.period_cells("9999-12-30", "9999-12-31") is None and aggregates.period_cells("2025-02-30", "2025-03-31") is None
        assert network(s, since="9999-12-27", until="9999-12-31")["edges"] == []
        sides = [Side("ru", countries=("RU",)), Side("no", countries=("NO", "SE"))]
        periods = [("2025-01-01", "2025-01-31"), ("2025-01-06", "2025-01-19"), ("2025-01-07", "2025-01-27"), ("2025-01-02", "2025-01-12"),
                   ("2025-01-13", "2025-01-19"), ("2025-01-14", "2025-01-18"), ("2025-01-20", "2025-01-20")]  # fmt: skip

        def readings() -> list[str]:
            return [json.dumps(x, sort_keys=True) for a, b in periods
                    for x in (compare(s, sides=sides, since=a, until=b), network(s, since=a, until=b))]  # fmt: skip

        weekly = readings()
        # Over every outlet the network reads the all-outlet cells (migration 023), and gives the same as the outlets' cells.
        assert "'AW'" in aggregates.scope(s, aggregates.Filters(since="2025-01-01", until="2025-01-31"), weeks=True, totals=True)[0][0]
        assert "'AD'" in aggregates.scope(s, aggregates.Filters(since="2025-01-01", until="2025-01-31"), totals=True)[0][0]  # the trends
        assert "'AD'" in aggregates.scope(s, aggregates.Filters(since="2025-01-14", until="2025-01-18"), weeks=True, totals=True)[0][0]
        assert "'A" not in aggregates.scope(s, aggregates.Filters(since="2025-01-01", country="NO"), weeks=True, totals=True)[0][0]
        assert "'A" not in aggregates.scope(s, aggregates.Filters(), weeks=True, totals=True)[0][0]  # undated articles: no such cells
        monkeypatch.setattr(aggregates, "totals_ready", lambda db: False)
        assert readings() == weekly  # the outlets' day and week cells
        monkeypatch.setattr(aggregates, "period_cells", lambda since, until, *spans: None)
        assert readings() == weekly  # the day cells alone
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        assert readings() == weekly  # the rows
        monkeypatch.undo()
        # A write recounts the week cells of the days it touches: an article moved to another week and outlet.
        moved = article(10, TEXTS[0] + " Moved.", "RU", "state-controlled")
        moved.id, moved.url, moved.published = arts[10].id, arts[10].url, "2025-01-28"
        s.put_articles([moved])
        assert agg_rows(s) == recount(s)
        after = readings()
        assert after != weekly
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        assert readings() == after
    finally:
        s.close()


def test_migration_017_counts_a_filled_store_again_with_its_weeks(url, monkeypatch):  # noqa: ANN001
    """A store filled before migration 017 (day cells only, a cell of a day that is no date marked like any
    other) is counted again: its odd cell marked 'X', the week cells filled, equal to a recount."""
    from polarwatch.analysis import aggregates
    from polarwatch.store import sqlite

    arts = awkward()[:30]
    arts[4].published = "2025-01-1X"
    o = arts[4].outlet

    def cells(db) -> None:  # noqa: ANN001 - the odd article's cell, as 016's code wrote it
        oid = aggregates._ids(db, "agg_outlets", "okey", {aggregates._key((o.name, o.domain, o.country, o.kind)): (o.name, o.domain, o.country, o.kind)},
                              aggregates.OUTLET_COLS).popitem()[1]  # fmt: skip
        db.execute("INSERT INTO agg_cells (ckey, day, oid) VALUES (?, '2025-01-1X', ?)", (aggregates._key(("2025-01-1X", None, oid)), oid))

    old_store(url, monkeypatch, 17, arts, cells)
    s = open_store(url)
    try:
        assert s.schema_version() == sqlite.migrations()[-1][0] and not aggregates.usable(s.db)
        assert [tuple(r) for r in s.db.execute("SELECT span FROM agg_cells")] == [("D",)]
        assert aggregates.fill_aggregates(s) == len(arts) and aggregates.usable(s.db)
        assert [tuple(r) for r in s.db.execute("SELECT day FROM agg_cells WHERE span = 'X'")] == [("2025-01-1X",)]
        assert s.db.execute("SELECT COUNT(*) FROM agg_cells WHERE span = 'W'").fetchone()[0] > 0
        assert agg_rows(s) == recount(s)
    finally:
        s.close()


# -- word counts per cell (migration 019) ------------------------------------------------------------------
def word_cells(store) -> dict[int, tuple[int, Counter[str]]]:  # noqa: ANN001
    """Cell id -> (articles, summed word counts as words) as stored in agg_words."""
    from polarwatch.analysis.counts import unpack_cell

    words = {int(k): w for k, w in store.db.execute("SELECT id, word FROM words")}
    out = {}
    for cell, n, blob in store.db.execute("SELECT cell, articles, counts FROM agg_words"):
        ids, counts = unpack_cell(blob)
        out[int(cell)] = (int(n), Counter({words[int(i)]: int(c) for i, c in zip(ids, counts)}))
    return out


def word_cells_from_bodies(store) -> dict[int, tuple[int, Counter[str]]]:  # noqa: ANN001
    """The same counted in Python from the articles' bodies now: a day cell from its articles, a week cell
    from the day cells of its outlet inside the week."""
    db = store.db
    out: dict[int, tuple[int, Counter[str]]] = {}
    for cell, body in db.execute("SELECT ac.cell, a.body FROM agg_article_cell ac JOIN articles a ON a.rowid = ac.article_rowid"):
        n, c = out.setdefault(int(cell), (0, Counter()))
        c.update(raw_counts(body))
        out[int(cell)] = (n + 1, c)
    days = db.execute("SELECT id, oid, day FROM agg_cells WHERE span = 'D' AND day IS NOT NULL").fetchall()
    for week, oid, monday, upto in db.execute("SELECT id, oid, day, upto FROM agg_cells WHERE span = 'W'"):
        n, c = 0, Counter()
        for d, o, day in days:
            if o == oid and monday <= day < upto and int(d) in out:
                n, c = n + out[int(d)][0], c + out[int(d)][1]
        if n:
            out[int(week)] = (n, c)
    return {k: v for k, v in out.items() if v[0]}


def test_word_cells_equal_the_bodies_counted_after_every_kind_of_write(url):  # noqa: ANN001
    from polarwatch.analysis import aggregates
    from polarwatch.analysis.queries import delete_article

    s = open_store(url)
    try:
        arts = awkward()[:90]
        s.put_articles(arts)
        s.put_analyses([analysis_of(a, k) for k, a in enumerate(arts)], "v1")
        first = word_cells(s)
        assert first == word_cells_from_bodies(s) and s.db.execute("SELECT COUNT(*) FROM agg_cells WHERE span = 'W'").fetchone()[0] > 0
        assert sum(n for n, _ in first.values()) > len(arts)  # day and week cells
        s.put_analyses([analysis_of(a, k + 1) for k, a in enumerate(arts[:10])], "v2")  # reprocess
        assert word_cells(s) == first
        # A re-ingest with a changed body (no new analysis): its cell counts the new body in the ingest's transaction.
        changed = awkward()[7]
        changed.paragraphs = [*changed.paragraphs, "Permafrost thaw."]
        changed.content_hash = hashlib.sha1(changed.body.encode()).hexdigest()
        s.put_articles([changed])
        assert aggregates.words_ready(s.db) and word_cells(s) == word_cells_from_bodies(s) != first
        assert any(c["permafrost"] == 1 for _, c in word_cells(s).values())
        # A delete, one behind the store's back (recounted by the next write), and a re-ingest moving an article.
        assert delete_article(s, arts[2].id)
        assert word_cells(s) == word_cells_from_bodies(s)
        s.db.execute("BEGIN IMMEDIATE")
        s.db.execute("DELETE FROM articles WHERE id = ?", (arts[3].id,))
        s.db.execute("COMMIT")
        assert not aggregates.words_ready(s.db)
        s.put_articles([])
        moved = awkward()[12]
        moved.published = "2025-01-29"
        s.put_articles([moved])
        assert aggregates.words_ready(s.db) and word_cells(s) == word_cells_from_bodies(s)
        # A store from before migration 019: its cells' words are summed by the fill, the readers wait for it.
        want = word_cells(s)
        f = aggregates.Filters(since="2025-01-01", until="2025-01-31")
        summed = aggregates.scope(s, f, weeks=True)[0]
        s.db.execute("BEGIN IMMEDIATE")
        s.db.execute("DELETE FROM agg_words")
        s.db.execute("UPDATE agg_state SET words = 0")
        s.db.execute("COMMIT")
        assert aggregates.cell_words(s, summed) is None and aggregates.side_outlets(s, summed) is None
        assert aggregates.fill_aggregates(s, batch=30) == s.db.execute("SELECT COUNT(*) FROM agg_article_cell").fetchone()[0]
        assert aggregates.words_ready(s.db) and word_cells(s) == want
        assert aggregates.fill_aggregates(s) == 0
    finally:
        s.close()


def test_a_period_s_words_and_outlets_from_the_cells_are_those_of_all_its_articles(url, monkeypatch):  # noqa: ANN001
    """The distinctive words of every article of a period (evidence included: found through the full-text
    index among the side's articles, in words inside compounds and possessives) and the side's outlets, as
    counted from the articles' rows; none from the cells while an article lies in no cell."""
    from polarwatch.analysis import aggregates
    from polarwatch.analysis.counts import CellWords

    s = open_store(url)
    try:
        arts = [article(i, t, ("NO", "SE")[i % 4 == 1] if i % 2 else "RU", "public-broadcaster" if i % 2 else "state-controlled")
                for i, t in enumerate(TEXTS * 4)]  # fmt: skip
        s.put_articles(arts)
        s.put_analyses([(a.id, Analysis(text=a.body)) for a in arts], "v1")
        f = aggregates.Filters(since="2025-01-02", until="2025-01-16")  # the weeks of the 6th and 13th whole, days around them
        sides = [Side("ru", countries=("RU",)), Side("nordic", countries=("NO", "SE"))]
        summed, cells = aggregates.scope(s, f, sides, weeks=True), aggregates.scope(s, f, sides)
        assert any("'W'" in c for c, _ in summed) and s.db.execute("SELECT COUNT(*) FROM agg_words x JOIN agg_cells c ON c.id = x.cell WHERE c.span = 'W'").fetchone()[0]
        from_bodies, outlets = [], []
        for side in sides:
            cond, args = side.sql("a")
            wc, groups = WordCounts(), Counter()
            for aid, body, name, country, kind in s.db.execute(
                "SELECT a.id, a.body, a.outlet_name, a.outlet_country, a.outlet_kind FROM articles a "  # noqa: S608
                f"WHERE a.published >= ? AND a.published < ? AND {cond} ORDER BY a.published DESC, a.rowid DESC", ["2025-01-02", "2025-01-17", *args],
            ):  # fmt: skip
                wc.add(aid, body)
                groups[(name, country, kind)] += 1
            from_bodies.append(wc)
            outlets.append((wc.articles, [{"name": k[0], "country": k[1], "kind": k[2], "articles": n}
                                          for k, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))]))  # fmt: skip
        assert [aggregates.side_outlets(s, sm) for sm in summed] == outlets and len(outlets[1][1]) == 2
        want = distinctive(from_bodies, 10, min_count=1)
        # The evidence from the walk of the newest articles, from the full-text index, and from both.
        for walk in (40, 0, 3):
            monkeypatch.setattr(CellWords, "WALK", walk)
            from_cells = [aggregates.cell_words(s, sm, cl) for sm, cl in zip(summed, cells)]
            assert [c.articles for c in from_cells] == [b.articles for b in from_bodies] and all(b.articles > 3 for b in from_bodies)
            got = distinctive(from_cells, 10, min_count=1)  # scored as arrays of word ids (possessives under their stem)
            assert got == want and all(w["evidence"] for side in got for w in side), walk
            assert distinctive([from_cells[0], from_bodies[1]], 10, min_count=1) == want  # one side by words: both so
            for word in ("icebreaker", "herders", "lane", "ice", "strait", "fleet", "sea", "crossing"):
                for c, b in zip(from_cells, from_bodies):
                    assert c.where(word) == b.where(word), (word, walk)
        monkeypatch.undo()
        # Evidence left out on request: no body read, every list empty.
        quiet = distinctive([aggregates.cell_words(s, sm) for sm in summed], 10, min_count=1, evidence=0)
        assert [[{**w, "evidence": []} for w in side] for side in got] == quiet
        # An article stored but never analysed lies in no cell: the cells cannot answer for the period.
        extra = article(30, "Walrus colonies.", "RU", "state-controlled")
        extra.published = "2025-01-05"
        s.put_articles([extra])
        assert aggregates.cell_words(s, summed[0]) is None and aggregates.side_outlets(s, summed[0]) is None
    finally:
        s.close()


def test_migration_019_leaves_a_counted_store_s_words_to_the_fill(url, monkeypatch):  # noqa: ANN001
    """A store whose cells were counted before migration 019 (no word sums): the migration marks the words
    not summed, the readers give None until ``fill_aggregates`` sums every day and week cell."""
    from polarwatch.analysis import aggregates
    from polarwatch.store import sqlite

    arts = awkward()[:40]
    real = aggregates.refresh

    def cells(db) -> None:  # noqa: ANN001 - the cells as 018's code counted them: everything but the words
        with monkeypatch.context() as m:
            m.setattr(aggregates, "_recount_words", lambda db, cells, articles=None: 0)
            m.setattr(aggregates, "_recount_week_words", lambda db, weeks: None)
            m.setattr(aggregates, "_key_events", lambda db, cells: None)  # no event-group keys before 020
            m.setattr(aggregates, "_recount_totals", lambda db, days, weeks: None)  # nor all-outlet cells before 023
            real(db, [int(r[0]) for r in db.execute("SELECT rowid FROM articles")])

    old_store(url, monkeypatch, 19, arts, cells)
    s = open_store(url)
    try:
        assert s.schema_version() >= 19 and aggregates.usable(s.db) and not aggregates.words_ready(s.db)
        # Migrations 020-022 gave the groups counted before them their integer keys.
        for table, keys, cols in aggregates.KEYED:
            same = " AND ".join(f"k.{c} = x.{c}" for c in cols)
            assert s.db.execute(f"SELECT COUNT(*) FROM {table} x JOIN {keys} k ON k.id = x.ekey AND {same}").fetchone()[0] == \
                s.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0, table  # noqa: S608
        summed = aggregates.scope(s, aggregates.Filters(since="2025-01-01", until="2025-01-31"), weeks=True)[0]
        assert aggregates.cell_words(s, summed) is None and word_cells(s) == {}
        assert aggregates.fill_aggregates(s, batch=50) == s.db.execute("SELECT COUNT(*) FROM agg_article_cell").fetchone()[0] > 0
        assert aggregates.words_ready(s.db) and word_cells(s) == word_cells_from_bodies(s)
        in_january = s.db.execute("SELECT COUNT(*) FROM articles WHERE published >= ? AND published < ?", ["2025-01-01", "2025-01-31\uffff"]).fetchone()[0]
        assert aggregates.cell_words(s, summed).articles == in_january > 0
    finally:
        s.close()


def test_migration_023_leaves_the_all_outlet_cells_of_a_counted_store_to_the_fill(url, monkeypatch):  # noqa: ANN001
    """A store counted before migration 023 has no all-outlet cells: the network sums the outlets' cells until
    ``fill_aggregates`` counts every day and week (a few days a transaction), then reads those and gives the
    same; a later write keeps them equal to a recount."""
    import json

    from polarwatch.analysis import aggregates, network, trends

    arts = awkward()[:40]
    real = aggregates.refresh

    def cells(db) -> None:  # noqa: ANN001 - as 022's code counted them
        with monkeypatch.context() as m:
            m.setattr(aggregates, "_recount_totals", lambda db, days, weeks: None)
            real(db, [int(r[0]) for r in db.execute("SELECT rowid FROM articles")])

    old_store(url, monkeypatch, 23, arts, cells)
    s = open_store(url)
    try:
        month = aggregates.Filters(since="2025-01-01", until="2025-01-31")
        assert aggregates.usable(s.db) and not aggregates.totals_ready(s.db)
        assert "'A" not in aggregates.scope(s, month, weeks=True, totals=True)[0][0]
        assert s.db.execute("SELECT COUNT(*) FROM agg_cells WHERE span IN ('AD', 'AW')").fetchone()[0] == 0
        before = json.dumps(network(s, filters=month), sort_keys=True)
        trended = [json.dumps(trends(s, what, "day", filters=month), sort_keys=True) for what in ("actor", "theme")]
        aggregates.fill_aggregates(s, batch=30)  # three days a transaction
        assert aggregates.totals_ready(s.db) and agg_rows(s) == recount(s)
        assert s.db.execute("SELECT COUNT(*) FROM agg_cells WHERE span = 'AW'").fetchone()[0] > 0
        assert "'AW'" in aggregates.scope(s, month, weeks=True, totals=True)[0][0]
        assert json.dumps(network(s, filters=month), sort_keys=True) == before and json.loads(before)["edges"]
        assert s.db.execute("SELECT COUNT(*) FROM agg_mentions x JOIN agg_cells c ON c.id = x.cell WHERE c.span = 'AD'").fetchone()[0] > 0
        assert [json.dumps(trends(s, what, "day", filters=month), sort_keys=True) for what in ("actor", "theme")] == trended
        s.put_analyses([analysis_of(a, k + 2) for k, a in enumerate(arts[:7])], "v2")
        assert agg_rows(s) == recount(s)
        after = json.dumps(network(s, filters=month), sort_keys=True)
        monkeypatch.setattr(aggregates, "usable", lambda db: False)
        assert json.dumps(network(s, filters=month), sort_keys=True) == after
    finally:
        s.close()
