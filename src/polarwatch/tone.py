"""Tone of an article and toward each actor it mentions, with the words behind every number.

The scale is VADER's compound score, from -1 (most negative) to +1 (most
positive), per sentence. VADER's lexicon was made for social media; news
about the Arctic uses many of its words as topics, not judgements ("security
policy", "United States", "critical minerals", "ice-free"), and judges with
words it lacks ("provocation", "militarisation", "sanctions", "concern").
``data/tone.csv`` overrides those entries (each with the reason), so the
lexicon used here is VADER's with that overlay.

- Article tone: the mean compound of the sentences that contain at least one
  lexicon word (a sentence with none says nothing about tone), 0.0 when no
  sentence does; with the counts of positive (> 0.05) and negative (< -0.05)
  sentences.
- Tone toward an actor: the mean compound of the sentences that mention it
  (per mention, then averaged per actor for the article).
Every sentence score carries its span (offsets into ``Article.body``) and the
lexicon words found in it with their valences.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
POSITIVE, NEGATIVE = 0.05, -0.05


@dataclass(frozen=True, slots=True)
class SentenceTone:
    start: int
    end: int
    compound: float
    words: tuple[tuple[str, float], ...]


@dataclass(slots=True)
class ActorTone:
    actor_id: str
    tone: float
    mentions: int
    sentences: list[SentenceTone] = field(default_factory=list)


@dataclass(slots=True)
class ArticleTone:
    tone: float
    positive: int
    negative: int
    scored: int
    sentences: list[SentenceTone] = field(default_factory=list)
    actors: dict[str, ActorTone] = field(default_factory=dict)

    def as_dict(self, body: str | None = None) -> dict[str, Any]:
        def sent(s: SentenceTone) -> dict[str, Any]:
            d: dict[str, Any] = {"start": s.start, "end": s.end, "compound": round(s.compound, 3),
                                 "words": [{"word": w, "valence": v} for w, v in s.words]}  # fmt: skip
            if body is not None:
                d["text"] = body[s.start : s.end]
            return d

        return {
            "tone": round(self.tone, 3), "positive": self.positive, "negative": self.negative, "scored": self.scored,
            "sentences": [sent(s) for s in self.sentences if s.words],
            "actors": {a: {"tone": round(t.tone, 3), "mentions": t.mentions, "sentences": [sent(s) for s in t.sentences]}
                       for a, t in self.actors.items()},
        }  # fmt: skip


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """VADER with the news overlay of ``data/tone.csv`` (loaded once per process; no download)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    text = resources.files("polarwatch").joinpath("data/tone.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        word, valence = row["word"].strip().lower(), float(row["valence"])
        if valence == 0.0:
            sia.lexicon.pop(word, None)
        else:
            sia.lexicon[word] = valence
    return sia


def sentences(paragraphs: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each sentence, as offsets into the body (paragraphs joined by a blank line)."""
    out: list[tuple[int, int]] = []
    offset = 0
    for p in paragraphs:
        start = 0
        for m in _SENTENCE_END.finditer(p):
            out.append((offset + start, offset + m.start()))
            start = m.end()
        if start < len(p):
            out.append((offset + start, offset + len(p)))
        offset += len(p) + 2
    return out


def sentence_tone(text: str, start: int = 0) -> SentenceTone:
    sia = analyzer()
    words = tuple(
        (w, sia.lexicon[w.lower().replace("’", "'")])
        for w in _WORD.findall(text)
        if w.lower().replace("’", "'") in sia.lexicon
    )
    compound = sia.polarity_scores(text)["compound"] if words else 0.0
    return SentenceTone(start, start + len(text), compound, words)


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def article_tone(paragraphs: list[str], mentions: list[tuple[int, int, str]] = ()) -> ArticleTone:  # type: ignore[assignment]
    """Tone of the article and toward each actor; *mentions* are ``(start, end, actor_id)`` in body offsets."""
    body = "\n\n".join(paragraphs)
    scored = [sentence_tone(body[s:e], s) for s, e in sentences(paragraphs)]
    with_words = [s for s in scored if s.words]
    tone = ArticleTone(
        tone=_mean([s.compound for s in with_words]),
        positive=sum(1 for s in with_words if s.compound > POSITIVE),
        negative=sum(1 for s in with_words if s.compound < NEGATIVE),
        scored=len(with_words),
        sentences=scored,
    )
    per_actor: dict[str, list[SentenceTone]] = {}
    counts: dict[str, int] = {}
    for ms, _me, actor in mentions:
        counts[actor] = counts.get(actor, 0) + 1
        sent = next((s for s in scored if s.start <= ms < s.end), None)
        if sent is not None:
            per_actor.setdefault(actor, []).append(sent)
    for actor, sents in per_actor.items():
        tone.actors[actor] = ActorTone(actor, _mean([s.compound for s in sents]), counts[actor], sents)
    return tone
