"""polarwatch: news intelligence for Arctic geopolitics.

The public Python API mirrors the CLI: ``ingest``, ``articles``, ``show``,
``search`` and ``stats``, plus ``open_store`` for direct store access.
"""

from .lib import articles, ingest, search, show, stats
from .records import Article, IngestReport, Outlet, RawDoc, Rejected, Removal, Source
from .store import open_store

__version__ = "0.1.0"
__all__ = [
    "ingest", "articles", "show", "search", "stats", "open_store",
    "Article", "IngestReport", "Outlet", "RawDoc", "Rejected", "Removal", "Source",
]  # fmt: skip
