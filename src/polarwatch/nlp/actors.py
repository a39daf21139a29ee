"""The actor registry (``data/actors.csv``) and finding its actors in text.

Surface forms are matched case-sensitively (so "US" is not "us"), with an
optional leading "the" and a possessive ending. Demonyms ("Russian",
"Chinese") tie descriptions to countries ("the US leader", "Russian
professor") without being actors themselves.

A head of state or government named as the label of an executive ("the
Trump administration", "the Støre government", "Frederiksen's government",
"the Kristersson-led cabinet") is a metonym: the match covers the whole phrase and links to the
country (administration, regime) or its cabinet (government, cabinet), not
to the person.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(slots=True, frozen=True)
class Actor:
    id: str
    name: str
    type: str
    country: str | None
    role: str | None
    aliases: tuple[str, ...]
    parent: str | None

    @property
    def is_person(self) -> bool:
        return self.type == "person"

    def surname(self) -> str:
        return self.name.split()[-1] if self.is_person else self.name


def trie_alternation(forms: Iterable[str]) -> str:
    """A regex matching any of *forms*, factored by common prefix, that tries the longest form first.

    A flat alternation of ~1,700 forms is tried form by form at every position of the text; the
    factored one reads each character once per position. The two match the same: forms that can both
    match at one position are prefixes of one another, and the trie tries the longer one first (a
    greedy optional tail), as the flat alternation sorted by length does, falling back to the shorter
    one when what follows rejects the longer. That holds for a pattern compiled case-sensitively, as
    every caller's is: under ``re.IGNORECASE``, forms that differ only in case would share a position
    without being prefixes of one another in the trie, and could be tried in another order.
    """
    trie: dict[str, Any] = {}
    for f in forms:
        node = trie
        for ch in f:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            child, lit = node[ch], re.escape(ch)
            while len(child) == 1 and "" not in child:  # a chain with no form ending inside: one literal
                (nxt, child), = child.items()
                lit += re.escape(nxt)
            branches.append(lit + pattern(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return pattern(trie)


@dataclass(slots=True, frozen=True)
class Match:
    start: int
    end: int
    text: str
    actor: Actor


class ActorRegistry:
    def __init__(self, actors: list[Actor], demonyms: dict[str, str]) -> None:
        self.actors = {a.id: a for a in actors}
        self.demonyms = demonyms
        forms: dict[str, Actor] = {}
        for a in actors:
            for f in (a.name, *a.aliases):
                f = f.strip()
                for v in {f, f.replace("'", "’")}:  # news text uses both apostrophes
                    if len(v) >= 2 and v not in forms:
                        forms[v] = a
        self.forms = forms
        # "the Kremlin", "Pentagon’s", "U.S." — the form must not sit inside a longer word.
        self._rx = re.compile(rf"(?<![\w.])(?:[Tt]he\s+)?({trie_alternation(forms)})(?=['’]s\b|[^\w]|$)")
        dem = "|".join(re.escape(d) for d in sorted(demonyms, key=len, reverse=True))
        self._dem_rx = re.compile(rf"(?<![\w-])({dem})(?![\w])")
        self._leaders = {a.id: lead for a in actors if a.is_person and (lead := self._leads(a)) is not None}

    def _leads(self, person: Actor) -> str | None:
        """The country a head of state or government leads, from the role ("President of Finland" -> FI)."""
        m = _LEADER_ROLE.match(person.role or "")
        if not m or not person.country:
            return None
        led = self.lookup(m.group(1))
        return person.country if led is not None and led.type == "country" and led.country == person.country else None

    def executive(self, code: str, word: str) -> Actor | None:
        """The actor an executive metonym stands for: the cabinet for "government"/"cabinet", else the country."""
        country = self.country_actor(code)
        if word.lower() in ("government", "cabinet"):
            for a in self.actors.values():
                if a.type == "government" and a.country == code and a.parent == (country.id if country else None) and _CABINET.search(f"{a.role} {a.name}"):
                    return a
        return country

    def find(self, text: str) -> list[Match]:
        """Every registry actor mentioned in *text*, longest form first, no overlaps."""
        out = []
        for m in self._rx.finditer(text):
            actor, end = self.forms[m.group(1)], m.end(1)
            code = self._leaders.get(actor.id)
            if code and (ex := _EXECUTIVE.match(text, end)) and (led := self.executive(code, ex.group(1))):
                actor, end = led, ex.end()
            out.append(Match(m.start(), end, text[m.start() : end], actor))
        return out

    def lookup(self, form: str) -> Actor | None:
        f = re.sub(r"^[Tt]he\s+", "", form.strip())
        f = re.sub(r"['’]s$", "", f)
        return self.forms.get(f)

    def demonym_country(self, text: str) -> str | None:
        """The country of the first demonym or registry country in *text* ("Russian Academy…" -> RU)."""
        m = self._dem_rx.search(text)
        if m:
            return self.demonyms[m.group(1)]
        for x in self.find(text):
            if x.actor.country:
                return x.actor.country
        return None

    def country_actor(self, code: str | None) -> Actor | None:
        return self.actors.get(code.lower()) if code else None


# A role that heads a state or government: "President of Russia", "Prime Minister of the United Kingdom".
_LEADER_ROLE = re.compile(r"^(?:President|Prime Minister|Premier|Chancellor) of (?:the )?(.+)$")
_CABINET = re.compile(r"cabinet|Government of", re.I)
# What may follow a leader's name to make it a label of the executive ("Trump administration", "Orpo-led government").
_EXECUTIVE = re.compile(r"(?:['’]s|\s*[-–]\s*led)?\s+(administration|government|cabinet|Administration|Government|Cabinet|regime)\b")


@lru_cache(maxsize=1)
def registry() -> ActorRegistry:
    pkg = resources.files("polarwatch").joinpath("data")
    actors = []
    for n, row in enumerate(csv.DictReader(pkg.joinpath("actors.csv").read_text("utf-8").splitlines()), 2):
        if not row.get("id") or not row.get("name"):
            raise ValueError(f"data/actors.csv line {n}: id and name are required")
        actors.append(
            Actor(
                id=row["id"].strip(),
                name=row["name"].strip(),
                type=row["type"].strip(),
                country=(row.get("country") or "").strip() or None,
                role=(row.get("role") or "").strip() or None,
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                parent=(row.get("parent") or "").strip() or None,
            )
        )
    dem = {r["word"]: r["country"] for r in csv.DictReader(pkg.joinpath("demonyms.csv").read_text("utf-8").splitlines())}
    return ActorRegistry(actors, dem)
