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
"""

from __future__ import annotations

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
MAX_RECENT = 12
LINKAGE = "average"  # "average": mean cosine to the story's recent members; "centroid": cosine to its summed terms  # a story keeps its strongest terms only, so memory grows with stories, not with articles


@dataclass(slots=True)
class Story:
    """The running state of one story."""

    id: int
    size: int = 0
    terms: Counter[str] = field(default_factory=Counter)  # summed sublinear tf of words ("w:") and names ("n:")
    actors: Counter[str] = field(default_factory=Counter)
    events: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    first: date | None = None
    last: date | None = None
    members: list[str] = field(default_factory=list)
    recent: list[Counter[str]] = field(default_factory=list)  # terms of the last MAX_RECENT members (average linkage)

    def add(self, f: ArticleFeatures) -> None:
        self.size += 1
        self.members.append(f.id)
        t = _terms(f)
        self.terms.update(t)
        self.recent = [*self.recent[-(MAX_RECENT - 1):], t]
        if len(self.terms) > 2 * MAX_TERMS:
            self.terms = Counter(dict(self.terms.most_common(MAX_TERMS)))
        self.actors.update(f.actors)
        self.events.update(f.events)
        if f.day:
            self.first = min(self.first or f.day, f.day)
            self.last = max(self.last or f.day, f.day)


@dataclass(slots=True)
class DocFreq:
    """Document frequencies of terms over the articles seen so far."""

    n: int = 0
    df: Counter[str] = field(default_factory=Counter)

    def add(self, f: ArticleFeatures) -> None:
        self.n += 1
        self.df.update(f.words.keys())

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term[2:], 0) + 1)) + 1.0


def _terms(f: ArticleFeatures) -> Counter[str]:
    out: Counter[str] = Counter()
    for w, c in f.words.items():
        out["w:" + w] = 1.0 + math.log(c)  # type: ignore[assignment]
    for w, c in f.names.items():
        out["n:" + w] = 1.0 + math.log(c)  # type: ignore[assignment]
    return out


def _vector(terms: Counter[str], df: DocFreq) -> dict[str, float]:
    v = {t: tf * df.idf(t) * (NAME_WEIGHT if t[0] == "n" else 1.0) for t, tf in terms.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


# A member's vector, kept while the document frequencies it was weighted with stand (same df object, same
# count): the store path fixes them for a whole batch, so each member is weighted once per batch rather than
# once per article it is compared with. The member's term Counter itself is kept in the entry, so a reused
# object id can never return another member's vector.
_VECTORS: dict[int, tuple[Counter[str], int, int, dict[str, float]]] = {}


def _member_vector(terms: Counter[str], df: DocFreq) -> dict[str, float]:
    hit = _VECTORS.get(id(terms))
    if hit is not None and hit[0] is terms and hit[1] == id(df) and hit[2] == df.n:
        return hit[3]
    if len(_VECTORS) > 50_000:
        _VECTORS.clear()
    vec = _vector(terms, df)
    _VECTORS[id(terms)] = (terms, id(df), df.n, vec)
    return vec


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def _gap(day: date | None, s: Story) -> int | None:
    """Days from *day* to the story's span (0 inside it); None when either has no date."""
    if day is None or s.first is None or s.last is None:
        return None
    if day < s.first:
        return (s.first - day).days
    return max(0, (day - s.last).days)


def _core_overlap(f: ArticleFeatures, s: Story) -> float:
    """How far the story's core names (in at least half its recent members) and the article's repeated names
    are found on the other side: two events of one kind share their words but not their people and places."""
    counts: Counter[str] = Counter()
    for t in s.recent:
        counts.update(k for k in t if k[0] == "n")
    core = {k[2:] for k, c in counts.items() if c * 2 >= len(s.recent)}
    mine = {n for n, c in f.names.items() if c >= 2} or set(f.names)
    parts = []
    if core:
        parts.append(sum(1 for n in core if n in f.names) / len(core))
    if mine:
        parts.append(sum(1 for n in mine if "n:" + n in s.terms) / len(mine))
    return sum(parts) / len(parts) if parts else CORE_PIVOT


def score(f: ArticleFeatures, vec: dict[str, float], s: Story, df: DocFreq) -> float | None:
    """How well the article fits story *s*; None when the dates rule it out."""
    gap = _gap(f.day, s)
    if gap is not None and gap > WINDOW_DAYS:
        return None
    if LINKAGE == "average":
        total = sum(_cosine(vec, _member_vector(t, df)) for t in s.recent) / len(s.recent)
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


def assign(f: ArticleFeatures, stories: list[Story], df: DocFreq, threshold: float = THRESHOLD) -> tuple[Story | None, float]:
    """The story *f* should join (None: start a new one) and its score."""
    vec = _vector(_terms(f), df)
    best, best_score = None, 0.0
    for s in stories:
        sc = score(f, vec, s, df)
        if sc is not None and sc > best_score:
            best, best_score = s, sc
    if best is None or best_score < threshold:
        return None, best_score
    return best, best_score


class Clusterer:
    """Stories kept in memory; ``add`` places one article and returns its story id."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.stories: list[Story] = []
        self.df = DocFreq()

    def add(self, f: ArticleFeatures) -> int:
        self.df.add(f)
        story, _ = assign(f, self.stories, self.df, self.threshold)
        if story is None:
            story = Story(len(self.stories) + 1)
            self.stories.append(story)
        story.add(f)
        return story.id
