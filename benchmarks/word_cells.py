"""What the word cells (migration 019) and the all-outlet cells (023) cost and save on a store built by
benchmarks/api.py, in-process CPU:

    python benchmarks/word_cells.py --db /tmp/pwapi/bench.db fill     # migrate and sum the cells' words (writes the store)
    python benchmarks/word_cells.py --db /tmp/pwapi/bench.db read     # a month-wide comparison's words and outlets
    python benchmarks/word_cells.py --db /tmp/pwapi/bench.db write    # refresh of 300 articles, rolled back

``read`` takes the benchmark's 23 months (the same seed as its month-wide comparison; the first 3 not
counted) and times, month by month, the per-article path (the side's article list, its 1,000 most recent
articles' vectors, ``distinctive`` with three evidence items; the outlets grouped from the article list)
and the cells' (``cell_words``, ``distinctive`` without and with evidence, ``side_outlets``), and checks
that both give the same article counts and outlets. ``write`` times ``aggregates.refresh`` of 10 batches of
300 stored articles (consecutive rowids, or a random sample with ``--scattered``) with everything, without
the word cells' two recounts and without the all-outlet cells' recount, interleaved, each batch rolled back."""

from __future__ import annotations

import argparse
import heapq
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from polarwatch.analysis import aggregates, parse_side  # noqa: E402
from polarwatch.analysis.counts import stored_words  # noqa: E402
from polarwatch.analysis.queries import Filters  # noqa: E402
from polarwatch.analysis.words import distinctive  # noqa: E402
from polarwatch.store import open_store  # noqa: E402

SIDES = ("RU/state-controlled", "nordic/public-broadcaster")


def months() -> list[tuple[str, str]]:
    """The month-wide comparison's periods of benchmarks/api.py's in-process check (seed 7)."""
    rng = random.Random(7)
    out = []
    for _ in range(23):
        d = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 670))
        out.append((str(d), str(d + timedelta(days=30))))
    return out


def fill(store: Any, db: str) -> None:
    size = os.path.getsize(db)
    t, c = time.perf_counter(), time.process_time()
    n = aggregates.fill_aggregates(store)
    print(f"fill: {n} articles summed, {time.perf_counter() - t:.1f} s, {time.process_time() - c:.1f} s CPU")
    rows, weeks, blobs = store.db.execute(
        "SELECT COUNT(*), SUM(c.span = 'W'), SUM(length(x.counts)) FROM agg_words x JOIN agg_cells c ON c.id = x.cell"
    ).fetchone()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"agg_words: {rows} rows ({weeks} week cells), {blobs / 1e6:.1f} MB of counts; file {size / 1e6:.1f} -> {os.path.getsize(db) / 1e6:.1f} MB")


def read(store: Any) -> None:
    sides = [parse_side(s) for s in SIDES]
    times: dict[str, list[float]] = {}

    def clock(name: str, i: int, work: Callable[[], Any]) -> Any:
        t = time.process_time()
        out = work()
        if i >= 3:
            times.setdefault(name, []).append((time.process_time() - t) * 1000)
        return out

    def grouped(arts: list[Any]) -> tuple[int, list[dict[str, Any]]]:
        g: dict[tuple[Any, Any, Any], int] = {}
        for r in arts:
            g[(r[1], r[2], r[3])] = g.get((r[1], r[2], r[3]), 0) + 1
        order = sorted(g.items(), key=lambda kv: (-kv[1], *((x is not None, x or "") for x in kv[0])))
        return len(arts), [{"name": k[0], "country": k[1], "kind": k[2], "articles": n} for k, n in order]

    def recent(arts: list[Any]) -> list[int]:
        return [int(r[0]) for r in heapq.nlargest(1000, arts, key=lambda r: (r[4] or "", int(r[0])))]

    for i, (since, until) in enumerate(months()):
        f = Filters(since=since, until=until)
        days, sums = aggregates.scope(store, f, sides), aggregates.scope(store, f, sides, weeks=True)
        if days is None or sums is None or not aggregates.words_ready(store.db):
            sys.exit("the store's aggregates or word cells are not filled: run the fill first")
        arts = clock("per article: the sides' article lists", i, lambda: [store.db.execute(aggregates.side_articles(c), a).fetchall() for c, a in days])
        vectors = clock("per article: stored_words (1,000 a side)", i, lambda: [stored_words(store, recent(a)) for a in arts])
        clock("per article: distinctive, 3 evidence", i, lambda: distinctive(vectors, 25))
        outlets = clock("per article: outlets from the lists", i, lambda: [grouped(a) for a in arts])
        cells = clock("cells: cell_words (every article)", i, lambda: [aggregates.cell_words(store, s) for s in sums])
        clock("cells: distinctive, no evidence", i, lambda: distinctive(cells, 25, evidence=0))
        cells = [aggregates.cell_words(store, s, d) for s, d in zip(sums, days)]
        clock("cells: distinctive, 3 evidence", i, lambda: distinctive(cells, 25))
        assert clock("cells: side_outlets", i, lambda: [aggregates.side_outlets(store, s) for s in sums]) == outlets, (since, until)
    print(f"load average {os.getloadavg()}; ms of CPU for both sides, median (min-max) of {len(next(iter(times.values())))} months:")
    for name, v in times.items():
        print(f"  {name:42s} {statistics.median(v):6.2f} ({min(v):.2f}-{max(v):.2f})")


def write(store: Any, scattered: bool) -> None:
    db = store.db
    rowids = [int(r[0]) for r in db.execute("SELECT article_rowid FROM agg_article_cell ORDER BY article_rowid")]
    rng = random.Random(11)
    if scattered:
        batches = [rng.sample(rowids, 300) for _ in range(10)]
    else:
        batches = [rowids[k : k + 300] for k in (rng.randrange(0, len(rowids) - 300) for _ in range(10))]
    real = (aggregates._recount_words, aggregates._recount_week_words, aggregates._recount_totals)
    no_words = (lambda db, cells, articles=None: 0, lambda db, weeks: None, real[2])
    no_totals = (*real[:2], lambda db, days, weeks: None)
    variants = (("everything", real), ("without the word cells", no_words), ("without the all-outlet cells", no_totals))
    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    try:
        for batch in batches:
            for name, fns in variants:
                aggregates._recount_words, aggregates._recount_week_words, aggregates._recount_totals = fns  # type: ignore[assignment]
                db.execute("BEGIN IMMEDIATE")
                t = time.process_time()
                aggregates.refresh(db, batch)
                times[name].append((time.process_time() - t) * 1000)
                db.execute("ROLLBACK")
    finally:
        aggregates._recount_words, aggregates._recount_week_words, aggregates._recount_totals = real  # type: ignore[assignment]
    print(f"load average {os.getloadavg()}; refresh of 300 {'scattered' if scattered else 'consecutive'} articles, ms of CPU, median (min-max) of 10:")
    for name, v in times.items():
        print(f"  {name:30s} {statistics.median(v):7.1f} ({min(v):.1f}-{max(v):.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="A store built by benchmarks/api.py (fill writes it: use a copy).")
    ap.add_argument("what", choices=("fill", "read", "write"))
    ap.add_argument("--scattered", action="store_true", help="write: a random sample of articles instead of consecutive ones")
    args = ap.parse_args()
    store = open_store(args.db)
    try:
        {"fill": lambda: fill(store, args.db), "read": lambda: read(store), "write": lambda: write(store, args.scattered)}[args.what]()
    finally:
        store.close()


if __name__ == "__main__":
    main()
