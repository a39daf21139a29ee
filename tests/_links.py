"""Following the links of a comparison's and a network's figures through the REST API (every page) and
checking that each gives exactly the rows the figure counts. Used on SQLite (test_api_links) and on
PostgreSQL (test_pg_surfaces)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def follow(client: Any, href: str, limit: int = 7) -> list[dict[str, Any]]:
    """Every item of the list *href* names (a path and its query), page after page (*limit* a page, small so
    that the cursors are walked too)."""
    assert href and href.startswith("/api/"), href
    parts = urlsplit(href)
    params = parse_qsl(parts.query, keep_blank_values=True)
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10_000):
        r = client.get(parts.path, params=[*params, ("limit", str(limit)), *((("cursor", cursor),) if cursor else ())])
        assert r.status_code == 200, (href, r.status_code, r.text[:300])
        body = r.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError(f"{href}: no last page")


def _articles_of(rows: list[dict[str, Any]]) -> int:
    return len({r["article"] for r in rows})


def check_comparison(client: Any, params: dict[str, Any]) -> dict[str, int]:
    """Every figure of ``/api/compare?params`` against the rows of its link; returns how many figures of
    each kind were checked (so that a caller can require a comparison that has them)."""
    r = client.get("/api/compare", params=params)
    assert r.status_code == 200, r.text[:300]
    cmp = r.json()
    seen = {"sides": 0, "outlets": 0, "quoted": 0, "speakers": 0, "countries": 0, "themes": 0, "tone": 0, "events": 0,
            "left_out": 0, "words": 0}  # fmt: skip
    bodies: dict[str, str] = {}
    for side in cmp["sides"]:
        quoted = side["quoted"]
        # The figures that count rows of one list: (name, figures, what each counts)
        for name, figures, counted in (("sides", [side], "articles"), ("outlets", side["outlets"], "articles"),
                                       ("quoted", [quoted], "quotes"), ("countries", quoted["by_country"], "quotes"),
                                       ("themes", side["themes"], "articles"), ("tone", side["tone"], "articles"),
                                       ("left_out", side["events_left_out"], "events")):  # fmt: skip
            for x in figures:
                assert len(follow(client, x["link"])) == x[counted], (name, x["link"])
                seen[name] += 1
        for sp in quoted["speakers"]:
            rows = follow(client, sp["link"])
            assert (len(rows), _articles_of(rows)) == (sp["quotes"], sp["articles"]), sp["link"]
            assert {x["speaker_id"] or x["speaker"] for x in rows} == {sp["speaker_id"] or sp["speaker"]}
            seen["speakers"] += 1
        for e in side["events"]:
            rows = follow(client, e["link"])
            assert (len(rows), _articles_of(rows)) == (e["events"], e["articles"]), e["link"]
            assert {x["type"] for x in rows} == {e["type"]}
            seen["events"] += 1
        for w in side["words"]:
            # (PostgreSQL's text search skips what its parser reads as markup: the hostile test article's "alert")
            hits = follow(client, w["link"], limit=50)
            for h in hits:
                if h["id"] not in bodies:
                    a = client.get(f"/api/articles/{h['id']}").json()
                    bodies[h["id"]] = f"{a['title'] or ''}\n{a['body']}".lower()
                # the search index splits words at hyphens and apostrophes: the parts in a row, any separator between
                assert re.search(r"\W+".join(map(re.escape, re.split(r"\W+", w["word"]))), bodies[h["id"]]), (w["word"], h["id"])
            seen["words"] += bool(hits)
        # With no inline evidence asked for, none is given.
        assert not any(x["evidence"] for x in [*quoted["speakers"], *side["themes"], *side["tone"], *side["events"],
                                               *side["events_left_out"], *side["words"]])  # fmt: skip
    return seen


def check_network(client: Any, params: dict[str, Any]) -> dict[str, int]:
    """Every edge of ``/api/network?params`` against the rows of its link (its weight: events, articles
    quoting both, quotes); every node's link answers."""
    r = client.get("/api/network", params=params)
    assert r.status_code == 200, r.text[:300]
    net = r.json()
    seen = {"event": 0, "co-quoted": 0, "quoted-about": 0}
    for e in net["edges"]:
        rows = follow(client, e["link"])
        assert len(rows) == e["weight"], e["link"]
        if e["kind"] == "event":
            assert _articles_of(rows) == e["articles"] and {x["type"] for x in rows} == {e["type"]}
            assert all(x["symmetric"] != e["directed"] for x in rows)
        elif e["kind"] == "quoted-about":
            assert _articles_of(rows) == e["articles"]
            assert all(x["speaker_id"] == e["source"] and e["target"] in x["about"] for x in rows)
        assert not e["evidence"]
        seen[e["kind"]] += 1
    for n in net["nodes"]:  # a node's weight sums its edges: its link (the actor's articles) counts nothing to compare
        follow(client, n["link"], limit=500)
    return seen
