"""``polarwatch threads`` and ``polarwatch thread ID``: stories linked by the ongoing issue they belong to."""

from __future__ import annotations

from typing import Any

import click

from . import lib
from .cli import _db, _emit, _fail, _or_fail, _rows_out, db_option, main


def link_text(reasons: dict[str, Any]) -> str:
    """One line saying why a story is linked: what it shares with the story it links to."""
    parts = []
    for key, label in (("terms", "terms"), ("actors", "actors"), ("themes", "themes")):
        if reasons.get(key):
            parts.append(f"{label}: {', '.join(reasons[key])}")
    if reasons.get("reply"):
        parts.append(f"story {reasons['reply']['story']} answers story {reasons['reply']['answers']}")
    if reasons.get("gap_days") is not None:
        parts.append(f"{reasons['gap_days']} days apart")
    return "; ".join(parts) or "text only"


@main.command()
@db_option
@click.option("--limit", default=50, show_default=True, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def threads(ctx: click.Context, db: str | None, limit: int, as_json: bool) -> None:
    """Threads (stories about one ongoing issue), most stories first."""
    _rows_out(
        _or_fail(lib.threads, _db(ctx, db), limit=limit), as_json,
        "no threads yet (a thread needs two linked stories; ingest without --no-nlp, or run `polarwatch reprocess`)", None,
        lambda r: f"{r['id']:>6} {r['stories']:>3} stories {r['articles']:>4} articles  "
        f"{r['first_seen'] or '?'} to {r['last_seen'] or '?'}  {r['title'] or '(untitled)'}",
    )  # fmt: skip


@main.command()
@click.argument("thread_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def thread(ctx: click.Context, thread_id: int, db: str | None, as_json: bool) -> None:
    """One thread: its stories in time order with their outlets, what they share and why they are linked."""
    t = _or_fail(lib.thread, thread_id, _db(ctx, db))
    if t is None:
        _fail(f"no thread {thread_id}", 1)
    if as_json:
        _emit(t)
        return
    click.echo(f"thread {t['id']}: {t['title'] or '(untitled)'}\n"
               f"seen {t['first_seen'] or '?'} to {t['last_seen'] or '?'}, {len(t['stories'])} stories, {t['articles']} articles")  # fmt: skip
    click.echo("stories:")
    for s in t["stories"]:
        outlets = ", ".join(f"{o['name'] or '(unknown)'} [{o['country'] or '?'}, {o['kind'] or '?'}]" for o in s["outlets"])
        click.echo(f"  story {s['id']}  {s['first_seen'] or '(undated)'}  {s['articles']} articles  {s['title'] or '(untitled)'}")
        click.echo(f"    outlets: {outlets or '-'}")
        click.echo(f"    linked to story {s['linked_to']} ({s['score']:.2f}): {link_text(s['reasons'])}")
    sh = t["shared"]
    for key, fmt in (("actors", lambda a: a["name"] or a["id"]), ("themes", lambda x: x["theme"]), ("names", lambda x: x["name"])):
        if sh[key]:
            click.echo(f"shared {key}: " + ", ".join(f"{fmt(x)} ({x['stories']})" for x in sh[key][:12]))
