"""Inputs to raw documents: walk folders, open .gz and .zip, pick a reader per file.

``read_paths`` never raises for bad input: every problem becomes a
:class:`Rejected` naming the file (and line or record), and the rest goes on.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..config import Settings
from ..records import Rejected, Source
from . import feed, html, records, text, warc  # noqa: F401  (register the built-in readers)
from .base import Blob, Item, Reader, looks_binary, readers

__all__ = ["read_paths", "read_blob", "choose_reader", "readers", "Blob"]

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_SKIP_NAMES = {".DS_Store", "Thumbs.db"}
# Files read as plain-text dumps when nothing in their content says otherwise.
TEXT_EXTENSIONS = {"", "txt", "text"}


def choose_reader(blob: Blob) -> Reader | None:
    """The reader for a blob: content sniffing first, the extension as a tie-breaker."""
    best: tuple[float, Reader] | None = None
    for _, reader in readers:
        score: float = reader.sniff(blob.head)
        if blob.ext in reader.extensions and blob.ext:
            score += 1.5
        if score > 0 and (best is None or score > best[0]):
            best = (score, reader)
    return best[1] if best else None


def _closing(inner, *outers):  # noqa: ANN001, ANN202
    """Make closing *inner* close the objects it reads from too (gzip and zip leave them open)."""
    close = inner.close

    def close_all() -> None:
        try:
            close()
        finally:
            for o in outers:
                o.close()

    inner.close = close_all
    return inner


def _gz_blob(blob: Blob) -> Blob:
    # "x.jsonl.gz" -> "x.jsonl.gz!x.jsonl": the source names the real file (like a zip member),
    # and the inner name keeps the extension a reader is chosen by.
    base = blob.name.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    inner = f"{blob.name}!{base[:-3]}" if base.lower().endswith(".gz") else blob.name + "!"
    def opener():  # noqa: ANN202
        raw = blob.open()
        return _closing(gzip.GzipFile(fileobj=raw, mode="rb"), raw)

    return Blob(inner, opener)


def _zip_members(blob: Blob) -> Iterator[Item | Blob]:
    try:
        with blob.open() as fh, zipfile.ZipFile(fh) as zf:
            names = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield Rejected(blob.source(), f"corrupt zip archive: {exc}")
        return
    for info in sorted(names, key=lambda i: i.filename):
        if Path(info.filename).name in _SKIP_NAMES or "__MACOSX/" in info.filename:
            continue

        def opener(name: str = info.filename):  # noqa: ANN202
            raw = blob.open()
            zf = zipfile.ZipFile(raw)
            return _closing(zf.open(name), zf, raw)

        yield Blob(f"{blob.name}!{info.filename}", opener, info.file_size)


def read_blob(blob: Blob, settings: Settings, depth: int = 0) -> Iterator[Item]:
    """Every article (or rejection) inside one blob, unpacking gzip and zip."""
    try:
        head = blob.head
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        yield Rejected(blob.source(), f"cannot read: {_gzip_reason(exc)}")
        return
    if not head.strip():
        yield Rejected(blob.source(), "empty file")
        return
    if depth > 3:
        yield Rejected(blob.source(), "archives nested too deep")
        return
    if head.startswith(GZIP_MAGIC):
        inner = _gz_blob(blob)
        # warcio reads (multi-member) gzip itself and knows record boundaries.
        try:
            is_warc = inner.head.lstrip().startswith(b"WARC/")
        except (OSError, EOFError, zlib.error) as exc:
            yield Rejected(blob.source(), _gzip_reason(exc))
            return
        yield from _guarded(readers.get("warc").read(blob, settings) if is_warc else read_blob(inner, settings, depth + 1), blob)
        return
    if head.startswith(ZIP_MAGIC):
        for item in _zip_members(blob):
            if isinstance(item, Blob):
                yield from read_blob(item, settings, depth + 1)
            else:
                yield item
        return
    reader = choose_reader(blob)
    if reader is None:
        if looks_binary(head):
            yield Rejected(blob.source(), "binary file: not text, HTML, a feed, JSON(L), CSV, WARC, gzip or zip")
            return
        if blob.ext not in TEXT_EXTENSIONS:
            yield Rejected(blob.source(), f"not an article format (.{blob.ext} file)", skipped=True)
            return
        reader = readers.get("text")
    yield from _guarded(reader.read(blob, settings), blob)


def _gzip_reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "truncated gzip: the compressed stream ends early"
    if isinstance(exc, (gzip.BadGzipFile, zlib.error)):
        return f"corrupt gzip: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _guarded(items: Iterator[Item], blob: Blob) -> Iterator[Item]:
    """Pass items on; a reader that breaks mid-stream ends with one rejection, not a crash."""
    last = ""
    try:
        for item in items:
            last = item.source.locator
            yield item
    except (OSError, EOFError, zlib.error) as exc:
        where = f"after {last}" if last else ""
        yield Rejected(blob.source(where), _gzip_reason(exc))
    except Exception as exc:  # a reader bug must not sink the batch
        where = f"after {last}" if last else ""
        yield Rejected(blob.source(where), f"reader failed: {type(exc).__name__}: {exc}")


def _file_blob(path: Path) -> Blob:
    return Blob(str(path), lambda: open(path, "rb"), path.stat().st_size)


def iter_files(path: Path) -> Iterator[Path | Rejected]:
    """Files under *path* in a stable order, following links once and naming loops."""
    if not path.exists():
        yield Rejected(Source(str(path)), "broken symlink" if path.is_symlink() else "no such file or folder")
        return
    if not path.is_dir():
        yield path
        return
    seen: set[tuple[int, int]] = set()

    def walk(d: Path) -> Iterator[Path | Rejected]:
        st = d.stat()
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Rejected(Source(str(d)), "symlink loop: this folder was already read")
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            yield Rejected(Source(str(d)), f"cannot list folder: {exc.strerror}")
            return
        for e in entries:
            p = Path(e.path)
            if e.name.startswith(".") or e.name in _SKIP_NAMES:
                continue
            try:
                if e.is_dir():
                    yield from walk(p)
                elif e.is_file():
                    yield p
                elif e.is_symlink():
                    yield Rejected(Source(str(p)), "broken symlink")
            except OSError as exc:
                yield Rejected(Source(str(p)), f"cannot read: {exc.strerror or exc}")

    yield from walk(path)


def read_paths(paths: Iterable[str | Path], settings: Settings) -> Iterator[Item]:
    """Every article and rejection under *paths* (files, folders, archives)."""
    for p in paths:
        for f in iter_files(Path(p)):
            if isinstance(f, Rejected):
                yield f
                continue
            try:
                blob = _file_blob(f)
            except OSError as exc:
                yield Rejected(Source(str(f)), f"cannot read: {exc.strerror or exc}")
                continue
            yield from read_blob(blob, settings)
