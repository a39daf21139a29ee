"""Search: the ranking window and the snippets cut in Python (store/snippets.py) against FTS5's own."""

from __future__ import annotations

import sqlite3

import pytest

import polarwatch.store.sqlite as sqlite_store
from polarwatch.records import Article, Source
from polarwatch.store import SQLiteStore, open_store
from polarwatch.store.base import MARK_END, MARK_START, ArticleFilter
from polarwatch.store.snippets import ELLIPSIS, SNIPPET_TOKENS, cut, plain_terms

BODY = (
    "The Northern Fleet held drills near Svalbard on Monday. Observers counted eleven ships and two submarines "
    "in the exercise, which lasted four days.\n\nNorway's defence ministry said the icebreaker escort had been "
    "announced in advance. A spokesman added that the convoy route stayed outside Norwegian waters.\n\nFishermen "
    "in Tromsø reported no disruption, though some trawlers changed course to avoid the area."
)


def _fts5_snippet(body: str, title: str, query: str) -> str:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t (rowid, title, body) VALUES (1, ?, ?)", (title, body))
    row = db.execute(
        f"SELECT snippet(t, 1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', {SNIPPET_TOKENS}) FROM t WHERE t MATCH ?",
        (" ".join(f'"{w}"' for w in query.split()),),
    ).fetchone()
    return row[0]


@pytest.mark.parametrize("query", ["icebreaker", "convoy route", "Fleet drills", "trawlers area", "ships convoy", "Monday"])
def test_snippet_matches_fts5(query):
    """Plain words in ordinary prose: the same window, marks and ellipses as FTS5's snippet()."""
    assert cut(BODY, plain_terms(query.split()) or [], "Exercise") == _fts5_snippet(BODY, "Exercise", query)


def test_snippet_marks_whole_words_only_and_stays_short():
    snip = cut(BODY, ["route"], "")
    assert snip is not None and snip.count(MARK_START) == 1 and f"{MARK_START}route{MARK_END}" in snip
    assert snip.startswith(ELLIPSIS) and snip.endswith(ELLIPSIS)
    words = snip.replace(ELLIPSIS, " ").split()
    assert len(words) <= SNIPPET_TOKENS
    # "ship" is not a whole word of the body ("ships" is): nothing to mark, so FTS5 is asked instead
    assert cut(BODY, ["ship"], "") is None


def test_snippet_for_a_title_word():
    """A word of the title alone: the body's first words, as FTS5 gives, or the other words marked."""
    snip = cut(BODY, ["arctic"], "Arctic exercise")
    assert snip is not None and snip.startswith("The Northern Fleet") and MARK_START not in snip and snip.endswith(ELLIPSIS)
    assert snip == _fts5_snippet(BODY, "Arctic exercise", "arctic")
    both = cut(BODY, ["arctic", "exercise"], "Arctic exercise")
    assert both is not None and f"{MARK_START}exercise{MARK_END}" in both
    assert both == _fts5_snippet(BODY, "Arctic exercise", "arctic exercise")


def test_snippet_of_a_long_body_full_of_the_words():
    body = "The minister said the talks went well. " * 3000
    snip = cut(body, ["said", "talks"], "")
    assert snip is not None and snip.startswith("The minister") and snip.endswith(ELLIPSIS)
    assert f"{MARK_START}said{MARK_END}" in snip and f"{MARK_START}talks{MARK_END}" in snip
    assert len(snip.replace(ELLIPSIS, " ").split()) <= SNIPPET_TOKENS
    assert snip == _fts5_snippet(body, "", "said talks")


def test_snippet_leaves_accents_and_odd_words_to_fts5():
    assert cut(BODY, ["tromso"], "") is None  # not a whole word of the body as written: FTS5 decides
    assert plain_terms(["Tromsø"]) == ["tromsø"]
    assert plain_terms(["Ålesund"]) is None  # a letter with a diacritic FTS5 removes
    assert plain_terms(["foo_bar"]) is None  # FTS5 splits it in two
    assert plain_terms(["Ice", "ice"]) == ["ice"]


def _article(i: int, title: str, body: str, day: str, domain: str = "example.com") -> Article:
    url = f"https://{domain}/a/{i}"
    return Article(f"id{i:04d}", f"hash{i:04d}", title, [body], [], body, "jsonl", [Source("t", str(i))], url=url, published=day)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):  # the store tests below run on both backends (conftest's db fixture reads this)
    return request.param


@pytest.fixture
def store(db):
    s = open_store(db)
    s.put_articles([_article(100, "Icebreaker news", "An icebreaker, an icebreaker and another icebreaker.", "2023-06-01")])
    s.put_articles([_article(i, f"Report {i}", f"The icebreaker sailed north. Item {i} of the series.", f"2024-01-{1 + i % 28:02d}")
                    for i in range(60)])
    yield s
    s.close()


def test_search_ranks_the_newest_matches_only_past_the_window(store, monkeypatch):
    hits = store.search("icebreaker", limit=5)
    assert hits[0].title == "Icebreaker news"  # every match ranked: the best one comes first
    assert f"{MARK_START}icebreaker{MARK_END}" in hits[0].snippet
    monkeypatch.setattr(sqlite_store, "RANK_WINDOW", 10)
    if isinstance(store, SQLiteStore) and hasattr(store.db, "pg"):
        import polarwatch.store.postgres as pg_store

        monkeypatch.setattr(pg_store, "RANK_WINDOW", 10)
    newest = store.search("icebreaker", limit=5)
    assert "Icebreaker news" not in [h.title for h in newest]  # stored first: outside the ten newest matches
    assert {h.id for h in newest} <= {f"id{i:04d}" for i in range(50, 60)}
    # The window counts the matches that pass the filter, so an older period is still searched.
    old = store.search("icebreaker", ArticleFilter(until="2023-12-31"), limit=5)
    assert [h.title for h in old] == ["Icebreaker news"]
    # Ties keep one order (newest stored first), so pages do not overlap.
    page = store.search("sailed", limit=20)
    assert [h.id for h in page] == [f"id{i:04d}" for i in range(59, 49, -1)] + [h.id for h in page[10:]]
    assert len({h.id for h in page}) == len(page)


def test_search_falls_back_to_fts5_snippets_for_syntax(store):
    hits = store.search('"icebreaker sailed"', limit=3)
    assert hits and all(f"{MARK_START}icebreaker sailed{MARK_END}" in h.snippet for h in hits)  # FTS5 marks the phrase
    assert store.search("icebreaker OR nothing", limit=1)
