"""Cluster scores: B-cubed precision, recall and F1, and the adjusted Rand index."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from math import comb


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    """B-cubed (Bagga & Baldwin): per item, the share of its predicted cluster in its gold cluster (precision) and
    of its gold cluster in its predicted cluster (recall), averaged over items."""
    if len(gold) != len(pred):
        raise ValueError("gold and predicted labels differ in length")
    if not gold:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    both = Counter(zip(gold, pred))
    g_size, p_size = Counter(gold), Counter(pred)
    # Every item of a (gold, pred) cell has the same per-item scores: count cells, not items.
    p = sum(n * n / p_size[pc] for (_, pc), n in both.items()) / len(gold)
    r = sum(n * n / g_size[gc] for (gc, _), n in both.items()) / len(gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1}


def adjusted_rand(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Hubert & Arabie's adjusted Rand index: pair agreement corrected for chance (1 identical, ~0 random)."""
    n = len(gold)
    if n != len(pred):
        raise ValueError("gold and predicted labels differ in length")
    if n < 2:
        return 1.0
    index = sum(comb(c, 2) for c in Counter(zip(gold, pred)).values())
    a = sum(comb(c, 2) for c in Counter(gold).values())
    b = sum(comb(c, 2) for c in Counter(pred).values())
    expected = a * b / comb(n, 2)
    top = (a + b) / 2
    if top == expected:
        return 1.0
    return (index - expected) / (top - expected)
