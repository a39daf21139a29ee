"""The monitor: poll what is due, fetch what is new, ingest it, raise and deliver alerts; then sleep.

One cycle, in this order of safety: a poll's new entries are written as
*pending* in the same transaction as the source's validators and health, so a
validator never gets ahead of the entries it covers; a pending entry becomes
*done* only after its article is stored. A monitor stopped at any point
resumes from the store: known entries are not fetched again, pending ones are
finished. Fetching runs in a thread pool (network and HTML extraction);
storing, extraction and alerts run in the calling thread through the same
``pipeline.ingest`` as ``polarwatch ingest``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..config import Settings, load_settings
from ..identity import article_id
from ..ingest.base import too_big
from ..ingest.html import fragment_paragraphs, html_to_doc
from ..records import RawDoc, Rejected, Source as Provenance
from ..store import Store
from . import alerts as alerting
from .fetch import FetchError, FetchPolicy, Fetcher
from .parse import Entry, ParseError, gunzip, parse_feed, parse_sitemap, sniff_kind
from .sources import Source, all_sources
from .state import MonitorState, Pending, title_key_of
from .watch import ArticleFacts, evaluate

# Page failures worth trying again on a later cycle; anything else falls back to the feed's summary at once.
_TRANSIENT = ("timeout", "network")
# An alert is not raised again for an article with the same title under the same rule within this window.
TITLE_WINDOW = timedelta(days=7)


@dataclass(slots=True)
class CycleReport:
    sources_due: int = 0
    polled: int = 0
    not_modified: int = 0
    source_errors: list[str] = field(default_factory=list)
    entries_new: int = 0
    pages_fetched: int = 0
    page_errors: list[str] = field(default_factory=list)
    articles_new: int = 0
    duplicates: int = 0
    rejected: int = 0
    pending_left: int = 0
    alerts: int = 0
    deliveries: int = 0
    delivery_errors: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"polled {self.polled}/{self.sources_due} sources ({self.not_modified} unchanged, {len(self.source_errors)} failed), "
            f"{self.entries_new} new entries, {self.pages_fetched} pages, {self.articles_new} new articles, "
            f"{self.alerts} alerts, {self.pending_left} pending, {self.seconds:.1f}s"
        )


@dataclass(slots=True)
class _Poll:
    source: Source
    status: str  # ok | not-modified | error
    entries: list[Entry] = field(default_factory=list)
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: float | None = None


class Monitor:
    def __init__(
        self,
        store: Store,
        *,
        settings: Settings | None = None,
        policy: FetchPolicy = FetchPolicy(),
        nlp: bool = True,
        interval: float = 900.0,
        channels: list[alerting.Channel] | None = None,
        concurrency: int = 8,
        fetcher: Fetcher | None = None,
        only: set[str] | None = None,
        batch: int = 50,
        max_page_attempts: int = 3,
        max_entries: int = 200,
        sitemap_children: int = 3,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.state = MonitorState(store)
        self.settings = settings or load_settings()
        self.fetcher = fetcher or Fetcher(policy)
        self.nlp = nlp
        self.interval = interval
        self.channels = channels or []
        self.concurrency = concurrency
        self.only = only
        self.batch = batch
        self.max_page_attempts = max_page_attempts
        self.max_entries = max_entries
        self.sitemap_children = sitemap_children
        self.log = log or (lambda s: None)
        self.extractor: Any = None

    def close(self) -> None:
        if self.extractor is not None:
            self.extractor.close()
            self.extractor = None
        self.fetcher.close()

    # -- scheduling ------------------------------------------------------------------------
    def sources(self) -> list[Source]:
        return [s for s in all_sources(self.state) if s.enabled and (self.only is None or s.id in self.only)]

    def seconds_to_next(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        states = self.state.states()
        due = [states.get(s.id, {}).get("next_due", 0.0) for s in self.sources()]
        nxt = min(due, default=now + self.interval)
        return min(max(nxt - now, 1.0), self.interval)

    def _next_due(self, poll: _Poll, streak: int, now: float) -> float:
        if poll.status != "error":
            return now + self.interval * (1 + 0.1 * random.random())  # spread sources that started together
        wait = min(self.interval * 2 ** min(streak, 8), max(self.interval, 6 * 3600.0))
        return now + max(wait, poll.retry_after or 0.0)

    def run(self, once: bool = False, stop: threading.Event | None = None,
            on_cycle: Callable[[CycleReport], None] | None = None) -> None:
        """Cycle until *stop* is set (or once); between cycles the thread sleeps until the next source is due."""
        stop = stop or threading.Event()
        while not stop.is_set():
            rep = self.cycle(stop=stop)
            if on_cycle:
                on_cycle(rep)
            if once:
                return
            stop.wait(self.seconds_to_next())

    # -- one cycle -------------------------------------------------------------------------
    def cycle(self, force: bool = False, stop: threading.Event | None = None) -> CycleReport:
        """Poll every source that is due (every one with *force*), then finish every pending entry."""
        t0, requests0 = time.monotonic(), self.fetcher.requests
        rep = CycleReport()
        now = time.time()
        states = self.state.states()
        due = [s for s in self.sources() if force or states.get(s.id, {}).get("next_due", 0.0) <= now]
        rep.sources_due = len(due)
        ready: list[tuple[Pending, RawDoc | Rejected | FetchError]] = []
        futures: dict[Future, tuple[str, Any]] = {}
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="polarwatch-fetch")
        try:
            for s in due:
                futures[pool.submit(self._poll, s, states.get(s.id, {}))] = ("poll", s)
            for row in self.state.pending():
                self._dispatch(row, pool, futures, ready)
            while futures:
                if stop is not None and stop.is_set():
                    break
                done, _ = wait(list(futures), return_when=FIRST_COMPLETED, timeout=1.0)
                for fut in done:
                    what, ctx = futures.pop(fut)
                    if what == "poll":
                        for row in self._record(fut.result(), states, rep):
                            self._dispatch(row, pool, futures, ready)
                    else:
                        got = fut.result()
                        rep.pages_fetched += not isinstance(got, FetchError)
                        ready.append((ctx, got))
                if len(ready) >= self.batch or (not futures and ready):
                    self._store(ready, rep)
                    ready = []
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if ready:
            self._store(ready, rep)
        sent, errors = alerting.deliver(self.state, self.channels)
        rep.deliveries += sent
        rep.delivery_errors += errors
        rep.pending_left = self.state.entry_counts().get("pending", 0)
        rep.requests = self.fetcher.requests - requests0
        rep.seconds = time.monotonic() - t0
        self.log(rep.line())
        return rep

    # -- polling (in a worker thread) ----------------------------------------------------------
    def _poll(self, src: Source, st: dict[str, Any]) -> _Poll:
        try:
            resp = self.fetcher.get(src.url, "feed", etag=st.get("etag"), last_modified=st.get("last_modified"))
        except FetchError as exc:
            late = exc.retry_after if exc.retry_after and exc.retry_after > self.fetcher.policy.max_retry_after else None
            return _Poll(src, "error", error=f"{exc.kind}: {exc}", retry_after=late)
        if resp.not_modified:
            return _Poll(src, "not-modified", etag=resp.etag, last_modified=resp.last_modified)
        try:
            body = gunzip(resp.body, self.fetcher.policy.max_bytes)
            if src.kind == "sitemap" or sniff_kind(body) == "sitemap":
                title, entries = None, self._sitemap_entries(body)
            else:
                title, entries = parse_feed(body, resp.url)
        except ParseError as exc:
            return _Poll(src, "error", error=f"malformed: {exc}")
        except Exception as exc:  # a parser bug on one odd feed must not stop the cycle
            return _Poll(src, "error", error=f"parser failed: {type(exc).__name__}: {exc}")
        return _Poll(src, "ok", entries, title, resp.etag, resp.last_modified)

    def _sitemap_entries(self, body: bytes) -> list[Entry]:
        entries, children = parse_sitemap(body, self.max_entries)
        for child in children[: self.sitemap_children]:  # an index: its most recent sitemaps
            try:
                sub, _ = parse_sitemap(gunzip(self.fetcher.get(child, "feed").body, self.fetcher.policy.max_bytes), self.max_entries)
            except (FetchError, ParseError):
                continue
            entries += sub
        return entries[: self.max_entries]

    def _record(self, poll: _Poll, states: dict[str, dict[str, Any]], rep: CycleReport) -> list[Pending]:
        src = poll.source
        streak = states.get(src.id, {}).get("error_streak", 0)
        if poll.status == "error":
            rep.source_errors.append(f"{src.id}: {poll.error}")
        else:
            rep.polled += 1
            rep.not_modified += poll.status == "not-modified"
        fresh = set(self.state.record_poll(
            src.id, status=poll.status, entries=poll.entries, feed_title=poll.title, etag=poll.etag,
            last_modified=poll.last_modified, error=poll.error, next_due=self._next_due(poll, streak, time.time()),
        ))  # fmt: skip
        rep.entries_new += len(fresh)
        return list({e.key: Pending(e, src.id, poll.title) for e in poll.entries if e.key in fresh}.values())

    # -- entries to documents ---------------------------------------------------------------------
    def _dispatch(self, row: Pending, pool: ThreadPoolExecutor, futures: dict[Future, tuple[str, Any]],
                  ready: list[tuple[Pending, Any]]) -> None:
        if row.entry.body or not row.entry.url:
            ready.append((row, self._feed_doc(row, row.entry.body or row.entry.summary or "", summary_only=not row.entry.body)))
        else:
            futures[pool.submit(self._page, row)] = ("page", row)

    @staticmethod
    def _provenance(row: Pending) -> Provenance:
        return Provenance(row.entry.url or row.entry.key, f"monitor {row.source_id}")

    def _feed_doc(self, row: Pending, html: str, summary_only: bool) -> RawDoc | Rejected:
        paras = fragment_paragraphs(html) if html.strip() else []
        if not paras:
            return Rejected(self._provenance(row), "feed entry has no text and no page to fetch")
        return RawDoc(
            source=self._provenance(row), format="feed", raw=html, title=row.entry.title, paragraphs=paras, url=row.entry.url,
            published=row.entry.published, author=row.entry.author, outlet_hint=row.feed_title, summary_only=summary_only,
        )  # fmt: skip

    def _page(self, row: Pending) -> RawDoc | Rejected | FetchError:
        """Fetch and extract one article page (worker thread); a FetchError is returned, not raised."""
        try:
            resp = self.fetcher.get(row.entry.url, "page")
        except FetchError as exc:
            return exc
        if msg := too_big(len(resp.body), self.settings):
            return Rejected(self._provenance(row), msg)
        try:
            doc = html_to_doc(resp.text(), self._provenance(row), fmt="html", url=resp.url)
        except Exception as exc:  # an extractor bug on one odd page must not stop the cycle
            return Rejected(self._provenance(row), f"HTML extraction failed: {type(exc).__name__}: {exc}")
        if isinstance(doc, RawDoc):
            doc.url = resp.url  # after redirects (a feed's tracking link), so the id is the page's own
            doc.title = doc.title or row.entry.title
            doc.published = row.entry.published or doc.published  # the feed states the date; a page's markup may not
            doc.author = doc.author or row.entry.author
            doc.outlet_hint = doc.outlet_hint or row.feed_title
        return doc

    # -- storing, alerts ----------------------------------------------------------------------------
    def _store(self, ready: list[tuple[Pending, RawDoc | Rejected | FetchError]], rep: CycleReport) -> None:
        from ..pipeline import Extractor, ingest, to_article

        docs: list[tuple[Pending, RawDoc]] = []
        finished: list[tuple[str, str, str | None, str | None]] = []
        for row, got in ready:
            if isinstance(got, FetchError):
                rep.page_errors.append(f"{row.entry.url}: {got}")
                if got.kind in _TRANSIENT and row.attempts + 1 < self.max_page_attempts:
                    finished.append((row.entry.key, "pending", None, str(got)))
                    continue
                got = self._feed_doc(row, row.entry.summary or "", summary_only=True)  # the page is not to be had
            if isinstance(got, Rejected):
                rep.rejected += 1
                finished.append((row.entry.key, "failed", None, got.reason))
            else:
                docs.append((row, got))
        if docs:
            if self.nlp and self.extractor is None:
                self.extractor = Extractor(self.store, self.settings.workers, self.settings.batch_size)
            report = ingest([], self.store, self.settings, nlp=self.nlp, extractor=self.extractor, items=[d for _, d in docs])
            failed = {r.source: r.reason for r in report.failed}
            new_ids = set(report.new_ids)
            found: dict[str, int] = {}
            for row, doc in docs:
                if doc.source in failed:
                    rep.rejected += 1
                    finished.append((row.entry.key, "failed", None, failed[doc.source]))
                    continue
                aid = article_id(doc.url, None, []) if doc.url else _content_id(doc, to_article)
                finished.append((row.entry.key, "done", aid, None))
                if aid in new_ids:
                    found[row.source_id] = found.get(row.source_id, 0) + 1
            rep.articles_new += report.new
            rep.duplicates += report.duplicate
            self.state.add_found(found)
            rep.alerts += len(self.raise_alerts(report.new_ids))
        self.state.finish_entries(finished)

    def raise_alerts(self, article_ids: list[str]) -> list[dict[str, Any]]:
        """Evaluate every watch rule on each article; store an alert per match unless the rule already alerted on a
        near-duplicate of the article (or on one with the same title within ``TITLE_WINDOW``)."""
        rules = self.state.rules()
        out: list[dict[str, Any]] = []
        if not rules:
            return out
        since = (datetime.now(timezone.utc) - TITLE_WINDOW).isoformat(timespec="seconds")
        for aid in article_ids:
            facts = ArticleFacts.load(self.store, aid)
            if facts is None:
                continue
            near: list[str] | None = None
            for rule in rules:
                hit = evaluate([(k, v) for k, v in rule["conditions"]], facts)
                if hit is None:
                    continue
                if near is None:
                    get = getattr(self.store, "get_near_duplicates", None)
                    near = [d["id"] for d in get(aid)] if get else []
                if self.state.alerted(rule["id"], near):
                    continue
                if facts.title and self.state.alerted_title(rule["id"], title_key_of(facts.title), since):
                    continue
                alert = {"rule_id": rule["id"], "rule": rule["spec"], "article_id": aid, "title": facts.title or None,
                         "url": facts.url, "outlet": facts.outlet, "published": facts.published, **hit}  # fmt: skip
                new_id = self.state.add_alert(alert)
                if new_id is not None:
                    out.append(alert | {"id": new_id})
        return out


def _content_id(doc: RawDoc, to_article: Callable[[RawDoc], Any]) -> str | None:
    """The id of an article without a URL, which comes from its cleaned content."""
    art = to_article(doc)
    return None if isinstance(art, Rejected) else art.id
