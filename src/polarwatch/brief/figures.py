"""The brief's figures: events over time, themes over time and the actor network, each drawn by
matplotlib's SVG backend (no pyplot, no display, no network) from rows the :class:`Figure` keeps.

The network is laid out by a deterministic force layout (Fruchterman and Reingold's forces from fixed
starting points on a circle), so the same data always gives the same picture.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np

from ..analysis.compare import actor_name
from ..nlp.actors import registry as actor_registry
from .model import ArticleRef, Figure, Period
from .sections import Ctx

# Stacked types in the timeline (the rest are drawn together as "other"; the table keeps every type).
TIMELINE_TYPES = 6
TREND_THEMES = 6
NETWORK_EDGES = 30
GRAVITY = 4.0  # the pull toward the centre, against the repulsion of every other node (about 1 / distance)
REFS = 3  # articles listed under each row of a figure's table
PALETTE = ("#1f5f8b", "#c0392b", "#27865f", "#d68910", "#7d3c98", "#5d6d7e", "#a04000", "#148f77")
EDGE_COLOURS = {"event": "#c0392b", "co-quoted": "#1f5f8b", "quoted-about": "#27865f"}
# The settings every figure is drawn with (typed Any: matplotlib types rc_context keys as a Literal of names).
_RC: Any = {
    "svg.hashsalt": "polarwatch-brief", "svg.fonttype": "none", "text.parse_math": False, "font.family": "DejaVu Sans",
    "font.size": 8, "axes.spines.top": False, "axes.spines.right": False,
}  # fmt: skip


# -- periods -------------------------------------------------------------------------------------------
def bucket_of(published: str, bucket: str) -> str:
    """The first day of the *bucket* (day, week from Monday, month) holding the ISO date *published*."""
    d = date.fromisoformat(published[:10])
    if bucket == "week":
        d -= timedelta(days=d.weekday())
    elif bucket == "month":
        d = d.replace(day=1)
    return str(d)


def buckets(period: Period) -> list[str]:
    """Every bucket from the one holding the period's first day to the one holding its last."""
    out, d, end = [], date.fromisoformat(bucket_of(period.since, period.bucket)), date.fromisoformat(period.until)
    while d <= end:
        out.append(str(d))
        if period.bucket == "day":
            d += timedelta(days=1)
        elif period.bucket == "week":
            d += timedelta(days=7)
        else:
            d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def _refs(ctx: Ctx, found: list[tuple[int, int | None, int | None]]) -> tuple[list[ArticleRef], int]:
    """The first REFS distinct articles of *found* (rowid, span) as refs, and how many more there are."""
    firsts: dict[int, tuple[int | None, int | None]] = {}
    for rowid, s, e in found:
        firsts.setdefault(rowid, (s, e))
    keep = list(firsts)[:REFS]
    ctx.preload(keep)
    return [ctx.ref(r, *firsts[r]) for r in keep], max(0, len(firsts) - REFS)


# -- data ----------------------------------------------------------------------------------------------
def timeline_rows(ctx: Ctx, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events in scope per bucket and type (every coded event, resolved actors or not)."""
    cells: dict[tuple[str, str], list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for e in events:
        if e["published"]:
            cells[(bucket_of(e["published"], ctx.period.bucket), e["type"])].append((e["rowid"], e["start"], e["end"]))
    rows = []
    for (b, typ), found in sorted(cells.items()):
        refs, more = _refs(ctx, found)
        rows.append({"period": b, "type": typ, "events": len(found), "refs": refs, "more": more})
    return rows


def theme_rows(ctx: Ctx, top: int = TREND_THEMES) -> list[dict[str, Any]]:
    """Articles in scope per bucket for the *top* themes of the period (most articles first)."""
    from ..themes import taxonomy

    tax = taxonomy()
    found = ctx.db.execute(
        "SELECT t.theme, a.published, a.rowid FROM article_themes t JOIN articles a ON a.rowid = t.article_rowid "  # noqa: S608
        f"WHERE a.rowid IN ({ctx.members}) ORDER BY a.published, a.rowid"
    ).fetchall()
    totals = Counter(r[0] for r in found)
    keep = sorted(totals, key=lambda t: (-totals[t], t))[:top]
    cells: dict[tuple[str, str], list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for th, pub, rowid in found:
        if th in keep and pub:
            cells[(bucket_of(pub, ctx.period.bucket), th)].append((rowid, None, None))
    rows = []
    for (b, th), arts in sorted(cells.items(), key=lambda kv: (kv[0][0], keep.index(kv[0][1]))):
        refs, more = _refs(ctx, arts)
        t = tax.by_id.get(th)
        rows.append({"period": b, "theme": th, "name": t.name if t else th, "articles": len(arts), "refs": refs, "more": more})
    return rows


def network_rows(ctx: Ctx, events: list[dict[str, Any]], most: int = NETWORK_EDGES) -> list[dict[str, Any]]:
    """The *most* heaviest edges among actors in scope, weighed as ``analysis.network`` weighs them: events
    (per pair, type and symmetry; weight = events), co-quoted (weight = articles quoting both) and
    quoted-about (the speaker's quote mentions the other; weight = quotes)."""
    edges: dict[tuple[str, str, str, str | None, bool], list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for e in events:
        if e["source_id"] and e["target_id"] and e["source_id"] != e["target_id"]:
            edges[(e["source_id"], e["target_id"], "event", e["type"], not e["symmetric"])].append((e["rowid"], e["start"], e["end"]))
    speakers: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for rowid, sid, about, s, en in ctx.db.execute(
        "SELECT q.article_rowid, q.speaker_id, q.about, q.start, q.end FROM quotes q "  # noqa: S608
        f"WHERE q.article_rowid IN ({ctx.members}) AND q.speaker_id IS NOT NULL ORDER BY q.article_rowid, q.seq"
    ):  # fmt: skip
        speakers[rowid].setdefault(sid, (s, en))
        for target in json.loads(about or "[]"):
            if target != sid:
                edges[(sid, target, "quoted-about", None, True)].append((rowid, s, en))
    for rowid, who in speakers.items():
        ids = sorted(who)
        for i, x in enumerate(ids):
            for y in ids[i + 1:]:
                edges[(x, y, "co-quoted", None, False)].append((rowid, *who[x]))
    weight = {k: len(v) for k, v in edges.items()}
    ranked = sorted(edges, key=lambda k: (-weight[k], k[2], k[3] or "", k[0], k[1]))[:most]
    names: dict[str, str] = {}
    rows = []
    for k in ranked:
        for end in k[:2]:
            if end not in names:
                names[end] = actor_name(ctx.db, end).removeprefix("country:")
        refs, more = _refs(ctx, edges[k])
        rows.append({"source": k[0], "source_name": names[k[0]], "target": k[1], "target_name": names[k[1]], "kind": k[2],
                     "type": k[3], "directed": k[4], "weight": weight[k], "refs": refs, "more": more})  # fmt: skip
    return rows


# -- drawing -------------------------------------------------------------------------------------------
def _svg(fig: Any) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    FigureCanvasSVG(fig)
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure as MplFigure

    return MplFigure(figsize=(width, height), dpi=72)


def _plot(what: str, rows: list[dict[str, Any]], paint: Any, height: float = 2.8) -> str:
    """An SVG figure of *rows* drawn by ``paint(ax, rows)``, or one saying there is no *what* when empty."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(8.5, height)
        ax = fig.add_subplot()
        if rows:
            paint(ax, rows)
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"no {what} in this period", ha="center", va="center", color="#666")
        return _svg(fig)


def _short(label: str, n: int = 26) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def draw_timeline(period: Period, rows: list[dict[str, Any]]) -> str:
    """Stacked bars of events per bucket: the most frequent types, the rest as "other"."""

    def paint(ax: Any, rows: list[dict[str, Any]]) -> None:
        xs = buckets(period)
        totals: Counter[str] = Counter()
        for r in rows:
            totals[r["type"]] += r["events"]
        shown = sorted(totals, key=lambda t: (-totals[t], t))[:TIMELINE_TYPES]
        series = {t: [0] * len(xs) for t in [*shown, "other"]}
        where = {b: i for i, b in enumerate(xs)}
        for r in rows:
            series[r["type"] if r["type"] in shown else "other"][where[r["period"]]] += r["events"]
        if not any(series["other"]):
            del series["other"]
        bottom = np.zeros(len(xs))
        for i, (t, ys) in enumerate(series.items()):
            ax.bar(range(len(xs)), ys, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=t, width=0.8)
            bottom += np.array(ys)
        _x_labels(ax, xs)
        ax.set_ylabel("events")
        ax.legend(loc="upper left", ncols=min(len(series), 4), frameon=False, fontsize=7)
        ax.set_ylim(0, max(bottom.max() * 1.35, 1))

    return _plot("events", rows, paint)


def _x_labels(ax: Any, xs: list[str]) -> None:
    step = max(1, math.ceil(len(xs) / 12))
    ax.set_xticks(range(0, len(xs), step), [xs[i] for i in range(0, len(xs), step)], rotation=30, ha="right")


def draw_themes(period: Period, rows: list[dict[str, Any]]) -> str:
    """One line per theme: articles per bucket."""

    def paint(ax: Any, rows: list[dict[str, Any]]) -> None:
        xs = buckets(period)
        where = {b: i for i, b in enumerate(xs)}
        series: dict[str, list[int]] = {}
        for r in rows:
            series.setdefault(r["name"], [0] * len(xs))[where[r["period"]]] = r["articles"]
        for i, (name, ys) in enumerate(series.items()):
            ax.plot(range(len(xs)), ys, marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=name, linewidth=1.5)
        _x_labels(ax, xs)
        ax.set_ylabel("articles")
        ax.set_ylim(0, max(max(v) for v in series.values()) * 1.35 + 0.5)
        ax.legend(loc="upper left", ncols=min(len(series), 3), frameon=False, fontsize=7)

    return _plot("themes", rows, paint)


def layout(nodes: list[str], links: list[tuple[str, str, float]], steps: int = 300) -> dict[str, tuple[float, float]]:
    """Positions in the unit square by Fruchterman–Reingold forces (repulsion k²/d between every pair,
    attraction d²/k along each link, weighted by log(1 + weight)) from points evenly spaced on a circle in
    the order given: no randomness, so the layout of the same graph is always the same."""
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.5, 0.5)}
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.stack([0.5 + 0.4 * np.cos(angle), 0.5 + 0.4 * np.sin(angle)], axis=1)
    index = {v: i for i, v in enumerate(nodes)}
    src = np.array([index[a] for a, _, _ in links], dtype=int)
    dst = np.array([index[b] for _, b, _ in links], dtype=int)
    w = np.log1p(np.array([x for _, _, x in links], dtype=float))
    k = math.sqrt(1.0 / n)
    temp = 0.1
    for _ in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        push = (delta / dist[:, :, None] * (k * k / dist)[:, :, None]).sum(axis=1)
        d = pos[src] - pos[dst]
        dl = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
        pull = d / dl[:, None] * (dl * dl / k * w)[:, None]
        np.add.at(push, src, -pull)
        np.add.at(push, dst, pull)
        # A weak pull to the centre keeps unlinked parts of the graph on the page.
        push += (0.5 - pos) * GRAVITY
        size = np.maximum(np.linalg.norm(push, axis=1), 1e-9)
        pos += push / size[:, None] * np.minimum(size, temp)[:, None]
        temp = max(temp * 0.985, 0.002)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    pos = (pos - lo) / np.where(hi - lo > 1e-9, hi - lo, 1.0)
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(nodes)}


def draw_network(rows: list[dict[str, Any]]) -> str:
    """Actors as dots (size: the weight of their links), links as lines (colour: kind, width: weight)."""

    def paint(ax: Any, rows: list[dict[str, Any]]) -> None:
        ax.set_axis_off()
        weight: Counter[str] = Counter()
        names: dict[str, str] = {}
        for r in rows:
            weight[r["source"]] += r["weight"]
            weight[r["target"]] += r["weight"]
            names[r["source"]], names[r["target"]] = r["source_name"], r["target_name"]
        nodes = sorted(weight, key=lambda v: (-weight[v], v))
        pos = layout(nodes, [(r["source"], r["target"], r["weight"]) for r in rows])
        top = max(r["weight"] for r in rows)
        for r in rows:
            (x0, y0), (x1, y1) = pos[r["source"]], pos[r["target"]]
            ax.plot([x0, x1], [y0, y1], color=EDGE_COLOURS[r["kind"]], alpha=0.55, linewidth=0.6 + 3.0 * r["weight"] / top, zorder=1)
        reg = actor_registry().actors
        biggest = max(weight.values())
        for v in nodes:
            x, y = pos[v]
            a = reg.get(v)
            colour = "#34495e" if a is None else ("#1f5f8b" if a.type == "country" else "#7d3c98")
            ax.scatter([x], [y], s=30 + 220 * weight[v] / biggest, color=colour, zorder=2, edgecolors="white", linewidths=0.8)
            ax.text(x, y + 0.035, _short(names[v]), ha="center", va="bottom", fontsize=7, zorder=3)
        for kind, colour in EDGE_COLOURS.items():
            ax.plot([], [], color=colour, label=kind, linewidth=2)
        ax.legend(loc="lower left", frameon=False, fontsize=7, bbox_to_anchor=(0, -0.08), ncols=3)
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.08, 1.1)

    return _plot("actor links", rows, paint, height=5.5)


def figures(ctx: Ctx, events: list[dict[str, Any]]) -> list[Figure]:
    timeline = timeline_rows(ctx, events)
    themes = theme_rows(ctx)
    net = network_rows(ctx, events)
    step = ctx.period.bucket
    return [
        Figure("events_timeline", f"Events per {step}, by type", draw_timeline(ctx.period, timeline), ["period", "type", "events"], timeline),
        Figure("themes_over_time", f"Articles per {step} on the period's main themes", draw_themes(ctx.period, themes),
               ["period", "name", "articles"], themes),
        Figure("actor_network", "Actor network: events, co-quotation, quotes about another actor", draw_network(net),
               ["source_name", "kind", "type", "target_name", "weight"], net),
    ]  # fmt: skip

