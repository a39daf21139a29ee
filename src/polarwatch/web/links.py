"""Links the pages print: to articles (anchored on a span), to filtered listings, and to an
article's own URL only when that is a plain http(s) address."""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote, urlencode, urlsplit


def link(path: str, params: Mapping[str, Any] | None = None, **more: Any) -> str:
    """*path* with the non-empty *params* as its query string (a list or tuple value: the key repeated)."""
    q = [(k, str(x)) for k, v in {**(params or {}), **more}.items() for x in (v if isinstance(v, (list, tuple)) else [v])
         if x not in (None, "")]  # fmt: skip
    return path + ("?" + urlencode(q) if q else "")


# The REST API's list endpoints and the dashboard's listing pages that take the same filters.
LISTINGS = {"/api/quotes": "/quotes", "/api/events": "/events", "/api/articles": "/search", "/api/search": "/search"}


def listing_href(api_link: str | None) -> str | None:
    """The dashboard's listing of the rows a REST API link (a comparison's or a network's ``link``) selects:
    the same filters on the page that shows them (quotes, events, or articles and search)."""
    if not api_link:
        return None
    path, sep, query = api_link.partition("?")
    page = LISTINGS.get(path)
    return None if page is None else page + sep + query


def evidence_href(ev: Mapping[str, Any]) -> str:
    """The article page of one evidence item (``{article, start, end, in_title?}``), anchored on its span."""
    href = "/article/" + quote(str(ev.get("article", "")), safe="")
    start, end = ev.get("start"), ev.get("end")
    if isinstance(start, int) and isinstance(end, int) and not ev.get("in_title"):
        href += f"#span-{start}-{end}"
    return href


def safe_href(url: str | None) -> str | None:
    """An article's own URL as a link target only when it is http(s); anything else (javascript:,
    data:, relative) is not linked."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None
