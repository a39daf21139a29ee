"""The SQLite store: identity, duplicates, idempotent re-ingest, migrations, crash safety, search."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import polarwatch
from polarwatch.identity import article_id, canonical_url
from polarwatch.store import AmbiguousId, SQLiteStore, StoreError, open_store
from polarwatch.store.sqlite import migrations


def _dump(path: Path, title: str, paras: list[str], url: str | None = None, date: str | None = None) -> Path:
    head = f" date {date} {url}\n" if url else ""
    path.write_text(head + title + "\n" + "\n".join(paras) + "\n", "utf-8")
    return path


PARAS = [
    "The Norwegian coast guard escorted a fishing vessel out of the Svalbard zone on Monday.",
    "Officials in Oslo said the vessel had ignored two radio calls before it turned back.",
]


def _rows(db: str, sql: str) -> list[tuple]:
    with open_store(db) as s:
        return [tuple(r) for r in s.db.execute(sql)]  # type: ignore[attr-defined]


def test_canonical_url_drops_tracking_and_case():
    a = canonical_url("HTTP://WWW.Example.com/a/b/?utm_source=x&id=3#frag")
    assert a == "https://example.com/a/b?id=3"
    assert article_id("https://example.com/a/b?id=3", "x", ["y"]) == article_id("http://www.example.com/a/b/?id=3&utm_medium=z", "t", ["z"])
    assert article_id(None, "T", ["a b"]) == article_id(None, "t", ["A  b"])


def test_reingest_changes_nothing(tmp_path, db):
    d = tmp_path / "in"
    d.mkdir()
    _dump(d / "a.txt", "Title A", PARAS, "https://x.example/a", "2025-01-02")
    _dump(d / "b.txt", "Title B", PARAS[::-1], "https://x.example/b", "2025-01-03")
    first = polarwatch.ingest([d], db=db)
    assert (first.new, first.duplicate) == (2, 0)
    snap = _rows(db, "SELECT id, content_hash, body, ingested_at FROM articles ORDER BY id")
    srcs = _rows(db, "SELECT * FROM sources ORDER BY path")
    again = polarwatch.ingest([d], db=db)
    assert (again.new, again.duplicate, again.updated) == (0, 2, 0)
    assert _rows(db, "SELECT id, content_hash, body, ingested_at FROM articles ORDER BY id") == snap
    assert _rows(db, "SELECT * FROM sources ORDER BY path") == srcs


def test_exact_duplicate_under_another_url_is_stored_once_with_both_sources(tmp_path, db):
    _dump(tmp_path / "wire.txt", "Coast guard escorts trawler", PARAS, "https://wire.example/1", "2025-01-02")
    _dump(tmp_path / "repost.txt", "Coast guard escorts trawler", PARAS, "https://paper.example/2", "2025-01-02")
    rep = polarwatch.ingest([tmp_path / "wire.txt", tmp_path / "repost.txt"], db=db)
    assert (rep.new, rep.duplicate) == (1, 1)
    art = polarwatch.show(rep.new_ids[0], db=db)
    assert art is not None
    assert sorted(Path(s.path).name for s in art.article.sources) == ["repost.txt", "wire.txt"]
    assert {s["url"] for s in art.sources_detail} == {"https://wire.example/1", "https://paper.example/2"}


def test_changed_content_at_same_url_updates_the_article(tmp_path, db):
    f = _dump(tmp_path / "a.txt", "Title", PARAS, "https://x.example/a", "2025-01-02")
    polarwatch.ingest([f], db=db)
    _dump(f, "Title", PARAS + ["A correction was appended to the story on Tuesday."], "https://x.example/a", "2025-01-02")
    rep = polarwatch.ingest([f], db=db)
    assert (rep.new, rep.updated) == (0, 1)
    arts = polarwatch.articles(db=db)
    assert len(arts) == 1 and len(arts[0].article.paragraphs) == 3
    assert polarwatch.search("correction", db=db)


def test_migrations_are_numbered_and_recorded(db):
    nums = [n for n, _, _ in migrations()]
    assert nums == sorted(nums) and nums[0] == 1 and len(set(nums)) == len(nums)
    with open_store(db) as s:
        assert s.schema_version() == nums[-1]
    with open_store(db) as s:  # reopening applies nothing twice
        rows = s.db.execute("SELECT version FROM schema_migrations").fetchall()
        assert [r[0] for r in rows] == nums


def test_newer_schema_is_refused(db):
    with open_store(db) as s:
        s.db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    with pytest.raises(StoreError, match="newer"):
        open_store(db)


def test_open_store_urls(tmp_path):
    with open_store(f"sqlite:///{tmp_path}/u.db") as s:
        assert s.count() == 0
    with pytest.raises(StoreError):
        open_store("mysql://nope")


def test_id_prefix_lookup(tmp_path, db):
    rep = polarwatch.ingest([_dump(tmp_path / "a.txt", "Title", PARAS)], db=db)
    aid = rep.new_ids[0]
    assert polarwatch.show(aid[:8], db=db).article.id == aid
    assert polarwatch.show("ffffffffffffffff", db=db) is None


def test_ambiguous_prefix_is_an_error(db):
    with open_store(db) as s:
        for i in range(2):
            s.db.execute(
                "INSERT INTO articles (id, content_hash, format, paragraphs, body, ingested_at) VALUES (?, ?, 'text', '[]', '', 'x')",
                (f"abcdef{i}", f"h{i}"),
            )
        with pytest.raises(AmbiguousId):
            s.get_article("abcdef")


def test_search_ranks_title_hits_and_filters(tmp_path, db):
    _dump(tmp_path / "1.txt", "Icebreaker fleet grows", ["Russia launched another nuclear icebreaker on Friday."], "https://tass.com/1", "2025-03-01")
    _dump(tmp_path / "2.txt", "Budget talks", ["The budget mentions an icebreaker once, among many other items."], "https://www.cbc.ca/2", "2025-03-02")
    _dump(tmp_path / "3.txt", "Fisheries", ["Cod quotas were cut again this year."], "https://www.nrk.no/3", "2025-03-03")
    polarwatch.ingest([tmp_path], db=db)
    hits = polarwatch.search("icebreaker", db=db)
    assert [h.title for h in hits] == ["Icebreaker fleet grows", "Budget talks"]
    assert "\x02icebreaker\x03" in hits[0].snippet.lower()
    assert [h.title for h in polarwatch.search("icebreaker", db=db, country="CA")] == ["Budget talks"]
    assert polarwatch.search("icebreaker", db=db, since="2025-03-02", until="2025-03-02")[0].title == "Budget talks"
    # FTS syntax and stray punctuation both work
    assert [h.title for h in polarwatch.search('"nuclear icebreaker"', db=db)] == ["Icebreaker fleet grows"]
    assert polarwatch.search('icebreaker AND (', db=db)
    assert polarwatch.search("   ", db=db) == []


def test_articles_filters(tmp_path, db):
    _dump(tmp_path / "1.txt", "A", ["Text one about the Arctic."], "https://tass.com/1", "2025-03-01")
    _dump(tmp_path / "2.txt", "B", ["Text two about the Arctic."], "https://www.cbc.ca/2", "2025-04-01")
    _dump(tmp_path / "3.txt", "C", ["Text three about the Arctic, no date."])
    polarwatch.ingest([tmp_path], db=db)
    assert [a.article.title for a in polarwatch.articles(db=db)] == ["B", "A", "C"]
    assert [a.article.title for a in polarwatch.articles(db=db, country="ru")] == ["A"]
    assert [a.article.title for a in polarwatch.articles(db=db, outlet="cbc")] == ["B"]
    assert [a.article.title for a in polarwatch.articles(db=db, kind="state-controlled")] == ["A"]
    assert [a.article.title for a in polarwatch.articles(db=db, since="2025-03-15")] == ["B"]


def _write_corpus(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            paras = [f"Article {i} reports that patrol {i % 97} sailed north of the island of Kolguyev on day {i}.",
                     f"A spokesman for the district said {i * 7} tonnes of cargo were moved along the route."]  # fmt: skip
            fh.write(json.dumps({"url": f"https://kill.example/{i}", "title": f"Patrol report {i}", "text": "\n".join(paras)}) + "\n")


def test_killed_ingest_leaves_no_half_written_article_and_rerun_completes(tmp_path):
    db = str(tmp_path / "k.db")
    corpus = tmp_path / "big.jsonl"
    n = 6000
    _write_corpus(corpus, n)
    env = {**os.environ, "POLARWATCH_DB": db}
    cmd = [sys.executable, "-m", "polarwatch.cli", "ingest", "--quiet", str(corpus)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            stored = sqlite3.connect(db, timeout=0.2).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        except sqlite3.Error:
            continue
        if stored >= 400:
            break
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with SQLiteStore(db) as s:
        partial = s.count()
        assert 0 < partial < n
        assert s.integrity() == []
        # every stored article is complete: its paragraphs, body and source are all there
        bad = s.db.execute(
            "SELECT COUNT(*) FROM articles a WHERE json_array_length(a.paragraphs) != 2 OR a.body = '' "
            "OR NOT EXISTS (SELECT 1 FROM sources s WHERE s.article_rowid = a.rowid)"
        ).fetchone()[0]
        assert bad == 0
    rep = polarwatch.ingest([corpus], db=db)
    assert rep.new == n - partial and rep.duplicate == partial and not rep.failed
    with SQLiteStore(db) as s:
        assert s.count() == n and s.integrity() == []
