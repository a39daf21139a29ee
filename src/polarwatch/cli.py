"""The command line: parse, call one library function, print, exit.

Listing commands take ``--json`` (one JSON object per line); the store is
``--db PATH`` or ``POLARWATCH_DB``. Exit status: 0 ok, 1 some input failed or
nothing found, 2 usage or store error.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from . import lib
from .config import load_settings
from .records import EVENT_TYPES, IngestReport
from .store import MARK_END, MARK_START, StoreError

DB_HELP = "Database file, sqlite:///path or postgresql:// URL. Default: $POLARWATCH_DB, else ~/.local/share/polarwatch/polarwatch.db."


def _db(ctx: click.Context, db: str | None) -> str:
    return db or (ctx.obj or {}).get("db") or load_settings().db


def _emit(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, sort_keys=False))


def _fail(msg: str, code: int = 2) -> None:
    click.echo(f"polarwatch: {msg}", err=True)
    sys.exit(code)


def db_option(f):  # noqa: ANN001, ANN201
    return click.option("--db", "db", metavar="PATH", help=DB_HELP)(f)


def filter_options(f):  # noqa: ANN001, ANN201
    for opt in reversed(
        [
            click.option("--outlet", help="Outlet name or domain (substring, case-insensitive)."),
            click.option("--country", help="Outlet country, ISO 3166 alpha-2 (RU, CN, NO, CA, US...)."),
            click.option("--kind", help="Outlet kind (state-controlled, public-broadcaster, private, wire, think-tank, arctic-specialist, nonprofit)."),
            click.option("--since", metavar="YYYY-MM-DD", help="Published on or after this date."),
            click.option("--until", metavar="YYYY-MM-DD", help="Published on or before this date."),
        ]
    ):
        f = opt(f)
    return f


def listing_options(f):  # noqa: ANN001, ANN201
    """The filters of ``articles`` plus ``--limit`` and ``--json``, shared by the listing commands."""
    f = click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")(f)
    f = click.option("--limit", default=50, show_default=True, help="At most this many.")(f)
    return filter_options(f)


workers_option = click.option(
    "--workers", type=click.IntRange(min=1), metavar="N",
    help="Processes for extraction (default 1, or POLARWATCH_WORKERS); 2 uses both cores of a 2-core machine.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.version_option(package_name="polarwatch")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """polarwatch: news intelligence for Arctic geopolitics."""
    ctx.obj = {"db": db}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option("--max-article-bytes", type=int, help="Refuse a single article larger than this (default 5,000,000).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--no-nlp", is_flag=True, help="Skip extraction (actors, quotes); run `polarwatch reprocess` later.")
@workers_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], db: str | None, max_article_bytes: int | None, as_json: bool, quiet: bool,
           no_nlp: bool, workers: int | None) -> None:
    """Read, clean and store articles from files, folders, .gz and .zip.

    Formats: plain-text dumps, HTML, RSS/Atom, JSONL, JSON, CSV, WARC(.gz).
    Re-running on the same input changes nothing. Exit status 1 if any input failed.
    """
    from tqdm import tqdm

    settings = load_settings(db=_db(ctx, db), max_article_bytes=max_article_bytes, workers=workers)
    bar = tqdm(desc="ingest", unit=" articles", disable=True if quiet or as_json else None, file=sys.stderr, leave=False)

    def tick(rep: IngestReport) -> None:
        bar.n = rep.read + len(rep.failed) + len(rep.skipped)
        bar.set_postfix(new=rep.new, failed=len(rep.failed), refresh=False)
        bar.update(0)

    try:
        report = lib.ingest(paths, settings=settings, on_item=tick, nlp=not no_nlp)
    except StoreError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        bar.close()
        _fail("interrupted: every batch written so far is stored whole; run the same command again to complete it", 130)
    finally:
        bar.close()
    if as_json:
        _emit(report.as_dict())
    else:
        click.echo(
            f"read {report.read}, new {report.new}, duplicate {report.duplicate}, updated {report.updated}, "
            f"failed {len(report.failed)}, skipped {len(report.skipped)}"
        )
        for r in report.failed:
            click.echo(f"failed: {r}")
        for r in report.skipped:
            click.echo(f"skipped: {r}")
    sys.exit(1 if report.failed else 0)


def _article_line(d: dict[str, Any]) -> str:
    o = d.get("outlet") or {}
    outlet = o.get("name") or "?"
    if o.get("country"):
        outlet += f" ({o['country']})"
    return f"{d['id']}  {d.get('published') or '----------'}  {outlet[:34]:<34}  {d.get('title') or '(no title)'}"


@main.command()
@db_option
@filter_options
@click.option("--limit", default=50, show_default=True, help="At most this many.")
@click.option("--offset", default=0, help="Skip this many first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def articles(ctx: click.Context, db: str | None, limit: int, offset: int, as_json: bool, **flt: str | None) -> None:
    """List stored articles, newest first."""
    try:
        rows = lib.articles(_db(ctx, db), limit=limit, offset=offset, **flt)
    except StoreError as exc:
        _fail(str(exc))
    for r in rows:
        d = r.as_dict()
        if as_json:
            d.pop("removed", None)
            _emit(d)
        else:
            click.echo(_article_line(d))


@main.command()
@click.argument("article_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--raw", is_flag=True, help="Include the original input.")
@click.pass_context
def show(ctx: click.Context, article_id: str, db: str | None, as_json: bool, raw: bool) -> None:
    """Show one article: metadata, clean text, and what cleaning removed and why."""
    try:
        art = lib.show(article_id, _db(ctx, db))
    except StoreError as exc:
        _fail(str(exc))
    if art is None:
        _fail(f"no article with id {article_id!r}", 1)
    d = art.as_dict(raw=raw)
    extra = lib.extraction(art.article.id, _db(ctx, db))
    d["quotes"] = [q.as_dict() for q in extra["quotes"]]
    d["mentions"] = [m.as_dict() for m in extra["mentions"]]
    d["themes"] = extra["themes"]
    d["tone"] = extra["tone"]
    d["events"] = [e.as_dict() for e in extra["events"]]
    if as_json:
        _emit(d)
        return
    o = d["outlet"] or {}
    lines = [
        f"id:        {d['id']}",
        f"title:     {d['title'] or '(none)'}",
        f"url:       {d['url'] or '(unknown)'}",
        f"published: {d['published'] or '(unknown)'}",
        "outlet:    " + (
            f"{o.get('name')} [{o.get('country') or '?'}, {o.get('kind') or '?'}]"
            + (f" (inferred from the page, confidence {o.get('confidence')})" if o.get("inferred") else "")
            if o else "(unknown)"
        ),
        "source:    " + "; ".join(f"{s['path']}" + (f" ({s['locator']})" if s["locator"] else "") for s in d["sources"]),
        f"format:    {d['format']}" + ("  (feed summary only)" if d["summary_only"] else ""),
        "",
    ]  # fmt: skip
    color = sys.stdout.isatty()
    for p in _highlight(d["paragraphs"], extra["quotes"], color):
        lines += textwrap.wrap(p, 100) + [""]
    if extra["quotes"]:
        lines.append(f"quotes ({len(extra['quotes'])}):")
        for q in extra["quotes"]:
            who = q.speaker_name or "(unresolved)"
            via = f" via “{q.speaker_text}”" if q.speaker_text and q.speaker_text != who else ""
            where = "headline, " if q.in_title else ""
            lines.append(f"  {who}{via} [{where}{q.kind}{', ' + q.cue if q.cue else ''}]: {textwrap.shorten(q.text, 100, placeholder=' …')}")
        lines.append("")
    if extra["events"]:
        body = "\n\n".join(d["paragraphs"])
        lines.append(f"events ({len(extra['events'])}):")
        for e in extra["events"]:
            lines.append("  " + _event_line(e))
            lines.append("      " + textwrap.shorten(body[e.sentence_start : e.sentence_end], 110, placeholder=" …"))
        lines.append("")
    if d["themes"]:
        body = "\n\n".join(d["paragraphs"])
        lines.append("themes:")
        for t in d["themes"]:
            words = sorted({body[e["start"] : e["end"]].lower() for e in t["evidence"]})
            lines.append(f"  {t['theme']:<15} {t['score']:>5.1f}  ({textwrap.shorten(', '.join(words), 80, placeholder=' …')})")
        lines.append("")
    if d["tone"]:
        tn = d["tone"]
        lines.append(f"tone:      {tn['tone']:+.2f} ({tn['positive']} positive, {tn['negative']} negative of {tn['scored']} sentences with tone words)")
        if tn["actors"]:
            lines.append("  toward: " + ", ".join(f"{a} {v['tone']:+.2f}" for a, v in sorted(tn["actors"].items(), key=lambda kv: kv[1]["tone"])))
        lines.append("")
    if d["removed"]:
        lines.append(f"removed by cleaning ({len(d['removed'])}):")
        for r in d["removed"]:
            lines.append(f"  [{r['rule']}] {textwrap.shorten(r['text'], 110, placeholder=' …')}")
    if raw:
        lines += ["", "raw input:", d.get("raw", "")]
    click.echo("\n".join(lines))


def _highlight(paragraphs: list[str], quotes: list, color: bool) -> list[str]:
    """Paragraphs with quotes and their speakers marked: on a terminal quotes bold and speakers
    underlined, otherwise quotes in ⟦…⟧ and speakers in ⟨…⟩."""
    if color:
        marks = {"quote": ("\x1b[1m", "\x1b[0m"), "speaker": ("\x1b[4m", "\x1b[0m")}
    else:
        marks = {"quote": ("⟦", "⟧"), "speaker": ("⟨", "⟩")}
    quotes = [q for q in quotes if not q.in_title]  # a headline quote's offsets point into the title
    spans = [(q.start, q.end, "quote") for q in quotes]
    spans += [(q.speaker_start, q.speaker_end, "speaker") for q in quotes if q.speaker_start is not None and q.speaker_end]
    out, pos = [], 0
    for p in paragraphs:
        inside = sorted({(a - pos, b - pos, k) for a, b, k in spans if pos <= a and b <= pos + len(p)})
        buf, last = [], 0
        for a, b, k in inside:
            if a < last:  # overlapping (a speaker named inside a quote's span): keep the first
                continue
            o, c = marks[k]
            buf += [p[last:a], o, p[a:b], c]
            last = b
        buf.append(p[last:])
        out.append("".join(buf))
        pos += len(p) + 2
    return out


@main.command()
@click.argument("query")
@db_option
@filter_options
@click.option("--limit", default=20, show_default=True, help="At most this many hits.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line; matches in snippets are marked «like this».")
@click.pass_context
def search(ctx: click.Context, query: str, db: str | None, limit: int, as_json: bool, **flt: str | None) -> None:
    """Full-text search over titles and bodies, best match first.

    Plain words must all occur; FTS5 syntax ("exact phrase", OR, NOT, prefix*) works too.
    """
    try:
        hits = lib.search(query, _db(ctx, db), limit=limit, **flt)
    except StoreError as exc:
        _fail(str(exc))
    color = sys.stdout.isatty() and not as_json
    for h in hits:
        d = h.as_dict()
        marks = ("\x1b[1;33m", "\x1b[0m") if color else ("«", "»")
        d["snippet"] = d["snippet"].replace(MARK_START, marks[0]).replace(MARK_END, marks[1])
        if as_json:
            _emit(d)
        else:
            click.echo(f"{d['id']}  {d['published'] or '----------'}  {d['outlet'] or '?'}  {d['title'] or ''}")
            click.echo(f"    {d['snippet']}")
    if not hits and not as_json:
        click.echo("no matches", err=True)


@main.command()
@db_option
@click.option("--force", is_flag=True, help="Redo every article, not only those analysed by an older version.")
@workers_option
@click.pass_context
def reprocess(ctx: click.Context, db: str | None, force: bool, workers: int | None) -> None:
    """Re-run extraction over stored articles after the rules or models changed. Nothing else is touched."""
    try:
        n = lib.reprocess(_db(ctx, db), force=force, workers=workers)
    except StoreError as exc:
        _fail(str(exc))
    click.echo(f"reprocessed {n} articles")


@main.command()
@db_option
@click.option("--speaker", help="Speaker name (substring) or actor id, e.g. Peskov.")
@click.option("--about", help="An actor mentioned inside the quote (name or id), e.g. China.")
@click.option("--type", "qtype", type=click.Choice(["direct", "indirect"]), help="Direct quotes or indirect speech only.")
@listing_options
@click.pass_context
def quotes(ctx: click.Context, db: str | None, speaker: str | None, about: str | None, qtype: str | None, limit: int,
           as_json: bool, **flt: str | None) -> None:
    """Quotes with their speakers: who said what, where."""
    try:
        okind = flt.pop("kind", None)
        rows = lib.quotes(_db(ctx, db), speaker=speaker, about=about, kind=qtype, outlet_kind=okind, limit=limit, **flt)
    except StoreError as exc:
        _fail(str(exc))
    for aid, title, outlet, q in rows:
        if as_json:
            _emit({"article": aid, "article_title": title, "outlet": outlet, **q.as_dict()})
        else:
            who = q.speaker_name or "(unresolved)"
            click.echo(f"{who} [{q.kind}{', ' + q.cue if q.cue else ''}] {aid} {outlet or ''}")
            click.echo("    " + textwrap.shorten(q.text, 160, placeholder=" …"))


def _rows_out(rows: list[dict[str, Any]], as_json: bool, empty: str, header: str | None, line: Any) -> None:
    """Rows as JSON lines, or as text lines under *header*, or the *empty* message."""
    if as_json:
        for r in rows:
            _emit(r)
    elif not rows:
        click.echo(empty)
    else:
        if header:
            click.echo(header)
        for r in rows:
            click.echo(line(r))


def _event_line(e) -> str:  # noqa: ANN001
    arrow = "<->" if e.symmetric else "->"
    src = e.source_name or e.source_country or "?"
    tgt = e.target_name or e.target_country or "?"
    mode = f"/{e.mode}" if e.mode else ""
    claim = f"  (claimed by {e.claimed_by_name})" if e.claimed_by_name else ""
    return f"{src} {arrow} {tgt}  {e.type}{mode}  “{e.trigger}”{claim}"


@main.command()
@db_option
@click.option("--source", help="Source actor: country code (RU), actor id or name.")
@click.option("--target", help="Target actor: country code (CN), actor id or name.")
@click.option("--type", "etype", type=click.Choice(EVENT_TYPES, case_sensitive=False), help="Event type (docs/events.md).")
@listing_options
@click.pass_context
def events(ctx: click.Context, db: str | None, source: str | None, target: str | None, etype: str | None, limit: int,
           as_json: bool, **flt: str | None) -> None:
    """Actor-to-actor events, newest first: who did what to whom, with the sentence behind each."""
    try:
        rows = lib.events(_db(ctx, db), source=source, target=target, type=etype, limit=limit, **flt)
    except StoreError as exc:
        _fail(str(exc))
    for aid, title, outlet, published, e in rows:
        if as_json:
            _emit({"article": aid, "article_title": title, "outlet": outlet, "published": published, **e.as_dict()})
        else:
            click.echo(f"{published or '(undated)'}  {_event_line(e)}  {aid} {outlet or ''}")


@main.command()
@click.argument("actor_a")
@click.argument("actor_b")
@db_option
@click.option("--period", type=click.Choice(["day", "week", "month"]), default="week", show_default=True, help="Bucket size.")
@click.option("--since", metavar="YYYY-MM-DD", help="Published on or after this date.")
@click.option("--until", metavar="YYYY-MM-DD", help="Published on or before this date.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def timeline(ctx: click.Context, actor_a: str, actor_b: str, db: str | None, period: str, since: str | None,
             until: str | None, as_json: bool) -> None:
    """Events between two actors per day, week or month, by type and direction (dated articles only)."""
    try:
        rows = lib.timeline(actor_a, actor_b, _db(ctx, db), period=period, since=since, until=until)
    except StoreError as exc:
        _fail(str(exc))
    _rows_out(rows, as_json, f"no dated events between {actor_a} and {actor_b}", None,
              lambda r: f"{r['period']}  {r['source']} -> {r['target']}  {r['type']:<10} {r['events']:>4} events in {r['articles']} articles")


@main.command()
@db_option
@click.option("--limit", default=50, show_default=True, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def actors(ctx: click.Context, db: str | None, limit: int, as_json: bool) -> None:
    """Actors by the number of articles mentioning them, with quote counts."""
    try:
        rows = lib.actors(_db(ctx, db), limit=limit)
    except StoreError as exc:
        _fail(str(exc))
    for r in rows:
        if as_json:
            _emit(r)
        else:
            click.echo(f"{r['articles']:>6} articles {r['mentions']:>6} mentions {r['quotes']:>5} quotes  {r['name']} [{r['kind']}, {r['country'] or '-'}]")


@main.command()
@db_option
@filter_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def themes(ctx: click.Context, db: str | None, as_json: bool, **flt: str | None) -> None:
    """Arctic themes by the number of articles carrying them, with mean score and mean tone."""
    try:
        rows = lib.themes(_db(ctx, db), **flt)
    except StoreError as exc:
        _fail(str(exc))
    _rows_out(
        rows, as_json, "no themes stored yet (ingest without --no-nlp, or run `polarwatch reprocess`)",
        f"{'theme':<15} {'articles':>8} {'score':>6} {'tone':>6}  name",
        lambda r: f"{r['theme']:<15} {r['articles']:>8} {r['mean_score']:>6.1f} "
        f"{'' if r['mean_tone'] is None else format(r['mean_tone'], '+.2f'):>6}  {r['name']}",
    )


@main.command("eval")
@click.argument("what", type=click.Choice(["quotes", "entities", "events", "stories"]))
@click.option("--gold", "gold", required=True, type=click.Path(exists=True), help="Gold folder: seeds-style (articles + gold.json), offsets into ../shared/corpus CSV rows (a gold.json with a corpus field: tests/gold/wikinews) or PolNeAR brat (text/ + attributions/); for events also a PLOVER file or a folder of them; for stories a JSONL file (id, cluster, text or sentences).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--shuffle", "shuffles", type=int, multiple=True, metavar="SEED", help="stories: also score the order of random.Random(SEED).shuffle of the lines (repeatable).")
def eval_cmd(what: str, gold: str, as_json: bool, shuffles: tuple[int, ...]) -> None:
    """Score extraction against a gold folder, in a temporary store (yours is never touched)."""
    from .evaluate import GoldError, format_table
    from .evaluate.events import format_events, run_events_eval
    from .evaluate.run import run_eval

    if what == "stories":
        _eval_stories(gold, as_json, shuffles)
        return
    if what != "events" and not Path(gold).is_dir():
        _fail(f"{gold}: eval {what} needs a gold folder")
    try:
        result = run_events_eval(gold) if what == "events" else run_eval(what, gold)
    except GoldError as exc:
        _fail(str(exc))
    if what == "events":
        if as_json:
            _emit({k: result[k] for k in ("events", "type_accuracy", "actors", "per_type")})
        else:
            click.echo(f"{result['articles']} articles, {result['gold_events']} gold events from {gold}")
            click.echo(format_events(result))
        return
    if as_json:
        _emit(result)
        return
    click.echo(f"{result['articles']} articles from {gold}")
    if what == "entities":
        e = result["entities"]
        click.echo(f"entities  P {e['precision']:.3f}  R {e['recall']:.3f}  F1 {e['f1']:.3f}  (tp {e['tp']}, fp {e['fp']}, fn {e['fn']})")
    else:
        click.echo(format_table(result))


def _eval_stories(gold: str, as_json: bool, shuffles: tuple[int, ...] = ()) -> None:
    from .evaluate import GoldError
    from .stories.evaluate import run_stories_eval

    if Path(gold).is_dir():
        _fail(f"{gold}: eval stories needs a JSONL file")
    try:
        r = run_stories_eval(gold, shuffles)
    except GoldError as exc:
        _fail(str(exc))
    if as_json:
        _emit(r)
        return
    b = r["bcubed"]
    click.echo(f"{r['articles']} articles in {r['gold_clusters']} gold clusters from {gold}; {r['clusters']} predicted stories")
    click.echo(f"B-cubed  P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}   ARI {r['ari']:.3f}")
    for e in r["errors"]:
        click.echo(f"  {e['cluster']}: {e['articles']} articles in {e['stories']} stories, {e['merged_with']} from other clusters in its main one")
    if "threads" in r:
        t = r["threads"]
        click.echo(f"threads: {t['threads']} predicted ({t['gold_threads']} gold)  B-cubed  P {t['bcubed']['precision']:.3f}  "
                   f"R {t['bcubed']['recall']:.3f}  F1 {t['bcubed']['f1']:.3f}   ARI {t['ari']:.3f}")
    for seed, o in r.get("orders", {}).items():
        click.echo(f"shuffle {seed}: {o['clusters']} stories  B-cubed  P {o['bcubed']['precision']:.3f}  "
                   f"R {o['bcubed']['recall']:.3f}  F1 {o['bcubed']['f1']:.3f}   ARI {o['ari']:.3f}")


def _or_fail(fn: Any, *args: Any, **kw: Any) -> Any:
    """``fn(*args, **kw)``, or exit with status 2 on a store error."""
    try:
        return fn(*args, **kw)
    except StoreError as exc:
        _fail(str(exc))


@main.command()
@db_option
@listing_options
@click.pass_context
def stories(ctx: click.Context, db: str | None, limit: int, as_json: bool, **flt: str | None) -> None:
    """Same-event stories, largest first: how many articles and which outlets told each."""
    _rows_out(
        _or_fail(lib.stories, _db(ctx, db), limit=limit, **flt), as_json, "no stories stored yet (ingest without --no-nlp, or run `polarwatch reprocess`)", None,
        lambda r: f"{r['id']:>6} {r['articles']:>4} articles {len(r['outlets']):>3} outlets  "
        f"{r['first_seen'] or '?'} to {r['last_seen'] or '?'}  {r['title'] or '(untitled)'}",
    )


@main.command()
@click.argument("story_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def story(ctx: click.Context, story_id: int, db: str | None, as_json: bool) -> None:
    """One story: its outlets, its articles in time order, who was quoted and the events reported."""
    st = _or_fail(lib.story, story_id, _db(ctx, db))
    if st is None:
        _fail(f"no story {story_id}", 1)
    if as_json:
        _emit(st)
        return
    click.echo(f"story {st['id']}: {st['title'] or '(untitled)'}\n"
               f"seen {st['first_seen'] or '?'} to {st['last_seen'] or '?'}, {len(st['articles'])} articles")
    sections = (
        ("outlets", lambda o: f"{o['articles']:>4}  {o['name'] or '(unknown)'} [{o['country'] or '?'}, {o['kind'] or '?'}]"),
        ("articles", lambda a: f"{a['published'] or '(undated)'}  {a['id'][:12]}  {a['outlet'] or '(unknown)'}: {a['title'] or '(untitled)'}"),
        ("quoted", lambda q: f"{q['quotes']:>4}  {q['speaker']} [{q['country'] or '-'}]"),
        ("events", lambda e: f"{e['count']:>4}  {e['source'] or '?'} -> {e['target'] or '?'}  {e['type']}"),
    )
    for key, line in sections:
        if st[key]:
            click.echo(f"{key}:\n" + "\n".join("  " + line(r) for r in st[key]))
    if st.get("thread"):
        click.echo(f"thread {st['thread']['id']}: {st['thread']['title'] or '(untitled)'} ({st['thread']['stories']} stories)")


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def stats(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Summarise the store: articles by outlet and country, date span."""
    try:
        s = lib.stats(_db(ctx, db))
    except StoreError as exc:
        _fail(str(exc))
    if as_json:
        _emit(s)
        return
    click.echo(f"{s['articles']} articles from {s['sources']} sources; {s['removed']} boilerplate pieces removed")
    click.echo(f"published {s['first_published'] or '?'} to {s['last_published'] or '?'} ({s['undated']} undated)")
    click.echo("by outlet:")
    for r in s["by_outlet"][:15]:
        click.echo(f"  {r['articles']:>6}  {r['outlet'] or '(unknown)'} [{r['country'] or '?'}, {r['kind'] or '?'}]")


if __name__ == "__main__":
    main()
from . import cli_monitor  # noqa: E402,F401  registers commands
from . import cli_serve  # noqa: E402,F401  registers commands
from . import cli_threads  # noqa: E402,F401  registers commands
from . import cli_spark  # noqa: E402,F401  registers commands
from . import cli_brief  # noqa: E402,F401  registers commands
