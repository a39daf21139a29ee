"""Live monitoring: poll feeds and news sitemaps politely, ingest what is new, raise alerts on watch rules.

See docs/monitor.md. ``Monitor`` runs cycles; ``MonitorState`` holds what
survives a restart; ``Fetcher`` is the polite HTTP client; ``parse_rule`` and
``evaluate`` are the watch rules; ``alerts`` delivers.
"""

from .alerts import Channel, ChannelError, SmtpConfig, channel, deliver
from .fetch import FetchError, FetchPolicy, Fetcher
from .run import CycleReport, Monitor
from .sources import Source, SourceError, add_source, all_sources, defaults, remove_source
from .state import MonitorState
from .watch import WatchError, evaluate, parse_rule

__all__ = [
    "Channel", "ChannelError", "CycleReport", "FetchError", "FetchPolicy", "Fetcher", "Monitor", "MonitorState",
    "SmtpConfig", "Source", "SourceError", "WatchError", "add_source", "all_sources", "channel", "defaults", "deliver",
    "evaluate", "parse_rule", "remove_source",
]  # fmt: skip
