"""Outlet comparison: side by side, who each side quotes, which themes it stresses, its tone toward
each actor, which events it reports (and which the others report but it leaves out), and its most
distinctive words. Every figure carries the articles and character spans behind it."""

from __future__ import annotations

import json
from typing import Any

from ..nlp.actors import registry as actor_registry
from . import aggregates
from .queries import Filters, db_of, evidence_rows, where
from .sides import Side
from .counts import side_words
from .words import distinctive

# Evidence items kept per figure (the API and the dashboard link to them; the full list is one query away).
EVIDENCE = 5


def _evidence(*args: Any, **kw: Any) -> dict[Any, list[dict[str, Any]]]:
    """``queries.evidence_rows`` with this module's share of rows per figure."""
    return evidence_rows(*args, n=EVIDENCE, **kw)


def speaker_role(db: Any, speaker_id: str | None, cache: dict[str, tuple[str, str | None]] | None = None) -> tuple[str, str | None]:
    """(type, role) of a speaker: the registry's actor type (person, ministry, military…) and role; else
    the kind of the speaker's mentions (``person`` for a person known only from its articles); else
    ``unresolved`` when the quote has no resolved speaker."""
    if not speaker_id:
        return "unresolved", None
    if cache is not None and speaker_id in cache:
        return cache[speaker_id]
    a = actor_registry().actors.get(speaker_id)
    if a is not None:
        out: tuple[str, str | None] = (a.type, a.role)
    else:
        r = db.execute("SELECT kind FROM mentions WHERE actor_id = ? LIMIT 1", (speaker_id,)).fetchone()
        out = (r[0] if r else ("person" if speaker_id.startswith("article:") else "other"), None)
    if cache is not None:
        cache[speaker_id] = out
    return out


def actor_name(db: Any, actor_id: str) -> str:
    a = actor_registry().actors.get(actor_id)
    if a is not None:
        return a.name
    r = db.execute("SELECT actor_name FROM mentions WHERE actor_id = ? AND actor_name IS NOT NULL LIMIT 1", (actor_id,)).fetchone()
    return r[0] if r else actor_id


Agg = tuple[str, list[Any]] | None  # the aggregates' condition for a side (aggregates.scope), or None: count the rows


def _speakers(db: Any, cond: str, args: list[Any], top: int, agg: Agg = None) -> dict[str, Any]:
    base = f"FROM quotes q JOIN articles a ON a.rowid = q.article_rowid WHERE {cond}"
    if agg:
        rows = [dict(r) for r in db.execute(
            "SELECT MAX(x.speaker_id) AS speaker_id, MAX(x.speaker_name) AS speaker, MAX(x.speaker_country) AS country, "  # noqa: S608
            f"SUM(x.quotes) AS quotes, SUM(x.articles) AS articles {aggregates.source('agg_speakers', agg[0])} "
            "GROUP BY x.skey ORDER BY quotes DESC, speaker, x.skey LIMIT ?", [*agg[1], top],  # the key: a full order for equal names
        )]  # fmt: skip
        origins = db.execute(f"SELECT x.speaker_id, x.speaker_country, SUM(x.quotes) {aggregates.source('agg_quote_origins', agg[0])} "  # noqa: S608
                             "GROUP BY 1, 2", agg[1])  # fmt: skip
    else:
        rows = [dict(r) for r in db.execute(
            "SELECT MAX(q.speaker_id) AS speaker_id, MAX(q.speaker_name) AS speaker, MAX(q.speaker_country) AS country, "  # noqa: S608
            f"COUNT(*) AS quotes, COUNT(DISTINCT q.article_rowid) AS articles {base} AND q.speaker_name IS NOT NULL "
            "GROUP BY COALESCE(q.speaker_id, q.speaker_name) ORDER BY quotes DESC, speaker, COALESCE(q.speaker_id, q.speaker_name) LIMIT ?",
            [*args, top],
        )]  # fmt: skip
        origins = db.execute(f"SELECT q.speaker_id, q.speaker_country, COUNT(*) {base} GROUP BY 1, 2", args)  # noqa: S608
    roles: dict[str, tuple[str, str | None]] = {}
    ev = _evidence(db, "COALESCE(q.speaker_id, q.speaker_name)", "a.id AS article, q.start AS start, q.end AS end, q.in_title AS in_title",
                   base, "a.published DESC, a.rowid DESC, q.seq", args, [r["speaker_id"] or r["speaker"] for r in rows], "walk-all")  # fmt: skip
    for r in rows:
        r["type"], r["role"] = speaker_role(db, r["speaker_id"], roles)
        r["evidence"] = ev[r["speaker_id"] or r["speaker"]]
        for e in r["evidence"]:
            e["in_title"] = bool(e["in_title"])
    by_country: dict[str, int] = {}
    by_type: dict[str, int] = {}
    for sid, country, n in origins:
        by_country[country or "unknown"] = by_country.get(country or "unknown", 0) + n
        t = speaker_role(db, sid, roles)[0]
        by_type[t] = by_type.get(t, 0) + n
    total = sum(by_country.values())
    return {
        "quotes": total,
        "speakers": rows,
        "by_country": [{"country": k, "quotes": v, "share": round(v / total, 4)} for k, v in sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))],
        "by_type": [{"type": k, "quotes": v, "share": round(v / total, 4)} for k, v in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))],
    }  # fmt: skip


def _themes(db: Any, cond: str, args: list[Any], n_articles: int, agg: Agg = None) -> list[dict[str, Any]]:
    from ..themes import taxonomy

    tax = taxonomy()
    base = f"FROM article_themes t JOIN articles a ON a.rowid = t.article_rowid WHERE {cond}"
    if agg:
        groups = db.execute(f"SELECT x.theme, SUM(x.articles), SUM(x.score_micro) {aggregates.source('agg_themes', agg[0])} "  # noqa: S608
                            "GROUP BY x.theme ORDER BY 2 DESC, 1", agg[1]).fetchall()  # fmt: skip
    else:
        groups = db.execute(f"SELECT t.theme, COUNT(*), SUM({aggregates.MICRO.format('t.score')}) {base} GROUP BY t.theme ORDER BY 2 DESC, 1", args).fetchall()  # noqa: S608
    ev = _evidence(db, "t.theme", "a.id AS article, t.evidence AS spans", base, "t.score DESC, a.rowid", args, [g[0] for g in groups], "walk-all")
    out = []
    for theme, n, score in groups:
        items = []
        for r in ev[theme]:
            spans = json.loads(r["spans"])
            items.append({"article": r["article"], "start": spans[0]["start"] if spans else None, "end": spans[0]["end"] if spans else None})
        t = tax.by_id.get(theme)
        out.append({"theme": theme, "name": t.name if t else theme, "articles": n,
                    "share": round(n / n_articles, 4) if n_articles else 0.0, "mean_score": aggregates.mean(score, n, 3), "evidence": items})  # fmt: skip
    return out


def _tone(db: Any, cond: str, args: list[Any], top: int, agg: Agg = None) -> list[dict[str, Any]]:
    base = f"FROM actor_tone t JOIN articles a ON a.rowid = t.article_rowid WHERE {cond}"
    if agg:
        groups = db.execute(
            f"SELECT x.actor_id, SUM(x.tone_micro), SUM(x.mentions), SUM(x.articles) {aggregates.source('agg_tone', agg[0])} "  # noqa: S608
            "GROUP BY x.actor_id ORDER BY 4 DESC, 1 LIMIT ?", [*agg[1], top]
        ).fetchall()
    else:
        groups = db.execute(
            f"SELECT t.actor_id, SUM({aggregates.MICRO.format('t.tone')}), SUM(t.mentions), COUNT(*) {base} GROUP BY t.actor_id ORDER BY 4 DESC, 1 LIMIT ?",
            [*args, top],  # noqa: S608
        ).fetchall()
    ev = _evidence(db, "t.actor_id", "a.id AS article, t.sentences AS sentences", base, "abs(t.tone) DESC, a.rowid", args, [g[0] for g in groups], "walk-all")
    out = []
    for aid, tone, mentions, n in groups:
        items = [{"article": r["article"], "start": s["start"], "end": s["end"], "compound": s.get("compound")}
                 for r in ev[aid] for s in json.loads(r["sentences"])[:1]]  # fmt: skip
        out.append({"actor_id": aid, "name": actor_name(db, aid), "tone": aggregates.mean(tone, n, 4), "articles": n, "mentions": mentions, "evidence": items})
    return out


def _events(db: Any, cond: str, args: list[Any], agg: Agg = None) -> dict[tuple[str, str, str], dict[str, Any]]:
    base = f"FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {cond}"
    src, tgt = "COALESCE(e.source_name, e.source_country, '?')", "COALESCE(e.target_name, e.target_country, '?')"
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    if agg:
        groups = db.execute(f"SELECT x.type, x.source, x.target, SUM(x.events), SUM(x.articles) {aggregates.source('agg_events', agg[0])} "  # noqa: S608
                            "GROUP BY 1, 2, 3", agg[1])  # fmt: skip
    else:
        groups = db.execute(f"SELECT e.type, {src}, {tgt}, COUNT(*), COUNT(DISTINCT e.article_rowid) {base} GROUP BY 1, 2, 3", args)  # noqa: S608
    for typ, s, t, n, arts in groups:
        out[(typ, s, t)] = {"type": typ, "source": s, "target": t, "events": n, "articles": arts}
    return out


_EVENT_KEY = "e.type || '|' || COALESCE(e.source_name, e.source_country, '?') || '|' || COALESCE(e.target_name, e.target_country, '?')"


def _event_evidence(db: Any, cond: str, args: list[Any], keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    ev = _evidence(db, _EVENT_KEY, "a.id AS article, e.evidence_start AS start, e.evidence_end AS end",
                   f"FROM events e JOIN articles a ON a.rowid = e.article_rowid WHERE {cond}", "a.published DESC, a.rowid DESC, e.seq",
                   args, ["|".join(k) for k in keys], "walk")  # fmt: skip
    return {k: ev["|".join(k)] for k in keys}


def compare(
    store: Any, *, sides: list[Side], story: int | None = None, thread: int | None = None, actor: str | None = None,
    since: str | None = None, until: str | None = None, top: int = 20, words: int = 25, word_articles: int = 1000,
) -> dict[str, Any]:
    """Compare how *sides* covered a story, a thread, an actor or a period (any of them together).

    Per side: its articles and outlets; whom it quotes (top speakers with country, type and role, and
    quote shares by speaker country and type); the themes it stresses (share of its articles); its mean
    tone toward each actor; the events it reports (type, source, target) and those another side
    reports that it does not; and its *words* most distinctive words against the other sides
    (log-odds with an informative Dirichlet prior). Distinctive words are counted over the side's
    *word_articles* most recent articles (all of them when fewer); ``words_from`` says how many.
    Every list item carries ``evidence``: article ids with character spans into the article body."""
    if len(sides) < 2:
        raise ValueError("compare needs at least two sides")
    db = db_of(store)
    scope = Filters(since=since, until=until, actor=actor, story=story, thread=thread)
    scope_cond, scope_args = where(store, scope)
    aggs: list[Agg] = aggregates.scope(store, scope, sides) or [None] * len(sides)  # type: ignore[assignment]
    out_sides = []
    event_sets = []
    word_counts = []
    conds = []
    for side, agg in zip(sides, aggs):
        sc, sargs = side.sql("a")
        cond, args = f"{scope_cond} AND {sc}", [*scope_args, *sargs]
        conds.append((cond, args))
        outlets = [dict(r) for r in db.execute(
            "SELECT a.outlet_name AS name, a.outlet_country AS country, a.outlet_kind AS kind, COUNT(*) AS articles "  # noqa: S608
            f"FROM articles a WHERE {cond} GROUP BY 1, 2, 3 ORDER BY articles DESC, name", args,
        )]  # fmt: skip
        n = sum(o["articles"] for o in outlets)  # every article of the side lies in one outlet group: no second count
        wc = side_words(store, cond, args, word_articles)
        word_counts.append(wc)
        ev = _events(db, cond, args, agg)
        event_sets.append(ev)
        out_sides.append({
            "side": side.as_dict(), "articles": n, "outlets": outlets, "quoted": _speakers(db, cond, args, top, agg),
            "themes": _themes(db, cond, args, n, agg), "tone": _tone(db, cond, args, top, agg), "words_from": wc.articles,
        })  # fmt: skip
    for i, (out, ev) in enumerate(zip(out_sides, event_sets)):
        cond, args = conds[i]
        reported = sorted(ev.values(), key=lambda r: (-r["events"], r["type"], r["source"], r["target"]))[:top]
        ev_reported = _event_evidence(db, cond, args, [(r["type"], r["source"], r["target"]) for r in reported])
        for r in reported:
            r["evidence"] = ev_reported[(r["type"], r["source"], r["target"])]
        out["events"] = reported
        missing: dict[tuple[str, str, str], dict[str, Any]] = {}
        first: dict[tuple[str, str, str], int] = {}  # the first other side reporting each: its evidence is shown
        for j, other in enumerate(event_sets):
            if j == i:
                continue
            for key, r in other.items():
                if key not in ev:
                    m = missing.setdefault(key, {**{k: r[k] for k in ("type", "source", "target")}, "events": 0, "reported_by": []})
                    m["events"] += r["events"]
                    m["reported_by"].append(sides[j].name)
                    first.setdefault(key, j)
        left_out = sorted(missing.values(), key=lambda r: (-r["events"], r["type"], r["source"], r["target"]))[:top]
        by_side: dict[int, list[tuple[str, str, str]]] = {}
        for r in left_out:
            key = (r["type"], r["source"], r["target"])
            by_side.setdefault(first[key], []).append(key)
        found = {k: v for j, keys in by_side.items() for k, v in _event_evidence(db, *conds[j], keys).items()}
        for r in left_out:
            r["evidence"] = found[(r["type"], r["source"], r["target"])]
        out["events_left_out"] = left_out
    for out, ws in zip(out_sides, distinctive(word_counts, words)):
        out["words"] = ws
    return {"scope": scope.as_dict(), "sides": out_sides}
