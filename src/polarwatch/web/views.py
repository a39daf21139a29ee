"""What each page shows: one function per page, from the store and the request's filters to the
template's context (None: nothing by that id). No HTML here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Mapping

from ..store.sqlite import SQLiteStore
from ..themes import taxonomy
from . import charts, queries
from .highlight import Mark, cut, paragraphs
from .links import link, listing_href
from .queries import EVENT_GROUPS, Filters

EVENT_SERIES = [*EVENT_GROUPS, "other"]


def theme_names() -> dict[str, str]:
    return {t.id: t.name for t in taxonomy().by_id.values()}


def _event_chart(s: SQLiteStore, f: Filters, period: str, first: str, last: str) -> charts.Chart:
    rows = queries.event_series(s, f, period)
    values = {(r["period"], r["group"]): r["events"] for r in rows}
    labels = charts.period_labels(period, first, last)

    def href(label: str, group: str) -> str:
        since, until = queries.period_bounds(period, label)
        return link("/events", f.params(since=since, until=until, group=group, q=None))

    return charts.stacked_bars(labels, values, EVENT_SERIES, href,
                               lambda lab, g, v: f"{charts.when(lab)}: {v} {g} events")  # fmt: skip


def _theme_chart(s: SQLiteStore, f: Filters, period: str, first: str, last: str, top: int = 6) -> charts.Chart:
    rows = queries.theme_series(s, f, period)
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r["theme"]] += r["articles"]
    series = sorted(totals, key=lambda t: (-totals[t], t))[:top]
    values = {(r["period"], r["theme"]): r["articles"] for r in rows}
    labels = charts.period_labels(period, first, last)

    def href(label: str, theme: str) -> str:
        since, until = queries.period_bounds(period, label)
        return link("/search", f.params(since=since, until=until, theme=theme, q=None))

    return charts.lines(labels, values, series, href, lambda lab, t, v: f"{charts.when(lab)}: {v} articles on {t}",
                        names=theme_names())  # fmt: skip


def overview(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    w = queries.recent_window(s, f)
    first, last = queries.date_span(s, w)
    period = qp.get("period") if qp.get("period") in queries.PERIOD_FORMATS else queries.pick_period(first, last)
    ctx: dict[str, Any] = {
        "f": w, "windowed": w is not f, "all_span": queries.date_span(s, f), "period": period, "first": first,
        "last": last, "stories": s.list_stories(w.article_filter(), limit=12), "actors": queries.active_actors(s, w, 15),
        "total": s.count(), "theme_names": theme_names(), "event_chart": None, "theme_chart": None,
        "recent": queries.latest(s, f, 10), "threads": s.list_threads(8),  # type: ignore[attr-defined]
    }  # fmt: skip
    if first and last:
        ctx["event_chart"] = _event_chart(s, w, period, first, last)
        ctx["theme_chart"] = _theme_chart(s, w, period, first, last)
    return ctx


def _marks(body: str, ex: dict[str, Any]) -> list[Mark]:
    marks: list[Mark] = []
    for i, q in enumerate(ex["quotes"]):
        if q.in_title:
            continue
        marks.append(Mark(q.start, q.end, "quote", f"q{i}"))
        if q.speaker_start is not None and q.speaker_end is not None:
            marks.append(Mark(q.speaker_start, q.speaker_end, "speaker", f"q{i}"))
    for i, m in enumerate(ex["mentions"]):
        marks.append(Mark(m.start, m.end, "mention", f"m{i}"))
    for i, e in enumerate(ex["events"]):
        marks.append(Mark(e.trigger_start, e.trigger_end, "event", f"e{i}"))
        marks.append(Mark(e.sentence_start, e.sentence_end))
    for t in ex["themes"]:
        for ev in t["evidence"]:
            marks.append(Mark(ev["start"], ev["end"], "theme", f"t-{t['theme']}"))
    tone = ex["tone"] or {}
    for sent in tone.get("sentences", []):
        marks.append(Mark(sent["start"], sent["end"]))
    return marks


def article(s: SQLiteStore, f: Filters, qp: Mapping[str, str], article_id: str) -> dict[str, Any] | None:
    stored = s.get_article(article_id)
    if stored is None:
        return None
    a = stored.article
    ex = {
        "mentions": s.get_mentions(a.id), "quotes": s.get_quotes(a.id), "events": s.get_events(a.id),
        "themes": s.get_themes(a.id), "tone": s.get_tone(a.id),
    }  # fmt: skip
    body = a.body
    actors: dict[str, dict[str, Any]] = {}
    for i, m in enumerate(ex["mentions"]):
        key = m.actor_id or f"text:{m.text}"
        row = actors.setdefault(key, {"id": m.actor_id, "name": m.actor_name or m.text, "kind": m.kind,
                                      "country": m.country, "spans": []})  # fmt: skip
        row["spans"].append((m.start, m.end, f"m{i}"))
    tone = ex["tone"]
    about = {aid for q in ex["quotes"] for aid in q.about}
    names = queries.actor_names(s, sorted(about | set((tone or {}).get("actors", {}))))
    title_marks = [m for i, q in enumerate(ex["quotes"]) if q.in_title for m in (
        Mark(q.start, q.end, "quote", f"q{i}"),
        Mark(q.speaker_start if q.speaker_start is not None else 0, q.speaker_end or 0, "speaker", f"q{i}"),
    )]  # fmt: skip
    return {
        "a": a, "stored": stored, "paras": paragraphs(body, _marks(body, ex)), "ex": ex, "body": body,
        "title_pieces": cut(a.title or "", title_marks),
        "actors": sorted(actors.values(), key=lambda r: (-len(r["spans"]), r["name"])),
        "title_quotes": [q for q in ex["quotes"] if q.in_title], "theme_names": theme_names(),
        "actor_tone": sorted(((names.get(k, k), k, v) for k, v in (tone or {}).get("actors", {}).items()), key=lambda x: x[2]["tone"]),
        "story": s.story_of(a.id), "near": s.get_near_duplicates(a.id), "names": names,
    }  # fmt: skip


def actor(s: SQLiteStore, f: Filters, qp: Mapping[str, str], actor_id: str) -> dict[str, Any] | None:
    who = queries.actor(s, actor_id)
    if who is None:
        return None
    ctx: dict[str, Any] = {
        "who": who, "f": f,
        "said": queries.quotes(s, f, speaker=actor_id, limit=40),
        "targets": queries.quote_targets(s, actor_id),
        "about": [q for q in queries.quotes(s, f, about=actor_id, limit=20) if q.speaker_id != actor_id],
        "as_source": queries.event_partners(s, actor_id, "source"),
        "as_target": queries.event_partners(s, actor_id, "target"),
        "trend": None,
    }  # fmt: skip
    first, last = who.span()
    if first and last:
        period = queries.pick_period(first, last)
        trend = who.trend(period)

        def href(label: str, _series: str) -> str:
            since, until = queries.period_bounds(period, label)
            return link("/search", {"actor": actor_id, "since": since, "until": until})

        def title(label: str, _series: str, v: int) -> str:
            t = trend[label][1]
            return f"{charts.when(label)}: {v} articles" + ("" if t is None else f", mean tone toward them {t:+.2f}")

        values = {(label, "articles"): n for label, (n, _t) in trend.items()}
        ctx["trend"] = charts.stacked_bars(charts.period_labels(period, first, last), values, ["articles"], href, title)
    return ctx


def _analysis() -> Any:
    """polarwatch.analysis, imported on first use (it loads the actor registry)."""
    from .. import analysis

    return analysis


def _compare(s: SQLiteStore, sides: list[Any], **scope: Any) -> dict[str, Any] | None:
    return _analysis().compare(s, sides=sides, **scope) if len(sides) >= 2 else None


def _outlet_sides(outlets: list[dict[str, Any]], most: int = 4) -> list[Any]:
    """One comparison side per outlet, the *most* with the most articles."""
    total: dict[str, int] = defaultdict(int)
    for o in outlets:
        if o.get("name"):
            total[o["name"]] += o.get("articles", 1)
    names = sorted(total, key=lambda n: (-total[n], n))[:most]
    return [_analysis().Side(n, outlets=(n,)) for n in names]


def story(s: SQLiteStore, f: Filters, qp: Mapping[str, str], story_id: int) -> dict[str, Any] | None:
    st = s.get_story(story_id)
    if st is None:
        return None
    sides = _outlet_sides(st["outlets"])
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for art in st["articles"]:
        by_outlet[art["outlet"] or "(unknown outlet)"].append(art)
    thread = s.thread_of_story(story_id)  # type: ignore[attr-defined]
    return {"st": st, "cmp": _compare(s, sides, story=story_id), "by_outlet": dict(by_outlet), "thread": thread}


def thread(s: SQLiteStore, f: Filters, qp: Mapping[str, str], thread_id: int) -> dict[str, Any] | None:
    th = s.get_thread(thread_id)  # type: ignore[attr-defined]
    if th is None:
        return None
    sides = _outlet_sides([o for st in th["stories"] for o in st["outlets"]])
    names = {st["id"]: st["title"] for st in th["stories"]}
    return {"th": th, "cmp": _compare(s, sides, thread=thread_id), "theme_names": theme_names(), "story_titles": names,
            "n_outlets": len({o["name"] for st in th["stories"] for o in st["outlets"]})}  # fmt: skip


def compare(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    analysis = _analysis()
    specs = [(qp.get("a") or "").strip()[:300], (qp.get("b") or "").strip()[:300]]
    ctx: dict[str, Any] = {"f": f, "specs": specs, "cmp": None, "error": None, "theme_names": theme_names(),
                           "blocs": analysis.outlet_blocs(s, min_articles=1)}  # fmt: skip
    if all(specs):
        try:
            sides = [analysis.parse_side(spec, name) for spec, name in zip(specs, ("A", "B"))]
            ctx["cmp"] = _compare(s, sides, since=f.since, until=f.until, story=f.story, thread=f.thread)
        except ValueError as exc:
            ctx["error"] = str(exc)
    return ctx


def network_page(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    w = queries.recent_window(s, f)
    return {"f": w, "windowed": w is not f, "data_url": link("/network/data.json", w.params(q=None))}


def network_data(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    """analysis.network over the filters, as the network page's script reads it: nodes ``{id, name, kind,
    weight}`` and edges ``{source, target, kind, weight, href}`` (href: the listing of the events, quotes or
    articles the edge's weight counts, each linking to its sentence)."""
    analysis = _analysis()
    f = queries.recent_window(s, f)
    flt = analysis.Filters(since=f.since, until=f.until, outlet=f.outlet, country=f.country, kind=f.kind,
                           actor=f.actor, theme=f.theme, story=f.story, thread=f.thread)  # fmt: skip
    net = analysis.network(s, filters=flt, max_edges=150)
    css = {"event": "event", "co-quoted": "quote", "quoted-about": "about"}
    edges = [{"source": e["source"], "target": e["target"], "kind": css.get(e["kind"], "link"), "weight": e["weight"],
              "label": e["kind"] + (f" {e['type']}" if e.get("type") else ""),
              "href": listing_href(e["link"])} for e in net["edges"]]  # fmt: skip
    nodes = [{"id": n["id"], "name": n["name"].removeprefix("country:"), "kind": n.get("type") or "", "weight": n["weight"]}
             for n in net["nodes"]]  # fmt: skip
    return {"nodes": nodes, "edges": edges}


def search(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    page = int(qp["page"]) if (qp.get("page") or "").isdigit() else 1
    page = max(1, min(page, 200))
    res = queries.search(s, f, limit=30, offset=(page - 1) * 30)
    actor_name = queries.actor_names(s, [f.actor]).get(f.actor, f.actor) if f.actor else None
    return {"f": f, "res": res, "page": page, "theme_names": theme_names(), "actor_name": actor_name}


def _exact(qp: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The exact filters of a comparison's or a network's link (the REST API's names) given in the query."""
    return {k: v.strip()[:200] for k in names if (v := qp.get(k)) is not None and v.strip()}


LISTING_MAX = 200  # rows a listing page shows; the lede gives the total


def events(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    def arg(name: str) -> str | None:
        return (qp.get(name) or "").strip()[:200] or None

    # involving: an actor at either end (the page's own filter; side= is a comparison side, as in the REST API)
    sel = {k: arg(k) for k in ("source", "target", "involving", "type", "group")}
    exact: dict[str, Any] = _exact(qp, ("source_label", "target_label", "source_id", "target_id", "symmetric"))
    if "symmetric" in exact:
        exact["symmetric"] = exact["symmetric"].lower() in ("true", "1", "yes")
    kw = {"source": sel["source"], "target": sel["target"], "side": sel["involving"], "etype": sel["type"], "group": sel["group"], "exact": exact}
    rows = queries.events(s, f, limit=LISTING_MAX, **kw)
    total = queries.count_events(s, f, **kw) if len(rows) >= LISTING_MAX else len(rows)
    ids = [v for k, v in sel.items() if k in ("source", "target", "involving") and v] + [exact[k] for k in ("source_id", "target_id") if k in exact]
    return {"f": f, "sel": sel, "exact": exact, "rows": rows, "total": total, "names": queries.actor_names(s, ids)}


def quotes(s: SQLiteStore, f: Filters, qp: Mapping[str, str]) -> dict[str, Any]:
    speaker = (qp.get("speaker") or "").strip()[:200] or None
    about = (qp.get("about") or "").strip()[:200] or None
    exact = _exact(qp, ("speaker_key", "speaker_country", "about_id"))
    rows = queries.quotes(s, f, speaker=speaker, about=about, limit=LISTING_MAX, exact=exact)
    total = queries.count_quotes(s, f, speaker=speaker, about=about, exact=exact) if len(rows) >= LISTING_MAX else len(rows)
    ids = [x for x in (speaker, about, exact.get("speaker_key"), exact.get("about_id")) if x]
    return {"f": f, "speaker": speaker, "about": about, "exact": exact, "rows": rows, "total": total, "names": queries.actor_names(s, ids)}
