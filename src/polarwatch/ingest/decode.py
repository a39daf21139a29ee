"""Bytes to text: UTF-8 first, then a declared charset, then detection.

Legacy encodings (cp1252, koi8-r, gb18030...) are common in archived news,
so a file that is not UTF-8 is detected with charset-normalizer and stored
as proper text rather than replaced with U+FFFD.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


class DecodeError(ValueError):
    pass


class BrokenUtf8(DecodeError):
    """UTF-8 text with invalid bytes in it (not a legacy encoding)."""


# A well-formed UTF-8 multi-byte character.
_UTF8_MULTI = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _broken_utf8(data: bytes) -> bool:
    """UTF-8 text with some bad bytes, rather than a legacy encoding.

    In cp1252, koi8-r or windows-1251 text a byte pair that happens to be a
    valid UTF-8 character is rare; in damaged UTF-8 they outnumber the bad bytes.
    """
    good = len(_UTF8_MULTI.findall(data))
    bad = data.decode("utf-8", errors="replace").count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    return good >= 2 and good > bad


def declared_charset(data: bytes) -> str | None:
    """A charset declared inside the document (HTML meta or XML prolog)."""
    m = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:512])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_encoding(data: bytes, declared: str | None = None) -> str:
    """The encoding to read *data* with."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
        if _broken_utf8(data):
            raise BrokenUtf8(f"invalid UTF-8 at byte {exc.start} (damaged UTF-8 text, not a legacy encoding)") from exc
    for enc in (declared, declared_charset(data)):
        if enc and codecs.lookup(enc).name not in ("utf-8",):
            try:
                data.decode(enc)
                return enc
            except (UnicodeDecodeError, LookupError):
                pass
    results = from_bytes(data[:262_144])
    best = results.best()
    if best is None:
        raise DecodeError("cannot detect the text encoding (not UTF-8, no declared charset matches)")
    # Where several encodings read the bytes equally well (cp1250, cp1252 and cp1257 all
    # agree on é, ß and curly quotes, not on ø), take the one news archives use most.
    tied = {m.encoding for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    return "cp1252" if "cp1252" in tied else best.encoding


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    enc = detect_encoding(data, declared)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {enc} at byte {exc.start}") from exc
    return text.lstrip("\ufeff")
