"""PostgreSQL store: the SQLite store's SQL run through a dialect layer, tsvector search, COPY, pooled connections.

``PostgresStore`` inherits every query of ``SQLiteStore``: its ``db`` is a :class:`Connection` that
takes SQLite-dialect SQL (``?`` placeholders, ``INSERT OR IGNORE``, ``BEGIN IMMEDIATE``…), rewrites it
with :mod:`.dialect` and runs it on a pooled psycopg connection, so modules that run their own SQL on
``store.db`` work on both backends when they keep to the rules of docs/storage.md. What differs is
here: migrations (the shared files translated, plus ``migrations/pg/NNN_*.sql`` where PostgreSQL needs
its own objects), full-text search (tsvector, GIN, ``ts_headline``), integrity checks, and COPY for
many-row inserts.

Writers take one transaction-scoped advisory lock per batch (``BEGIN IMMEDIATE``), so batches from
several processes are serialised as SQLite serialises them, and the duplicate checks of ``put_articles``
stay exact.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from importlib import resources
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from .base import MARK_END, MARK_START, ArticleFilter, SearchHit, StoreError, stores
from .dialect import Catalog, Translated, pg_statements, translate, translate_ddl
from .sqlite import RANK_WINDOW, SQLiteStore, _now, _statements, migrations

try:
    import psycopg
    from psycopg.adapt import Loader
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError:  # pragma: no cover - exercised only where the extra is missing
    psycopg = None  # type: ignore[assignment]

INSTALL_HINT = "PostgreSQL support needs psycopg: pip install 'polarwatch[postgres]'"
# The advisory lock key that serialises writers (BEGIN IMMEDIATE) and migrations: b"polarwat" as an integer.
WRITE_LOCK = 0x706F6C6172776174
MIGRATE_LOCK = WRITE_LOCK + 1
# A plain many-row INSERT goes through COPY from this many rows; below it, a pipelined executemany is faster
# (measured on a loaded 2-core machine, ms per call, COPY vs executemany: 5 rows 8.6 / 4.6, 64 rows
# 34.6 / 13.6, 200 rows 27.7 / 42.2, 1,000 rows 38.9 / 128.4).
COPY_MIN_ROWS = 100
# Title matches weigh four times body matches, like the SQLite store's bm25(4.0, 1.0): weights {D, C, B, A}.
RANK_WEIGHTS = "{0.1, 0.2, 0.25, 1.0}"
HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=\" … \""


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class Row(tuple):  # type: ignore[type-arg]
    """A result row read like ``sqlite3.Row``: by position, by column name, ``keys()`` and ``dict(row)``."""

    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any) -> Any:
    names = tuple(d.name for d in cursor.description) if cursor.description else ()
    cls = type("Row", (Row,), {"_names": names, "__slots__": ()})
    return lambda values: cls(values)


if psycopg is not None:

    class _NumericLoader(Loader):
        """NUMERIC (what SUM and AVG of integers give) as int when whole, else float, as SQLite gives them."""

        def load(self, data: Any) -> Any:
            s = bytes(data).decode()
            return int(s) if re.fullmatch(r"-?\d+", s) else float(s)


def _configure(conn: Any) -> None:
    conn.row_factory = _row_factory
    conn.adapters.register_loader("numeric", _NumericLoader)


def _reset(conn: Any) -> None:
    """A connection back in the pool forgets what a store set on it (PRAGMA query_only)."""
    conn.execute("RESET ALL")


class Result:
    """What ``Connection.execute`` returns: a cursor's rows plus ``lastrowid`` and ``rowcount``, like sqlite3's."""

    def __init__(self, cur: Any, lastrowid: int | None = None) -> None:
        self._cur, self.lastrowid, self.rowcount = cur, lastrowid, cur.rowcount

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


def _plain(params: Any) -> Any:
    """Parameters as PostgreSQL takes them into SQLite's column types: booleans as 0/1."""
    if isinstance(params, dict):
        return {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    return [int(v) if isinstance(v, bool) else v for v in params or ()]


class Connection:
    """A psycopg connection that speaks the SQLite dialect the store's SQL is written in (see dialect.py)."""

    def __init__(self, pg: Any, catalog: Catalog) -> None:
        self.pg = pg  # the psycopg connection, for PostgreSQL-native SQL
        self.catalog = catalog
        self._cache: dict[str, Translated] = {}

    def refresh_catalog(self) -> None:
        c = Catalog()
        for table, col, typ, ident, notnull in self.pg.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity <> '', a.attnotnull FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
        ):  # fmt: skip
            c.columns.setdefault(table, []).append(col)
            c.types.setdefault(table, []).append(typ)
            if ident:
                c.identity[table] = col
            if not notnull:  # dialect._nulls_low
                c.nullable.add(col)
        for table, col in self.pg.execute(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey) "
            "WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace "
            "ORDER BY c.relname, array_position(CAST(i.indkey AS int2[]), a.attnum)"
        ):  # fmt: skip
            c.keys.setdefault(table, []).append(col)
        self.catalog.__dict__.update(c.__dict__)
        self._cache.clear()

    def _translate(self, sql: str) -> Translated:
        t = self._cache.get(sql)
        if t is None:
            t = self._cache[sql] = translate(sql, self.catalog)
        return t

    def execute(self, sql: str, params: Any = ()) -> Result:
        word = sql.lstrip()[:9].upper()
        if word.startswith("BEGIN"):
            cur = self.pg.execute("BEGIN")
            if re.match(r"\s*BEGIN\s+(IMMEDIATE|EXCLUSIVE)", sql, re.I):
                self.pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return Result(cur)
        if word.startswith("PRAGMA"):  # SQLite settings: query_only has a PostgreSQL twin, the rest mean nothing here
            m = re.match(r"\s*PRAGMA\s+query_only\s*=\s*(\w+)", sql, re.I)
            if m:
                on = m.group(1).upper() in ("1", "ON", "TRUE", "YES")
                self.pg.execute(f"SET default_transaction_read_only = {'on' if on else 'off'}")
            return Result(self.pg.execute("SELECT 1 WHERE FALSE"))
        if word.startswith(("CREATE", "ALTER", "DROP")):
            stmt = translate_ddl(sql)
            cur = self.pg.execute(stmt) if stmt else self.pg.execute("SELECT 1 WHERE FALSE")
            self.refresh_catalog()
            return Result(cur)
        t = self._translate(sql)
        if t.returning:
            cur = self.pg.execute(t.sql + f" RETURNING {t.returning}", _plain(params))
            row = cur.fetchone()
            return Result(cur, row[0] if row else None)
        return Result(self.pg.execute(t.sql, _plain(params)))

    def executemany(self, sql: str, rows: Sequence[Any]) -> None:
        rows = list(rows)
        if not rows:
            return
        t = self._translate(sql)
        if t.copy_columns and len(rows) >= COPY_MIN_ROWS and not isinstance(rows[0], dict):
            self.copy_rows(t.table or "", list(t.copy_columns), rows)
            return
        with self.pg.cursor() as cur:
            cur.executemany(t.sql, [_plain(r) for r in rows])

    def copy_rows(self, table: str, columns: list[str], rows: Sequence[Sequence[Any]]) -> int:
        """Bulk insert with COPY (many times faster than INSERT for thousands of rows)."""
        cols = self.catalog.columns.get(table)
        if cols is None:
            raise StoreError(f"no table {table} in this PostgreSQL schema")
        types = [self.catalog.types[table][cols.index(c)] for c in columns]
        quoted = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with self.pg.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as cp:
            cp.set_types(types)
            for r in rows:
                cp.write_row(_plain(r))
                n += 1
        return n

    def commit(self) -> None:
        if self.in_transaction:
            self.pg.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.pg.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


# -- pools ---------------------------------------------------------------------------------------
_pools: dict[str, tuple[Any, Catalog]] = {}
_pools_lock = threading.Lock()


def _pool(url: str) -> tuple[Any, Catalog]:
    with _pools_lock:
        if url not in _pools:
            size = int(os.environ.get("POLARWATCH_PG_POOL", "4"))
            pool = ConnectionPool(url, min_size=1, max_size=max(1, size), kwargs={"autocommit": True},
                                  configure=_configure, reset=_reset, open=False, name="polarwatch")  # fmt: skip
            pool.open(wait=False)
            try:
                pool.wait(timeout=float(os.environ.get("POLARWATCH_PG_CONNECT_TIMEOUT", "10")))
            except PoolTimeout as exc:
                pool.close()
                raise StoreError(f"cannot connect to PostgreSQL at {redact(url)}") from exc
            _pools[url] = (pool, Catalog())
        return _pools[url]


def close_pools(url: str | None = None) -> None:
    """Close the connection pool of *url* (every pool when None); the next store opened makes a new one."""
    with _pools_lock:
        for u in [url] if url else list(_pools):
            entry = _pools.pop(u, None) if u else None
            if entry:
                entry[0].close()


atexit.register(close_pools)


def pg_migrations() -> dict[int, str]:
    """PostgreSQL-only SQL run after the shared migration of the same number: number -> sql."""
    out = {}
    for f in resources.files("polarwatch.store").joinpath("migrations", "pg").iterdir():
        m = re.fullmatch(r"(\d+)_\w+\.sql", f.name)
        if m:
            out[int(m.group(1))] = f.read_text("utf-8")
    return out


@stores.register("postgresql")
class PostgresStore(SQLiteStore):
    """The store on PostgreSQL, opened by URL (``postgresql://user@host:port/dbname``)."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:  # noqa: D107 - SQLiteStore's __init__ is not called: no file here
        if psycopg is None:
            raise StoreError(INSTALL_HINT)
        self.url = url if not url.startswith("postgres://") else "postgresql://" + url[len("postgres://") :]
        self.path = redact(self.url)
        try:
            self._pool, catalog = _pool(self.url)
            self._pg = self._pool.getconn()
        except (psycopg.Error, PoolTimeout) as exc:
            raise StoreError(f"cannot open PostgreSQL store {self.path}: {exc}") from exc
        self.db = Connection(self._pg, catalog)  # type: ignore[assignment]
        try:
            if migrate:
                self._migrate()
            # A catalog read before another process finished migrating lacks its tables (and so the
            # identity columns behind lastrowid): read it again once the schema is complete.
            if "articles" not in catalog.columns:
                self.db.refresh_catalog()
        except BaseException:
            self.close()
            raise

    @classmethod
    def reader(cls, url: str) -> "PostgresStore":
        """A read-only store on a connection borrowed from the pool, for the length of one request: the
        schema is not checked again (whoever calls this opened the store once first); ``close()`` gives
        the connection back, so concurrent requests each read on their own connection."""
        self = cls(url, migrate=False)
        self.db.execute("PRAGMA query_only = ON")
        return self

    # -- schema -------------------------------------------------------------
    def _migrate(self) -> None:
        pg = self._pg
        known = migrations()
        # Two processes opening a new database at once would both run CREATE TABLE IF NOT EXISTS, which
        # PostgreSQL does not make atomic (a unique violation on pg_type): create it under the lock.
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            pg.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        done = {r[0] for r in pg.execute("SELECT version FROM schema_migrations")}
        if done and max(done) > known[-1][0]:
            raise StoreError(f"database {self.path} has schema version {max(done)}, newer than this polarwatch knows")
        if all(num in done for num, _, _ in known):
            return
        extra = pg_migrations()
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            done = {r[0] for r in pg.execute("SELECT version FROM schema_migrations")}  # another process may have run them
            for num, name, sql in known:
                if num in done:
                    continue
                stmts = [s for s in map(translate_ddl, _statements(sql)) if s]
                for stmt in stmts + pg_statements(extra.get(num, "")):
                    pg.execute(stmt)
                pg.execute("INSERT INTO schema_migrations VALUES (%s, %s, %s)", (num, name, _now()))
        self.db.refresh_catalog()  # type: ignore[attr-defined]

    # -- search -------------------------------------------------------------
    def search(self, query: str, flt: ArticleFilter = ArticleFilter(), limit: int = 20) -> list[SearchHit]:
        if not query.strip():
            return []
        where, args = self._where(flt)
        # As in SQLite: rank at most the RANK_WINDOW most recently stored matches that pass the filter,
        # ties newest first, then read snippets and metadata for the top hits alone.
        join, cond = ("", "") if where == "1" else ("JOIN articles a ON a.rowid = f.rowid ", f" AND {where}")
        rank_sql = (
            "WITH q AS (SELECT to_tsquery('simple', pw_fold(?)) AS q), "
            f"m AS (SELECT f.rowid, f.fts FROM q, articles_fts f {join}WHERE f.fts @@ q.q{cond} ORDER BY f.rowid DESC LIMIT ?) "
            "SELECT m.rowid, ts_rank(CAST(? AS REAL[]), m.fts, q.q) AS score FROM m, q ORDER BY score DESC, m.rowid DESC LIMIT ?"
        )
        for tsq in tsqueries(query):
            try:
                top = self.db.execute(rank_sql, [tsq, *args, max(RANK_WINDOW, limit), RANK_WEIGHTS, limit]).fetchall()
            except psycopg.errors.SyntaxError:
                continue
            if not top:
                return []
            marks = ",".join("?" * len(top))
            rows = {r[0]: r for r in self.db.execute(
                "SELECT rowid, id, title, published, outlet_name, outlet_country, "
                f"ts_headline('simple', body, to_tsquery('simple', pw_fold(?)), ?) FROM articles WHERE rowid IN ({marks})",
                [tsq, HEADLINE, *(r[0] for r in top)],
            )}  # fmt: skip
            # Adjacent marked words read as one marked span, as FTS5 marks a phrase.
            return [SearchHit(*rows[rid][1:6], round(float(score), 4), rows[rid][6].replace(f"{MARK_END} {MARK_START}", " "))
                    for rid, score in top]  # fmt: skip
        return []

    def integrity(self) -> list[str]:
        problems = []
        n = self.db.execute("SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.article_rowid = a.rowid)").fetchone()[0]
        if n:
            problems.append(f"{n} articles without a source")
        n = self.db.execute("SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM articles_fts f WHERE f.rowid = a.rowid)").fetchone()[0]
        if n:
            problems.append(f"full-text index out of step: {n} articles not indexed")
        return problems

    def copy_rows(self, table: str, columns: list[str], rows: Sequence[Sequence[Any]]) -> int:
        """COPY *rows* (tuples in *columns* order) into *table*; the caller owns the transaction."""
        return self.db.copy_rows(table, columns, rows)  # type: ignore[attr-defined]

    def close(self) -> None:
        pg = getattr(self, "_pg", None)
        if pg is None:
            return
        self._pg = None
        if not pg.closed and pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            pg.rollback()
        self._pool.putconn(pg)


_TOKEN = re.compile(r'"[^"]*"|\(|\)|\b(?:AND|OR|NOT)\b|\w+\*?|\S')


def tsqueries(query: str) -> list[str]:
    """The user's query as ``to_tsquery`` text: FTS5-style syntax (phrases, AND/OR/NOT, prefix*, parentheses)
    when it uses any, then a safe all-words version, as the SQLite store tries them."""
    words = [w for w in re.findall(r"\w+", query) if w not in ("AND", "OR", "NOT", "NEAR")]
    safe = " & ".join(f"'{w}'" for w in words)
    out = []
    if re.search(r'["*()]|\b(AND|OR|NOT)\b', query):
        parts: list[str] = []
        for tok in _TOKEN.findall(query):
            op = {"AND": "&", "OR": "|", "NOT": "& !", ")": ")"}.get(tok)
            term = None
            if tok.startswith('"'):
                ws = re.findall(r"\w+", tok)
                term = "(" + " <-> ".join(f"'{w}'" for w in ws) + ")" if ws else None
            elif op is None and re.fullmatch(r"\w+\*?", tok):
                term = f"'{tok.rstrip('*')}'" + (":*" if tok.endswith("*") else "")
            elif tok == "(":
                term = "("
            if term is not None:
                if parts and parts[-1] not in ("&", "|", "& !", "("):
                    parts.append("&")
                parts.append(term)
            elif op:
                parts.append("!" if op == "& !" and (not parts or parts[-1] in ("&", "|", "(")) else op)
        out.append(" ".join(parts))
    return [q for q in (*out, safe) if q]
