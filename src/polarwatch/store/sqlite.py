"""SQLite store: WAL, numbered migrations, FTS5, one IMMEDIATE transaction per batch.

A process killed mid-batch leaves the last committed batch and nothing of
the one in flight; re-running the ingest adds what is missing and counts
the rest as duplicates.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from ..records import Article, Event, Mention, Outlet, Quote, Removal, Source
from .base import MARK_END, MARK_START, AmbiguousId, ArticleFilter, SearchHit, Store, StoredArticle, StoreError, stores
from .snippets import ELLIPSIS, SNIPPET_TOKENS, cut, plain_terms
from .threads_sql import ThreadsSQL

# Most matches BM25 scores per query: the most recently stored matches (see SQLiteStore.search).
RANK_WINDOW = 1_000
_FTS_SYNTAX = re.compile(r'["*()]|\b(AND|OR|NOT|NEAR)\b|\w+:')


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped with the package, in order."""
    out = []
    for f in resources.files("polarwatch.store").joinpath("migrations").iterdir():
        m = re.fullmatch(r"(\d+)_(\w+)\.sql", f.name)
        if m:
            out.append((int(m.group(1)), m.group(2), f.read_text("utf-8")))
    return sorted(out)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@stores.register("sqlite")
class SQLiteStore(ThreadsSQL, Store):
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.path = str(Path(self.path).expanduser())
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        # SQLite's default page cache: a larger one (or mmap) makes memory grow with the store
        # and measured no faster on 100,000 articles.
        pragmas = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=10000")
        for pragma in pragmas:
            self.db.execute(f"PRAGMA {pragma}")
        self._migrate()

    # -- schema -------------------------------------------------------------
    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        done = {r[0] for r in self.db.execute("SELECT version FROM schema_migrations")}
        known = migrations()
        if done and max(done) > known[-1][0]:
            raise StoreError(f"database {self.path} has schema version {max(done)}, newer than this polarwatch knows")
        for num, name, sql in known:
            if num in done:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _statements(sql):
                    self.db.execute(stmt)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (num, name, _now()))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]

    # -- writes -------------------------------------------------------------
    def put_articles(self, articles: list[Article]) -> list[str]:
        from ..analysis.aggregates import refresh as keep_aggregates

        out: list[str] = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for a in articles:
                out.append(self._put(a))
            keep_aggregates(self.db, [])  # the cells of articles moved to another day or outlet (agg_stale), recounted now
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return out

    def _put(self, a: Article) -> str:
        cur = self.db.execute("SELECT rowid, content_hash FROM articles WHERE id = ?", (a.id,)).fetchone()
        if cur is None:
            same = self.db.execute("SELECT rowid FROM articles WHERE content_hash = ?", (a.content_hash,)).fetchone()
            if same is not None:
                self._add_sources(same[0], a)
                return "duplicate"
            rowid = self._insert(a)
            self._add_sources(rowid, a)
            return "new"
        rowid, old_hash = cur
        if old_hash == a.content_hash:
            self._add_sources(rowid, a)
            return "duplicate"
        if self.db.execute("SELECT 1 FROM articles WHERE content_hash = ? AND rowid != ?", (a.content_hash, rowid)).fetchone():
            self._add_sources(rowid, a)
            return "duplicate"
        self._update(rowid, a)
        self._add_sources(rowid, a)
        return "updated"

    def _values(self, a: Article) -> dict[str, Any]:
        o = a.outlet or Outlet(None, "")
        return {
            "id": a.id, "content_hash": a.content_hash, "url": a.url, "title": a.title, "published": a.published,
            "author": a.author, "outlet_domain": o.domain, "outlet_name": o.name or None, "outlet_country": o.country,
            "outlet_kind": o.kind, "outlet_language": o.language, "outlet_confidence": o.confidence if a.outlet else None,
            "outlet_inferred": int(o.inferred), "format": a.format, "summary_only": int(a.summary_only),
            "paragraphs": json.dumps(a.paragraphs, ensure_ascii=False), "body": a.body,
            "raw": zlib.compress(a.raw.encode("utf-8"), 1), "ingested_at": _now(),
        }  # fmt: skip

    def _insert(self, a: Article) -> int:
        v = self._values(a)
        cols = ", ".join(v)
        marks = ", ".join(f":{k}" for k in v)
        rowid = self.db.execute(f"INSERT INTO articles ({cols}) VALUES ({marks})", v).lastrowid
        self._put_removals(rowid, a.removed)
        return int(rowid)  # type: ignore[arg-type]

    def _update(self, rowid: int, a: Article) -> None:
        v = self._values(a)
        sets = ", ".join(f"{k} = :{k}" for k in v if k != "id")
        self.db.execute(f"UPDATE articles SET {sets} WHERE rowid = :rowid", {**v, "rowid": rowid})
        self.db.execute("DELETE FROM removals WHERE article_rowid = ?", (rowid,))
        self._put_removals(rowid, a.removed)

    def _put_removals(self, rowid: int, removed: list[Removal]) -> None:
        self.db.executemany(
            "INSERT INTO removals (article_rowid, seq, rule, text) VALUES (?, ?, ?, ?)",
            [(rowid, i, r.rule, r.text) for i, r in enumerate(removed)],
        )

    def _add_sources(self, rowid: int, a: Article) -> None:
        self.db.executemany(
            "INSERT INTO sources (path, locator, article_rowid, url, first_seen) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (path, locator) DO UPDATE SET article_rowid = excluded.article_rowid, url = excluded.url "
            "WHERE sources.article_rowid != excluded.article_rowid",
            [(s.path, s.locator, rowid, a.url, _now()) for s in a.sources],
        )

    # -- reads --------------------------------------------------------------
    def _row_to_article(self, r: sqlite3.Row, full: bool = True) -> StoredArticle:
        outlet = None
        if r["outlet_name"] or r["outlet_domain"]:
            outlet = Outlet(
                r["outlet_domain"], r["outlet_name"] or r["outlet_domain"], r["outlet_country"], r["outlet_kind"],
                r["outlet_language"], r["outlet_confidence"] if r["outlet_confidence"] is not None else 1.0,
                bool(r["outlet_inferred"]),
            )  # fmt: skip
        srcs = [dict(s) for s in self.db.execute(
            "SELECT path, locator, url FROM sources WHERE article_rowid = ? ORDER BY first_seen, path, locator", (r["rowid"],)
        )]  # fmt: skip
        removed = []
        raw = ""
        if full:
            removed = [Removal(x["text"], x["rule"]) for x in self.db.execute(
                "SELECT rule, text FROM removals WHERE article_rowid = ? ORDER BY seq", (r["rowid"],)
            )]  # fmt: skip
            raw = zlib.decompress(r["raw"]).decode("utf-8") if r["raw"] is not None else ""
        art = Article(
            id=r["id"], content_hash=r["content_hash"], title=r["title"], paragraphs=json.loads(r["paragraphs"]),
            removed=removed, raw=raw, format=r["format"], sources=[Source(s["path"], s["locator"]) for s in srcs],
            url=r["url"], published=r["published"], author=r["author"], outlet=outlet, summary_only=bool(r["summary_only"]),
        )  # fmt: skip
        return StoredArticle(art, r["ingested_at"], srcs)

    def get_article(self, id_or_prefix: str) -> StoredArticle | None:
        r = self.db.execute("SELECT * FROM articles WHERE id = ?", (id_or_prefix,)).fetchone()
        if r is None and len(id_or_prefix) >= 6:
            rows = self.db.execute(
                "SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2", (id_or_prefix, id_or_prefix + "\uffff")
            ).fetchall()
            if len(rows) > 1:
                raise AmbiguousId(f"id prefix {id_or_prefix!r} matches more than one article")
            r = rows[0] if rows else None
        return self._row_to_article(r) if r is not None else None

    def _where(self, flt: ArticleFilter, alias: str = "a") -> tuple[str, list[Any]]:
        conds: list[str] = []
        args: list[Any] = []
        if flt.outlet:
            conds.append(f"(lower({alias}.outlet_name) LIKE ? OR lower({alias}.outlet_domain) LIKE ?)")
            args += [f"%{flt.outlet.lower()}%"] * 2
        if flt.country:
            conds.append(f"{alias}.outlet_country = ?")
            args.append(flt.country.upper())
        if flt.kind:
            conds.append(f"{alias}.outlet_kind = ?")
            args.append(flt.kind)
        if flt.since:
            conds.append(f"{alias}.published >= ?")
            args.append(flt.since)
        if flt.until:
            conds.append(f"{alias}.published <= ?")
            args.append(flt.until)
        return (" AND ".join(conds) or "1"), args

    def list_articles(self, flt: ArticleFilter = ArticleFilter(), limit: int = 50, offset: int = 0) -> list[StoredArticle]:
        where, args = self._where(flt)
        rows = self.db.execute(
            f"SELECT * FROM articles a WHERE {where} ORDER BY a.published IS NULL, a.published DESC, a.rowid DESC "
            "LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return [self._row_to_article(r, full=False) for r in rows]

    def search(self, query: str, flt: ArticleFilter = ArticleFilter(), limit: int = 20) -> list[SearchHit]:
        if not query.strip():
            return []
        where, args = self._where(flt)
        # One pass over the index, newest stored match first, scores the RANK_WINDOW most recent matches
        # (those passing the filter) and keeps the best; metadata and snippets are then read for the top
        # hits alone. BM25 costs a pass over each term's whole list of articles plus ~1.5 µs a match
        # scored, so a word in most articles would otherwise cost tens of milliseconds.
        window = max(RANK_WINDOW, limit)
        rank_sql = (
            "SELECT rowid, score FROM (SELECT rowid, bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts "
            "WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid DESC LIMIT ?"
            if where == "1" else
            "SELECT rowid, score FROM (SELECT f.rowid AS rowid, bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts f "
            f"JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH ? AND {where} ORDER BY f.rowid DESC LIMIT ?) "
            "ORDER BY score, rowid DESC LIMIT ?"
        )  # fmt: skip
        safe = _fts_queries(query)[-1]
        for q in _fts_queries(query):
            try:
                top = self.db.execute(rank_sql, [q, *args, window, limit]).fetchall()
            except sqlite3.OperationalError:
                continue
            if not top:
                return []
            marks = ",".join("?" * len(top))
            meta = {r[0]: r for r in self.db.execute(
                f"SELECT rowid, id, title, published, outlet_name, outlet_country, body FROM articles WHERE rowid IN ({marks})",
                [r[0] for r in top],
            )}  # fmt: skip
            # Snippets cut in Python for a query of plain words (store/snippets.py); FTS5's for the rest.
            terms = plain_terms(_query_words(query)) if q == safe else None
            snips = {rid: cut(meta[rid][6] or "", terms, meta[rid][2] or "") for rid, _ in top} if terms else {}
            rest = [rid for rid, _ in top if snips.get(rid) is None]
            if rest:
                snips.update(self.db.execute(
                    f"SELECT rowid, snippet(articles_fts, 1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', {SNIPPET_TOKENS}) "
                    f"FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({','.join('?' * len(rest))})", [q, *rest],
                ).fetchall())  # fmt: skip
            return [
                SearchHit(meta[rid][1], meta[rid][2], meta[rid][3], meta[rid][4], meta[rid][5], round(-score, 4), snips.get(rid) or "")
                for rid, score in top
            ]
        return []

    # -- extraction results ---------------------------------------------------
    def put_analyses(
        self, items: list[tuple[str, Any]], version: str, themes: dict[str, list[Any]] | None = None, tones: dict[str, Any] | None = None
    ) -> None:
        """Replace the mentions and quotes of each (article id, Analysis), and its themes and tone when
        given (``themes``: id -> list of ``ThemeScore``; ``tones``: id -> ``ArticleTone``), in one transaction."""
        from ..analysis.aggregates import refresh as keep_aggregates
        from ..analysis.counts import keep_word_counts

        themes, tones = themes or {}, tones or {}
        analysed: list[int] = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for aid, an in items:
                row = self.db.execute("SELECT rowid FROM articles WHERE id = ?", (aid,)).fetchone()
                if row is None:
                    continue
                rowid = row[0]
                for table in ("mentions", "quotes", "article_themes", "article_tone", "actor_tone", "events"):
                    self.db.execute(f"DELETE FROM {table} WHERE article_rowid = ?", (rowid,))  # noqa: S608 (fixed names)
                self._put_themes_tone(rowid, themes.get(aid, getattr(an, "themes", [])), tones.get(aid, getattr(an, "tone", None)))
                self.db.executemany(
                    f"INSERT INTO events VALUES ({', '.join(['?'] * 23)})",
                    [(rowid, i, e.type, e.mode, e.trigger, e.trigger_start, e.trigger_end, e.sentence_start, e.sentence_end,
                      e.source_id, e.source_name, e.source_country, e.source_text, e.target_id, e.target_name, e.target_country,
                      e.target_text, int(e.symmetric), e.claimed_by_id, e.claimed_by_name, e.claimed_by_country,
                      e.evidence_start, e.evidence_end) for i, e in enumerate(getattr(an, "events", []))],
                )  # fmt: skip
                self.db.executemany(
                    "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(rowid, i, m.start, m.end, m.text, m.kind, m.actor_id, m.actor_name, m.country, m.how)
                     for i, m in enumerate(an.mentions)],
                )  # fmt: skip
                self.db.executemany(
                    "INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(rowid, i, q.start, q.end, q.text, q.kind, q.cue, q.cue_start, q.speaker_text, q.speaker_start,
                      q.speaker_end, q.speaker_id, q.speaker_name, q.speaker_country, json.dumps(q.about), int(q.in_title))
                     for i, q in enumerate(an.quotes)],
                )  # fmt: skip
                self.db.execute("UPDATE articles SET analysed_with = ? WHERE rowid = ?", (version, rowid))
                analysed.append(rowid)
            keep_word_counts(self.db, analysed)  # what the REST API sums for a comparison (migration 013)
            keep_aggregates(self.db, analysed)  # and the daily aggregates per outlet (migration 014)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _put_themes_tone(self, rowid: int, themes: list[Any], tone: Any) -> None:
        for t in themes:
            d = t.as_dict()
            self.db.execute(
                "INSERT INTO article_themes VALUES (?, ?, ?, ?, ?, ?)",
                (rowid, d["theme"], d["score"], d["share"], json.dumps(d["paragraphs"]), json.dumps(d["evidence"])),
            )
        if tone is None:
            return
        d = tone.as_dict()
        self.db.execute(
            "INSERT INTO article_tone VALUES (?, ?, ?, ?, ?, ?)",
            (rowid, d["tone"], d["positive"], d["negative"], d["scored"], json.dumps(d["sentences"])),
        )
        self.db.executemany(
            "INSERT INTO actor_tone VALUES (?, ?, ?, ?, ?)",
            [(rowid, a, v["tone"], v["mentions"], json.dumps(v["sentences"])) for a, v in d["actors"].items()],
        )

    _EVENT_COLS = (
        "type, mode, trigger, trigger_start, trigger_end, sentence_start, sentence_end, source_id, source_name, source_country, "
        "source_text, target_id, target_name, target_country, target_text, symmetric, claimed_by_id, claimed_by_name, "
        "claimed_by_country, evidence_start, evidence_end"
    )

    @staticmethod
    def _event(r: sqlite3.Row) -> Event:
        d = {k: r[k] for k in r.keys() if k in Event.__dataclass_fields__}
        d["symmetric"] = bool(d["symmetric"])
        return Event(**d)

    def get_events(self, article_id: str) -> list[Event]:
        return [self._event(r) for r in self.db.execute(
            f"SELECT {self._EVENT_COLS} FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE a.id = ? ORDER BY e.seq",  # noqa: S608
            (article_id,),
        )]  # fmt: skip

    @staticmethod
    def _side(prefix: str, who: str) -> tuple[str, list[Any]]:
        """SQL for one side of an event: a 2-letter country code, else an actor id or a name substring."""
        if len(who) == 2 and who.isalpha():
            return f"e.{prefix}_country = ?", [who.upper()]
        return f"(e.{prefix}_id = ? OR lower(e.{prefix}_name) LIKE ?)", [who, f"%{who.lower()}%"]

    def _event_where(self, source: str | None, target: str | None, etype: str | None, flt: ArticleFilter) -> tuple[str, list[Any]]:
        where, args = self._where(flt)
        conds, cargs = [where], list(args)
        if source or target:
            # A symmetric event ("A and B cooperate") reads both ways.
            fwd, fargs, rev, rargs = [], [], [], []
            for prefix, who in (("source", source), ("target", target)):
                if who:
                    c, a = self._side(prefix, who)
                    fwd.append(c)
                    fargs += a
                    c, a = self._side("target" if prefix == "source" else "source", who)
                    rev.append(c)
                    rargs += a
            conds.append(f"(({' AND '.join(fwd)}) OR (e.symmetric = 1 AND {' AND '.join(rev)}))")
            cargs += fargs + rargs
        if etype:
            conds.append("e.type = ?")
            cargs.append(etype.upper())
        return " AND ".join(conds), cargs

    def find_events(self, source: str | None = None, target: str | None = None, etype: str | None = None,
                    flt: ArticleFilter = ArticleFilter(), limit: int = 50) -> list[tuple[str, str | None, str | None, str | None, Event]]:
        """(article id, title, outlet, published, event), newest first; sides by country code, actor id or name."""
        where, args = self._event_where(source, target, etype, flt)
        sql = (
            f"SELECT a.id AS aid, a.title AS atitle, a.outlet_name AS aoutlet, a.published AS apub, {self._EVENT_COLS} "  # noqa: S608
            f"FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {where} "
            "ORDER BY a.published IS NULL, a.published DESC, e.article_rowid DESC, e.seq LIMIT ?"
        )
        return [(r["aid"], r["atitle"], r["aoutlet"], r["apub"], self._event(r)) for r in self.db.execute(sql, [*args, limit])]

    def event_counts(self, limit: int = 20, flt: ArticleFilter = ArticleFilter()) -> list[dict[str, Any]]:
        """The most frequent (source country, type, target country) triples: ``{source, type, target, events, articles}``."""
        where, args = self._where(flt)
        sql = (
            "SELECT COALESCE(e.source_country, e.source_name), e.type, COALESCE(e.target_country, e.target_name), COUNT(*), "  # noqa: S608
            f"COUNT(DISTINCT e.article_rowid) FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {where} "
            "GROUP BY 1, 2, 3 ORDER BY COUNT(*) DESC, 1, 2, 3 LIMIT ?"
        )
        return [{"source": r[0], "type": r[1], "target": r[2], "events": r[3], "articles": r[4]}
                for r in self.db.execute(sql, [*args, limit])]  # fmt: skip

    def event_timeline(self, source: str, target: str, period: str = "week", flt: ArticleFilter = ArticleFilter()) -> list[dict[str, Any]]:
        """Events between two actors (either direction) per period and type: ``{period, type, source, target, events, articles}``.

        Only dated articles count; the period is the ISO week (``2025-W07``), the day or the month of publication."""
        fmt = {"day": "%Y-%m-%d", "week": "%Y-W%W", "month": "%Y-%m"}[period]
        rows: list[dict[str, Any]] = []
        for a_side, b_side in ((source, target), (target, source)):
            where, args = self._event_where(a_side, b_side, None, flt)
            sql = (
                f"SELECT strftime('{fmt}', a.published) AS p, e.type, COUNT(*), COUNT(DISTINCT e.article_rowid) "  # noqa: S608
                f"FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {where} AND a.published IS NOT NULL "
                + ("AND e.symmetric = 0 " if a_side == target else "")  # a symmetric event is counted once, with the first pair
                + "GROUP BY p, e.type ORDER BY p, e.type"
            )
            for p, typ, n, arts in self.db.execute(sql, args):
                rows.append({"period": p, "type": typ, "source": a_side, "target": b_side, "events": n, "articles": arts})
        rows.sort(key=lambda r: (r["period"], r["type"], r["source"] != source))
        return rows

    def get_themes(self, article_id: str) -> list[dict[str, Any]]:
        """The article's themes, best first: ``{theme, score, share, paragraphs, evidence}``."""
        return [
            {"theme": r[0], "score": r[1], "share": r[2], "paragraphs": json.loads(r[3]), "evidence": json.loads(r[4])}
            for r in self.db.execute(
                "SELECT t.theme, t.score, t.share, t.paragraphs, t.evidence FROM article_themes t "
                "JOIN articles a ON a.rowid = t.article_rowid WHERE a.id = ? ORDER BY t.score DESC, t.theme", (article_id,),
            )
        ]  # fmt: skip

    def get_tone(self, article_id: str) -> dict[str, Any] | None:
        """The article's tone and the tone toward each actor it mentions, with the sentences behind them."""
        r = self.db.execute(
            "SELECT t.article_rowid, t.tone, t.positive, t.negative, t.scored, t.sentences FROM article_tone t "
            "JOIN articles a ON a.rowid = t.article_rowid WHERE a.id = ?", (article_id,),
        ).fetchone()  # fmt: skip
        if r is None:
            return None
        actors = {
            a[0]: {"tone": a[1], "mentions": a[2], "sentences": json.loads(a[3])}
            for a in self.db.execute("SELECT actor_id, tone, mentions, sentences FROM actor_tone WHERE article_rowid = ?", (r[0],))
        }  # fmt: skip
        return {"tone": r[1], "positive": r[2], "negative": r[3], "scored": r[4], "sentences": json.loads(r[5]), "actors": actors}

    def theme_counts(self, flt: ArticleFilter = ArticleFilter()) -> list[dict[str, Any]]:
        """Per theme: articles carrying it, their mean score and mean article tone (filtered like ``articles``)."""
        where, params = self._where(flt)
        return [
            {"theme": r[0], "articles": r[1], "mean_score": round(r[2], 2), "mean_tone": None if r[3] is None else round(r[3], 3)}
            for r in self.db.execute(
                f"SELECT t.theme, COUNT(*), AVG(t.score), AVG(tn.tone) FROM article_themes t "  # noqa: S608 (where is built from fixed parts)
                f"JOIN articles a ON a.rowid = t.article_rowid LEFT JOIN article_tone tn ON tn.article_rowid = a.rowid "
                f"WHERE {where} GROUP BY t.theme ORDER BY COUNT(*) DESC, t.theme", params,
            )
        ]  # fmt: skip

    def unanalysed_among(self, ids: list[str], version: str) -> set[str]:
        """Those of *ids* stored but not analysed with *version*."""
        out: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            out |= {r[0] for r in self.db.execute(
                f"SELECT id FROM articles WHERE id IN ({', '.join('?' * len(chunk))}) "  # noqa: S608 (placeholders only)
                "AND (analysed_with IS NULL OR analysed_with != ?)", [*chunk, version],
            )}  # fmt: skip
        return out

    def unanalysed(self, version: str, limit: int = 500, after: int = 0) -> list[tuple[int, str]]:
        """(rowid, id) of articles not analysed with *version*, in rowid order after *after*."""
        return [tuple(r) for r in self.db.execute(
            "SELECT rowid, id FROM articles WHERE (analysed_with IS NULL OR analysed_with != ?) AND rowid > ? "
            "ORDER BY rowid LIMIT ?", (version, after, limit),
        )]  # fmt: skip

    def get_mentions(self, article_id: str) -> list[Mention]:
        return [Mention(*r) for r in self.db.execute(
            "SELECT m.start, m.end, m.text, m.kind, m.actor_id, m.actor_name, m.country, m.how FROM mentions m "
            "JOIN articles a ON a.rowid = m.article_rowid WHERE a.id = ? ORDER BY m.seq", (article_id,),
        )]  # fmt: skip

    def get_quotes(self, article_id: str) -> list[Quote]:
        return [self._quote(r) for r in self.db.execute(
            "SELECT q.* FROM quotes q JOIN articles a ON a.rowid = q.article_rowid WHERE a.id = ? ORDER BY q.seq", (article_id,)
        )]  # fmt: skip

    @staticmethod
    def _quote(r: sqlite3.Row) -> Quote:
        return Quote(
            r["start"], r["end"], r["text"], r["kind"], r["cue"], r["cue_start"], r["speaker_text"], r["speaker_start"],
            r["speaker_end"], r["speaker_id"], r["speaker_name"], r["speaker_country"], json.loads(r["about"]),
            bool(r["in_title"]),
        )  # fmt: skip

    def find_quotes(self, speaker: str | None = None, about: str | None = None, kind: str | None = None,
                    flt: ArticleFilter = ArticleFilter(), limit: int = 50) -> list[tuple[str, str | None, str | None, Quote]]:
        """(article id, title, outlet, quote) filtered by speaker (name substring or id), actor mentioned inside, kind."""
        where, args = self._where(flt)
        conds, qargs = [], []
        if speaker:
            conds.append("(lower(q.speaker_name) LIKE ? OR q.speaker_id = ? OR lower(q.speaker_text) LIKE ?)")
            qargs += [f"%{speaker.lower()}%", speaker, f"%{speaker.lower()}%"]
        if about:
            ids = self._actor_ids(about)
            conds.append("(" + " OR ".join(["q.about LIKE ?"] * len(ids)) + ")" if ids else "0")
            qargs += [f'%"{i}"%' for i in ids]
        if kind:
            conds.append("q.kind = ?")
            qargs.append(kind)
        sql = (
            "SELECT a.id AS aid, a.title AS atitle, a.outlet_name AS aoutlet, q.* FROM quotes q JOIN articles a ON a.rowid = q.article_rowid "
            f"WHERE {where} AND {' AND '.join(conds) or '1'} ORDER BY a.published IS NULL, a.published DESC, q.article_rowid DESC, q.seq LIMIT ?"
        )
        return [(r["aid"], r["atitle"], r["aoutlet"], self._quote(r)) for r in self.db.execute(sql, [*args, *qargs, limit])]

    def _actor_ids(self, name: str) -> list[str]:
        """Actor ids whose id or canonical name matches *name* (case-insensitive)."""
        rows = self.db.execute(
            "SELECT DISTINCT actor_id FROM mentions WHERE actor_id = ? OR lower(actor_name) = lower(?) OR lower(actor_name) LIKE ?",
            (name, name, f"%{name.lower()}%"),
        ).fetchall()
        return [r[0] for r in rows if r[0]]

    def actor_counts(self, limit: int = 50) -> list[dict[str, Any]]:
        """Actors by articles mentioning them, with quote counts and kind, country."""
        rows = self.db.execute(
            "SELECT m.actor_id AS id, MIN(m.actor_name) AS name, MIN(m.kind) AS kind, MIN(m.country) AS country, "
            "COUNT(DISTINCT m.article_rowid) AS articles, COUNT(*) AS mentions, "
            "(SELECT COUNT(*) FROM quotes q WHERE q.speaker_id = m.actor_id) AS quotes "
            "FROM mentions m WHERE m.actor_id IS NOT NULL GROUP BY m.actor_id ORDER BY articles DESC, quotes DESC, name LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    def top_speakers(self, limit: int = 10) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute(
            "SELECT speaker_name AS speaker, MIN(speaker_country) AS country, COUNT(*) AS quotes, COUNT(DISTINCT article_rowid) AS articles "
            "FROM quotes WHERE speaker_name IS NOT NULL GROUP BY speaker_name ORDER BY quotes DESC, speaker LIMIT ?", (limit,),
        )]  # fmt: skip

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def stats(self) -> dict[str, Any]:
        by_outlet = [dict(r) for r in self.db.execute(
            "SELECT outlet_name AS outlet, outlet_country AS country, outlet_kind AS kind, COUNT(*) AS articles "
            "FROM articles GROUP BY outlet_name, outlet_country, outlet_kind ORDER BY articles DESC, outlet"
        )]  # fmt: skip
        by_country = {r[0] or "unknown": r[1] for r in self.db.execute(
            "SELECT outlet_country, COUNT(*) FROM articles GROUP BY outlet_country ORDER BY 2 DESC"
        )}  # fmt: skip
        span = self.db.execute("SELECT MIN(published), MAX(published), SUM(published IS NULL) FROM articles").fetchone()
        return {
            "articles": self.count(),
            "sources": self.db.execute("SELECT COUNT(*) FROM sources").fetchone()[0],
            "removed": self.db.execute("SELECT COUNT(*) FROM removals").fetchone()[0],
            "by_outlet": by_outlet, "by_country": by_country,
            "first_published": span[0], "last_published": span[1], "undated": span[2] or 0,
        }  # fmt: skip

    def integrity(self) -> list[str]:
        """Problems found by checking every invariant the writer keeps (empty list: none)."""
        problems = []
        if self.db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("sqlite integrity_check failed")
        n = self.db.execute("SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.article_rowid = a.rowid)").fetchone()[0]
        if n:
            problems.append(f"{n} articles without a source")
        try:
            self.db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index out of step: {exc}")
        return problems

    # -- near-duplicates and stories (stories/) --------------------------------
    def put_near_duplicates(self, items: list[tuple[str, bytes, list[Any]]], bands: dict[str, list[int]] | None = None) -> None:
        """Per (article id, MinHash signature bytes, ``DuplicateLink`` list): keep the signature (and its band
        keys, *bands*: id -> one key per band) and replace the article's links to the earlier articles it
        nearly duplicates (one transaction)."""
        bands = bands or {}
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for aid, sig, links in items:
                row = self.db.execute("SELECT rowid FROM articles WHERE id = ?", (aid,)).fetchone()
                if row is None:
                    continue
                self.db.execute("INSERT OR REPLACE INTO article_minhash VALUES (?, ?)", (row[0], sig))
                if aid in bands:
                    self._put_bands(row[0], bands[aid])
                self.db.execute("DELETE FROM near_duplicates WHERE article_rowid = ?", (row[0],))
                for lk in links:
                    other = self.db.execute("SELECT rowid FROM articles WHERE id = ?", (lk.duplicate_of,)).fetchone()
                    if other is not None and other[0] != row[0]:
                        self.db.execute("INSERT OR REPLACE INTO near_duplicates VALUES (?, ?, ?, ?)",
                                        (row[0], other[0], lk.estimated, lk.jaccard))  # fmt: skip
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def minhash_candidates(self, keys: list[int]) -> list[tuple[str, bytes]]:
        """(article id, signature bytes) of the stored articles sharing at least one band key with *keys*
        (one key per band, in band order)."""
        if not keys:
            return []
        # One indexed lookup per band (a row-value IN over VALUES is not planned through the index).
        lookups = " UNION ".join("SELECT article_rowid FROM minhash_bands WHERE band = ? AND key = ?" for _ in keys)
        args = [v for b, k in enumerate(keys) for v in (b, k)]
        return [tuple(r) for r in self.db.execute(
            f"SELECT a.id, m.signature FROM articles a JOIN article_minhash m ON m.article_rowid = a.rowid "  # noqa: S608
            f"WHERE a.rowid IN ({lookups}) ORDER BY a.rowid",
            args,
        )]  # fmt: skip

    def put_minhash_bands(self, bands: dict[str, list[int]]) -> None:
        """Replace the band keys of each article id (one transaction)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for aid, keys in bands.items():
                row = self.db.execute("SELECT rowid FROM articles WHERE id = ?", (aid,)).fetchone()
                if row is None:
                    continue
                self._put_bands(row[0], keys)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _put_bands(self, rowid: int, keys: list[int]) -> None:
        self.db.execute("DELETE FROM minhash_bands WHERE article_rowid = ?", (rowid,))
        self.db.executemany("INSERT INTO minhash_bands VALUES (?, ?, ?)", [(b, k, rowid) for b, k in enumerate(keys)])

    def minhash_unbanded(self, limit: int = 1000) -> list[tuple[str, bytes]]:
        """(article id, signature) of articles signed before band keys were kept (a store from migration 007)."""
        return [tuple(r) for r in self.db.execute(
            "SELECT a.id, m.signature FROM article_minhash m JOIN articles a ON a.rowid = m.article_rowid "
            "WHERE NOT EXISTS (SELECT 1 FROM minhash_bands b WHERE b.article_rowid = m.article_rowid) LIMIT ?", (limit,),
        )]  # fmt: skip

    def get_body(self, article_id: str) -> str | None:
        r = self.db.execute("SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()
        return r[0] if r else None

    def get_near_duplicates(self, article_id: str) -> list[dict[str, Any]]:
        """The articles *article_id* nearly duplicates or is nearly duplicated by, most similar first:
        ``{id, title, outlet, published, jaccard, estimated, earlier}`` (``earlier``: the other one was stored first)."""
        rows = self.db.execute(
            "SELECT o.id, o.title, o.outlet_name, o.published, d.jaccard, d.estimated, d.article_rowid = a.rowid AS earlier "
            "FROM articles a JOIN near_duplicates d ON a.rowid IN (d.article_rowid, d.duplicate_of_rowid) "
            "JOIN articles o ON o.rowid = (CASE WHEN d.article_rowid = a.rowid THEN d.duplicate_of_rowid ELSE d.article_rowid END) "
            "WHERE a.id = ? ORDER BY d.jaccard DESC, o.id", (article_id,),
        )  # fmt: skip
        return [{"id": r[0], "title": r[1], "outlet": r[2], "published": r[3], "jaccard": r[4], "estimated": r[5],
                 "earlier": bool(r[6])} for r in rows]  # fmt: skip

    # -- same-event stories (stories/service.py) ---------------------------------
    def story_inputs(self, ids: list[str]) -> list[dict[str, Any]]:
        """What the clusterer reads of each article id not yet in a story, in the order given:
        ``{id, title, body, published, outlet}``."""
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for r in self.db.execute(
                "SELECT a.id, a.title, a.body, a.published, a.outlet_name FROM articles a "  # noqa: S608
                f"WHERE a.id IN ({', '.join('?' * len(chunk))}) "
                "AND NOT EXISTS (SELECT 1 FROM story_articles s WHERE s.article_rowid = a.rowid)", chunk,
            ):  # fmt: skip
                found[r[0]] = {"id": r[0], "title": r[1], "body": r[2], "published": r[3], "outlet": r[4]}
        return [found[aid] for aid in dict.fromkeys(ids) if aid in found]

    def story_heads(self, since: str | None, until: str | None, recent: int = 0) -> dict[int, int]:
        """The stories ``open_stories`` would return, as id: size, without their state."""
        out: dict[int, int] = {}
        if since is not None and until is not None:
            out.update(self.db.execute("SELECT id, size FROM stories WHERE last_seen >= ? AND first_seen <= ?", (since, until)))
        if recent:
            out.update(self.db.execute("SELECT id, size FROM stories ORDER BY updated_at DESC, id DESC LIMIT ?", (recent,)))
        return out

    def story_rows(self, story_ids: list[int]) -> list[dict[str, Any]]:
        """``{id, title, first_seen, last_seen, size, state, grown_at}`` of the stories *story_ids*, by id."""
        rows: list[dict[str, Any]] = []
        for i in range(0, len(story_ids), 500):
            chunk = story_ids[i : i + 500]
            rows.extend(dict(r) for r in self.db.execute(
                f"SELECT id, title, first_seen, last_seen, size, state, grown_at FROM stories WHERE id IN ({', '.join('?' * len(chunk))})",  # noqa: S608
                chunk,
            ))  # fmt: skip
        return sorted(rows, key=lambda r: r["id"])

    def settled_stories(self, after: int, upto: int, size: int) -> list[dict[str, Any]]:
        """``{id, size, grown_at}`` of the stories of at most *size* articles that last grew when the count of
        clustered articles (``story_count``) was over *after* and at most *upto*, by that count and id."""
        return [dict(r) for r in self.db.execute(
            "SELECT id, size, grown_at FROM stories WHERE grown_at > ? AND grown_at <= ? AND size <= ? ORDER BY grown_at, id",
            (after, upto, size),
        )]  # fmt: skip

    def grown_stories(self, after: int) -> dict[int, int]:
        """id: size of the stories that took an article when the count of clustered articles was over *after*."""
        return dict(self.db.execute("SELECT id, size FROM stories WHERE grown_at > ?", (after,)).fetchall())

    def story_count(self) -> int:
        """Articles placed in stories (the N of the clusterer's document frequencies)."""
        return int(self.db.execute("SELECT COUNT(*) FROM story_articles").fetchone()[0])

    def open_stories(self, since: str | None, until: str | None, recent: int = 0) -> list[dict[str, Any]]:
        """Stories a new article may join: dated ones whose span reaches [*since*, *until*] (both None: none),
        and the *recent* most recently updated ones whatever their dates. ``{id, title, first_seen, last_seen,
        size, state}`` (state: the JSON text)."""
        return self.story_rows(sorted(self.story_heads(since, until, recent)))

    def story_df(self, terms: set[str]) -> tuple[int, dict[str, int]]:
        """(articles clustered so far, document frequency of each of *terms* among them)."""
        n = self.story_count()
        out: dict[str, int] = {}
        todo = sorted(terms)
        for i in range(0, len(todo), 500):
            chunk = todo[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            out.update((r[0], r[1]) for r in self.db.execute(f"SELECT term, df FROM story_df WHERE term IN ({marks})", chunk))  # noqa: S608
        return n, out

    def put_stories(self, stories: list[dict[str, Any]], joins: list[tuple[int, str, float | None]], df: dict[str, int],
                    moves: list[tuple[int, int, list[tuple[str, float | None]]]] | None = None,
                    splits: list[tuple[int, int, list[str]]] | None = None) -> dict[int, int]:
        """Write the clusterer's results in one transaction: *stories* (``{id, title, first_seen, last_seen, size,
        state, grown}``; a negative id is a new story; grown: ``grown_at``), *joins* (story id, article id, score),
        the document-frequency increments *df*, the *splits* (``split_stories``, in order) and then the *moves*
        (``move_stories``); a negative target is a story of *stories*. An article already in a story is left where
        it is (unless a split or move takes it). The first and last seen of *stories* are the clusterer's, after the
        moves too (a story merged and split in one batch). Returns new ids by the negative ones."""
        now = _now()
        ids: dict[int, int] = {}
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # New stories take the ids after the largest (the write lock is held), so all rows go in one statement each.
            nxt = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM stories").fetchone()[0] + 1
            for s in stories:
                if s["id"] < 0:
                    ids[s["id"]] = nxt
                    nxt += 1
            self.db.executemany(
                "INSERT INTO stories (id, title, first_seen, last_seen, size, state, grown_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(ids[s["id"]], s["title"], s["first_seen"], s["last_seen"], s["size"], s["state"], s.get("grown", 0), now, now)
                 for s in stories if s["id"] < 0],
            )  # fmt: skip
            self.db.executemany(  # the title stays the first article's
                "UPDATE stories SET first_seen = ?, last_seen = ?, size = ?, state = ?, grown_at = COALESCE(?, grown_at), "
                "updated_at = ? WHERE id = ?",
                [(s["first_seen"], s["last_seen"], s["size"], s["state"], s.get("grown"), now, s["id"]) for s in stories if s["id"] >= 0],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO story_articles SELECT rowid, ?, ?, ? FROM articles WHERE id = ?",
                [(ids.get(sid, sid), sim, now, aid) for sid, aid, sim in joins],
            )
            self.db.executemany(
                "INSERT INTO story_df VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = df + excluded.df", sorted(df.items())
            )
            self._split_stories([(src, ids.get(dst, dst), aids) for src, dst, aids in splits or ()], now)
            self._move_stories([(src, ids.get(dst, dst), scores) for src, dst, scores in moves or ()], now)
            if moves:  # a move widens its target by the source's row, which still holds any articles a split took since
                self.db.executemany("UPDATE stories SET first_seen = ?, last_seen = ? WHERE id = ?",
                                    [(s["first_seen"], s["last_seen"], ids.get(s["id"], s["id"])) for s in stories])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return ids

    def split_stories(self, splits: list[tuple[int, int, list[str]]]) -> None:
        """Move given articles of a story into another (a new one, written just before), in one transaction:
        (source, target, article ids), in order. Each article goes to the target from whatever story holds it
        (the source, or one merged into it since), keeping its similarity; the sizes of the target and of
        the stories the articles left are counted again from the rows, and a target with no title takes its
        first article's. Dates are left as the stories' rows have them (the clusterer writes them)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._split_stories(splits, _now())
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _split_stories(self, splits: list[tuple[int, int, list[str]]], now: str) -> None:
        for _src, dst, aids in splits:
            touched = {dst}
            for i in range(0, len(aids), 500):
                chunk = aids[i : i + 500]
                marks = ", ".join("?" * len(chunk))
                rows = f"SELECT rowid FROM articles WHERE id IN ({marks})"  # noqa: S608
                touched.update(r[0] for r in self.db.execute(
                    f"SELECT DISTINCT story_id FROM story_articles WHERE article_rowid IN ({rows})", chunk))  # noqa: S608
                self.db.execute(f"UPDATE story_articles SET story_id = ? WHERE article_rowid IN ({rows})", (dst, *chunk))  # noqa: S608
            self.db.executemany(
                "UPDATE stories SET size = (SELECT COUNT(*) FROM story_articles WHERE story_id = ?), updated_at = ? WHERE id = ?",
                [(sid, now, sid) for sid in sorted(touched)],
            )
            if aids:
                self.db.execute("UPDATE stories SET title = (SELECT title FROM articles WHERE id = ?) WHERE id = ? AND title IS NULL",
                                (aids[0], dst))

    def move_stories(self, moves: list[tuple[int, int, list[tuple[str, float | None]]]]) -> None:
        """Move each story's articles into another, in one transaction: (source, target, scores), scores being the
        similarity each moved article is kept with in the target (article id, score; an article not named keeps
        its own). The target's size, first and last seen are counted again from the rows (its outlets follow
        its articles); the emptied source is dropped with its thread profile and membership, and its thread
        with it when one story or none is left; a member of the target's thread linked to the source is
        linked to the target."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._move_stories(moves, _now())
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _move_stories(self, moves: list[tuple[int, int, list[tuple[str, float | None]]]], now: str) -> None:
        for src, dst, scores in moves:
            self.db.executemany(
                "UPDATE story_articles SET similarity = ? WHERE story_id = ? AND article_rowid = (SELECT rowid FROM articles WHERE id = ?)",
                [(sim, src, aid) for aid, sim in scores],
            )
            self.db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (dst, src))
            self.db.execute(
                "UPDATE stories SET size = (SELECT COUNT(*) FROM story_articles WHERE story_id = ?), "
                "first_seen = (SELECT MIN(first_seen) FROM stories WHERE id IN (?, ?)), "
                "last_seen = (SELECT MAX(last_seen) FROM stories WHERE id IN (?, ?)), updated_at = ? WHERE id = ?",
                (dst, src, dst, src, dst, now, dst),
            )  # fmt: skip
            of = dict(self.db.execute("SELECT story_id, thread_id FROM thread_stories WHERE story_id IN (?, ?)", (src, dst)).fetchall())
            self.db.execute("DELETE FROM stories WHERE id = ?", (src,))  # its profile, keys and membership go with it
            if (mine := of.get(src)) is not None:
                self.db.execute("UPDATE thread_stories SET linked_to = CASE WHEN thread_id = ? THEN ? END WHERE linked_to = ?",
                                (of.get(dst), dst, src))
                left = [r[0] for r in self.db.execute("SELECT story_id FROM thread_stories WHERE thread_id = ?", (mine,))]
                if len(left) <= 1:  # a thread of one story is no thread
                    self.db.execute("DELETE FROM thread_stories WHERE thread_id = ?", (mine,))
                    self.db.execute("DELETE FROM threads WHERE id = ?", (mine,))
                else:
                    self._refresh_thread(mine, now)
            if (theirs := of.get(dst)) is not None and theirs != mine:
                self._refresh_thread(theirs, now)

    def story_of(self, article_id: str) -> int | None:
        r = self.db.execute(
            "SELECT s.story_id FROM story_articles s JOIN articles a ON a.rowid = s.article_rowid WHERE a.id = ?", (article_id,)
        ).fetchone()
        return r[0] if r else None

    def list_stories(self, flt: ArticleFilter = ArticleFilter(), limit: int = 50) -> list[dict[str, Any]]:
        """Stories with an article matching *flt*, largest first, then most recent: ``{id, title, first_seen,
        last_seen, articles, outlets}`` (outlets: the distinct outlet names, by name)."""
        where, args = self._where(flt)
        rows = self.db.execute(
            "SELECT st.id, st.title, st.first_seen, st.last_seen, COUNT(*) AS n, "
            "GROUP_CONCAT(DISTINCT o.outlet_name) AS outlets FROM stories st "
            "JOIN story_articles sa ON sa.story_id = st.id JOIN articles o ON o.rowid = sa.article_rowid "
            f"WHERE st.id IN (SELECT sa2.story_id FROM story_articles sa2 JOIN articles a ON a.rowid = sa2.article_rowid WHERE {where}) "
            "GROUP BY st.id ORDER BY n DESC, st.last_seen IS NULL, st.last_seen DESC, st.id DESC LIMIT ?",
            [*args, limit],
        )  # fmt: skip
        return [{"id": r[0], "title": r[1], "first_seen": r[2], "last_seen": r[3], "articles": r[4],
                 "outlets": sorted(r[5].split(",")) if r[5] else []} for r in rows]  # fmt: skip

    def get_story(self, story_id: int) -> dict[str, Any] | None:
        """One story: title, first and last seen, its outlets (name, domain, country, kind, articles), its
        articles in time order, who was quoted (speaker, country, quotes, articles) and the events reported
        (type, source, target, count, articles)."""
        st = self.db.execute("SELECT id, title, first_seen, last_seen FROM stories WHERE id = ?", (story_id,)).fetchone()
        if st is None:
            return None
        member = "FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid"
        arts = [dict(r) for r in self.db.execute(
            f"SELECT a.id, a.title, a.published, a.outlet_name AS outlet, a.outlet_country AS country, sa.similarity {member} "  # noqa: S608
            "WHERE sa.story_id = ? ORDER BY a.published IS NULL, a.published, a.rowid", (story_id,),
        )]  # fmt: skip
        outlets = [dict(r) for r in self.db.execute(
            f"SELECT a.outlet_name AS name, a.outlet_domain AS domain, a.outlet_country AS country, a.outlet_kind AS kind, "  # noqa: S608
            f"COUNT(*) AS articles {member} WHERE sa.story_id = ? GROUP BY a.outlet_name, a.outlet_domain, a.outlet_country, "
            "a.outlet_kind ORDER BY articles DESC, name", (story_id,),
        )]  # fmt: skip
        quoted = [dict(r) for r in self.db.execute(
            "SELECT q.speaker_name AS speaker, q.speaker_id AS speaker_id, q.speaker_country AS country, COUNT(*) AS quotes, "
            f"COUNT(DISTINCT q.article_rowid) AS articles {member} JOIN quotes q ON q.article_rowid = a.rowid "  # noqa: S608
            "WHERE sa.story_id = ? AND q.speaker_name IS NOT NULL GROUP BY q.speaker_name, q.speaker_id, q.speaker_country "
            "ORDER BY quotes DESC, speaker", (story_id,),
        )]  # fmt: skip
        events = [dict(r) for r in self.db.execute(
            "SELECT e.type, COALESCE(e.source_name, e.source_country) AS source, COALESCE(e.target_name, e.target_country) AS target, "
            f"COUNT(*) AS count, COUNT(DISTINCT e.article_rowid) AS articles {member} JOIN events e ON e.article_rowid = a.rowid "  # noqa: S608
            "WHERE sa.story_id = ? GROUP BY 1, 2, 3 ORDER BY count DESC, e.type, source, target", (story_id,),
        )]  # fmt: skip
        return {"id": st[0], "title": st[1], "first_seen": st[2], "last_seen": st[3], "outlets": outlets,
                "articles": arts, "quoted": quoted, "events": events}  # fmt: skip

    def close(self) -> None:
        self.db.close()


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    out, buf = [], ""
    for line in sql.splitlines():
        if line.strip().startswith("--") and not buf:
            continue
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _query_words(query: str) -> list[str]:
    """The words of a search query, its FTS5 operators left out."""
    return [w for w in re.findall(r"\w+", query) if w not in ("AND", "OR", "NOT", "NEAR")]


def _fts_queries(query: str) -> list[str]:
    """The user's query as FTS5 syntax if it uses any, then a safe all-words version."""
    safe = " ".join(f'"{w}"' for w in _query_words(query))
    return [query, safe] if _FTS_SYNTAX.search(query) else [safe]
