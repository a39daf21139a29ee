"""Outlet comparison: side by side, who each side quotes, which themes it stresses, its tone toward
each actor, which events it reports (and which the others report but it leaves out), and its most
distinctive words. Every figure carries a ``link``: the REST list endpoint (path and filters) whose rows are
exactly the ones it counts; with ``evidence=N`` also its first N rows inline (article ids and spans)."""

from __future__ import annotations

import functools
import heapq
import json
import re
from typing import Any, Callable
from urllib.parse import quote_plus

from ..nlp.actors import registry as actor_registry
from . import aggregates
from .queries import SOURCE_LABEL, TARGET_LABEL, Filters, db_of, evidence_rows, where
from .sides import Side
from .counts import stored_words
from .words import distinctive

# Evidence items per figure when asked for (the API's evidence=N: 0-10); every figure has its link either way.
EVIDENCE = 5
EVIDENCE_MAX = 10


def link(path: str, base: list[tuple[str, Any]] | None, **more: Any) -> str | None:
    """*path* (a REST list endpoint) with the filters *base* (pairs, a key may repeat) and *more* as its query
    string, URL-encoded as ``urlencode`` does; None values left out. None when *base* is (a side no filter can
    write). A comparison writes ~250 links: the base is encoded once, and a plain value is not quoted."""
    if base is None:
        return None
    parts = [_encoded(tuple(base)), *(f"{k}={_quote(v)}" for k, v in more.items() if v is not None)]
    query = "&".join(p for p in parts if p)
    return path + ("?" + query if query else "")


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote_plus leaves as it is


def _quote(v: Any) -> str:
    v = str(v)
    return v if _PLAIN.fullmatch(v) else quote_plus(v)


@functools.lru_cache(maxsize=256)
def _encoded(pairs: tuple[tuple[str, Any], ...]) -> str:
    return "&".join(f"{k}={_quote(v)}" for k, v in pairs if v is not None)


def _evidence(db: Any, key: str, cols: str, joined: str, order: str, keys: list[Any], rows_of: dict[Any, int], rowids: list[int],
              how: str = "walk-all", n: int = EVIDENCE) -> dict[Any, list[dict[str, Any]]]:  # fmt: skip
    """The first *n* rows of each of *keys* among the rows of *joined* (``FROM`` a child table aliased
    as *order*'s first column names it) of the side's articles *rowids*, newest stored first (*order*
    starts with the child's ``article_rowid DESC``). *rows_of*: each key's row count in scope, so that a
    walk stops once a rare key has all its rows. The rowids already carry the side's conditions, so the
    slices read only their own rows, and the articles' ids are read for the rows kept alone
    (``queries.evidence_rows`` with *by* and *by_rowid*). With *n* 0 nothing is read: every key gets []."""
    if n <= 0 or not rowids:
        return {k: [] for k in keys}
    col = order.split()[0]
    return evidence_rows(db, key, f"{col} AS article, {cols}", f"{joined} WHERE 1", order, [], keys, how, n=n, rows_of=rows_of,
                         by=(col, rowids), by_rowid=True)  # fmt: skip


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


# The child tables joined to their articles (the counts add the side's conditions; the evidence, its rowids).
_QUOTES = "FROM quotes q JOIN articles a ON a.rowid = q.article_rowid"
_THEMES = "FROM article_themes t JOIN articles a ON a.rowid = t.article_rowid"
_TONE = "FROM actor_tone t JOIN articles a ON a.rowid = t.article_rowid"
_EVENTS = "FROM events e JOIN articles a ON a.rowid = e.article_rowid"

Agg = tuple[str, list[Any]] | None  # the aggregates' condition for a side (aggregates.scope), or None: count the rows


def _speakers(db: Any, cond: str, args: list[Any], top: int, agg: Agg, rowids: list[int], n_ev: int, base_link: list[tuple[str, Any]]) -> dict[str, Any]:
    base = f"{_QUOTES} WHERE {cond}"
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
    ev = _evidence(db, "COALESCE(q.speaker_id, q.speaker_name)", "q.start AS start, q.end AS end, q.in_title AS in_title", "FROM quotes q",
                   "q.article_rowid DESC, q.seq", [r["speaker_id"] or r["speaker"] for r in rows],
                   {r["speaker_id"] or r["speaker"]: r["quotes"] for r in rows}, rowids, n=n_ev)  # fmt: skip
    for r in rows:
        r["type"], r["role"] = speaker_role(db, r["speaker_id"], roles)
        r["link"] = link("/api/quotes", base_link, speaker_key=r["speaker_id"] or r["speaker"])
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
    # by_type has no link: a speaker's type comes from the actor registry, which no list filter reads.
    return {
        "quotes": total,
        "link": link("/api/quotes", base_link),
        "speakers": rows,
        "by_country": [{"country": k, "quotes": v, "share": round(v / total, 4), "link": link("/api/quotes", base_link, speaker_country=k)}
                       for k, v in sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))],
        "by_type": [{"type": k, "quotes": v, "share": round(v / total, 4), "link": None} for k, v in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))],
    }  # fmt: skip


def _themes(db: Any, cond: str, args: list[Any], n_articles: int, agg: Agg, rowids: list[int], n_ev: int,
            base_link: list[tuple[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    from ..themes import taxonomy

    tax = taxonomy()
    base = f"{_THEMES} WHERE {cond}"
    if agg:
        groups = db.execute(f"SELECT x.theme, SUM(x.articles), SUM(x.score_micro) {aggregates.source('agg_themes', agg[0])} "  # noqa: S608
                            "GROUP BY x.theme ORDER BY 2 DESC, 1", agg[1]).fetchall()  # fmt: skip
    else:
        groups = db.execute(f"SELECT t.theme, COUNT(*), SUM({aggregates.MICRO.format('t.score')}) {base} GROUP BY t.theme ORDER BY 2 DESC, 1", args).fetchall()  # noqa: S608
    ev = _evidence(db, "t.theme", "t.evidence AS spans", "FROM article_themes t", "t.article_rowid DESC", [g[0] for g in groups],
                   {g[0]: g[1] for g in groups}, rowids, n=n_ev)  # fmt: skip
    out = []
    for theme, n, score in groups:
        items = []
        for r in ev[theme]:
            spans = json.loads(r["spans"])
            items.append({"article": r["article"], "start": spans[0]["start"] if spans else None, "end": spans[0]["end"] if spans else None})
        t = tax.by_id.get(theme)
        out.append({"theme": theme, "name": t.name if t else theme, "articles": n,
                    "share": round(n / n_articles, 4) if n_articles else 0.0, "mean_score": aggregates.mean(score, n, 3),
                    "link": link("/api/articles", base_link, theme=theme), "evidence": items})  # fmt: skip
    return out


def _tone(db: Any, cond: str, args: list[Any], top: int, agg: Agg, rowids: list[int], n_ev: int,
          base_link: list[tuple[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    base = f"{_TONE} WHERE {cond}"
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
    ev = _evidence(db, "t.actor_id", "t.sentences AS sentences", "FROM actor_tone t", "t.article_rowid DESC", [g[0] for g in groups],
                   {g[0]: g[3] for g in groups}, rowids, n=n_ev)  # fmt: skip
    out = []
    for aid, tone, mentions, n in groups:
        items = [{"article": r["article"], "start": s["start"], "end": s["end"], "compound": s.get("compound")}
                 for r in ev[aid] for s in json.loads(r["sentences"])[:1]]  # fmt: skip
        out.append({"actor_id": aid, "name": actor_name(db, aid), "tone": aggregates.mean(tone, n, 4), "articles": n, "mentions": mentions,
                    "link": link("/api/articles", base_link, tone_toward=aid), "evidence": items})  # fmt: skip
    return out


def _events(db: Any, cond: str, args: list[Any], agg: Agg = None) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(type, source, target) -> (events, articles) of every event group the side reports (a month of a bloc:
    ~1,800; only the shown ones become dicts)."""
    base = f"{_EVENTS} WHERE {cond}"
    src, tgt = SOURCE_LABEL, TARGET_LABEL
    if agg:
        groups = db.execute(f"SELECT x.type, x.source, x.target, SUM(x.events), SUM(x.articles) {aggregates.source('agg_events', agg[0])} "  # noqa: S608
                            "GROUP BY 1, 2, 3", agg[1])  # fmt: skip
    else:
        groups = db.execute(f"SELECT e.type, {src}, {tgt}, COUNT(*), COUNT(DISTINCT e.article_rowid) {base} GROUP BY 1, 2, 3", args)  # noqa: S608
    return {(typ, s, t): (n, arts) for typ, s, t, n, arts in groups}


def _ranked(counts: dict[Any, Any], n: int, name: Callable[[list[Any]], Callable[[Any], tuple[str, str, str]]]) -> list[Any]:
    """The *n* keys of *counts* (key -> a sequence whose first item is its events) with most events, then by
    their names (type, source, target). *name* is given the keys that can be among them
    (``aggregates.contenders``) and returns a key's names: only those are looked up."""
    keys = aggregates.contenders(counts, n)
    named = name(keys)
    return heapq.nsmallest(n, keys, key=lambda k: (-counts[k][0], named(k)))


def _left_out_link(key: tuple[str, str, str], reporters: list[int], specs: list[str | None], scope_link: list[tuple[str, Any]]) -> str | None:
    """The events of *key* on every side that reports it (the ``side`` filter repeated: articles in any of them;
    the same rows as the figure's sum when those sides share no article)."""
    if any(specs[j] is None for j in reporters):
        return None
    return link("/api/events", [*scope_link, *(("side", specs[j]) for j in reporters)], type=key[0], source_label=key[1], target_label=key[2])


_EVENT_KEY = f"e.type || '|' || {SOURCE_LABEL} || '|' || {TARGET_LABEL}"


def _event_evidence(db: Any, cond: str, args: list[Any], rowids: list[int], counts: dict[tuple[str, str, str], tuple[int, int]],
                    keys: list[tuple[str, str, str]], n_ev: int) -> dict[tuple[str, str, str], list[dict[str, Any]]]:  # fmt: skip
    ev = _evidence(db, _EVENT_KEY, "e.evidence_start AS start, e.evidence_end AS end", "FROM events e", "e.article_rowid DESC, e.seq",
                   ["|".join(k) for k in keys], {"|".join(k): counts[k][0] for k in keys}, rowids, "walk", n=n_ev)  # fmt: skip
    return {k: ev["|".join(k)] for k in keys}


def compare(
    store: Any, *, sides: list[Side], story: int | None = None, thread: int | None = None, actor: str | None = None,
    since: str | None = None, until: str | None = None, top: int = 20, words: int = 25, word_articles: int = 1000,
    evidence: int = 0,
) -> dict[str, Any]:
    """Compare how *sides* covered a story, a thread, an actor or a period (any of them together).

    Per side: its articles and outlets; whom it quotes (top speakers with country, type and role, and
    quote shares by speaker country and type); the themes it stresses (share of its articles); its mean
    tone toward each actor; the events it reports (type, source, target) and those another side
    reports that it does not; and its *words* most distinctive words against the other sides
    (log-odds with an informative Dirichlet prior). Over whole days of outlets (a period; sides by outlet,
    country or kind) the words are counted over every article of the side, summed from the word cells
    (migration 019); otherwise (a story, thread or actor scope, or cells not yet filled) over the side's
    *word_articles* most recently published articles (by publication day, then newest stored; undated
    ones last), all of them when fewer. ``words_from`` says how many articles were counted.
    Every figure carries ``link``: the REST list endpoint and filters selecting exactly the rows it counts
    (quotes, articles, events; a word: a search for it within the side); with *evidence* N > 0 (at most
    10) also its first N rows inline (``evidence``: article ids with character spans into the body, the
    newest stored first), else ``evidence`` is empty and no row behind a figure is read."""
    if len(sides) < 2:
        raise ValueError("compare needs at least two sides")
    n_ev = max(0, min(int(evidence), EVIDENCE_MAX))
    db = db_of(store)
    scope = Filters(since=since, until=until, actor=actor, story=story, thread=thread)
    scope_link = list(scope.as_dict().items())
    specs = [side.spec() for side in sides]
    bases = [None if sp is None else [*scope_link, ("side", sp)] for sp in specs]
    scope_cond, scope_args = where(store, scope)
    aggs: list[Agg] = aggregates.scope(store, scope, sides) or [None] * len(sides)  # type: ignore[assignment]
    # The sums read the week cells of the period's whole weeks (the articles, its day cells).
    sums: list[Agg] = aggregates.scope(store, scope, sides, weeks=True) or [None] * len(sides)  # type: ignore[assignment]
    out_sides = []
    event_sets: list[Any] = []
    ev_args: list[tuple[str, list[Any], Agg]] = []  # each side's conditions and cells, for its groups by name
    word_counts = []
    conds = []
    for side, agg, summed, base in zip(sides, aggs, sums, bases):
        sc, sargs = side.sql("a")
        cond, args = f"{scope_cond} AND {sc}", [*scope_args, *sargs]
        # Over whole days of outlets (a period, sides by outlet, country or kind) the side's words, article count and
        # outlets come from the cells (migration 019), every article of the scope counted; its articles are read
        # only for the inline evidence, or when the cells cannot answer (then its words are its most recent articles').
        wc = aggregates.cell_words(store, summed, agg) if agg and summed else None
        counted = aggregates.side_outlets(store, summed) if wc is not None else None
        arts: list[Any] = []
        if counted is None or n_ev:  # over whole days from the cells' index when every article lies in one
            if agg and aggregates.every_article_counted(store):
                arts = db.execute(aggregates.side_articles(agg[0]), agg[1]).fetchall()
            else:
                arts = db.execute("SELECT a.rowid, a.outlet_name, a.outlet_country, a.outlet_kind, substr(a.published, 1, 10) "  # noqa: S608
                                  f"FROM articles a WHERE {cond}", args).fetchall()  # fmt: skip
        rowids = sorted((int(r[0]) for r in arts), reverse=True) if n_ev else []  # newest stored first: the evidence
        conds.append((cond, args, rowids))
        groups: dict[tuple[Any, Any, Any], int] = {}
        if counted is not None:
            n = counted[0]
            groups = {(o["name"], o["country"], o["kind"]): o["articles"] for o in counted[1]}
        else:
            n = len(arts)
            for r in arts:
                groups[(r[1], r[2], r[3])] = groups.get((r[1], r[2], r[3]), 0) + 1
        outlets = [{"name": k[0], "country": k[1], "kind": k[2], "articles": v,  # most articles first, then by name (NULL first), country, kind
                    "link": None if k[0] is None else link("/api/articles", base, outlet_name=k[0], country=k[1], kind=k[2])}
                   for k, v in sorted(groups.items(), key=lambda kv: (-kv[1], *((x is not None, x or "") for x in kv[0])))]  # fmt: skip
        if wc is None:  # the words: the most recently published (by day, the cells' day; then newest stored; undated last)
            wc = stored_words(store, [int(r[0]) for r in heapq.nlargest(word_articles, arts, key=lambda r: (r[4] or "", int(r[0])))])
        word_counts.append(wc)
        # The event groups: on the cells' integer keys (migration 020), named only for the shown ones.
        event_sets.append(aggregates.keyed_groups(store, "agg_events", ("events", "articles"), *summed) if summed else None)
        ev_args.append((cond, args, summed))
        out_sides.append({
            "side": side.as_dict(), "articles": n, "link": link("/api/articles", base), "outlets": outlets,
            "quoted": _speakers(db, cond, args, top, summed, rowids, n_ev, base), "themes": _themes(db, cond, args, n, summed, rowids, n_ev, base),
            "tone": _tone(db, cond, args, top, summed, rowids, n_ev, base), "words_from": wc.articles,
        })  # fmt: skip
    if any(e is None for e in event_sets):  # a side the cells cannot answer: every side's groups by their names
        event_sets = [_events(db, c, a, g) for c, a, g in ev_args]

        def names(keys: list[Any]) -> Callable[[Any], tuple[str, str, str]]:
            return lambda k: k
    else:
        def names(keys: list[Any]) -> Callable[[Any], tuple[str, str, str]]:
            known = aggregates.key_names(store, keys)
            return known.__getitem__
    for i, (out, ev) in enumerate(zip(out_sides, event_sets)):
        # Most events first, then type, source and target.
        top_keys = _ranked(ev, top, names)
        shown = names(top_keys)
        ev_reported = _event_evidence(db, *conds[i], {shown(k): ev[k] for k in top_keys}, [shown(k) for k in top_keys], n_ev)
        out["events"] = [{"type": t, "source": so, "target": ta, "events": ev[k][0], "articles": ev[k][1],
                          "link": link("/api/events", bases[i], type=t, source_label=so, target_label=ta), "evidence": ev_reported[(t, so, ta)]}
                         for k in top_keys for t, so, ta in [shown(k)]]  # fmt: skip
        missing: dict[Any, list[Any]] = {}  # key -> [events, reporting sides, the first of them]
        for j, other in enumerate(event_sets):
            if j == i:
                continue
            for key in other.keys() - ev.keys():
                m = missing.setdefault(key, [0, [], j])
                m[0] += other[key][0]
                m[1].append(sides[j].name)
        left_keys = _ranked(missing, top, names)
        shown = names(left_keys)
        by_side: dict[int, list[Any]] = {}  # the first other side reporting each: its evidence is shown
        for key in left_keys:
            by_side.setdefault(missing[key][2], []).append(key)
        found = {k: v for j, keys in by_side.items() for k, v in _event_evidence(
            db, *conds[j], {shown(k): event_sets[j][k] for k in keys}, [shown(k) for k in keys], n_ev).items()}  # fmt: skip
        out["events_left_out"] = [{"type": shown(k)[0], "source": shown(k)[1], "target": shown(k)[2], "events": missing[k][0],
                                   "reported_by": missing[k][1],
                                   "link": _left_out_link(shown(k), [j for j, other in enumerate(event_sets) if j != i and k in other], specs, scope_link),
                                   "evidence": found[shown(k)]} for k in left_keys]  # fmt: skip
    for out, ws, base in zip(out_sides, distinctive(word_counts, words, evidence=n_ev), bases):
        for w in ws:
            # a hyphenated word or one with an apostrophe as a phrase: its parts next to each other (the search
            # index splits words there, so 'norwegian-russian' also finds 'Norwegian Russian')
            w["link"] = link("/api/search", base, q=w["word"] if w["word"].isalnum() else f'"{w["word"]}"')
        out["words"] = ws
    return {"scope": scope.as_dict(), "sides": out_sides}
