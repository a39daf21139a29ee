"""The store side of the stories stage: what the ingest calls after storing.

Near-duplicates are found through an index kept in the store itself: each
signature is cut into ``BANDS`` bands of ``ROWS`` values and every band hashed
to a key (``minhash_bands``, migration 008). The articles sharing a band key
with a new one are its candidates (an indexed lookup per article), verified
by the exact Jaccard of the shingle sets as in ``dedup``. Nothing grows in
memory with the number of stored articles (an in-memory LSH index did: 210 MB
at 10,000 articles), and a new process needs no rebuild.

With 32 bands of 4 rows a pair at Jaccard 0.5 (the linking threshold) becomes
a candidate with probability 0.87, at 0.7 with 0.9998, at 0.3 with 0.23; a
candidate whose signatures clearly disagree is dropped before its text is read.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from ..records import Article
from .dedup import MIN_JACCARD, NUM_PERM, DuplicateLink, jaccard, shingles, signature, signature_bytes
from .features import build, parse_published

BANDS, ROWS = 32, 4
assert BANDS * ROWS == NUM_PERM
# A candidate whose signatures agree on fewer than MIN_JACCARD - _MARGIN of their values is dropped
# unverified: with 128 values the estimate's standard deviation at Jaccard 0.5 is 0.044, so 0.15 is
# more than three of them.
_MARGIN = 0.15


def band_keys(sig: bytes) -> list[int]:
    """One key per band of a signature (56-bit, so SQLite stores it as an integer)."""
    hv = np.frombuffer(sig, dtype=np.uint64).reshape(BANDS, ROWS)
    return [int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=7).digest(), "little") for row in hv]


def _estimated(a: bytes, b: bytes) -> float:
    return float(np.mean(np.frombuffer(a, dtype=np.uint64) == np.frombuffer(b, dtype=np.uint64)))


_BACKFILLED: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _backfill(store: Any) -> None:
    """Band keys for signatures stored before they were kept (in pages), once per open store: every
    signature written since carries its keys, so later batches need not look again."""
    if store in _BACKFILLED:
        return
    while rows := store.minhash_unbanded(1000):
        store.put_minhash_bands({aid: band_keys(sig) for aid, sig in rows})
    _BACKFILLED.add(store)


def link_duplicates(store: Any, articles: list[Article]) -> int:
    """Sign new (or changed) stored *articles* and link each to the earlier ones it nearly duplicates
    (an earlier article of the same batch included); returns the links made."""
    if not articles or not hasattr(store, "put_near_duplicates"):
        return 0
    _backfill(store)
    items: list[tuple[str, bytes, list[DuplicateLink]]] = []
    bands: dict[str, list[int]] = {}
    batch: dict[str, tuple[bytes, set[str]]] = {}
    batch_keys: dict[tuple[int, int], list[str]] = {}  # (band, key) -> ids of this batch
    for a in articles:
        sh = shingles(a.body)
        if not sh:
            continue
        sig = signature_bytes(signature(sh))
        keys = band_keys(sig)
        cands = {aid: s for aid, s in store.minhash_candidates(keys) if aid != a.id and aid not in batch}
        cands |= {aid: batch[aid][0] for bk in enumerate(keys) for aid in batch_keys.get(bk, ())}
        links = []
        for other, their_sig in cands.items():
            est = _estimated(sig, their_sig)
            if est < MIN_JACCARD - _MARGIN:
                continue  # the signatures already rule it out: no need to read and shingle the other text
            if other in batch:
                theirs: set[str] | None = batch[other][1]
            else:
                body = store.get_body(other)
                theirs = shingles(body) if body is not None else None
            if theirs and (j := jaccard(sh, theirs)) >= MIN_JACCARD:
                links.append(DuplicateLink(a.id, other, round(est, 4), round(j, 4)))
        links.sort(key=lambda lk: (-lk.jaccard, lk.duplicate_of))
        items.append((a.id, sig, links))
        bands[a.id] = keys
        batch[a.id] = (sig, sh)
        for bk in enumerate(keys):
            batch_keys.setdefault(bk, []).append(a.id)
    store.put_near_duplicates(items, bands)
    return sum(len(lk) for _, _, lk in items)


# -- same-event stories -----------------------------------------------------------
# An undated article may join any story; it is offered the stories most recently updated, this many.
RECENT_STORIES = 200


# A batch also loads the stories of the days its articles name outside its window (a trial report names the
# day of the sinking, months back): this many ranges at most, the days named by most articles.
REF_RANGES = 20
REF_DAY_SPAN = 7  # a referred span this short or shorter names days (a month named alone is not asked for)


def _referred_ranges(feats: list[Any], since: str | None, until: str | None) -> list[tuple[str, str]]:
    """The date ranges (ISO, ``REF_SLACK`` around each, overlapping ones merged) of the day-level dates the
    batch's dated articles refer to outside [*since*, *until*]."""
    from .cluster import REF_SLACK

    slack = timedelta(days=REF_SLACK)
    named: Counter[tuple[date, date]] = Counter(
        (a - slack, b + slack) for f in feats if f.day for a, b in f.referred if (b - a).days < REF_DAY_SPAN)
    inside = (date.fromisoformat(since), date.fromisoformat(until)) if since and until else None
    spans = sorted(r for r, _ in _by_count(Counter({r: c for r, c in named.items()
                                                    if inside is None or r[1] < inside[0] or r[0] > inside[1]}))[:REF_RANGES])
    merged: list[list[date]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(str(a), str(b)) for a, b in merged]


def _json(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


def _by_count(counts: Counter[Any]) -> list[tuple[Any, int]]:
    """*counts* most frequent first, then by key: the order they were added in follows set iteration, which
    differs from one process to the next (string hashing), and the stored state should not."""
    return sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))


def _state(s: Any) -> str:
    """The story's stored state: ``{"terms", "actors", "events", "refs", "leads", "years", "recent"}`` as JSON, and when
    they are kept ``"feats"``: what each recent member is scored by besides its terms (id, date, actors, events,
    referred dates, lead person, lead years and counts), so a small story can be placed again (``cluster.replacement``) and a story split in two
    (``cluster.splitter``), with ``"older"``, the dated span of the members no longer recent. Each referred span
    ``"refs"`` is stored with how many members refer to it, so a split can take off those of the members that
    leave (a state stored before without counts is read with the story's size, an upper bound). A recent member's
    terms never change, so each is encoded once and kept on the story (``Story.encoded``) for its later writes."""
    enc = s.encoded
    if enc is None or len(enc) != len(s.recent):
        enc = s.encoded = [None] * len(s.recent)
    for i, t in enumerate(s.recent):
        if enc[i] is None:
            enc[i] = _json(t)
    d = {"terms": s.terms, "actors": dict(_by_count(s.actors)), "events": [[*e, c] for e, c in _by_count(s.events)],
         "refs": [[str(a), str(b), n] for (a, b), n in sorted(s.refs.items())], "leads": dict(_by_count(s.leads)),
         "years": [[y, n] for y, n in sorted(s.years.items())]}
    if s.older is not None:
        d["older"] = [str(s.older[0]), str(s.older[1])]
    head = _json(d)[:-1]
    if s.feats is not None:  # a member's features never change either: each encoded once, kept by id
        done = s.encoded_feats or {}
        s.encoded_feats = {f.id: done.get(f.id) or _json(
            {"id": f.id, "day": f.day and str(f.day), "actors": sorted(f.actors), "events": sorted(f.events),
             "refs": [[str(a), str(b)] for a, b in f.referred], "lead": f.lead,
             "years": sorted(f.years), "counts": sorted(f.counts)}) for f in s.feats}  # fmt: skip
        head += ',"feats":[' + ",".join(s.encoded_feats[f.id] for f in s.feats) + "]"
    return head + ',"recent":[' + ",".join(enc) + "]}"


def _story(row: dict[str, Any]) -> Any:
    from .cluster import Story

    d = json.loads(row["state"])
    recent = [Counter(t) for t in d["recent"]]
    feats = d.get("feats")  # none stored before small stories were placed again, nor for a larger one before splits
    older = d.get("older")
    return Story(
        row["id"], row["size"], Counter(d["terms"]), Counter(d["actors"]),
        Counter({(e[0], e[1], e[2]): e[3] for e in d["events"]}),
        parse_published(row["first_seen"]), parse_published(row["last_seen"]),
        recent=recent,
        refs=Counter({(date.fromisoformat(r[0]), date.fromisoformat(r[1])): r[2] if len(r) > 2 else row["size"]
                      for r in d.get("refs", ())}),  # none stored before; no count before splits: at most every member
        leads=Counter(d.get("leads", {})),  # none stored before the persons reports are about were kept
        years=Counter({y: n for y, n in d.get("years", ())}),  # none stored before the lead years were kept
        grown=row.get("grown_at") or 0,
        feats=[_member(m) for m in feats] if feats is not None and len(feats) == len(recent) else None,
        older=(date.fromisoformat(older[0]), date.fromisoformat(older[1])) if older else None,
    )  # fmt: skip


def _member(m: dict[str, Any]) -> Any:
    """A member of a small story back from its stored ``feats`` entry (as ``cluster._slim`` keeps it)."""
    from .features import ArticleFeatures

    return ArticleFeatures(
        m["id"], actors=set(m["actors"]), events={(e[0], e[1], e[2]) for e in m["events"]},
        day=date.fromisoformat(m["day"]) if m["day"] else None,
        referred=tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in m["refs"]), lead=m.get("lead"),
        years=frozenset(m.get("years", ())), counts=frozenset((c[0], c[1]) for c in m.get("counts", ())),
    )  # fmt: skip


class _Open:
    """What one open store's stories stage keeps between batches: the stories that could be joined (those of
    the last batch's window, indexed by key, weighed) and the document frequencies of every term it has
    read or written. Both are checked against the store at each batch — a story whose size changed, or a
    count of clustered articles that is not the one this process left, means another process wrote, and
    what is stale is read again — so the store stays the truth and a new process simply starts empty."""

    def __init__(self) -> None:
        self.reset(0)

    def reset(self, n: int) -> None:
        from .cluster import DocFreq, StoryIndex

        self.index = StoryIndex()
        self.df = DocFreq(n)

    def sync(self, store: Any, heads: dict[int, int], n: int) -> list[Any]:
        """Keep the stories of *heads* (id: size) only, reading those missing or changed; returns the read ones.
        *n*: the store's count of clustered articles."""
        if n != self.df.n:  # another writer (or a first batch): nothing kept can be trusted
            self.reset(n)
        for sid in [sid for sid in self.index.stories if sid not in heads]:
            self.index.drop(sid)
        stale = [sid for sid, size in heads.items() if (s := self.index.stories.get(sid)) is None or s.size != size]
        return [_story(r) for r in store.story_rows(stale)] if stale else []

    def undated(self, heads: dict[int, int]) -> dict[int, int]:
        """The undated stories held (id: size) not among *heads*, the ``RECENT_STORIES`` latest grown: an undated
        story has no date window, so a dated article may join it (no batch of dated articles loads one, and an
        undated batch loads only the most recently updated). Their sizes are checked against the store by the
        count of clustered articles in ``sync``: a story another process changed is read again after a reset."""
        held = [s for sid, s in self.index.stories.items() if s.first is None and sid not in heads]
        held.sort(key=lambda s: (s.grown, s.id), reverse=True)
        return {s.id: s.size for s in held[:RECENT_STORIES]}

    def learn(self, store: Any, terms: set[str]) -> None:
        """Read the document frequencies of the *terms* not known yet (a term no article has: 0)."""
        todo = {t for t in terms if t not in self.df.df}
        if todo:
            _, known = store.story_df(todo)
            self.df.learn({t: known.get(t, 0) for t in todo})


_OPEN: "weakref.WeakKeyDictionary[Any, _Open]" = weakref.WeakKeyDictionary()


@dataclass(slots=True)
class Placed:
    """What a batch's placement did: how many articles were placed, the articles whose story changed besides
    those placed (whose threads change too: those moved with their small story into another, those split off
    into a new story and the latest article each story split keeps), the stories merged (taken in, kept;
    ``cluster.merger``), each kept one holding an article of the batch, and the stories split (split, new;
    ``cluster.splitter``)."""

    placed: int = 0
    moved: list[str] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    split: list[tuple[int, int]] = field(default_factory=list)


def assign_stories(store: Any, ids: list[str], analyses: list[Any]) -> int:
    """``place_stories``; returns how many articles were placed."""
    return place_stories(store, ids, analyses).placed


def place_stories(store: Any, ids: list[str], analyses: list[Any]) -> Placed:
    """Place each stored article of *ids* (with its extraction *analyses*, in the same order) in a same-event
    story: the best open story in its date window, or a new one. The stories that can be joined (dated
    ones whose span is near the batch's dates, and the most recently updated) are kept in memory between
    batches, checked against the store; each article is scored only against those sharing one of its key
    terms (``cluster.StoryIndex``). A story that takes an article may merge with another of the same days
    (``cluster.merger``) and, at a size step, split in two (``cluster.splitter``), as in ``Clusterer.add``.
    Then the small stories that have gone ``cluster.SETTLE`` clustered articles without growing by the end of
    this batch (counted in the store, ``grown_at``) are placed again as a whole into the story their members
    now fit best (``cluster.replacement``), as ``Clusterer`` does after each article. The assignments, the
    changed story states, the splits, the moves and the document frequencies are written in one transaction.
    An article already in a story stays there (unless its story moves or splits)."""
    if not ids or not hasattr(store, "put_stories"):
        return Placed()
    from .cluster import (SETTLE, SMALL, WINDOW_DAYS, Story, apply_move, assign, crossed, keys_of, merger, replacement,
                          splitter, terms_of, vector)

    by_id = dict(zip(ids, analyses))
    feats = [
        build(r["id"], r["title"], r["body"] or "", getattr(by_id[r["id"]], "mentions", []),
              getattr(by_id[r["id"]], "events", []), r["published"], r["outlet"])
        for r in store.story_inputs(list(by_id))
    ]  # fmt: skip
    if not feats:
        return Placed()
    days = [f.day for f in feats if f.day]
    window = timedelta(days=WINDOW_DAYS)
    since, until = (str(min(days) - window), str(max(days) + window)) if days else (None, None)
    n = store.story_count()
    settled = store.settled_stories(n - SETTLE, n + len(feats) - SETTLE, SMALL)
    recent = RECENT_STORIES if len(days) < len(feats) else 0
    mem = _OPEN.setdefault(store, _Open())
    heads = store.story_heads(since, until, recent)
    if not recent:  # a dated batch: the undated stories held from earlier batches stay open to it, as in ``Clusterer``
        heads.update(mem.undated(heads))
    for lo, hi in _referred_ranges(feats, since, until):  # the stories of the days the batch names
        heads.update(store.story_heads(lo, hi))
    if settled:  # the small stories to place again, and where they may go: the stories grown since they last grew
        heads.update((r["id"], r["size"]) for r in settled)
        heads.update(store.grown_stories(settled[0]["grown_at"]))
    loaded = mem.sync(store, heads, n)
    mem.learn(store, {t[2:] for s in loaded for rt in s.recent for t in rt} | {w for f in feats for w in f.words})
    df, index = mem.df, mem.index
    added: Counter[str] = Counter()
    for f in feats:  # the batch's document frequencies are fixed before any of it is placed
        df.add(f)
        added.update(f.words.keys())
    for s in loaded:
        index.put(s, df)
    titles: dict[int, str | None] = {}  # of new stories: their first article's
    changed: dict[int, Story] = {}
    joins: list[tuple[int, str, float | None]] = []
    moves: list[tuple[int, int, list[tuple[str, float | None]]]] = []
    splits: list[tuple[int, int, list[str]]] = []
    made = 0  # new stories take ids -1, -2, ... until stored
    out = Placed()
    for f in feats:
        terms = terms_of(f)
        vec = vector(f, df, terms)
        keys = keys_of(vec)
        cands = index.candidates(keys)
        story, sc = assign(f, cands, df, vec=vec)
        if story is None:
            made += 1
            story = Story(-made, cols=[], space=df)
            titles[story.id] = f.title
            sim = None
        else:
            sim = round(sc, 4)
        before = story.size
        story.add(f, vec, terms)
        story.grown = df.n
        index.joined(story, keys)
        changed[story.id] = story
        joins.append((story.id, f.id, sim))
        if (other := merger(story, cands, df)) is not None:  # as ``Clusterer.add`` does
            kept, src = index.absorb(story, other, df)
            changed[kept.id] = kept
            changed.pop(src.id, None)
            out.merged.append((src.id, kept.id))
            if src.id < 0:  # made in this batch: what was to go into it goes into the kept story
                joins = [(kept.id if sid == src.id else sid, aid, x) for sid, aid, x in joins]
                moves = [(a, kept.id if b == src.id else b, x) for a, b, x in moves]
                splits = [(a, kept.id if b == src.id else b, x) for a, b, x in splits]
            else:  # stored: moved whole, as a small story placed again is
                moves.append((src.id, kept.id, []))
            story = kept
        if crossed(before, story.size) and (part := splitter(story, df)) is not None:  # as ``Clusterer.add`` does
            made += 1
            new = index.split(story, part, -made, df)
            changed[new.id] = new
            titles[new.id] = None  # the store gives it its first article's title
            splits.append((story.id, new.id, list(new.members)))
            out.split.append((story.id, new.id))
            out.moved.extend([*new.members, story.feats[-1].id])  # type: ignore[index]  # and one it keeps
    out.placed, took = len(joins), set(changed)
    for r in settled:
        s = index.stories.get(r["id"])
        if s is None or s.id in took or s.feats is None:
            continue  # moved away, grown in this batch, or stored before features were kept
        if (m := replacement(s, index, df)) is not None:
            apply_move(m, index)
            changed[m.target.id] = m.target
            moves.append((s.id, m.target.id, [(f.id, sc if sc is None else round(sc, 4)) for f, sc in zip(s.feats, m.scores)]))
            out.moved.extend(f.id for f in s.feats)
    try:
        new_ids = store.put_stories(
            [{"id": s.id, "title": titles.get(s.id), "first_seen": s.first and str(s.first), "last_seen": s.last and str(s.last),
              "size": s.size, "state": _state(s), "grown": s.grown} for s in changed.values()],
            joins, dict(added), moves, splits,
        )  # fmt: skip
    except BaseException:
        _OPEN.pop(store, None)  # what was kept ran ahead of the store
        raise
    for old, new in new_ids.items():
        index.rename(old, new)
    # A story made and taken in within the batch was never stored: it keeps its negative id.
    out.merged = [(new_ids.get(a, a), new_ids.get(b, b)) for a, b in out.merged]
    out.split = [(new_ids.get(a, a), new_ids.get(b, b)) for a, b in out.split]
    return out
