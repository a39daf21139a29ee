"""Reads the dashboard needs beyond the store's own: series over time, an actor's record,
event and quote listings with exact filters, and faceted search.

Every function takes an open ``SQLiteStore`` (or ``PostgresStore``, docs/storage.md) and uses parameterised SQL only; the
fixed SQL fragments come from this module, never from a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from ..store import ArticleFilter
from ..store.sqlite import SQLiteStore, _fts_queries

# Newest articles first, undated last (SQLite sorts NULL lowest). With the articles table as the outer loop
# (CROSS JOIN) this walks the published index backwards and stops at the limit; an article's quotes or events
# then come in their stored order. Sorting the matches instead cost seconds for an actor in most articles.
NEWEST_FIRST = "ORDER BY a.published DESC, a.rowid DESC"

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
    # The filters of the links behind a comparison's or a network's numbers (the REST API's list filters)
    side: tuple[str, ...] = ()  # comparison sides: articles in any of them
    outlet_name: str | None = None  # the outlet's name, exactly
    tone_toward: str | None = None  # articles scoring a tone toward this actor id
    quoting: tuple[str, ...] = ()  # articles quoting every one of these speaker ids

    def article_filter(self) -> ArticleFilter:
        return ArticleFilter(self.outlet, self.country, self.kind, self.since, self.until)

    def params(self, **change: Any) -> dict[str, Any]:
        """The non-empty filters as query parameters, with *change* applied (None drops a key)."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(change)
        return {k: [str(x) for x in v] if isinstance(v, tuple) else str(v) for k, v in d.items() if v not in (None, "", ())}

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
    if f.side or f.outlet_name is not None or f.tone_toward or f.quoting:  # the same SQL as the REST API's lists
        from ..analysis.queries import Filters as ListFilters, where

        cond, largs = where(s, ListFilters(side=f.side, outlet_name=f.outlet_name, tone_toward=f.tone_toward, quoting=f.quoting), alias)
        conds.append(cond)
        args += largs
    return " AND ".join(conds), args


def recent_window(s: SQLiteStore, f: Filters, days: int = 90) -> Filters:
    """*f* as it is when it sets a date; else limited to the *days* up to the latest article it matches, so
    that pages summing over a whole store stay quick on a large one."""
    if f.since or f.until:
        return f
    where, args = _where(s, f)
    last = s.db.execute(f"SELECT MAX(a.published) FROM articles a WHERE {where}", args).fetchone()[0]  # noqa: S608
    if not last:
        return f
    return f.with_(since=(date.fromisoformat(last[:10]) - timedelta(days=days - 1)).isoformat())


def date_span(s: SQLiteStore, f: Filters = Filters()) -> tuple[str | None, str | None]:
    where, args = _where(s, f)
    r = s.db.execute(f"SELECT MIN(a.published), MAX(a.published) FROM articles a WHERE {where}", args).fetchone()  # noqa: S608
    return r[0], r[1]


def latest(s: SQLiteStore, f: Filters, limit: int = 10) -> list[dict[str, Any]]:
    """The newest articles matching *f* (undated last): ``{id, title, published, outlet}``."""
    where, args = _where(s, f)
    return [{"id": r[0], "title": r[1], "published": r[2], "outlet": r[3]} for r in s.db.execute(
        f"SELECT a.id, a.title, a.published, a.outlet_name FROM articles a WHERE {where} "  # noqa: S608
        f"{NEWEST_FIRST} LIMIT ?", [*args, limit],
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
    """Actors by articles mentioning them (media outlets left out), with their mentions and the quotes they gave."""
    where, args = _where(s, f)
    rows = s.db.execute(
        "SELECT m.actor_id, MAX(m.actor_name), MAX(m.kind), MAX(m.country), COUNT(DISTINCT m.article_rowid), COUNT(*) "  # noqa: S608
        f"FROM articles a JOIN mentions m ON m.article_rowid = a.rowid WHERE {where} AND m.actor_id IS NOT NULL "
        "AND m.kind != 'media' GROUP BY m.actor_id ORDER BY 5 DESC, 6 DESC, 2 LIMIT ?", [*args, limit],
    ).fetchall()  # fmt: skip
    ids = [r[0] for r in rows]
    quotes: dict[str, int] = {}
    if ids:
        quotes = dict(s.db.execute(
            f"SELECT q.speaker_id, COUNT(*) FROM articles a JOIN quotes q ON q.article_rowid = a.rowid WHERE {where} "  # noqa: S608
            f"AND q.speaker_id IN ({', '.join('?' * len(ids))}) GROUP BY 1", [*args, *ids],
        ).fetchall())  # fmt: skip
    return [{"id": r[0], "name": r[1], "kind": r[2], "country": r[3], "articles": r[4], "mentions": r[5],
             "quotes": quotes.get(r[0], 0)} for r in rows]  # fmt: skip


@dataclass(slots=True)
class ActorRecord:
    """An actor's page header and trend, from one pass over its mentions: who it is, the articles and
    mentions naming it, and per publication day the articles, mentions and tone toward it."""

    id: str
    name: str
    kind: str | None
    country: str | None
    articles: int = 0
    mentions: int = 0
    days: dict[str, tuple[int, float, int]] = field(default_factory=dict)  # day -> (articles, tone sum, toned articles)

    def span(self) -> tuple[str | None, str | None]:
        return (min(self.days), max(self.days)) if self.days else (None, None)

    def trend(self, period: str) -> dict[str, tuple[int, float | None]]:
        """Per period label: (articles, mean tone toward the actor over the articles that scored it)."""
        acc: dict[str, list[float]] = {}
        for day, (n, tone, toned) in self.days.items():
            d = date.fromisoformat(day)
            label = day if period == "day" else day[:7] if period == "month" else d.strftime(PERIOD_FORMATS["week"])
            x = acc.setdefault(label, [0, 0.0, 0])
            x[0] += n
            x[1] += tone
            x[2] += toned
        return {k: (int(v[0]), round(v[1] / v[2], 3) if v[2] else None) for k, v in sorted(acc.items())}


def actor(s: SQLiteStore, actor_id: str) -> ActorRecord | None:
    """The actor *actor_id* (mentioned, or known only as a speaker), or None."""
    r = s.db.execute("SELECT actor_name, kind, country FROM mentions WHERE actor_id = ? LIMIT 1", (actor_id,)).fetchone()
    if r is None:
        r = s.db.execute("SELECT speaker_name, NULL, speaker_country FROM quotes WHERE speaker_id = ? LIMIT 1", (actor_id,)).fetchone()
        if r is None:
            return None
        n = s.db.execute("SELECT COUNT(DISTINCT article_rowid) FROM quotes WHERE speaker_id = ?", (actor_id,)).fetchone()[0]
        return ActorRecord(actor_id, r[0] or actor_id, r[1], r[2], articles=n)
    rec = ActorRecord(actor_id, r[0] or actor_id, r[1], r[2])
    # Grouped by article first (the (actor_id, article_rowid) index streams it), so each article's tone counts once.
    for day, n_arts, n_mentions, tone, toned in s.db.execute(
        "SELECT substr(a.published, 1, 10), COUNT(*), SUM(x.n), SUM(t.tone), COUNT(t.tone) FROM "
        "(SELECT article_rowid, COUNT(*) AS n FROM mentions WHERE actor_id = ? GROUP BY article_rowid) x "
        "JOIN articles a ON a.rowid = x.article_rowid LEFT JOIN actor_tone t ON t.article_rowid = x.article_rowid AND t.actor_id = ? "
        "GROUP BY 1", (actor_id, actor_id),
    ):  # fmt: skip
        rec.articles += n_arts
        rec.mentions += n_mentions
        if day and len(day) == 10:
            rec.days[day] = (n_arts, tone or 0.0, toned)
    return rec


def actor_names(s: SQLiteStore, ids: list[str]) -> dict[str, str]:
    """Display names of actor ids: one stored mention's name each (an index lookup, not a scan of an actor's
    every mention)."""
    out: dict[str, str] = {}
    for aid in dict.fromkeys(ids):
        r = s.db.execute("SELECT actor_name FROM mentions WHERE actor_id = ? AND actor_name IS NOT NULL LIMIT 1", (aid,)).fetchone()
        if r is not None:
            out[aid] = r[0]
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


def quotes(s: SQLiteStore, f: Filters, speaker: str | None = None, about: str | None = None, limit: int = 100,
           exact: Mapping[str, str | None] | None = None) -> list[QuoteRow]:  # fmt: skip
    """Quotes from articles matching *f*, by exact speaker id and/or an actor id mentioned inside, newest first;
    *exact*: the REST API's ``speaker_key``, ``speaker_country``, ``about_id`` (a comparison's figures)."""
    conds, qargs = _quote_where(s, f, speaker, about, exact)
    sql = (
        "SELECT a.id, a.title, a.outlet_name, a.published, q.start, q.end, q.text, q.kind, q.speaker_id, q.speaker_name, "  # noqa: S608
        f"q.in_title, q.about FROM articles a CROSS JOIN quotes q ON q.article_rowid = a.rowid WHERE {' AND '.join(conds)} "
        f"{NEWEST_FIRST} LIMIT ?"
    )
    return [QuoteRow(*r[:10], bool(r[10]), json.loads(r[11])) for r in s.db.execute(sql, [*qargs, limit])]


def count_quotes(s: SQLiteStore, f: Filters, speaker: str | None = None, about: str | None = None,
                 exact: Mapping[str, str | None] | None = None) -> int:  # fmt: skip
    """How many quotes :func:`quotes` would list without its limit."""
    conds, qargs = _quote_where(s, f, speaker, about, exact)
    sql = f"SELECT COUNT(*) FROM articles a JOIN quotes q ON q.article_rowid = a.rowid WHERE {' AND '.join(conds)}"  # noqa: S608
    return int(s.db.execute(sql, qargs).fetchone()[0])


def _quote_where(s: SQLiteStore, f: Filters, speaker: str | None, about: str | None,
                 exact: Mapping[str, str | None] | None) -> tuple[list[str], list[Any]]:  # fmt: skip
    from ..analysis.queries import quote_conds

    where, args = _where(s, f)
    conds, qargs = [where], list(args)
    if speaker:
        conds.append("q.speaker_id = ?")
        qargs.append(speaker)
    if about:
        conds.append("q.about LIKE ?")
        qargs.append("%" + json.dumps(about) + "%")
    more, margs = quote_conds(**(exact or {}))
    return conds + more, qargs + margs


QUOTE_WINDOW = 5000  # whom a speaker talks about is counted over their latest quotes


def quote_targets(s: SQLiteStore, speaker: str, limit: int = 20) -> list[dict[str, Any]]:
    """Whom a speaker talks about: actors mentioned inside their QUOTE_WINDOW latest stored quotes, by quotes."""
    rows = s.db.execute(
        # A quote is (article_rowid, seq): quotes has no rowid of its own on PostgreSQL (docs/storage.md).
        "SELECT j.value, COUNT(DISTINCT q.qid) FROM (SELECT article_rowid || ':' || seq AS qid, about FROM quotes WHERE speaker_id = ? "
        "ORDER BY article_rowid DESC LIMIT ?) q, json_each(q.about) j WHERE j.value != ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
        (speaker, QUOTE_WINDOW, speaker, limit),
    ).fetchall()  # fmt: skip
    names = actor_names(s, [r[0] for r in rows])
    return [{"id": r[0], "name": names.get(r[0], r[0]), "quotes": r[1]} for r in rows]


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
           etype: str | None = None, group: str | None = None, limit: int = 100,
           exact: Mapping[str, Any] | None = None) -> list[EventRow]:  # fmt: skip
    """Events from articles matching *f*: by exact source or target actor id, an actor on either *side*,
    a type or a group of EVENT_GROUPS; each with its sentence, newest first. *exact*: the REST API's
    ``source_label``, ``target_label``, ``source_id``, ``target_id``, ``symmetric`` (a comparison's or a
    network's figures)."""
    conds, eargs = _event_where(s, f, source, target, side, etype, group, exact)
    sql = (
        "SELECT a.id, a.title, a.outlet_name, a.published, e.type, e.trigger, e.sentence_start, e.sentence_end, "  # noqa: S608
        "COALESCE(e.source_id, 'country:' || e.source_country), COALESCE(e.source_name, e.source_country), "
        "COALESCE(e.target_id, 'country:' || e.target_country), COALESCE(e.target_name, e.target_country), e.symmetric, "
        # (the offsets cast: PostgreSQL has substr(text, integer, integer), not bigint)
        f"substr(a.body, CAST(e.sentence_start + 1 AS INTEGER), CAST(e.sentence_end - e.sentence_start AS INTEGER)) FROM articles a "
        f"CROSS JOIN events e ON e.article_rowid = a.rowid WHERE {' AND '.join(conds)} {NEWEST_FIRST} LIMIT ?"
    )
    return [EventRow(*r[:12], bool(r[12]), r[13]) for r in s.db.execute(sql, [*eargs, limit])]


def count_events(s: SQLiteStore, f: Filters, source: str | None = None, target: str | None = None, side: str | None = None,
                 etype: str | None = None, group: str | None = None, exact: Mapping[str, Any] | None = None) -> int:  # fmt: skip
    """How many events :func:`events` would list without its limit."""
    conds, eargs = _event_where(s, f, source, target, side, etype, group, exact)
    sql = f"SELECT COUNT(*) FROM articles a JOIN events e ON e.article_rowid = a.rowid WHERE {' AND '.join(conds)}"  # noqa: S608
    return int(s.db.execute(sql, eargs).fetchone()[0])


def _event_where(s: SQLiteStore, f: Filters, source: str | None, target: str | None, side: str | None, etype: str | None,
                 group: str | None, exact: Mapping[str, Any] | None) -> tuple[list[str], list[Any]]:  # fmt: skip
    from ..analysis.queries import event_conds

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
    more, margs = event_conds(**(exact or {}))
    return conds + more, eargs + margs


def event_partners(s: SQLiteStore, actor_id: str, role: str) -> list[dict[str, Any]]:
    """For an actor as event source (*role* "source") or target: (type, other side) with counts."""
    me, other = ("source", "target") if role == "source" else ("target", "source")
    rows = s.db.execute(
        f"SELECT e.type, e.{other}_id, COALESCE(e.{other}_name, e.{other}_country), COUNT(*), COUNT(DISTINCT e.article_rowid) "  # noqa: S608
        f"FROM events e WHERE e.{me}_id = ? GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 3 LIMIT 40", (actor_id,),
    )  # fmt: skip
    return [{"type": r[0], "other_id": r[1], "other": r[2], "events": r[3], "articles": r[4]} for r in rows]


# -- search with facets -------------------------------------------------------------
FACET_WINDOW = 5000  # facets count over at most this many matches (the most recently stored)


@dataclass(slots=True)
class SearchResult:
    hits: list[dict[str, Any]]
    total: int  # matches, capped at FACET_WINDOW
    capped: bool
    facets: dict[str, list[dict[str, Any]]]


_PG_MATCH = "f.fts @@ to_tsquery('simple', pw_fold(?))"  # PostgreSQL's articles_fts is (rowid, fts tsvector)


def _pg(s: SQLiteStore) -> Any:
    """The PostgreSQL store module when *s* is a PostgreSQL store (its text search differs), else None."""
    if type(s).__name__ != "PostgresStore":
        return None
    from ..store import postgres

    return postgres


def _matches(s: SQLiteStore, f: Filters) -> list[int]:
    where, args = _where(s, f)
    if not f.q.strip():
        return [r[0] for r in s.db.execute(
            f"SELECT a.rowid FROM articles a WHERE {where} ORDER BY a.rowid DESC LIMIT ?", [*args, FACET_WINDOW + 1]  # noqa: S608
        )]  # fmt: skip
    pg = _pg(s)
    for q in pg.tsqueries(f.q) if pg else _fts_queries(f.q):
        try:
            return [r[0] for r in s.db.execute(
                # Ordered by the index's own rowid, which FTS5 walks backwards without sorting the matches.
                "SELECT f.rowid FROM articles_fts f JOIN articles a ON a.rowid = f.rowid "  # noqa: S608
                f"WHERE {_PG_MATCH if pg else 'articles_fts MATCH ?'} AND {where} ORDER BY f.rowid DESC LIMIT ?",
                [q, *args, FACET_WINDOW + 1],
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
            "outlet": "SELECT a.outlet_name, a.outlet_name, COUNT(*) FROM json_each(?) h JOIN articles a ON a.rowid = CAST(h.value AS BIGINT) GROUP BY 1",
            "country": "SELECT a.outlet_country, a.outlet_country, COUNT(*) FROM json_each(?) h JOIN articles a ON a.rowid = CAST(h.value AS BIGINT) GROUP BY 1",
            "kind": "SELECT a.outlet_kind, a.outlet_kind, COUNT(*) FROM json_each(?) h JOIN articles a ON a.rowid = CAST(h.value AS BIGINT) GROUP BY 1",
            "theme": "SELECT t.theme, t.theme, COUNT(*) FROM json_each(?) h JOIN article_themes t ON t.article_rowid = CAST(h.value AS BIGINT) GROUP BY 1",
            "actor": "SELECT m.actor_id, MAX(m.actor_name), COUNT(DISTINCT m.article_rowid) FROM json_each(?) h "
            "JOIN mentions m ON m.article_rowid = CAST(h.value AS BIGINT) WHERE m.actor_id IS NOT NULL AND m.kind != 'media' GROUP BY 1",
            "year": "SELECT substr(a.published, 1, 4), substr(a.published, 1, 4), COUNT(*) FROM json_each(?) h "
            "JOIN articles a ON a.rowid = CAST(h.value AS BIGINT) WHERE a.published IS NOT NULL GROUP BY 1",
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
    """One page of *rowids* (the matches, newest first) in BM25 order. Only index entries from the oldest
    match on are scored (a rowid range FTS5 walks directly), and those not among the matches are skipped."""
    if not rowids:
        return []
    allowed = set(rowids)
    pg = _pg(s)
    for q in pg.tsqueries(f.q) if pg else _fts_queries(f.q):
        try:
            ranked = s.db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ? ORDER BY bm25(articles_fts, 4.0, 1.0)",
                (q, min(rowids)),
            ) if not pg else s.db.execute(  # PostgreSQL: the store's ts_rank weights (docs/storage.md)
                "SELECT f.rowid FROM articles_fts f WHERE f.fts @@ to_tsquery('simple', pw_fold(?)) AND f.rowid >= ? "
                "ORDER BY ts_rank(CAST(? AS REAL[]), f.fts, to_tsquery('simple', pw_fold(?))) DESC, f.rowid DESC",
                (q, min(rowids), pg.RANK_WEIGHTS, q),
            )
            page: list[int] = []
            for (rid,) in ranked:
                if rid in allowed:
                    page.append(rid)
                    if len(page) >= offset + limit:
                        break
            return page[offset:]
        except Exception:  # noqa: BLE001  a malformed FTS query falls back to the all-words form
            continue
    return []
