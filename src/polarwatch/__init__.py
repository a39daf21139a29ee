"""polarwatch: news intelligence for Arctic geopolitics.

The public Python API mirrors the CLI: ``ingest``, ``articles``, ``show``,
``search``, ``stats``, ``reprocess``, ``quotes``, ``actors``, ``events``,
``timeline``, ``themes`` and ``extraction`` (what was extracted from one
article), plus ``open_store`` for direct store access.
"""

from .lib import actors, articles, events, extraction, ingest, quotes, reprocess, search, show, stats, themes, timeline
from .records import Article, Event, IngestReport, Mention, Outlet, Quote, RawDoc, Rejected, Removal, Source
from .store import open_store

__version__ = "0.1.0"
__all__ = [
    "ingest", "articles", "show", "search", "stats", "reprocess", "quotes", "actors", "events", "timeline",
    "themes", "extraction", "open_store",
    "Article", "Event", "IngestReport", "Mention", "Outlet", "Quote", "RawDoc", "Rejected", "Removal", "Source",
]  # fmt: skip
