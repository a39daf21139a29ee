"""Online same-event clustering: a new article joins the best story open in its time window, or starts one.

``assign`` is a pure function over records: the article's ``ArticleFeatures``,
the candidate ``Story`` states and the document frequencies seen so far; it
returns the story to join (or None) and the score. ``Clusterer`` keeps those
states in memory and updates them as articles arrive, so nothing is ever
recomputed over the corpus.

The score adds up what tells one event from another of the same kind:

* text — cosine of TF-IDF vectors (sublinear term frequency, document
  frequencies counted as articles arrive), where names (capitalised words
  inside sentences: people, places, organisations) weigh ``NAME_WEIGHT``
  times a common word, because two earthquakes share every word but the
  place;
* actors — the share of the article's actors (mention ids) the story already has, where a country counts
  ``COUNTRY_WEIGHT`` of a person or organisation (every story of a region names the same few countries)
  and an outlet (one naming itself or another as a source) not at all;
* events — the share of its coded events (type and the two sides) the story already has;
* dates — with a date on both sides, an article further than ``WINDOW_DAYS``
  from the story's span cannot join it unless one refers to the other's date
  (``_window``), one inside it gets a small bonus; with a date missing on one
  side, an article whose lead writes years the story's members never write in
  theirs (nor are dated in) loses ``YEAR_CONFLICT`` (``_year_term``): two events
  of one kind years apart, told in the same words.

Speed. The mean cosine to a story's recent members is the dot product of the
article's vector with the sum of theirs, so a story keeps its members' term
columns end to end in one array and their weighted values in another (numpy):
one gather and one dot product a story, not one cosine a member. The term
weights are one array over every term met (``DocFreq``), made again when the
counts change, and a story's values are weighted again when the weights have
moved since it was last weighted — at every article in ``Clusterer``, once a
batch at ingest — so the scores are exact, never from stale counts. And an
article is scored only against the stories of a ``StoryIndex`` that share one
of its ``KEYS`` heaviest terms with the heaviest terms of one of their
members: the same event shares its rare names and words, and a story that
shares none of them cannot reach the threshold.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from itertools import chain, repeat
from operator import itemgetter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .features import ArticleFeatures

NAME_WEIGHT = 2.0
ACTOR_WEIGHT = 0.15
COUNTRY_WEIGHT = 0.3  # a country counts this much of a person or organisation in the actor share
EVENT_WEIGHT = 0.05
DATE_BONUS = 0.05
CORE_WEIGHT = 0.3
LEAD_AGREE = 0.05  # added when the person an article is about (``features.lead_person``) is a member's too ...
LEAD_CONFLICT = 0.1  # ... taken off when not and the article names none of the persons the members are about
YEAR_CONFLICT = 0.2  # taken off when the years of the article's lead and of the members' leads are apart (``_year_term``)
CORE_PIVOT = 0.5
WINDOW_DAYS = 30
THRESHOLD = 0.25  # the score an article needs to join a story
MAX_TERMS = 400
MAX_RECENT = 12  # average linkage is over a story's latest members, this many
LINKAGE = "average"  # "average": mean cosine to the story's recent members; "centroid": cosine to its summed terms
KEYS = 20  # an article's heaviest terms that index its story and look up its candidates
MAX_CANDIDATES = 20  # stories scored for one article, those sharing most keys first
REF_TEXT = 0.28  # the text similarity an article needs to join a story beyond the window
REF_SLACK = 7  # days a referred date may miss a story's span by (a dateline is the day of writing, not of the event)
MAX_REFS = 64  # referred date spans a story keeps, those nearest its own span (``_nearest_refs``)
SMALL = 3  # a story of at most this many members that has not grown ...
SETTLE = 100  # ... while this many more articles were clustered is placed again as a whole (``replacement``)
MOVE_FLOOR = THRESHOLD / 2  # the score each member of a small story placed again needs against its new story
MERGE_DAYS = 1  # a story that grows merges with one whose dated span comes within this many days of its own ...
MERGE_TEXT = 0.15  # ... when their members are this alike across (mean cosine, ``merger``) ...
MERGE_COHESION = 0.4  # ... and at least this share of as alike as the members of either are among themselves ...
MERGE_SINGLE = 0.2  # ... or this alike when both are single articles
MERGE_TYPICAL = 3  # ... and that share of the median cohesion of the stories around, when this many have one
SPLIT_FROM = 4  # a story is checked for two events (``splitter``) when it grows to this size and each multiple of it ...
SPLIT_RATIO = 0.5  # ... and split when its two parts' members are less alike across than this share of either's own ...
SPLIT_PART = 2  # ... both parts having at least this many members
COUNT_SPLIT_RATIO = 0.8  # ... or, when its members count one thing two ways (``_counted_cut``), this share


@dataclass(slots=True)
class Story:
    """The running state of one story (``terms``, ``actors``, ``events`` and ``recent`` are what is stored;
    the fields after them are derived, kept in memory only)."""

    id: int
    size: int = 0
    terms: Counter[str] = field(default_factory=Counter)  # summed sublinear tf of words ("w:") and names ("n:"), strongest MAX_TERMS
    actors: Counter[str] = field(default_factory=Counter)
    events: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    first: date | None = None
    last: date | None = None
    members: list[str] = field(default_factory=list)
    recent: list[Counter[str]] = field(default_factory=list)  # terms of the last MAX_RECENT members (average linkage)
    cols: list[tuple[np.ndarray, np.ndarray]] | None = None  # the recent members' (columns, tf) in ``space`` (None: to make)
    space: DocFreq | None = None
    ids: np.ndarray | None = None  # the recent members' columns, end to end (None: to make from ``cols``)
    tf: np.ndarray | None = None
    starts: np.ndarray | None = None  # where each non-empty member begins in ``ids``
    vals: np.ndarray | None = None  # ``tf`` weighted and normed member by member, under ``space`` at ``version``
    version: int = -1
    core: frozenset[str] | None = None  # names in at least half the recent members (None: to compute)
    named: list[list[str]] | None = None  # each recent member's names, for ``core`` (None: to make from ``recent``)
    keys: set[int] = field(default_factory=set)  # the columns it is indexed under (StoryIndex)
    encoded: list[str | None] | None = None  # each recent member's terms as stored (JSON), once made (service)
    refs: Counter[tuple[date, date]] = field(default_factory=Counter)  # the date spans its members' texts refer to, each by how many
    leads: Counter[str] = field(default_factory=Counter)  # the persons its members are about (``features.lead_person``)
    years: Counter[int] = field(default_factory=Counter)  # the years its members' leads write or are dated in, each by how many
    grown: int = 0  # the count of clustered articles when it last took a new article
    feats: list[ArticleFeatures] | None = field(default_factory=list)  # the recent members' features (``_slim``; None: not kept)
    older: tuple[date, date] | None = None  # the dated span of its members no longer recent (``feats`` kept)
    encoded_feats: dict[str, str] | None = None  # each kept member's features as stored (JSON) by id, once made (service)
    cohesion: tuple[float | None] | None = None  # ``_own_cohesion`` (None: to work out), current as ``vals`` is

    def add(self, f: ArticleFeatures, vec: ArticleVector | None = None, terms: Counter[str] | None = None) -> None:
        """Add article *f* (with its ``terms_of`` and its ``vector``, if already made)."""
        self.size += 1
        self.members.append(f.id)
        self.cohesion = None
        t = terms if terms is not None else terms_of(f)
        self._take_terms(t)
        self.recent.append(t)
        new = dropped = None
        if vec is not None and self.cols is not None and self.space is vec.space:
            new = (vec.ids, vec.tf)
            self.cols.append(new)
        else:
            self.cols = None
        if self.encoded is not None:
            self.encoded.append(None)
        if self.named is not None:
            self.named.append([k[2:] for k in t if k[0] == "n"])
        if self.feats is not None:
            self.feats.append(_slim(f))
        if len(self.recent) > MAX_RECENT:
            del self.recent[0]
            if self.feats is not None:
                self.older = _widen(self.older, self.feats.pop(0).day)
            if self.cols is not None:
                dropped = self.cols.pop(0)
            if self.encoded is not None:
                del self.encoded[0]
            if self.named is not None:
                del self.named[0]
        if new is None or self.ids is None or self.vals is None or self.version != vec.space.version:  # type: ignore[union-attr]
            self.ids = self.vals = None  # made again when next weighed
        else:
            self._shift(new, dropped, vec.space)  # type: ignore[union-attr]
        self.core = None
        self.actors.update(f.actors)
        self.events.update(f.events)
        if f.day:
            self.first = min(self.first or f.day, f.day)
            self.last = max(self.last or f.day, f.day)
        self.refs.update(f.referred)
        if f.lead:
            self.leads[f.lead] += 1
        self.years.update(f.years)
        if len(self.refs) > MAX_REFS:
            self.refs = _nearest_refs(self.refs, self.first, self.last)

    def _take_terms(self, t: Mapping[str, float]) -> None:
        """Add *t* to the summed terms, keeping the ``MAX_TERMS`` strongest once they pass twice that."""
        get = self.terms.get  # as Counter.update sums, in one comprehension rather than its loop of item assignments
        dict.update(self.terms, {k: get(k, 0.0) + v for k, v in t.items()})
        if len(self.terms) > 2 * MAX_TERMS:
            self.terms = Counter(dict(self.terms.most_common(MAX_TERMS)))

    def merge(self, other: Story) -> None:
        """Take in story *other* whole (``merger``): its size, members, summed terms, actors, events, dates and
        persons; the recent members are this story's then the other's, the latest ``MAX_RECENT`` kept."""
        self.size += other.size
        self.members.extend(other.members)
        self.cohesion = None
        self._take_terms(other.terms)
        self.recent = (self.recent + other.recent)[-MAX_RECENT:]
        self.cols = self.ids = self.vals = self.encoded = self.named = self.core = None  # made again when next used
        self.actors.update(other.actors)
        self.events.update(other.events)
        if other.first is not None and other.last is not None:
            self.first = min(self.first or other.first, other.first)
            self.last = max(self.last or other.last, other.last)
        self.refs.update(other.refs)
        if len(self.refs) > MAX_REFS:
            self.refs = _nearest_refs(self.refs, self.first, self.last)
        self.leads.update(other.leads)
        self.years.update(other.years)
        if self.feats is not None and other.feats is not None:
            held = self.feats + other.feats
            older = _widen(self.older, *(other.older or ()))
            for g in held[:-MAX_RECENT]:
                older = _widen(older, g.day)
            self.feats, self.older = held[-MAX_RECENT:], older
        else:
            self.feats = self.older = None

    def _shift(self, new: tuple[np.ndarray, np.ndarray], dropped: tuple[np.ndarray, np.ndarray] | None, df: DocFreq) -> None:
        """The weighed arrays, current under *df*, with member *new* appended and the oldest member (*dropped*)
        taken off: the same arrays, to the bit, as ``weigh`` would make from all members again (a member's norm
        is summed over its own values either way), without weighing the members kept."""
        assert self.ids is not None and self.tf is not None and self.vals is not None and self.starts is not None
        ids, tf, vals, starts = self.ids, self.tf, self.vals, self.starts
        if dropped is not None and (k := len(dropped[0])):
            ids, tf, vals, starts = ids[k:], tf[k:], vals[k:], starts[1:] - k
        if len(new[0]):
            v = new[1] * df.weights()[new[0]]
            norm = np.sqrt(np.add.reduceat(v * v, _FIRST))
            norm[norm == 0.0] = 1.0
            v /= norm
            starts = np.append(starts, len(ids))
            ids, tf, vals = np.concatenate([ids, new[0]]), np.concatenate([tf, new[1]]), np.concatenate([vals, v])
        self.ids, self.tf, self.vals, self.starts = ids, tf, vals, starts

    def weigh(self, df: DocFreq) -> tuple[np.ndarray, np.ndarray]:
        """The recent members' unit vectors under *df*'s current counts, end to end: (columns, values). Their
        dot product with an article's vector is the sum of its cosines to the members."""
        if self.cols is None or self.space is not df:
            self.cols = [df.columns(t) for t in self.recent]
            self.space, self.ids = df, None
        if self.ids is None:
            parts = [c for c in self.cols if len(c[0])]
            if parts:
                self.ids = np.concatenate([c[0] for c in parts])
                self.tf = np.concatenate([c[1] for c in parts])
                self.starts = np.cumsum([0] + [len(c[0]) for c in parts[:-1]])
            else:
                self.ids, self.tf, self.starts = _NO_COLS, _NO_VALS, _NO_COLS
            self.version = -1
        if self.version != df.version:
            self.cohesion = None
            v = self.tf * df.weights()[self.ids]
            if len(v):
                norms = np.sqrt(np.add.reduceat(v * v, self.starts))
                norms[norms == 0.0] = 1.0
                v /= np.repeat(norms, np.diff(np.append(self.starts, len(v))))
            self.vals, self.version = v, df.version
        assert self.ids is not None and self.vals is not None
        return self.ids, self.vals

    def member_keys(self, df: DocFreq) -> set[int]:
        """The ``KEYS`` heaviest columns of each recent member, under *df*."""
        ids, vals = self.weigh(df)
        assert self.starts is not None
        out: set[int] = set()
        for a, b in zip(self.starts, np.append(self.starts[1:], len(ids))):
            out.update(_top(ids[a:b], vals[a:b]))
        return out


def _slim(f: ArticleFeatures) -> ArticleFeatures:
    """What a story keeps of a recent member besides its terms (``recent``), to place a small story again or
    split a story in two: its actors, events, dates, years and counts; its words and names are in its terms (``_member``)."""
    return ArticleFeatures(f.id, actors=f.actors, events=f.events, day=f.day, referred=f.referred, lead=f.lead,
                           years=f.years, counts=f.counts)


def _member(f: ArticleFeatures, terms: Counter[str]) -> ArticleFeatures:
    """A small story's member (``_slim``) with its names back from its *terms* (sublinear counts made whole),
    as it is scored when placed again; no words (only the document frequencies count them)."""
    names = Counter({t[2:]: round(math.exp(tf - 1.0)) for t, tf in terms.items() if t[0] == "n"})
    return ArticleFeatures(f.id, Counter(), names, f.actors, events=f.events, day=f.day, referred=f.referred,
                           lead=f.lead, years=f.years, counts=f.counts)


def _widen(span: tuple[date, date] | None, *days: date | None) -> tuple[date, date] | None:
    """*span* (first, last) widened to take in *days* (None: no date)."""
    for d in days:
        if d is not None:
            span = (d, d) if span is None else (min(span[0], d), max(span[1], d))
    return span


_NO_COLS = np.zeros(0, dtype=np.int64)
_FIRST = np.zeros(1, dtype=np.int64)  # reduceat over one whole array
_NO_VALS = np.zeros(0, dtype=np.float64)


class DocFreq:
    """Document frequencies of terms over the articles seen so far, and the term weights under them.

    Each term ("w:" word or "n:" name) met is given a column; the weights of all columns (IDF, names
    times ``NAME_WEIGHT``) are one array, made again when the counts change. A word's count is kept once in
    an array (by the word's number), and each column points at its word's: a batch's counts are brought up
    to date with one scatter, then every column's read with one gather."""

    __slots__ = ("n", "df", "cols", "version", "_wid", "_wdf", "_colw", "_fac", "_w", "_weighted", "_scratch", "_pending")

    def __init__(self, n: int = 0, df: Counter[str] | None = None) -> None:
        self.n = n
        self.df: Counter[str] = df if df is not None else Counter()
        self.cols: dict[str, int] = {}
        self.version = 0  # moves whenever a weight may have changed
        self._wid: dict[str, int] = {}  # the number of each word with a column (0 is no word's)
        self._wdf = np.zeros(1024)  # each numbered word's document frequency
        self._colw = np.zeros(1024, dtype=np.int64)  # each column's word number
        self._fac = np.zeros(1024)
        self._w = np.zeros(0)
        self._weighted = 0  # columns the weights array is good for (0: none)
        self._scratch = np.zeros(1024)  # kept all zero between uses
        self._pending: list[Iterable[str]] = []  # words whose counts moved since the arrays' were last brought up to date

    def add(self, f: ArticleFeatures) -> None:
        self.n += 1
        self.df.update(f.words.keys())
        self._moved(f.words.keys())

    def learn(self, counts: dict[str, int]) -> None:
        """Take the document frequencies of more terms (read from a store)."""
        self.df.update(counts)
        self._moved(counts.keys())

    def _moved(self, words: Iterable[str]) -> None:
        """The counts of *words* changed: their numbered counts are brought up to date when the weights are
        next made (once for a whole batch of articles, where the same words come back again and again)."""
        self._pending.append(words)
        if len(self._pending) > 1000:  # a user that never asks for weights (threads) keeps no long list
            self._settle()
        self.version += 1
        self._weighted = 0

    def _settle(self) -> None:
        words = set().union(*self._pending)
        self._pending.clear()
        # A word without a column is number 0, whose cell no column reads.
        at = np.fromiter(map(self._wid.get, words, repeat(0)), dtype=np.int64, count=len(words))
        self._wdf[at] = np.fromiter(map(self.df.__getitem__, words), dtype=np.float64, count=len(words))

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term[2:], 0) + 1)) + 1.0

    def columns(self, terms: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """The columns of *terms* (new ones made) and their counts, as two arrays in the terms' order."""
        get = self.cols.get
        ids = [get(t, -1) for t in terms]
        if -1 in ids:
            ids = [i if i >= 0 else self._column(t) for t, i in zip(terms, ids)]
        return np.array(ids, dtype=np.int64), np.fromiter(terms.values(), dtype=np.float64, count=len(terms))

    def _column(self, term: str) -> int:
        i = len(self.cols)
        self.cols[term] = i
        if i >= len(self._colw):
            self._colw = np.concatenate([self._colw, np.zeros(len(self._colw), dtype=np.int64)])
            self._fac = np.concatenate([self._fac, np.zeros(len(self._fac))])
        word = term[2:]
        if (w := self._wid.get(word)) is None:
            w = self._wid[word] = len(self._wid) + 1
            if w >= len(self._wdf):
                self._wdf = np.concatenate([self._wdf, np.zeros(len(self._wdf))])
            self._wdf[w] = self.df.get(word, 0)
        self._colw[i] = w
        self._fac[i] = NAME_WEIGHT if term[0] == "n" else 1.0
        return i

    def weights(self) -> np.ndarray:
        """Every column's weight under the current counts: all made again once the counts changed (each idf
        depends on the article count), only the new columns otherwise."""
        if self._pending:
            self._settle()
        k, n = self._weighted, len(self.cols)
        if k < n:
            dfa = self._wdf[self._colw[k:n]]
            w = (np.log((self.n + 1) / (dfa + 1.0)) + 1.0) * self._fac[k:n]
            self._w = w if k == 0 else np.concatenate([self._w[:k], w])
            self._weighted = n
        return self._w

    def scratch(self) -> np.ndarray:
        """An all-zero array with a cell per column, to be left all zero again by its user."""
        if len(self._scratch) < len(self.cols):
            self._scratch = np.zeros(2 * len(self.cols))
        return self._scratch


_SUBLINEAR = [0.0] + [1.0 + math.log(c) for c in range(1, 64)]


def _tf(c: int) -> float:
    return _SUBLINEAR[c] if c < 64 else 1.0 + math.log(c)


def terms_of(f: ArticleFeatures) -> Counter[str]:
    """The article's terms ("w:" words, "n:" names) with their sublinear term frequencies (``_tf``, written out:
    this runs for every term of every article)."""
    sub = _SUBLINEAR
    out: Counter[str] = Counter({"w:" + w: sub[c] if c < 64 else 1.0 + math.log(c) for w, c in f.words.items()})
    dict.update(out, {"n:" + w: sub[c] if c < 64 else 1.0 + math.log(c) for w, c in f.names.items()})  # no key is in both
    return out


@dataclass(slots=True)
class ArticleVector:
    """An article's unit TF-IDF vector: its columns in *space*, their counts and their weighted values."""

    space: DocFreq
    ids: np.ndarray
    tf: np.ndarray
    vals: np.ndarray

    def spread(self) -> np.ndarray:
        """The vector written into the space's scratch array (``clear`` must follow)."""
        dense = self.space.scratch()
        dense[self.ids] = self.vals
        return dense

    def clear(self, dense: np.ndarray) -> None:
        dense[self.ids] = 0.0


def _top(ids: np.ndarray, vals: np.ndarray) -> list[int]:
    """The ``KEYS`` columns of heaviest value, the first met first among equals."""
    return ids[np.argsort(-vals, kind="stable")[:KEYS]].tolist()  # type: ignore[no-any-return]


def keys_of(vec: ArticleVector) -> list[int]:
    """The ``KEYS`` heaviest columns of an article's vector."""
    return _top(vec.ids, vec.vals)


def _gap(day: date | None, s: Story) -> int | None:
    """Days from *day* to the story's span (0 inside it); None when either has no date."""
    if day is None or s.first is None or s.last is None:
        return None
    if day < s.first:
        return (s.first - day).days
    return max(0, (day - s.last).days)


def _nearest_refs(refs: Counter[tuple[date, date]], first: date | None, last: date | None) -> Counter[tuple[date, date]]:
    """The ``MAX_REFS`` of a story's referred spans nearest its own span *first*..*last* (ties: the earlier), with
    their counts, so the event's day stays and dates far in the future or past go first."""
    if first is None or last is None:
        return Counter({r: refs[r] for r in sorted(refs)[:MAX_REFS]})
    lo, hi = first.toordinal(), last.toordinal()
    near = sorted(refs, key=lambda r: (max(0, lo - r[1].toordinal(), r[0].toordinal() - hi), r))[:MAX_REFS]
    return Counter({r: refs[r] for r in near})


def _refs_of(feats: list[ArticleFeatures]) -> Counter[tuple[date, date]]:
    """The referred spans a story of these members (in this order) holds, as ``Story.add`` keeps them."""
    refs: Counter[tuple[date, date]] = Counter()
    span = None
    for g in feats:
        span = _widen(span, g.day)
        refs.update(g.referred)
        if len(refs) > MAX_REFS:
            refs = _nearest_refs(refs, *(span or (None, None)))
    return refs


def _refers(f: ArticleFeatures, s: Story) -> bool:
    """Whether the article refers to a date in the story's span, or a member to the article's date: a
    report written weeks or months later (the trial, the fallout) names the day of the event."""
    if f.day is None or s.first is None or s.last is None:
        return False
    lo, hi = s.first.toordinal() - REF_SLACK, s.last.toordinal() + REF_SLACK
    if any(a.toordinal() <= hi and b.toordinal() >= lo for a, b in f.referred):
        return True
    d = f.day.toordinal()
    return any(a.toordinal() - REF_SLACK <= d <= b.toordinal() + REF_SLACK for a, b in s.refs)


def _window(f: ArticleFeatures, s: Story) -> tuple[int | None, bool] | None:
    """None when the dates rule the story out, else (the gap for the date bonus, whether the article is
    beyond the window): an article further than ``WINDOW_DAYS`` from the story's span may still join it if
    one refers to the other's date, with no date bonus and a text similarity of at least ``REF_TEXT``."""
    gap = _gap(f.day, s)
    if gap is None or gap <= WINDOW_DAYS:
        return gap, False
    return (None, True) if _refers(f, s) else None


def _short_of_refs(far: bool, text: float) -> bool:
    """Whether an article beyond the window (*far*) falls short of the text similarity it needs there."""
    return far and text < REF_TEXT


def _core(s: Story) -> frozenset[str]:
    if s.core is None:
        if s.named is None or len(s.named) != len(s.recent):
            s.named = [[k[2:] for k in t if k[0] == "n"] for t in s.recent]
        counts = Counter(chain.from_iterable(s.named))
        s.core = frozenset(k for k, c in counts.items() if c * 2 >= len(s.recent))
    return s.core


def _core_overlap(f: ArticleFeatures, s: Story) -> float:
    """How far the story's core names (in at least half its recent members) and the article's repeated names
    are found on the other side: two events of one kind share their words but not their people and places."""
    core = _core(s)
    mine = f.repeated_names()
    parts = []
    if core:
        parts.append(len(core & f.names.keys()) / len(core))
    if mine:
        parts.append(len(s.terms.keys() & f.repeated_name_terms()) / len(mine))  # the terms are distinct
    return sum(parts) / len(parts) if parts else CORE_PIVOT


def _text(dense: np.ndarray, s: Story, df: DocFreq) -> float:
    """The text similarity of the article spread in *dense* to story *s*."""
    if LINKAGE == "average":  # the mean cosine to the recent members
        ids, vals = s.weigh(df)
        return float(dense[ids] @ vals) / len(s.recent)
    c = _vector(s.terms, df)  # "centroid": the cosine to the story's summed terms
    return float(dense[c.ids] @ c.vals)


def score(f: ArticleFeatures, vec: ArticleVector, s: Story, df: DocFreq, dense: np.ndarray | None = None) -> float | None:
    """How well the article fits story *s*; None when the dates rule it out (``_window``). *dense*: the article's vector
    already spread (``ArticleVector.spread``), as ``assign`` does once for all the stories it scores."""
    if (w := _window(f, s)) is None:
        return None
    gap, far = w
    if dense is None:
        dense = vec.spread()
        try:
            text = _text(dense, s, df)
        finally:
            vec.clear(dense)
    else:
        text = _text(dense, s, df)
    if _short_of_refs(far, text):
        return None
    return text + _beyond_text(f, s, gap)


def _beyond_text(f: ArticleFeatures, s: Story, gap: int | None) -> float:
    """The core-names, actor, event and date terms of the score (``gap``: from ``_gap``, in the window)."""
    a, e, d = _other_terms(f, s, gap)
    return _core_term(f, s) + a + e + d


def _core_term(f: ArticleFeatures, s: Story) -> float:
    return CORE_WEIGHT * (_core_overlap(f, s) - CORE_PIVOT) if CORE_WEIGHT else 0.0


def _lead_term(f: ArticleFeatures, s: Story) -> float:
    """``LEAD_AGREE`` when the person the article is about is one a member is about, minus ``LEAD_CONFLICT`` when
    it is not and the article does not name any of the persons the members are about: two reports of one kind
    of event, in the same words and places, about different people (two hosts named, a boxer's two opponents,
    the coach fired and the coach hired)."""
    if f.lead is None or not s.leads:
        return 0.0
    if f.lead in s.leads:
        return LEAD_AGREE
    return 0.0 if s.leads.keys() & f.actors else -LEAD_CONFLICT


def _year_term(f: ArticleFeatures, s: Story) -> float:
    """Minus ``YEAR_CONFLICT`` when the years the article's lead writes (with its date's, ``features.lead_years``)
    are none of those its story's members write in theirs or are dated in, and either side lacks a date (with
    both, ``_window`` rules): two events of one kind years apart (two parliamentary elections, a rule and its
    reversal), told in the same words, where a report of one has no date. Nothing when either side writes no
    year: absence tells nothing."""
    if not f.years or not s.years or f.day is not None and s.first is not None:
        return 0.0
    return 0.0 if any(y in s.years for y in f.years) else -YEAR_CONFLICT


def _other_terms(f: ArticleFeatures, s: Story, gap: int | None) -> tuple[float, float, float]:
    """The actor (with ``_lead_term`` and ``_year_term``), event and date terms of the score (0.0 where the
    article has no actors, no events or no date gap), each cheap next to the core names."""
    a = e = d = 0.0
    if f.actors and (weighed := f.weighed_actors(COUNTRY_WEIGHT)):
        mine = s.actors
        a = ACTOR_WEIGHT * sum(w for x, w in weighed if x in mine) / f.actor_mass
    if f.events:
        e = EVENT_WEIGHT * sum(1 for ev in f.events if ev in s.events) / len(f.events)
    if gap is not None:
        d = DATE_BONUS * (1.0 - gap / WINDOW_DAYS)
    return a + _lead_term(f, s) + _year_term(f, s), e, d


def _vector(terms: Counter[str], df: DocFreq, cols: tuple[np.ndarray, np.ndarray] | None = None) -> ArticleVector:
    """The unit vector of *terms* under *df* (*cols*: their ``df.columns``, when already made)."""
    ids, tf = cols if cols is not None else df.columns(terms)
    v = tf * df.weights()[ids]
    norm = math.sqrt(float(v @ v)) or 1.0
    return ArticleVector(df, ids, tf, v / norm)


def vector(f: ArticleFeatures, df: DocFreq, terms: Counter[str] | None = None) -> ArticleVector:
    """The article's unit TF-IDF vector (from its ``terms_of``, if already made)."""
    return _vector(terms if terms is not None else terms_of(f), df)


def _reach(f: ArticleFeatures) -> float:
    """The most the core-names, actor and event terms (``_beyond_text`` but the date) can add for article *f*."""
    reach = CORE_WEIGHT * (1.0 - CORE_PIVOT)
    if f.actors and f.weighed_actors(COUNTRY_WEIGHT):
        reach += ACTOR_WEIGHT
    if f.events:
        reach += EVENT_WEIGHT
    if f.lead:
        reach += LEAD_AGREE
    return reach


def assign(f: ArticleFeatures, stories: list[Story], df: DocFreq, threshold: float = THRESHOLD,
           vec: ArticleVector | None = None) -> tuple[Story | None, float]:
    """The story of *stories* that *f* should join and its score (the best there, the first of *stories* among
    equals), or (None, 0.0) when none reaches *threshold*. The text similarities come first, and the other
    terms are worked out in falling order of text only for the stories they could still lift to the threshold
    and past the best so far, the core names last: the same choice as scoring every story in full, for a
    fraction of the work."""
    if vec is None:
        vec = vector(f, df)
    texts = []
    dense = vec.spread()
    try:
        for i, s in enumerate(stories):
            if (w := _window(f, s)) is None:
                continue
            gap, far = w
            text = _text(dense, s, df)
            if not _short_of_refs(far, text):
                texts.append((text, i, s, gap))
    finally:
        vec.clear(dense)
    if not texts:
        return None, 0.0
    reach = _reach(f) + DATE_BONUS + 1e-9  # the margins cover rounding
    core_max = CORE_WEIGHT * (1.0 - CORE_PIVOT) + 1e-9
    best, best_score, best_i = None, threshold, len(stories)
    texts.sort(key=lambda t: -t[0])
    for text, i, s, gap in texts:
        if text + reach < best_score:
            break  # nor can any story after it
        a, e, d = _other_terms(f, s, gap)
        if text + core_max + a + e + d < best_score:
            continue  # not even with every core name shared
        sc = text + (_core_term(f, s) + a + e + d)  # as ``_beyond_text`` sums them
        if sc > best_score or sc == best_score and i < best_i:
            best, best_score, best_i = s, sc, i
    return (None, 0.0) if best is None else (best, best_score)


@dataclass(slots=True)
class Move:
    """A small story to be placed again as a whole: *source* goes into *target*; per member of the source,
    its vector and its score against the target (None: the dates rule it out)."""

    source: Story
    target: Story
    vectors: list[ArticleVector]
    scores: list[float | None]


def replacement(s: Story, index: StoryIndex, df: DocFreq) -> Move | None:
    """Where the small story *s* would go now: each member is placed as a new article among the stories of
    *index* that have grown since *s* last did, and of the stories so chosen the one its members fit best on
    average takes them all, if that mean reaches ``THRESHOLD`` and every member scores at least ``MOVE_FLOOR``
    there (within its date window); None otherwise. A story of one or two articles that opened while its event's story
    was young (a report that shared little with the first ones) may fit that story once it has grown; two
    members choosing two stories is no tie when one of them fits both members."""
    if s.feats is None or not s.feats or s.size > SMALL or len(s.feats) != s.size:
        return None
    members = [(_member(f, t), t) for f, t in zip(s.feats, s.recent[-s.size :])]
    cols = s.cols[-s.size :] if s.cols is not None and s.space is df else [None] * s.size
    chosen: dict[int, Story] = {}
    vecs = []
    for (f, terms), col in zip(members, cols):
        vec = _vector(terms, df, col)
        vecs.append(vec)
        cands = [c for c in index.candidates(keys_of(vec), MAX_CANDIDATES + 1) if c is not s][:MAX_CANDIDATES]
        cands = [c for c in cands if c.grown > s.grown]  # the others were there when it was placed, and not chosen
        target, _ = assign(f, cands, df, vec=vec) if cands else (None, 0.0)
        if target is not None:
            chosen[target.id] = target
    best: tuple[float, Story, list[float | None]] | None = None
    for sid in sorted(chosen):
        scores = [score(f, v, chosen[sid], df) for (f, _), v in zip(members, vecs)]
        if any(x is None or x < MOVE_FLOOR for x in scores):
            continue  # a member its dates rule out, or one that does not fit at all
        mean = sum(scores) / len(scores)  # type: ignore[arg-type]
        if mean >= THRESHOLD and (best is None or mean > best[0]):
            best = (mean, chosen[sid], scores)
    return None if best is None else Move(s, best[1], vecs, best[2])


def apply_move(m: Move, index: StoryIndex) -> None:
    """Add the source's members to the target, in their order, and take the source out of *index*."""
    src, dst = m.source, m.target
    assert src.feats is not None
    for f, terms, vec in zip(src.feats, src.recent[-src.size :], m.vectors):
        dst.add(f, vec, terms)
        index.joined(dst, keys_of(vec))
    index.drop(src.id)


class StoryIndex:
    """Stories by key: each is indexed under the ``KEYS`` heaviest terms (columns) of each of its recent
    members, and an article's candidates are the stories sharing one of its own keys, those sharing most first."""

    def __init__(self) -> None:
        self.stories: dict[int, Story] = {}
        self.postings: dict[int, set[int]] = {}

    def __len__(self) -> int:
        return len(self.stories)

    def put(self, s: Story, df: DocFreq) -> None:
        """Index *s* (again) under its recent members' keys, weighing them with *df* if need be."""
        self.drop(s.id)
        s.keys = s.member_keys(df)
        self._post(s, s.keys)
        self.stories[s.id] = s

    def absorb(self, s: Story, other: Story, df: DocFreq) -> tuple[Story, Story]:
        """Merge stories *s* and *other* (``merger`` found them one; ``merged`` says which is kept) and index the kept
        one in place of both; returns (kept, taken in). The in-memory clusterer and the store path merge alike."""
        kept, src = merged(s, other)
        kept.merge(src)
        kept.grown = df.n
        self.drop(src.id)
        self.put(kept, df)
        return kept, src

    def split(self, s: Story, out: list[int], new_id: int, df: DocFreq) -> Story:
        """Split the recent members *out* of story *s* (``splitter``) into a new story *new_id*, index both again
        and return the new one. The in-memory clusterer and the store path split alike."""
        new = split_off(s, out, new_id, df)
        self.put(s, df)
        self.put(new, df)
        return new

    def joined(self, s: Story, keys: list[int]) -> None:
        """*s* (indexed, or new) has just taken a member with these ``keys_of``."""
        new = set(keys) - s.keys
        s.keys |= new
        self.stories[s.id] = s
        self._post(s, new)

    def _post(self, s: Story, keys: set[int]) -> None:
        for k in keys:
            self.postings.setdefault(k, set()).add(s.id)

    def drop(self, sid: int) -> None:
        s = self.stories.pop(sid, None)
        if s is None:
            return
        for k in s.keys:
            ids = self.postings.get(k)
            if ids is not None:
                ids.discard(sid)
                if not ids:
                    del self.postings[k]

    def rename(self, old: int, new: int) -> None:
        """A story stored under a new id (the store's, for a story made in memory)."""
        s = self.stories.pop(old)
        for k in s.keys:
            ids = self.postings[k]
            ids.discard(old)
            ids.add(new)
        s.id = new
        self.stories[new] = s

    def candidates(self, keys: list[int], limit: int = MAX_CANDIDATES) -> list[Story]:
        """The stories indexed under any of *keys* (an article's ``keys_of``), at most *limit*."""
        hits: Counter[int] = Counter()
        for k in keys:
            hits.update(self.postings.get(k, ()))
        if len(hits) > 1000:  # a heap is cheaper only for long lists; a handful to a hundred is the rule
            best = heapq.nsmallest(limit, hits.items(), key=lambda x: (-x[1], -x[0]))  # most shared keys, newest first
        else:  # the same order from two sorts on C-level keys (the second keeps the first's order among equals)
            best = sorted(sorted(hits.items(), key=itemgetter(0), reverse=True), key=itemgetter(1), reverse=True)[:limit]
        return [self.stories[sid] for sid, _ in best]


def _cohesion(s: Story, square: float) -> float | None:
    """The mean cosine between two of the story's recent members with terms (None for one), from the squared
    length of the sum of their unit vectors (*square*): that less each member's own 1, over the pairs."""
    n = len(s.starts) if s.starts is not None else 0
    return (square - n) / (n * (n - 1)) if n > 1 else None


def _own_cohesion(s: Story, df: DocFreq) -> float | None:
    """``_cohesion`` of *s* under *df*, kept on the story until its members or weights change."""
    if s.cohesion is None:
        ids, vals = s.weigh(df)
        cols, at = np.unique(ids, return_inverse=True)
        summed = np.bincount(at, weights=vals, minlength=len(cols))
        s.cohesion = (_cohesion(s, float(summed @ summed)),)
    return s.cohesion[0]


def merger(s: Story, stories: list[Story], df: DocFreq) -> Story | None:
    """The story of *stories* that story *s*, which has just taken an article, should merge with, or None.

    Both must be dated, their spans within ``MERGE_DAYS`` of each other: reports of the same days. Their recent
    members must be alike across — the mean cosine of a member of one to a member of the other (the text term
    of the score, story to story) at least ``MERGE_TEXT`` — and nearly as alike as each story's members are
    among themselves: at least ``MERGE_COHESION`` times that mean for each story of two members or more, and
    ``MERGE_SINGLE`` when both are single articles; and, where ``MERGE_TYPICAL`` of *stories* (the candidates
    of the article just placed) have a cohesion, ``MERGE_COHESION`` times their median: a story already mixed,
    or a single report, is measured against how alike one story's reports usually are around it. A report that
    shared little with its event's first reports starts a story of its own beside the event's; once either has
    grown toward the other they are one. Two events of one kind on the same days stay apart where each story's
    own reports are much more alike than the two are (a story's members share its people and places). Of
    several, the most alike."""
    if s.first is None or s.last is None:
        return None
    near = [c for c in stories if c is not s and c.first is not None and c.last is not None
            and max((c.first - s.last).days, (s.first - c.last).days) <= MERGE_DAYS]  # fmt: skip
    if not near:
        return None
    mine, values = s.weigh(df)
    typical: list[float | None] | None = None
    dense = df.scratch()
    np.add.at(dense, mine, values)  # the sum of our members' unit vectors
    own = _cohesion(s, float(dense[mine] @ values))
    best, best_link = None, 0.0
    try:
        for c in near:
            ids, vals = c.weigh(df)  # the sum of the cosines of each of its members to each of ours
            link = float(dense[ids] @ vals) / (len(s.recent) * len(c.recent))
            if link < MERGE_TEXT or link <= best_link:
                continue
            cohesions = [x for x in (own, _own_cohesion(c, df)) if x is not None]
            if link < (max(MERGE_COHESION * x for x in cohesions) if cohesions else MERGE_SINGLE):
                continue
            if typical is None:  # worked out once, and only for a link that would merge without it
                typical = [_typical_cohesion(s, stories, df)]
            if typical[0] is None or link >= MERGE_COHESION * typical[0]:
                best, best_link = c, link
    finally:
        dense[mine] = 0.0
    return best


def _typical_cohesion(s: Story, stories: list[Story], df: DocFreq) -> float | None:
    """The median cohesion of the stories of *stories* (but *s*) with two recent members or more, if there are
    ``MERGE_TYPICAL`` of them or more: how alike the reports of one story usually are around *s*."""
    found = [x for c in stories if c is not s and len(c.recent) > 1 and (x := _own_cohesion(c, df)) is not None]
    if len(found) < MERGE_TYPICAL:
        return None
    found.sort()
    mid = len(found) // 2
    return found[mid] if len(found) % 2 else (found[mid - 1] + found[mid]) / 2


def crossed(before: int, after: int) -> bool:
    """Whether a story that grew from *before* to *after* members reached a multiple of ``SPLIT_FROM`` on the way:
    the sizes at which ``splitter`` looks at it (a story of n members has been looked at n / ``SPLIT_FROM`` times;
    until session 11 only at ``SPLIT_FROM`` and its doublings, when a mixed story grown past 16 went long unseen)."""
    return after >= SPLIT_FROM and after // SPLIT_FROM > before // SPLIT_FROM


def _similarities(s: Story, df: DocFreq) -> np.ndarray | None:
    """The cosines between the story's recent members, as a square array (None when one has no terms)."""
    ids, vals = s.weigh(df)
    assert s.starts is not None
    n = len(s.starts)
    if n != len(s.recent):
        return None
    cols, at = np.unique(ids, return_inverse=True)
    rows = np.repeat(np.arange(n), np.diff(np.append(s.starts, len(ids))))
    m = np.zeros((n, len(cols)))
    m[rows, at] = vals
    return m @ m.T  # type: ignore[no-any-return]


def _two_ways(sims: np.ndarray) -> tuple[list[int], list[int]]:
    """The members (indices of *sims*) in two parts by average linkage: the two parts the most alike within
    (mean cosine of their members across) joined until two are left."""
    parts = [[i] for i in range(len(sims))]
    total = sims.copy()  # summed cosines between two parts' members
    np.fill_diagonal(total, -np.inf)
    while len(parts) > 2:
        sizes = np.array([len(p) for p in parts], dtype=np.float64)
        a, b = divmod(int(np.argmax(total / np.outer(sizes, sizes))), len(parts))
        a, b = min(a, b), max(a, b)
        parts[a] += parts.pop(b)
        total[a, :] += total[b, :]
        total[:, a] += total[:, b]
        total[a, a] = -np.inf
        total = np.delete(np.delete(total, b, 0), b, 1)
    return parts[0], parts[1]


def _within(sims: np.ndarray, part: list[int]) -> float:
    """The mean cosine between two members of *part* (two or more)."""
    sub = sims[np.ix_(part, part)]
    return float(sub.sum() - np.trace(sub)) / (len(part) * (len(part) - 1))


def splitter(s: Story, df: DocFreq) -> list[int] | None:
    """The recent members (indices into ``recent``) that story *s* should split off as a story of their own, or None.

    The recent members (at most ``MAX_RECENT``) are cut in two by average linkage of their cosines; the story
    splits when both parts have ``SPLIT_PART`` members or more and a member of one is on average less alike to
    a member of the other than ``SPLIT_RATIO`` times as alike as two members of either part are: two events
    that met early (an undated report of one joined the other's story) and have each grown their own reports
    since. The part holding the oldest recent member stays with the story's earlier members; the other leaves.
    Not when both parts are dated within ``MERGE_DAYS`` of each other: reports of the same days, which ``merger``
    would make one again. Only a story whose recent members' features are kept (``feats``) can split."""
    if s.feats is None or len(s.feats) != len(s.recent) or len(s.recent) < 2 * SPLIT_PART:
        return None
    sims = _similarities(s, df)
    if sims is None:
        return None
    a, b = _two_ways(sims)
    if min(len(a), len(b)) >= SPLIT_PART and (out := _parted(s, sims, a, b, SPLIT_RATIO)) is not None:
        return out
    for a, b in _counted_cuts(s.feats, sims):
        if (out := _parted(s, sims, a, b, COUNT_SPLIT_RATIO)) is not None:
            return out
    return None


def _parted(s: Story, sims: np.ndarray, a: list[int], b: list[int], ratio: float) -> list[int] | None:
    """The part of *a* and *b* (recent members of *s*) that leaves — the one without the oldest — if a member of
    one is on average less alike to a member of the other than *ratio* times as alike as two members of either
    part are, and the parts are not of the same days; else None."""
    across = float(sims[np.ix_(a, b)].mean())
    if across >= ratio * min(_within(sims, a), _within(sims, b)):
        return None
    assert s.feats is not None
    stay, out = (a, b) if 0 in a else (b, a)
    here = _widen(s.older, *(s.feats[i].day for i in stay))
    there = _widen(None, *(s.feats[i].day for i in out))
    if here is not None and there is not None and max((here[0] - there[1]).days, (there[0] - here[1]).days) <= MERGE_DAYS:
        return None  # reports of the same days: ``merger`` would make them one again
    return sorted(out)


def _counted_cuts(feats: list[ArticleFeatures], sims: np.ndarray) -> Iterable[tuple[list[int], list[int]]]:
    """For each slot the members' leads count (``counts.counted``: the dead, a magnitude, a sum), in slot order:
    the members that count it are grouped by shared values (a member counting 5.9 and 6.1 joins the 5.9 and the
    6.1 groups into one), and when the two largest groups have ``SPLIT_PART`` members or more (one says 5.6, the
    other 5.9), the two parts are those groups, each other member going to the part it is more alike to on
    average. Two events of one kind told in the same words, whose text alone cannot part them, still give
    their figures apart."""
    by_slot: dict[str, list[tuple[int, set[float]]]] = {}
    for i, f in enumerate(feats):
        for slot, value in f.counts:
            held = by_slot.setdefault(slot, [])
            if held and held[-1][0] == i:
                held[-1][1].add(value)
            else:
                held.append((i, {value}))
    for slot in sorted(by_slot):
        stating = by_slot[slot]
        if len(stating) < 2 * SPLIT_PART:
            continue
        groups: list[tuple[list[int], set[float]]] = []  # members whose values overlap, joined
        for i, values in stating:
            members, vals = [i], set(values)
            for g in [g for g in groups if g[1] & vals]:
                members += g[0]
                vals |= g[1]
                groups.remove(g)
            groups.append((members, vals))
        groups.sort(key=lambda g: -len(g[0]))  # the largest two (the first formed of two the same size)
        if len(groups) < 2 or len(groups[1][0]) < SPLIT_PART:
            continue
        a, b = list(groups[0][0]), list(groups[1][0])
        for i in range(len(feats)):
            if i not in a and i not in b:
                (a if sims[i, a].mean() >= sims[i, b].mean() else b).append(i)
        yield sorted(a), sorted(b)


def split_off(s: Story, out: list[int], new_id: int, df: DocFreq) -> Story:
    """Take the recent members *out* (indices into ``recent``, in order) out of story *s* into a new story
    *new_id*, which is returned. The new story is made from their kept terms and features as if they had
    arrived in that order; *s* loses their terms, actors, events, lead years and persons, and its dates are made
    again from the members it keeps (the recent ones' days and the span of the earlier ones, ``older``). Its referred
    dates are made again from its members when all are recent; else each span loses the members gone that
    referred to it and goes when none is left: the spans of the members it keeps, exactly, unless the story
    once held more than ``MAX_REFS`` spans, when those it dropped then (the furthest from its span) stay
    dropped, because the earlier members' own referred dates are not kept to count them again."""
    assert s.feats is not None and len(s.feats) == len(s.recent)
    gone = set(out)
    new = Story(new_id, cols=[], space=df)
    for i in out:
        new.add(s.feats[i], None, s.recent[i])
    new.grown = df.n
    keep = [i for i in range(len(s.recent)) if i not in gone]
    left = {s.feats[i].id for i in out}
    s.size -= len(out)
    s.members = [m for m in s.members if m not in left]
    for i in out:
        t, g = s.recent[i], s.feats[i]
        for k, v in t.items():
            if (x := s.terms.get(k)) is not None:
                if x - v > 1e-9:
                    s.terms[k] = x - v
                else:
                    del s.terms[k]
        s.actors.subtract(g.actors)
        s.events.subtract(g.events)
        s.years.subtract(g.years)
        if g.lead:
            s.leads[g.lead] -= 1
    s.actors, s.events, s.leads, s.years = +s.actors, +s.events, +s.leads, +s.years  # the counts gone to zero dropped
    if s.size == len(keep):  # every member is recent: its referred dates are theirs, as placed alone
        s.refs = _refs_of([s.feats[i] for i in keep])
    else:
        for i in out:
            s.refs.subtract(s.feats[i].referred)
        s.refs = +s.refs  # the spans no member left refers to dropped
    s.recent = [s.recent[i] for i in keep]
    s.feats = [s.feats[i] for i in keep]
    s.cols = [s.cols[i] for i in keep] if s.cols is not None else None
    s.encoded = [s.encoded[i] for i in keep] if s.encoded is not None else None
    s.named = [s.named[i] for i in keep] if s.named is not None else None
    s.ids = s.vals = s.core = s.cohesion = None
    span = _widen(s.older, *(g.day for g in s.feats))
    s.first, s.last = span if span is not None else (None, None)
    return new


def merged(s: Story, other: Story) -> tuple[Story, Story]:
    """(kept, taken in) for merging *s* and *other*: the larger takes in the smaller, the older (lower id) of
    two the same size the newer."""
    if other.size > s.size or other.size == s.size and other.id < s.id:
        return other, s
    return s, other


class Clusterer:
    """Stories kept in memory; ``add`` places one article and returns its story id, merging that story with
    another of the same days it has grown alike to (``merger``; not with *merge* false), splitting it in two
    when it has reached a size step and its recent members fall in two parts unlike each other (``splitter``;
    not with *split* false), then places again as a whole each small story that has just gone ``SETTLE``
    articles without growing (``replacement``; not with *settle* false), so an article's story may change
    later: ``story_of`` gives the current one."""

    def __init__(self, threshold: float = THRESHOLD, settle: bool = True, merge: bool = True, split: bool = True) -> None:
        self.threshold = threshold
        self.settle = settle
        self.merge = merge
        self.split = split
        self.created = 0
        self.index = StoryIndex()
        self.df = DocFreq()
        self.story_of: dict[str, int] = {}
        self.moves: list[tuple[int, int]] = []  # (source, target) of each story placed again, in order
        self.merges: list[tuple[int, int]] = []  # (taken in, kept) of each merge (``merger``), in order
        self.splits: list[tuple[int, int]] = []  # (split, new) of each story split in two (``splitter``), in order
        self._aging: deque[tuple[int, Story]] = deque()  # (its count when it grew, the story), oldest first

    @property
    def stories(self) -> list[Story]:
        """The stories, oldest first (one moved into another is gone)."""
        return sorted(self.index.stories.values(), key=lambda s: s.id)

    def add(self, f: ArticleFeatures) -> int:
        self.df.add(f)
        terms = terms_of(f)
        vec = vector(f, self.df, terms)
        keys = keys_of(vec)
        cands = self.index.candidates(keys)
        story, _ = assign(f, cands, self.df, self.threshold, vec)
        if story is None:
            self.created += 1
            story = Story(self.created, cols=[], space=self.df)
        before = story.size
        story.add(f, vec, terms)
        story.grown = self.df.n
        self.index.joined(story, keys)
        self.story_of[f.id] = story.id
        if self.merge and (other := merger(story, cands, self.df)) is not None:
            story, src = self.index.absorb(story, other, self.df)
            for aid in src.members:
                self.story_of[aid] = story.id
            self.merges.append((src.id, story.id))
        if self.split and crossed(before, story.size) and (out := splitter(story, self.df)) is not None:
            self.created += 1
            new = self.index.split(story, out, self.created, self.df)
            for aid in new.members:
                self.story_of[aid] = new.id
            self.splits.append((story.id, new.id))
            if self.settle:
                self._aging.append((new.grown, new))
        if self.settle:
            self._aging.append((story.grown, story))
            self._settle()
        return self.story_of[f.id]

    def _settle(self) -> None:
        """Place again the small stories that have not grown since ``SETTLE`` articles ago."""
        due = self.df.n - SETTLE
        while self._aging and self._aging[0][0] <= due:
            grown, s = self._aging.popleft()
            if s.grown != grown or s.id not in self.index.stories:
                continue  # it grew since (a later entry stands for it), or it was moved away
            if (m := replacement(s, self.index, self.df)) is not None:
                apply_move(m, self.index)
                assert s.feats is not None
                for f in s.feats:
                    self.story_of[f.id] = m.target.id
                self.moves.append((s.id, m.target.id))
