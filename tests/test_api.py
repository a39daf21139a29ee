"""The REST API in-process (ASGI transport) over a store built from the repo's articles: every endpoint,
filters, cursor pagination, exports, the write token, and safety (markup in articles, injection-looking
filters, oversized requests, errors without tracebacks)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from _api_corpus import HOSTILE_ID_URL, copy, corpus
from polarwatch.api import CSP, create_app


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return corpus(tmp_path_factory)


@pytest.fixture(scope="module")
def client(db):
    return TestClient(create_app(db, token=""), raise_server_exceptions=False)


def get(client, url, status=200, **params):
    r = client.get(url, params=params)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    return r.json() if r.headers["content-type"].startswith("application/json") else r


def all_pages(client, url, **params):
    items, cursor, pages = [], None, 0
    while True:
        body = get(client, url, **params, **({"cursor": cursor} if cursor else {}))
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return items, pages


def count(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


# -- every endpoint ---------------------------------------------------------------------------
def test_spec_lists_every_endpoint(client):
    spec = get(client, "/api/openapi.json")
    paths = set(spec["paths"])
    for p in ("/api/articles", "/api/articles/{article_id}", "/api/search", "/api/quotes", "/api/actors", "/api/events",
              "/api/themes", "/api/stories", "/api/stories/{story_id}", "/api/threads", "/api/outlets", "/api/blocs",
              "/api/compare", "/api/network", "/api/trends"):  # fmt: skip
        assert p in paths, p
    assert {"get", "post"} <= set(spec["paths"]["/api/articles"]) and "delete" in spec["paths"]["/api/articles/{article_id}"]


def test_every_read_endpoint_answers(client, db):
    arts = get(client, "/api/articles")["items"]
    assert arts and {"id", "title", "published", "outlet", "country", "kind"} <= set(arts[0])
    one = get(client, f"/api/articles/{arts[0]['id']}")
    assert one["body"] == "\n\n".join(one["paragraphs"])
    for m in one["mentions"]:
        assert one["body"][m["start"] : m["end"]] == m["text"]
    get(client, "/api/articles/ffffffffffffffff", 404)
    hits = get(client, "/api/search", q="icebreaker")["items"]
    assert hits and all(h["snippet"][s:e].lower().startswith("icebreaker") for h in hits for s, e in h["marks"])
    assert get(client, "/api/quotes")["items"] and get(client, "/api/events")["items"]
    actors = get(client, "/api/actors")["items"]
    assert actors[0]["articles"] >= actors[-1]["articles"]
    themes = get(client, "/api/themes")["items"]
    assert themes and all(t["name"] for t in themes)
    stories = get(client, "/api/stories")["items"]
    st = get(client, f"/api/stories/{stories[0]['id']}")
    assert len(st["articles"]) == stories[0]["articles"]
    get(client, "/api/stories/999999", 404)
    outlets = get(client, "/api/outlets")["items"]
    assert sum(o["articles"] for o in outlets) == count(db, "SELECT COUNT(*) FROM articles WHERE outlet_name IS NOT NULL")
    assert any(b["id"] == "RU/state-controlled" for b in get(client, "/api/blocs")["items"])
    cmp = get(client, "/api/compare", side=["RU/state-controlled", "country=NO,DK,GL;kind=public-broadcaster"])
    assert [s["side"]["name"] for s in cmp["sides"]] == ["RU/state-controlled", "country=NO,DK,GL;kind=public-broadcaster"]
    assert cmp["sides"][0]["articles"] == count(db, "SELECT COUNT(*) FROM articles WHERE outlet_country = 'RU' AND outlet_kind = 'state-controlled'")
    get(client, "/api/compare", 422, side=["RU"])
    get(client, "/api/compare", 400, side=["RU", "kind=tabloid"])
    net = get(client, "/api/network", max_edges=20)
    assert 0 < len(net["edges"]) <= 20
    tr = get(client, "/api/trends", what="actor", period="month", key=["Russia", "China"])
    assert [s["key"] for s in tr["series"]] == ["ru", "cn"]
    get(client, "/api/trends", 422, period="fortnight")
    thr = client.get("/api/threads")
    if thr.status_code == 200 and thr.json()["items"]:  # a store with threads (migration 010)
        t = thr.json()["items"][0]
        one = get(client, f"/api/threads/{t['id']}")
        assert len(one["story_list"]) == t["stories"] >= 2
        arts = get(client, "/api/articles", thread=t["id"], limit=500)["items"]
        assert len(arts) == sum(x["articles"] for x in one["story_list"])
    else:
        assert thr.status_code == 404
    get(client, "/api/threads/999999", 404)


# -- filters ------------------------------------------------------------------------------------
def test_filters_narrow_every_list(client, db):
    ru = get(client, "/api/articles", country="RU", limit=500)["items"]
    assert ru and {a["country"] for a in ru} == {"RU"}
    two = get(client, "/api/articles", country="RU,CN", limit=500)["items"]
    assert {a["country"] for a in two} == {"RU", "CN"}
    pb = get(client, "/api/articles", kind="public-broadcaster", limit=500)["items"]
    assert pb and {a["kind"] for a in pb} == {"public-broadcaster"}
    spring = get(client, "/api/articles", since="2025-03-01", until="2025-03-31", limit=500)["items"]
    assert spring and all("2025-03-01" <= a["published"] <= "2025-03-31" for a in spring)
    assert len(spring) == count(db, "SELECT COUNT(*) FROM articles WHERE published BETWEEN '2025-03-01' AND '2025-03-31'")
    tass = get(client, "/api/articles", outlet="tass", limit=500)["items"]
    assert tass and all("tass" in (a["outlet"] + (a["domain"] or "")).lower() for a in tass) and "TASS" in {a["outlet"] for a in tass}
    cn = get(client, "/api/articles", actor="China", limit=500)["items"]
    assert len(cn) == count(db, "SELECT COUNT(DISTINCT article_rowid) FROM mentions WHERE actor_id = 'cn'")
    fish = get(client, "/api/articles", theme="fisheries", limit=500)["items"]
    assert len(fish) == count(db, "SELECT COUNT(*) FROM article_themes WHERE theme = 'fisheries'")
    q = get(client, "/api/quotes", country="RU", limit=500)["items"]
    assert q and {x["outlet_country"] for x in q} == {"RU"}
    direct = get(client, "/api/quotes", quote_kind="direct", limit=500)["items"]
    assert direct and {x["kind"] for x in direct} == {"direct"}
    ev = get(client, "/api/events", source="RU", limit=500)["items"]
    assert ev and all(e["source_country"] == "RU" or (e["symmetric"] and e["target_country"] == "RU") for e in ev)
    coop = get(client, "/api/events", type="cooperate", limit=500)["items"]
    assert coop and {e["type"] for e in coop} == {"COOPERATE"}
    s_ru = get(client, "/api/search", q="Arctic", country="RU")["items"]
    assert s_ru and {h["country"] for h in s_ru} == {"RU"}
    s_actor = get(client, "/api/search", q="Arctic", actor="China", limit=100)["items"]
    cn_ids = {a["id"] for a in cn}
    assert s_actor and {h["id"] for h in s_actor} <= cn_ids
    story = get(client, "/api/stories")["items"][0]
    members = get(client, "/api/articles", story=story["id"], limit=500)["items"]
    assert len(members) == story["articles"]


# -- pagination -------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, table, size", [
    ("/api/articles", "articles", 7), ("/api/quotes", "quotes", 37), ("/api/events", "events", 23), ("/api/stories", "stories", 4),
])  # fmt: skip
def test_pages_cover_everything_once_in_order(client, db, url, table, size):
    items, pages = all_pages(client, url, limit=size)
    assert len(items) == count(db, f"SELECT COUNT(*) FROM {table}")  # noqa: S608
    assert pages == -(-len(items) // size) or pages == len(items) // size + 1
    keys = [json.dumps(i, sort_keys=True) for i in items]
    assert len(set(keys)) == len(keys)
    one_page = get(client, url, limit=500)["items"]
    assert items[:500] == one_page  # the same order as one big page


def test_search_pages(client):
    items, pages = all_pages(client, "/api/search", q="Arctic", limit=5)
    assert pages > 1 and len({h["id"] for h in items}) == len(items)
    assert [h["score"] for h in items] == sorted((h["score"] for h in items), reverse=True)


def test_bad_cursors_are_400(client):
    for bad in ("xyz", "WzEsMiwzXQ", "W251bGwsIngiXQ", "!!!"):
        r = client.get("/api/articles", params={"cursor": bad})
        assert r.status_code == 400 and r.json() == {"detail": "bad cursor"}


# -- exports ------------------------------------------------------------------------------------------
def test_exports_parse_back(client):
    page = get(client, "/api/quotes", limit=40)
    jl = get(client, "/api/quotes", limit=40, format="jsonl")
    assert jl.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in jl.text.splitlines()] == page["items"]
    assert jl.headers["x-next-cursor"] == page["next_cursor"]
    rows = list(csv.DictReader(io.StringIO(get(client, "/api/quotes", limit=40, format="csv").text)))
    assert [r["article"] for r in rows] == [i["article"] for i in page["items"]]
    assert [json.loads(r["about"]) for r in rows] == [i["about"] for i in page["items"]]
    import pyarrow.parquet as pq

    pq_table = pq.read_table(io.BytesIO(get(client, "/api/articles", limit=30, format="parquet").content))
    arts = get(client, "/api/articles", limit=30)["items"]
    assert pq_table.column("id").to_pylist() == [a["id"] for a in arts]
    net = get(client, "/api/network", max_edges=30)
    xml = get(client, "/api/network", max_edges=30, format="graphml")
    root = ET.fromstring(xml.content)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == len(net["nodes"])
    edges = root.findall(".//g:edge", ns)
    assert [(e.get("source"), e.get("target")) for e in edges] == [(e["source"], e["target"]) for e in net["edges"]]
    ev = next(d for d in edges[0] if d.get("key") == "e_evidence")
    assert json.loads(ev.text) == [{k: v for k, v in x.items() if v is not None} for x in net["edges"][0]["evidence"]]


def test_csv_cells_cannot_become_formulas():
    from polarwatch.api.export import _cell

    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and _cell("@SUM(A1)").startswith("'") and _cell(-0.5) == -0.5


# -- writes need the token ------------------------------------------------------------------------------
def test_write_endpoints_need_the_token(db, tmp_path):
    rec = {"articles": [{"title": "Test patrol", "text": "The Norwegian Coast Guard began a patrol near Svalbard on Monday.",
                         "url": "https://nrk.no/test/1", "published": "2025-04-01"}], "analyse": False}  # fmt: skip
    ro = TestClient(create_app(copy(db, tmp_path / "ro.db"), token=""))
    assert ro.post("/api/articles", json=rec).status_code == 403
    some = ro.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
    assert ro.delete(f"/api/articles/{some}").status_code == 403
    path = copy(db, tmp_path / "rw.db")
    rw = TestClient(create_app(path, token="s3cret"))
    assert rw.post("/api/articles", json=rec).status_code == 401
    assert rw.post("/api/articles", json=rec, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert rw.post("/api/articles", json=rec, headers={"Authorization": "Basic s3cret"}).status_code == 401
    ok = rw.post("/api/articles", json=rec, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201 and ok.json()["new"] == 1
    new_id = ok.json()["ids"][0]
    assert rw.get(f"/api/articles/{new_id}").json()["title"] == "Test patrol"
    assert rw.delete(f"/api/articles/{new_id}").status_code == 401
    assert rw.delete(f"/api/articles/{new_id}", headers={"Authorization": "Bearer s3cret"}).status_code == 204
    assert rw.get(f"/api/articles/{new_id}").status_code == 404
    assert rw.delete(f"/api/articles/{new_id}", headers={"Authorization": "Bearer s3cret"}).status_code == 404


def test_readers_cannot_write(client):
    with pytest.raises(sqlite3.OperationalError):
        client.app.state.stores.read().db.execute("DELETE FROM articles")


# -- safety --------------------------------------------------------------------------------------------------
def test_markup_in_articles_comes_back_as_inert_json(client):
    hostile = get(client, "/api/articles", outlet="nrk", limit=500)["items"]
    aid = next(a["id"] for a in hostile if a["url"] == HOSTILE_ID_URL)
    r = client.get(f"/api/articles/{aid}")
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"
    raw = r.content.decode()
    for bad in ("<script", "<img", "<a ", "<b ", "</"):
        assert bad not in raw
    body = r.json()
    assert '<script>alert("x")</script>' in body["body"] and 'href="javascript:alert(2)"' in body["body"]
    assert body["title"].startswith("<b onmouseover=")  # kept as data, never as markup
    for url in ("/api/search?q=patrol", f"/api/quotes?outlet=nrk&limit=500", "/api/articles?outlet=nrk&format=jsonl&limit=500"):
        assert "<script" not in client.get(url).text or url.endswith("jsonl&limit=500")
    # JSONL is a download for programs, never HTML: it keeps the text as it is, served as ndjson and nosniff.
    jl = client.get("/api/articles?outlet=nrk&format=jsonl&limit=500")
    assert jl.headers["content-type"].startswith("application/x-ndjson") and jl.headers["x-content-type-options"] == "nosniff"


def test_every_response_has_the_security_headers(client):
    for url in ("/api/articles", "/api/articles/nope", "/api/compare", "/api/openapi.json", "/nowhere"):
        h = client.get(url).headers
        assert h["content-security-policy"] == CSP
        assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("params", [
    {"country": "RU' OR '1'='1"}, {"outlet": "x' OR 1=1 --"}, {"actor": "ru'); DROP TABLE articles; --"},
    {"kind": "state-controlled\" OR \"\"=\""}, {"theme": "1 UNION SELECT body FROM articles"}, {"since": "2025-01-01' --"},
])  # fmt: skip
def test_injection_looking_filters_are_harmless(client, db, params):
    before = count(db, "SELECT COUNT(*) FROM articles")
    for url in ("/api/articles", "/api/quotes", "/api/events", "/api/actors", "/api/themes", "/api/network", "/api/trends"):
        r = client.get(url, params=params)
        assert r.status_code in (200, 422), (url, r.status_code)
        if r.status_code == 200 and url in ("/api/articles", "/api/quotes", "/api/events"):
            assert r.json()["items"] == [] or "outlet" in params and "%" not in params["outlet"] and False
    r = client.get("/api/search", params={"q": "\" OR 1=1 -- NEAR(", **params})
    assert r.status_code in (200, 422)
    r = client.get("/api/compare", params={"side": ["country=RU' --", "outlet=a' OR 1=1"]})
    assert r.status_code == 200 and all(s["articles"] == 0 for s in r.json()["sides"])
    assert count(db, "SELECT COUNT(*) FROM articles") == before


def test_oversized_requests_are_refused(db, tmp_path):
    c = TestClient(create_app(copy(db, tmp_path / "big.db"), token="t", max_request_bytes=10_000), raise_server_exceptions=False)
    big = {"articles": [{"text": "x" * 20_000}]}
    r = c.post("/api/articles", json=big, headers={"Authorization": "Bearer t"})
    assert r.status_code == 413 and r.headers["content-security-policy"] == CSP

    def chunks():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(30):
            yield b"x" * 1000

    r = c.post("/api/articles", content=chunks(), headers={"Authorization": "Bearer t", "content-type": "application/json"})
    assert r.status_code == 413


def test_server_errors_say_nothing(db, tmp_path):
    app = create_app(copy(db, tmp_path / "err.db"))

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret path /home/analyst/keys and a stack")

    r = TestClient(app, raise_server_exceptions=False).get("/api/boom")
    assert r.status_code == 500 and r.json() == {"detail": "internal error"}
    assert "secret" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    assert r.headers["content-security-policy"] == CSP


def test_serve_refuses_a_store_it_cannot_open(tmp_path):
    from click.testing import CliRunner

    from polarwatch.cli import main

    db = tmp_path / "future.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')")
    con.commit()
    con.close()
    r = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", "0"])
    assert r.exit_code == 2 and "newer than this polarwatch knows" in r.output


def test_analyses_take_turns_and_a_cached_result_does_not_wait(client, monkeypatch):
    import threading
    import time

    from polarwatch.api import routes

    at_once, most, lock = [0], [0], threading.Lock()
    real = routes.analysis.network

    def slow(*args, **kw):  # noqa: ANN002, ANN003
        with lock:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        time.sleep(0.05)
        try:
            return real(*args, **kw)
        finally:
            with lock:
                at_once[0] -= 1

    monkeypatch.setattr(routes.analysis, "network", slow)
    monkeypatch.setattr(routes, "_ANALYSES", threading.BoundedSemaphore(1))
    answers: list[int] = []
    threads = [threading.Thread(target=lambda k=k: answers.append(client.get(f"/api/network?min_weight={k + 1}").status_code))
               for k in range(4)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 4 and most[0] == 1
    # A cached result is answered while the only turn is taken.
    assert routes._ANALYSES.acquire(timeout=1)
    cached: list[int] = []
    try:
        t = threading.Thread(target=lambda: cached.append(client.get("/api/network?min_weight=1").status_code), daemon=True)
        t.start()
        t.join(timeout=10)
        assert cached == [200]
    finally:
        routes._ANALYSES.release()


def test_analyses_take_turns_in_the_order_they_came():
    """routes._Turns: at most n at once, served in arrival order, and a freed turn goes straight to the longest
    waiter, so that a thread arriving as it is freed cannot take it first (a semaphore's release would let it)."""
    import threading
    import time

    from polarwatch.api.routes import _Turns

    def run(turns: _Turns, n: int, held: bool) -> tuple[list[int], int]:
        order, inside, most, lock = [], [0], [0], threading.Lock()

        def work(i: int) -> None:
            with turns:
                with lock:
                    order.append(i)
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.02)
                with lock:
                    inside[0] -= 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
        for i, t in enumerate(threads):
            t.start()
            for _ in range(400):  # queued before the next starts, so that arrival order is i's order
                if not held or len(turns._waiting) == i + 1:
                    break
                time.sleep(0.005)
        if held:
            turns.__exit__(None, None, None)  # the turn held by the caller goes to thread 0
            assert turns._free == 0  # handed over, not freed for anyone
        for t in threads:
            t.join(5)
        return order, most[0]

    one = _Turns(1)
    one.__enter__()
    assert run(one, 8, held=True) == (list(range(8)), 1) and one._free == 1
    two = _Turns(2)
    order, most = run(two, 8, held=False)
    assert sorted(order) == list(range(8)) and most == 2 and two._free == 2
