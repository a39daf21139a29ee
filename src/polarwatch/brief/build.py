"""``build_brief``: every section and figure of a brief, read from the store for one period and scope."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from ..analysis.queries import db_of
from .figures import figures
from .model import Brief, Period, Scope
from .scope import articles_in, inline, make_period
from .sections import Ctx, contrasts, event_rows, new_events, significant_quotes, story_sizes, theme_changes, top_stories

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def build_brief(
    store: Any, since: str | date | Period, until: str | date | None = None, scope: Scope | None = None, *,
    base_url: str = DEFAULT_BASE_URL, today: date | None = None,
) -> Brief:
    """The brief of the articles published from *since* to *until* (inclusive; default today) that *scope*
    keeps. *base_url* is the dashboard the links point to. An empty period gives a brief with empty
    sections (``brief.empty``); a bad date, actor, theme or watch rule raises :class:`BriefError`."""
    period = since if isinstance(since, Period) else make_period(since, until, today)
    scope = scope or Scope()
    rows = articles_in(store, scope, period.since, period.until)
    ctx = Ctx(store, period, rows, base_url.rstrip("/"))
    outlets = db_of(store).execute(
        f"SELECT COUNT(DISTINCT COALESCE(a.outlet_name, a.outlet_domain)) FROM articles a WHERE a.rowid IN ({inline(rows)})"  # noqa: S608
    ).fetchone()[0]
    sizes = story_sizes(ctx)
    events = event_rows(ctx)
    rising, falling = theme_changes(ctx, articles_in(store, scope, period.previous_since, period.previous_until))
    return Brief(
        period=period, scope=scope, base_url=ctx.base_url, generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        articles=len(rows), outlets=outlets, stories=top_stories(ctx, sizes), quotes=significant_quotes(ctx, sizes),
        new_events=new_events(ctx, events), themes_rising=rising, themes_falling=falling, contrasts=contrasts(ctx, sizes),
        figures=figures(ctx, events),
    )  # fmt: skip
