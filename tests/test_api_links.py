"""Every number of a comparison and of the network links to its rows: following a figure's link through the
API, page after page, gives exactly the rows it counts (tests/_links.py), on the repo's articles."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from _api_corpus import corpus
from _links import check_comparison, check_network
from polarwatch.api import create_app

BLOCS = ["RU/state-controlled", "nordic/public-broadcaster"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(corpus(tmp_path_factory), token=""), raise_server_exceptions=False)


def test_every_figure_of_a_period_s_comparison_links_to_its_rows(client):
    seen = check_comparison(client, {"side": BLOCS, "since": "2025-01-01", "until": "2025-12-31"})
    assert all(seen.values()), seen  # every kind of figure was there to check


def test_every_figure_of_a_whole_store_comparison_links_to_its_rows(client):
    seen = check_comparison(client, {"side": ["RU", "outlet=NRK,High North News;country=NO"], "top": 50, "words": 10})
    assert seen["speakers"] and seen["events"] and seen["left_out"], seen


def test_every_figure_of_a_comparison_scoped_by_actor_or_story_links_to_its_rows(client):
    seen = check_comparison(client, {"side": ["RU", "CN"], "actor": "Russia"})  # counted from the rows, not the cells
    assert seen["speakers"] and seen["themes"], seen
    stories = client.get("/api/stories", params={"limit": 100}).json()["items"]
    story = max(stories, key=lambda s: (s["articles"], -s["id"]))["id"]
    outlets = client.get(f"/api/stories/{story}").json()["outlets"]
    countries = sorted({o["country"] for o in outlets if o.get("country")})
    assert len(countries) >= 2
    seen = check_comparison(client, {"side": countries[:2], "story": story})
    assert seen["sides"] == 2 and seen["outlets"], seen
    threads = client.get("/api/threads").json()["items"]
    if threads:  # the repo's articles make threads: a thread's comparison too
        seen = check_comparison(client, {"side": ["RU", "nordic"], "thread": max(threads, key=lambda t: (t["articles"], -t["id"]))["id"]})
        assert seen["sides"] == 2, seen


def test_every_edge_of_the_network_links_to_its_rows(client):
    seen = check_network(client, {})
    assert all(seen.values()), seen
    check_network(client, {"since": "2025-03-01", "until": "2025-09-30", "country": "RU,NO"})


def test_inline_evidence_is_opt_in(client):
    cmp = client.get("/api/compare", params={"side": BLOCS, "evidence": 2}).json()
    shown = [x for s in cmp["sides"] for x in [*s["quoted"]["speakers"], *s["themes"], *s["tone"], *s["events"]]]
    assert any(x["evidence"] for x in shown) and all(len(x["evidence"]) <= 2 for x in shown)
    net = client.get("/api/network", params={"evidence": 1}).json()
    assert all(len(e["evidence"]) == 1 for e in net["edges"])
    assert client.get("/api/compare", params={"side": BLOCS, "evidence": 11}).status_code == 422


def test_a_side_filter_is_checked(client):
    assert client.get("/api/quotes", params={"side": "planet=Mars"}).status_code == 400
    rows = client.get("/api/articles", params={"side": ["RU", "CN"], "limit": 500}).json()["items"]
    assert rows and {r["country"] for r in rows} == {"RU", "CN"}
