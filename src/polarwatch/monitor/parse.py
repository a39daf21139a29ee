"""Feed and news-sitemap documents to entries: what was published, where, and whether the text came along."""

from __future__ import annotations

import hashlib
import re
import time
import zlib
from dataclasses import dataclass

from lxml import etree

from ..identity import canonical_url

# A feed entry whose content has fewer words than this is a teaser: the page is fetched for the full text.
FULL_TEXT_WORDS = 150
_TAGS = re.compile(r"<[^>]+>")
_CLOSED = re.compile(rb"</\s*(?:[\w-]+:)?(?:rss|feed|RDF)\s*>\s*$", re.I)


class ParseError(Exception):
    pass


@dataclass(slots=True)
class Entry:
    key: str  # canonical URL, else "id:<feed id>", else "hash:<title and summary>"
    url: str | None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    author: str | None = None
    body: str | None = None  # full text (HTML) the feed carried
    summary: str | None = None

    @property
    def needs_page(self) -> bool:
        return not self.body and bool(self.url)


def words(html: str) -> int:
    return len(_TAGS.sub(" ", html).split())


def _key(url: str | None, guid: str | None, title: str | None, summary: str | None) -> str:
    canon = canonical_url(url)
    if canon:
        return canon
    if guid:
        return f"id:{guid.strip()}"
    digest = hashlib.sha256(f"{title or ''}\n{summary or ''}".encode("utf-8")).hexdigest()[:24]
    return f"hash:{digest}"


def _day(t: time.struct_time | None) -> str | None:
    return time.strftime("%Y-%m-%d", t) if t else None


def parse_feed(data: bytes, base: str | None = None) -> tuple[str | None, list[Entry]]:
    """(feed title, entries) of an RSS or Atom document, relative links resolved against *base* (the feed's URL);
    :class:`ParseError` when it holds no feed."""
    import feedparser

    headers = {"content-location": base} if base else None
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True, response_headers=headers)
    items = parsed.get("entries") or []
    if parsed.get("bozo") and items and not _CLOSED.search(data[-64:]):
        # Read leniently, a cut-off document still gives entries, the last one cut short; an entry once stored
        # is not read again, so wait for a whole document instead.
        raise ParseError(f"malformed feed: the document is cut off ({parsed.get('bozo_exception')})")
    if not items:
        why = parsed.get("bozo_exception")
        if why:
            raise ParseError(f"malformed feed: {why}")
        if not parsed.get("version"):
            raise ParseError("not an RSS or Atom feed")
        return (parsed.get("feed") or {}).get("title"), []
    out: list[Entry] = []
    seen: set[str] = set()
    for it in items:
        url = (it.get("link") or "").strip() or None
        if url and not url.lower().startswith(("http://", "https://")):
            url = None  # feedparser gives an Atom entry's id as its link when it has none ("urn:…", "tag:…")
        contents = [c.get("value") or "" for c in it.get("content") or []]
        body = max(contents, key=len, default="") or None
        summary = it.get("summary") or it.get("description") or None
        if body and words(body) < FULL_TEXT_WORDS:
            # A teaser in <content>: keep it as the fallback summary when it is the longer one.
            if not summary or len(body) > len(summary):
                summary = body
            body = None
        if not body and not url:
            body = summary  # nothing to fetch: the entry's own text is all there is
        key = _key(url, it.get("id"), it.get("title"), summary)
        if key in seen:
            continue
        seen.add(key)
        date = _day(it.get("published_parsed") or it.get("updated_parsed") or it.get("created_parsed"))
        out.append(Entry(key, url, it.get("title"), date, it.get("author"), body, summary))
    return (parsed.get("feed") or {}).get("title"), out


_SAFE_XML = dict(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(data: bytes, max_entries: int = 200) -> tuple[list[Entry], list[str]]:
    """(entries, child sitemaps) of a sitemap or sitemap index, newest first, at most *max_entries*.

    A news sitemap's ``news:title`` and ``news:publication_date`` are kept; entity
    expansion and DTDs are off, so a hostile document cannot grow in memory.
    """
    try:
        root = etree.fromstring(data, etree.XMLParser(**_SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed sitemap: {exc}") from exc
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = []
        for sm in root:
            loc = next((c.text for c in sm if _local(c.tag) == "loc" and c.text), None)
            mod = next((c.text for c in sm if _local(c.tag) == "lastmod" and c.text), "")
            if loc:
                children.append((mod.strip(), loc.strip()))
        children.sort(reverse=True)
        return [], [loc for _, loc in children]
    if kind != "urlset":
        raise ParseError(f"not a sitemap: root element <{kind}>")
    found: list[tuple[str, Entry]] = []
    for u in root:
        fields: dict[str, str] = {}
        for el in u.iter():
            name = _local(el.tag)
            if name in ("loc", "lastmod", "title", "publication_date") and el.text and name not in fields:
                fields[name] = el.text.strip()
        loc = fields.get("loc")
        if not loc:
            continue
        when = fields.get("publication_date") or fields.get("lastmod") or ""
        m = _DATE.match(when)
        found.append((when, Entry(_key(loc, None, None, None), loc, fields.get("title"), m.group(0) if m else None)))
    found.sort(key=lambda x: x[0], reverse=True)
    return [e for _, e in found[:max_entries]], []


def gunzip(data: bytes, cap: int) -> bytes:
    """*data* inflated when it is a gzip file (``sitemap.xml.gz``), at most *cap* bytes of it; else *data*."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    d = zlib.decompressobj(wbits=47)
    try:
        out = d.decompress(data, cap + 1)
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip: {exc}") from exc
    if len(out) > cap:
        raise ParseError(f"gzip inflates past the cap of {cap:,} bytes")
    return out


def sniff_kind(data: bytes) -> str:
    """'sitemap' or 'feed' from the document's first element."""
    head = data[:2048].lower()
    return "sitemap" if b"<urlset" in head or b"<sitemapindex" in head else "feed"
