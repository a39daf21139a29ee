"""WARC and WARC.gz (web archives, Common Crawl News), streamed record by record.

HTML responses (and resources) become articles; WET-style ``conversion``
records become plain-text articles; other records (requests, metadata,
images, robots.txt) are passed over silently.
"""

from __future__ import annotations

from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..config import Settings
from ..records import RawDoc, Rejected
from .base import Blob, Item, register_reader, too_big
from .decode import DecodeError, decode_bytes
from .html import html_to_doc
from .text import split_paragraphs

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        k, _, v = part.strip().partition("=")
        if k.lower() == "charset" and v:
            return v.strip().strip('"')
    return None


_TRUNCATED = "truncated WARC: the file ends inside this record"


class _Records(ArchiveIterator):
    """warcio's iterator, noting whether the last gzip member was cut (warcio itself ends quietly)."""

    gzip_cut = False

    def close(self) -> None:
        d = getattr(self.reader, "decompressor", None)
        if d is not None and not getattr(d, "eof", True):
            self.gzip_cut = True
        super().close()


def _truncated(rec) -> bool:  # noqa: ANN001
    """True when the input ended before the record's Content-Length (a cut file)."""
    raw = rec.raw_stream
    while raw.read(1 << 16):
        pass
    return getattr(raw, "limit", 0) > 0


@register_reader
class WarcReader:
    name = "warc"
    extensions = ("warc", "arc")

    def sniff(self, head: bytes) -> int:
        return 2 if head.lstrip().startswith(b"WARC/") else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]:
        limit = settings.max_article_bytes
        n = 0
        rec = None
        reported_cut = False
        with blob.open() as fh:
            try:
                records = _Records(fh, arc2warc=True)
                for rec in records:
                    n += 1
                    if rec.rec_type not in ("response", "resource", "conversion"):
                        continue
                    uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                    src = blob.source(f"record {n}" + (f" {uri}" if uri else ""))
                    if rec.rec_type == "response" and rec.http_headers is not None:
                        ctype = rec.http_headers.get_header("Content-Type") or ""
                        status = rec.http_headers.get_statuscode() or ""
                        if status and not status.startswith("2"):
                            continue
                    else:
                        ctype = rec.rec_headers.get_header("Content-Type") or ""
                    # Plain text is an article as a WET conversion or an archived resource; a
                    # text/plain response is robots.txt, ads.txt and the like: passed over.
                    is_text = rec.rec_type == "conversion" or (rec.rec_type == "resource" and ctype.lower().startswith("text/plain"))
                    if not (is_text or ctype.lower().startswith(_HTML_TYPES) or not ctype):
                        continue
                    length = int(rec.rec_headers.get_header("Content-Length") or 0)
                    if length > limit * 2 and (msg := too_big(length, settings)):
                        yield Rejected(src, msg)
                        continue
                    body = rec.content_stream().read(limit + 1)
                    if len(body) <= limit and _truncated(rec):
                        reported_cut = True
                        yield Rejected(src, _TRUNCATED)
                        continue
                    if not body.strip():
                        yield Rejected(src, "WARC record has no body")
                        continue
                    if msg := too_big(len(body), settings):
                        yield Rejected(src, msg)
                        continue
                    try:
                        text = decode_bytes(body, _charset(ctype))
                    except DecodeError as exc:
                        yield Rejected(src, str(exc))
                        continue
                    if is_text:
                        lines = text.strip().split("\n", 1)
                        yield RawDoc(
                            source=src, format="warc", raw=text, title=lines[0].strip(),
                            paragraphs=split_paragraphs(lines[1] if len(lines) > 1 else ""), url=uri or None,
                        )  # fmt: skip
                    else:
                        yield html_to_doc(text, src, fmt="warc", url=uri or None)
                # warcio ends quietly on a cut file: in a record passed over (or the last one),
                # or inside the headers of a record it then never yields.
                if not reported_cut:
                    if rec is not None and _truncated(rec):
                        yield Rejected(blob.source(f"record {n}"), _TRUNCATED)
                    elif getattr(records, "next_line", None) or records.gzip_cut:
                        yield Rejected(blob.source(f"record {n + 1}"), _TRUNCATED)
            except ArchiveLoadFailed as exc:
                yield Rejected(blob.source(f"record {n + 1}"), f"malformed WARC: {exc}")
