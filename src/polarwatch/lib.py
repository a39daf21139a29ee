"""The Python API: the same operations the CLI offers, as plain functions.

Each takes ``db`` (a path or database URL; default from ``POLARWATCH_DB`` or
the user data folder) or an open ``store``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .config import Settings, load_settings
from .pipeline import ingest as _ingest
from .records import Event, IngestReport, Quote
from .store import ArticleFilter, SearchHit, Store, StoredArticle, open_store


@contextmanager
def _store(db: str | None, store: Store | None) -> Iterator[Store]:
    if store is not None:
        yield store
        return
    s = open_store(db or load_settings().db)
    try:
        yield s
    finally:
        s.close()


def ingest(
    paths: Iterable[str | Path],
    db: str | None = None,
    *,
    store: Store | None = None,
    settings: Settings | None = None,
    on_item: Callable[[IngestReport], None] | None = None,
    nlp: bool = True,
) -> IngestReport:
    """Read, clean, extract and store every article under *paths*; bad input is reported, not raised."""
    settings = (settings or load_settings()).with_(db=db)
    with _store(settings.db, store) as s:
        return _ingest(paths, s, settings, on_item=on_item, nlp=nlp)


def reprocess(db: str | None = None, *, store: Store | None = None, force: bool = False,
              on_batch: Callable[[int], None] | None = None, workers: int | None = None) -> int:
    """Re-run extraction over stored articles after rules or models changed, in *workers* processes; returns how many."""
    from .pipeline import reprocess as _reprocess

    with _store(db, store) as s:
        return _reprocess(s, on_batch=on_batch, force=force, workers=workers)


def quotes(
    db: str | None = None, *, store: Store | None = None, speaker: str | None = None, about: str | None = None,
    kind: str | None = None, outlet: str | None = None, country: str | None = None, outlet_kind: str | None = None,
    since: str | None = None, until: str | None = None, limit: int = 50,
) -> list[tuple[str, str | None, str | None, Quote]]:
    """Quotes as (article id, title, outlet, Quote), filtered by speaker, the actor they are about, quote kind
    (direct/indirect), outlet, outlet country and kind, dates."""
    with _store(db, store) as s:
        flt = ArticleFilter(outlet, country, outlet_kind, since, until)
        return s.find_quotes(speaker, about, kind, flt, limit)  # type: ignore[attr-defined]


def actors(db: str | None = None, *, store: Store | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Actors by the number of articles that mention them, with mention and quote counts."""
    with _store(db, store) as s:
        return s.actor_counts(limit)  # type: ignore[attr-defined]


def articles(
    db: str | None = None,
    *,
    store: Store | None = None,
    outlet: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[StoredArticle]:
    """Stored articles, newest first, filtered by outlet (name or domain), country, kind and date."""
    with _store(db, store) as s:
        return s.list_articles(ArticleFilter(outlet, country, kind, since, until), limit=limit, offset=offset)


def show(article_id: str, db: str | None = None, *, store: Store | None = None) -> StoredArticle | None:
    """One article with its clean text, its sources and what cleaning removed."""
    with _store(db, store) as s:
        return s.get_article(article_id)


def search(
    query: str,
    db: str | None = None,
    *,
    store: Store | None = None,
    outlet: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Full-text search, best first; snippets mark matches with ``store.base.MARK_START``/``MARK_END``."""
    with _store(db, store) as s:
        return s.search(query, ArticleFilter(outlet, country, kind, since, until), limit=limit)


def stats(db: str | None = None, *, store: Store | None = None) -> dict[str, Any]:
    """Counts of articles by outlet and country, and the date span."""
    with _store(db, store) as s:
        return s.stats()


def extraction(article_id: str, db: str | None = None, *, store: Store | None = None) -> dict[str, Any]:
    """What extraction stored for one article: ``{"mentions": [...], "quotes": [...], "themes": [...], "tone": {...} | None}``."""
    with _store(db, store) as s:
        return {
            "mentions": s.get_mentions(article_id),  # type: ignore[attr-defined]
            "quotes": s.get_quotes(article_id),  # type: ignore[attr-defined]
            "themes": s.get_themes(article_id),  # type: ignore[attr-defined]
            "tone": s.get_tone(article_id),  # type: ignore[attr-defined]
            "events": s.get_events(article_id),  # type: ignore[attr-defined]
        }


def events(
    db: str | None = None, *, store: Store | None = None, source: str | None = None, target: str | None = None,
    type: str | None = None, outlet: str | None = None, country: str | None = None, kind: str | None = None,  # noqa: A002
    since: str | None = None, until: str | None = None, limit: int = 50,
) -> list[tuple[str, str | None, str | None, str | None, Event]]:
    """Events as (article id, title, outlet, published, Event), newest first. *source* and *target* are a
    country code (RU), an actor id or a name; a symmetric event ("A and B cooperate") matches both ways."""
    with _store(db, store) as s:
        flt = ArticleFilter(outlet, country, kind, since, until)
        return s.find_events(source, target, type, flt, limit)  # type: ignore[attr-defined]


def timeline(
    a: str, b: str, db: str | None = None, *, store: Store | None = None, period: str = "week",
    since: str | None = None, until: str | None = None,
) -> list[dict[str, Any]]:
    """Events between actors *a* and *b*, both directions, per period (day/week/month) and type."""
    with _store(db, store) as s:
        return s.event_timeline(a, b, period, ArticleFilter(since=since, until=until))  # type: ignore[attr-defined]


def themes(
    db: str | None = None, *, store: Store | None = None, outlet: str | None = None, country: str | None = None,
    kind: str | None = None, since: str | None = None, until: str | None = None,
) -> list[dict[str, Any]]:
    """Themes by the number of articles carrying them, with the taxonomy's name and description,
    mean theme score and mean article tone; filtered like ``articles``."""
    from .themes import taxonomy

    tax = taxonomy()
    with _store(db, store) as s:
        rows = s.theme_counts(ArticleFilter(outlet, country, kind, since, until))  # type: ignore[attr-defined]
    for r in rows:
        t = tax.by_id.get(r["theme"])
        r["name"] = t.name if t else r["theme"]
        r["description"] = t.description if t else ""
    return rows


def stories(
    db: str | None = None, *, store: Store | None = None, outlet: str | None = None, country: str | None = None,
    kind: str | None = None, since: str | None = None, until: str | None = None, limit: int = 50,
) -> list[dict[str, Any]]:
    """Same-event stories, largest first, then most recent: ``{id, title, first_seen, last_seen, articles,
    outlets}``; a story is listed when one of its articles matches the filters (as for ``articles``)."""
    with _store(db, store) as s:
        return s.list_stories(ArticleFilter(outlet, country, kind, since, until), limit)  # type: ignore[attr-defined]


def story(story_id: int, db: str | None = None, *, store: Store | None = None) -> dict[str, Any] | None:
    """One story: title, first and last seen, outlets (country, kind), articles in time order, who was quoted,
    the events reported and its thread (``{id, title, stories, score, linked_to, reasons}`` or None); None when
    there is no such story."""
    with _store(db, store) as s:
        st = s.get_story(story_id)  # type: ignore[attr-defined]
        if st is not None:
            st["thread"] = s.thread_of_story(story_id) if hasattr(s, "thread_of_story") else None
        return st  # type: ignore[no-any-return]


def threads(db: str | None = None, *, store: Store | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Threads (stories of one ongoing issue), most stories first, then most recent: ``{id, title, first_seen,
    last_seen, stories, articles}`` (counts)."""
    with _store(db, store) as s:
        return s.list_threads(limit)  # type: ignore[attr-defined]


def thread(thread_id: int, db: str | None = None, *, store: Store | None = None) -> dict[str, Any] | None:
    """One thread: its stories in time order with their outlets and the link each is in the thread by (score,
    linked story, reasons), and the actors, themes and names two or more of its stories share; None when there
    is no such thread."""
    with _store(db, store) as s:
        return s.get_thread(thread_id)  # type: ignore[attr-defined]
