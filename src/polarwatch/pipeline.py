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


def extract(store: Store, articles: list[Article]) -> None:
    """Run the extraction stage over *articles* and store what it finds (one transaction)."""
    from . import nlp

    if not articles:
        return
    analyses = nlp.analyse_batch([a.paragraphs for a in articles])
    store.put_analyses([(a.id, an) for a, an in zip(articles, analyses)], nlp.VERSION)  # type: ignore[attr-defined]


def reprocess(store: Store, batch_size: int = 200, on_batch: Callable[[int], None] | None = None, force: bool = False) -> int:
    """Re-run extraction over stored articles not yet analysed with the current version (all with *force*)."""
    from . import nlp

    version = nlp.VERSION if not force else f"{nlp.VERSION}#force"
    done, after = 0, 0
    while True:
        rows = store.unanalysed(version, batch_size, after)  # type: ignore[attr-defined]
        if not rows:
            return done
        arts = [sa.article for _, aid in rows if (sa := store.get_article(aid)) is not None]
        extract(store, arts)
        done += len(arts)
        after = rows[-1][0]
        if on_batch:
            on_batch(done)


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
    nlp: bool = True,
) -> IngestReport:
    """Ingest files, folders and archives into *store*; never raises for bad input.

    With *nlp* (the default) new and changed articles also go through extraction.
    """
    settings = settings or load_settings()
    report = IngestReport()
    batch: list[Article] = []

    def flush() -> None:
        if not batch:
            return
        changed = []
        for a, status in zip(batch, store.put_articles(batch)):
            if status == "new":
                report.new += 1
                report.new_ids.append(a.id)
                changed.append(a)
            elif status == "updated":
                report.updated += 1
                changed.append(a)
            else:
                report.duplicate += 1
        if nlp:
            extract(store, changed)
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
