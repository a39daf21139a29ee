"""The records of a brief: one per section item, one per figure, and the :class:`Brief` that holds them.

Every figure carries the rows it was drawn from (``Figure.rows``) and every row the articles behind its
number, so the template can print the numbers under the plot and a reader can check each one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class BriefError(ValueError):
    """A brief could not be built as asked: a bad date, an unknown actor, theme or watch rule."""


@dataclass(slots=True, frozen=True)
class Scope:
    """What a brief covers besides its dates. Within one field any value matches (``actors=("RU", "CN")``:
    articles mentioning Russia or China); across fields every set field must match."""

    actors: tuple[str, ...] = ()  # a country code (any actor of that country), a registry id, name or alias
    themes: tuple[str, ...] = ()  # theme ids or names (data/themes.csv)
    outlets: tuple[str, ...] = ()  # outlet name or domain, case-insensitive substring
    watch: str | None = None  # a stored watch rule: its id or its spec as written

    def as_dict(self) -> dict[str, Any]:
        return {"actors": list(self.actors), "themes": list(self.themes), "outlets": list(self.outlets), "watch": self.watch}

    @property
    def empty(self) -> bool:
        return not (self.actors or self.themes or self.outlets or self.watch)


@dataclass(slots=True, frozen=True)
class Period:
    """The brief's dates (inclusive) and the preceding period of equal length that themes are compared with."""

    since: str
    until: str
    previous_since: str
    previous_until: str
    days: int
    bucket: str  # the step of the figures over time: day, week or month


@dataclass(slots=True)
class ArticleRef:
    """An article behind a number: its id, title, outlet and date, and the dashboard link (a span when known)."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    href: str


@dataclass(slots=True)
class OutletCount:
    name: str | None
    country: str | None
    kind: str | None
    articles: int


@dataclass(slots=True)
class StoryItem:
    id: int
    title: str | None
    first_seen: str | None
    last_seen: str | None
    articles: int  # its articles within the period and scope
    size: int  # all its articles
    outlets: list[OutletCount]
    items: list[ArticleRef]
    href: str


@dataclass(slots=True)
class QuoteItem:
    """One quote with the three parts of its significance (docs/briefs.md) and their product."""

    text: str
    kind: str
    speaker: str
    speaker_id: str | None
    speaker_country: str | None
    speaker_type: str
    article: ArticleRef
    prominence: int  # articles of the period (in scope) quoting this speaker
    story_size: int  # articles of its story within the period (1 when it is in no story)
    elsewhere: int  # other articles carrying nearly the same words from the same speaker
    score: int
    also_in: list[ArticleRef] = field(default_factory=list)


@dataclass(slots=True)
class EventItem:
    """Events of one type between one pair of actors, first seen in the period."""

    type: str
    source_id: str
    source: str
    target_id: str
    target: str
    symmetric: bool
    events: int
    articles: int
    first: str | None  # the earliest date it was reported
    evidence: list[ArticleRef]


@dataclass(slots=True)
class ThemeChange:
    theme: str
    name: str
    articles: int  # articles of the period carrying it
    previous: int  # ... of the preceding period
    change: int
    evidence: list[ArticleRef]


@dataclass(slots=True)
class SideView:
    """What one outlet bloc said on a thread: from ``analysis.compare``."""

    bloc: str
    articles: int
    outlets: list[str]
    words: list[dict[str, Any]]  # {word, z, count, href}
    tone: list[dict[str, Any]]  # {name, tone, articles, href}
    quoted: list[dict[str, Any]]  # {speaker, country, type, quotes, href}


@dataclass(slots=True)
class Contrast:
    """The framing contrast of two outlet blocs on one thread (or one story outside any thread)."""

    what: str  # thread | story
    id: int
    title: str | None
    articles: int
    href: str
    sides: list[SideView]
    note: str | None = None  # why there is no comparison (one bloc only)


@dataclass(slots=True)
class Figure:
    """A plot (inline SVG) and the rows it was drawn from: ``columns`` name the values of each row; a row's
    ``refs`` are the articles behind it (the first few, with ``more`` counting the rest)."""

    key: str
    title: str
    svg: str
    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass(slots=True)
class Brief:
    period: Period
    scope: Scope
    base_url: str
    generated: str
    articles: int
    outlets: int
    stories: list[StoryItem]
    quotes: list[QuoteItem]
    new_events: dict[str, list[EventItem]]  # by event type
    themes_rising: list[ThemeChange]
    themes_falling: list[ThemeChange]
    contrasts: list[Contrast]
    figures: list[Figure]

    @property
    def empty(self) -> bool:
        return self.articles == 0

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def counts(self) -> dict[str, Any]:
        """Items per section and data rows per figure (the CLI's ``--json`` summary)."""
        return {
            "sections": {
                "stories": len(self.stories), "quotes": len(self.quotes),
                "new_events": sum(len(v) for v in self.new_events.values()),
                "themes_rising": len(self.themes_rising), "themes_falling": len(self.themes_falling),
                "contrasts": len(self.contrasts),
            },
            "figures": {f.key: len(f.rows) for f in self.figures},
        }  # fmt: skip

    def as_dict(self, *, svg: bool = False) -> dict[str, Any]:
        """The brief as JSON-ready data; the figures' SVG text only when *svg*."""
        d = asdict(self)
        if not svg:
            for f in d["figures"]:
                f.pop("svg")
        return d
