"""A brief's dates and scope as SQL: the period (and the one before it), and the articles in scope.

The articles of a period that the scope keeps are read once, as their rowids, and every section then
reads ``a.rowid IN (…)`` (integers from the store itself, written into the SQL): one set of articles
for every section and figure, whichever flags narrowed it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..analysis.queries import actor_ids, db_of
from .model import BriefError, Period, Scope

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}


def parse_date(value: str | date | None, flag: str) -> date | None:
    """*value* as a date; :class:`BriefError` naming *flag* when it is not ``YYYY-MM-DD``."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BriefError(f"{flag}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def period_dates(period: str, today: date | None = None) -> tuple[date, date]:
    """The dates of ``day`` (today), ``week`` (the 7 days ending today) or ``month`` (the 30 days ending today)."""
    if period not in PERIOD_DAYS:
        raise BriefError(f"--period: {period!r} is not one of {', '.join(PERIOD_DAYS)}")
    end = today or date.today()
    return end - timedelta(days=PERIOD_DAYS[period] - 1), end


def make_period(since: str | date, until: str | date | None = None, today: date | None = None) -> Period:
    """The period from *since* to *until* (inclusive; default today) and the preceding one of equal length.
    Figures step by day up to 62 days, by week up to 366, else by month."""
    s = parse_date(since, "--since")
    u = parse_date(until, "--until") or today or date.today()
    assert s is not None
    if u < s:
        raise BriefError(f"--until {u} is before --since {s}")
    days = (u - s).days + 1
    prev_until = s - timedelta(days=1)
    prev_since = prev_until - timedelta(days=days - 1)
    bucket = "day" if days <= 62 else "week" if days <= 366 else "month"
    return Period(str(s), str(u), str(prev_since), str(prev_until), days, bucket)


def _actor_cond(store: Any, value: str) -> tuple[str, list[Any]]:
    if len(value) == 2 and value.isalpha():
        return "SELECT article_rowid FROM mentions WHERE country = ?", [value.upper()]
    ids = actor_ids(store, value)
    if not ids:
        raise BriefError(f"--actor: unknown actor {value!r} (a country code, a registry id or a name from data/actors.csv)")
    return f"SELECT article_rowid FROM mentions WHERE actor_id IN ({', '.join('?' * len(ids))})", ids


def theme_id(value: str) -> str:
    from ..themes import taxonomy

    want = value.strip().casefold()
    for t in taxonomy().themes:
        if want in (t.id.casefold(), t.name.casefold()):
            return t.id
    raise BriefError(f"--theme: unknown theme {value!r} (one of {', '.join(t.id for t in taxonomy().themes)})")


def watch_rule(store: Any, name: str) -> dict[str, Any]:
    """The stored watch rule *name* names: its id, or its spec exactly as written."""
    from ..monitor.state import MonitorState

    rows = MonitorState(store).rules()
    for r in rows:
        if name.strip() == str(r["id"]) or name.strip() == r["spec"].strip():
            return r
    known = "; ".join(f"{r['id']}: {r['spec']}" for r in rows) or "none stored (polarwatch watch add …)"
    raise BriefError(f"--watch: no watch rule {name!r} (rules: {known})")


def scope_sql(store: Any, scope: Scope) -> tuple[str, list[Any]]:
    """The condition over ``articles a`` for the actor, theme and outlet fields of *scope*."""
    conds: list[str] = []
    args: list[Any] = []
    if scope.actors:
        parts = [_actor_cond(store, v) for v in scope.actors]
        conds.append(f"a.rowid IN ({' UNION '.join(p for p, _ in parts)})")
        args += [x for _, xs in parts for x in xs]
    if scope.themes:
        ids = [theme_id(t) for t in scope.themes]
        conds.append(f"a.rowid IN (SELECT article_rowid FROM article_themes WHERE theme IN ({', '.join('?' * len(ids))}))")
        args += ids
    if scope.outlets:
        conds.append("(" + " OR ".join(["lower(a.outlet_name) LIKE ? OR lower(a.outlet_domain) LIKE ?"] * len(scope.outlets)) + ")")
        args += [f"%{o.strip().lower()}%" for o in scope.outlets for _ in (0, 1)]
    return (" AND ".join(conds) or "1=1"), args


def articles_in(store: Any, scope: Scope, since: str, until: str) -> list[int]:
    """Rowids of the articles published from *since* to *until* (inclusive) that *scope* keeps, oldest first."""
    db = db_of(store)
    cond, args = scope_sql(store, scope)
    rule = watch_rule(store, scope.watch) if scope.watch is not None else None  # a bad name fails on an empty period too
    rowids = [r[0] for r in db.execute(
        f"SELECT a.rowid FROM articles a WHERE a.published >= ? AND a.published < ? AND {cond} ORDER BY a.published, a.rowid",  # noqa: S608
        [since, until + "\uffff", *args],
    )]  # fmt: skip
    if rule is not None and rowids:
        rowids = _watched(store, rule, rowids)
    return rowids


def _watched(store: Any, rule: dict[str, Any], rowids: list[int]) -> list[int]:
    """The articles among *rowids* that satisfy the watch rule, judged by the monitor's own rule code."""
    from ..monitor.watch import ArticleFacts, evaluate

    conditions = [(k, list(v)) for k, v in rule["conditions"]]
    db = db_of(store)
    keep = []
    for start in range(0, len(rowids), 500):
        chunk = rowids[start : start + 500]
        for rowid, aid in db.execute(f"SELECT a.rowid, a.id FROM articles a WHERE a.rowid IN ({inline(chunk)})").fetchall():  # noqa: S608
            facts = ArticleFacts.load(store, aid)
            if facts is not None and evaluate(conditions, facts) is not None:
                keep.append(rowid)
    order = {r: i for i, r in enumerate(rowids)}
    return sorted(keep, key=order.__getitem__)


def inline(rowids: list[int]) -> str:
    """Rowids as SQL list text (integers only: anything else is refused), ``NULL`` for none."""
    return ", ".join(str(int(r)) for r in rowids) or "NULL"
