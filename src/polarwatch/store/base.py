"""The storage interface: one small set of operations every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from ..records import Article
from ..registry import Registry


class StoreError(Exception):
    """A store could not be opened or used (bad URL, newer schema, missing driver)."""


@dataclass(slots=True, frozen=True)
class ArticleFilter:
    outlet: str | None = None  # outlet name or domain, case-insensitive substring
    country: str | None = None  # outlet country, ISO-2
    kind: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive


@dataclass(slots=True)
class StoredArticle:
    """An article as read back, with what the store adds."""

    article: Article
    ingested_at: str
    sources_detail: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, raw: bool = False) -> dict[str, Any]:
        d = self.article.as_dict(raw=raw)
        d["source"] = self.sources_detail[0] if self.sources_detail else None
        d["sources"] = self.sources_detail
        d["ingested_at"] = self.ingested_at
        return d


@dataclass(slots=True)
class SearchHit:
    id: str
    title: str | None
    published: str | None
    outlet: str | None
    country: str | None
    score: float
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "published": self.published, "outlet": self.outlet,
            "country": self.country, "score": self.score, "snippet": self.snippet,
        }  # fmt: skip


# Search snippets mark matches with these; surfaces turn them into bold, « », or HTML.
MARK_START, MARK_END = "\x02", "\x03"


class Store(ABC):
    """What the pipeline and the surfaces need from storage."""

    @abstractmethod
    def put_articles(self, articles: list[Article]) -> list[str]:
        """Store a batch in one transaction; per article 'new', 'duplicate' or 'updated'."""

    @abstractmethod
    def get_article(self, id_or_prefix: str) -> StoredArticle | None:
        """An article by id, or by a unique id prefix of at least 6 characters."""

    @abstractmethod
    def list_articles(self, flt: ArticleFilter = ArticleFilter(), limit: int = 50, offset: int = 0) -> list[StoredArticle]:
        """Articles newest first (undated last)."""

    @abstractmethod
    def search(self, query: str, flt: ArticleFilter = ArticleFilter(), limit: int = 20) -> list[SearchHit]:
        """Ranked full-text search with marked snippets."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts by outlet and country, for summaries."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


stores: Registry[type[Store]] = Registry("store")


class AmbiguousId(StoreError):
    pass
