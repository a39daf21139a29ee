"""``polarwatch load PARQUET_DIR``: the batch job's tables into a store (SQLite or PostgreSQL), then stories.

Articles are stored in the order ``polarwatch ingest`` would have read them (by source file, then
position in it), in batches of ``settings.batch_size``, exactly as an ingest stores them: duplicates
merged with their sources kept, one transaction per batch. The analysis computed by the job is written
for new and changed articles (and for stored ones not analysed with its version); near-duplicates,
same-event stories and threads are then placed incrementally, batch by batch, as at ingest. Loading
the same tables twice changes nothing. Memory: one bucket of the tables at a time with ``by_bucket``,
else the whole output (fine for a few hundred thousand articles).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings, load_settings
from ..store import Store
from . import rows as R

ANALYSIS_TABLES = ("mentions", "quotes", "events", "themes", "tone")


@dataclass(slots=True)
class LoadReport:
    new: int = 0
    duplicate: int = 0
    updated: int = 0
    analysed: int = 0
    rejects: int = 0
    new_ids: list[str] = field(default_factory=list)


def _natural(s: str) -> tuple[Any, ...]:
    """'line 10' after 'line 9': numbers compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def _read(folder: Path, table: str, bucket: int | None) -> list[dict[str, Any]]:
    import pyarrow.dataset as ds

    path = folder / table
    if not path.is_dir():
        if table == "articles":
            raise FileNotFoundError(f"{folder} holds no articles table: is it the OUTPUT of 'polarwatch spark-run'?")
        return []
    data = ds.dataset(str(path), format="parquet", partitioning="hive")
    flt = (ds.field("bucket") == bucket) if bucket is not None else None
    return data.to_table(filter=flt).to_pylist()


def buckets(folder: str | Path) -> list[int]:
    """The bucket numbers present in the articles table."""
    return sorted(int(p.name.split("=", 1)[1]) for p in (Path(folder) / "articles").glob("bucket=*"))


def load(folder: str | Path, store: Store, settings: Settings | None = None, by_bucket: bool = False,
         on_batch: Callable[[LoadReport], None] | None = None) -> LoadReport:  # fmt: skip
    """Load the tables under *folder* into *store*; see the module docstring."""
    folder = Path(folder)
    settings = settings or load_settings()
    report = LoadReport()
    for b in buckets(folder) if by_bucket else [None]:
        _load_part(folder, b, store, settings, report, on_batch)
    return report


def _load_part(folder: Path, b: int | None, store: Store, settings: Settings, report: LoadReport,
               on_batch: Callable[[LoadReport], None] | None) -> None:  # fmt: skip
    from ..nlp import VERSION
    from ..pipeline import _store_analyses
    from ..stories.service import link_duplicates

    arts = sorted(_read(folder, "articles", b), key=lambda r: (_natural(r["source_path"]), _natural(r["source_locator"] or "")))
    report.rejects += len(_read(folder, "rejects", b))
    found: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for table in ANALYSIS_TABLES:
        seen: set[tuple[Any, ...]] = set()
        for r in _read(folder, table, b):
            key = (r["article_id"], r["content_hash"], r.get("seq", r.get("theme")))
            if key not in seen:  # the same text read from two files was analysed twice: once is enough
                seen.add(key)
                found[(r["article_id"], r["content_hash"])][table].append(r)
    for i in range(0, len(arts), settings.batch_size):
        chunk = arts[i : i + settings.batch_size]
        batch = [R.to_article(r) for r in chunk]
        changed = []
        for a, row, status in zip(batch, chunk, store.put_articles(batch)):
            if status == "new":
                report.new += 1
                report.new_ids.append(a.id)
            elif status == "updated":
                report.updated += 1
            else:
                report.duplicate += 1
                continue
            changed.append((a, row))
        done = {a.id for a, _ in changed}
        stale = store.unanalysed_among([a.id for a in batch if a.id not in done], VERSION)  # type: ignore[attr-defined]
        for a, row in zip(batch, chunk):  # stored earlier without this analysis: completed now, as ingest does
            if a.id in stale and a.id not in done:
                done.add(a.id)
                changed.append((a, row))
        todo = [(a, row) for a, row in changed if row["analysed_with"]]
        if todo:
            link_duplicates(store, [a for a, _ in todo])
            analyses = [R.to_analysis(a.id, found.get((a.id, a.content_hash), {}), a.body) for a, _ in todo]
            _store_analyses(store, [a.id for a, _ in todo], analyses)
            report.analysed += len(todo)
        if on_batch:
            on_batch(report)
