"""The store side of threads (``stories/threads.py``; tables of migration 010), mixed into ``SQLiteStore``.

Plain parameterised SQL over ``self.db``: the reads the thread stage needs to
place changed stories (their clusterer state and themes, candidate stories
by key, profiles and memberships), one write per batch, and the reads of
``polarwatch threads`` / ``thread ID`` and the thread of a story.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

_CHUNK = 500


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class ThreadsSQL:
    """Thread queries; expects ``self.db``, a sqlite3 connection with ``sqlite3.Row`` rows."""

    db: Any

    def _chunked(self, sql: str, ids: Iterable[Any], *args: Any) -> list[Any]:
        """Run *sql* (with ``{marks}`` for an IN list) over *ids* in chunks; the rows of all chunks."""
        todo, out = list(ids), []
        for i in range(0, len(todo), _CHUNK):
            chunk = todo[i : i + _CHUNK]
            out.extend(self.db.execute(sql.format(marks=_marks(len(chunk))), [*chunk, *args]).fetchall())
        return out

    # -- what the thread stage reads ----------------------------------------------------------------
    def stories_of(self, article_ids: list[str]) -> list[int]:
        """The stories the articles *article_ids* are in, ascending."""
        rows = self._chunked(
            "SELECT DISTINCT sa.story_id FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid "
            "WHERE a.id IN ({marks})", article_ids,
        )  # fmt: skip
        return sorted(r[0] for r in rows)

    def story_states(self, story_ids: list[int]) -> list[dict[str, Any]]:
        """``{id, title, first_seen, last_seen, size, state}`` of each story (state: the clusterer's JSON)."""
        return [dict(r) for r in self._chunked(
            "SELECT id, title, first_seen, last_seen, size, state FROM stories WHERE id IN ({marks}) ORDER BY id", story_ids,
        )]  # fmt: skip

    def story_theme_scores(self, story_ids: list[int]) -> dict[int, dict[str, float]]:
        """Per story, the summed theme scores of its articles."""
        out: dict[int, dict[str, float]] = {}
        for r in self._chunked(
            "SELECT sa.story_id, t.theme, SUM(t.score) FROM story_articles sa "
            "JOIN article_themes t ON t.article_rowid = sa.article_rowid WHERE sa.story_id IN ({marks}) GROUP BY 1, 2",
            story_ids,
        ):  # fmt: skip
            out.setdefault(r[0], {})[r[1]] = r[2]
        return out

    def unprofiled_stories(self, limit: int = 500) -> list[int]:
        """Stories with no thread profile yet (made before threads were kept), oldest first."""
        rows = self.db.execute(
            "SELECT s.id FROM stories s WHERE NOT EXISTS (SELECT 1 FROM story_profiles p WHERE p.story_id = s.id) "
            "ORDER BY s.first_seen IS NULL, s.first_seen, s.id LIMIT ?", (limit,),
        )  # fmt: skip
        return [r[0] for r in rows]

    def thread_candidates(self, keys: list[str], since: str | None, until: str | None, exclude: int, limit: int) -> list[int]:
        """Stories indexed under any of *keys*, those sharing most first; with *since*/*until*, only stories
        whose span reaches that range or that have no date."""
        if not keys:
            return []
        when = ""
        args: list[Any] = [*keys, exclude]
        if since is not None and until is not None:
            when = "AND (p.last_seen IS NULL OR (p.last_seen >= ? AND p.first_seen <= ?)) "
            args += [since, until]
        rows = self.db.execute(
            f"SELECT k.story_id FROM story_keys k JOIN story_profiles p ON p.story_id = k.story_id "  # noqa: S608
            f"WHERE k.key IN ({_marks(len(keys))}) AND k.story_id != ? {when}"
            "GROUP BY k.story_id ORDER BY COUNT(*) DESC, k.story_id DESC LIMIT ?", [*args, limit],
        )  # fmt: skip
        return [r[0] for r in rows]

    def story_profile_rows(self, story_ids: list[int]) -> list[dict[str, Any]]:
        """``{story_id, first_seen, last_seen, size, profile, title}`` of the profiled stories among *story_ids*."""
        return [dict(r) for r in self._chunked(
            "SELECT p.story_id, p.first_seen, p.last_seen, p.size, p.profile, s.title FROM story_profiles p "
            "JOIN stories s ON s.id = p.story_id WHERE p.story_id IN ({marks})", story_ids,
        )]  # fmt: skip

    def thread_memberships(self, story_ids: list[int]) -> dict[int, int]:
        """The thread of each of *story_ids* that is in one."""
        return {r[0]: r[1] for r in self._chunked(
            "SELECT story_id, thread_id FROM thread_stories WHERE story_id IN ({marks})", story_ids)}

    def thread_members(self, thread_ids: list[int]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for r in self._chunked("SELECT thread_id, story_id FROM thread_stories WHERE thread_id IN ({marks})", thread_ids):
            out.setdefault(r[0], set()).add(r[1])
        return out

    # -- the one write per batch ------------------------------------------------------------------
    def put_threads(self, profiles: list[dict[str, Any]], members: dict[int, tuple[int, float, int, str] | None],
                    threads: set[int]) -> dict[int, int]:
        """In one transaction: the *profiles* (``{story_id, first_seen, last_seen, size, profile, keys}``),
        each story's membership in *members* (thread id, score, linked story, reasons JSON; None: in no thread;
        a negative thread id is a new thread) and the counts, dates and titles of the *threads* touched (a
        thread left with no story is deleted). Returns the new thread ids by the negative ones."""
        now = _now()
        ids: dict[int, int] = {}
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for p in profiles:
                self.db.execute(
                    "INSERT INTO story_profiles (story_id, first_seen, last_seen, size, profile, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (story_id) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
                    "size = excluded.size, profile = excluded.profile, updated_at = excluded.updated_at",
                    (p["story_id"], p["first_seen"], p["last_seen"], p["size"], p["profile"], now),
                )  # fmt: skip
                self.db.execute("DELETE FROM story_keys WHERE story_id = ?", (p["story_id"],))
                self.db.executemany("INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)",
                                    [(k, p["story_id"]) for k in p["keys"]])
            for tid in sorted(t for t in threads if t < 0):
                cur = self.db.execute("INSERT INTO threads (created_at, updated_at) VALUES (?, ?)", (now, now))
                ids[tid] = int(cur.lastrowid)
            for sid, m in sorted(members.items()):
                if m is None:
                    self.db.execute("DELETE FROM thread_stories WHERE story_id = ?", (sid,))
                    continue
                tid, score, linked, reasons = m
                self.db.execute(
                    "INSERT INTO thread_stories (story_id, thread_id, score, linked_to, reasons, joined_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (story_id) DO UPDATE SET thread_id = excluded.thread_id, score = excluded.score, "
                    "linked_to = excluded.linked_to, reasons = excluded.reasons, "
                    "joined_at = CASE WHEN thread_stories.thread_id = excluded.thread_id THEN thread_stories.joined_at ELSE excluded.joined_at END",
                    (sid, ids.get(tid, tid), score, linked, reasons, now),
                )  # fmt: skip
            for tid in sorted(ids.get(t, t) for t in threads):
                self._refresh_thread(tid, now)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return ids

    def _refresh_thread(self, tid: int, now: str) -> None:
        agg = self.db.execute(
            "SELECT COUNT(*), SUM(s.size), MIN(s.first_seen), MAX(s.last_seen) FROM thread_stories ts "
            "JOIN stories s ON s.id = ts.story_id WHERE ts.thread_id = ?", (tid,),
        ).fetchone()  # fmt: skip
        if not agg[0]:
            self.db.execute("DELETE FROM threads WHERE id = ?", (tid,))
            return
        title = self.db.execute(
            "SELECT s.title FROM thread_stories ts JOIN stories s ON s.id = ts.story_id WHERE ts.thread_id = ? "
            "ORDER BY s.size DESC, s.first_seen IS NULL, s.first_seen, s.id LIMIT 1", (tid,),
        ).fetchone()[0]  # fmt: skip
        self.db.execute(
            "UPDATE threads SET title = ?, first_seen = ?, last_seen = ?, stories = ?, articles = ?, updated_at = ? WHERE id = ?",
            (title, agg[2], agg[3], agg[0], agg[1] or 0, now, tid),
        )

    # -- what the commands read -------------------------------------------------------------------
    def list_threads(self, limit: int = 50) -> list[dict[str, Any]]:
        """Threads, most stories first, then most recent: ``{id, title, first_seen, last_seen, stories, articles}``."""
        rows = self.db.execute(
            "SELECT id, title, first_seen, last_seen, stories, articles FROM threads "
            "ORDER BY stories DESC, last_seen IS NULL, last_seen DESC, id DESC LIMIT ?", (limit,),
        )  # fmt: skip
        return [dict(r) for r in rows]

    def thread_of_story(self, story_id: int) -> dict[str, Any] | None:
        """The thread of a story, ``{id, title, stories, score, linked_to, reasons}``, or None."""
        r = self.db.execute(
            "SELECT t.id, t.title, t.stories, ts.score, ts.linked_to, ts.reasons FROM thread_stories ts "
            "JOIN threads t ON t.id = ts.thread_id WHERE ts.story_id = ?", (story_id,),
        ).fetchone()  # fmt: skip
        if r is None:
            return None
        return {"id": r[0], "title": r[1], "stories": r[2], "score": r[3], "linked_to": r[4], "reasons": json.loads(r[5])}

    def get_thread(self, thread_id: int) -> dict[str, Any] | None:
        """One thread: ``{id, title, first_seen, last_seen, articles, stories, shared}``: its stories in time order
        (``{id, title, first_seen, last_seen, articles, score, linked_to, reasons, outlets}``, outlets with country
        and kind) and what two or more of its stories share (actors with their names, themes, names)."""
        t = self.db.execute(
            "SELECT id, title, first_seen, last_seen, stories, articles FROM threads WHERE id = ?", (thread_id,)
        ).fetchone()
        if t is None:
            return None
        stories = [dict(r) for r in self.db.execute(
            "SELECT s.id, s.title, s.first_seen, s.last_seen, s.size AS articles, ts.score, ts.linked_to, ts.reasons, "
            "p.profile FROM thread_stories ts JOIN stories s ON s.id = ts.story_id "
            "LEFT JOIN story_profiles p ON p.story_id = s.id WHERE ts.thread_id = ? "
            "ORDER BY s.first_seen IS NULL, s.first_seen, s.id", (thread_id,),
        )]  # fmt: skip
        outlets: dict[int, list[dict[str, Any]]] = {}
        for r in self.db.execute(
            "SELECT sa.story_id, a.outlet_name, a.outlet_country, a.outlet_kind, COUNT(*) FROM thread_stories ts "
            "JOIN story_articles sa ON sa.story_id = ts.story_id JOIN articles a ON a.rowid = sa.article_rowid "
            "WHERE ts.thread_id = ? GROUP BY 1, 2, 3, 4 ORDER BY 1, 5 DESC, 2", (thread_id,),
        ):  # fmt: skip
            outlets.setdefault(r[0], []).append({"name": r[1], "country": r[2], "kind": r[3], "articles": r[4]})
        actors: Counter[str] = Counter()
        themes: Counter[str] = Counter()
        names: Counter[str] = Counter()
        for s in stories:
            s["reasons"] = json.loads(s["reasons"])
            s["outlets"] = outlets.get(s["id"], [])
            prof = json.loads(s.pop("profile") or "{}")
            actors.update(prof.get("actors", {}).keys())
            themes.update(prof.get("themes", {}).keys())
            names.update(k[2:] for k in prof.get("vec", {}) if k[0] == "n")
        shared_actors = sorted((a for a, n in actors.items() if n >= 2), key=lambda a: (-actors[a], a))
        named = dict(self._chunked(
            "SELECT actor_id, MIN(actor_name) FROM mentions WHERE actor_id IN ({marks}) GROUP BY actor_id", shared_actors,
        )) if shared_actors else {}  # fmt: skip
        return {
            "id": t[0], "title": t[1], "first_seen": t[2], "last_seen": t[3], "articles": t[5], "stories": stories,
            "shared": {
                "actors": [{"id": a, "name": named.get(a), "stories": actors[a]} for a in shared_actors],
                "themes": [{"theme": k, "stories": themes[k]} for k in sorted((k for k, n in themes.items() if n >= 2), key=lambda k: (-themes[k], k))],
                "names": [{"name": k, "stories": names[k]} for k in sorted((k for k, n in names.items() if n >= 2), key=lambda k: (-names[k], k))],
            },
        }  # fmt: skip
