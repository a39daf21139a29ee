"""The reader interface and its registry.

A reader turns one :class:`Blob` (a file, or a member of a gzip/zip/folder)
into a stream of :class:`RawDoc` and :class:`Rejected` values. Readers are
chosen by sniffing the first bytes, with the file name's extension as a hint.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from ..config import Settings
from ..records import RawDoc, Rejected, Source
from ..registry import Registry

HEAD_BYTES = 8192


@dataclass(slots=True)
class Blob:
    """A readable input: ``name`` is what messages show, ``open`` gives a fresh binary stream."""

    name: str
    open: Callable[[], BinaryIO]
    size: int | None = None
    _head: bytes | None = field(default=None, repr=False)

    @property
    def head(self) -> bytes:
        if self._head is None:
            with self.open() as fh:
                self._head = fh.read(HEAD_BYTES)
        return self._head

    @property
    def ext(self) -> str:
        """The lower-cased last suffix of the innermost name ('' when none)."""
        base = self.name.rsplit("!", 1)[-1].rsplit("/", 1)[-1].lower()
        return base.rsplit(".", 1)[-1] if "." in base else ""

    def source(self, locator: str = "") -> Source:
        return Source(self.name, locator)


Item = RawDoc | Rejected


class Reader(Protocol):
    """What a registered reader provides."""

    name: str
    extensions: tuple[str, ...]

    def sniff(self, head: bytes) -> int:
        """How sure the content looks like this format: 0 no, 1 maybe, 2 surely."""

    def read(self, blob: Blob, settings: Settings) -> Iterator[Item]: ...


readers: Registry[Reader] = Registry("reader")


def register_reader(cls: type) -> type:
    """Class decorator: instantiate the reader and register it by its ``name``."""
    inst = cls()
    readers.register(inst.name)(inst)
    return cls


def head_text(head: bytes) -> str:
    """The head bytes as text for sniffing (lossy on purpose)."""
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    # Many control bytes other than whitespace also mean binary.
    ctrl = sum(1 for b in head[:2048] if b < 9 or 13 < b < 32)
    return ctrl > max(8, len(head[:2048]) // 20)


def too_big(size: int, settings: Settings) -> str | None:
    if size > settings.max_article_bytes:
        return (
            f"article is {size:,} bytes, over the limit of {settings.max_article_bytes:,} "
            "(raise it with --max-article-bytes or POLARWATCH_MAX_ARTICLE_BYTES)"
        )
    return None


def first(d: dict, *keys: str) -> str | None:
    """The first non-empty string value among *keys* of a mapping."""
    for k in keys:
        v = d.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None
