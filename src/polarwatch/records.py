"""Typed records passed from stage to stage.

A reader yields :class:`RawDoc` (what the input said) or :class:`Rejected`
(why it could not be read); cleaning turns a RawDoc into an :class:`Article`.
Rejections are values so that a batch can count and report them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True, frozen=True)
class Source:
    """Where a record came from: the input file and the place inside it."""

    path: str
    locator: str = ""  # "line 12", "record 3", "entry 4", "member a/b.html"; "" for a whole file

    def __str__(self) -> str:
        return f"{self.path} ({self.locator})" if self.locator else self.path


@dataclass(slots=True)
class Rejected:
    """An input (or part of one) that could not be turned into an article."""

    source: Source
    reason: str
    # Recognised but holding no article (an annotation file, an image in a WARC):
    # reported, but not a failure.
    skipped: bool = False

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(slots=True)
class RawDoc:
    """One article as a reader found it, before cleaning.

    Exactly one of ``text`` (plain text, paragraphs separated by newlines) or
    ``paragraphs`` is the body; readers that already know the paragraph
    structure (HTML, feeds) fill ``paragraphs``.
    """

    source: Source
    format: str
    raw: str
    title: str | None = None
    text: str | None = None
    paragraphs: list[str] | None = None
    url: str | None = None
    published: str | None = None  # ISO date, only when the input states it
    author: str | None = None
    outlet_hint: str | None = None  # an outlet name the input gives explicitly
    summary_only: bool = False  # feed entry that carried only a summary
    pre_removed: list["Removal"] = field(default_factory=list)  # dropped by the reader


@dataclass(slots=True, frozen=True)
class Removal:
    """A piece of input the cleaner dropped, and the rule that dropped it."""

    text: str
    rule: str


@dataclass(slots=True)
class Outlet:
    domain: str | None
    name: str
    country: str | None = None
    kind: str | None = None
    language: str | None = None
    confidence: float = 1.0
    inferred: bool = False  # True when guessed from the text rather than read from the URL/input

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Article:
    """A clean article, ready to store."""

    id: str
    content_hash: str
    title: str | None
    paragraphs: list[str]
    removed: list[Removal]
    raw: str
    format: str
    sources: list[Source]
    url: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: Outlet | None = None
    summary_only: bool = False

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def as_dict(self, raw: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "author": self.author,
            "outlet": self.outlet.as_dict() if self.outlet else None,
            "format": self.format,
            "summary_only": self.summary_only,
            "content_hash": self.content_hash,
            "source": [{"path": s.path, "locator": s.locator} for s in self.sources],
            "paragraphs": list(self.paragraphs),
            "removed": [{"text": r.text, "rule": r.rule} for r in self.removed],
        }
        if raw:
            d["raw"] = self.raw
        return d


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did; ``failed`` holds one rejection per failure."""

    read: int = 0
    new: int = 0
    duplicate: int = 0
    updated: int = 0
    failed: list[Rejected] = field(default_factory=list)
    skipped: list[Rejected] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "new": self.new,
            "duplicate": self.duplicate,
            "updated": self.updated,
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "failures": [{"source": str(r.source), "reason": r.reason} for r in self.failed],
            "skips": [{"source": str(r.source), "reason": r.reason} for r in self.skipped],
        }


# --- extraction records (who said what) ---------------------------------------
# Offsets are character offsets into Article.body ("\n\n".join(paragraphs)).


@dataclass(slots=True)
class Mention:
    """A span of the body that refers to an actor (or to a person the registry does not know)."""

    start: int
    end: int
    text: str
    kind: str  # country, government, ministry, military, agency, company, legislature, international, indigenous, person, organization, place
    actor_id: str | None = None  # registry id, or "article:<slug>" for a person known only from this article
    actor_name: str | None = None  # canonical name
    country: str | None = None  # ISO-2 of the actor
    how: str = "registry"  # registry, ner, alias, description, pronoun

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Quote:
    """A direct or indirect quotation and the actor it is attributed to."""

    start: int  # span of the quoted or reported content
    end: int
    text: str
    kind: str  # "direct" or "indirect"
    cue: str | None = None  # the speech verb or phrase ("said", "according to"), None for a continuation
    cue_start: int | None = None
    speaker_text: str | None = None  # the mention the cue attaches to ("the professor", "it", "Peskov")
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_id: str | None = None  # resolved actor id (registry or article-level), None when unresolved
    speaker_name: str | None = None  # canonical name of the resolved speaker, else the mention text
    speaker_country: str | None = None
    about: list[str] = field(default_factory=list)  # actor ids mentioned inside the quote
    in_title: bool = False  # a headline quote: start/end (and speaker offsets) point into the title, not the body

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# The event types of docs/events.md (PLOVER's, plus MONITOR).
EVENT_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "REQUEST", "ACCUSE", "REJECT", "THREATEN",
    "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "CONCEDE", "RETREAT", "MONITOR",
)  # fmt: skip


@dataclass(slots=True)
class Event:
    """One actor-to-actor event coded from one sentence (see docs/events.md).

    Offsets are character offsets into ``Article.body``. A *symmetric* event
    (``A and B cooperate``) is stored once, with the two sides in source and
    target; it reads both ways. ``claimed_by_*`` is whoever reports the event
    when it sits inside a quotation or a reported clause.
    """

    type: str  # AGREE, CONSULT, SUPPORT, COOPERATE, AID, REQUEST, ACCUSE, REJECT, THREATEN, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT, CONCEDE, RETREAT, MONITOR
    mode: str | None
    trigger: str
    trigger_start: int
    trigger_end: int
    sentence_start: int
    sentence_end: int
    source_id: str | None = None  # registry or article-level actor id ("country:XX" for a country known only from the world table)
    source_name: str | None = None
    source_country: str | None = None  # ISO-2
    source_text: str | None = None  # the words that name the source ("Beijing", "their", "the Pentagon's report")
    target_id: str | None = None
    target_name: str | None = None
    target_country: str | None = None
    target_text: str | None = None
    symmetric: bool = False
    claimed_by_id: str | None = None
    claimed_by_name: str | None = None
    claimed_by_country: str | None = None
    evidence_start: int = 0  # the smallest span holding the source, trigger and target mentions found in the sentence
    evidence_end: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
