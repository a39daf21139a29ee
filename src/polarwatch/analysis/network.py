"""The actor network over a period: actors as nodes; events, co-quotation and quotes about another actor
as weighted, typed edges, each carrying a ``link`` (the REST list endpoint and filters whose rows make its
weight) and, when asked for, evidence (article id and character span)."""

from __future__ import annotations

from typing import Any

from ..nlp.actors import registry as actor_registry
from .compare import EVIDENCE_MAX, actor_name, link
from . import aggregates
from .queries import Filters, db_of, evidence_rows, where

EDGE_KINDS = ("event", "co-quoted", "quoted-about")


def network(
    store: Any, since: str | None = None, until: str | None = None, *, filters: Filters | None = None,
    kinds: tuple[str, ...] = EDGE_KINDS, event_types: tuple[str, ...] = (), min_weight: int = 1, max_edges: int = 200,
    evidence: int = 0,
) -> dict[str, Any]:
    """Nodes ``{id, name, country, type, weight}`` (weight: the sum of its edges' weights) and edges
    ``{source, target, kind, type, directed, weight, articles, evidence}`` over articles within *since*,
    *until* and *filters* (outlet, country, kind, actor, theme, story, thread).

    Edge kinds: ``event`` (source acts on target, ``type`` the event type, undirected when the event is
    symmetric; weight = events), ``co-quoted`` (both quoted in one article, undirected; weight =
    articles), ``quoted-about`` (the speaker's quote mentions the target; weight = quotes). The
    *max_edges* heaviest edges of weight at least *min_weight* are kept, heaviest first.

    Each edge's ``link`` lists exactly the rows its weight counts (``/api/events`` by source and target id,
    type and symmetry; ``/api/articles`` quoting both speakers; ``/api/quotes`` by speaker and the actor
    named), within the same filters; a node's ``link``, the articles mentioning it within them. With
    *evidence* N > 0 (at most 10) an edge also carries its first N rows inline, else ``evidence`` is empty
    and no row behind an edge is read."""
    bad = [k for k in kinds if k not in EDGE_KINDS]
    if bad:
        raise ValueError(f"unknown edge kind {bad[0]!r} (one of {', '.join(EDGE_KINDS)})")
    db = db_of(store)
    f = (filters or Filters()).with_(since=since or (filters.since if filters else None), until=until or (filters.until if filters else None))
    cond, args = where(store, f)
    # Over every outlet, the all-outlet cells of the period's days and weeks (migration 023).
    agg = None if f.link_only() else (aggregates.scope(store, f, weeks=True, totals=True) or [None])[0]
    n_ev = max(0, min(int(evidence), EVIDENCE_MAX))
    base = list(f.as_dict().items())
    edges: list[dict[str, Any]] = []
    if "event" in kinds:
        tcond, targs = "1", []
        if event_types:
            tcond = f"e.type IN ({', '.join('?' * len(event_types))})"
            targs = [t.upper() for t in event_types]
        keyed = aggregates.keyed_groups(store, "agg_event_edges", ("events", "articles"), tcond.replace("e.", "x.") + " AND " + agg[0],
                                       [*targs, *agg[1]], min_weight) if agg else None  # fmt: skip
        if keyed is not None:  # summed on the edges' integer keys (migration 021), the heaviest named as _TOP_EVENTS orders
            rows = _heaviest(store, keyed, max_edges, "agg_edge_keys", lambda r: (-r[4], r[2] or "", r[0], r[1], r[3]))
        elif agg:
            rows = db.execute(
                "SELECT x.low, x.high, x.type, x.is_symmetric, SUM(x.events), SUM(x.articles) "  # noqa: S608
                f"{aggregates.source('agg_event_edges', tcond.replace('e.', 'x.') + ' AND ' + agg[0])} "
                f"GROUP BY 1, 2, 3, 4 HAVING SUM(x.events) >= ? {_TOP_EVENTS.format('x')}", [*targs, *agg[1], min_weight, max_edges],
            )  # fmt: skip
        else:
            rows = db.execute(
                f"SELECT {_LOW}, {_HIGH}, e.type, e.symmetric, "  # noqa: S608
                "COUNT(*), COUNT(DISTINCT e.article_rowid) FROM events e JOIN articles a ON a.rowid = e.article_rowid "
                f"WHERE e.source_id IS NOT NULL AND e.target_id IS NOT NULL AND e.source_id != e.target_id AND {tcond} AND {cond} "
                f"GROUP BY 1, 2, 3, 4 HAVING COUNT(*) >= ? {_TOP_EVENTS.format('e')}", [*targs, *args, min_weight, max_edges],
            )  # fmt: skip
        for s, t, typ, sym, n, arts in rows:
            edges.append({"source": s, "target": t, "kind": "event", "type": typ, "directed": not sym, "weight": n, "articles": arts})
    if "co-quoted" in kinds:
        keyed = aggregates.keyed_groups(store, "agg_coquoted", ("articles",), agg[0], agg[1], min_weight) if agg else None
        if keyed is not None:  # on the pairs' integer keys (migration 022), the heaviest named as _TOP orders
            rows = _heaviest(store, keyed, max_edges, "agg_pair_keys", lambda r: (-r[2], r[0], r[1]))
        elif agg:
            rows = db.execute(f"SELECT x.low, x.high, SUM(x.articles) {aggregates.source('agg_coquoted', agg[0])} "  # noqa: S608
                              f"GROUP BY 1, 2 HAVING SUM(x.articles) >= ? {_TOP}", [*agg[1], min_weight, max_edges])  # fmt: skip
        else:
            speakers = (
                "SELECT DISTINCT q.article_rowid AS r, q.speaker_id AS s FROM quotes q JOIN articles a ON a.rowid = q.article_rowid "
                f"WHERE q.speaker_id IS NOT NULL AND {cond}"
            )
            rows = db.execute(
                f"WITH sp AS ({speakers}) SELECT x.s, y.s, COUNT(*) FROM sp x JOIN sp y ON x.r = y.r AND x.s < y.s "  # noqa: S608
                f"GROUP BY 1, 2 HAVING COUNT(*) >= ? {_TOP}", [*args, min_weight, max_edges],
            )  # fmt: skip
        for s, t, n in rows:
            edges.append({"source": s, "target": t, "kind": "co-quoted", "type": None, "directed": False, "weight": n, "articles": n})
    if "quoted-about" in kinds:
        keyed = aggregates.keyed_groups(store, "agg_quoted_about", ("quotes", "articles"), agg[0], agg[1], min_weight) if agg else None
        if keyed is not None:
            rows = _heaviest(store, keyed, max_edges, "agg_about_keys", lambda r: (-r[2], r[0], r[1]))
        elif agg:
            rows = db.execute(f"SELECT x.speaker_id, x.target, SUM(x.quotes), SUM(x.articles) {aggregates.source('agg_quoted_about', agg[0])} "  # noqa: S608
                              f"GROUP BY 1, 2 HAVING SUM(x.quotes) >= ? {_TOP}", [*agg[1], min_weight, max_edges])  # fmt: skip
        else:
            rows = db.execute(
                "SELECT q.speaker_id, j.value, COUNT(*), COUNT(DISTINCT q.article_rowid) FROM quotes q JOIN articles a "  # noqa: S608
                f"ON a.rowid = q.article_rowid, json_each(q.about) j WHERE q.speaker_id IS NOT NULL AND q.about != '[]' AND {cond} "
                f"AND j.value != q.speaker_id GROUP BY 1, 2 HAVING COUNT(*) >= ? {_TOP}", [*args, min_weight, max_edges],
            )  # fmt: skip
        for s, t, n, arts in rows:
            edges.append({"source": s, "target": t, "kind": "quoted-about", "type": None, "directed": True, "weight": n, "articles": arts})
    edges.sort(key=lambda e: (-e["weight"], e["kind"], e["type"] or "", e["source"], e["target"]))
    edges = edges[:max_edges]
    for e in edges:
        if e["kind"] == "event":
            e["link"] = link("/api/events", base, source_id=e["source"], target_id=e["target"], type=e["type"],
                             symmetric="false" if e["directed"] else "true")  # fmt: skip
        elif e["kind"] == "co-quoted":
            e["link"] = link("/api/articles", [*base, ("quoting", e["source"]), ("quoting", e["target"])])
        else:
            e["link"] = link("/api/quotes", base, speaker_key=e["source"], about_id=e["target"])
        e["evidence"] = []
    if n_ev and edges:
        # The articles in scope, newest stored first: the evidence walks them a slice at a time.
        rowids = [int(r[0]) for r in db.execute(f"SELECT a.rowid FROM articles a WHERE {cond} ORDER BY a.rowid DESC", args)]  # noqa: S608
        _event_edge_evidence(db, [e for e in edges if e["kind"] == "event"], rowids, n_ev)
        _quote_edge_evidence(db, edges, rowids, n_ev)
    reg = actor_registry().actors
    nodes: dict[str, dict[str, Any]] = {}
    for e in edges:
        for end in (e["source"], e["target"]):
            if end not in nodes:
                a = reg.get(end)
                nodes[end] = {"id": end, "name": a.name if a else actor_name(db, end), "country": a.country if a else None,
                              "type": a.type if a else ("person" if end.startswith("article:") else None), "weight": 0}  # fmt: skip
                # The articles mentioning it within the filters; a speaker no mention names: its quotes.
                known = a is not None or nodes[end]["name"] != end
                nodes[end]["link"] = (link("/api/articles", [(k, v) for k, v in base if k != "actor"], actor=end) if known
                                      else link("/api/quotes", base, speaker_key=end))  # fmt: skip
            nodes[end]["weight"] += e["weight"]
    return {
        "scope": f.as_dict(),
        "nodes": sorted(nodes.values(), key=lambda n: (-n["weight"], n["id"])),
        "edges": edges,
    }


_LOW, _HIGH = aggregates.LOW, aggregates.HIGH
# Each kind's heaviest edges in the order the edges are sorted in (weight, type, ends; for equal event
# edges, as grouped: directed first), so that only those can reach the max_edges kept.
_TOP_EVENTS = "ORDER BY 5 DESC, COALESCE({}.type, ''), 1, 2, 4 LIMIT ?"
_TOP = "ORDER BY 3 DESC, 1, 2 LIMIT ?"


def _heaviest(store: Any, keyed: dict[int, tuple[int, ...]], n: int, names_table: str, order: Any) -> list[tuple[Any, ...]]:
    """The *n* heaviest of the keyed edges as (their names…, their sums…) sorted by *order* (the SQL order of
    _TOP_EVENTS or _TOP); only the edges that can be among them (at least the n-th largest weight) are named."""
    keys = aggregates.contenders(keyed, n)
    names = aggregates.key_names(store, keys, names_table)
    rows = [(*names[k], *keyed[k]) for k in keys]
    rows.sort(key=order)
    return rows[:n]


# The evidence walks read the rows of the scope's articles by rowid (which carry every condition of the
# scope, so the slices need no other), stopping once each edge has its share or all its rows (its weight).
def _event_edge_evidence(db: Any, edges: list[dict[str, Any]], rowids: list[int], n_ev: int) -> None:
    """Evidence of every event edge, keyed like the edges are grouped, walking the articles *rowids*."""
    key = f"{_LOW} || '|' || {_HIGH} || '|' || e.type || '|' || e.symmetric"
    keys = [f"{e['source']}|{e['target']}|{e['type']}|{0 if e['directed'] else 1}" for e in edges]
    ev = evidence_rows(db, key, "e.article_rowid AS article, e.evidence_start AS start, e.evidence_end AS end",
                       "FROM events e WHERE 1", "e.article_rowid DESC, e.seq DESC", [], keys, "walk", n=n_ev,
                       by=("e.article_rowid", rowids), rows_of=dict(zip(keys, (e["weight"] for e in edges))), by_rowid=True)  # fmt: skip
    for e, k in zip(edges, keys):
        e["evidence"] = ev[k]


def _quote_edge_evidence(db: Any, edges: list[dict[str, Any]], rowids: list[int], n_ev: int) -> None:
    """Evidence of the co-quoted and quoted-about edges, per kind, walking the articles *rowids*."""
    for kind, key, cols, base, order in (
        ("co-quoted", "x.speaker_id || '|' || y.speaker_id",
         "x.article_rowid AS article, x.start AS start, x.end AS end, y.start AS other_start, y.end AS other_end",
         "FROM quotes x JOIN quotes y ON y.article_rowid = x.article_rowid AND x.speaker_id < y.speaker_id WHERE 1",
         "x.article_rowid DESC, x.seq, y.seq"),
        ("quoted-about", "q.speaker_id || '|' || j.value", "q.article_rowid AS article, q.start AS start, q.end AS end",
         "FROM quotes q, json_each(q.about) j WHERE q.about != '[]'",
         "q.article_rowid DESC, q.seq"),
    ):  # fmt: skip
        mine = [e for e in edges if e["kind"] == kind]
        # co-quoted: one pair of quotes per article, as the edge counts articles
        keys = [f"{e['source']}|{e['target']}" for e in mine]  # co-quoted weighs articles, quoted-about quotes: the rows shown
        ev = evidence_rows(db, key, cols, base, order, [], keys, "walk", n=n_ev, per_article=kind == "co-quoted",
                           by=(f"{key[:1]}.article_rowid", rowids), rows_of=dict(zip(keys, (e["weight"] for e in mine))), by_rowid=True)  # fmt: skip
        for e in mine:
            e["evidence"] = ev[f"{e['source']}|{e['target']}"]
