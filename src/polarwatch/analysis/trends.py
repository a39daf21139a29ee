"""Trends: mentions, events and tone per actor, or articles and tone per theme, per day, week or month.

Each cell names its period by the first day (weeks start on Monday) and carries ``since``/``until``,
the dates to give the article list (``/api/articles?actor=…&since=…&until=…``) to see the articles
behind the number."""

from __future__ import annotations

import calendar
import sqlite3
from datetime import date, timedelta
from typing import Any

from .compare import actor_name
from . import aggregates
from .aggregates import MICRO, mean
from .queries import Filters, actor_ids, db_of, where

# A period starts from the article's day as written, the first ten characters of ``published`` (as the
# day filters and the daily aggregates read it), not from its UTC day: the same on both backends.
_DAY = "substr(a.published, 1, 10)"
PERIODS = {
    "day": f"date({_DAY})",
    "week": f"date({_DAY}, 'weekday 0', '-6 days')",
    "month": f"strftime('%Y-%m-01', {_DAY})",
}
# The same periods in PostgreSQL's date functions (SQLite's date modifiers have no translation, docs/storage.md).
_PG_DAY = "CAST(substr(a.published, 1, 10) AS date)"
PG_PERIODS = {
    "day": f"to_char({_PG_DAY}, 'YYYY-MM-DD')",
    "week": f"to_char(date_trunc('week', {_PG_DAY}), 'YYYY-MM-DD')",
    "month": f"to_char({_PG_DAY}, 'YYYY-MM-01')",
}


def period_end(start: str, period: str) -> str:
    """The last day of the *period* starting on *start*."""
    d = date.fromisoformat(start)
    if period == "day":
        return start
    if period == "week":
        return str(d + timedelta(days=6))
    return str(d.replace(day=calendar.monthrange(d.year, d.month)[1]))


def _top_actors(db: Any, cond: str, args: list[Any], top: int, join: str = "JOIN", agg: tuple[str, list[Any]] | None = None) -> list[str]:
    if agg:
        return [r[0] for r in db.execute(f"SELECT x.actor_id {aggregates.source('agg_mentions', agg[0])} GROUP BY x.actor_id "  # noqa: S608
                                         "ORDER BY SUM(x.articles) DESC, x.actor_id LIMIT ?", [*agg[1], top])]  # fmt: skip
    return [r[0] for r in db.execute(
        f"SELECT m.actor_id FROM articles a {join} mentions m ON a.rowid = m.article_rowid "  # noqa: S608
        f"WHERE m.actor_id IS NOT NULL AND {cond} GROUP BY m.actor_id ORDER BY COUNT(DISTINCT m.article_rowid) DESC, m.actor_id LIMIT ?",
        [*args, top],
    )]  # fmt: skip


def trends(
    store: Any, what: str = "actor", period: str = "week", *, keys: list[str] | None = None, top: int = 10,
    since: str | None = None, until: str | None = None, filters: Filters | None = None,
) -> dict[str, Any]:
    """Per *period* (day/week/month) and per actor (``what="actor"``: mentions, articles, events as source
    or target, mean tone toward it) or per theme (``what="theme"``: articles, mean theme score, mean
    article tone). *keys* picks the actors (ids or registry names) or theme ids; by default the *top*
    most present in the range. Only dated articles count."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    if what not in ("actor", "theme"):
        raise ValueError("what must be 'actor' or 'theme'")
    db = db_of(store)
    f = (filters or Filters()).with_(since=since or (filters.since if filters else None), until=until or (filters.until if filters else None))
    cond, args = where(store, f)
    cond += " AND a.published IS NOT NULL"
    p = (PERIODS if isinstance(db, sqlite3.Connection) else PG_PERIODS)[period]
    agg = (aggregates.scope(store, f, totals=True) or [None])[0]  # over every outlet, the all-outlet day cells (023)
    if agg:  # sums of the daily aggregates: the period from each cell's day
        agg = (agg[0] + " AND c.day IS NOT NULL", agg[1])
        return _agg_trends(db, agg, p.replace("a.published", "c.day"), what, period, _keys(store, what, keys) if keys else None, top, f)
    series: list[dict[str, Any]] = []
    # With the dates (or outlets, a story…) narrowing the articles, walk those articles and their rows
    # (CROSS JOIN keeps that order); over the whole store, let the planner start from the actor's index.
    narrow = any(v is not None for k, v in f.as_dict().items() if k not in ("actor", "theme"))
    join = "CROSS JOIN" if narrow else "JOIN"
    # Walking the articles, a child row is best found by its article (one probe an article) and its actor
    # checked after: a bare actor column in IN (…) makes SQLite probe the (actor, article) index once per
    # actor and article (a month, ten actors: mentions 35 -> 25 ms, tone 22 -> 12). ``|| ''`` keeps the
    # value and hides the column from the index, on PostgreSQL too.
    as_value = " || ''" if narrow else ""
    if what == "actor":
        ids = _keys(store, what, keys) if keys else _top_actors(db, cond, args, top, join)
        cells: dict[str, dict[str, dict[str, Any]]] = {aid: {} for aid in ids}

        def cell(aid: str, key: str) -> dict[str, Any]:
            return _actor_cell(cells, aid, key, period)

        marks = ", ".join("?" * len(ids))
        if ids:
            for k, aid, n, arts in db.execute(
                f"SELECT {p}, m.actor_id, COUNT(*), COUNT(DISTINCT m.article_rowid) FROM articles a {join} mentions m "  # noqa: S608
                f"ON m.article_rowid = a.rowid WHERE m.actor_id{as_value} IN ({marks}) AND {cond} GROUP BY 1, 2", [*ids, *args],
            ):  # fmt: skip
                cell(aid, k).update(mentions=n, articles=arts)
            # Events with the actor on either side, an event with it on both sides once.
            for side, extra in (("source_id", ""), ("target_id", "AND (e.source_id IS NULL OR e.source_id != e.target_id) ")):
                for k, aid, n in db.execute(
                    f"SELECT {p}, e.{side}, COUNT(*) FROM articles a {join} events e ON e.article_rowid = a.rowid "  # noqa: S608
                    f"WHERE e.{side} IN ({marks}) {extra}AND {cond} GROUP BY 1, 2", [*ids, *args],
                ):  # fmt: skip
                    cell(aid, k)["events"] += n
            for k, aid, tone, n in db.execute(
                f"SELECT {p}, t.actor_id, SUM({MICRO.format('t.tone')}), COUNT(*) FROM articles a {join} actor_tone t ON t.article_rowid = a.rowid "  # noqa: S608
                f"WHERE t.actor_id{as_value} IN ({marks}) AND {cond} GROUP BY 1, 2", [*ids, *args],
            ):  # fmt: skip
                cell(aid, k).update(tone=mean(tone, n, 4), tone_articles=n)
        for aid in ids:
            series.append({"key": aid, "name": actor_name(db, aid), "points": [cells[aid][k] for k in sorted(cells[aid])]})
    else:
        from ..themes import taxonomy

        tax = taxonomy()
        themes = _keys(store, what, keys) if keys else [r[0] for r in db.execute(
            f"SELECT t.theme FROM articles a {join} article_themes t ON a.rowid = t.article_rowid WHERE {cond} "  # noqa: S608
            "GROUP BY t.theme ORDER BY COUNT(*) DESC, t.theme LIMIT ?", [*args, top],
        )]  # fmt: skip
        for th in themes:
            points = [
                {"period": k, "since": k, "until": period_end(k, period), "articles": n, "mean_score": mean(sc, n, 3),
                 "tone": mean(tone, tn, 4)}
                for k, n, sc, tone, tn in db.execute(
                    f"SELECT {p}, COUNT(*), SUM({MICRO.format('t.score')}), SUM({MICRO.format('tn.tone')}), COUNT(tn.tone) FROM articles a {join} "
                    "article_themes t ON a.rowid = t.article_rowid "  # noqa: S608
                    f"LEFT JOIN article_tone tn ON tn.article_rowid = a.rowid WHERE t.theme = ? AND {cond} GROUP BY 1 ORDER BY 1",
                    [th, *args],
                )
            ]  # fmt: skip
            t = tax.by_id.get(th)
            series.append({"key": th, "name": t.name if t else th, "points": points})
    return {"what": what, "period": period, "scope": f.as_dict(), "series": series}


def _keys(store: Any, what: str, keys: list[str]) -> list[str]:
    """The actor ids (each key an id or a registry name) or theme ids asked for, once each in order."""
    return list(dict.fromkeys([i for k in keys for i in actor_ids(store, k)] if what == "actor" else keys))


def _actor_cell(cells: dict[str, dict[str, dict[str, Any]]], aid: str, key: str, period: str) -> dict[str, Any]:
    return cells[aid].setdefault(key, {"period": key, "since": key, "until": period_end(key, period),
                                       "mentions": 0, "articles": 0, "events": 0, "tone": None, "tone_articles": 0})  # fmt: skip


def _agg_trends(db: Any, agg: tuple[str, list[Any]], p: str, what: str, period: str, keys: list[str] | None, top: int,
                f: Filters) -> dict[str, Any]:  # fmt: skip
    """:func:`trends` summed from the daily aggregates (the same figures, the same order)."""
    cond, args = agg
    series: list[dict[str, Any]] = []
    if what == "actor":
        ids = keys if keys is not None else _top_actors(db, cond, args, top, agg=agg)  # asked for but unknown: none
        cells: dict[str, dict[str, dict[str, Any]]] = {aid: {} for aid in ids}
        marks = ", ".join("?" * len(ids))
        if ids:
            src = aggregates.source
            for k, aid, n, arts in db.execute(f"SELECT {p}, x.actor_id, SUM(x.mentions), SUM(x.articles) {src('agg_mentions', cond)} "  # noqa: S608
                                              f"AND x.actor_id IN ({marks}) GROUP BY 1, 2", [*args, *ids]):  # fmt: skip
                _actor_cell(cells, aid, k, period).update(mentions=n, articles=arts)
            for k, aid, n in db.execute(f"SELECT {p}, x.actor_id, SUM(x.events) {src('agg_event_actors', cond)} "  # noqa: S608
                                        f"AND x.actor_id IN ({marks}) GROUP BY 1, 2", [*args, *ids]):  # fmt: skip
                _actor_cell(cells, aid, k, period)["events"] += n
            for k, aid, tone, n in db.execute(f"SELECT {p}, x.actor_id, SUM(x.tone_micro), SUM(x.articles) "  # noqa: S608
                                              f"{src('agg_tone', cond)} AND x.actor_id IN ({marks}) GROUP BY 1, 2", [*args, *ids]):  # fmt: skip
                _actor_cell(cells, aid, k, period).update(tone=mean(tone, n, 4), tone_articles=n)
        for aid in ids:
            series.append({"key": aid, "name": actor_name(db, aid), "points": [cells[aid][k] for k in sorted(cells[aid])]})
    else:
        from ..themes import taxonomy

        tax = taxonomy()
        src = aggregates.source("agg_themes", cond)
        themes = keys if keys is not None else [r[0] for r in db.execute(f"SELECT x.theme {src} GROUP BY x.theme ORDER BY SUM(x.articles) DESC, x.theme LIMIT ?",  # noqa: S608
                                                   [*args, top])]  # fmt: skip
        for th in themes:
            points = [
                {"period": k, "since": k, "until": period_end(k, period), "articles": n, "mean_score": mean(sc, n, 3),
                 "tone": mean(tone, tn, 4)}
                for k, n, sc, tone, tn in db.execute(
                    f"SELECT {p}, SUM(x.articles), SUM(x.score_micro), SUM(x.tone_micro), SUM(x.tone_n) {src} "  # noqa: S608
                    "AND x.theme = ? GROUP BY 1 ORDER BY 1", [*args, th],
                )
            ]  # fmt: skip
            t = tax.by_id.get(th)
            series.append({"key": th, "name": t.name if t else th, "points": points})
    return {"what": what, "period": period, "scope": f.as_dict(), "series": series}
