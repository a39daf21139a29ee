"""The analysis layer, the REST API, the dashboard and the monitor state on a PostgreSQL store: the same
corpus (tests/_api_corpus.py, real extraction) ingested into SQLite and into a PostgreSQL schema, then the
same calls on both, compared. Skipped without PostgreSQL server binaries (failed under CI), as the store tests."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("psycopg")

from fastapi.testclient import TestClient  # noqa: E402

from _api_corpus import corpus  # noqa: E402
from polarwatch import lib  # noqa: E402
from polarwatch.analysis import compare, network, parse_side, trends  # noqa: E402
from polarwatch.analysis.queries import Filters, actors, articles, quotes  # noqa: E402
from polarwatch.api import create_app  # noqa: E402
from polarwatch.monitor import MonitorState  # noqa: E402
from polarwatch.monitor.parse import Entry  # noqa: E402
from polarwatch.store import open_store  # noqa: E402
from polarwatch.store.dialect import Catalog, translate  # noqa: E402
from polarwatch.web import dashboard_app  # noqa: E402
from polarwatch.web import queries as wq  # noqa: E402

FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures"


# -- the dialect rules these modules needed (no server) ------------------------------------------
def test_json_each_becomes_a_set_returning_function_with_a_value_column():
    sql = translate("SELECT j.value FROM quotes q, json_each(q.about) j WHERE j.value != ?", Catalog()).sql
    assert sql == "SELECT j.value FROM quotes q, jsonb_array_elements_text(CAST(q.about AS jsonb)) AS j(value) WHERE j.value != %s"
    sql = translate("SELECT COUNT(*) FROM json_each(?) AS h JOIN articles a ON a.rowid = CAST(h.value AS BIGINT)", Catalog()).sql
    assert sql.startswith("SELECT COUNT(*) FROM jsonb_array_elements_text(CAST(%s AS jsonb)) AS h(value) JOIN articles a")
    with pytest.raises(ValueError, match="alias"):
        translate("SELECT value FROM json_each(?)", Catalog())


def test_cross_join_with_on_becomes_an_inner_join_and_a_plain_cross_join_stays():
    assert translate("SELECT 1 FROM a CROSS JOIN b x ON x.i = a.i", Catalog()).sql == "SELECT 1 FROM a JOIN b x ON x.i = a.i"
    assert translate("SELECT 1 FROM a CROSS JOIN b", Catalog()).sql == "SELECT 1 FROM a CROSS JOIN b"


def test_descending_nullable_columns_sort_nulls_last_as_sqlite_does():
    cat = Catalog(nullable={"published"})
    sql = translate("SELECT a.id FROM articles a WHERE a.title = 'published DESC' ORDER BY a.published DESC, a.rowid DESC", cat).sql
    assert sql == "SELECT a.id FROM articles a WHERE a.title = 'published DESC' ORDER BY a.published DESC NULLS LAST, a.rowid DESC"
    assert "NULLS FIRST" in translate("SELECT 1 FROM t ORDER BY published DESC NULLS FIRST", cat).sql
    assert "NULLS" not in translate("SELECT 1 FROM t ORDER BY published DESC", Catalog()).sql


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_server):  # noqa: ANN001
    """(SQLite path, PostgreSQL URL) holding the same articles, ingested in the same order."""
    from pathlib import Path

    from _postgres import pg_test_schema

    lite = corpus(tmp_path_factory)
    url, drop = pg_test_schema(pg_server)
    rep = lib.ingest([Path(lite).parent / "gold.jsonl", FIXTURES / "clean"], url)
    assert not rep.failed, rep.failed
    yield lite, url
    drop()


@pytest.fixture(scope="module")
def stores(both):  # noqa: ANN001
    lite, pg = open_store(both[0]), open_store(both[1])
    yield lite, pg
    lite.close()
    pg.close()


def _same(fn, stores):  # noqa: ANN001, ANN202
    a, b = fn(stores[0]), fn(stores[1])
    assert a == b
    return a


def test_the_two_stores_hold_the_same_extraction(stores):
    counts = [[s.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("articles", "quotes", "events", "mentions")]  # noqa: S608
              for s in stores]  # fmt: skip
    assert counts[0] == counts[1] and all(counts[0])


def test_analysis_functions_agree(stores):
    net = _same(lambda s: network(s, evidence=3), stores)
    assert net["edges"] and {e["kind"] for e in net["edges"]} >= {"event", "quoted-about"}
    assert all(e["evidence"] for e in net["edges"])
    _same(lambda s: network(s, min_weight=2, kinds=("event",)), stores)
    tr = _same(lambda s: trends(s, "actor", "month"), stores)
    assert tr["series"] and tr["series"][0]["points"]
    _same(lambda s: trends(s, "theme", "week", since="2025-01-01"), stores)
    cmp = _same(lambda s: compare(s, sides=[parse_side("RU/state-controlled"), parse_side("nordic/public-broadcaster")]), stores)
    assert all(side["articles"] for side in cmp["sides"])
    _same(lambda s: actors(s, Filters(country="RU")), stores)
    _same(lambda s: quotes(s, Filters(actor="Russia"), limit=20), stores)
    first = _same(lambda s: articles(s, Filters(), limit=7), stores)
    _same(lambda s: articles(s, Filters(), cursor=first[1], limit=7), stores)


def test_dashboard_queries_agree(stores):
    top = _same(lambda s: wq.active_actors(s, wq.Filters()), stores)
    speaker = next(a["id"] for a in top if a.get("quotes"))
    targets = _same(lambda s: wq.quote_targets(s, speaker), stores)
    assert targets
    res = [wq.search(s, wq.Filters()) for s in stores]
    assert res[0].facets == res[1].facets and res[0].total == res[1].total > 0
    hits = [wq.search(s, wq.Filters(q="icebreaker")) for s in stores]
    assert hits[0].total == hits[1].total > 0 and hits[0].facets == hits[1].facets
    assert {h["id"] for h in hits[0].hits} == {h["id"] for h in hits[1].hits}  # ranking functions differ, members not


def test_api_endpoints_agree(both):
    clients = [TestClient(create_app(db, token=""), raise_server_exceptions=False) for db in both]
    for url, params in (("/api/articles", {"limit": 5}), ("/api/quotes", {"limit": 5}), ("/api/events", {"limit": 5}),
                        ("/api/actors", {}), ("/api/themes", {}), ("/api/outlets", {}), ("/api/network", {"max_edges": 20}),
                        ("/api/trends", {"what": "actor", "period": "month", "key": ["Russia", "China"]}),
                        ("/api/compare", {"side": ["RU/state-controlled", "country=NO,DK,GL;kind=public-broadcaster"]})):  # fmt: skip
        got = [c.get(url, params=params) for c in clients]
        assert [g.status_code for g in got] == [200, 200], (url, got[1].text[:300])
        assert got[0].json() == got[1].json(), url
    assert clients[1].get("/api/search", params={"q": "icebreaker"}).json()["items"]


def test_every_figure_links_to_its_rows_on_postgresql(both):
    """The links of a comparison's (a period's, a story's) and the network's figures, followed through the API
    on PostgreSQL, give exactly the rows each counts (tests/_links.py)."""
    from _links import check_comparison, check_network

    client = TestClient(create_app(both[1], token=""), raise_server_exceptions=False)
    seen = check_comparison(client, {"side": ["RU/state-controlled", "nordic/public-broadcaster"], "since": "2025-01-01", "until": "2025-12-31"})
    assert all(seen.values()), seen
    stories = client.get("/api/stories", params={"limit": 100}).json()["items"]
    story = max(stories, key=lambda s: (s["articles"], -s["id"]))["id"]
    countries = sorted({o["country"] for o in client.get(f"/api/stories/{story}").json()["outlets"] if o.get("country")})
    assert check_comparison(client, {"side": countries[:2], "story": story})["sides"] == 2
    assert all(check_network(client, {}).values())


def test_dashboard_pages_answer(both):
    client = TestClient(dashboard_app(both[1]), raise_server_exceptions=False)
    for path, params in (("/", {}), ("/search", {"q": "icebreaker", "country": "RU"}), ("/network/data.json", {}),
                         ("/compare", {"a": "RU", "b": "NO"}), ("/quotes", {}),
                         # the listings a comparison's and a network's numbers lead to, with the REST API's filters
                         ("/quotes", {"side": "RU", "speaker_country": "RU"}), ("/search", {"side": ["RU", "NO"], "tone_toward": "ru"}),
                         ("/events", {"side": "RU", "source_label": "Russia", "target_id": "no", "symmetric": "true"})):  # fmt: skip
        r = client.get(path, params=params)
        assert r.status_code == 200, (path, r.text[:300])


def test_monitor_state_on_both(tmp_path, pg_server):  # noqa: ANN001
    from _postgres import pg_test_schema

    url, drop = pg_test_schema(pg_server)
    try:
        seen = []
        for db in (str(tmp_path / "m.db"), url):
            with open_store(db) as store:
                st = MonitorState(store)
                st.put_source("s1", "https://example.org/feed.xml", "feed", "Example", "user", True)
                entries = [Entry(f"https://example.org/{i}", f"https://example.org/{i}", title=f"Item {i}") for i in range(3)]
                new = st.record_poll("s1", status="200", entries=entries, feed_title="Ex", next_due=0.0)
                again = st.record_poll("s1", status="304", entries=entries[:1], feed_title="Ex", next_due=0.0)
                rule = st.add_rule("actor:ru", [("actor", ["ru"])])
                alert = {"rule_id": rule, "rule": "actor:ru", "article_id": "a1", "title": "T", "url": "u", "outlet": "o",
                         "published": "2025-01-01", "evidence": {"sentence": "s", "start": 0, "end": 1, "in_title": False},
                         "matched": {"actor": ["ru"]}}  # fmt: skip
                first, dup = st.add_alert(alert), st.add_alert(alert)
                seen.append((new, again, [r["id"] for r in st.source_rows()], st.entry_counts(), len(st.pending()),
                             [r["spec"] for r in st.rules()], first is not None, dup, [a["article_id"] for a in st.alerts()],
                             st.alerted(rule, ["a1"])))  # fmt: skip
                assert st.alerts()[0]["id"] == first
        assert seen[0] == seen[1]
        assert seen[0][0] == [e.key for e in entries] and seen[0][1] == [] and seen[0][7] is None
    finally:
        drop()
