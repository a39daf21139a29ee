"""Near-duplicates: syndicated wire copies and lightly edited reposts of one text.

Each clean body becomes a set of word shingles (``SHINGLE`` consecutive
words, lower-cased) and a MinHash signature of it (datasketch). A MinHash LSH
index proposes candidates whose estimated Jaccard similarity is likely above
``LSH_THRESHOLD``; each candidate is then verified with the exact Jaccard
similarity of the two shingle sets, and linked when it reaches
``MIN_JACCARD``. Both numbers are kept on the link.

The index is incremental: ``NearDuplicates.add`` queries, then inserts, so
every new text is compared with what came before it, never all pairs again.
``NearDuplicates`` keeps everything in memory, for a batch of texts at hand;
the ingest path uses the same shingles, signatures and threshold with an
index on disk (``service.py``), so a store's memory does not grow with it.
Signatures are plain bytes (``signature_bytes``) for storing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE = 5  # words per shingle
NUM_PERM = 128
SEED = 7
SCHEME = "affine32"  # datasketch 2.0's hashing scheme, named so stored signatures stay comparable
LSH_THRESHOLD = 0.5  # estimated Jaccard at which the LSH bands start proposing a pair
MIN_JACCARD = 0.5  # exact Jaccard (on shingles) a candidate must reach to be linked
_WORD = re.compile(r"\w+")


@dataclass(slots=True, frozen=True)
class DuplicateLink:
    """*article_id* is a near-duplicate of the earlier *duplicate_of*."""

    article_id: str
    duplicate_of: str
    estimated: float  # Jaccard estimated from the two MinHash signatures
    jaccard: float  # exact Jaccard of the two shingle sets

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """The set of *k*-word shingles of *text* (a text shorter than *k* words is one shingle)."""
    words = _WORD.findall(text.lower())
    if len(words) <= k:
        return {" ".join(words)} if words else set()
    return set(map(" ".join, zip(*[words[j:] for j in range(k)])))  # the k-word windows, without a slice each


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


_PERMUTATIONS: list[Any] = []  # the seed's permutations, drawn once (a fresh draw cost ~0.1 ms a signature)


def _sha1_32(data: bytes, sha1: Callable[[bytes], Any] = hashlib.sha1, from_bytes: Callable[..., int] = int.from_bytes) -> int:
    """datasketch's default hash (the first 4 bytes of SHA-1, little-endian) with one call fewer per shingle."""
    return from_bytes(sha1(data).digest()[:4], "little")


def signature(sh: Iterable[str]) -> MinHash:
    if not _PERMUTATIONS:
        _PERMUTATIONS.append(MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations)
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_sha1_32, permutations=_PERMUTATIONS[0])
    m.update_batch([s.encode("utf-8") for s in sh])
    return m


def signature_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def signature_from_bytes(b: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=np.frombuffer(b, dtype=np.uint64).copy())


class NearDuplicates:
    """An incremental near-duplicate index over article ids.

    *shingles_of* returns the shingle set of an article already indexed (for
    the exact check); by default the index keeps the sets it was given, a
    store-backed caller passes a function that re-reads the stored body
    instead, so memory holds only signatures.
    """

    def __init__(self, shingles_of: Callable[[str], set[str] | None] | None = None,
                 threshold: float = LSH_THRESHOLD, min_jaccard: float = MIN_JACCARD) -> None:
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, MinHash] = {}
        self.min_jaccard = min_jaccard
        self._kept: dict[str, set[str]] | None = None if shingles_of else {}
        self._shingles_of = shingles_of or (lambda key: self._kept.get(key) if self._kept is not None else None)

    def __contains__(self, key: str) -> bool:
        return key in self.signatures

    def __len__(self) -> int:
        return len(self.signatures)

    def insert(self, key: str, sig: MinHash, sh: set[str] | None = None) -> None:
        """Index *key* without looking for its duplicates (rebuilding from stored signatures)."""
        if key in self.signatures:
            return
        self.lsh.insert(key, sig)
        self.signatures[key] = sig
        if self._kept is not None and sh is not None:
            self._kept[key] = sh

    def candidates(self, sig: MinHash) -> list[str]:
        return sorted(self.lsh.query(sig))

    def add(self, key: str, text: str) -> tuple[MinHash, list[DuplicateLink]]:
        """Find the indexed articles *text* nearly duplicates (best first), then index it."""
        sh = shingles(text)
        sig = signature(sh)
        links = []
        if sh and key not in self.signatures:
            for other in self.candidates(sig):
                theirs = self._shingles_of(other)
                if not theirs:
                    continue
                j = jaccard(sh, theirs)
                if j >= self.min_jaccard:
                    links.append(DuplicateLink(key, other, round(sig.jaccard(self.signatures[other]), 4), round(j, 4)))
        links.sort(key=lambda lk: (-lk.jaccard, lk.duplicate_of))
        if sh:
            self.insert(key, sig, sh)
        return sig, links
