"""The sections of a brief, each read from the articles in scope (``Ctx.rows``, rowids of the period).

Top stories, the most significant quotes, new events by type between actor pairs, themes rising and
falling, and the framing contrast of outlet blocs on the main threads (``analysis.compare``).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..analysis.compare import actor_name, speaker_role
from ..analysis.queries import db_of
from ..analysis.sides import REGIONS, SideError, bloc_side
from ..web.links import evidence_href
from .model import ArticleRef, Contrast, EventItem, OutletCount, Period, QuoteItem, SideView, StoryItem, ThemeChange
from .scope import inline

TOP_STORIES = 10
TOP_QUOTES = 10
EVENTS_PER_TYPE = 8
CONTRASTS = 3
# A quote shorter than this many words ("No.", "we will see") says too little to stand alone in a brief.
MIN_QUOTE_WORDS = 5
# Two quotes of one speaker whose word sets overlap this much (Jaccard) are the same words reported twice.
SAME_WORDS = 0.5


@dataclass(slots=True)
class Ctx:
    """What every section reads: the store's connection, the period, the articles in scope, the link base."""

    store: Any
    period: Period
    rows: list[int]
    base_url: str
    _art: dict[int, tuple[str, str | None, str | None, str | None]] = field(default_factory=dict)

    @property
    def db(self) -> Any:
        return db_of(self.store)

    @property
    def members(self) -> str:
        return inline(self.rows)

    def href(self, article: str, start: int | None = None, end: int | None = None, in_title: bool = False) -> str:
        return self.base_url + evidence_href({"article": article, "start": start, "end": end, "in_title": in_title})

    def page(self, path: str) -> str:
        return self.base_url + path

    def ref(self, rowid: int, start: int | None = None, end: int | None = None, in_title: bool = False) -> ArticleRef:
        """The article of *rowid* as an :class:`ArticleRef`, linked to the span *start*–*end* when given."""
        if rowid not in self._art:
            r = self.db.execute("SELECT a.id, a.title, a.outlet_name, a.published FROM articles a WHERE a.rowid = ?", (rowid,)).fetchone()
            self._art[rowid] = (r[0], r[1], r[2], r[3])
        aid, title, outlet, pub = self._art[rowid]
        return ArticleRef(aid, title, outlet, pub, self.href(aid, start, end, in_title))

    def preload(self, rowids: list[int]) -> None:
        want = [r for r in dict.fromkeys(rowids) if r not in self._art]
        for i in range(0, len(want), 500):
            for r in self.db.execute(
                f"SELECT a.rowid, a.id, a.title, a.outlet_name, a.published FROM articles a WHERE a.rowid IN ({inline(want[i:i + 500])})"  # noqa: S608
            ):  # fmt: skip
                self._art[r[0]] = (r[1], r[2], r[3], r[4])


# -- stories ------------------------------------------------------------------------------------------
def story_sizes(ctx: Ctx) -> dict[int, int]:
    """Articles in scope per story."""
    return {sid: n for sid, n in ctx.db.execute(
        f"SELECT sa.story_id, COUNT(*) FROM story_articles sa WHERE sa.article_rowid IN ({ctx.members}) GROUP BY sa.story_id"  # noqa: S608
    )}  # fmt: skip


def top_stories(ctx: Ctx, sizes: dict[int, int], top: int = TOP_STORIES) -> list[StoryItem]:
    """The stories with the most articles in scope (then the most outlets, then the lowest id)."""
    outlets: dict[int, list[OutletCount]] = defaultdict(list)
    for sid, name, country, kind, n in ctx.db.execute(
        "SELECT sa.story_id, a.outlet_name, a.outlet_country, a.outlet_kind, COUNT(*) FROM story_articles sa "  # noqa: S608
        f"JOIN articles a ON a.rowid = sa.article_rowid WHERE a.rowid IN ({ctx.members}) GROUP BY 1, 2, 3, 4"
    ):  # fmt: skip
        outlets[sid].append(OutletCount(name, country, kind, n))
    ranked = sorted(sizes, key=lambda s: (-sizes[s], -len(outlets[s]), s))[:top]
    if not ranked:
        return []
    info = {r[0]: r for r in ctx.db.execute(
        f"SELECT st.id, st.title, st.first_seen, st.last_seen, st.size FROM stories st WHERE st.id IN ({inline(ranked)})"  # noqa: S608
    )}  # fmt: skip
    members: dict[int, list[int]] = defaultdict(list)
    for sid, rowid in ctx.db.execute(
        "SELECT sa.story_id, a.rowid FROM story_articles sa JOIN articles a ON a.rowid = sa.article_rowid "  # noqa: S608
        f"WHERE a.rowid IN ({ctx.members}) AND sa.story_id IN ({inline(ranked)}) ORDER BY a.published, a.rowid"
    ):  # fmt: skip
        members[sid].append(rowid)
    ctx.preload([r for rs in members.values() for r in rs])
    out = []
    for sid in ranked:
        _, title, first, last, size = info[sid]
        outs = sorted(outlets[sid], key=lambda o: (-o.articles, o.name or ""))
        out.append(StoryItem(sid, title, first, last, sizes[sid], size, outs, [ctx.ref(r) for r in members[sid]],
                             ctx.page(f"/story/{sid}")))  # fmt: skip
    return out


# -- quotes --------------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]{3,}")


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def _same_words(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_WORDS


def similar(sets: list[frozenset[str]], t: float = SAME_WORDS) -> list[set[int]]:
    """For each set, the indexes of the others whose Jaccard similarity with it is at least *t*.

    Prefix filtering (Bayardo, Ma and Srikant 2007, "Scaling up all pairs similarity search"): with the
    words of every set in one order (rarest first), two sets that share at least ``ceil(t * |x|)`` words
    share a word among the first ``|x| - ceil(t * |x|) + 1`` of each; sets are taken smallest first, so
    only a prefix of each is indexed and only pairs sharing a prefix word (and close enough in size) are
    compared, not every pair of a speaker's quotes."""
    df = Counter(w for x in sets for w in x)
    out: list[set[int]] = [set() for _ in sets]
    index: dict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(sets)), key=lambda k: len(sets[k])):
        x = sets[i]
        if not x:
            continue
        words = sorted(x, key=lambda w: (df[w], w))
        prefix = words[: len(x) - math.ceil(t * len(x)) + 1]
        seen: set[int] = set()
        for w in prefix:
            for j in index[w]:
                if j not in seen and len(sets[j]) >= t * len(x):
                    seen.add(j)
                    if _same_words(x, sets[j]):
                        out[i].add(j)
                        out[j].add(i)
            index[w].append(i)
    return out


def significant_quotes(ctx: Ctx, sizes: dict[int, int], top: int = TOP_QUOTES) -> list[QuoteItem]:
    """The *top* quotes by significance = speaker prominence × story size × (1 + quoted elsewhere):

    * prominence: the articles in scope that quote the same speaker;
    * story size: the articles in scope of the quote's story (1 when it is in no story);
    * quoted elsewhere: the other articles in scope carrying nearly the same words from the same speaker
      (word-set Jaccard at least ``SAME_WORDS``).

    Only quotes whose speaker is resolved to an actor (a registry actor or a person named in the article)
    count: an unresolved speaker ("officials", "which") has no identity to be prominent by. Quotes shorter
    than ``MIN_QUOTE_WORDS`` words are left out; the same words from one speaker are shown once, with the
    other articles that carry them."""
    rows = ctx.db.execute(
        "SELECT a.rowid, q.seq, q.start, q.end, q.text, q.kind, q.speaker_id, q.speaker_name, q.speaker_country, q.in_title, "  # noqa: S608
        "sa.story_id, a.published FROM quotes q JOIN articles a ON a.rowid = q.article_rowid "
        f"LEFT JOIN story_articles sa ON sa.article_rowid = a.rowid WHERE a.rowid IN ({ctx.members}) AND q.speaker_id IS NOT NULL"
    ).fetchall()
    by_speaker: dict[str, list[int]] = defaultdict(list)  # speaker key -> indexes into rows
    arts: dict[str, set[int]] = defaultdict(set)
    words = [_words(r[4]) for r in rows]
    for i, r in enumerate(rows):
        key = r[6]
        by_speaker[key].append(i)
        arts[key].add(r[0])
    scored = []
    for key, idx in by_speaker.items():
        near = similar([words[i] for i in idx])
        for k, i in enumerate(idx):
            r = rows[i]
            if len(r[4].split()) < MIN_QUOTE_WORDS:
                continue
            elsewhere = {rows[idx[j]][0] for j in near[k]} - {r[0]}
            prominence, story = len(arts[key]), (sizes.get(r[10], 1) if r[10] is not None else 1)
            scored.append((prominence * story * (1 + len(elsewhere)), prominence, story, elsewhere, key, i))
    # Highest score; then direct before indirect speech, the longer quote, the earlier article.
    scored.sort(key=lambda t: (-t[0], rows[t[5]][5] != "direct", -len(rows[t[5]][4]), rows[t[5]][11] or "", rows[t[5]][0], rows[t[5]][1]))
    chosen: list[tuple[tuple[Any, ...], list[int]]] = []
    for t in scored:
        i = t[5]
        twin = next((c for c in chosen if c[0][4] == t[4] and _same_words(words[c[0][5]], words[i])), None)
        if twin is not None:
            if rows[i][0] != rows[twin[0][5]][0] and rows[i][0] not in twin[1]:
                twin[1].append(rows[i][0])
            continue
        if len(chosen) < top:
            chosen.append((t, []))
    ctx.preload([rows[c[0][5]][0] for c in chosen] + [x for c in chosen for x in c[1]])
    roles: dict[str, tuple[str, str | None]] = {}
    out = []
    for (score, prominence, story, elsewhere, _key, i), also in chosen:
        r = rows[i]
        out.append(QuoteItem(
            text=r[4], kind=r[5], speaker=r[7] or actor_name(ctx.db, r[6]), speaker_id=r[6], speaker_country=r[8],
            speaker_type=speaker_role(ctx.db, r[6], roles)[0], article=ctx.ref(r[0], r[2], r[3], bool(r[9])),
            prominence=prominence, story_size=story, elsewhere=len(elsewhere), score=score,
            also_in=[ctx.ref(x) for x in sorted(also)],
        ))  # fmt: skip
    return out


# -- events --------------------------------------------------------------------------------------------
def event_rows(ctx: Ctx) -> list[dict[str, Any]]:
    """Every event in scope, in date order, with its article's date; a symmetric event between two resolved
    actors has its pair ordered from the lower id, as ``analysis.network`` orders it."""
    out = []
    for r in ctx.db.execute(
        "SELECT a.rowid, a.published, e.type, e.source_id, e.source_name, e.target_id, e.target_name, e.symmetric, "  # noqa: S608
        "e.evidence_start, e.evidence_end FROM events e JOIN articles a ON a.rowid = e.article_rowid "
        f"WHERE a.rowid IN ({ctx.members}) ORDER BY a.published, a.rowid, e.seq"
    ):  # fmt: skip
        d = {"rowid": r[0], "published": r[1], "type": r[2], "source_id": r[3], "source": r[4], "target_id": r[5],
             "target": r[6], "symmetric": bool(r[7]), "start": r[8], "end": r[9]}  # fmt: skip
        if d["symmetric"] and d["source_id"] and d["target_id"] and d["target_id"] < d["source_id"]:
            d["source_id"], d["target_id"], d["source"], d["target"] = d["target_id"], d["source_id"], d["target"], d["source"]
        out.append(d)
    return out


def new_events(ctx: Ctx, events: list[dict[str, Any]], per_type: int = EVENTS_PER_TYPE) -> dict[str, list[EventItem]]:
    """Per event type, the actor pairs that type is first reported for in the period: no article dated
    before the period, in the whole store, reports that type between that pair (in that direction, or
    either way for a symmetric type). Most events first."""
    groups: dict[tuple[str, str, str, bool], list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e["source_id"] and e["target_id"] and e["source_id"] != e["target_id"]:
            groups[(e["type"], e["source_id"], e["target_id"], e["symmetric"])].append(e)
    if not groups:
        return {}
    ids = sorted({k[1] for k in groups} | {k[2] for k in groups})
    marks = ", ".join("?" * len(ids))
    seen_before = set()
    for typ, s, t, sym in ctx.db.execute(
        "SELECT DISTINCT e.type, e.source_id, e.target_id, e.symmetric FROM events e JOIN articles a ON a.rowid = e.article_rowid "  # noqa: S608
        f"WHERE a.published < ? AND (e.source_id IN ({marks}) OR e.target_id IN ({marks}))", [ctx.period.since, *ids, *ids],
    ):  # fmt: skip
        if sym and t is not None and s is not None and t < s:
            s, t = t, s
        seen_before.add((typ, s, t, bool(sym)))
    by_type: dict[str, list[EventItem]] = defaultdict(list)
    for key, evs in groups.items():
        if key in seen_before:
            continue
        typ, s, t, sym = key
        arts = list(dict.fromkeys(e["rowid"] for e in evs))
        ctx.preload(arts[:3])
        first_of: dict[int, dict[str, Any]] = {}
        for e in evs:
            first_of.setdefault(e["rowid"], e)
        evidence = [ctx.ref(r, first_of[r]["start"], first_of[r]["end"]) for r in arts[:3]]
        by_type[typ].append(EventItem(typ, s, evs[0]["source"] or actor_name(ctx.db, s), t, evs[0]["target"] or actor_name(ctx.db, t),
                                      sym, len(evs), len(arts), evs[0]["published"], evidence))  # fmt: skip
    out = {}
    for typ in sorted(by_type, key=lambda k: (-sum(x.events for x in by_type[k]), k)):
        out[typ] = sorted(by_type[typ], key=lambda x: (-x.events, x.source, x.target))[:per_type]
    return out


# -- themes --------------------------------------------------------------------------------------------
def theme_counts(ctx: Ctx, rowids: list[int]) -> Counter[str]:
    return Counter(dict(ctx.db.execute(
        f"SELECT t.theme, COUNT(*) FROM article_themes t WHERE t.article_rowid IN ({inline(rowids)}) GROUP BY t.theme"  # noqa: S608
    ).fetchall()))  # fmt: skip


def theme_changes(ctx: Ctx, previous: list[int]) -> tuple[list[ThemeChange], list[ThemeChange]]:
    """Themes by articles in the period against the preceding period of equal length (same scope): those
    with more articles now (most gained first) and those with fewer (most lost first)."""
    from ..themes import taxonomy

    tax = taxonomy()
    now, before = theme_counts(ctx, ctx.rows), theme_counts(ctx, previous)
    rising: list[ThemeChange] = []
    falling: list[ThemeChange] = []
    for th in sorted(set(now) | set(before)):
        change = now[th] - before[th]
        if change == 0:
            continue
        # The evidence: the articles that carry it most strongly, of the period it is larger in.
        pool = ctx.rows if change > 0 else previous
        top = [r for r, in ctx.db.execute(
            f"SELECT t.article_rowid FROM article_themes t WHERE t.theme = ? AND t.article_rowid IN ({inline(pool)}) "  # noqa: S608
            "ORDER BY t.score DESC, t.article_rowid LIMIT 3", (th,),
        )]  # fmt: skip
        ctx.preload(top)
        t = tax.by_id.get(th)
        item = ThemeChange(th, t.name if t else th, now[th], before[th], change, [ctx.ref(r) for r in top])
        (rising if change > 0 else falling).append(item)
    rising.sort(key=lambda x: (-x.change, -x.articles, x.theme))
    falling.sort(key=lambda x: (x.change, -x.previous, x.theme))
    return rising, falling


# -- framing contrast ----------------------------------------------------------------------------------
def bloc_of(country: str | None, kind: str | None) -> str | None:
    """The outlet bloc an article counts in: its region (when the region has several countries) or its
    country, and its outlet kind; None for an outlet of unknown country or kind."""
    if not country or not kind:
        return None
    region = next((r for r, cs in REGIONS.items() if country in cs and len(cs) > 1), None)
    return f"{region or country}/{kind}"


def _blocs(ctx: Ctx, members: set[int], cond: str, arg: int) -> Counter[str]:
    """Articles per outlet bloc among the unit's (*cond* with *arg*: its article rowids) that are in scope."""
    counts: Counter[str] = Counter()
    for rowid, country, kind in ctx.db.execute(
        f"SELECT a.rowid, a.outlet_country, a.outlet_kind FROM articles a WHERE a.rowid IN ({cond}) AND a.published >= ? AND a.published < ?",  # noqa: S608
        (arg, ctx.period.since, ctx.period.until + "\uffff"),
    ):  # fmt: skip
        b = bloc_of(country, kind)
        if b and rowid in members:
            counts[b] += 1
    return counts


_THREAD = "SELECT sa.article_rowid FROM story_articles sa JOIN thread_stories ts ON ts.story_id = sa.story_id WHERE ts.thread_id = ?"
_STORY = "SELECT sa.article_rowid FROM story_articles sa WHERE sa.story_id = ?"


def contrasts(ctx: Ctx, sizes: dict[int, int], most: int = CONTRASTS) -> list[Contrast]:
    """On the main threads (most articles in scope), and on the largest stories that are in none of them,
    the two outlet blocs with the most articles there, compared by ``analysis.compare`` over the period:
    the words most distinctive of each, its tone toward actors, whom it quotes. Units covered by one bloc
    only are passed over."""
    from ..analysis import compare

    units: list[tuple[str, int, int]] = [("thread", tid, n) for tid, n in ctx.db.execute(
        f"SELECT ts.thread_id, COUNT(*) FROM story_articles sa JOIN thread_stories ts ON ts.story_id = sa.story_id "  # noqa: S608
        f"WHERE sa.article_rowid IN ({ctx.members}) GROUP BY ts.thread_id ORDER BY 2 DESC, 1"
    )]  # fmt: skip
    threaded = {sid for sid, in ctx.db.execute("SELECT story_id FROM thread_stories")}
    units += [("story", sid, n) for sid, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])) if sid not in threaded]
    out: list[Contrast] = []
    members = set(ctx.rows)
    for what, uid, n in units:
        if len(out) >= most:
            break
        if n < 2:
            continue
        blocs = _blocs(ctx, members, _THREAD if what == "thread" else _STORY, uid)
        if len(blocs) < 2:
            continue
        pair = sorted(blocs, key=lambda b: (-blocs[b], b))[:2]
        try:
            sides = [bloc_side(b) for b in pair]
        except SideError:
            continue
        thread, story = (uid, None) if what == "thread" else (None, uid)
        cmp = compare(ctx.store, sides=sides, thread=thread, story=story, since=ctx.period.since, until=ctx.period.until, top=5, words=8,
                      evidence=1)  # the first sentence of each figure: its link in the brief
        table = "threads" if what == "thread" else "stories"
        title = ctx.db.execute(f"SELECT title FROM {table} WHERE id = ?", (uid,)).fetchone()[0]  # noqa: S608
        out.append(Contrast(what, uid, title, n, ctx.page(f"/{what}/{uid}"), [_side_view(ctx, s) for s in cmp["sides"]]))
    return out


def _first_href(ctx: Ctx, evidence: list[dict[str, Any]]) -> str | None:
    return ctx.href(evidence[0]["article"], evidence[0].get("start"), evidence[0].get("end"), bool(evidence[0].get("in_title"))) if evidence else None


def _side_view(ctx: Ctx, side: dict[str, Any]) -> SideView:
    return SideView(
        bloc=side["side"]["name"], articles=side["articles"],
        outlets=[o["name"] for o in side["outlets"] if o["name"]],
        words=[{"word": w["word"], "z": w["z"], "count": w["count"], "href": _first_href(ctx, w["evidence"])} for w in side["words"]],
        tone=[{"name": t["name"], "tone": t["tone"], "articles": t["articles"], "href": _first_href(ctx, t["evidence"])}
              for t in side["tone"][:5]],
        quoted=[{"speaker": q["speaker"], "country": q["country"], "type": q["type"], "quotes": q["quotes"],
                 "href": _first_href(ctx, q["evidence"])} for q in side["quoted"]["speakers"][:5]],
    )  # fmt: skip
