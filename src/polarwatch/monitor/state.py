"""The monitor's tables (migration 011) on an open SQLite or PostgreSQL store: sources, poll state, entries, rules, alerts.

Every write is one short transaction, so a monitor killed at any point leaves
either the state before a step or after it, never half of one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..store import Store, StoreError
from .parse import Entry


@dataclass(slots=True)
class Pending:
    """An entry waiting for its article: the source that listed it first, that feed's title, the tries so far."""

    entry: Entry
    source_id: str
    feed_title: str | None = None
    attempts: int = 0


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class MonitorState:
    def __init__(self, store: Store) -> None:
        db = getattr(store, "db", None)
        if db is None or not hasattr(db, "execute"):  # SQLite's connection or the PostgreSQL wrapper (docs/storage.md)
            raise StoreError("the monitor keeps its state in a SQLite or PostgreSQL store; open one with --db PATH or URL")
        self.store = store
        self.db = db

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- user sources -------------------------------------------------------------------
    def source_rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM monitor_sources ORDER BY id")]

    def put_source(self, sid: str, url: str, kind: str, outlet: str | None, origin: str, enabled: bool) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO monitor_sources (id, url, kind, outlet, origin, enabled, added_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET url = excluded.url, kind = excluded.kind, outlet = excluded.outlet, "
                "origin = excluded.origin, enabled = excluded.enabled",
                (sid, url, kind, outlet, origin, int(enabled), now_iso()),
            )

    def delete_source(self, sid: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM monitor_sources WHERE id = ?", (sid,))

    # -- poll state and health -----------------------------------------------------------
    def states(self) -> dict[str, dict[str, Any]]:
        return {r["source_id"]: dict(r) for r in self.db.execute("SELECT * FROM monitor_state")}

    def record_poll(self, sid: str, *, status: str, entries: list[Entry], feed_title: str | None,
                    etag: str | None = None, last_modified: str | None = None, error: str | None = None,
                    next_due: float) -> list[str]:
        """Store a poll's outcome: unseen entries as pending, then the validators and health (one transaction,
        so validators are never ahead of the entries they cover). Returns the keys of the entries new here."""
        ts = now_iso()
        fresh: list[str] = []
        with self._tx() as db:
            for e in entries:
                cur = db.execute(
                    "INSERT OR IGNORE INTO monitor_entries (key, source_id, url, title, published, author, body, summary, "
                    "feed_title, status, first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                    (e.key, sid, e.url, e.title, e.published, e.author, e.body, e.summary, feed_title, ts, ts),
                )
                if cur.rowcount:
                    fresh.append(e.key)
            db.execute("INSERT OR IGNORE INTO monitor_state (source_id) VALUES (?)", (sid,))
            if status == "error":
                db.execute(
                    "UPDATE monitor_state SET last_checked = ?, last_status = 'error', last_error = ?, "
                    "error_streak = error_streak + 1, next_due = ? WHERE source_id = ?", (ts, error, next_due, sid),
                )  # fmt: skip
            else:
                db.execute(
                    "UPDATE monitor_state SET last_checked = ?, last_success = ?, last_status = ?, last_error = NULL, "
                    "error_streak = 0, next_due = ?, entries_seen = entries_seen + ?, "
                    "etag = CASE WHEN ? = 'ok' THEN ? ELSE COALESCE(?, etag) END, "
                    "last_modified = CASE WHEN ? = 'ok' THEN ? ELSE COALESCE(?, last_modified) END WHERE source_id = ?",
                    (ts, ts, status, next_due, len(fresh), status, etag, etag, status, last_modified, last_modified, sid),
                )  # fmt: skip
        return fresh

    def add_found(self, counts: dict[str, int]) -> None:
        with self._tx() as db:
            for sid, n in counts.items():
                db.execute("INSERT OR IGNORE INTO monitor_state (source_id) VALUES (?)", (sid,))
                db.execute("UPDATE monitor_state SET articles_found = articles_found + ? WHERE source_id = ?", (n, sid))

    # -- entries ---------------------------------------------------------------------------
    def pending(self, limit: int = 10_000) -> list[Pending]:
        return [
            Pending(Entry(r["key"], r["url"], r["title"], r["published"], r["author"], r["body"], r["summary"]),
                    r["source_id"], r["feed_title"], r["attempts"])
            for r in self.db.execute(
                "SELECT * FROM monitor_entries WHERE status = 'pending' ORDER BY first_seen, key LIMIT ?", (limit,)
            )
        ]  # fmt: skip

    def finish_entries(self, done: list[tuple[str, str, str | None, str | None]]) -> None:
        """(key, status, article id, error) for entries handled: done, failed, or still pending after a failed try."""
        ts = now_iso()
        with self._tx() as db:
            for key, status, aid, err in done:
                # A finished entry's text lives on in its article: only the pending keep theirs.
                db.execute(
                    "UPDATE monitor_entries SET status = ?, article_id = COALESCE(?, article_id), last_error = ?, "
                    "attempts = attempts + 1, updated_at = ?, body = CASE WHEN ? = 'pending' THEN body END, "
                    "summary = CASE WHEN ? = 'pending' THEN summary END WHERE key = ?", (status, aid, err, ts, status, status, key),
                )  # fmt: skip

    def entry_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT status, COUNT(*) FROM monitor_entries GROUP BY status")}

    # -- watch rules -----------------------------------------------------------------------
    def add_rule(self, spec: str, conditions: list[tuple[str, list[str]]]) -> int:
        with self._tx() as db:
            cur = db.execute("INSERT INTO watch_rules (spec, conditions, created_at) VALUES (?, ?, ?)",
                             (spec, json.dumps(conditions), now_iso()))  # fmt: skip
            return int(cur.lastrowid or 0)

    def rules(self) -> list[dict[str, Any]]:
        return [{"id": r[0], "spec": r[1], "conditions": json.loads(r[2]), "created_at": r[3]}
                for r in self.db.execute("SELECT id, spec, conditions, created_at FROM watch_rules ORDER BY id")]  # fmt: skip

    def remove_rule(self, rule_id: int) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM watch_rules WHERE id = ?", (rule_id,)).rowcount > 0

    # -- alerts ----------------------------------------------------------------------------
    def alerted(self, rule_id: int, article_ids: list[str]) -> bool:
        if not article_ids:
            return False
        marks = ", ".join("?" * len(article_ids))
        return self.db.execute(
            f"SELECT 1 FROM alerts WHERE rule_id = ? AND article_id IN ({marks}) LIMIT 1", [rule_id, *article_ids]  # noqa: S608
        ).fetchone() is not None  # fmt: skip

    def alerted_title(self, rule_id: int, title_key: str, since_iso: str) -> bool:
        """An alert of *rule_id* since *since_iso* on an article with the same normalised title."""
        for (title,) in self.db.execute("SELECT title FROM alerts WHERE rule_id = ? AND created_at >= ?", (rule_id, since_iso)):
            if title and title_key_of(title) == title_key:
                return True
        return False

    def add_alert(self, a: dict[str, Any]) -> int | None:
        """Store an alert; None when this rule already alerted on this article."""
        with self._tx() as db:
            cur = db.execute(
                'INSERT OR IGNORE INTO alerts (rule_id, rule, article_id, title, url, outlet, published, sentence, start, "end", '
                "in_title, matched, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a["rule_id"], a["rule"], a["article_id"], a["title"], a["url"], a["outlet"], a["published"],
                 a["evidence"]["sentence"], a["evidence"]["start"], a["evidence"]["end"], int(a["evidence"]["in_title"]),
                 json.dumps(a["matched"], ensure_ascii=False), now_iso()),
            )  # fmt: skip
            if not cur.rowcount:
                return None
            if cur.lastrowid:  # SQLite; PostgreSQL returns no id from an INSERT OR IGNORE (docs/storage.md), so it is read back
                return int(cur.lastrowid)
            row = db.execute("SELECT id FROM alerts WHERE rule_id = ? AND article_id = ?", (a["rule_id"], a["article_id"])).fetchone()
            return int(row[0])

    def alerts(self, rule_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Alerts, newest first (one rule's with *rule_id*)."""
        where, args = ("WHERE rule_id = ?", [rule_id]) if rule_id is not None else ("", [])
        return [alert_dict(r) for r in self.db.execute(
            f"SELECT * FROM alerts {where} ORDER BY id DESC LIMIT ?", [*args, limit]  # noqa: S608
        )]  # fmt: skip

    def undelivered(self, channels: list[str], since_iso: str) -> list[dict[str, Any]]:
        """Alerts raised since *since_iso* that some of *channels* has not had yet, oldest first."""
        rows = [alert_dict(r) for r in self.db.execute("SELECT * FROM alerts WHERE created_at >= ? ORDER BY id", (since_iso,))]
        return [r for r in rows if any(not r["delivery"].get(ch, {}).get("ok") for ch in channels)]

    def set_delivery(self, alert_id: int, delivery: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute("UPDATE alerts SET delivery = ? WHERE id = ?", (json.dumps(delivery, ensure_ascii=False), alert_id))


def alert_dict(r: Any) -> dict[str, Any]:
    """An alert as the ``alerts --json`` contract shows it (docs/monitor.md)."""
    return {
        "id": r["id"], "rule_id": r["rule_id"], "rule": r["rule"], "article_id": r["article_id"], "title": r["title"],
        "url": r["url"], "outlet": r["outlet"], "published": r["published"],
        "evidence": {"sentence": r["sentence"], "start": r["start"], "end": r["end"], "in_title": bool(r["in_title"])},
        "matched": json.loads(r["matched"]), "delivery": json.loads(r["delivery"]), "created_at": r["created_at"],
    }  # fmt: skip


def title_key_of(title: str) -> str:
    return re.sub(r"\W+", " ", title.casefold()).strip()
