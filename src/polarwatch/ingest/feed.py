"""RSS and Atom feed files: one article per entry.

An entry with full content gives the article text; one with only a summary
gives the summary, marked ``summary_only`` so later stages know it is partial.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import feedparser

from ..config import Settings
from ..records import RawDoc, Rejected
from .base import Blob, Item, register_reader, too_big
from .html import fragment_paragraphs

_FEED = re.compile(rb"<\s*(rss|feed|rdf:RDF)\b", re.I)


def _date(entry: dict) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            return time.strftime("%Y-%m-%d", t)
    return None


@register_reader
class FeedReader:
    name = "feed"
    extensions = ("rss", "atom", "xml", "rdf")

    def sniff(self, head: bytes) -> int:
        # A feed starts with markup; "<rss" further on may be inside a JSONL or CSV record.
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return 0
        return 2 if _FEED.search(head[:2048]) else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        with blob.open() as fh:
            # A feed holds many articles; its limit is per entry, the file may be larger.
            data = fh.read(settings.max_article_bytes * 20 + 1)
        if len(data) > settings.max_article_bytes * 20:
            yield Rejected(blob.source(), f"feed file over {settings.max_article_bytes * 20:,} bytes")
            return
        parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
        entries = parsed.get("entries") or []
        if not entries:
            why = parsed.get("bozo_exception")
            yield Rejected(blob.source(), f"malformed feed: {why}" if why else "feed has no entries")
            return
        feed_title = (parsed.get("feed") or {}).get("title")
        for n, entry in enumerate(entries, 1):
            src = blob.source(f"entry {n}")
            contents = entry.get("content") or []
            body = max((c.get("value") or "" for c in contents), key=len, default="")
            summary_only = False
            if not body.strip():
                body = entry.get("summary") or entry.get("description") or ""
                summary_only = True
            if not body.strip():
                yield Rejected(src, "feed entry has neither content nor summary")
                continue
            if msg := too_big(len(body.encode("utf-8")), settings):
                yield Rejected(src, msg)
                continue
            paras = fragment_paragraphs(body)
            if not paras:
                yield Rejected(src, "feed entry has no text")
                continue
            yield RawDoc(
                source=src,
                format="feed",
                raw=body,
                title=entry.get("title"),
                paragraphs=paras,
                url=entry.get("link"),
                published=_date(entry),
                author=entry.get("author"),
                outlet_hint=feed_title,
                summary_only=summary_only,
            )
