"""The store side of the stories stage: what the ingest calls after storing and after extracting.

A process keeps one near-duplicate index per open store (rebuilt from the
stored signatures the first time, then topped up with whatever another
process stored since), so linking a batch costs one LSH query per article.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..records import Article
from .dedup import NearDuplicates, shingles, signature_bytes, signature_from_bytes

_INDEXES: "weakref.WeakKeyDictionary[Any, tuple[NearDuplicates, list[int]]]" = weakref.WeakKeyDictionary()


def _index(store: Any) -> NearDuplicates:
    """The store's near-duplicate index, caught up with every signature stored so far."""
    if store not in _INDEXES:
        def stored_shingles(aid: str) -> set[str] | None:
            body = store.get_body(aid)
            return shingles(body) if body is not None else None

        _INDEXES[store] = (NearDuplicates(stored_shingles), [0])
    idx, last = _INDEXES[store]
    for rowid, aid, sig in store.minhash_signatures(last[0]):
        idx.insert(aid, signature_from_bytes(sig))
        last[0] = rowid
    return idx


def link_duplicates(store: Any, articles: list[Article]) -> int:
    """Sign new (or changed) stored *articles* and link each to the earlier ones it nearly duplicates; returns the links made."""
    if not articles or not hasattr(store, "put_near_duplicates"):
        return 0
    idx = _index(store)
    items = []
    for a in articles:
        if a.id in idx:  # an updated text: sign it again
            idx.lsh.remove(a.id)
            del idx.signatures[a.id]
        sig, links = idx.add(a.id, a.body)
        items.append((a.id, signature_bytes(sig), links))
    store.put_near_duplicates(items)
    _index(store)  # move the high-water mark past what was just stored (already indexed: no-op inserts)
    return sum(len(lk) for _, _, lk in items)
