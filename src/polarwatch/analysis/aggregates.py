"""Daily aggregates per outlet (migration 014), kept at write time, that a period's comparison, the actor
network and the trends sum instead of reading every child row of the period.

A *cell* is one outlet (name, domain, country and kind) on one day (the first ten characters of
``published``, on both backends; migration 016), or for undated articles (day NULL) one of an outlet's
buckets of ``UNDATED_BUCKET`` rowids, so that a write recounts a bounded cell however large the backlog. Each ``agg_*`` table holds, per cell, what one of the
readers groups child rows by: speakers, quote origins, themes, tone per actor, mentions per actor,
events (as the comparison names them, as network edges, per actor), co-quoted speaker pairs and quotes
about another actor. Counts of distinct articles add up over cells because an article lies in one cell.

:func:`refresh` recomputes from scratch every cell an analysed, reprocessed or deleted article lies (or
lay) in, inside the writer's transaction: a cell is always equal to a recount of its articles' rows,
however often the same batch is written. The store's writers call it (``put_analyses``) and so does
``queries.delete_article``; an article whose date or outlet is changed by an ingest, or that is deleted
some other way, is listed in ``agg_stale`` by a trigger: ``put_articles`` recomputes the listed cells
before it commits, and otherwise :func:`usable` is false (the readers count from the child rows) until
the next write does. A store from before migration 014 is
filled by :func:`fill_aggregates`.

Each cell also keeps the summed word counts of its articles and how many they are (``agg_words``, migration
019; :func:`cell_words`, :func:`side_outlets`), recounted with the cell's other rows.
"""

from __future__ import annotations

import re
import sqlite3
import weakref
from datetime import date, timedelta
from typing import Any

import numpy as np

from .counts import CellWords, keep_word_counts, pack_cell, pairs_of, sum_pairs, vocabulary
from .queries import SOURCE_LABEL, TARGET_LABEL, Filters, _in, db_of, where

CHUNK = 500  # values per IN (...) list
_NULL, _SEP = "\x01", "\x1f"  # how a NULL and the field separator are written in a cell's or an outlet's key
OUTLET_COLS = ("outlet_name", "outlet_domain", "outlet_country", "outlet_kind")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only, nothing after (fullmatch)
UNDATED_BUCKET = 1024  # rowids per cell of an outlet's undated articles

# A stored tone or score in millionths, as an integer: sums of them are exact, so a mean is the same
# whether summed from the rows or from the cells, in any order (the store keeps 2-3 decimals).
MICRO = "CAST(round({} * 1000000) AS INTEGER)"


def mean(micro: int | None, n: int, places: int) -> float | None:
    """The mean of values summed in millionths (*micro* over *n*), rounded half to even at *places*, exactly."""
    if micro is None or not n:
        return None
    # round(Fraction(micro, n * 10**6), places) in integers: the floor and the remainder, then half to even
    # (a comparison names ~70 means; Fraction cost ~10 us each).
    d = int(n) * 1_000_000
    q, r = divmod(int(micro) * 10**places, d)
    if 2 * r > d or (2 * r == d and q % 2):
        q += 1
    return q / 10**places  # int / int is correctly rounded, as float(Fraction) is


# (table, columns, SELECT over the child rows of the cells in ``ac.cell IN (…)``; the first column is the cell).
# Written once for both backends: the dialect turns json_each and the rest into PostgreSQL.
_CELLS = "ac.cell IN ({marks})"
TABLES: tuple[tuple[str, str, str], ...] = (
    ("agg_speakers", "cell, skey, speaker_id, speaker_name, speaker_country, quotes, articles",
     "SELECT ac.cell, COALESCE(q.speaker_id, q.speaker_name), MAX(q.speaker_id), MAX(q.speaker_name), MAX(q.speaker_country), "
     "COUNT(*), COUNT(DISTINCT q.article_rowid) FROM quotes q JOIN agg_article_cell ac ON ac.article_rowid = q.article_rowid "
     f"WHERE q.speaker_name IS NOT NULL AND {_CELLS} GROUP BY ac.cell, COALESCE(q.speaker_id, q.speaker_name)"),
    ("agg_quote_origins", "cell, speaker_id, speaker_country, quotes",
     "SELECT ac.cell, q.speaker_id, q.speaker_country, COUNT(*) FROM quotes q JOIN agg_article_cell ac ON ac.article_rowid = q.article_rowid "
     f"WHERE {_CELLS} GROUP BY ac.cell, q.speaker_id, q.speaker_country"),
    ("agg_themes", "cell, theme, articles, score_micro, tone_micro, tone_n",
     f"SELECT ac.cell, t.theme, COUNT(*), SUM({MICRO.format('t.score')}), SUM({MICRO.format('tn.tone')}), COUNT(tn.tone) FROM article_themes t "
     "JOIN agg_article_cell ac ON ac.article_rowid = t.article_rowid LEFT JOIN article_tone tn ON tn.article_rowid = t.article_rowid "
     f"WHERE {_CELLS} GROUP BY ac.cell, t.theme"),
    ("agg_tone", "cell, actor_id, tone_micro, mentions, articles",
     f"SELECT ac.cell, t.actor_id, SUM({MICRO.format('t.tone')}), SUM(t.mentions), COUNT(*) FROM actor_tone t "
     f"JOIN agg_article_cell ac ON ac.article_rowid = t.article_rowid WHERE {_CELLS} GROUP BY ac.cell, t.actor_id"),
    ("agg_mentions", "cell, actor_id, mentions, articles",
     "SELECT ac.cell, m.actor_id, COUNT(*), COUNT(DISTINCT m.article_rowid) FROM mentions m "
     f"JOIN agg_article_cell ac ON ac.article_rowid = m.article_rowid WHERE m.actor_id IS NOT NULL AND {_CELLS} GROUP BY ac.cell, m.actor_id"),
    ("agg_events", "cell, type, source, target, events, articles",
     f"SELECT ac.cell, e.type, {SOURCE_LABEL}, {TARGET_LABEL}, "
     "COUNT(*), COUNT(DISTINCT e.article_rowid) FROM events e JOIN agg_article_cell ac ON ac.article_rowid = e.article_rowid "
     f"WHERE {_CELLS} GROUP BY ac.cell, e.type, {SOURCE_LABEL}, {TARGET_LABEL}"),
    ("agg_event_edges", "cell, low, high, type, is_symmetric, events, articles",
     "SELECT ac.cell, {low}, {high}, e.type, e.symmetric, COUNT(*), COUNT(DISTINCT e.article_rowid) FROM events e "
     "JOIN agg_article_cell ac ON ac.article_rowid = e.article_rowid WHERE e.source_id IS NOT NULL AND e.target_id IS NOT NULL "
     f"AND e.source_id != e.target_id AND {_CELLS} GROUP BY ac.cell, {{low}}, {{high}}, e.type, e.symmetric"),
    ("agg_event_actors", "cell, actor_id, events",
     "SELECT ac.cell, e.source_id, COUNT(*) FROM events e JOIN agg_article_cell ac ON ac.article_rowid = e.article_rowid "
     f"WHERE e.source_id IS NOT NULL AND {_CELLS} GROUP BY ac.cell, e.source_id"),
    ("agg_event_actors", "cell, actor_id, events",
     "SELECT ac.cell, e.target_id, COUNT(*) FROM events e JOIN agg_article_cell ac ON ac.article_rowid = e.article_rowid "
     f"WHERE e.target_id IS NOT NULL AND (e.source_id IS NULL OR e.source_id != e.target_id) AND {_CELLS} GROUP BY ac.cell, e.target_id"),
    ("agg_coquoted", "cell, low, high, articles",
     "SELECT x.cell, x.s, y.s, COUNT(*) FROM ({sp}) x JOIN ({sp}) y ON y.r = x.r AND x.s < y.s GROUP BY x.cell, x.s, y.s"),
    ("agg_quoted_about", "cell, speaker_id, target, quotes, articles",
     "SELECT ac.cell, q.speaker_id, j.value, COUNT(*), COUNT(DISTINCT q.article_rowid) FROM quotes q "
     "JOIN agg_article_cell ac ON ac.article_rowid = q.article_rowid, json_each(q.about) j WHERE q.speaker_id IS NOT NULL "
     f"AND q.about != '[]' AND j.value != q.speaker_id AND {_CELLS} GROUP BY ac.cell, q.speaker_id, j.value"),
)  # fmt: skip
# A symmetric event's ends in order (the network's edge key); the same expressions as network.py's.
LOW = "CASE WHEN e.symmetric = 1 AND e.target_id < e.source_id THEN e.target_id ELSE e.source_id END"
HIGH = "CASE WHEN e.symmetric = 1 AND e.target_id < e.source_id THEN e.source_id ELSE e.target_id END"
# One row per article and speaker id, with the article's cell (the co-quoted pairs).
_SPEAKERS = ("SELECT DISTINCT ac.cell AS cell, q.article_rowid AS r, q.speaker_id AS s FROM quotes q "
             f"JOIN agg_article_cell ac ON ac.article_rowid = q.article_rowid WHERE q.speaker_id IS NOT NULL AND {_CELLS}")  # fmt: skip


def _pg(db: Any) -> bool:
    return not isinstance(db, sqlite3.Connection)


def _key(values: tuple[Any, ...]) -> str:
    return _SEP.join(_NULL if v is None else str(v) for v in values)


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def _ids(db: Any, table: str, key_col: str, rows: dict[str, tuple[Any, ...]], cols: tuple[str, ...]) -> dict[str, int]:
    """Ids of the keyed *rows* of *table* (an outlet or a cell), adding those it does not have."""
    keys = list(rows)
    out: dict[str, int] = {}
    for part in _chunks(keys):
        out.update((k, int(i)) for i, k in db.execute(f"SELECT id, {key_col} FROM {table} WHERE {key_col} IN ({_in(part)})", part))  # noqa: S608
    missing = [k for k in keys if k not in out]
    if missing:
        db.executemany(f"INSERT OR IGNORE INTO {table} ({key_col}, {', '.join(cols)}) VALUES ({_in([key_col, *cols])})",  # noqa: S608
                       [(k, *rows[k]) for k in missing])  # fmt: skip
        for part in _chunks(missing):
            out.update((k, int(i)) for i, k in db.execute(f"SELECT id, {key_col} FROM {table} WHERE {key_col} IN ({_in(part)})", part))  # noqa: S608
    return out


def refresh(db: Any, rowids: list[int]) -> int:
    """Recompute every cell that the articles *rowids*, or those listed stale, lie in now or were counted
    in before (within the caller's transaction); returns how many cells were recomputed."""
    # Only the markers read are removed (another writer's, added meanwhile on PostgreSQL, stay listed).
    stale = [int(r[0]) for r in db.execute("DELETE FROM agg_stale RETURNING article_rowid").fetchall()]
    todo = list(dict.fromkeys([*map(int, rowids), *stale]))
    if not todo:
        return 0
    cells: set[int] = set()
    now: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]] = []  # rowid, (day, bucket), outlet
    for part in _chunks(todo):
        marks = _in(part)
        cells.update(int(r[0]) for r in db.execute(f"SELECT cell FROM agg_article_cell WHERE article_rowid IN ({marks})", part))  # noqa: S608
        for r in db.execute(
            f"SELECT rowid, substr(published, 1, 10), {', '.join(OUTLET_COLS)} FROM articles WHERE rowid IN ({marks})", part  # noqa: S608
        ):  # fmt: skip
            now.append((int(r[0]), (r[1], None if r[1] is not None else int(r[0]) // UNDATED_BUCKET), tuple(r[2:6])))
        db.execute(f"DELETE FROM agg_article_cell WHERE article_rowid IN ({marks})", part)  # noqa: S608
    if now:
        oids = _ids(db, "agg_outlets", "okey", {_key(o): o for _, _, o in now}, OUTLET_COLS)
        keyed = [(rowid, (*c, oids[_key(o)])) for rowid, c, o in now]  # (day, bucket, outlet id): the bucket is only in the key
        cids = _ids(db, "agg_cells", "ckey", {_key(c): (c[0], c[2], "X" if c[0] is not None and week_of(c[0]) is None else "D") for _, c in keyed},
                    ("day", "oid", "span"))  # fmt: skip
        mapping = [(rowid, cids[_key(c)]) for rowid, c in keyed]
        odd = sorted({cids[_key(c)] for _, c in keyed if c[0] is not None and week_of(c[0]) is None})
        for part in _chunks(odd):  # a day cell counted before migration 017 is marked 'D' whatever its day
            db.execute(f"UPDATE agg_cells SET span = 'X' WHERE id IN ({_in(part)}) AND span != 'X'", part)  # noqa: S608
        db.executemany("INSERT INTO agg_article_cell (article_rowid, cell) VALUES (?, ?)", mapping)
        cells.update(c for _, c in mapping)
    _recount(db, sorted(cells))
    _recount_words(db, sorted(cells), todo)  # only the batch's articles can have counts of an older body
    weeks: dict[str, tuple[Any, ...]] = {}
    days: set[str] = set()
    for part in _chunks(sorted(cells)):
        for day, oid, span in db.execute(f"SELECT day, oid, span FROM agg_cells WHERE id IN ({_in(part)}) AND span IN ('D', 'X') AND day IS NOT NULL", part):  # noqa: S608
            days.add(day)  # a day cell just marked X leaves its day's all-outlet cell too
            week = week_of(day) if span == "D" else None
            if week:
                weeks[_key(("W", week[0], oid))] = (week[0], int(oid), "W", week[1])
    if weeks:
        _recount_weeks(db, sorted(_ids(db, "agg_cells", "ckey", weeks, ("day", "oid", "span", "upto")).values()))
    _recount_totals(db, sorted(days), sorted({(w[0], w[3]) for w in weeks.values()}))
    return len(cells)


def week_of(day: str) -> tuple[str, str] | None:
    """(Monday, next Monday) of the ISO week of *day*, a ``YYYY-MM-DD`` calendar date; None for anything else
    (``published`` is free text): such a day's cell lies in no week cell. Between the two strings lie exactly
    the dates of that week, so a week cell sums the day cells ``monday <= day < next monday``."""
    if not _DATE.fullmatch(day):
        return None
    try:
        d = date.fromisoformat(day)
        monday = d - timedelta(days=d.weekday())
        return monday.isoformat(), (monday + timedelta(days=7)).isoformat()
    except (ValueError, OverflowError):
        return None


# How a week cell sums its day cells' rows, per table: (the key columns, the summed ones), in TABLES' column order.
WEEK_SUMS: dict[str, tuple[str, str]] = {
    "agg_speakers": ("skey", "MAX(x.speaker_id), MAX(x.speaker_name), MAX(x.speaker_country), SUM(x.quotes), SUM(x.articles)"),
    "agg_quote_origins": ("speaker_id, speaker_country", "SUM(x.quotes)"),
    "agg_themes": ("theme", "SUM(x.articles), SUM(x.score_micro), SUM(x.tone_micro), SUM(x.tone_n)"),
    "agg_tone": ("actor_id", "SUM(x.tone_micro), SUM(x.mentions), SUM(x.articles)"),
    "agg_mentions": ("actor_id", "SUM(x.mentions), SUM(x.articles)"),
    "agg_events": ("type, source, target", "SUM(x.events), SUM(x.articles)"),
    "agg_event_edges": ("low, high, type, is_symmetric", "SUM(x.events), SUM(x.articles)"),
    "agg_event_actors": ("actor_id", "SUM(x.events)"),
    "agg_coquoted": ("low, high", "SUM(x.articles)"),
    "agg_quoted_about": ("speaker_id, target", "SUM(x.quotes), SUM(x.articles)"),
}


def _recount_weeks(db: Any, weeks: list[int]) -> None:
    """Replace the rows of the week cells *weeks* with the sums of their outlet's day cells of the week
    (after those were recounted): exact, as a day cell equals a recount and an article lies in one day."""
    for part in _chunks(weeks):
        marks = _in(part)
        for table, (keys, sums) in WEEK_SUMS.items():
            cols = next(c for t, c, _ in TABLES if t == table)
            db.execute(f"DELETE FROM {table} WHERE cell IN ({marks})", part)  # noqa: S608
            xkeys = ", ".join(f"x.{k.strip()}" for k in keys.split(","))
            db.execute(
                # CROSS JOIN: SQLite's planner would otherwise start from every day cell (the dialect writes JOIN for PostgreSQL).
                f"INSERT INTO {table} ({cols}) SELECT w.id, {xkeys}, {sums} FROM agg_cells w CROSS JOIN agg_cells d ON d.oid = w.oid "  # noqa: S608
                f"AND d.span = 'D' AND d.day >= w.day AND d.day < w.upto CROSS JOIN {table} x ON x.cell = d.id "
                f"WHERE w.id IN ({marks}) GROUP BY w.id, {xkeys}", part,
            )  # fmt: skip
        _key_events(db, part)
    _recount_week_words(db, weeks)


# The all-outlet cells (migration 023): these tables summed over every outlet, per day of the day cells (span
# 'AD') and per ISO week ('AW'), for the readers with no outlet condition: the network's edges by day and week,
# the trends' tables (which read day cells only) by day. Their outlet is a reserved agg_outlets row (all columns
# NULL; no outlet's key starts with \x02).
TOTALS = ("agg_event_edges", "agg_coquoted", "agg_quoted_about")
DAY_TOTALS = ("agg_mentions", "agg_event_actors", "agg_tone", "agg_themes")
ALL_OUTLETS = "\x02all outlets"


def _recount_totals(db: Any, days: list[str], weeks: list[tuple[str, str]]) -> None:
    """Replace the all-outlet cells of *days* with the sums of every outlet's day cells of the day, then
    those of *weeks* ((Monday, next Monday)) with the sums of the week's all-outlet day cells."""
    if not days and not weeks:
        return
    oid = _ids(db, "agg_outlets", "okey", {ALL_OUTLETS: (None,) * len(OUTLET_COLS)}, OUTLET_COLS)[ALL_OUTLETS]
    for span, cells, summed in (
        ("AD", {_key(("AD", d, oid)): (d, oid, "AD", None) for d in days}, "d.span = 'D' AND d.day = w.day"),
        ("AW", {_key(("AW", m, oid)): (m, oid, "AW", upto) for m, upto in weeks}, "d.span = 'AD' AND d.day >= w.day AND d.day < w.upto"),
    ):  # fmt: skip
        ids = sorted(_ids(db, "agg_cells", "ckey", cells, ("day", "oid", "span", "upto")).values()) if cells else []
        keyed = {t for t, _, _ in KEYED}
        for part in _chunks(ids):
            marks = _in(part)
            for table in (*TOTALS, *DAY_TOTALS) if span == "AD" else TOTALS:
                keys, sums = WEEK_SUMS[table]
                cols = next(c for t, c, _ in TABLES if t == table)
                xkeys = ", ".join(f"x.{k.strip()}" for k in keys.split(","))
                # The summed cells' rows carry their group's key already (the day cells were keyed when counted).
                key, key_sum = (", ekey", ", MAX(x.ekey)") if table in keyed else ("", "")
                db.execute(f"DELETE FROM {table} WHERE cell IN ({marks})", part)  # noqa: S608
                db.execute(
                    f"INSERT INTO {table} ({cols}{key}) SELECT w.id, {xkeys}, {sums}{key_sum} FROM agg_cells w "  # noqa: S608
                    f"CROSS JOIN agg_cells d ON {summed} CROSS JOIN {table} x ON x.cell = d.id WHERE w.id IN ({marks}) GROUP BY w.id, {xkeys}", part,
                )  # fmt: skip


def _fill_totals(store: Any, batch: int) -> None:
    """Count the all-outlet cells of every day and week (a store from before migration 023), *batch* days a
    transaction, then mark them complete."""
    db = db_of(store)
    if db.execute("SELECT totals FROM agg_state WHERE id = 1").fetchone()[0]:
        return
    after = ""
    while True:
        days = [r[0] for r in db.execute(
            "SELECT DISTINCT day FROM agg_cells WHERE span IN ('D', 'X') AND day > ? ORDER BY day LIMIT ?", [after, batch])]  # fmt: skip
        if not days:
            break
        weeks = sorted({w for w in map(week_of, days) if w})
        _in_transaction(store, lambda: _recount_totals(db, days, weeks))
        after = days[-1]
    _in_transaction(store, lambda: db.execute("UPDATE agg_state SET totals = 1 WHERE id = 1"))


def _recount(db: Any, cells: list[int]) -> None:
    """Replace the aggregates of *cells* with a recount of their articles' child rows."""
    for part in _chunks(cells):
        marks = _in(part)
        for table in dict.fromkeys(t for t, _, _ in TABLES):
            db.execute(f"DELETE FROM {table} WHERE cell IN ({marks})", part)  # noqa: S608
        for table, cols, select in TABLES:
            sql = select.format(marks=marks, low=LOW, high=HIGH, sp=_SPEAKERS.format(marks=marks))
            db.execute(f"INSERT INTO {table} ({cols}) {sql}", part * sql.count(f"IN ({marks})"))  # noqa: S608
        _key_events(db, part)


# The aggregate tables whose rows carry an integer key of their group: (table, keys table, the group's columns).
KEYED = (("agg_events", "agg_event_keys", ("type", "source", "target")),  # migration 020: the comparison's event groups
         ("agg_event_edges", "agg_edge_keys", ("low", "high", "type", "is_symmetric")),  # 021: the network's event edges
         ("agg_coquoted", "agg_pair_keys", ("low", "high")),  # 022: and its quote edges
         ("agg_quoted_about", "agg_about_keys", ("speaker_id", "target")))


def _key_events(db: Any, cells: list[int]) -> None:
    """Give the rows of *cells* (at most CHUNK) in each KEYED table the integer key of their group, adding
    the groups not keyed yet: the readers sum a period's groups on that one column."""
    marks = _in(cells)
    for table, keys, cols in KEYED:
        same = " AND ".join(f"k.{c} = x.{c}" for c in cols)
        db.execute(
            f"INSERT OR IGNORE INTO {keys} ({', '.join(cols)}) SELECT DISTINCT {', '.join(f'x.{c}' for c in cols)} FROM {table} x "  # noqa: S608
            f"WHERE x.cell IN ({marks}) AND {' AND '.join(f'x.{c} IS NOT NULL' for c in cols)} "
            f"AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE {same})", cells,
        )  # fmt: skip
        own = " AND ".join(f"k.{c} = {table}.{c}" for c in cols)
        db.execute(f"UPDATE {table} SET ekey = (SELECT k.id FROM {keys} k WHERE {own}) WHERE cell IN ({marks})", cells)  # noqa: S608


# The names of KEYED group keys read through a store object, per keys table (a key's id never changes and none is deleted),
# held weakly like _every below: an entry goes with its store object.
_event_names: "weakref.WeakKeyDictionary[Any, dict[str, dict[int, tuple[Any, ...]]]]" = weakref.WeakKeyDictionary()


def keyed_groups(store: Any, table: str, sums: tuple[str, ...], cond: str, args: list[Any], min_weight: int | None = None
                 ) -> dict[int, tuple[int, ...]] | None:  # fmt: skip
    """Group key of a KEYED *table* (migrations 020-022) -> the *sums* of its columns (the first the weight)
    over the cells *cond* selects (as ``source`` takes it), groups weighing at least *min_weight* when given;
    None if a row has no key (the caller then groups on the names). :func:`key_names` names the keys."""
    having = f" HAVING SUM(x.{sums[0]}) >= ?" if min_weight is not None else ""
    rows = db_of(store).execute(f"SELECT x.ekey, {', '.join(f'SUM(x.{c})' for c in sums)} {source(table, cond)} GROUP BY x.ekey{having}",  # noqa: S608
                                [*args, *([min_weight] if min_weight is not None else [])]).fetchall()  # fmt: skip
    if any(r[0] is None for r in rows):
        return None
    if rows and all(type(v) is int for v in rows[0]):  # SQLite's sums are ints already (and a column's type is the same in every row)
        return {r[0]: tuple(r[1:]) for r in rows}
    return {int(r[0]): tuple(int(v) for v in r[1:]) for r in rows}  # PostgreSQL sums bigints as numeric


def key_names(store: Any, keys: list[int], table: str = "agg_event_keys") -> dict[int, tuple[Any, ...]]:
    """The group columns of *keys* of a KEYED keys *table* ((type, source, target) of event groups; (low,
    high, type, is_symmetric) of ``agg_edge_keys``…), kept per store object once read."""
    cols = next(c for _, k, c in KEYED if k == table)
    try:
        names = _event_names.setdefault(store, {}).setdefault(table, {})
    except TypeError:  # an object that cannot be held weakly: the names are read every time
        names = {}
    want = [k for k in keys if k not in names]
    for part in _chunks(want):
        names.update((int(r[0]), tuple(r[1:])) for r in db_of(store).execute(
            f"SELECT id, {', '.join(cols)} FROM {table} WHERE id IN ({_in(part)})", part))  # noqa: S608
    return names


def contenders(weights: dict[Any, Any], n: int) -> list[Any]:
    """The keys of *weights* (key -> a sequence whose first item is its weight) that can be among the *n*
    heaviest whatever breaks ties: those weighing at least the n-th largest weight. Only these need names."""
    if len(weights) <= n:
        return list(weights)
    cut = sorted([v[0] for v in weights.values()])[-n]  # the n-th largest; C's sort beats heapq over a generator here
    return [k for k, v in weights.items() if v[0] >= cut]


def _write_words(db: Any, cells: list[int], sums: dict[int, tuple[np.ndarray, np.ndarray]], articles: dict[int, int]) -> None:
    marks = _in(cells)
    db.execute(f"DELETE FROM agg_words WHERE cell IN ({marks})", cells)  # noqa: S608
    db.executemany("INSERT INTO agg_words (cell, articles, counts) VALUES (?, ?, ?)",
                   [(c, articles[c], pack_cell(*sums.get(c, (np.empty(0), np.empty(0))))) for c in cells if articles.get(c)])  # fmt: skip


def _stale_words(db: Any, col: str, rowids: list[Any]) -> list[int]:
    """The articles among ``agg_article_cell`` rows whose *col* is in *rowids* with no counts of their current body."""
    return [int(r[0]) for part in _chunks(rowids) for r in db.execute(
        f"SELECT ac.article_rowid FROM agg_article_cell ac LEFT JOIN article_words w ON w.article_rowid = ac.article_rowid WHERE ac.{col} IN ({_in(part)}) "  # noqa: S608
        "AND (w.article_rowid IS NULL OR NOT EXISTS (SELECT 1 FROM articles x WHERE x.content_hash = w.content_hash AND x.rowid = w.article_rowid))", part,
    )]  # fmt: skip


def _recount_words(db: Any, cells: list[int], articles: list[int] | None = None) -> int:
    """Replace the word sums of the day cells *cells* with the sum of their articles' stored counts, counting
    first those that have none for their current body: among *articles* (a write's batch and stale list,
    the only ones that can have such once the cells' words are filled), else every article of the cells
    (~30 ms for 300 cells of the benchmark store). Returns how many articles were summed."""
    keep_word_counts(db, _stale_words(db, "article_rowid", articles) if articles is not None else [])
    done = 0
    for part in _chunks(cells):
        marks = _in(part)
        if articles is None:
            keep_word_counts(db, _stale_words(db, "cell", part))
        items = [(int(cell), blob) for cell, blob in db.execute(
            f"SELECT ac.cell, w.counts FROM agg_article_cell ac JOIN article_words w ON w.article_rowid = ac.article_rowid WHERE ac.cell IN ({marks})", part  # noqa: S608
        )]  # fmt: skip
        held = dict.fromkeys(part, 0)
        for cell, _ in items:
            held[cell] += 1
        _write_words(db, part, sum_pairs(*pairs_of(items)), held)
        done += len(items)
    return done


def _recount_week_words(db: Any, weeks: list[int]) -> None:
    """Replace the word sums of the week cells *weeks* with the sums of their outlet's day cells of the week."""
    for part in _chunks(weeks):
        items, articles = [], dict.fromkeys(part, 0)
        for week, n, blob in db.execute(
            "SELECT w.id, x.articles, x.counts FROM agg_cells w CROSS JOIN agg_cells d ON d.oid = w.oid AND d.span = 'D' "  # noqa: S608
            f"AND d.day >= w.day AND d.day < w.upto CROSS JOIN agg_words x ON x.cell = d.id WHERE w.id IN ({_in(part)})", part,
        ):  # fmt: skip
            items.append((int(week), blob))
            articles[int(week)] += int(n)
        _write_words(db, part, sum_pairs(*pairs_of(items, cells=True)), articles)


def fill_aggregates(store: Any, batch: int = 5000) -> int:
    """Count every stored article into its cell (a store from before migration 014), one transaction per
    *batch* articles in date order, then mark the aggregates complete; returns how many articles were
    counted (0 when they were complete already). Cells counted before migration 019 only have their
    words summed (*batch* / 10 cells a transaction); the return is then how many articles those hold.
    The all-outlet cells of a store from before migration 023 are counted likewise (*batch* / 10 days a
    transaction)."""
    db = db_of(store)
    done, after = 0, None
    while True:
        if db.execute("SELECT complete FROM agg_state WHERE id = 1").fetchone()[0]:
            # complete, or completed meanwhile by another process (two server workers starting); a store from
            # before migration 019 has its cells' words summed now
            words = _fill_words(store, batch // 10)
            _fill_totals(store, batch // 10)
            return done + words
        # Keyset over (published, rowid) so that a day's articles come together and its cells are recounted few times.
        cond, args = ("1", []) if after is None else ("(COALESCE(published, '') > ? OR (COALESCE(published, '') = ? AND rowid > ?))",
                                                       [after[0], after[0], after[1]])  # fmt: skip
        rows = db.execute(
            f"SELECT rowid, COALESCE(published, '') FROM articles WHERE {cond} ORDER BY COALESCE(published, ''), rowid LIMIT ?",  # noqa: S608
            [*args, batch],
        ).fetchall()  # fmt: skip
        _in_transaction(store, lambda: refresh(db, [int(r[0]) for r in rows]) if rows else None)
        if not rows:
            break
        done += len(rows)
        after = (rows[-1][1], int(rows[-1][0]))
    _in_transaction(store, lambda: db.execute("UPDATE agg_state SET complete = 1, words = 1, totals = 1 WHERE id = 1"))
    return done


def _fill_words(store: Any, batch: int) -> int:
    """Sum the words of every day cell, then of every week cell, *batch* cells a transaction (the cells of a
    store counted before migration 019), then mark them complete; returns how many articles were summed."""
    db = db_of(store)
    if db.execute("SELECT words FROM agg_state WHERE id = 1").fetchone()[0]:
        return 0
    done = 0
    for spans, recount in ((("D", "X"), _recount_words), (("W",), _recount_week_words)):
        after = 0
        while True:
            ids = [int(r[0]) for r in db.execute(
                f"SELECT id FROM agg_cells WHERE id > ? AND span IN ({_in(list(spans))}) ORDER BY id LIMIT ?", [after, *spans, batch]  # noqa: S608
            )]  # fmt: skip
            if not ids:
                break
            summed: list[int] = []
            _in_transaction(store, lambda: summed.append(recount(db, ids) or 0))
            done += summed[0]
            after = ids[-1]
    _in_transaction(store, lambda: db.execute("UPDATE agg_state SET words = 1 WHERE id = 1"))
    return done


def _in_transaction(store: Any, work: Any) -> None:
    db = db_of(store)
    db.execute("BEGIN IMMEDIATE")
    try:
        work()
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def usable(db: Any) -> bool:
    """True when the aggregates equal a recount: filled, and no article's cell waiting to be recomputed."""
    try:
        r = db.execute("SELECT complete FROM agg_state WHERE id = 1").fetchone()
    except Exception:  # noqa: BLE001 - a store from before migration 014 (opened without migrating)
        return False
    return bool(r and r[0]) and db.execute("SELECT 1 FROM agg_stale LIMIT 1").fetchone() is None


def totals_ready(db: Any) -> bool:
    """True when the all-outlet cells (migration 023) equal a recount: the aggregates :func:`usable` and every
    day's and week's all-outlet cell counted."""
    try:
        r = db.execute("SELECT totals FROM agg_state WHERE id = 1").fetchone()
    except Exception:  # noqa: BLE001 - a store from before migration 023 (opened without migrating)
        return False
    return bool(r and r[0]) and usable(db)


def words_ready(db: Any) -> bool:
    """True when the cells' word sums (migration 019) equal a recount: the aggregates :func:`usable` and
    every cell's words summed."""
    try:
        r = db.execute("SELECT words FROM agg_state WHERE id = 1").fetchone()
    except Exception:  # noqa: BLE001 - a store from before migration 019 (opened without migrating)
        return False
    return bool(r and r[0]) and usable(db)


def scope(store: Any, f: Filters, sides: list[Any] | None = None, *, weeks: bool = False, totals: bool = False
          ) -> list[tuple[str, list[Any]]] | None:  # fmt: skip
    """The aggregates' condition (over ``agg_cells c`` and ``agg_outlets a``) for the articles *f* selects,
    one per side when *sides* are given (else one); None when the aggregates cannot answer exactly: a
    filter by actor, theme, story or thread, a date that is not a plain ``YYYY-MM-DD``, or aggregates not
    usable now. The cells are day cells; with *weeks* (for sums only: a week cell holds no articles of its
    own in ``agg_article_cell``, and no day of its own for the trends), the whole weeks between both dates
    are week cells (:func:`period_cells`). With *totals* (for the TOTALS tables, and without *weeks* for the
    DAY_TOTALS ones too), a period of every outlet reads the all-outlet cells of its days and weeks instead
    (migration 023) once they are counted."""
    if f.actor or f.theme or f.story is not None or f.thread is not None:
        return None
    if any(d is not None and not _DATE.fullmatch(d) for d in (f.since, f.until)):
        return None
    db = db_of(store)
    if not usable(db):
        return None
    # ``published >= since`` holds exactly when its first ten characters are >= since (a date is ten
    # characters), and ``published < until + '\uffff'`` likewise: the day column answers the same.
    # Every outlet over a dated period (undated articles lie in no all-outlet cell): one cell a day or week.
    every = totals and not sides and not (f.outlet or f.country or f.kind) and bool(f.since or f.until) and totals_ready(db)
    day, week = ("AD", "AW") if every else ("D", "W")
    conds, args = [f"c.span IN ('{day}', 'X')"], []
    whole = period_cells(f.since, f.until, day, week) if weeks else None
    if whole:
        conds, args = [whole[0]], whole[1]
    if f.since and not whole:
        conds.append("c.day >= ?")
        args.append(f.since)
    if f.until and not whole:
        conds.append("c.day < ?")
        args.append(f.until + "\uffff")
    oc, oargs = where(store, Filters(outlet=f.outlet, country=f.country, kind=f.kind), "a")
    base = " AND ".join([*conds, oc])
    if sides is None:
        return [(base, [*args, *oargs])]
    out = []
    for side in sides:
        sc, sargs = side.sql("a")
        out.append((f"{base} AND {sc}", [*args, *oargs, *sargs]))
    return out


def period_cells(since: str | None, until: str | None, day: str = "D", week: str = "W") -> tuple[str, list[Any]] | None:
    """The cells of the days *since* to *until* (both ``YYYY-MM-DD`` dates) when at least one whole ISO week
    lies between them: the week cells of the whole weeks, the day cells of the days before and after them,
    and the day cells in the period whose day is no calendar date (span ``X``: in no week cell). The same
    articles as the day cells of the period, each counted once; None when no whole week fits. *day* and *week*:
    the spans of the day and week cells (``AD`` and ``AW``: the all-outlet cells)."""
    if not since or not until:
        return None
    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
        monday = first + timedelta(days=-first.weekday() % 7)
        n = ((last - monday).days + 1) // 7
        if n <= 0:
            return None
        start, end, stop = monday.isoformat(), (monday + timedelta(days=7 * n)).isoformat(), until + "\uffff"
    except (ValueError, OverflowError):  # not a calendar date, or the week after 9999-12-31
        return None
    # Each term a range of the (span, day) index, so that SQLite reads the four ranges and nothing else.
    return (f"((c.span = '{day}' AND c.day >= ? AND c.day < ?) OR (c.span = '{day}' AND c.day >= ? AND c.day < ?) "
            f"OR (c.span = 'X' AND c.day >= ? AND c.day < ?) OR (c.span = '{week}' AND c.day >= ? AND c.day < ?))",
            [since, start, end, stop, since, stop, start, end])  # fmt: skip


def source(table: str, cond: str) -> str:
    """``FROM`` an aggregate table (aliased ``x``) with its cells (``c``) and outlets (``a``), ``WHERE`` *cond*."""
    return f"FROM {table} x JOIN agg_cells c ON c.id = x.cell JOIN agg_outlets a ON a.id = c.oid WHERE {cond}"



# What every_article_counted answered, per store (or connection) object: held weakly, so an entry goes with
# its object and a later object given the freed one's id() cannot be handed another store's answer.
_every: "weakref.WeakKeyDictionary[Any, tuple[int, tuple[Any, ...], bool]]" = weakref.WeakKeyDictionary()


def every_article_counted(store: Any) -> bool:
    """True when every stored article lies in a cell (``agg_article_cell``): then the articles a scope's
    cells hold are exactly the articles it selects, and a side's article list can be read from the cells'
    index instead of the articles' rows (one page each, body and all). An article stored but never
    analysed has no cell. *store*: a store, or its connection.

    Counting the articles takes ~0.8 ms per 100,000 on SQLite (more on PostgreSQL), so the answer is kept
    for the store object (weakly; a bare SQLite connection cannot be, and is answered afresh) with what it
    was read at: the store generation, whether the aggregates are complete, and the highest rowid of the
    articles and of the cells' index, four look-ups by key or by index end, cheap on both backends (a
    ``COUNT(*)`` of the index would scan it on PostgreSQL). Between two equal readings no article was
    written (each insert, update, delete and stored analysis moves the generation, and the cells' index
    changes only with such a write or, while the aggregates are incomplete, by ``fill_aggregates``)."""
    db = db_of(store) if hasattr(store, "db") else store
    at = (db.execute("SELECT generation FROM store_generation WHERE id = 1").fetchone()[0],
          db.execute("SELECT complete FROM agg_state WHERE id = 1").fetchone()[0],
          db.execute("SELECT MAX(rowid) FROM articles").fetchone()[0],
          db.execute("SELECT MAX(article_rowid) FROM agg_article_cell").fetchone()[0])  # fmt: skip
    try:
        seen = _every.get(store)
    except TypeError:  # not weakly referable (sqlite3.Connection)
        seen, store = None, None
    if seen is None or seen[0] != id(db) or seen[1] != at:  # id(db): the store's connection, alive with the store
        answer = (db.execute("SELECT COUNT(*) FROM agg_article_cell").fetchone()[0]
                  == db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])  # fmt: skip
        if store is None:
            return answer
        seen = _every[store] = (id(db), at, answer)
    return seen[2]


def side_articles(cond: str) -> str:
    """SQL for (rowid, outlet name, country, kind, day published) of the articles in the cells *cond*
    selects (see :func:`scope`); only exact when :func:`every_article_counted` and :func:`usable` hold."""
    return ("SELECT ac.article_rowid, a.outlet_name, a.outlet_country, a.outlet_kind, c.day FROM agg_cells c "  # noqa: S608
            f"JOIN agg_outlets a ON a.id = c.oid JOIN agg_article_cell ac ON ac.cell = c.id WHERE {cond}")  # fmt: skip


def cell_words(store: Any, summed: tuple[str, list[Any]], cells: tuple[str, list[Any]] | None = None) -> CellWords | None:
    """A side's word counts over its scope from the cells' word sums: *summed* the cells to sum (``scope(...,
    weeks=True)``), *cells* its day cells (``scope(...)``; where the shown words' evidence is looked for; none
    when omitted). Every article of the scope is counted (``articles`` is how many); None when the cells
    cannot answer exactly: words not summed yet (a store from before migration 019 until
    :func:`fill_aggregates`), cells stale, or an article stored in no cell (then read the articles' rows)."""
    db = db_of(store)
    if not words_ready(db) or not every_article_counted(store):
        return None
    rows = db.execute(f"SELECT x.articles, x.counts {source('agg_words', summed[0])}", summed[1]).fetchall()  # noqa: S608
    return CellWords(db, cells).load(vocabulary(store), [(r[0], r[1]) for r in rows])


def side_outlets(store: Any, summed: tuple[str, list[Any]]) -> tuple[int, list[dict[str, Any]]] | None:
    """(articles, outlets) of a side over its scope from the cells' article counts (*summed* as for
    :func:`cell_words`), without reading an article: each outlet as ``{name, country, kind, articles}``, most
    articles first, then by name (NULL first), country and kind, as a comparison lists them. None when the
    cells cannot answer exactly (as :func:`cell_words`)."""
    db = db_of(store)
    if not words_ready(db) or not every_article_counted(store):
        return None
    groups = db.execute(
        f"SELECT a.outlet_name, a.outlet_country, a.outlet_kind, SUM(x.articles) {source('agg_words', summed[0])} "  # noqa: S608
        "GROUP BY a.outlet_name, a.outlet_country, a.outlet_kind", summed[1],
    ).fetchall()  # fmt: skip
    rows = sorted(((tuple(g[:3]), int(g[3])) for g in groups), key=lambda kv: (-kv[1], *((x is not None, x or "") for x in kv[0])))
    return sum(n for _, n in rows), [{"name": k[0], "country": k[1], "kind": k[2], "articles": n} for k, n in rows]
