"""Analysis over the store: outlet comparison, the actor network and trends.

Each function takes an open SQLite store and returns plain dicts and lists (JSON-ready) whose figures
carry the article ids and character spans behind them.
"""

from __future__ import annotations

from .compare import compare
from .network import EDGE_KINDS, network
from .queries import Filters, QueryError
from .sides import REGIONS, Side, SideError, bloc_side, outlet_blocs, parse_side
from .trends import trends
from .words import distinctive, log_odds, tokens

__all__ = [
    "compare", "network", "trends", "outlet_blocs", "Side", "SideError", "parse_side", "bloc_side", "REGIONS",
    "Filters", "QueryError", "EDGE_KINDS", "log_odds", "distinctive", "tokens",
]  # fmt: skip
