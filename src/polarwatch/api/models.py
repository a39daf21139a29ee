"""The JSON schemas of the REST API (pydantic models; they make the OpenAPI spec)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last page.")


class Items(BaseModel, Generic[T]):
    items: list[T]


class Evidence(BaseModel):
    article: str
    start: int | None = Field(None, description="Character offset into the article body (the title when in_title).")
    end: int | None = None
    in_title: bool | None = None
    compound: float | None = None
    other_start: int | None = None
    other_end: int | None = None


class ArticleSummary(BaseModel):
    id: str
    title: str | None
    url: str | None
    published: str | None
    author: str | None
    outlet: str | None
    domain: str | None
    country: str | None
    kind: str | None
    language: str | None
    format: str
    summary_only: bool
    analysed: bool


class Removed(BaseModel):
    rule: str
    text: str


class Mention(BaseModel):
    start: int
    end: int
    text: str
    kind: str
    actor_id: str | None
    actor_name: str | None
    country: str | None
    how: str


class QuoteIn(BaseModel):
    start: int
    end: int
    text: str
    kind: str
    cue: str | None
    speaker_id: str | None
    speaker: str | None
    speaker_country: str | None
    speaker_start: int | None
    speaker_end: int | None
    about: list[str]
    in_title: bool


class Quote(QuoteIn):
    article: str
    title: str | None
    published: str | None
    outlet: str | None
    outlet_country: str | None


class EventIn(BaseModel):
    type: str
    mode: str | None
    trigger: str
    source_id: str | None
    source_name: str | None
    source_country: str | None
    target_id: str | None
    target_name: str | None
    target_country: str | None
    symmetric: bool
    claimed_by_id: str | None
    claimed_by_name: str | None
    sentence_start: int
    sentence_end: int
    start: int
    end: int


class Event(EventIn):
    article: str
    title: str | None
    published: str | None
    outlet: str | None
    outlet_country: str | None


class ArticleTheme(BaseModel):
    theme: str
    score: float
    share: float
    evidence: list[dict[str, Any]]


class ArticleDetail(ArticleSummary):
    body: str = Field(description="The clean text; every offset of this article points into it.")
    paragraphs: list[str]
    removed: list[Removed]
    sources: list[dict[str, Any]]
    mentions: list[Mention]
    quotes: list[QuoteIn]
    events: list[EventIn]
    themes: list[ArticleTheme]
    tone: dict[str, Any] | None
    story: int | None


class SearchHit(BaseModel):
    id: str
    title: str | None
    published: str | None
    outlet: str | None
    country: str | None
    score: float
    snippet: str
    marks: list[list[int]] = Field(description="[start, end] of each match inside snippet.")


class Actor(BaseModel):
    id: str
    name: str | None
    kind: str | None
    country: str | None
    articles: int
    mentions: int
    quotes: int


class Theme(BaseModel):
    theme: str
    name: str
    description: str
    articles: int
    mean_score: float
    mean_tone: float | None


class Story(BaseModel):
    id: int
    title: str | None
    first_seen: str | None
    last_seen: str | None
    articles: int


class StoryDetail(BaseModel):
    id: int
    title: str | None
    first_seen: str | None
    last_seen: str | None
    outlets: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    quoted: list[dict[str, Any]]
    events: list[dict[str, Any]]


class Thread(BaseModel):
    id: int
    title: str | None
    first_seen: str | None
    last_seen: str | None
    stories: int
    articles: int


class ThreadStory(Story):
    score: float
    linked_to: int | None


class ThreadDetail(Thread):
    story_list: list[ThreadStory]


class Outlet(BaseModel):
    name: str
    domain: str | None
    country: str | None
    kind: str | None
    language: str | None
    articles: int


class Bloc(BaseModel):
    id: str
    name: str
    countries: list[str]
    kinds: list[str]
    outlets: list[str]
    articles: int


class Speaker(BaseModel):
    speaker_id: str | None
    speaker: str | None
    country: str | None
    type: str
    role: str | None
    quotes: int
    articles: int
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    evidence: list[Evidence]


class Share(BaseModel):
    country: str | None = None
    type: str | None = None
    quotes: int
    share: float
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")


class Quoted(BaseModel):
    quotes: int
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    speakers: list[Speaker]
    by_country: list[Share]
    by_type: list[Share]


class SideTheme(BaseModel):
    theme: str
    name: str
    articles: int
    share: float
    mean_score: float
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    evidence: list[Evidence]


class SideTone(BaseModel):
    actor_id: str
    name: str
    tone: float
    articles: int
    mentions: int
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    evidence: list[Evidence]


class SideEvent(BaseModel):
    type: str
    source: str
    target: str
    events: int
    articles: int | None = None
    reported_by: list[str] | None = None
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    evidence: list[Evidence]


class Word(BaseModel):
    word: str
    z: float
    delta: float
    count: int
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    evidence: list[Evidence]


class SideSpec(BaseModel):
    name: str
    outlets: list[str]
    countries: list[str]
    kinds: list[str]


class SideOut(BaseModel):
    side: SideSpec
    articles: int
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    outlets: list[dict[str, Any]]
    quoted: Quoted
    themes: list[SideTheme]
    tone: list[SideTone]
    events: list[SideEvent]
    events_left_out: list[SideEvent]
    words: list[Word]
    words_from: int


class Comparison(BaseModel):
    scope: dict[str, Any]
    sides: list[SideOut]


class Node(BaseModel):
    id: str
    name: str | None
    country: str | None
    type: str | None
    weight: int
    link: str | None = Field(None, description="The articles mentioning the actor within the network's filters (its actor filter replaced); for a speaker no mention names, its quotes.")


class Edge(BaseModel):
    source: str
    target: str
    kind: str
    type: str | None
    directed: bool
    weight: int
    articles: int
    link: str | None = Field(None, description="The list endpoint (path and query) whose rows are exactly the ones this figure counts.")
    evidence: list[Evidence]


class Network(BaseModel):
    scope: dict[str, Any]
    nodes: list[Node]
    edges: list[Edge]


class TrendPoint(BaseModel):
    period: str
    since: str
    until: str
    articles: int
    mentions: int | None = None
    events: int | None = None
    tone: float | None = None
    tone_articles: int | None = None
    mean_score: float | None = None


class Series(BaseModel):
    key: str
    name: str
    points: list[TrendPoint]


class Trends(BaseModel):
    what: str
    period: str
    scope: dict[str, Any]
    series: list[Series]


class RecordIn(BaseModel):
    title: str | None = Field(None, max_length=2000)
    text: str = Field(min_length=1)
    url: str | None = Field(None, max_length=4000)
    published: str | None = Field(None, max_length=40)
    outlet: str | None = Field(None, max_length=200)
    author: str | None = Field(None, max_length=400)


class IngestIn(BaseModel):
    articles: list[RecordIn] = Field(min_length=1, max_length=1000)
    analyse: bool = Field(True, description="Run extraction (quotes, events, themes, tone, stories).")


class IngestOut(BaseModel):
    read: int
    new: int
    duplicate: int
    updated: int
    failed: int
    ids: list[str]
    failures: list[dict[str, str]]


class Error(BaseModel):
    detail: str
