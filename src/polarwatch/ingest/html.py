"""HTML pages: trafilatura finds the main text and metadata; our cleaner runs on top.

The same extraction serves HTML files, JSONL/CSV rows carrying ``html`` and
WARC responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
import trafilatura
from trafilatura.utils import load_html
from lxml import etree

from ..config import Settings
from ..records import RawDoc, Rejected, Source
from .base import Blob, Item, register_reader, too_big
from .decode import DecodeError, decode_bytes

# Only dates the page states in its markup: no guessing from body text,
# where a photo caption's date would win.
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}
_TAG = re.compile(r"<\s*(!doctype\s+html|html|head|body|div|p|article|meta|title|span|table)\b", re.I)
_FEEDISH = re.compile(r"<\s*(rss|feed|rdf:rdf)\b", re.I)
_BLOCK_TAGS = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "tr", "section", "article", "figcaption", "dd", "dt", "ul", "ol", "table",
}  # fmt: skip


# Containers that hold page furniture, by a token of their class or id.
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:subscri\w*|newsletter\w*|signup|sign-up|promo\w*|related\w*|recommend\w*|"
    r"more-stories|read-?more|most-?(?:read|popular|viewed)|share|sharing|sharedaddy|social\w*|cookie\w*|consent|gdpr|"
    r"comments?|comment-?(?:form|list|section|respond)|disqus|respond|advert\w*|ads?|sponsor\w*|outbrain|taboola|"
    r"popup|modal|breadcrumbs?|tags?|author-?bio|about-?the-?author|footnotes?|endnotes?)(?:$|[\s_-])",
    re.I,
)
# Lead paragraphs ("standfirst") that sites put outside the main body container.
_LEAD = re.compile(r"(?:^|[\s_-])(lead|lede|announce(?:-text)?|intro)(?:$|[\s_-])", re.I)
_KEEP_TAGS = {"html", "body", "head", "article", "main"}
_WITH_ATTRS = etree.XPath("//*[@class or @id]")
_NOT_LEAD_PARENTS = {"header", "nav", "footer", "aside", "figure", "figcaption"}


def _attr_tokens(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _lead_paragraphs(tree: etree._Element) -> list[str]:
    """Lead paragraphs marked as such that come before the first ordinary body paragraph."""
    out: list[str] = []
    for el in tree.iter("p", "div"):
        if len(out) >= 2:
            break
        if any(a.tag in _NOT_LEAD_PARENTS for a in el.iterancestors()):
            continue
        is_lead = bool(_LEAD.search(_attr_tokens(el)))
        if el.tag == "p" and not is_lead and len(el.text_content().strip()) >= 80:
            break  # the body has begun: anything "lead"-classed after this is a teaser
        if not is_lead:
            continue
        text = " ".join(el.text_content().split())
        if len(text) >= 60 and text[-1] in ".!?”\"" and len(text) < 1200:
            out.append(text)
    return out


def _prune_furniture(tree: etree._Element) -> None:
    """Drop containers whose class or id says they are page furniture, unless they hold most of the text."""
    doomed = [el for el in _WITH_ATTRS(tree) if el.tag not in _KEEP_TAGS and _FURNITURE.search(_attr_tokens(el))]
    if not doomed:
        return
    body = tree.find("body")
    total = len(body.text_content()) if body is not None else 0
    for el in doomed:
        if el.getparent() is None:
            continue
        if total and len(el.text_content()) > 0.4 * total:
            continue
        el.drop_tree()


def _norm_key(s: str) -> str:
    return re.sub(r"\W+", "", s.casefold())


def html_to_doc(html: str, source: Source, fmt: str = "html", url: str | None = None) -> RawDoc | Rejected:
    """Extract one article from a whole HTML page."""
    try:
        tree = load_html(html)
    except (ValueError, TypeError, etree.ParserError) as exc:
        return Rejected(source, f"malformed HTML: {exc}")
    if tree is None:
        return Rejected(source, "malformed HTML: not a parsable page")
    leads = _lead_paragraphs(tree)
    _prune_furniture(tree)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            # No readability/jusText fallback pass: it doubled the time and changed no
            # score on our held-out pages once furniture is pruned first.
            fast=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, etree.ParserError, etree.XMLSyntaxError) as exc:
        return Rejected(source, f"malformed HTML: {exc}")
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return Rejected(source, "no article text found in the HTML page")
    date = getattr(doc, "date", None)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    have = {_norm_key(p) for p in paragraphs}
    paragraphs = [p for p in leads if _norm_key(p) not in have] + paragraphs
    return RawDoc(
        source=source,
        format=fmt,
        raw=html,
        title=getattr(doc, "title", None),
        paragraphs=paragraphs,
        url=getattr(doc, "url", None) or url,
        published=date if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None,
        author=getattr(doc, "author", None),
        outlet_hint=getattr(doc, "sitename", None),
    )


def fragment_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of an HTML fragment (a feed entry's content): block elements and <br> split."""
    if "<" not in fragment:
        return [p.strip() for p in re.split(r"\n\s*\n|\n", fragment) if p.strip()]
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return [p.strip() for p in re.sub(r"<[^>]+>", "\n", fragment).split("\n") if p.strip()]
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    parts: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        s = " ".join("".join(buf).split())
        if s:
            parts.append(s)
        buf.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block or tag == "br":
            flush()
        if el.text and tag != "br":
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return parts


@register_reader
class HtmlReader:
    name = "html"
    extensions = ("html", "htm", "xhtml", "shtml")

    def sniff(self, head: bytes) -> int:
        text = head[:4096].decode("utf-8", "replace")
        if _FEEDISH.search(text[:1024]):
            return 0
        # A page starts with markup; tags further on may be a JSON(L) or CSV record's html field.
        start = text.lstrip("\ufeff \t\r\n")[:1]
        if start in ("{", "["):
            return 0
        sure = 2 if start == "<" else 1
        if re.search(r"<\s*(!doctype\s+html|html)\b", text, re.I):
            return sure
        return 1 if len(_TAG.findall(text)) >= 3 else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        with blob.open() as fh:
            data = fh.read(settings.max_article_bytes + 1)
        if msg := too_big(len(data), settings):
            yield Rejected(blob.source(), msg)
            return
        try:
            html = decode_bytes(data)
        except DecodeError as exc:
            yield Rejected(blob.source(), str(exc))
            return
        yield html_to_doc(html, blob.source())
