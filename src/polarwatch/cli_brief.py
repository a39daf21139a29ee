"""``polarwatch brief``: the report of a period (day, week, month or any dates) as HTML and PDF (docs/briefs.md)."""

from __future__ import annotations

import click

from .cli import _db, _emit, _fail, db_option, main
from .store import StoreError, open_store


@main.command()
@db_option
@click.option("--since", metavar="YYYY-MM-DD", help="First day of the brief.")
@click.option("--until", metavar="YYYY-MM-DD", help="Last day of the brief (default: today).")
@click.option("--period", type=click.Choice(["day", "week", "month"]),
              help="Shorthand ending today: today, the last 7 days or the last 30 days (not with --since/--until).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), metavar="FILE.html", help="The HTML file to write.")
@click.option("--pdf", is_flag=True, help="Also write the PDF beside it: the same name with .pdf (brief.html -> brief.pdf).")
@click.option("--actor", multiple=True, metavar="ACTOR", help="Only articles mentioning this actor (country code, id or name); repeatable: any of them.")
@click.option("--theme", multiple=True, metavar="THEME", help="Only articles carrying this theme (id or name); repeatable: any of them.")
@click.option("--outlet", multiple=True, metavar="OUTLET", help="Only articles of this outlet (name or domain, substring); repeatable: any of them.")
@click.option("--watch", metavar="RULE", help="Only articles a stored watch rule matches (its id or spec, see `polarwatch watch list`).")
@click.option("--template", type=click.Path(dir_okay=False), metavar="PATH", help="A Jinja2 template to use instead of the default one.")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, metavar="URL",
              help="The dashboard the brief's links point to.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary: files, period, scope, counts per section and figure.")
@click.pass_context
def brief(ctx: click.Context, db: str | None, since: str | None, until: str | None, period: str | None, out: str, pdf: bool,
          actor: tuple[str, ...], theme: tuple[str, ...], outlet: tuple[str, ...], watch: str | None, template: str | None,
          base_url: str, as_json: bool) -> None:  # fmt: skip
    """The brief of a period: top stories and their outlets, the most significant quotes, new events between
    actors, themes rising and falling, the framing contrast of outlet blocs, and three figures with their data."""
    from .brief import BriefError, Scope, make_period, period_dates, write_brief

    if period and (since or until):
        _fail(f"--period is a shorthand ending today and cannot be combined with {'--since' if since else '--until'}")
    if not (period or since):
        _fail("give the dates: --since YYYY-MM-DD [--until YYYY-MM-DD], or --period day|week|month")
    try:
        dates = make_period(*period_dates(period)) if period else make_period(since, until)  # type: ignore[arg-type]
        with open_store(_db(ctx, db)) as store:
            summary = write_brief(store, dates, Scope(actor, theme, outlet, watch), out=out, pdf=pdf, template=template, base_url=base_url)
    except (BriefError, StoreError) as exc:
        _fail(str(exc))
    if as_json:
        _emit(summary)
        return
    what = "no articles: an empty brief" if summary["empty"] else f"{summary['articles']} articles from {summary['outlets']} outlets"
    click.echo(f"wrote {summary['html']}" + (f" and {summary['pdf']}" if summary["pdf"] else "") +
               f": {dates.since} to {dates.until}, {what}")  # fmt: skip
