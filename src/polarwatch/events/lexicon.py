"""The event coder's data and its actors: the trigger lexicon, the world table of countries, the
non-state groups, and the actors of a paragraph resolved to countries (docs/events.md).

Data files (``src/polarwatch/data/``): ``event_triggers.csv`` (a lemma or phrase, the type and mode,
context words the sentence must hold), ``event_modes.csv`` (the mode a type takes from context words),
``event_countries.csv`` (ISO and CAMEO codes, names, capitals, demonyms) and ``event_groups.csv``
(armed and political groups with the country they come from).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..records import EVENT_TYPES

TYPES = EVENT_TYPES
_GAP = ("*",)
_BE = ("be", "is", "are", "was", "were", "been", "being", "am", "'s", "’s", "'re", "’re")
_SKIP_KINDS = {"place", "region"}


@dataclass(slots=True, frozen=True)
class Trigger:
    slots: tuple[tuple[str, ...], ...]  # word alternatives per position; ("*",) is a gap of up to four words
    type: str
    mode: str | None
    pos: str  # verb, noun, adj, phrase
    stance: bool  # the source is whoever asserts the sentence ("X is misplaced")
    needs: frozenset[str]
    line: int

    @property
    def weight(self) -> int:
        return sum(1 for s in self.slots if s != _GAP) * 2 + (1 if self.needs else 0)


@dataclass(slots=True)
class Ref:
    """An actor named in a paragraph: character span (paragraph offsets) and what it resolves to."""

    start: int
    end: int
    text: str
    id: str | None
    name: str | None
    country: str | None
    kind: str


def _inflect(lemma: str) -> set[str]:
    """Regular verb forms of *lemma*, generously (a spare form costs nothing)."""
    out = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        out |= {lemma[:-1] + "ing", lemma + "d"}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    if lemma.endswith("ie"):
        out.add(lemma[:-2] + "ying")
    return out


def _plural(noun: str) -> set[str]:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return {noun, noun[:-1] + "ies"}
    return {noun, noun + "s", noun + "es"}


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[Trigger]]:
    """First word form (lower case) -> the triggers that can start there."""
    text = resources.files("polarwatch").joinpath("data/event_triggers.csv").read_text("utf-8")
    index: dict[str, list[Trigger]] = {}
    for n, row in enumerate(csv.DictReader(text.splitlines()), 2):
        typ = row["type"].strip()
        if typ not in TYPES:
            raise ValueError(f"data/event_triggers.csv line {n}: unknown event type {typ!r}")
        words = row["pattern"].split()
        slots = tuple(_GAP if w == "*" else tuple(w.lower().split("|")) for w in words)
        pos = row["pos"].strip() or "verb"
        first = set(slots[0])
        if slots[0] == ("be",):
            first = set(_BE)
        elif pos == "verb":
            first = {f for w in slots[0] for f in _inflect(w)}
        elif pos == "noun" and len(slots) == 1:
            first = {f for w in slots[0] for f in _plural(w)}
        first |= {f.lower() for f in (row.get("forms") or "").split("|") if f}
        trig = Trigger(slots, typ, row["mode"].strip() or None, pos, row["role"].strip() == "stance",
                       frozenset(w.lower() for w in (row.get("needs") or "").split("|") if w), n)  # fmt: skip
        for f in first:
            index.setdefault(f, []).append(trig)
    return index


@dataclass(slots=True, frozen=True)
class Country:
    iso2: str
    iso3: str
    name: str


@lru_cache(maxsize=1)
def world() -> tuple[dict[str, Country], re.Pattern[str], dict[str, str]]:
    """(code -> country for ISO-2, ISO-3 and alternative codes; a pattern for names, capitals and demonyms; surface -> ISO-2)."""
    codes: dict[str, Country] = {}
    forms: dict[str, str] = {}
    for row in _rows("event_countries.csv"):
        c = Country(row["iso2"], row["iso3"], row["name"])
        for code in (row["iso2"], row["iso3"], *row["alt_codes"].split("|")):
            if code:
                codes[code.upper()] = c
        for f in (row["name"], *row["aliases"].split("|"), *row["demonyms"].split("|")):
            f = f.strip()
            if f:
                forms.setdefault(f, c.iso2)
    return codes, _surface_pattern(forms), forms


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(resources.files("polarwatch").joinpath(f"data/{name}").read_text("utf-8").splitlines()))


def _surface_pattern(forms: dict[str, Any]) -> re.Pattern[str]:
    """Any of *forms* as a whole word, longest first, with an optional "the" before it.

    The forms are factored by prefix (``trie_alternation``): the same matches as a flat alternation sorted
    longest first, 5.8x faster over the world table's ~800 names, capitals and demonyms (9,108 paragraphs,
    docs/benchmarks.md "Extraction stage")."""
    from ..nlp.actors import trie_alternation

    return re.compile(rf"(?<![\w.])(?:the\s+)?({trie_alternation(forms)})(?![\w])")


@lru_cache(maxsize=1)
def demonyms() -> frozenset[str]:
    """The demonyms of the world table ("Albanian", "Albanians"), which name people rather than a state."""
    return frozenset(d.strip() for row in _rows("event_countries.csv") for d in row["demonyms"].split("|") if d.strip())


@lru_cache(maxsize=1)
def groups() -> tuple[dict[str, tuple[str, str]], re.Pattern[str]]:
    """Non-state groups coded by the country they come from (``data/event_groups.csv``): surface -> (name, ISO-2), and a pattern."""
    forms = {f.strip(): (row["name"].strip(), row["country"].strip())
             for row in reversed(_rows("event_groups.csv")) for f in (row["name"], *row["aliases"].split("|")) if f.strip()}  # fmt: skip
    return forms, _surface_pattern(forms)


def country_code(code: str | None) -> str | None:
    """ISO-2 for an ISO-2, ISO-3 or CAMEO-style country code; a sector suffix is ignored ("USAGOV" -> "US")."""
    if not code:
        return None
    codes = world()[0]
    code = code.strip().upper()
    if code in codes:
        return codes[code].iso2
    return codes[code[:3]].iso2 if len(code) > 3 and code[:3] in codes else None


# --- sentences and actors -------------------------------------------------------


def _paragraph_refs(para: str, base: int, mentions: list[Any], doc: Any) -> list[Ref]:
    """The actors of one paragraph: its mentions, then world-table countries and demonyms not already covered."""
    refs = []
    for m in mentions:
        if m.kind in _SKIP_KINDS or not (m.actor_id or m.country):
            continue
        refs.append(Ref(m.start - base, m.end - base, m.text, m.actor_id, m.actor_name, m.country, m.kind))
    codes, rx, forms = world()
    gforms, grx = groups()
    for r in refs:  # organisations the registry does not place: a group's home country, a national institution's
        if r.country is None and r.kind == "person" and (x := rx.fullmatch(r.text)) is not None and x.group(1) not in demonyms():
            iso = forms[x.group(1)]  # NER took "Sri Lanka" for a person
            r.id, r.name, r.country, r.kind = f"country:{iso}", codes[iso].name, iso, "country"
        elif r.country is None and r.kind != "person":
            g = gforms.get(re.sub(r"^[Tt]he\s+|['’]s$", "", r.text))
            r.country = g[1] if g is not None else _institution_country(r.text)
    persons = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
    taken = [(r.start, r.end) for r in refs]
    for x in grx.finditer(para):
        s, e = x.start(1), x.end(1)
        if not any(a < e and s < b for a, b in taken):
            name, iso = gforms[x.group(1)]
            refs.append(Ref(s, e, x.group(1), f"group:{_slug(name)}", name, iso, "group"))
            taken.append((s, e))
    for x in rx.finditer(para):
        s, e = x.start(1), x.end(1)
        if any(a < e and s < b for a, b in taken) or any(a <= s and e <= b and (a, b) != (s, e) for a, b in persons):
            continue
        if re.search(r"(?:\b(?:pro|anti|non|ex)-)$", para[max(0, s - 5) : s], re.I):
            continue  # "pro-Russian", "anti-American": a stance, not an actor
        iso = forms[x.group(1)]
        c = codes[iso]
        refs.append(Ref(s, e, x.group(1), f"country:{iso}", c.name, iso, "country"))
    refs.sort(key=lambda r: r.start)
    refs = _residence(para, refs)
    for r in refs:
        if r.kind == "person" and not r.country:
            r.country = _country_before(para, r.start, r.end, refs)
    return refs


def _institution_country(name: str) -> str | None:
    """The country a name puts an institution in: a country or demonym opening it ("Nigerian Interior
    Ministry", "Sri Lanka", "Serbian Workers' Union") or a country closing it ("University of Iceland");
    "Organization of American States" names no country."""
    _, rx, forms = world()
    dem = demonyms()
    head = rx.match(name)
    if head is not None:
        return forms[head.group(1)]
    tail = re.search(r"\bof\s+(?:the\s+)?(.+)$", name)
    if tail is not None and (x := rx.fullmatch(tail.group(1))) is not None and x.group(1) not in dem:
        return forms[x.group(1)]
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _residence(para: str, refs: list[Ref]) -> list[Ref]:
    """People named by ethnicity are coded by where they live, not by the state of their demonym:
    "ethnic Albanians in southern Serbia" -> Serbia, "Croatian Serb refugees" -> Croatia; an ethnic
    group with no place named is no state actor ("ethnic Turks")."""
    dem = demonyms()
    out: list[Ref] = []
    for i, r in enumerate(refs):
        if r.kind != "country" or r.text not in dem:
            out.append(r)
            continue
        if out and out[-1].kind == "country" and out[-1].text in dem and re.fullmatch(r"\s+", para[out[-1].end : r.start]):
            continue  # "Croatian Serb", "Iraqi Kurdish": the first demonym is the residence
        if not re.search(r"\bethnic\s+$", para[max(0, r.start - 8) : r.start], re.I):
            out.append(r)
            continue
        place = next((x for x in refs[i + 1 :] if x.kind == "country" and x.text not in dem and x.start - r.end <= 50
                      and re.fullmatch(r"[\w\s-]*?\b(?:in|of|from)\s+(?:the\s+)?(?:(?:north|south|east|west)\w*\s+)?", para[r.end : x.start], re.I)), None)  # fmt: skip
        if place is not None:
            out.append(Ref(r.start, r.end, r.text, place.id, place.name, place.country, "country"))
    return out


def _country_before(para: str, start: int, end: int, refs: list[Ref]) -> str | None:
    """The country a title ties a person to: a country or demonym right before the name ("Estonian
    Defence Minister Tiit Vaher", "Norway's prime minister, Ola …") or "of <country>" right after ("Crown Prince Erik
    of Norway")."""
    for r in reversed(refs):
        if r.kind == "country" and r.end <= start and start - r.end <= 40 and not re.search(r"[;.()]|\band\b|,.*,", para[r.end : start]):
            return r.country
    for r in refs:
        if r.kind == "country" and r.start >= end and re.fullmatch(r",?\s*(?:the\s+)?(?:[A-Z][\w-]*\s+)*of\s+(?:the\s+)?", para[end : r.start]):
            return r.country
    return None


@lru_cache(maxsize=1)
def _mode_words() -> dict[str, list[tuple[str, frozenset[str]]]]:
    """Type -> [(mode, context words)] in file order; an empty word list is the default mode."""
    text = resources.files("polarwatch").joinpath("data/event_modes.csv").read_text("utf-8")
    out: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for row in csv.DictReader(text.splitlines()):
        out.setdefault(row["type"], []).append((row["mode"], frozenset(w for w in row["words"].split("|") if w)))
    return out


def _mode(typ: str, words: set[str]) -> str | None:
    for mode, ws in _mode_words().get(typ, []):
        if not ws or ws & words:
            return mode
    return None



__all__ = ["TYPES", "Trigger", "Ref", "Country", "lexicon", "world", "demonyms", "groups", "country_code"]
