"""The ingest job: read -> clean -> outlet -> identity -> store, in batches.

Each stage is a plain function of a record, so the same code runs here, in a
process pool or in Spark. Bad input never stops the batch: it is counted and
reported with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from . import outlets
from .clean import clean
from .config import Settings, load_settings
from .identity import article_id, content_hash
from .ingest import read_paths
from .records import Article, IngestReport, RawDoc, Rejected
from .store import Store


def to_article(doc: RawDoc) -> Article | Rejected:
    """Clean one raw document into an article (or say why there is none)."""
    c = clean(doc)
    if not c.paragraphs:
        return Rejected(doc.source, "no article text left after cleaning")
    return Article(
        id=article_id(doc.url, c.title, c.paragraphs),
        content_hash=content_hash(c.paragraphs),
        title=c.title,
        paragraphs=c.paragraphs,
        removed=c.removed,
        raw=doc.raw,
        format=doc.format,
        sources=[doc.source],
        url=doc.url,
        published=doc.published,
        author=doc.author,
        outlet=outlets.resolve(doc.url, doc.outlet_hint, c.paragraphs, c.removed),
        summary_only=doc.summary_only,
    )


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Ingest files, folders and archives into *store*; never raises for bad input."""
    settings = settings or load_settings()
    report = IngestReport()
    batch: list[Article] = []

    def flush() -> None:
        if not batch:
            return
        for a, status in zip(batch, store.put_articles(batch)):
            if status == "new":
                report.new += 1
                report.new_ids.append(a.id)
            elif status == "updated":
                report.updated += 1
            else:
                report.duplicate += 1
        batch.clear()

    for item in read_paths([os.path.abspath(p) for p in paths], settings):
        if isinstance(item, Rejected):
            (report.skipped if item.skipped else report.failed).append(item)
        else:
            report.read += 1
            art = to_article(item)
            if isinstance(art, Rejected):
                report.failed.append(art)
            else:
                batch.append(art)
                if len(batch) >= settings.batch_size:
                    flush()
        if on_item:
            on_item(report)
    flush()
    return report
