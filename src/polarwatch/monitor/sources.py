"""Sources to poll: the default list (``data/sources.csv``) with the user's additions and removals from the store."""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from .state import MonitorState

KINDS = ("feed", "sitemap")


class SourceError(ValueError):
    pass


@dataclass(slots=True, frozen=True)
class Source:
    id: str
    url: str
    kind: str  # feed | sitemap
    outlet: str | None = None  # outlet domain, as in data/outlets.csv
    origin: str = "default"  # default | user
    enabled: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def defaults() -> tuple[Source, ...]:
    """The shipped sources, checked: unique ids, http(s) URLs, known kinds."""
    text = resources.files("polarwatch").joinpath("data").joinpath("sources.csv").read_text("utf-8")
    out: list[Source] = []
    ids: set[str] = set()
    for n, row in enumerate(csv.DictReader(text.splitlines()), 2):
        sid, url, kind = (row.get("id") or "").strip(), (row.get("url") or "").strip(), (row.get("kind") or "").strip()
        if not sid or sid in ids or kind not in KINDS or urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"data/sources.csv line {n}: needs a unique id, kind feed|sitemap and an http(s) url")
        ids.add(sid)
        out.append(Source(sid, url, kind, (row.get("outlet") or "").strip() or None))
    return tuple(out)


def all_sources(state: MonitorState) -> list[Source]:
    """Defaults overlaid with the store's rows (a user's source, or a default switched off), by id."""
    by_id = {s.id: s for s in defaults()}
    for r in state.source_rows():
        by_id[r["id"]] = Source(r["id"], r["url"], r["kind"], r["outlet"], r["origin"], bool(r["enabled"]))
    return sorted(by_id.values(), key=lambda s: s.id)


def _slug(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "source").removeprefix("www.")
    path = re.sub(r"[^a-z0-9]+", "-", parts.path.lower()).strip("-")
    return re.sub(r"-+", "-", f"{host.replace('.', '-')}-{path}".strip("-"))[:60]


def add_source(state: MonitorState, url: str, kind: str = "feed", sid: str | None = None, outlet: str | None = None) -> Source:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) URL: {url!r}")
    if kind not in KINDS:
        raise SourceError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    sid = (sid or _slug(url)).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", sid):
        raise SourceError(f"bad source id {sid!r}: use lower-case letters, digits, '.', '_' and '-'")
    current = {s.id: s for s in all_sources(state)}
    if sid in current and current[sid].enabled and current[sid].url != url:
        raise SourceError(f"source id {sid!r} is taken by {current[sid].url}; pass another --id")
    if outlet is None:
        from .. import outlets

        found = outlets.by_url(url)
        outlet = found.domain if found else None
    src = Source(sid, url, kind, outlet, "user", True)
    state.put_source(sid, url, kind, outlet, "user", True)
    return src


def remove_source(state: MonitorState, sid: str) -> Source:
    """Remove a user's source, or switch a default one off (``add`` with its URL brings it back)."""
    current = {s.id: s for s in all_sources(state)}
    src = current.get(sid)
    if src is None or not src.enabled:
        raise SourceError(f"no source {sid!r} (see `polarwatch sources list`)")
    default = next((d for d in defaults() if d.id == sid), None)
    if default is None:
        state.delete_source(sid)
    else:
        state.put_source(sid, default.url, default.kind, default.outlet, "default", False)
    return src
