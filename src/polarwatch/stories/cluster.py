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
* actors — the share of the article's actors (mention ids) the story already has;
* events — the share of its coded events (type and the two sides) the story already has;
* dates — with a date on both sides, an article further than ``WINDOW_DAYS``
  from the story's span cannot join it, one inside it gets a small bonus.

Speed. The mean cosine to a story's recent members is the dot product of the
article's vector with the mean of theirs, so a story keeps that sum (its
*profile*) and updates it as members come and go: one dot product a story,
not one a member. The member vectors are weighted again only once the number
of articles has moved by more than ``REWEIGHT`` of what it was when they were
weighted (a smaller share below ``SETTLED`` articles, where each new article
still moves the IDF: exact up to about 700). And an
article is scored only against the stories of a ``StoryIndex`` that share one
of its ``KEYS`` heaviest terms with the heaviest terms of one of their
members: the same event shares its rare names and words, and a story that
shares none of them cannot reach the threshold.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .features import ArticleFeatures

NAME_WEIGHT = 2.0
ACTOR_WEIGHT = 0.10
EVENT_WEIGHT = 0.05
DATE_BONUS = 0.05
CORE_WEIGHT = 0.3
CORE_PIVOT = 0.5
WINDOW_DAYS = 30
THRESHOLD = 0.25  # the score an article needs to join a story
MAX_TERMS = 400
MAX_RECENT = 12  # average linkage is over a story's latest members, this many
LINKAGE = "average"  # "average": mean cosine to the story's recent members; "centroid": cosine to its summed terms
KEYS = 20  # an article's heaviest terms that index its story and look up its candidates
MAX_CANDIDATES = 40  # stories scored for one article, those sharing most keys first
REWEIGHT = 0.02  # member vectors are weighted again once the article count has moved by more than this share ...
SETTLED = 10_000  # ... of itself, from this many articles on; below it the share falls with the count (exact at a few hundred)


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
    vecs: list[dict[str, float]] | None = None  # the recent members' unit vectors, weighted when df.n was ``weighted_at``
    profile: dict[str, float] | None = None  # their sum
    weighted_at: int = -1
    core: frozenset[str] | None = None  # names in at least half the recent members (None: to compute)
    keys: set[str] = field(default_factory=set)  # the terms it is indexed under (StoryIndex)

    def add(self, f: ArticleFeatures, vec: dict[str, float] | None = None, terms: Counter[str] | None = None) -> None:
        """Add article *f* (with its ``terms_of``, if already made); *vec* is its unit vector under the document
        frequencies the profile was weighted with (within ``REWEIGHT``), so the profile is updated in place;
        without it the profile is dropped."""
        self.size += 1
        self.members.append(f.id)
        t = terms if terms is not None else terms_of(f)
        self.terms.update(t)
        self.recent.append(t)
        if vec is not None and self.profile is not None and self.vecs is not None:
            _shift(self.profile, vec, 1.0)
            self.vecs.append(vec)
        else:
            self.profile = self.vecs = None
        if len(self.recent) > MAX_RECENT:
            del self.recent[0]
            if self.vecs is not None and self.profile is not None:
                _shift(self.profile, self.vecs.pop(0), -1.0)
        if len(self.terms) > 2 * MAX_TERMS:
            self.terms = Counter(dict(self.terms.most_common(MAX_TERMS)))
        self.core = None
        self.actors.update(f.actors)
        self.events.update(f.events)
        if f.day:
            self.first = min(self.first or f.day, f.day)
            self.last = max(self.last or f.day, f.day)

    def weigh(self, df: DocFreq) -> dict[str, float]:
        """The profile under *df*: kept while the article count is within ``REWEIGHT`` of when it was made."""
        n0 = self.weighted_at
        if self.profile is None or self.vecs is None or abs(df.n - n0) > REWEIGHT * n0 * min(1.0, n0 / SETTLED):
            self.vecs = [_vector(t, df) for t in self.recent]
            self.profile = {}
            for v in self.vecs:
                _shift(self.profile, v, 1.0)
            self.weighted_at = df.n
        return self.profile


def _shift(acc: dict[str, float], vec: dict[str, float], sign: float) -> None:
    """Add (sign 1) or take away (-1) *vec* from *acc*, dropping terms that fall to nothing."""
    get = acc.get
    if sign > 0:
        for t, x in vec.items():
            acc[t] = get(t, 0.0) + x
        return
    for t, x in vec.items():
        y = get(t, 0.0) - x
        if abs(y) < 1e-9:
            acc.pop(t, None)
        else:
            acc[t] = y


@dataclass(slots=True)
class DocFreq:
    """Document frequencies of terms over the articles seen so far."""

    n: int = 0
    df: Counter[str] = field(default_factory=Counter)
    weights: dict[str, float] = field(default_factory=dict)  # term weights (idf, names boosted) under the current counts

    def add(self, f: ArticleFeatures) -> None:
        self.n += 1
        self.df.update(f.words.keys())
        self.weights.clear()

    def learn(self, counts: dict[str, int]) -> None:
        """Take the document frequencies of more terms (read from a store)."""
        self.df.update(counts)
        self.weights.clear()

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term[2:], 0) + 1)) + 1.0

    def weight(self, term: str) -> float:
        """The term's IDF, times ``NAME_WEIGHT`` for a name; kept until the counts change."""
        w = self.weights.get(term)
        if w is None:
            w = self.weights[term] = self.idf(term) * (NAME_WEIGHT if term[0] == "n" else 1.0)
        return w


_SUBLINEAR = [0.0] + [1.0 + math.log(c) for c in range(1, 64)]


def _tf(c: int) -> float:
    return _SUBLINEAR[c] if c < 64 else 1.0 + math.log(c)


def terms_of(f: ArticleFeatures) -> Counter[str]:
    """The article's terms ("w:" words, "n:" names) with their sublinear term frequencies."""
    out: Counter[str] = Counter({"w:" + w: _tf(c) for w, c in f.words.items()})  # type: ignore[misc]
    out.update({"n:" + w: _tf(c) for w, c in f.names.items()})  # type: ignore[misc]
    return out


def _vector(terms: Counter[str], df: DocFreq) -> dict[str, float]:
    ws = df.weights
    # Not ``terms.keys() - ws.keys()``: that set difference walks every weighted term of the corpus.
    for t in [t for t in terms if t not in ws]:
        df.weight(t)
    v = {t: tf * ws[t] for t, tf in terms.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def keys_of(vec: dict[str, float]) -> list[str]:
    """The ``KEYS`` heaviest terms of a unit vector."""
    return heapq.nlargest(KEYS, vec, key=vec.__getitem__)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[t] * b[t] for t in a.keys() & b.keys())


def _gap(day: date | None, s: Story) -> int | None:
    """Days from *day* to the story's span (0 inside it); None when either has no date."""
    if day is None or s.first is None or s.last is None:
        return None
    if day < s.first:
        return (s.first - day).days
    return max(0, (day - s.last).days)


def _core(s: Story) -> frozenset[str]:
    if s.core is None:
        counts: Counter[str] = Counter()
        for t in s.recent:
            counts.update(k for k in t if k[0] == "n")
        s.core = frozenset(k[2:] for k, c in counts.items() if c * 2 >= len(s.recent))
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
        parts.append(sum(1 for n in mine if "n:" + n in s.terms) / len(mine))
    return sum(parts) / len(parts) if parts else CORE_PIVOT


def score(f: ArticleFeatures, vec: dict[str, float], s: Story, df: DocFreq) -> float | None:
    """How well the article fits story *s*; None when the dates rule it out."""
    gap = _gap(f.day, s)
    if gap is not None and gap > WINDOW_DAYS:
        return None
    if LINKAGE == "average":  # the mean cosine to the recent members: the dot product with their summed vectors
        total = _cosine(vec, s.weigh(df)) / len(s.recent)
    else:
        total = _cosine(vec, _vector(s.terms, df))
    if CORE_WEIGHT:
        total += CORE_WEIGHT * (_core_overlap(f, s) - CORE_PIVOT)
    if f.actors:
        total += ACTOR_WEIGHT * sum(1 for a in f.actors if a in s.actors) / len(f.actors)
    if f.events:
        total += EVENT_WEIGHT * sum(1 for e in f.events if e in s.events) / len(f.events)
    if gap is not None:
        total += DATE_BONUS * (1.0 - gap / WINDOW_DAYS)
    return total


def vector(f: ArticleFeatures, df: DocFreq, terms: Counter[str] | None = None) -> dict[str, float]:
    """The article's unit TF-IDF vector (from its ``terms_of``, if already made)."""
    return _vector(terms if terms is not None else terms_of(f), df)


def assign(f: ArticleFeatures, stories: list[Story], df: DocFreq, threshold: float = THRESHOLD,
           vec: dict[str, float] | None = None) -> tuple[Story | None, float]:
    """The story of *stories* that *f* should join (None: start a new one) and its score."""
    if vec is None:
        vec = vector(f, df)
    best, best_score = None, 0.0
    for s in stories:
        sc = score(f, vec, s, df)
        if sc is not None and sc > best_score:
            best, best_score = s, sc
    if best is None or best_score < threshold:
        return None, best_score
    return best, best_score


class StoryIndex:
    """Stories by key: each is indexed under the ``KEYS`` heaviest terms of each of its recent members, and an
    article's candidates are the stories sharing one of its own keys, those sharing most first."""

    def __init__(self) -> None:
        self.stories: dict[int, Story] = {}
        self.postings: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self.stories)

    def put(self, s: Story, df: DocFreq) -> None:
        """Index *s* (again) under its recent members' keys, weighing them with *df* if need be."""
        self.drop(s.id)
        s.weigh(df)
        s.keys = {k for v in s.vecs or () for k in keys_of(v)}
        self._post(s, s.keys)
        self.stories[s.id] = s

    def joined(self, s: Story, keys: list[str]) -> None:
        """*s* (indexed, or new) has just taken a member with these ``keys_of``."""
        new = set(keys) - s.keys
        s.keys |= new
        self.stories[s.id] = s
        self._post(s, new)

    def _post(self, s: Story, keys: set[str]) -> None:
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

    def candidates(self, keys: list[str], limit: int = MAX_CANDIDATES) -> list[Story]:
        """The stories indexed under any of *keys* (an article's ``keys_of``), at most *limit*."""
        hits: Counter[int] = Counter()
        for k in keys:
            hits.update(self.postings.get(k, ()))
        return [self.stories[sid] for sid, _ in sorted(hits.items(), key=lambda x: (-x[1], -x[0]))[:limit]]


class Clusterer:
    """Stories kept in memory; ``add`` places one article and returns its story id."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.stories: list[Story] = []
        self.index = StoryIndex()
        self.df = DocFreq()

    def add(self, f: ArticleFeatures) -> int:
        self.df.add(f)
        terms = terms_of(f)
        vec = vector(f, self.df, terms)
        keys = keys_of(vec)
        story, _ = assign(f, self.index.candidates(keys), self.df, self.threshold, vec)
        if story is None:
            story = Story(len(self.stories) + 1, profile={}, vecs=[], weighted_at=self.df.n)
            self.stories.append(story)
        story.add(f, vec, terms)
        self.index.joined(story, keys)
        return story.id
