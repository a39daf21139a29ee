"""Stable article ids and content hashes.

The id comes from the canonical URL (tracking parameters and fragments
dropped), so the same page fetched twice is one article; without a URL it
comes from the normalised content. The content hash finds exact duplicates
published under different URLs.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|ref|ref_src|cmpid|ocid|at_\w+)$", re.I)


def canonical_url(url: str | None) -> str | None:
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if not parts.netloc:
        return url.strip()
    host = parts.netloc.lower().removeprefix("www.")
    path = re.sub(r"/+$", "", parts.path) or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)))
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme.lower()
    return urlunsplit((scheme, host, path, query, ""))


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def content_hash(paragraphs: list[str]) -> str:
    return hashlib.sha256(_norm(" ".join(paragraphs)).encode("utf-8")).hexdigest()[:32]


def article_id(url: str | None, title: str | None, paragraphs: list[str]) -> str:
    canon = canonical_url(url)
    basis = f"url:{canon}" if canon else f"content:{_norm(title or '')}\n{_norm(' '.join(paragraphs))}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
