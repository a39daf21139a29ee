"""Results of the costly read endpoints (compare, network, trends, outlets, blocs) kept per server process,
keyed by the endpoint, its query parameters and the store's generation.

Every write to the articles table — ingest, update, delete, and every analysis stored, which sets the
article's ``analysed_with`` — moves the store generation on (triggers of migration 013, within the
writer's transaction), so a result computed before a write is never served after it: the
generation is read before the result is computed, and a result is only found again under the same
generation. A result computed while a write commits is kept under the older generation and is simply
not found again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

from ..analysis.queries import db_of


def generation(store: Any) -> int:
    """The store's write generation (-1 on a store without one, which the cache never keeps results for)."""
    try:
        r = db_of(store).execute("SELECT generation FROM store_generation WHERE id = 1").fetchone()
    except Exception:  # noqa: BLE001 - a store from before migration 013 has no generation: never cached
        return -1
    return int(r[0]) if r else -1


class ResultCache:
    """A least-recently-used map of (key, generation) to a result, at most *size* entries."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, int], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, store: Any, key: Any, compute: Callable[[], Any]) -> Any:
        gen = generation(store)
        if gen < 0:
            return compute()
        k = (key, gen)
        with self._lock:
            if k in self._items:
                self._items.move_to_end(k)
                self.hits += 1
                return self._items[k]
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[k] = value
            self._items.move_to_end(k)
            # Entries of older generations can never be found again: drop them first, then the least used.
            stale = [x for x in self._items if x[1] != gen]
            for x in stale:
                del self._items[x]
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
