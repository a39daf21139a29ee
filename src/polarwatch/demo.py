"""``make demo``: ingest a sample corpus, print what polarwatch made of it, then serve the dashboard.

Uses ``../shared/corpus/seeds`` and ``../shared/corpus/wikinews`` when they
exist, else the small fictional sample shipped in ``polarwatch/data/sample``.
The last step serves the dashboard on localhost until Ctrl-C (``--no-serve``
stops after the summary).
"""

from __future__ import annotations

import argparse
import socket
import textwrap
from importlib import resources
from pathlib import Path

from . import lib
from .config import load_settings
from .store import open_store


def corpus_paths(shared: Path) -> tuple[list[str], str]:
    found = [str(shared / d) for d in ("seeds", "wikinews") if (shared / d).is_dir()]
    if found:
        return found, f"real articles from {shared}"
    sample = resources.files("polarwatch").joinpath("data/sample")
    return [str(sample)], "the FICTIONAL sample shipped with polarwatch (../shared/corpus not found)"


def free_port(host: str, wanted: int) -> int:
    """*wanted* when nothing listens there, else a port the system picks."""
    for port in (wanted, 0):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError(f"no free port on {host}")


def serve(db: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the dashboard over *db* until interrupted, printing its address first."""
    import uvicorn

    from .web import serving_app

    port = free_port(host, port)
    print(f"\n== dashboard: http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    uvicorn.run(serving_app(db), host=host, port=port, log_level="warning")


def write_demo_brief(db: str, base_url: str) -> Path:
    """The brief of the whole ingested corpus, beside the database (``brief.html``), its links to the
    dashboard at *base_url*; prints its path."""
    from .brief import build_brief, render_html

    with open_store(db) as store:
        s = store.stats()
        first, last = s["first_published"], s["last_published"]
        brief = build_brief(store, (first or "1970-01-01")[:10], (last or first or "1970-01-01")[:10], base_url=base_url)
    out = Path(db).resolve().with_name("brief.html")
    out.write_text(render_html(brief), encoding="utf-8")
    print(f"\n== brief of the corpus ({brief.period.since} to {brief.period.until}, {brief.articles} articles): {out}")
    print(f"   as PDF too: polarwatch --db {db} brief --since {brief.period.since} --until {brief.period.until} --out {out} --pdf")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default="demo/polarwatch.db")
    ap.add_argument("--shared", default="../shared/corpus")
    ap.add_argument("--no-serve", action="store_true", help="stop after the summary instead of serving the dashboard")
    ap.add_argument("--host", default="127.0.0.1", help="address to serve the dashboard on (default: localhost only)")
    ap.add_argument("--port", type=int, default=8000, help="port for the dashboard (another free one when taken)")
    args = ap.parse_args(argv)
    paths, what = corpus_paths(Path(args.shared))
    print(f"== polarwatch demo: ingesting {what}")
    settings = load_settings(db=args.db)
    with open_store(args.db) as store:
        rep = lib.ingest(paths, store=store, settings=settings)
        print(
            f"read {rep.read}, new {rep.new}, duplicate {rep.duplicate}, updated {rep.updated}, "
            f"failed {len(rep.failed)}, skipped {len(rep.skipped)}"
        )
        for r in rep.failed:
            print(f"  failed: {r}")
        s = store.stats()
        print(f"\n== store {Path(args.db).resolve()}: {s['articles']} articles, {s['removed']} boilerplate pieces removed")
        print(f"published {s['first_published']} to {s['last_published']} ({s['undated']} undated)")
        for row in s["by_outlet"][:8]:
            print(f"  {row['articles']:>5}  {row['outlet'] or '(unknown)'} [{row['country'] or '?'}, {row['kind'] or '?'}]")

        print("\n== cleaning at work (articles with the most removed boilerplate)")
        ids = [r[0] for r in store.db.execute(  # type: ignore[attr-defined]
            "SELECT a.id FROM articles a JOIN removals r ON r.article_rowid = a.rowid "
            "GROUP BY a.id ORDER BY COUNT(*) DESC, a.id LIMIT 2"
        )]  # fmt: skip
        for aid in ids:
            art = store.get_article(aid)
            if art is None:
                continue
            a = art.article
            o = a.outlet
            print(f"\n{a.id}  {a.title}")
            print(f"  outlet: {o.name if o else '?'}{' (inferred)' if o and o.inferred else ''}; published: {a.published or 'unknown'}")
            print(f"  {len(a.paragraphs)} clean paragraphs; removed {len(a.removed)}:")
            for r in a.removed[:8]:
                print(f"    [{r.rule}] {textwrap.shorten(r.text, 90, placeholder=' …')}")

        print("\n== who said what: top speakers")
        for row in store.top_speakers(8):  # type: ignore[attr-defined]
            print(f"  {row['quotes']:>4} quotes in {row['articles']:>3} articles  {row['speaker']} [{row['country'] or '?'}]")
        print("\n== a few quotes")
        for aid, title, outlet, q in store.find_quotes(kind="direct", limit=5):  # type: ignore[attr-defined]
            print(f"  {q.speaker_name or '(unresolved)'} ({outlet or '?'}): “{textwrap.shorten(q.text, 100, placeholder=' …')}”")

        print("\n== who did what to whom: most frequent events (source, type, target)")
        for row in store.event_counts(10):  # type: ignore[attr-defined]
            print(f"  {row['events']:>4} in {row['articles']:>3} articles  {row['source'] or '?'} {row['type']} {row['target'] or '?'}")
        print("\n== a few events with their sentences")
        for aid, _title, outlet, _pub, e in store.find_events(etype="COOPERATE", limit=3) + store.find_events(etype="ACCUSE", limit=3):  # type: ignore[attr-defined]
            body = store.get_article(aid).article.body  # type: ignore[union-attr]
            side = "<->" if e.symmetric else "->"
            print(f"  {e.source_name or '?'} {side} {e.target_name or '?'} {e.type} ({outlet or '?'})")
            print(f"      {textwrap.shorten(body[e.sentence_start : e.sentence_end], 110, placeholder=' …')}")

        print("\n== themes (articles carrying each, mean tone)")
        for row in store.theme_counts():  # type: ignore[attr-defined]
            tone = "" if row["mean_tone"] is None else f"{row['mean_tone']:+.2f}"
            print(f"  {row['articles']:>5}  {row['theme']:<15} tone {tone:>6}")

        print("\n== search: Arctic")
        for h in store.search("Arctic", limit=5):
            snip = h.snippet.replace("\x02", "«").replace("\x03", "»")
            print(f"  {h.id}  {h.title}\n      {textwrap.shorten(snip, 110, placeholder=' …')}")
    print(f"\nTry: polarwatch --db {args.db} search 'sea ice' ; polarwatch --db {args.db} show <id>")
    port = free_port(args.host, args.port)  # the brief links to the dashboard where it will be served
    write_demo_brief(args.db, f"http://{args.host}:{port}")
    if not args.no_serve:
        serve(args.db, args.host, port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
