"""Reads the dashboard needs beyond the store's own: series over time, an actor's record,
event and quote listings with exact filters, and faceted search.

Every function takes an open ``SQLiteStore`` and uses parameterised SQL only; the
fixed SQL fragments come from this module, never from a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from ..store import ArticleFilter
from ..store.sqlite import SQLiteStore, _fts_queries

PERIOD_FORMATS = {"day": "%Y-%m-%d", "week": "%Y-W%W", "month": "%Y-%m"}

# PLOVER types in three groups for the overview's timeline (docs/events.md).
EVENT_GROUPS = {
    "cooperation": ("AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"),
    "conflict": ("REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"),
    "monitoring": ("MONITOR",),
}


@dataclass(slots=True, frozen=True)
class Filters:
    """What a dashboard page can be narrowed by; every field comes from the query string."""

    q: str = ""
    outlet: str | None = None
    country: str | None = None
    kind: str | None = None
    since: str | None = None
    until: str | None = None
    actor: str | None = None  # actor id mentioned in the article
    theme: str | None = None  # theme id carried by the article
    story: int | None = None
    thread: int | None = None

    def article_filter(self) -> ArticleFilter:
        return ArticleFilter(self.outlet, self.country, self.kind, self.since, self.until)

    def params(self, **change: Any) -> dict[str, str]:
        """The non-empty filters as query parameters, with *change* applied (None drops a key)."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(change)
        return {k: str(v) for k, v in d.items() if v not in (None, "")}

    def with_(self, **change: Any) -> "Filters":
        return replace(self, **change)


def period_bounds(period: str, label: str) -> tuple[str, str]:
    """The first and last ISO day of a period label made with PERIOD_FORMATS."""
    if period == "day":
        return label, label
    if period == "month":
        y, m = (int(x) for x in label.split("-"))
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return f"{label}-01", (nxt - timedelta(days=1)).isoformat()
    monday = datetime.strptime(label + "-1", "%Y-W%W-%w").date()
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat()


def pick_period(first: str | None, last: str | None, max_points: int = 60) -> str:
    """The finest of day/week/month that keeps the span within *max_points* periods."""
    if not first or not last:
        return "month"
    days = (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days + 1
    if days <= max_points:
        return "day"
    return "week" if days / 7 <= max_points else "month"


def _where(s: SQLiteStore, f: Filters, alias: str = "a") -> tuple[str, list[Any]]:
    where, args = s._where(f.article_filter(), alias)
    conds, args = [where], list(args)
    if f.actor:
        conds.append(f"EXISTS (SELECT 1 FROM mentions m WHERE m.article_rowid = {alias}.rowid AND m.actor_id = ?)")
        args.append(f.actor)
    if f.theme:
        conds.append(f"EXISTS (SELECT 1 FROM article_themes t WHERE t.article_rowid = {alias}.rowid AND t.theme = ?)")
        args.append(f.theme)
    if f.story is not None:
        conds.append(f"EXISTS (SELECT 1 FROM story_articles sa WHERE sa.article_rowid = {alias}.rowid AND sa.story_id = ?)")
        args.append(f.story)
    if f.thread is not None:
        conds.append(
            f"EXISTS (SELECT 1 FROM story_articles sa JOIN thread_stories ts ON ts.story_id = sa.story_id "
            f"WHERE sa.article_rowid = {alias}.rowid AND ts.thread_id = ?)"
        )
        args.append(f.thread)
    return " AND ".join(conds), args


def date_span(s: SQLiteStore, f: Filters = Filters()) -> tuple[str | None, str | None]:
    where, args = _where(s, f)
    r = s.db.execute(f"SELECT MIN(a.published), MAX(a.published) FROM articles a WHERE {where}", args).fetchone()  # noqa: S608
    return r[0], r[1]


def latest(s: SQLiteStore, f: Filters, limit: int = 10) -> list[dict[str, Any]]:
    """The newest articles matching *f* (undated last): ``{id, title, published, outlet}``."""
    where, args = _where(s, f)
    return [{"id": r[0], "title": r[1], "published": r[2], "outlet": r[3]} for r in s.db.execute(
        f"SELECT a.id, a.title, a.published, a.outlet_name FROM articles a WHERE {where} "  # noqa: S608
        "ORDER BY a.published IS NULL, a.published DESC, a.rowid DESC LIMIT ?", [*args, limit],
    )]  # fmt: skip


def event_series(s: SQLiteStore, f: Filters, period: str) -> list[dict[str, Any]]:
    """Events per period and group (cooperation, conflict, monitoring): ``{period, group, events}``."""
    where, args = _where(s, f)
    case = " ".join(f"WHEN e.type IN ({', '.join(repr(t) for t in types)}) THEN '{g}'" for g, types in EVENT_GROUPS.items())
    sql = (
        f"SELECT strftime('{PERIOD_FORMATS[period]}', a.published) AS p, CASE {case} ELSE 'other' END AS g, COUNT(*) "  # noqa: S608
        f"FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {where} AND a.published IS NOT NULL "
        "GROUP BY p, g ORDER BY p, g"
    )
    return [{"period": r[0], "group": r[1], "events": r[2]} for r in s.db.execute(sql, args) if r[0]]


def theme_series(s: SQLiteStore, f: Filters, period: str) -> list[dict[str, Any]]:
    """Articles carrying each theme per period: ``{period, theme, articles}``."""
    where, args = _where(s, f)
    sql = (
        f"SELECT strftime('{PERIOD_FORMATS[period]}', a.published) AS p, t.theme, COUNT(*) FROM article_themes t "  # noqa: S608
        f"JOIN articles a ON a.rowid = t.article_rowid WHERE {where} AND a.published IS NOT NULL GROUP BY p, t.theme ORDER BY p"
    )
    return [{"period": r[0], "theme": r[1], "articles": r[2]} for r in s.db.execute(sql, args) if r[0]]


def active_actors(s: SQLiteStore, f: Filters, limit: int = 15) -> list[dict[str, Any]]:
    """Actors by articles mentioning them (media outlets left out), with quotes they gave and events they are a side of."""
    where, args = _where(s, f)
    rows = s.db.execute(
        "SELECT m.actor_id, MAX(m.actor_name), MAX(m.kind), MAX(m.country), COUNT(DISTINCT m.article_rowid), COUNT(*) "  # noqa: S608
        f"FROM mentions m JOIN articles a ON a.rowid = m.article_rowid WHERE {where} AND m.actor_id IS NOT NULL "
        "AND m.kind != 'media' GROUP BY m.actor_id ORDER BY 5 DESC, 6 DESC, 2 LIMIT ?", [*args, limit],
    ).fetchall()  # fmt: skip
    out = []
    for r in rows:
        quotes = s.db.execute(
            f"SELECT COUNT(*) FROM quotes q JOIN articles a ON a.rowid = q.article_rowid WHERE {where} AND q.speaker_id = ?",  # noqa: S608
            [*args, r[0]],
        ).fetchone()[0]
        out.append({"id": r[0], "name": r[1], "kind": r[2], "country": r[3], "articles": r[4], "mentions": r[5], "quotes": quotes})
    return out


def actor(s: SQLiteStore, actor_id: str) -> dict[str, Any] | None:
    r = s.db.execute(
        "SELECT MAX(actor_name), MAX(kind), MAX(country), COUNT(DISTINCT article_rowid), COUNT(*) FROM mentions WHERE actor_id = ?",
        (actor_id,),
    ).fetchone()
    if not r[4]:
        r = s.db.execute(
            "SELECT MAX(speaker_name), NULL, MAX(speaker_country), COUNT(DISTINCT article_rowid), 0 FROM quotes WHERE speaker_id = ?",
            (actor_id,),
        ).fetchone()
        if not r[3]:
            return None
    return {"id": actor_id, "name": r[0] or actor_id, "kind": r[1], "country": r[2], "articles": r[3], "mentions": r[4]}


def actor_names(s: SQLiteStore, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        out.update((r[0], r[1]) for r in s.db.execute(
            f"SELECT actor_id, MAX(actor_name) FROM mentions WHERE actor_id IN ({', '.join('?' * len(chunk))}) GROUP BY actor_id",  # noqa: S608
            chunk,
        ))  # fmt: skip
    return out


@dataclass(slots=True)
class QuoteRow:
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    start: int
    end: int
    text: str
    kind: str
    speaker_id: str | None
    speaker_name: str | None
    in_title: bool
    about: list[str] = field(default_factory=list)


def quotes(s: SQLiteStore, f: Filters, speaker: str | None = None, about: str | None = None, limit: int = 100) -> list[QuoteRow]:
    """Quotes from articles matching *f*, by exact speaker id and/or an actor id mentioned inside, newest first."""
    where, args = _where(s, f)
    conds, qargs = [where], list(args)
    if speaker:
        conds.append("q.speaker_id = ?")
        qargs.append(speaker)
    if about:
        conds.append("q.about LIKE ?")
        qargs.append("%" + json.dumps(about) + "%")
    sql = (
        "SELECT a.id, a.title, a.outlet_name, a.published, q.start, q.end, q.text, q.kind, q.speaker_id, q.speaker_name, "  # noqa: S608
        f"q.in_title, q.about FROM quotes q JOIN articles a ON a.rowid = q.article_rowid WHERE {' AND '.join(conds)} "
        "ORDER BY a.published IS NULL, a.published DESC, q.article_rowid DESC, q.seq LIMIT ?"
    )
    return [QuoteRow(*r[:10], bool(r[10]), json.loads(r[11])) for r in s.db.execute(sql, [*qargs, limit])]


def quote_targets(s: SQLiteStore, speaker: str) -> list[dict[str, Any]]:
    """Whom a speaker talks about: actors mentioned inside their quotes, by number of quotes."""
    counts: dict[str, int] = {}
    for (about,) in s.db.execute("SELECT about FROM quotes WHERE speaker_id = ?", (speaker,)):
        for aid in set(json.loads(about)):
            if aid != speaker:
                counts[aid] = counts.get(aid, 0) + 1
    names = actor_names(s, list(counts))
    return [{"id": k, "name": names.get(k, k), "quotes": v} for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(slots=True)
class EventRow:
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    type: str
    trigger: str
    sentence_start: int
    sentence_end: int
    source_id: str | None
    source_name: str | None
    target_id: str | None
    target_name: str | None
    symmetric: bool
    sentence: str = ""


def events(s: SQLiteStore, f: Filters, source: str | None = None, target: str | None = None, side: str | None = None,
           etype: str | None = None, group: str | None = None, limit: int = 100) -> list[EventRow]:
    """Events from articles matching *f*: by exact source or target actor id, an actor on either *side*,
    a type or a group of EVENT_GROUPS; each with its sentence, newest first."""
    where, args = _where(s, f)
    conds, eargs = [where], list(args)
    for col, val in (("e.source_id", source), ("e.target_id", target)):
        if val:
            conds.append(f"{col} = ?")
            eargs.append(val)
    if side:
        conds.append("(e.source_id = ? OR e.target_id = ?)")
        eargs += [side, side]
    if etype:
        conds.append("e.type = ?")
        eargs.append(etype.upper())
    if group in EVENT_GROUPS:
        conds.append(f"e.type IN ({', '.join('?' * len(EVENT_GROUPS[group]))})")
        eargs += list(EVENT_GROUPS[group])
    elif group == "other":
        everything = [t for ts in EVENT_GROUPS.values() for t in ts]
        conds.append(f"e.type NOT IN ({', '.join('?' * len(everything))})")
        eargs += everything
    sql = (
        "SELECT a.id, a.title, a.outlet_name, a.published, e.type, e.trigger, e.sentence_start, e.sentence_end, "  # noqa: S608
        "COALESCE(e.source_id, 'country:' || e.source_country), COALESCE(e.source_name, e.source_country), "
        "COALESCE(e.target_id, 'country:' || e.target_country), COALESCE(e.target_name, e.target_country), e.symmetric, "
        f"substr(a.body, e.sentence_start + 1, e.sentence_end - e.sentence_start) FROM events e "
        f"JOIN articles a ON a.rowid = e.article_rowid WHERE {' AND '.join(conds)} "
        "ORDER BY a.published IS NULL, a.published DESC, e.article_rowid DESC, e.seq LIMIT ?"
    )
    return [EventRow(*r[:12], bool(r[12]), r[13]) for r in s.db.execute(sql, [*eargs, limit])]


def event_partners(s: SQLiteStore, actor_id: str, role: str) -> list[dict[str, Any]]:
    """For an actor as event source (*role* "source") or target: (type, other side) with counts."""
    me, other = ("source", "target") if role == "source" else ("target", "source")
    rows = s.db.execute(
        f"SELECT e.type, e.{other}_id, COALESCE(e.{other}_name, e.{other}_country), COUNT(*), COUNT(DISTINCT e.article_rowid) "  # noqa: S608
        f"FROM events e WHERE e.{me}_id = ? GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 3 LIMIT 40", (actor_id,),
    )  # fmt: skip
    return [{"type": r[0], "other_id": r[1], "other": r[2], "events": r[3], "articles": r[4]} for r in rows]


def actor_trend(s: SQLiteStore, actor_id: str, period: str) -> list[dict[str, Any]]:
    """Per period: articles mentioning the actor and the mean tone toward it there."""
    fmt = PERIOD_FORMATS[period]
    rows = s.db.execute(
        f"SELECT strftime('{fmt}', a.published) AS p, COUNT(DISTINCT a.rowid), AVG(t.tone) FROM mentions m "  # noqa: S608
        "JOIN articles a ON a.rowid = m.article_rowid LEFT JOIN actor_tone t ON t.article_rowid = a.rowid AND t.actor_id = m.actor_id "
        "WHERE m.actor_id = ? AND a.published IS NOT NULL GROUP BY p ORDER BY p", (actor_id,),
    )  # fmt: skip
    return [{"period": r[0], "articles": r[1], "tone": None if r[2] is None else round(r[2], 3)} for r in rows if r[0]]


def actor_span(s: SQLiteStore, actor_id: str) -> tuple[str | None, str | None]:
    r = s.db.execute(
        "SELECT MIN(a.published), MAX(a.published) FROM mentions m JOIN articles a ON a.rowid = m.article_rowid WHERE m.actor_id = ?",
        (actor_id,),
    ).fetchone()
    return r[0], r[1]


# -- search with facets -------------------------------------------------------------
FACET_WINDOW = 5000  # facets count over at most this many matches (the most recently stored)


@dataclass(slots=True)
class SearchResult:
    hits: list[dict[str, Any]]
    total: int  # matches, capped at FACET_WINDOW
    capped: bool
    facets: dict[str, list[dict[str, Any]]]


def _matches(s: SQLiteStore, f: Filters) -> list[int]:
    where, args = _where(s, f)
    if not f.q.strip():
        return [r[0] for r in s.db.execute(
            f"SELECT a.rowid FROM articles a WHERE {where} ORDER BY a.rowid DESC LIMIT ?", [*args, FACET_WINDOW + 1]  # noqa: S608
        )]  # fmt: skip
    for q in _fts_queries(f.q):
        try:
            return [r[0] for r in s.db.execute(
                "SELECT a.rowid FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "  # noqa: S608
                f"WHERE articles_fts MATCH ? AND {where} ORDER BY a.rowid DESC LIMIT ?", [q, *args, FACET_WINDOW + 1],
            )]  # fmt: skip
        except Exception:  # noqa: BLE001  a malformed FTS query falls back to the all-words form
            continue
    return []


def search(s: SQLiteStore, f: Filters, limit: int = 30, offset: int = 0) -> SearchResult:
    """Articles matching the text query (FTS5, best first) and every filter, with counts per facet
    value over the matching set."""
    rowids = _matches(s, f)
    capped = len(rowids) > FACET_WINDOW
    rowids = rowids[:FACET_WINDOW]
    facets: dict[str, list[dict[str, Any]]] = {}
    if rowids:
        hits = json.dumps(rowids)  # read as a table by json_each: the dashboard's connections are read-only
        facet_sql = {
            "outlet": "SELECT a.outlet_name, a.outlet_name, COUNT(*) FROM json_each(?) h JOIN articles a ON a.rowid = h.value GROUP BY 1",
            "country": "SELECT a.outlet_country, a.outlet_country, COUNT(*) FROM json_each(?) h JOIN articles a ON a.rowid = h.value GROUP BY 1",
            "kind": "SELECT a.outlet_kind, a.outlet_kind, COUNT(*) FROM json_each(?) h JOIN articles a ON a.rowid = h.value GROUP BY 1",
            "theme": "SELECT t.theme, t.theme, COUNT(*) FROM json_each(?) h JOIN article_themes t ON t.article_rowid = h.value GROUP BY 1",
            "actor": "SELECT m.actor_id, MAX(m.actor_name), COUNT(DISTINCT m.article_rowid) FROM json_each(?) h "
            "JOIN mentions m ON m.article_rowid = h.value WHERE m.actor_id IS NOT NULL AND m.kind != 'media' GROUP BY 1",
            "year": "SELECT substr(a.published, 1, 4), substr(a.published, 1, 4), COUNT(*) FROM json_each(?) h "
            "JOIN articles a ON a.rowid = h.value WHERE a.published IS NOT NULL GROUP BY 1",
        }
        for name, sql in facet_sql.items():
            rows = [{"value": r[0], "label": r[1], "articles": r[2]} for r in s.db.execute(sql, (hits,)) if r[0] is not None]
            key = (lambda d: d["value"]) if name == "year" else (lambda d: (-d["articles"], str(d["label"])))
            facets[name] = sorted(rows, key=key)[: 40 if name != "year" else None]
    page = rowids[offset : offset + limit] if not f.q.strip() else _ranked(s, f, rowids, limit, offset)
    hits = []
    if page:
        marks = ", ".join("?" * len(page))
        meta = {r[0]: r for r in s.db.execute(
            f"SELECT rowid, id, title, published, outlet_name, outlet_country, outlet_kind, substr(body, 1, 280) "  # noqa: S608
            f"FROM articles WHERE rowid IN ({marks})", page,
        )}  # fmt: skip
        for rid in page:
            r = meta[rid]
            hits.append({"id": r[1], "title": r[2], "published": r[3], "outlet": r[4], "country": r[5], "kind": r[6], "lead": r[7]})
    return SearchResult(hits, len(rowids), capped, facets)


def _ranked(s: SQLiteStore, f: Filters, rowids: list[int], limit: int, offset: int) -> list[int]:
    """One page of *rowids* (the matches) in BM25 order: only the matches are scored."""
    if not rowids:
        return []
    for q in _fts_queries(f.q):
        try:
            return [r[0] for r in s.db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?)) "
                "ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT ? OFFSET ?", (q, json.dumps(rowids), limit, offset),
            )]  # fmt: skip
        except Exception:  # noqa: BLE001  a malformed FTS query falls back to the all-words form
            continue
    return []
