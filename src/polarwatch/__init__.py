"""polarwatch: news intelligence for Arctic geopolitics.

The public Python API mirrors the CLI: ``ingest``, ``articles``, ``show``,
``search``, ``stats``, ``reprocess``, ``quotes``, ``actors``, ``find_events``
(the ``events`` command), ``timeline``, ``theme_counts`` (the ``themes``
command), ``extraction`` (what was extracted from one article), ``threads``
and ``thread`` (stories linked by ongoing issue), plus
``open_store`` for direct store access. (``polarwatch.events`` and
``polarwatch.themes`` are the stage modules, hence the two other names.)
"""

from .lib import actors, articles, extraction, ingest, quotes, reprocess, search, show, stats, thread, threads, timeline
from .lib import events as find_events
from .lib import themes as theme_counts
from .records import Article, Event, IngestReport, Mention, Outlet, Quote, RawDoc, Rejected, Removal, Source
from .store import open_store

__version__ = "0.1.0"
__all__ = [
    "ingest", "articles", "show", "search", "stats", "reprocess", "quotes", "actors", "find_events", "timeline",
    "theme_counts", "extraction", "threads", "thread", "open_store",
    "Article", "Event", "IngestReport", "Mention", "Outlet", "Quote", "RawDoc", "Rejected", "Removal", "Source",
]  # fmt: skip
