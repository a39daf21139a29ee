"""Commands of live monitoring: ``sources``, ``monitor``, ``watch`` and ``alerts`` (docs/monitor.md)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import click

from .cli import _db, _emit, _fail, db_option, main, workers_option
from .config import load_settings
from .store import StoreError, open_store


def _state(ctx: click.Context, db: str | None) -> Any:
    from .monitor import MonitorState

    try:
        return MonitorState(open_store(_db(ctx, db)))
    except StoreError as exc:
        _fail(str(exc))


# -- sources -------------------------------------------------------------------------------------------
@main.group()
def sources() -> None:
    """The feeds and news sitemaps the monitor polls: the default list plus your own."""


@sources.command("list")
@db_option
@click.option("--all", "show_all", is_flag=True, help="Also the default sources you removed.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def sources_list(ctx: click.Context, db: str | None, show_all: bool, as_json: bool) -> None:
    """Each source with its health: last success, error streak, articles found, last error."""
    from .monitor import all_sources

    st = _state(ctx, db)
    health = st.states()
    for s in all_sources(st):
        if not s.enabled and not show_all:
            continue
        h = health.get(s.id, {})
        row = s.as_dict() | {k: h.get(k) for k in ("last_checked", "last_success", "last_status", "last_error")}
        row |= {k: h.get(k, 0) for k in ("error_streak", "entries_seen", "articles_found")}
        if as_json:
            _emit(row)
            continue
        flag = "" if s.enabled else " (removed)"
        status = h.get("last_status") or "never polled"
        click.echo(f"{s.id:<22} {s.kind:<7} {s.url}{flag}")
        click.echo(f"{'':<22} {status}, last success {h.get('last_success') or '-'}, error streak {row['error_streak']}, "
                   f"{row['articles_found']} articles found" + (f"; {h['last_error']}" if h.get("last_error") else ""))  # fmt: skip


@sources.command("add")
@click.argument("url")
@db_option
@click.option("--id", "sid", metavar="ID", help="A short name (default: made from the URL).")
@click.option("--kind", type=click.Choice(["feed", "sitemap"]), default="feed", show_default=True, help="RSS/Atom feed or news sitemap.")
@click.option("--outlet", metavar="DOMAIN", help="The outlet's domain as in data/outlets.csv (default: from the URL).")
@click.pass_context
def sources_add(ctx: click.Context, url: str, db: str | None, sid: str | None, kind: str, outlet: str | None) -> None:
    """Add a feed or sitemap to poll (or bring back a default one you removed)."""
    from .monitor import SourceError, add_source

    try:
        s = add_source(_state(ctx, db), url, kind, sid, outlet)
    except SourceError as exc:
        _fail(str(exc))
    click.echo(f"added {s.id}: {s.kind} {s.url}")


@sources.command("remove")
@click.argument("source_id", metavar="ID")
@db_option
@click.pass_context
def sources_remove(ctx: click.Context, source_id: str, db: str | None) -> None:
    """Stop polling a source (a default one is switched off; its seen entries are kept)."""
    from .monitor import SourceError, remove_source

    try:
        s = remove_source(_state(ctx, db), source_id)
    except SourceError as exc:
        _fail(str(exc))
    click.echo(f"removed {s.id}: {s.url}")


# -- monitor ----------------------------------------------------------------------------------------------
@main.command()
@db_option
@click.option("--once", is_flag=True, help="One cycle, then exit (status 1 if a source or a delivery failed).")
@click.option("--interval", type=click.FloatRange(min=1), default=900, show_default=True, metavar="S",
              help="Seconds between polls of one source.")
@click.option("--force", is_flag=True, help="Poll every source now, whether it is due or not.")
@click.option("--source", "only", multiple=True, metavar="ID", help="Poll only this source (repeatable).")
@click.option("--no-nlp", is_flag=True, help="Store new articles without extraction (no events, themes, alerts on them).")
@workers_option
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True, metavar="N",
              help="Requests in flight at once, over all hosts.")
@click.option("--host-interval", type=click.FloatRange(min=0), default=1.0, show_default=True, metavar="S",
              help="Seconds between requests to one host (a longer robots.txt Crawl-delay wins).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, metavar="S",
              help="Seconds for one request, connecting to last byte.")
@click.option("--allow-private", is_flag=True,
              help="Also fetch private, loopback and link-local addresses (an intranet feed); off since a feed's links could point there.")
@click.option("--notify", multiple=True, metavar="SPEC",
              help="Where alerts go: stdout, file:PATH, webhook:URL, email:ADDRESS (repeatable; default stdout).")
@click.option("--smtp", metavar="HOST[:PORT]", default="localhost:25", show_default=True, help="SMTP server for email:.")
@click.option("--smtp-from", metavar="ADDRESS", default="polarwatch@localhost", show_default=True, help="Sender of alert mail.")
@click.option("--smtp-user", metavar="USER", help="SMTP login (password from $POLARWATCH_SMTP_PASSWORD).")
@click.option("--smtp-starttls", is_flag=True, help="Upgrade the SMTP connection with STARTTLS.")
@click.option("--json", "as_json", is_flag=True, help="Cycle reports and stdout alerts as JSON lines.")
@click.option("--quiet", "-q", is_flag=True, help="No cycle reports.")
@click.pass_context
def monitor(ctx: click.Context, db: str | None, once: bool, interval: float, force: bool, only: tuple[str, ...], no_nlp: bool,
            workers: int | None, concurrency: int, host_interval: float, timeout: float, allow_private: bool, notify: tuple[str, ...], smtp: str,
            smtp_from: str, smtp_user: str | None, smtp_starttls: bool, as_json: bool, quiet: bool) -> None:
    """Poll the sources on a schedule, ingest new articles, raise and deliver alerts.

    Polite: robots.txt, conditional GET, a per-host rate limit, retries with backoff.
    Stop with Ctrl-C or SIGTERM; the next start resumes where this one stopped.
    """
    from .monitor import ChannelError, FetchPolicy, Fetcher, Monitor, SmtpConfig, all_sources, channel

    settings = load_settings(db=_db(ctx, db), workers=workers)
    try:
        store = open_store(settings.db)
    except StoreError as exc:
        _fail(str(exc))
    host, _, port = smtp.partition(":")
    smtp_cfg = SmtpConfig(host or "localhost", int(port) if port.isdigit() else 25, smtp_from, smtp_starttls, smtp_user,
                          os.environ.get("POLARWATCH_SMTP_PASSWORD"))  # fmt: skip
    policy = FetchPolicy(timeout=timeout, connect_timeout=min(10.0, timeout), host_interval=host_interval, allow_private=allow_private)
    fetcher = Fetcher(policy)
    echo = (lambda s: None) if quiet else (lambda s: click.echo(s, err=True))

    def alert_out(text: str) -> None:
        click.echo(text)

    try:
        channels = [channel(spec, fetcher, smtp_cfg, alert_out) for spec in (notify or ("stdout",))]
    except ChannelError as exc:
        _fail(str(exc))
    if as_json:
        for ch in channels:
            if ch.spec == "stdout":
                ch.send = lambda a: _emit({"alert": a})
    mon = Monitor(store, settings=settings, policy=policy, fetcher=fetcher, nlp=not no_nlp, interval=interval, channels=channels,
                  concurrency=concurrency, only=set(only) or None, log=lambda s: None)  # fmt: skip
    if only:
        known = {s.id for s in all_sources(mon.state) if s.enabled}
        if bad := sorted(set(only) - known):
            _fail(f"no source {', '.join(bad)} (see `polarwatch sources list`)")
    stop = threading.Event()
    failed = False

    def on_cycle(rep: Any) -> None:
        nonlocal failed
        failed = failed or bool(rep.source_errors or rep.delivery_errors)
        if as_json and not quiet:
            _emit({"cycle": rep.as_dict()})
        elif not as_json:
            echo(rep.line())
            for err in rep.source_errors + rep.delivery_errors:
                echo(f"  {err}")

    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if threading.current_thread() is threading.main_thread() else None
    try:
        if force:
            on_cycle(mon.cycle(force=True, stop=stop))
            if not once:
                mon.run(stop=stop, on_cycle=on_cycle)
        else:
            mon.run(once=once, stop=stop, on_cycle=on_cycle)
    except KeyboardInterrupt:
        stop.set()
        echo("interrupted: what was stored stays stored; the next start finishes pending entries")
    finally:
        mon.close()
        store.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    sys.exit(1 if once and failed else 0)


# -- watch rules and alerts -------------------------------------------------------------------------------
@main.group()
def watch() -> None:
    """Watch rules: alerts when a new article matches (keys actor, source, target, type, theme, outlet, keyword)."""


@watch.command("add")
@click.argument("spec")
@db_option
@click.pass_context
def watch_add(ctx: click.Context, spec: str, db: str | None) -> None:
    """Add a rule, e.g. "source=CN theme=minerals" or "actor=RU actor=NO type=THREATEN,COERCE"."""
    from .monitor import WatchError, parse_rule

    try:
        conditions = parse_rule(spec)
    except WatchError as exc:
        _fail(str(exc))
    rid = _state(ctx, db).add_rule(spec, conditions)
    click.echo(f"rule {rid}: {spec}")


@watch.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def watch_list(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """The rules, with their normalised conditions."""
    for r in _state(ctx, db).rules():
        if as_json:
            _emit(r)
        else:
            conds = " ".join(f"{k}={','.join(v)}" for k, v in r["conditions"])
            click.echo(f"{r['id']:>4}  {r['spec']}    [{conds}]")


@watch.command("remove")
@click.argument("rule_id", type=int, metavar="ID")
@db_option
@click.pass_context
def watch_remove(ctx: click.Context, rule_id: int, db: str | None) -> None:
    """Remove a rule (its alerts are kept)."""
    if not _state(ctx, db).remove_rule(rule_id):
        _fail(f"no rule {rule_id} (see `polarwatch watch list`)")
    click.echo(f"removed rule {rule_id}")


@main.command()
@db_option
@click.option("--rule", "rule_id", type=int, metavar="ID", help="Only this rule's alerts.")
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def alerts(ctx: click.Context, db: str | None, rule_id: int | None, limit: int, as_json: bool) -> None:
    """Alerts raised by watch rules, newest first, with the evidence sentence and link."""
    from .monitor.alerts import text_of

    rows = _state(ctx, db).alerts(rule_id, limit)
    for a in rows:
        if as_json:
            _emit(a)
        else:
            click.echo(text_of(a))
    if not rows:
        sys.exit(1)

