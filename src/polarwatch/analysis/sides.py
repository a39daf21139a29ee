"""Sides of a comparison: a set of outlets, or an outlet bloc (countries and/or kinds of outlet).

A side is written ``country=RU;kind=state-controlled`` (the API and the CLI take this form), or as a
bloc id from :func:`outlet_blocs` (``RU/state-controlled``, ``nordic/public-broadcaster``). An article
belongs to a side when it matches every field the side sets; within one field any value matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..outlets import KINDS, registry

# Regions that group outlet countries into blocs larger than one country.
REGIONS: dict[str, tuple[str, ...]] = {
    "nordic": ("DK", "FI", "FO", "GL", "IS", "NO", "SE"),
    "north-america": ("CA", "US"),
    "russia": ("RU",),
    "china": ("CN", "HK"),
    "western-europe": ("BE", "DE", "FR", "GB", "IE", "NL"),
}


class SideError(ValueError):
    """A side could not be read (unknown field, empty side, unknown kind or bloc)."""


@dataclass(slots=True, frozen=True)
class Side:
    """A set of articles by who published them: outlet names or domains, outlet countries, outlet kinds."""

    name: str
    outlets: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.outlets or self.countries or self.kinds):
            raise SideError(f"side {self.name!r} names no outlet, country or kind")
        bad = [k for k in self.kinds if k not in KINDS]
        if bad:
            raise SideError(f"side {self.name!r}: unknown outlet kind {bad[0]!r} (one of {', '.join(KINDS)})")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "outlets": list(self.outlets), "countries": list(self.countries), "kinds": list(self.kinds)}

    def spec(self) -> str | None:
        """The side written as :func:`parse_side` reads it back to the same articles (the ``side`` filter of the
        list endpoints); None when a value holds one of the syntax's separators (``,`` ``;`` ``=``)."""
        values = [*self.outlets, *self.countries, *self.kinds]
        if any(c in v for v in values for c in ",;=") or any(v != v.strip() or not v for v in values) or any(c != c.upper() for c in self.countries):
            return None
        parts = [f"{k}={','.join(v)}" for k, v in (("outlet", self.outlets), ("country", self.countries), ("kind", self.kinds)) if v]
        return ";".join(parts)

    def sql(self, alias: str = "a") -> tuple[str, list[Any]]:
        """A WHERE condition over the articles table (aliased *alias*) and its parameters."""
        conds: list[str] = []
        args: list[Any] = []
        if self.outlets:
            names = [o.lower() for o in self.outlets]
            marks = ", ".join("?" * len(names))
            conds.append(f"(lower({alias}.outlet_name) IN ({marks}) OR lower({alias}.outlet_domain) IN ({marks}))")
            args += names + names
        if self.countries:
            conds.append(f"{alias}.outlet_country IN ({', '.join('?' * len(self.countries))})")
            args += list(self.countries)
        if self.kinds:
            conds.append(f"{alias}.outlet_kind IN ({', '.join('?' * len(self.kinds))})")
            args += list(self.kinds)
        return "(" + " AND ".join(conds) + ")", args


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parse_side(spec: str, name: str | None = None) -> Side:
    """A side from ``outlet=TASS,RT;country=RU;kind=state-controlled``, or from a bloc id
    (``RU/state-controlled``, ``nordic/public-broadcaster``, ``NO``, ``nordic``)."""
    spec = spec.strip()
    if not spec:
        raise SideError("empty side")
    if "=" not in spec:
        return bloc_side(spec, name)
    fields: dict[str, tuple[str, ...]] = {}
    for part in spec.split(";"):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key not in ("outlet", "country", "kind", "region"):
            raise SideError(f"unknown side field {key!r} (outlet, country, kind or region)")
        fields[key] = fields.get(key, ()) + _split(value)
    countries = tuple(c.upper() for c in fields.get("country", ()))
    for r in fields.get("region", ()):
        if r.lower() not in REGIONS:
            raise SideError(f"unknown region {r!r} (one of {', '.join(REGIONS)})")
        countries += REGIONS[r.lower()]
    return Side(name or spec, fields.get("outlet", ()), tuple(dict.fromkeys(countries)), fields.get("kind", ()))


def bloc_side(bloc: str, name: str | None = None) -> Side:
    """The side of a bloc id: ``COUNTRY`` or ``region``, optionally followed by ``/kind``."""
    where, _, kind = bloc.partition("/")
    where = where.strip()
    countries = REGIONS.get(where.lower()) or ((where.upper(),) if len(where) == 2 and where.isalpha() else None)
    if countries is None:
        raise SideError(f"unknown bloc {bloc!r}: expected a country code or a region ({', '.join(REGIONS)}), then /kind")
    return Side(name or bloc, (), tuple(countries), (kind.strip(),) if kind.strip() else ())


@dataclass(slots=True)
class Bloc:
    id: str
    name: str
    countries: list[str]
    kinds: list[str]
    outlets: list[str] = field(default_factory=list)
    articles: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "countries": self.countries, "kinds": self.kinds,
                "outlets": self.outlets, "articles": self.articles}  # fmt: skip


def outlet_blocs(store: Any, *, min_articles: int = 0) -> list[dict[str, Any]]:
    """Outlet blocs from the outlet registry and the stored articles: one per (country, kind) and per
    (region, kind), with their outlets and the number of stored articles; most articles first.

    Each bloc's ``id`` is accepted by :func:`parse_side` (``RU/state-controlled``)."""
    from .queries import outlet_counts

    counts = outlet_counts(store)
    blocs: dict[str, Bloc] = {}

    def add(key: str, label: str, countries: list[str], kind: str, outlet: str, n: int) -> None:
        b = blocs.setdefault(key, Bloc(key, label, countries, [kind]))
        if outlet not in b.outlets:
            b.outlets.append(outlet)
        b.articles += n

    seen: set[tuple[str, str, str]] = set()
    rows = [(r["country"], r["kind"], r["name"], r["articles"]) for r in counts if r["country"] and r["kind"]]
    rows += [(e.country, e.kind, e.name, 0) for e in registry()]
    for country, kind, outlet, n in rows:
        if (country, kind, outlet) in seen and n == 0:
            continue
        seen.add((country, kind, outlet))
        add(f"{country}/{kind}", f"{country} {kind}", [country], kind, outlet, n)
        for region, members in REGIONS.items():
            if country in members and len(members) > 1:
                add(f"{region}/{kind}", f"{region} {kind}", list(members), kind, outlet, n)
    out = [b for b in blocs.values() if b.articles >= min_articles]
    for b in out:
        b.outlets.sort()
    out.sort(key=lambda b: (-b.articles, b.id))
    return [b.as_dict() for b in out]
