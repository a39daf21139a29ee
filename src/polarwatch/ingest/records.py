"""Record-per-line and table formats: JSONL, JSON arrays and CSV.

Fields (case-insensitive): ``url``, ``title``, ``text`` (or ``body``,
``content``) or ``html``, ``published`` (or ``date``), ``outlet`` (or
``source``), ``author``. JSONL and CSV are streamed: a 200 MB file is read in
constant memory, and an over-long line is skipped without being held whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

from ..config import Settings
from ..records import RawDoc, Rejected, Source
from .base import Blob, Item, first, head_text, register_reader, too_big
from .decode import BrokenUtf8, DecodeError, decode_bytes, detect_encoding
from .html import html_to_doc

TEXT_KEYS = ("text", "body", "content", "maintext", "article")
HTML_KEYS = ("html", "raw_html", "page")
DATE_KEYS = ("published", "date", "published_at", "date_publish", "pubdate")
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
KNOWN_COLUMNS = {"url", "title", "published", "outlet", "author", "source", *TEXT_KEYS, *HTML_KEYS, *DATE_KEYS}


def _date(value: str | None) -> str | None:
    if not value:
        return None
    m = _ISO_DATE.search(value)
    return m.group(1) if m else None


def record_to_doc(rec: dict, source: Source, fmt: str, settings: Settings) -> RawDoc | Rejected:
    """One article from a mapping of fields; keys are matched case-insensitively."""
    rec = {str(k).strip().lower(): v for k, v in rec.items() if k is not None}
    url = first(rec, "url", "link", "canonical_url")
    text = first(rec, *TEXT_KEYS)
    html = first(rec, *HTML_KEYS)
    if not text and not html:
        cols = ", ".join(sorted(rec)) or "none"
        return Rejected(source, f"no 'text' or 'html' field (fields: {cols})")
    body = text or html or ""
    if msg := too_big(len(body.encode("utf-8")), settings):
        return Rejected(source, msg)
    outlet = first(rec, "outlet", "source", "site", "sitename")
    title = first(rec, "title", "headline")
    published = _date(first(rec, *DATE_KEYS))
    if text:
        from .text import split_paragraphs

        return RawDoc(
            source=source, format=fmt, raw=text, title=title, paragraphs=split_paragraphs(text),
            url=url, published=published, author=first(rec, "author", "authors"), outlet_hint=outlet,
        )  # fmt: skip
    doc = html_to_doc(html or "", source, fmt=fmt, url=url)
    if isinstance(doc, RawDoc):
        doc.title = title or doc.title
        doc.published = published or doc.published
        doc.outlet_hint = outlet or doc.outlet_hint
        doc.url = url or doc.url
    return doc


def iter_lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes, size) triples; bytes is None for a line over *limit* bytes (skipped unread)."""
    n = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        n += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw)
            while chunk := fh.readline(1 << 20):
                size += len(chunk)
                if chunk.endswith(b"\n"):
                    break
            yield n, None, size
            continue
        yield n, raw, len(raw)


def decode_line(raw: bytes, encoding: str) -> str:
    """One line in the file's encoding, else its own (a legacy line in a UTF-8 file); DecodeError if neither."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return decode_bytes(raw)


@register_reader
class JsonlReader:
    name = "jsonl"
    extensions = ("jsonl", "ndjson", "jsonlines")

    def sniff(self, head: bytes) -> int:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return 0
        line = text.split("\n", 1)[0].strip()
        try:
            obj = json.loads(line)
        except ValueError:
            return 1 if "\n" not in text[:200] else 0
        if not isinstance(obj, dict):
            return 0
        # An object with no article field of its own may be a one-line JSON document
        # ({"articles": [...]}, an annotation file): then the .json extension decides.
        return 2 if any(str(k).strip().lower() in (*TEXT_KEYS, *HTML_KEYS) for k in obj) else 1

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        try:
            enc = detect_encoding(blob.head)
        except BrokenUtf8:
            enc = "utf-8"  # each line is decoded on its own: only the damaged ones fail
        except DecodeError as exc:
            yield Rejected(blob.source(), str(exc))
            return
        with blob.open() as fh:
            for n, raw, size in iter_lines(fh, settings.max_article_bytes * 2):
                src = blob.source(f"line {n}")
                if raw is None:
                    yield Rejected(src, too_big(size, settings) or "line too long")
                    continue
                try:
                    line = decode_line(raw, enc)
                except DecodeError as exc:
                    yield Rejected(src, str(exc))
                    continue
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as exc:
                    yield Rejected(src, f"malformed JSON: {exc}")
                    continue
                if not isinstance(rec, dict):
                    yield Rejected(src, f"expected a JSON object, got {type(rec).__name__}")
                    continue
                yield record_to_doc(rec, src, self.name, settings)


@register_reader
class JsonReader:
    """A whole JSON document: an array of article objects or ``{"articles": [...]}``."""

    name = "json"
    extensions = ("json",)

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if re.match(r'\s*\{\s*"articles"\s*:\s*\[', text):
            return 2
        return 1 if re.match(r"\s*\[\s*\{", text) else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        with blob.open() as fh:
            data = fh.read(settings.max_article_bytes * 20 + 1)
        if len(data) > settings.max_article_bytes * 20:
            yield Rejected(blob.source(), "JSON document too large to load whole; use JSONL for big sets")
            return
        try:
            doc = json.loads(data.decode(detect_encoding(data)))
        except (ValueError, DecodeError) as exc:
            yield Rejected(blob.source(), f"malformed JSON: {exc}")
            return
        items = doc.get("articles") if isinstance(doc, dict) else doc
        if isinstance(doc, dict) and not isinstance(items, list):
            items = [doc] if any(k in doc for k in (*TEXT_KEYS, *HTML_KEYS)) else None
        if not isinstance(items, list) or not any(
            isinstance(x, dict) and any(k in x for k in (*TEXT_KEYS, *HTML_KEYS)) for x in items
        ):
            yield Rejected(blob.source(), "JSON file holds no articles (no object with a text or html field)", skipped=True)
            return
        for n, rec in enumerate(items, 1):
            src = blob.source(f"item {n}")
            if not isinstance(rec, dict):
                yield Rejected(src, f"expected a JSON object, got {type(rec).__name__}")
                continue
            yield record_to_doc(rec, src, self.name, settings)


@register_reader
class CsvReader:
    name = "csv"
    extensions = ("csv", "tsv")

    def sniff(self, head: bytes) -> int:
        first_line = head_text(head).split("\n", 1)[0].strip().lower()
        cols = {c.strip().strip('"') for c in re.split(r"[,\t;]", first_line)}
        return 2 if len(cols & KNOWN_COLUMNS) >= 2 and cols & {*TEXT_KEYS, *HTML_KEYS} else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        try:
            with blob.open() as fh:  # a larger sample: legacy bytes often first appear past the header
                sample = fh.read(1 << 20)
            enc = detect_encoding(sample)
        except BrokenUtf8:
            enc = "utf-8"  # read with replacement, as for damage past the sample
        except DecodeError as exc:
            yield Rejected(blob.source(), str(exc))
            return
        csv.field_size_limit(max(settings.max_article_bytes * 2, 1 << 20))
        sample = head_text(blob.head).split("\n", 1)[0]
        delim = "\t" if sample.count("\t") > sample.count(",") else ","
        with blob.open() as fh:
            stream = io.TextIOWrapper(fh, encoding=enc, errors="replace", newline="")
            reader = csv.DictReader(stream, delimiter=delim)
            cols = {(c or "").strip().lower() for c in (reader.fieldnames or [])}
            if not cols & {*TEXT_KEYS, *HTML_KEYS}:
                yield Rejected(blob.source(), f"CSV header has no text or html column (columns: {', '.join(sorted(cols)) or 'none'})")
                return
            n = 0
            while True:
                try:
                    row = next(reader)
                    n += 1
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield Rejected(blob.source(f"line {reader.line_num}"), f"malformed CSV: {exc}")
                    return
                src = blob.source(f"row {n}")
                if None in row:
                    yield Rejected(src, "row has more fields than the header")
                    continue
                yield record_to_doc(row, src, self.name, settings)
