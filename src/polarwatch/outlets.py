"""The outlet registry (``data/outlets.csv``): who published an article.

An article's outlet comes from its URL's domain. Without a URL, an outlet
named in the page furniture (a comment notice, a copyright line, a wire
dateline) is taken with lower confidence and marked as inferred; outlets
named in a related-stories list or in the body are sources cited, not the
publisher, and are ignored.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from .records import Outlet, Removal

KINDS = ("state-controlled", "public-broadcaster", "private", "wire", "think-tank", "arctic-specialist", "nonprofit")
# Removal rules whose text speaks for the publisher of the page.
_PUBLISHER_RULES = ("comment_notice", "copyright", "reprint", "credits", "email_notice", "newsletter", "share")


@dataclass(slots=True, frozen=True)
class OutletEntry:
    domains: tuple[str, ...]
    name: str
    country: str
    kind: str
    language: str
    aliases: tuple[str, ...]

    def outlet(self, domain: str | None, confidence: float = 1.0, inferred: bool = False) -> Outlet:
        return Outlet(domain or self.domains[0], self.name, self.country, self.kind, self.language, confidence, inferred)


@lru_cache(maxsize=1)
def registry() -> tuple[OutletEntry, ...]:
    text = resources.files("polarwatch").joinpath("data/outlets.csv").read_text("utf-8")
    out = []
    for n, row in enumerate(csv.DictReader(text.splitlines()), 2):
        if row.get("kind") not in KINDS:
            raise ValueError(f"data/outlets.csv line {n}: kind {row.get('kind')!r} is not one of {', '.join(KINDS)}")
        out.append(
            OutletEntry(
                domains=tuple(d.strip().lower() for d in row["domains"].split("|") if d.strip()),
                name=row["name"].strip(),
                country=row["country"].strip().upper(),
                kind=row["kind"],
                language=row["language"].strip(),
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _by_domain() -> dict[str, OutletEntry]:
    return {d: e for e in registry() for d in e.domains}


@lru_cache(maxsize=1)
def _name_pattern() -> tuple[re.Pattern[str], dict[str, OutletEntry]]:
    names: dict[str, OutletEntry] = {}
    for e in registry():
        for n in (e.name, *e.aliases):
            if len(n) >= 3:
                names[n.casefold()] = e
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w])({alts})(?![\w])", re.I), names


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


def by_url(url: str | None) -> Outlet | None:
    """The registry outlet of a URL (sub-domains match their parent), or an unknown one by domain."""
    host = domain_of(url)
    if not host:
        return None
    labels = host.split(".")
    table = _by_domain()
    for i in range(len(labels) - 1):
        cand = ".".join(labels[i:])
        if cand in table:
            return table[cand].outlet(host)
    return Outlet(host, host, confidence=1.0)


def by_name(name: str | None) -> Outlet | None:
    """The registry outlet called *name* (exactly, or as an alias)."""
    if not name:
        return None
    _, names = _name_pattern()
    e = names.get(name.strip().casefold())
    return e.outlet(None) if e else None


def infer(paragraphs: list[str], removed: list[Removal]) -> Outlet | None:
    """An outlet named where the publisher speaks for itself; confidence below 1, marked inferred."""
    pat, names = _name_pattern()
    for r in removed:
        if r.rule in _PUBLISHER_RULES and (m := pat.search(r.text)):
            return names[m.group(1).casefold()].outlet(None, confidence=0.6, inferred=True)
    # A wire dateline at the top: "OSLO (Reuters) -", "MOSCOW, March 3. /TASS/."
    if paragraphs:
        head = paragraphs[0][:160]
        m = re.search(r"[(/]\s*([A-Z][\w .'-]{1,40}?)\s*[)/]\s*(-|–|—|\.)", head)
        if m and (e := names.get(m.group(1).strip().casefold())):
            return e.outlet(None, confidence=0.7, inferred=True)
    return None


def resolve(url: str | None, hint: str | None, paragraphs: list[str], removed: list[Removal]) -> Outlet | None:
    """URL first, then an outlet the input names explicitly, then inference from the page."""
    o = by_url(url)
    if o and o.country:
        return o
    named = by_name(hint)
    if named:
        named.domain = (o.domain if o else None) or named.domain
        return named
    if o:
        if hint:
            o.name = hint.strip()
        return o
    if hint:
        return Outlet(None, hint.strip(), confidence=0.9)
    return infer(paragraphs, removed)
