"""Parameterised SQL over a SQLite or PostgreSQL store (docs/storage.md) for the analysis functions and the REST API.

Every query takes values as parameters; the only text put into SQL is built here from fixed
column names and placeholders. Lists are ordered newest first (``published DESC, rowid DESC``: SQLite
sorts NULL lowest, so undated articles come last) and paged by keyset cursors on that order, which the
``articles_published`` index walks without sorting.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass, fields, replace
from typing import Any

from ..nlp.actors import registry as actor_registry


class QueryError(ValueError):
    """A filter or cursor could not be used (bad cursor, unknown actor form, threads absent)."""


@dataclass(slots=True, frozen=True)
class Filters:
    """What narrows a set of articles. Countries and kinds may be comma-separated lists."""

    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive (the whole day)
    outlet: str | None = None  # outlet name or domain, case-insensitive substring
    country: str | None = None  # outlet country, ISO-2
    kind: str | None = None  # outlet kind
    actor: str | None = None  # an actor id, or a registry name or alias: articles mentioning it
    theme: str | None = None  # a theme id: articles carrying it
    story: int | None = None
    thread: int | None = None
    # What the links of a comparison's or a network's figures select by (the list endpoints take them):
    side: tuple[str, ...] = ()  # comparison sides (analysis.sides syntax): articles in any of them
    outlet_name: str | None = None  # the outlet's name, exactly
    tone_toward: str | None = None  # an actor id: articles scoring a tone toward it (actor_tone)
    quoting: tuple[str, ...] = ()  # speaker actor ids: articles quoting every one of them

    def with_(self, **kw: Any) -> "Filters":
        return replace(self, **kw)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None and v != ()}

    def link_only(self) -> bool:
        """True when a filter only the list endpoints take is set (the aggregates cannot answer it)."""
        return bool(self.side or self.outlet_name or self.tone_toward or self.quoting)


def db_of(store: Any) -> Any:
    """The store's connection: SQLite's own, or the PostgreSQL wrapper that takes the same SQL (docs/storage.md)."""
    db = getattr(store, "db", None)
    if db is None or not hasattr(db, "execute"):
        raise QueryError("analysis needs a SQLite or PostgreSQL store")
    return db


def _in(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def actor_ids(store: Any, form: str) -> list[str]:
    """The actor ids *form* names: an id as stored, or a registry actor's name or alias (any case)."""
    reg = actor_registry()
    if form in reg.actors:
        return [form]
    key = form.strip().casefold()
    ids = sorted({a.id for a in reg.actors.values() if key in (n.casefold() for n in (a.name, *a.aliases))})
    if ids:
        return ids
    db = db_of(store)
    if db.execute("SELECT 1 FROM mentions WHERE actor_id = ? LIMIT 1", (form,)).fetchone():
        return [form]
    return [r[0] for r in db.execute(
        "SELECT DISTINCT actor_id FROM mentions WHERE lower(actor_name) = lower(?) AND actor_id IS NOT NULL LIMIT 20", (form,)
    )]  # fmt: skip


def has_table(store: Any, name: str) -> bool:
    db = db_of(store)
    if isinstance(db, sqlite3.Connection):
        return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
    sql = "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
    return db.execute(sql, (name,)).fetchone() is not None


def where(store: Any, f: Filters, alias: str = "a") -> tuple[str, list[Any]]:
    """A WHERE condition over the articles table (aliased *alias*) for *f*, and its parameters."""
    conds: list[str] = []
    args: list[Any] = []
    if f.since:
        conds.append(f"{alias}.published >= ?")
        args.append(f.since)
    if f.until:
        conds.append(f"{alias}.published < ?")
        args.append(f.until + "\uffff")  # the whole last day, whatever the time part
    if f.outlet:
        conds.append(f"(lower({alias}.outlet_name) LIKE ? OR lower({alias}.outlet_domain) LIKE ?)")
        args += [f"%{f.outlet.lower()}%"] * 2
    if countries := [c.upper() for c in _list(f.country)]:
        conds.append(f"{alias}.outlet_country IN ({_in(countries)})")
        args += countries
    if kinds := _list(f.kind):
        conds.append(f"{alias}.outlet_kind IN ({_in(kinds)})")
        args += kinds
    if f.actor:
        ids = actor_ids(store, f.actor)
        if not ids:
            conds.append("0")
        else:
            conds.append(_member(store, "mentions", "actor_id", ids, alias))
            args += ids
    if f.theme:
        conds.append(_member(store, "article_themes", "theme", [f.theme], alias))
        args.append(f.theme)
    if f.story is not None:
        conds.append(f"{alias}.rowid IN (SELECT article_rowid FROM story_articles WHERE story_id = ?)")
        args.append(int(f.story))
    if f.thread is not None:
        conds.append(f"{alias}.rowid IN ({thread_members_sql(store)})")
        args.append(int(f.thread))
    if f.side:
        from .sides import parse_side

        parts = [parse_side(spec).sql(alias) for spec in f.side]
        conds.append("(" + " OR ".join(c for c, _ in parts) + ")")
        args += [v for _, a in parts for v in a]
    if f.outlet_name is not None:
        conds.append(f"{alias}.outlet_name = ?")
        args.append(f.outlet_name)
    if f.tone_toward:
        conds.append(f"{alias}.rowid IN (SELECT article_rowid FROM actor_tone WHERE actor_id = ?)")
        args.append(f.tone_toward)
    for sid in dict.fromkeys(f.quoting):
        conds.append(f"{alias}.rowid IN (SELECT article_rowid FROM quotes WHERE speaker_id = ?)")
        args.append(sid)
    return (" AND ".join(conds) or "1"), args


# Above this many rows a value is common: the articles are walked in date order and each one checked
# (EXISTS, stops at the page's end), rather than every match fetched and sorted (IN).
COMMON = 2000
# The most article rowids one slice of a walk binds (each is a parameter): well under PostgreSQL's 65,535
# parameters a statement and SQLite's default limit of 32,766, however many articles are in scope.
SLICE_MAX = 8192


def _member(store: Any, table: str, col: str, values: list[str], alias: str) -> str:
    """SQL for "the article has a row of *table* whose *col* is one of *values*" (parameters: *values*)."""
    marks = _in(values)
    n = db_of(store).execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {col} IN ({marks}) LIMIT {COMMON}) c_", values  # noqa: S608
    ).fetchone()[0]
    if n >= COMMON:
        return f"EXISTS (SELECT 1 FROM {table} x WHERE x.article_rowid = {alias}.rowid AND x.{col} IN ({marks}))"
    return f"{alias}.rowid IN (SELECT article_rowid FROM {table} WHERE {col} IN ({marks}))"


def thread_members_sql(store: Any) -> str:
    """SQL selecting the article rowids of thread ``?``: through the stories a thread holds."""
    if has_table(store, "thread_stories"):
        return "SELECT sa.article_rowid FROM story_articles sa JOIN thread_stories ts ON ts.story_id = sa.story_id WHERE ts.thread_id = ?"
    raise QueryError("this store has no threads (they arrive with migration 010)")


# -- cursors --------------------------------------------------------------------------
def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, n: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        vals = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as exc:
        raise QueryError("bad cursor") from exc
    if not isinstance(vals, list) or len(vals) != n or not all(v is None or isinstance(v, (int, str)) for v in vals):
        raise QueryError("bad cursor")
    if not all(isinstance(v, int) for v in vals[1:]):
        raise QueryError("bad cursor")
    return vals


def _after(cur: list[Any] | None, pub: str, rowid: str, seq: str | None = None) -> tuple[str, list[Any]]:
    """The keyset condition for rows after *cur* in (published DESC, rowid DESC[, seq ASC]) order."""
    if cur is None:
        return "1", []
    p, r = cur[0], cur[1]
    tie, targs = (f"{rowid} < ?", [r]) if seq is None else (f"({rowid} < ? OR ({rowid} = ? AND {seq} > ?))", [r, r, cur[2]])
    if p is None:
        return f"({pub} IS NULL AND {tie})", targs
    return f"({pub} < ? OR ({pub} = ? AND {tie}) OR {pub} IS NULL)", [p, p, *targs]


# -- lists for the API ----------------------------------------------------------------
ARTICLE_COLS = (
    "a.rowid AS rowid, a.id AS id, a.title AS title, a.url AS url, a.published AS published, a.author AS author, "
    "a.outlet_name AS outlet, a.outlet_domain AS domain, a.outlet_country AS country, a.outlet_kind AS kind, "
    "a.outlet_language AS language, a.format AS format, a.summary_only AS summary_only, a.analysed_with AS analysed_with"
)


def page(rows: list[sqlite3.Row], limit: int, key: Any) -> tuple[list[dict[str, Any]], str | None]:
    """Rows (one more than *limit* were asked for) and the cursor of the next page, or None."""
    more = len(rows) > limit
    rows = rows[:limit]
    return [dict(r) for r in rows], (encode_cursor(key(rows[-1])) if more and rows else None)


def articles(store: Any, f: Filters, cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:
    cond, args = where(store, f)
    after, aargs = _after(decode_cursor(cursor, 2), "a.published", "a.rowid")
    rows = db_of(store).execute(
        f"SELECT {ARTICLE_COLS} FROM articles a WHERE {cond} AND {after} ORDER BY a.published DESC, a.rowid DESC LIMIT ?",  # noqa: S608
        [*args, *aargs, limit + 1],
    ).fetchall()
    return page(rows, limit, lambda r: [r["published"], r["rowid"]])


def article_by_id(store: Any, article_id: str) -> dict[str, Any] | None:
    r = db_of(store).execute(f"SELECT {ARTICLE_COLS}, a.body AS body FROM articles a WHERE a.id = ?", (article_id,)).fetchone()  # noqa: S608
    return dict(r) if r else None


def _rows_page(store: Any, cols: str, table: str, alias: str, cond: str, args: list[Any], child: list[str], cargs: list[Any],
               cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:  # fmt: skip
    """One page of an article's child rows (quotes, events: *table* aliased *alias*, with ``seq``), newest
    article first; *cond* narrows the articles, *child* the rows. When the rows asked for are common the
    articles are walked in date order (CROSS JOIN keeps it) and the walk stops at the page's end; rare
    ones are fetched through their own index and sorted."""
    db = db_of(store)
    join = "CROSS JOIN"
    if child:
        # Walking reads about limit * articles / matches articles until the page is full; fetching reads
        # every match's article and sorts: the walk wins above about sqrt(limit * articles * 0.13)
        # matches (a 100,000-article store, a page of 50: ~800; measured there with events of rarer
        # countries, 1,000-1,600 matches, 18-30 -> 5-7 ms, and a speaker with 789 quotes, fetched in 10 ms).
        articles = db.execute("SELECT MAX(rowid) FROM articles").fetchone()[0] or 0
        common = min(COMMON, max(1, int((limit * articles * 0.13) ** 0.5)))
        n = db.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {' AND '.join(child)} LIMIT {common}) c_", cargs).fetchone()[0]  # noqa: S608
        join = "CROSS JOIN" if n >= common else "JOIN"
    after, aargs = _after(decode_cursor(cursor, 3), "a.published", "a.rowid", f"{alias}.seq")
    rows = db.execute(
        f"SELECT {cols} FROM articles a {join} {table} ON {alias}.article_rowid = a.rowid "  # noqa: S608
        f"WHERE {' AND '.join([cond, *child])} AND {after} ORDER BY a.published DESC, a.rowid DESC, {alias}.seq LIMIT ?",
        [*args, *cargs, *aargs, limit + 1],
    ).fetchall()
    return page(rows, limit, lambda r: [r["published"], r["rowid"], r["seq"]])


QUOTE_COLS = (
    "a.id AS article, a.title AS title, a.published AS published, a.outlet_name AS outlet, a.outlet_country AS outlet_country, "
    "q.seq AS seq, q.start AS start, q.end AS end, q.text AS text, q.kind AS kind, q.cue AS cue, q.speaker_id AS speaker_id, "
    "q.speaker_name AS speaker, q.speaker_country AS speaker_country, q.speaker_start AS speaker_start, "
    "q.speaker_end AS speaker_end, q.about AS about, q.in_title AS in_title, a.rowid AS rowid"
)


def quotes(store: Any, f: Filters, *, speaker: str | None = None, about: str | None = None, kind: str | None = None,
           speaker_key: str | None = None, speaker_country: str | None = None, about_id: str | None = None,
           cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:  # fmt: skip
    """Quotes newest first; *speaker* and *about* are actor ids or registry names (a speaker no actor has
    matches the speaker's name as printed, case-insensitively). The exact forms, as a comparison and the
    network count: *speaker_key* a resolved speaker's actor id or, for a speaker no actor has, the name as
    printed (quotes with no speaker name left out); *speaker_country* the speaker's country as stored, or
    ``unknown`` for none; *about_id* an actor id in the quote's ``about`` list, other than its speaker's."""
    cond, args = where(store, f)
    conds: list[str] = []
    qargs: list[Any] = []
    if speaker:
        ids = actor_ids(store, speaker)
        if ids:  # through the speaker index
            conds.append(f"q.speaker_id IN ({_in(ids)})")
            qargs += ids
        else:  # a speaker the registry and the mentions do not know: by the name as printed
            conds.append("lower(q.speaker_name) = lower(?)")  # ASCII case on SQLite, as NOCASE
            qargs.append(speaker)
    exact = quote_conds(speaker_key, speaker_country, about_id)
    conds += exact[0]
    qargs += exact[1]
    if about:
        ids = actor_ids(store, about) or [about]
        conds.append("(" + " OR ".join(["q.about LIKE ?"] * len(ids)) + ")")
        qargs += [f'%"{i}"%' for i in ids]
    if kind:
        conds.append("q.kind = ?")
        qargs.append(kind)
    out, nxt = _rows_page(store, QUOTE_COLS, "quotes q", "q", cond, args, conds, qargs, cursor, limit)
    for d in out:
        d["about"] = json.loads(d["about"])
        d["in_title"] = bool(d["in_title"])
    return out, nxt


def quote_conds(speaker_key: str | None = None, speaker_country: str | None = None,
                about_id: str | None = None) -> tuple[list[str], list[Any]]:  # fmt: skip
    """Conditions on quotes (aliased ``q``) selecting exactly the quotes of a comparison's or a network's
    figure (see :func:`quotes`), and their parameters; the dashboard's listing takes the same."""
    conds: list[str] = []
    args: list[Any] = []
    if speaker_key is not None:
        # COALESCE(speaker_id, speaker_name) = key, written so that each branch reads an index
        conds.append("q.speaker_name IS NOT NULL AND (q.speaker_id = ? OR (q.speaker_id IS NULL AND q.speaker_name = ?))")
        args += [speaker_key, speaker_key]
    if speaker_country is not None:
        if speaker_country == "unknown":
            conds.append("(q.speaker_country IS NULL OR q.speaker_country = '' OR q.speaker_country = 'unknown')")
        else:
            conds.append("q.speaker_country = ?")
            args.append(speaker_country)
    if about_id is not None:
        conds.append("q.about != '[]' AND (q.speaker_id IS NULL OR q.speaker_id != ?) "
                     "AND EXISTS (SELECT 1 FROM json_each(q.about) j WHERE j.value = ?)")  # fmt: skip
        args += [about_id, about_id]
    return conds, args


EVENT_COLS = (
    "a.id AS article, a.title AS title, a.published AS published, a.outlet_name AS outlet, a.outlet_country AS outlet_country, "
    "e.seq AS seq, e.type AS type, e.mode AS mode, e.trigger AS trigger, e.source_id AS source_id, e.source_name AS source_name, "
    "e.source_country AS source_country, e.target_id AS target_id, e.target_name AS target_name, e.target_country AS target_country, "
    "e.symmetric AS symmetric, e.claimed_by_id AS claimed_by_id, e.claimed_by_name AS claimed_by_name, "
    "e.sentence_start AS sentence_start, e.sentence_end AS sentence_end, e.evidence_start AS start, e.evidence_end AS end, "
    "a.rowid AS rowid"
)


def _event_side(col: str, who: str, store: Any) -> tuple[str, list[Any]]:
    if len(who) == 2 and who.isalpha():
        return f"e.{col}_country = ?", [who.upper()]
    ids = actor_ids(store, who) or [who]
    return f"e.{col}_id IN ({_in(ids)})", ids


# The event ends as a comparison groups them: the actor's name, else its country, else "?".
SOURCE_LABEL = "COALESCE(e.source_name, e.source_country, '?')"
TARGET_LABEL = "COALESCE(e.target_name, e.target_country, '?')"


def event_conds(source_label: str | None = None, target_label: str | None = None, source_id: str | None = None,
                target_id: str | None = None, symmetric: bool | None = None) -> tuple[list[str], list[Any]]:  # fmt: skip
    """Conditions on events (aliased ``e``) selecting exactly the events of a comparison's or a network's
    figure (see :func:`events`), and their parameters; the dashboard's listing takes the same."""
    conds: list[str] = []
    args: list[Any] = []
    ends = [(c, v) for c, v in (("source", source_id), ("target", target_id)) if v]
    if ends:  # as written, or the other way round when the event is symmetric
        fwd = " AND ".join(f"e.{c}_id = ?" for c, _ in ends)
        rev = " AND ".join(f"e.{'target' if c == 'source' else 'source'}_id = ?" for c, _ in ends)
        conds.append(f"(({fwd}) OR (e.symmetric = 1 AND {rev}))")
        args += [v for _, v in ends] * 2
    for expr, val in ((SOURCE_LABEL, source_label), (TARGET_LABEL, target_label)):
        if val is not None:
            conds.append(f"{expr} = ?")
            args.append(val)
    if symmetric is not None:
        conds.append("e.symmetric = ?")
        args.append(1 if symmetric else 0)
    return conds, args


def events(store: Any, f: Filters, *, source: str | None = None, target: str | None = None, type: str | None = None,  # noqa: A002
           source_label: str | None = None, target_label: str | None = None, source_id: str | None = None,
           target_id: str | None = None, symmetric: bool | None = None,
           cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:  # fmt: skip
    """Events newest first; *source*/*target* are a country code or an actor; a symmetric event reads both ways.
    The exact forms, as a comparison and the network count: *source_label*/*target_label* the end as a
    comparison names it (the actor's name, else its country, else ``?``; as written, never reversed);
    *source_id*/*target_id* actor ids as stored, a symmetric event read both ways as with *source*;
    *symmetric* true or false keeps only symmetric or only directed events."""
    cond, args = where(store, f)
    conds, eargs = event_conds(source_label, target_label, source_id, target_id, symmetric)
    if source or target:
        # As written (source, target), or the other way round when the event is symmetric.
        ends = [(who, col, other) for who, col, other in ((source, "source", "target"), (target, "target", "source")) if who]
        fwd = [_event_side(col, who, store) for who, col, _ in ends]
        rev = [_event_side(other, who, store) for who, _, other in ends]
        conds.append(f"(({' AND '.join(c for c, _ in fwd)}) OR (e.symmetric = 1 AND {' AND '.join(c for c, _ in rev)}))")
        eargs += [v for _, a in fwd + rev for v in a]
    if type:
        conds.append("e.type = ?")
        eargs.append(type.upper())
    out, nxt = _rows_page(store, EVENT_COLS, "events e", "e", cond, args, conds, eargs, cursor, limit)
    for d in out:
        d["symmetric"] = bool(d["symmetric"])
    return out, nxt


def actors(store: Any, f: Filters, limit: int = 50) -> list[dict[str, Any]]:
    """Actors by the articles mentioning them (within *f*), with mentions and quotes as speaker.

    The counts come from the (actor, article) indexes alone; names, kinds and countries are read for the
    actors listed only."""
    cond, args = where(store, f)
    db = db_of(store)
    join = "" if cond == "1" else "JOIN articles a ON a.rowid = m.article_rowid"
    rows = [{"id": r[0], "articles": r[1], "mentions": r[2]} for r in db.execute(
        f"SELECT m.actor_id, COUNT(DISTINCT m.article_rowid) AS n, COUNT(*) FROM mentions m {join} "  # noqa: S608
        f"WHERE m.actor_id IS NOT NULL AND {cond} GROUP BY m.actor_id ORDER BY n DESC, COUNT(*) DESC, m.actor_id LIMIT ?",
        [*args, limit],
    )]  # fmt: skip
    if not rows:
        return rows
    ids = [r["id"] for r in rows]
    qjoin = "" if cond == "1" else "JOIN articles a ON a.rowid = q.article_rowid"
    quoted = dict(db.execute(
        f"SELECT q.speaker_id, COUNT(*) FROM quotes q {qjoin} WHERE q.speaker_id IN ({_in(ids)}) AND {cond} GROUP BY q.speaker_id",  # noqa: S608
        [*ids, *args],
    ).fetchall())  # fmt: skip
    reg = actor_registry().actors
    for r in rows:
        a = reg.get(r["id"])
        if a is not None:
            r.update(name=a.name, kind=a.type, country=a.country)
        else:
            m = db.execute("SELECT actor_name, kind, country FROM mentions WHERE actor_id = ? LIMIT 1", (r["id"],)).fetchone()
            r.update(name=m[0] if m else None, kind=m[1] if m else None, country=m[2] if m else None)
        r["quotes"] = quoted.get(r["id"], 0)
    return rows


def themes(store: Any, f: Filters) -> list[dict[str, Any]]:
    """Per theme: articles carrying it, their mean theme score and mean article tone."""
    cond, args = where(store, f)
    return [
        {"theme": r[0], "articles": r[1], "mean_score": round(r[2], 3), "mean_tone": None if r[3] is None else round(r[3], 3)}
        for r in db_of(store).execute(
            "SELECT t.theme, COUNT(*), AVG(t.score), AVG(tn.tone) FROM article_themes t JOIN articles a ON a.rowid = t.article_rowid "  # noqa: S608
            f"LEFT JOIN article_tone tn ON tn.article_rowid = a.rowid WHERE {cond} GROUP BY t.theme ORDER BY COUNT(*) DESC, t.theme",
            args,
        )
    ]  # fmt: skip


def stories(store: Any, f: Filters, cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:
    """Stories with an article within *f*, most recently seen first (keyset on last_seen, id)."""
    cond, args = where(store, f)
    after, aargs = _after(decode_cursor(cursor, 2), "st.last_seen", "st.id")
    member = "" if cond == "1" else (
        f"AND st.id IN (SELECT sa.story_id FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid WHERE {cond}) "
    )
    rows = db_of(store).execute(
        f"SELECT st.id AS id, st.title AS title, st.first_seen AS first_seen, st.last_seen AS last_seen, "  # noqa: S608
        f"(SELECT COUNT(*) FROM story_articles x WHERE x.story_id = st.id) AS articles FROM stories st WHERE {after} {member}"
        "ORDER BY st.last_seen DESC, st.id DESC LIMIT ?",
        [*aargs, *args, limit + 1],
    ).fetchall()
    out, nxt = page(rows, limit, lambda r: [r["last_seen"], r["id"]])
    return [d for d in out if d["articles"]], nxt


def outlet_counts(store: Any) -> list[dict[str, Any]]:
    """Stored articles per outlet: ``{name, domain, country, kind, language, articles}``."""
    return [dict(r) for r in db_of(store).execute(
        "SELECT outlet_name AS name, MIN(outlet_domain) AS domain, outlet_country AS country, outlet_kind AS kind, "
        "MAX(outlet_language) AS language, COUNT(*) AS articles FROM articles WHERE outlet_name IS NOT NULL "
        "GROUP BY outlet_name, outlet_country, outlet_kind ORDER BY articles DESC, name"
    )]  # fmt: skip


def delete_article(store: Any, article_id: str) -> bool:
    """Delete one article and everything derived from it (the schema cascades, and the daily aggregates of
    its cell are recounted); True when it existed."""
    from .aggregates import refresh

    db = db_of(store)
    db.execute("BEGIN IMMEDIATE")
    try:
        n = db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount
        refresh(db, [])  # the delete trigger listed it in agg_stale
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return n > 0


def evidence_rows(db: Any, key: str, cols: str, base: str, order: str, args: list[Any], keys: list[Any],
                  how: str = "window", *, n: int, per_article: bool = False,
                  by: tuple[str, list[int]] | None = None, rows_of: dict[Any, int] | None = None,
                  by_rowid: bool = False) -> dict[Any, list[dict[str, Any]]]:  # fmt: skip
    """The first *n* rows (by *order*, which must order the rows of a key completely) of each of *keys*
    (values of the SQL expression *key*) among the rows of *base* (``FROM … WHERE …`` with *args*), in one
    query: key -> rows of *cols*. Three ways, the same rows, the fastest depending on the section
    (measured on a month of the 100,000-article benchmark store):

    ``window``: numbered per key in SQL (ROW_NUMBER), keys in the WHERE clause (network event edges);
    ``walk``: the rows of *keys* read in *order*, each key's first kept, stopping when every key has its
    share (compare's events: 27-36 -> 2.5 ms); ``walk-all``: the same without the keys in SQL, where a
    key column with an (key, article) index would make SQLite probe it once per key and article
    (speakers 96 -> 2 ms, themes 53 -> 26, tone 72 -> 34, co-quoted 161 -> 93, quoted-about 139 -> 61).
    With *per_article* (a walk only; *cols* must name an ``article``), a key keeps one row per article.

    *by* (a walk only): an article rowid column of *base* and the rowids of the articles *base* selects,
    in the order *order* starts with (for ``x.article_rowid DESC``, descending; for ``a.published DESC,
    a.rowid DESC``, that order). The walk then reads the articles' rows a growing slice at a time (256,
    512, … up to ``SLICE_MAX`` articles) and stops at the slice that fills every key, instead of ordering every row of
    *base* before the first is read (network, a month: 70 -> 50 ms).

    *rows_of* (a walk only): how many rows of *base* each key has (the count the figure shows, when it
    counts exactly those rows; for *per_article*, their articles). A key with fewer than *n* is complete
    once it has them all, so the walk stops there instead of reading to the end for a rare key.

    *by_rowid* (with *by*): *cols* name the child row's article rowid ``AS article`` and *base* need not
    join the articles; the kept rows' rowids become article ids at the end, in one query, instead of
    each row read fetching its article's page (a month's slices: ~30-40 % less)."""
    out: dict[Any, list[dict[str, Any]]] = {k: [] for k in keys}
    if not keys:
        return out
    want = {k: min(n, int(rows_of.get(k, n))) if rows_of else n for k in keys}
    marks = ", ".join("?" * len(keys))
    if how == "window":
        rows = db.execute(
            f"SELECT * FROM (SELECT {key} AS k_, {cols}, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {order}) AS rn_ "  # noqa: S608
            f"{base} AND {key} IN ({marks})) ev_ WHERE rn_ <= ? ORDER BY k_, rn_",
            [*args, *keys, n],
        )  # fmt: skip
        for r in rows:
            d = dict(r)
            k = d.pop("k_")
            d.pop("rn_")
            out.setdefault(k, []).append(d)
        return out
    some = how == "walk"
    left = sum(1 for k in keys if want[k] > 0)
    if not left:
        return out

    def take(rows: Any) -> bool:
        """Keep each key's first rows; True once every key has its share."""
        nonlocal left
        for r in rows:
            got = out.get(r[0])
            if got is None or len(got) >= want[r[0]]:
                continue
            d = dict(r)
            d.pop("k_")
            if per_article and any(g["article"] == d["article"] for g in got):
                continue
            got.append(d)
            if len(got) == want[r[0]]:
                left -= 1
                if not left:
                    return True
        return False

    sql = f"SELECT {key} AS k_, {cols} {base}"
    if by is None:
        take(db.execute(f"{sql}{f' AND {key} IN ({marks})' if some else ''} ORDER BY {order}", [*args, *keys] if some else args))  # noqa: S608
        return out
    col, rowids = by
    start, size = 0, min(256, SLICE_MAX)
    while start < len(rowids):
        part = rowids[start : start + size]
        todo = [k for k, got in out.items() if len(got) < want[k]] if some else []  # a walk asks for the keys still short
        rows = db.execute(f"{sql}{f' AND {key} IN ({_in(todo)})' if some else ''} AND {col} IN ({_in(part)}) ORDER BY {order}",  # noqa: S608
                          [*args, *todo, *part])  # fmt: skip
        if take(rows):
            break
        start, size = start + size, min(size * 2, SLICE_MAX)
    if by_rowid:
        _article_ids(db, out)
    return out


def _article_ids(db: Any, out: dict[Any, list[dict[str, Any]]]) -> None:
    """Replace each kept row's ``article`` (an article rowid) with the article's id, in one query a slice.
    A row whose article another process deleted after the walk read it is dropped (the walk and this
    look-up are two statements), as a join would not have read it."""
    want = sorted({int(d["article"]) for got in out.values() for d in got})
    ids: dict[int, str] = {}
    for i in range(0, len(want), SLICE_MAX):
        part = want[i : i + SLICE_MAX]
        ids.update((int(r), aid) for r, aid in db.execute(f"SELECT rowid, id FROM articles WHERE rowid IN ({_in(part)})", part))  # noqa: S608
    for k, got in out.items():
        kept = [d for d in got if int(d["article"]) in ids]
        for d in kept:
            d["article"] = ids[int(d["article"])]
        out[k] = kept
