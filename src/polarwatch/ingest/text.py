"""The plain-text dump format.

    [ ]date YYYY-MM-DD URL      (optional header; may start with a space)
    Title line
    body...

Without the header the date and URL are unknown: nothing is guessed from the
body (a photo caption's date is the photo's, not the article's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..config import Settings
from ..records import RawDoc
from .base import Blob, Item, looks_binary, register_reader, too_big
from .decode import DecodeError, decode_bytes

HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s+(\S+))?\s*$")
_OPENERS = "([{"
_CLOSERS = ")]}"


def parse_dump(text: str) -> tuple[str | None, str | None, str | None, str]:
    """Split a dump into (date, url, title, body)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    date = url = None
    if i < len(lines) and (m := HEADER.match(lines[i])):
        date, url = m.group(1), m.group(2)
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    title = lines[i].strip() if i < len(lines) else None
    body = "\n".join(lines[i + 1 :])
    return date, url, title, body


def _unbalanced(s: str) -> bool:
    return sum(s.count(c) for c in _OPENERS) > sum(s.count(c) for c in _CLOSERS)


def split_paragraphs(body: str) -> list[str]:
    """Paragraphs of a text body.

    With blank lines in the body, blank lines separate paragraphs and a line
    that was visibly hard-wrapped (an open bracket, or a next line starting in
    lower case or with punctuation) is joined to the next. Without blank
    lines, every line is a paragraph (the one-paragraph-per-line dump style).
    """
    lines = body.strip("\n").split("\n")
    if all(ln.strip() for ln in lines):
        return [ln.strip() for ln in lines if ln.strip()]
    paras: list[str] = []
    cur = ""
    for ln in lines + [""]:
        s = ln.strip()
        if not s:
            if cur:
                paras.append(cur)
            cur = ""
            continue
        if not cur:
            cur = s
            continue
        if _unbalanced(cur) or s[0].islower() or s[0] in "/,;:)–—":
            cur = f"{cur} {s}"
        else:
            paras.append(cur)
            cur = s
    return paras


@register_reader
class TextReader:
    name = "text"
    extensions = ("txt", "text", "")

    def sniff(self, head: bytes) -> int:
        return 1 if HEADER.match(head.split(b"\n", 1)[0].decode("utf-8", "replace")) else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        from ..records import Rejected

        with blob.open() as fh:
            data = fh.read(settings.max_article_bytes + 1)
        if msg := too_big(len(data), settings):
            yield Rejected(blob.source(), msg)
            return
        try:
            text = decode_bytes(data)
        except DecodeError as exc:
            binary = looks_binary(data[:8192])
            yield Rejected(blob.source(), "binary file: not text, HTML, a feed, JSON(L), CSV, WARC, gzip or zip" if binary else str(exc))
            return
        date, url, title, body = parse_dump(text)
        if not title and not body.strip():
            yield Rejected(blob.source(), "no text (only whitespace or a header line)")
            return
        yield RawDoc(
            source=blob.source(),
            format="text",
            raw=text,
            title=title,
            paragraphs=split_paragraphs(body),
            url=url,
            published=date,
        )
