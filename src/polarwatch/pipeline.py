"""The ingest job: read -> clean -> outlet -> identity -> store, in batches.

Each stage is a plain function of a record, so the same code runs here, in a
process pool or in Spark. Bad input never stops the batch: it is counted and
reported with its reason.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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
    from .nlp.model import collector_paused

    if not articles:
        return
    with collector_paused():
        analyses = nlp.analyse_batch([a.paragraphs for a in articles], titles=[a.title for a in articles])
        _store_analyses(store, [a.id for a in articles], analyses)


def _store_analyses(store: Store, ids: list[str], analyses: list[Any]) -> None:
    """Store the analyses, then place the articles in same-event stories (which read what was stored) and
    their stories in threads."""
    from . import nlp
    from .stories.service import place_stories
    from .stories.threads import update_threads_of_articles

    store.put_analyses(list(zip(ids, analyses)), nlp.VERSION)  # type: ignore[attr-defined]
    placed = place_stories(store, ids, analyses)
    update_threads_of_articles(store, ids + placed.moved)  # a small story moved: its articles' new story too


class Extractor:
    """Extraction for a whole run: in this process, or with *workers* > 1 in a pool of workers.

    With a pool, ``add`` queues the articles and returns at once; results are
    stored in the order they were added (one transaction per finished chunk)
    while this process goes on reading and cleaning. ``close`` waits for all.
    Either way every article gets the same analysis.
    """

    def __init__(self, store: Store, workers: int = 1, store_batch: int | None = None) -> None:
        # The stories stage stores with every batch; its modules (datasketch imports scipy: ~0.4 s) load here, with
        # the run, not inside the first batch, so a caller that keeps an extractor open pays for them before work.
        from .stories import service, threads  # noqa: F401

        self.store = store
        self.pool: Any = None
        # With workers, finished chunks are stored *store_batch* articles at a time (see ``_put``), by default the
        # batch size that one process stores at a time.
        self.store_batch = max(1, store_batch or Settings().batch_size)
        self._ids: list[str] = []
        self._done: list[Any] = []
        self.in_flight: Counter[str] = Counter()  # handed to the workers, analysis not stored yet
        if workers > 1:
            from .nlp.pool import ExtractPool

            self.pool = ExtractPool(workers, on_done=self._put)

    def _put(self, ids: list[str], analyses: list[Any]) -> None:
        """Keep a finished chunk; store once *store_batch* articles are kept. Storing costs the main process a
        part per call that does not shrink with the batch (the aggregates' cells, the stories and threads read
        back): chunk by chunk of 24 it took 12.4 ms an article against 6.7 in batches of 200, time the two workers
        lose on a two-core machine."""
        self._ids += ids
        self._done += analyses
        if len(self._ids) >= self.store_batch:
            self._store()

    def _store(self) -> None:
        from .nlp.model import collector_paused

        if not self._ids:
            return
        ids, done = self._ids, self._done
        self._ids, self._done = [], []
        with collector_paused():
            _store_analyses(self.store, ids, done)
        self.in_flight.subtract(ids)
        self.in_flight += Counter()  # drops the ids at zero

    def add(self, articles: list[Article]) -> None:
        if not articles:
            return
        if self.pool is None:
            extract(self.store, articles)
        else:
            self.in_flight.update(a.id for a in articles)
            self.pool.submit([a.id for a in articles], [a.paragraphs for a in articles], [a.title for a in articles])

    def wait(self) -> None:
        """Wait for every queued article and store its analysis; the workers stay up."""
        if self.pool is not None:
            # Once nothing more is read, kept chunks are stored two at a time while the rest run: what is kept
            # when the last chunk ends is stored with the workers idle (a whole batch of 200 kept to the end took
            # 0.9 s of a 6.2 s run), and two chunks a call cost little more than a batch's share of the fixed part.
            # With one chunk left, what is kept is stored while it runs, so that only that chunk is stored last.
            tail = 2 * self.pool.chunk
            while self.pool.pending:
                self.pool.finish_one()
                if self.pool.pending and (len(self._ids) >= tail or self.pool.pending == 1):
                    self._store()
            self._store()

    def close(self) -> None:
        """``wait``, then stop the workers."""
        try:
            self.wait()
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop the workers at once (an error or an interrupt); what is stored stays stored (analyses not yet
        stored are dropped: their articles stay unanalysed, and the next ingest or reprocess extracts them)."""
        self._ids, self._done = [], []
        self.in_flight.clear()
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def reprocess(
    store: Store,
    batch_size: int = 200,
    on_batch: Callable[[int], None] | None = None,
    force: bool = False,
    workers: int | None = None,
) -> int:
    """Re-run extraction over stored articles not yet analysed with the current version (all with *force*).

    *workers* (default: ``POLARWATCH_WORKERS``, else 1) processes share the extraction.
    """
    from . import nlp

    version = nlp.VERSION if not force else f"{nlp.VERSION}#force"
    done, after = 0, 0
    ex = Extractor(store, workers or load_settings().workers, batch_size)
    try:
        while True:
            rows = store.unanalysed(version, batch_size, after)  # type: ignore[attr-defined]
            if not rows:
                break
            arts = [sa.article for _, aid in rows if (sa := store.get_article(aid)) is not None]
            ex.add(arts)
            done += len(arts)
            after = rows[-1][0]
            if on_batch:
                on_batch(done)
    except BaseException:
        ex.abort()
        raise
    ex.close()
    from .stories.threads import update_threads

    update_threads(store, [])  # stories made before threads were kept get theirs
    return done


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
    nlp: bool = True,
    extractor: Extractor | None = None,
    items: Iterable[RawDoc | Rejected] | None = None,
) -> IngestReport:
    """Ingest files, folders and archives into *store*; never raises for bad input.

    *items*, when given, are read instead of *paths*: documents a caller already
    holds (the monitor's fetched pages) take the same path from cleaning on.

    With *nlp* (the default) new and changed articles also go through extraction,
    in ``settings.workers`` processes, or in *extractor* when given (a running
    one that stays open, so a long-lived caller loads its models only once).
    """
    settings = settings or load_settings()
    report = IngestReport()
    batch: list[Article] = []
    own = nlp and extractor is None
    ex = (Extractor(store, settings.workers, settings.batch_size) if own else extractor) if nlp else None
    # With workers, a batch goes to them as soon as one chunk of it is read and stored: a whole batch read and
    # cleaned first kept both of them idle for that time (about 0.35 s for 200 articles). Their analyses are still
    # stored a batch at a time (``Extractor._put``).
    limit = min(settings.batch_size, ex.pool.chunk) if ex is not None and ex.pool is not None else settings.batch_size

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
        if ex is not None:
            # A duplicate stored without a current analysis (an ingest killed mid-extraction, --no-nlp
            # earlier, older rules) is extracted now, so re-running the same ingest completes it.
            from .nlp import VERSION
            from .nlp.model import collector_paused

            ids = {a.id for a in changed}
            stale = store.unanalysed_among([a.id for a in batch if a.id not in ids], VERSION)  # type: ignore[attr-defined]
            from .stories.service import link_duplicates  # numpy and datasketch only when analysing

            # (one handed to the workers by an earlier chunk of this run is not stale: its analysis is on its way)
            todo = changed + [a for a in batch if a.id in stale and a.id not in ids and a.id not in ex.in_flight]
            # Near-duplicate links are part of the analysis (the stories stage), not of storing: --no-nlp skips them
            # and a later ingest with extraction makes them. Nothing extraction stores reads them, so with workers
            # the batch is handed to them first and linked while they parse (they sat idle through it before).
            if ex.pool is not None:
                ex.add(todo)
            with collector_paused():  # the batch's shingle sets, as in extraction (see ``collector_paused``)
                link_duplicates(store, todo)
            if ex.pool is None:
                ex.add(todo)
        batch.clear()

    try:
        for item in items if items is not None else read_paths([os.path.abspath(p) for p in paths], settings):
            if isinstance(item, Rejected):
                (report.skipped if item.skipped else report.failed).append(item)
            else:
                report.read += 1
                art = to_article(item)
                if isinstance(art, Rejected):
                    report.failed.append(art)
                else:
                    batch.append(art)
                    if len(batch) >= limit:
                        flush()
            if on_item:
                on_item(report)
        flush()
    except BaseException:
        if own and ex is not None:
            ex.abort()
        raise
    if own and ex is not None:
        ex.close()
    elif ex is not None:
        ex.wait()
    return report
