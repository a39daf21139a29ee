"""Watch rules: ``key=value`` conditions, all of which must hold for an article to raise an alert.

Keys: ``actor`` (mentioned or quoted), ``source``, ``target`` and ``type`` (one
coded event satisfies all three together; a symmetric event reads both ways),
``theme``, ``outlet`` (name or domain, substring) and ``keyword`` (whole words,
case-insensitive, in the title or text). A value may list alternatives with
commas (``type=THREATEN,COERCE``); a key given twice must hold twice
(``actor=RU actor=NO``: both are mentioned). Actors are an ISO country code
(any actor of that country), a registry id or a registry name or alias.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from ..records import EVENT_TYPES, Event
from ..store import Store

KEYS = ("actor", "source", "target", "type", "theme", "outlet", "keyword")
_EVENT_KEYS = ("source", "target", "type")
_ACTOR_KEYS = ("actor", "source", "target")


class WatchError(ValueError):
    pass


@dataclass(slots=True)
class Rule:
    id: int
    spec: str
    conditions: list[tuple[str, list[str]]]


def parse_rule(spec: str) -> list[tuple[str, list[str]]]:
    """The conditions of *spec*, values checked and normalised; :class:`WatchError` names the bad key or value."""
    try:
        tokens = shlex.split(spec)
    except ValueError as exc:
        raise WatchError(f"cannot read the rule: {exc}") from exc
    if not tokens:
        raise WatchError(f"an empty rule watches nothing; give key=value conditions (keys: {', '.join(KEYS)})")
    out: list[tuple[str, list[str]]] = []
    for tok in tokens:
        key, sep, value = tok.partition("=")
        key = key.strip().lower()
        if not sep:
            raise WatchError(f"{tok!r} is not key=value (keys: {', '.join(KEYS)})")
        if key not in KEYS:
            raise WatchError(f"unknown key {key!r} in {tok!r} (keys: {', '.join(KEYS)})")
        values = [v.strip() for v in value.split(",") if v.strip()]
        if not values:
            raise WatchError(f"no value for {key!r}")
        out.append((key, [_normalise(key, v) for v in values]))
    return out


def _normalise(key: str, value: str) -> str:
    if key == "type":
        t = value.upper()
        if t not in EVENT_TYPES:
            raise WatchError(f"unknown event type {value!r} for 'type' (types: {', '.join(EVENT_TYPES)})")
        return t
    if key == "theme":
        from ..themes import taxonomy

        tax = taxonomy()
        want = value.casefold()
        for t in tax.themes:
            if want in (t.id.casefold(), t.name.casefold()):
                return t.id
        raise WatchError(f"unknown theme {value!r} for 'theme' (themes: {', '.join(t.id for t in tax.themes)})")
    if key in _ACTOR_KEYS:
        return _actor(key, value)
    if key == "keyword" and len(value) < 2:
        raise WatchError(f"keyword {value!r} is too short")
    return value


def _actor(key: str, value: str) -> str:
    """'country:XX' or 'id:<registry id>'."""
    from ..nlp.actors import registry

    reg = registry()
    if len(value) == 2 and value.isalpha():
        if reg.country_actor(value) is None:
            raise WatchError(f"unknown country code {value!r} for {key!r}")
        return f"country:{value.upper()}"
    if value in reg.actors:
        return f"id:{value}"
    a = reg.lookup(value)
    if a is None:
        fold = value.casefold()
        a = next((x for x in reg.actors.values() if fold == x.name.casefold() or fold in (y.casefold() for y in x.aliases)), None)
    if a is None:
        raise WatchError(
            f"unknown actor {value!r} for {key!r}: use a country code (RU), a registry id or a name from data/actors.csv"
        )
    return f"id:{a.id}"


# -- evaluation ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class ArticleFacts:
    """What a rule can look at, read once per article."""

    id: str
    title: str
    body: str
    url: str | None
    published: str | None
    outlet: str | None
    outlet_domain: str | None
    events: list[Event] = field(default_factory=list)
    mentions: list[Any] = field(default_factory=list)
    quotes: list[Any] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, store: Store, article_id: str) -> "ArticleFacts | None":
        sa = store.get_article(article_id)
        if sa is None:
            return None
        a = sa.article
        get = lambda name: getattr(store, name)(a.id) if hasattr(store, name) else []  # noqa: E731
        return cls(a.id, a.title or "", a.body, a.url, a.published, a.outlet.name if a.outlet else None,
                   a.outlet.domain if a.outlet else None, get("get_events"), get("get_mentions"), get("get_quotes"),
                   get("get_themes"))  # fmt: skip


def _side_ok(want: str, aid: str | None, country: str | None) -> bool:
    kind, _, v = want.partition(":")
    return (country == v) if kind == "country" else (aid == v)


def _event_ok(ev: Event, conds: dict[str, list[list[str]]]) -> bool:
    if any(ev.type not in alts for alts in conds.get("type", [])):
        return False

    def sides(src: tuple[str | None, str | None], tgt: tuple[str | None, str | None]) -> bool:
        return all(any(_side_ok(w, *src) for w in alts) for alts in conds.get("source", [])) and all(
            any(_side_ok(w, *tgt) for w in alts) for alts in conds.get("target", [])
        )

    s, t = (ev.source_id, ev.source_country), (ev.target_id, ev.target_country)
    return sides(s, t) or (ev.symmetric and sides(t, s))


# A sentence ends at . ! or ? (with any closing quotes or brackets) before white space and a capital or digit,
# or at a paragraph break.
_SENT_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\n")


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of *text* holding [start, end): from the previous sentence end to the next."""
    s = 0
    for m in _SENT_END.finditer(text, 0, min(len(text), start + 4)):  # a little past, for the look-ahead
        if m.end() <= start:
            s = m.end()
    m = _SENT_END.search(text, max(start, end - 1))
    e = m.end() if m else len(text)
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def evaluate(conditions: list[tuple[str, list[str]]], f: ArticleFacts) -> dict[str, Any] | None:
    """``{"evidence": {...}, "matched": {...}}`` when every condition holds, else None."""
    grouped: dict[str, list[list[str]]] = {}
    for key, alts in conditions:
        grouped.setdefault(key, []).append(alts)
    found: list[list[tuple[int, int]]] = []  # per condition, the body spans that satisfy it
    in_title = False
    matched: dict[str, Any] = {}
    prefer: tuple[int, int] | None = None
    if any(k in grouped for k in _EVENT_KEYS):
        ev = next((e for e in f.events if _event_ok(e, grouped)), None)
        if ev is None:
            return None
        prefer = (ev.sentence_start, ev.sentence_end)
        matched["event"] = {"type": ev.type, "source": ev.source_name, "target": ev.target_name, "trigger": ev.trigger}
    for alts in grouped.get("actor", []):
        hits = [(m.start, m.end, m.actor_name or m.text) for m in f.mentions if any(_side_ok(w, m.actor_id, m.country) for w in alts)]
        hits += [(q.start, q.end, q.speaker_name) for q in f.quotes
                 if not q.in_title and any(_side_ok(w, q.speaker_id, q.speaker_country) for w in alts)]  # fmt: skip
        if not hits:
            return None
        found.append([(a, b) for a, b, _ in hits])
        matched.setdefault("actor", []).append(hits[0][2])
    for alts in grouped.get("theme", []):
        th = next((t for t in f.themes if t["theme"] in alts), None)
        if th is None:
            return None
        found.append([(x["start"], x["end"]) for x in th["evidence"]])
        matched.setdefault("theme", []).append({"theme": th["theme"], "score": th["score"]})
    for alts in grouped.get("outlet", []):
        names = " ".join(x for x in (f.outlet, f.outlet_domain) if x).casefold()
        if not any(a.casefold() in names for a in alts):
            return None
        matched["outlet"] = f.outlet or f.outlet_domain
    for alts in grouped.get("keyword", []):
        rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)", re.I)
        hits = [(m.start(), m.end(), m.group(0)) for m in rx.finditer(f.body)]
        if not hits:
            m = rx.search(f.title)
            if m is None:
                return None
            in_title = True
            hits = [(m.start(), m.end(), m.group(0))]
        else:
            found.append([(a, b) for a, b, _ in hits])
        matched.setdefault("keyword", []).append(hits[0][2])
    return {"evidence": _evidence(f, found, prefer, in_title), "matched": matched}


def _evidence(f: ArticleFacts, found: list[list[tuple[int, int]]], prefer: tuple[int, int] | None,
              in_title: bool) -> dict[str, Any]:
    """The sentence of the matched event; else the body sentence that satisfies the most conditions at once (the
    earliest on a tie); else the title, when a keyword is only there; else the lead sentence (an outlet-only rule)."""
    if prefer is not None:
        s, e = prefer
        return {"sentence": f.body[s:e], "start": s, "end": e, "in_title": False}
    spans = [sp for cond in found for sp in cond[:50]]
    if spans:
        def covered(se: tuple[int, int]) -> int:
            return sum(any(se[0] <= a and b <= se[1] for a, b in cond) for cond in found)

        best = max((sentence_around(f.body, a, b) for a, b in spans), key=lambda se: (covered(se), -se[0]))
        return {"sentence": f.body[best[0]:best[1]], "start": best[0], "end": best[1], "in_title": False}
    if in_title or not f.body:
        return {"sentence": f.title, "start": 0, "end": len(f.title), "in_title": True}
    s, e = sentence_around(f.body, 0, 0)
    return {"sentence": f.body[s:e], "start": s, "end": e, "in_title": False}
