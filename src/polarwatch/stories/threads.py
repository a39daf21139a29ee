"""Threads: same-event stories linked into the ongoing issue they belong to.

A story (``cluster.Story``) reports one event; a thread joins the stories of
one ongoing issue — a Pentagon report and the Kremlin's answer to it, two
GPS-jamming incidents months apart in the same county, a mine's licence and
the court complaint against it. Threads are kept online, like stories: each
time a story is created or grows, its *profile* is recomputed and its place
in the threads decided again against the stories it could be linked to.

A story's ``Profile`` is what threads compare: its strongest terms as a
TF-IDF vector (names weighted as in the clusterer, weekday and month names
dropped: they say when, not what), its actors (countries weigh less than
people and organisations, outlets naming themselves are dropped), the
directed actor pairs of its coded events, its theme scores
(``polarwatch.themes``) and its date span. The link between two stories
(``similarity``) adds up:

* text — cosine of the two vectors (what the threads mostly share: the
  place names, people, ships and institutions of the issue);
* actors — the weighted share of the smaller story's actors the other has;
* events — the share of the smaller story's typed event dyads (the type and
  the two sides, as ``COOPERATE:CN:RU``) the other has: two stories of one
  issue may share no name, as a report and a spokesman's answer to it;
* themes — whether the two are about the same themes (cosine of theme
  scores, centred: different themes cost as much as the same ones gain;
  no theme on either side counts nothing);
* reply — a verbal answer in one story (a rejection, accusation or protest
  by X at Y) to the other, earlier or same-time story in which Y acted on X;
* time — stories further apart than ``WINDOW_DAYS`` are never linked; closer
  ones get a small bonus that shrinks with the gap (undated: no bonus).

Linkage is single: a story joins the thread of the story it links best to
(at least ``THRESHOLD``), staying in its current thread while it still links
to a member of it; a link to a story in no thread starts a thread of the two.
A story that no longer links to anyone leaves its thread, and a thread left
with one story is dissolved. Threads are not merged when a story links to
two of them: it joins the better one (merging chains unrelated issues).
Candidates come from an inverted index of each profile's ``keys`` (its most
distinctive names, its non-country actors and its typed event dyads), so a
change costs a lookup, not a pass over all stories.

``Threader`` holds profiles and memberships in memory; the store path
(``update_threads``) loads the part of it a batch can touch, runs the same
code and writes the changes back (``store.threads_sql``).
"""

from __future__ import annotations

import heapq
import json
import math
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .cluster import NAME_WEIGHT, DocFreq, Story
from .features import MONTHS, ArticleFeatures, actor_weight, parse_published
from .metrics import adjusted_rand, bcubed

WINDOW_DAYS = 365  # stories further apart are never linked; a thread lives on while its stories keep coming
THRESHOLD = 0.40  # the link score a story needs to join another's thread
ACTOR_WEIGHT = 0.10
DYAD_WEIGHT = 0.30  # the share of the smaller story's typed event dyads (type and the two sides) the other has
THEME_WEIGHT = 0.10
THEME_PIVOT = 0.5  # theme similarity that neither helps nor costs
REPLY_WEIGHT = 0.05
TIME_WEIGHT = 0.05
COUNTRY_WEIGHT = 0.3  # a country actor against a person or an organisation: countries are in every story (tuned for threads, apart from cluster.py's)
TOP_TERMS = 80  # terms a profile keeps
NAME_KEYS, ACTOR_KEYS, DYAD_KEYS = 10, 5, 8  # keys a profile is indexed under
MAX_CANDIDATES = 300  # stories scored per change, those sharing most keys first
REASON_ITEMS = 6  # shared terms, actors and themes shown as the reasons of a link
RESPONSES = frozenset({"REJECT", "ACCUSE", "PROTEST"})  # verbal answers (the reply relation)
_NOT_WHAT = frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday".split()) | frozenset(MONTHS)


@dataclass(slots=True)
class Profile:
    """What threads know of one story."""

    story: int
    vec: dict[str, float] = field(default_factory=dict)  # "w:word"/"n:name" -> weight, unit length
    actors: dict[str, float] = field(default_factory=dict)  # actor id -> weight
    pairs: set[tuple[str, str]] = field(default_factory=set)  # (source, target) of its events, both known and distinct
    answers: set[tuple[str, str]] = field(default_factory=set)  # the pairs of its verbal-answer events
    dyads: set[str] = field(default_factory=set)  # "TYPE:A:B" of its events, the two sides sorted (undirected)
    themes: dict[str, float] = field(default_factory=dict)  # theme -> score, unit length
    first: date | None = None
    last: date | None = None
    size: int = 0
    title: str | None = None
    cached_keys: list[str] | None = field(default=None, repr=False, compare=False)

    def keys(self) -> list[str]:
        """What the profile is indexed under: its strongest names, its people and organisations and its typed
        event dyads (two stories of one issue may share no name, as a report and an answer to it by others)."""
        if self.cached_keys is None:
            self.cached_keys = self._keys()
        return self.cached_keys

    def _keys(self) -> list[str]:
        names = sorted((t for t in self.vec if t[0] == "n"), key=lambda t: (-self.vec[t], t))[:NAME_KEYS]
        acts = sorted((a for a, w in self.actors.items() if w == 1.0), key=lambda a: a)[:ACTOR_KEYS]
        return names + ["a:" + a for a in acts] + ["d:" + d for d in sorted(self.dyads)[:DYAD_KEYS]]

    def to_json(self) -> str:
        return json.dumps({
            "vec": {t: round(x, 5) for t, x in self.vec.items()}, "actors": self.actors,
            "pairs": sorted(self.pairs), "answers": sorted(self.answers), "dyads": sorted(self.dyads), "themes": self.themes,
        }, ensure_ascii=False, separators=(",", ":"))  # fmt: skip

    @classmethod
    def from_json(cls, story: int, text: str, first: str | None, last: str | None, size: int, title: str | None) -> Profile:
        d = json.loads(text)
        return cls(story, d["vec"], d["actors"], {(p[0], p[1]) for p in d["pairs"]}, {(p[0], p[1]) for p in d["answers"]},
                   set(d.get("dyads", ())), d["themes"], parse_published(first), parse_published(last), size, title)  # fmt: skip


def _unit(v: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / norm for k, x in v.items()}


def profile(s: Story, themes: Mapping[str, float], df: DocFreq, title: str | None = None) -> Profile:
    """The profile of story *s* (its clusterer state) with the summed theme scores of its articles."""
    weighted = {
        t: tf * df.idf(t) * (NAME_WEIGHT if t[0] == "n" else 1.0)
        for t, tf in s.terms.items() if t[2:] not in _NOT_WHAT
    }  # fmt: skip
    top = dict(heapq.nsmallest(TOP_TERMS, weighted.items(), key=lambda kv: (-kv[1], kv[0])))  # = sorted(...)[:TOP_TERMS]
    actors = {a: w for a in s.actors if (w := actor_weight(a, COUNTRY_WEIGHT)) > 0}
    pairs, answers, dyads = set(), set(), set()
    for typ, src, tgt in s.events:
        if src != "?" and tgt != "?" and src != tgt:
            pairs.add((src, tgt))
            dyads.add(":".join((typ, *sorted((src, tgt)))))
            if typ in RESPONSES:
                answers.add((src, tgt))
    th = _unit({k: float(v) for k, v in themes.items() if v > 0})
    return Profile(s.id, _unit(top), actors, pairs, answers, dyads, th, s.first, s.last, s.size, title)


@dataclass(slots=True)
class Link:
    """Why two stories are in one thread: the score and what they share."""

    other: int
    score: float
    reasons: dict[str, Any]


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


def _gap(a: Profile, b: Profile) -> int | None:
    if not (a.first and a.last and b.first and b.last):
        return None
    return max(0, (b.first - a.last).days, (a.first - b.last).days)


def _replies(a: Profile, b: Profile) -> bool:
    """Does *a* answer *b*: a verbal answer by X at Y in *a*, Y acting on X in *b*, *a* not earlier than *b*."""
    if a.first and b.first and a.last and b.last and a.last < b.first:
        return False
    return any((tgt, src) in b.pairs for src, tgt in a.answers)


def similarity(a: Profile, b: Profile) -> Link | None:
    """The link from story *a* to story *b* (None: too far apart in time), with its reasons."""
    scored = _score(a, b)
    return None if scored is None else _link(a, b, *scored)


def _score(a: Profile, b: Profile) -> tuple[float, int | None, float, list[str], float, float | None, str | None] | None:
    """(score, and what ``_link`` reuses for the reasons) of the link from *a* to *b*; None: too far apart."""
    gap = _gap(a, b)
    if gap is not None and gap > WINDOW_DAYS:
        return None
    text = _cosine(a.vec, b.vec)
    shared_actors = sorted(a.actors.keys() & b.actors.keys(), key=lambda x: (-a.actors[x], x))
    smaller = min(sum(a.actors.values()), sum(b.actors.values()))
    actors = sum(a.actors[x] for x in shared_actors) / smaller if smaller else 0.0
    fewer = min(len(a.dyads), len(b.dyads))
    score = text + ACTOR_WEIGHT * actors + (DYAD_WEIGHT * len(a.dyads & b.dyads) / fewer if fewer else 0.0)
    theme = None
    if a.themes and b.themes:
        theme = _cosine(a.themes, b.themes)
        score += THEME_WEIGHT * (theme - THEME_PIVOT)
    reply = "a" if _replies(a, b) else "b" if _replies(b, a) else None
    if reply:
        score += REPLY_WEIGHT
    if gap is not None:
        score += TIME_WEIGHT * (1.0 - gap / WINDOW_DAYS)
    return score, gap, text, shared_actors, actors, theme, reply


def _link(a: Profile, b: Profile, score: float, gap: int | None, text: float, shared_actors: list[str], actors: float,
          theme: float | None, reply: str | None) -> Link:
    """The link ``_score`` scored, with its reasons (made only for a link that is kept)."""
    shared_terms = sorted(a.vec.keys() & b.vec.keys(), key=lambda t: (-a.vec[t] * b.vec[t], t))
    shared_dyads = sorted(a.dyads & b.dyads)
    shared_themes = sorted(a.themes.keys() & b.themes.keys(), key=lambda k: (-a.themes[k] * b.themes[k], k))
    reasons = {
        "text": round(text, 4),
        "terms": list(dict.fromkeys(t[2:] for t in shared_terms))[:REASON_ITEMS],
        "actors": shared_actors[:REASON_ITEMS],
        "actor_share": round(actors, 4),
        "themes": shared_themes[:REASON_ITEMS],
        "theme_similarity": None if theme is None else round(theme, 4),
        "pairs": sorted({tuple(sorted(p)) for p in a.pairs} & {tuple(sorted(p)) for p in b.pairs})[:REASON_ITEMS],
        "events": shared_dyads[:REASON_ITEMS],
        "reply": None if reply is None else {"story": a.story if reply == "a" else b.story,
                                              "answers": b.story if reply == "a" else a.story},
        "gap_days": gap,
    }  # fmt: skip
    return Link(b.story, round(score, 4), reasons)


class Threader:
    """Profiles, the key index and thread memberships; ``update`` places a new or changed story.

    New threads get ids from ``next_id`` (counting down from -1 in the store path, where the store gives the
    real ids when they are written). ``dirty_threads`` and ``dirty_stories`` name what changed since the last
    ``clear_dirty``.
    """

    def __init__(self, next_id: int = 1, step: int = 1) -> None:
        self.profiles: dict[int, Profile] = {}
        self.index: dict[str, set[int]] = defaultdict(set)
        self.thread_of: dict[int, int] = {}
        self.members: dict[int, set[int]] = {}
        self.link_of: dict[int, Link] = {}  # the link a member is in its thread by
        self.next_id, self.step = next_id, step
        self.dirty_threads: set[int] = set()
        self.dirty_stories: set[int] = set()

    # -- loading ---------------------------------------------------------------
    def add_profile(self, p: Profile) -> None:
        old = self.profiles.get(p.story)
        if old is not None:
            for k in old.keys():
                self.index[k].discard(p.story)
        self.profiles[p.story] = p
        for k in p.keys():
            self.index[k].add(p.story)

    def set_member(self, story: int, thread: int, link: Link | None = None) -> None:
        self.thread_of[story] = thread
        self.members.setdefault(thread, set()).add(story)
        if link is not None:
            self.link_of[story] = link

    # -- placing ---------------------------------------------------------------
    def candidates(self, p: Profile) -> list[int]:
        hits: Counter[int] = Counter()
        for k in p.keys():
            hits.update(self.index.get(k, ()))
        hits.pop(p.story, None)
        return [s for s, _ in sorted(hits.items(), key=lambda kv: (-kv[1], -kv[0]))[:MAX_CANDIDATES]]

    def links(self, p: Profile) -> list[Link]:
        """Links from *p* to the candidate stories reaching ``THRESHOLD``, best first."""
        out = []
        for sid in self.candidates(p):
            other = self.profiles.get(sid)
            if other is not None and (sc := _score(p, other)) is not None and round(sc[0], 4) >= THRESHOLD:
                out.append(_link(p, other, *sc))  # the reasons only for a link that is kept
        return sorted(out, key=lambda lk: (-lk.score, lk.other))

    def _new_thread(self) -> int:
        tid = self.next_id
        self.next_id += self.step
        return tid

    def _leave(self, story: int) -> None:
        tid = self.thread_of.pop(story, None)
        self.link_of.pop(story, None)
        self.dirty_stories.add(story)
        if tid is None:
            return
        self.dirty_threads.add(tid)
        left = self.members.get(tid, set())
        left.discard(story)
        if len(left) == 1:  # a thread of one story is no thread
            last = left.pop()
            self.thread_of.pop(last, None)
            self.link_of.pop(last, None)
            self.dirty_stories.add(last)
        if not left:
            self.members.pop(tid, None)

    def update(self, p: Profile) -> int | None:
        """Place the new or changed story *p*; returns its thread (None: in none)."""
        self.add_profile(p)
        links = self.links(p)
        current = self.thread_of.get(p.story)
        if not links:
            if current is not None:
                self._leave(p.story)
            return None
        if current is not None:
            mine = [lk for lk in links if self.thread_of.get(lk.other) == current]
            if mine:  # still linked to its thread: it stays, by its best link there
                self.link_of[p.story] = mine[0]
                self.dirty_stories.add(p.story)
                self.dirty_threads.add(current)
                return current
            self._leave(p.story)
        best = links[0]
        tid = self.thread_of.get(best.other)
        if tid is None:
            tid = self._new_thread()
            back = similarity(self.profiles[best.other], p)
            self.set_member(best.other, tid, back)
            self.dirty_stories.add(best.other)
        self.set_member(p.story, tid, best)
        self.dirty_stories.add(p.story)
        self.dirty_threads.add(tid)
        return tid

    def clear_dirty(self) -> None:
        self.dirty_threads.clear()
        self.dirty_stories.clear()


# -- the store path ----------------------------------------------------------------------------------------
_BACKFILLED: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _membership(th: Threader, sid: int) -> tuple[int, float, int, str] | None:
    tid = th.thread_of.get(sid)
    if tid is None:
        return None
    lk = th.link_of[sid]
    return tid, lk.score, lk.other, json.dumps(lk.reasons, ensure_ascii=False, separators=(",", ":"))


def update_threads(store: Any, story_ids: Iterable[int]) -> int:
    """Recompute the profiles of the new or changed stories *story_ids* and place each in the threads, oldest
    first: only their candidate stories (by key, in the time window) and the members of the threads involved
    are read, and the changes are written in one transaction. Returns how many stories are now in a thread."""
    if not hasattr(store, "put_threads"):
        return 0
    done = _backfill(store)
    return _place(store, sorted(set(story_ids) - done))


def _place(store: Any, ids: list[int]) -> int:
    from .service import _story  # the clusterer's stored state, read the way the stories stage reads it

    rows = store.story_states(ids)
    if not rows:
        return 0
    states = [_story(r) for r in rows]
    themes = store.story_theme_scores(ids)
    n, known = store.story_df({t[2:] for s in states for t in s.terms})
    df = DocFreq(n, Counter(known))
    titles = {r["id"]: r["title"] for r in rows}
    profiles = sorted((profile(s, themes.get(s.id, {}), df, titles[s.id]) for s in states),
                      key=lambda p: (p.first is None, p.first or date.min, p.story))  # fmt: skip
    mine = {p.story for p in profiles}
    cands: set[int] = set()
    for p in profiles:
        since, until = window(p.first), window(p.last)
        cands.update(store.thread_candidates(p.keys(), since[0], until[1], p.story, MAX_CANDIDATES))
    th = Threader(next_id=-1, step=-1)
    for r in store.story_profile_rows(sorted(cands - mine)):
        th.add_profile(Profile.from_json(r["story_id"], r["profile"], r["first_seen"], r["last_seen"], r["size"], r["title"]))
    loaded = sorted(cands | mine)
    of = store.thread_memberships(loaded)
    for tid, sids in store.thread_members(sorted(set(of.values()))).items():
        for sid in sids:
            th.set_member(sid, tid)
    for p in profiles:  # the batch's stories see each other's new profiles, as candidates
        th.add_profile(p)
    for p in profiles:
        th.update(p)
    store.put_threads(
        [{"story_id": p.story, "first_seen": p.first and str(p.first), "last_seen": p.last and str(p.last),
          "size": p.size, "profile": p.to_json(), "keys": p.keys()} for p in profiles],
        {sid: _membership(th, sid) for sid in th.dirty_stories | mine},
        {t for t in th.dirty_threads if t > 0 or t in th.members},  # a new thread dissolved within the batch is never written
    )  # fmt: skip
    return sum(1 for p in profiles if p.story in th.thread_of)


def _backfill(store: Any) -> set[int]:
    """Profiles and threads for stories that have none (made before threads were kept, or by a batch whose
    thread stage did not run), once per open store, oldest first; returns the stories placed."""
    done: set[int] = set()
    if store in _BACKFILLED:
        return done
    _BACKFILLED.add(store)
    while ids := store.unprofiled_stories(200):
        _place(store, ids)
        done.update(ids)
    return done


def update_threads_of_articles(store: Any, article_ids: list[str]) -> int:
    """``update_threads`` for the stories the articles *article_ids* are in (the ingest hook)."""
    if not article_ids or not hasattr(store, "stories_of"):
        return 0
    return update_threads(store, store.stories_of(article_ids))


# -- evaluation ---------------------------------------------------------------------------------------------
def _gold_threads(path: str | Path) -> dict[str, str]:
    """``thread`` by article id of a gold JSONL file (lines without one are left out)."""
    out = {}
    for line in Path(path).read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            if d.get("thread") is not None:
                out[str(d.get("id", d.get("doc")))] = str(d["thread"])
    return out


def replay(feats: list[ArticleFeatures], themes: list[Mapping[str, float]], order: Iterable[int],
           pred: list[int]) -> list[int]:
    """Threads of the articles, built online: the articles are added in *order* to the stories the clusterer
    gave them (*pred*), and after each addition the story's thread is updated as at ingest. Returns each
    article's thread, or its story's id (negated) when the story is in no thread."""
    df = DocFreq()
    stories: dict[int, Story] = {}
    story_themes: dict[int, Counter[str]] = {}
    titles: dict[int, str | None] = {}
    th = Threader()
    for i in order:
        f, sid = feats[i], pred[i]
        df.add(f)
        s = stories.setdefault(sid, Story(sid))
        s.add(f)
        story_themes.setdefault(sid, Counter()).update(themes[i])
        titles.setdefault(sid, f.title)
        th.update(profile(s, story_themes[sid], df, titles[sid]))
    return [th.thread_of.get(pred[i], -pred[i]) for i in range(len(feats))]


def score_threads(path: str | Path, gold: list[Any], feats: list[ArticleFeatures], order: list[int],
                  pred: list[int]) -> dict[str, Any] | None:
    """Thread scores of an ``eval stories`` run when the gold file's lines carry ``thread``: B-cubed and ARI of
    the predicted threads over the articles (an article in a story of no thread counts as its own story's
    thread). *gold*: the file's ``GoldStory`` records, *feats* their features, *order* the arrival order and
    *pred* the clusterer's story of each. None when no line has a thread."""
    threads_of = _gold_threads(path)
    if not threads_of:
        return None
    from ..themes import score_paragraphs

    themes = [{t.theme: t.score for t in score_paragraphs([p for p in g.text.splitlines() if p.strip()])} for g in gold]
    threads = replay(feats, themes, order, pred)
    keep = [i for i, g in enumerate(gold) if g.id in threads_of]
    labels, got = [threads_of[gold[i].id] for i in keep], [threads[i] for i in keep]
    b = bcubed(labels, got)
    return {
        "bcubed": {k: round(v, 4) for k, v in b.items()},
        "ari": round(adjusted_rand(labels, got), 4),
        "threads": len({t for t in got if t > 0}),
        "gold_threads": len(set(labels)),
        "articles": len(keep),
    }


def window(day: date | None) -> tuple[str | None, str | None]:
    """The dates a story of *day* may be linked across (None, None when undated)."""
    if day is None:
        return None, None
    w = timedelta(days=WINDOW_DAYS)
    return str(day - w), str(day + w)
