"""Integrity of the story-clustering gold set (tests/gold/stories/): shape, labels and documentation, not scores."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from polarwatch import outlets

GOLD = Path(__file__).resolve().parent / "gold" / "stories"
KEYS = {"id", "cluster", "thread", "text", "title", "date", "outlet"}
OPTIONAL = {"note", "duplicate_of"}
MAX_CLUSTER_DAYS = 7


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    out = []
    for n, line in enumerate((GOLD / "stories.jsonl").read_text("utf-8").splitlines(), 1):
        assert line.strip(), f"line {n} is empty"
        rec = json.loads(line)
        assert isinstance(rec, dict), f"line {n} is not an object"
        out.append(rec)
    return out


@pytest.fixture(scope="module")
def clusters(articles: list[dict]) -> dict[str, list[dict]]:
    by: dict[str, list[dict]] = defaultdict(list)
    for a in articles:
        by[a["cluster"]].append(a)
    return by


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y)


def test_records_have_the_keys_and_types(articles: list[dict]) -> None:
    for a in articles:
        keys = set(a)
        assert KEYS <= keys, f"{a.get('id')}: missing {sorted(KEYS - keys)}"
        assert keys <= KEYS | OPTIONAL, f"{a['id']}: unknown keys {sorted(keys - KEYS - OPTIONAL)}"
        assert all(isinstance(a[k], str) and a[k].strip() for k in keys), a["id"]


def test_size_and_unique_ids(articles: list[dict], clusters: dict[str, list[dict]]) -> None:
    ids = [a["id"] for a in articles]
    assert len(ids) == len(set(ids)), "ids repeat"
    assert len(articles) >= 64
    assert len(clusters) >= 16


def test_each_cluster_is_one_event_told_by_several_outlets(clusters: dict[str, list[dict]]) -> None:
    for name, arts in clusters.items():
        assert 3 <= len(arts) <= 6, f"{name}: {len(arts)} articles"
        outs = [a["outlet"] for a in arts]
        assert len(outs) == len(set(outs)), f"{name}: an outlet tells the event twice"
        assert len({a["thread"] for a in arts}) == 1, f"{name}: cluster spans threads"
        days = sorted(dt.date.fromisoformat(a["date"]) for a in arts)
        assert (days[-1] - days[0]).days <= MAX_CLUSTER_DAYS, f"{name}: dates span {days[0]}..{days[-1]}"


def test_threads_hold_same_thread_different_event_pairs(articles: list[dict], clusters: dict[str, list[dict]]) -> None:
    per_thread: dict[str, set[str]] = defaultdict(set)
    outlets_of: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        per_thread[a["thread"]].add(a["cluster"])
        outlets_of[a["thread"]].add(a["outlet"])
    assert sum(len(c) >= 2 for c in per_thread.values()) >= 6, "too few threads with two or more events"
    for thread, outs in outlets_of.items():
        assert len(outs) >= 4, f"thread {thread}: only {len(outs)} outlets"
    assert set(per_thread).isdisjoint(clusters), "a thread and a cluster share a name"


def test_outlets_are_in_the_registry(articles: list[dict]) -> None:
    known = {d for e in outlets.registry() for d in e.domains}
    unknown = sorted({a["outlet"] for a in articles} - known)
    assert not unknown, f"not in data/outlets.csv: {unknown}"
    kinds = {next(e.kind for e in outlets.registry() if a["outlet"] in e.domains) for a in articles}
    assert {"wire", "state-controlled", "public-broadcaster", "think-tank"} <= kinds


def test_dates_are_iso_days(articles: list[dict]) -> None:
    for a in articles:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", a["date"]), a["id"]
        dt.date.fromisoformat(a["date"])


def test_texts_are_articles_of_150_to_450_words(articles: list[dict]) -> None:
    for a in articles:
        words = len(a["text"].split())
        assert 150 <= words <= 450, f"{a['id']}: {words} words"
        assert len(a["text"].split("\n\n")) >= 4, f"{a['id']}: paragraphs must be separated by blank lines"
        assert a["title"] not in a["text"].split("\n\n")[0], f"{a['id']}: the title is repeated as the first paragraph"


def test_near_duplicates_are_near_and_the_rest_are_not(articles: list[dict], clusters: dict[str, list[dict]]) -> None:
    by_id = {a["id"]: a for a in articles}
    dups = [a for a in articles if "duplicate_of" in a]
    assert len(dups) >= 5
    pairs = set()
    for a in dups:
        base = by_id[a["duplicate_of"]]
        assert base["cluster"] == a["cluster"] and base["outlet"] != a["outlet"], a["id"]
        assert base["title"] != a["title"], f"{a['id']}: a repost here always has a new headline"
        assert _jaccard(a["text"], base["text"]) >= 0.6, a["id"]
        pairs.add(frozenset((a["id"], base["id"])))
    # Articles not marked as copies are written independently, across and within clusters.
    for x, y in combinations(articles, 2):
        if frozenset((x["id"], y["id"])) not in pairs:
            assert _jaccard(x["text"], y["text"]) < 0.2, f"{x['id']} and {y['id']} share too much text"


def test_readme_lists_every_cluster_thread_and_named_id(articles: list[dict], clusters: dict[str, list[dict]]) -> None:
    readme = (GOLD / "README.md").read_text("utf-8")
    for name in clusters:
        assert f"`{name}`" in readme, f"README does not list cluster {name}"
    for thread in {a["thread"] for a in articles}:
        assert f"`{thread}`" in readme, f"README does not list thread {thread}"
    ids = {a["id"] for a in articles}
    named = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", readme)) - set(clusters) - {a["thread"] for a in articles}
    assert named <= ids, f"README names ids that are not in the file: {sorted(named - ids)}"
