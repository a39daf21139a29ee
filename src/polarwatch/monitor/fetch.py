"""Polite HTTP for the monitor: one client, every request checked and bounded.

Each request: the address is checked (http/https only; private, loopback and
link-local addresses refused unless allowed; with ``loopback_only`` nothing but
loopback is reachable, which the tests rely on), robots.txt is asked, the host's
slot is taken (at most ``host_concurrency`` requests at once and
``host_interval`` seconds between starts, or the site's Crawl-delay when
longer), redirects are followed by hand up to ``max_redirects`` with loops
named, the body is read up to ``max_bytes`` within ``timeout`` seconds in all,
and the content type must fit what was asked for. Timeouts, dropped
connections, 5xx, 408 and 429 are retried with exponential backoff and jitter;
a Retry-After is honoured, and one longer than ``max_retry_after`` ends the
attempt so the scheduler can come back later instead of blocking a thread.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "polarwatch/0.1 (Arctic news monitor; polite: robots.txt, conditional GET, rate-limited)"
ROBOTS_AGENT = "polarwatch"
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(slots=True, frozen=True)
class FetchPolicy:
    timeout: float = 20.0  # seconds for one request, from connecting to the last byte
    connect_timeout: float = 10.0
    retries: int = 3  # further attempts after the first
    backoff: float = 2.0  # first retry waits about this long, doubling each time, plus up to as much again of jitter
    backoff_max: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After gives up now and defers the source
    max_redirects: int = 5
    max_bytes: int = 10_000_000
    host_interval: float = 1.0  # seconds between request starts to one host
    host_concurrency: int = 2
    robots_ttl: float = 3600.0
    user_agent: str = USER_AGENT
    allow_private: bool = False  # fetch addresses on private networks (a feed could point a link at one)
    loopback_only: bool = False  # refuse every address that is not loopback (tests)


class FetchError(Exception):
    """A request that did not give a usable response; ``kind`` says why, ``retryable`` whether trying again may help."""

    def __init__(self, kind: str, message: str, *, status: int | None = None, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # timeout | network | http | too-large | content-type | redirects | robots | address | malformed
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(slots=True)
class Response:
    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        from ..ingest.decode import DecodeError, decode_bytes

        try:
            return decode_bytes(self.body)
        except DecodeError:
            return self.body.decode("utf-8", "replace")


# What each kind of fetch accepts: media types by substring; an unlabelled or generic body is sniffed.
_ACCEPT = {
    "feed": ("xml", "rss", "atom", "rdf", "gzip"),  # gzip: a sitemap.xml.gz file, inflated by the caller
    "page": ("text/html", "application/xhtml"),
    "robots": ("text/plain",),
}
_GENERIC = ("", "text/plain", "application/octet-stream", "binary/octet-stream")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class _Host:
    def __init__(self, concurrency: int) -> None:
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.delay: float | None = None  # the site's Crawl-delay
        self.robots: urllib.robotparser.RobotFileParser | None = None
        self.robots_until = 0.0
        self.robots_error: str | None = None
        self.robots_lock = threading.Lock()
        self.addresses_ok: bool | None = None


class Fetcher:
    """A thread-safe polite HTTP client (see the module doc)."""

    def __init__(self, policy: FetchPolicy = FetchPolicy(), *, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random, transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self._sleep = sleep
        self._jitter = jitter
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self.requests = 0  # requests sent (every attempt and redirect hop), for reports and tests
        timeout = httpx.Timeout(policy.timeout, connect=min(policy.connect_timeout, policy.timeout))
        self.client = httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": policy.user_agent},
            # Proxies from the environment only outside the loopback-only mode, where nothing may leave the machine.
            trust_env=not policy.loopback_only, transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )  # fmt: skip

    def close(self) -> None:
        self.client.close()

    # -- the public call ----------------------------------------------------------
    def get(self, url: str, kind: str = "page", *, etag: str | None = None, last_modified: str | None = None,
            robots: bool = True) -> Response:
        """GET *url* as a *kind* ("feed", "page", "robots"); raises :class:`FetchError`, returns 200 or 304 responses."""
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self._follow(url, kind, etag, last_modified, robots)
                resp.attempts = attempt
                return resp
            except FetchError as exc:
                if not exc.retryable or attempt > self.policy.retries:
                    raise
                if exc.retry_after is not None:
                    if exc.retry_after > self.policy.max_retry_after:
                        raise
                    wait = exc.retry_after
                else:
                    base = min(self.policy.backoff * 2 ** (attempt - 1), self.policy.backoff_max)
                    wait = base + base * self._jitter()
                self._sleep(wait)

    def post_json(self, url: str, payload: object, timeout: float | None = None) -> int:
        """POST JSON to a webhook the user named (so a private address is allowed, except in loopback-only mode);
        no retries here: a failed delivery is tried again on the next cycle. Returns the status."""
        if self.policy.loopback_only or urlsplit(url).scheme not in ("http", "https"):
            self.check_address(url)
        self.requests += 1
        try:
            r = self.client.post(url, json=payload, timeout=timeout or self.policy.timeout)
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", f"webhook timed out: {exc}", retryable=True) from exc
        except httpx.TransportError as exc:
            raise FetchError("network", f"webhook unreachable: {exc}", retryable=True) from exc
        if not 200 <= r.status_code < 300:
            raise FetchError("http", f"webhook answered HTTP {r.status_code}", status=r.status_code, retryable=r.status_code >= 500)
        return r.status_code

    # -- checks ---------------------------------------------------------------------
    def _host(self, host: str) -> _Host:
        with self._hosts_lock:
            h = self._hosts.get(host)
            if h is None:
                h = self._hosts[host] = _Host(self.policy.host_concurrency)
            return h

    def check_address(self, url: str) -> None:
        """Refuse what the policy does not allow to be fetched (scheme, private or non-loopback address)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:  # a bracket or port that is not one
            raise FetchError("address", f"bad URL {url!r}: {exc}") from exc
        if parts.scheme not in ("http", "https"):
            raise FetchError("address", f"not an http(s) URL: {url}")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError("address", f"no host in URL: {url}")
        h = self._host(host)
        if h.addresses_ok is None:
            h.addresses_ok = self._addresses_ok(host, port or (443 if parts.scheme == "https" else 80))
        if not h.addresses_ok:
            which = "not loopback" if self.policy.loopback_only else "a private, loopback or link-local address"
            raise FetchError("address", f"refused: {host} is {which}")

    def _addresses_ok(self, host: str, port: int) -> bool:
        if self.policy.loopback_only:
            if host == "localhost":
                return True
            try:
                return ipaddress.ip_address(host.strip("[]")).is_loopback
            except ValueError:
                return False  # a name: not resolved at all, so no query leaves the machine either
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            return True  # the request itself will fail with a network error that names the problem
        if self.policy.allow_private:
            return True
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%")[0])
            if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
                return False
        return True

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        """Wait for the host's turn: a concurrency slot, then the interval since the last start."""
        h = self._host(host)
        h.slots.acquire()
        try:
            with h.lock:
                now = time.monotonic()
                start = max(now, h.next_start)
                h.next_start = start + max(self.policy.host_interval, h.delay or 0.0)
            if start > now:
                self._sleep(start - now)
            yield
        finally:
            h.slots.release()

    def allowed(self, url: str) -> bool:
        """What the host's robots.txt says for *url* (fetched once per ``robots_ttl``)."""
        parts = urlsplit(url)
        h = self._host((parts.hostname or "").lower())
        with h.robots_lock:
            if h.robots is None or time.monotonic() >= h.robots_until:
                self._load_robots(h, f"{parts.scheme}://{parts.netloc}/robots.txt")
            rp = h.robots
        assert rp is not None
        return rp.can_fetch(ROBOTS_AGENT, url)

    def _load_robots(self, h: _Host, robots_url: str) -> None:
        rp = urllib.robotparser.RobotFileParser(robots_url)
        ttl = self.policy.robots_ttl
        h.robots_error = None
        try:
            resp = self.get(robots_url, "robots", robots=False)
            rp.parse(resp.text().splitlines())
        except FetchError as exc:
            if exc.status in (401, 403):
                rp.disallow_all = True  # the convention robotparser follows too
            elif exc.status is not None and 400 <= exc.status < 500 or exc.kind == "content-type":
                rp.allow_all = True  # no robots.txt (404, 410, an HTML error page): nothing is disallowed
            else:
                # Unreachable or 5xx: do not crawl the site for now, ask again soon.
                rp.disallow_all = True
                h.robots_error = f"robots.txt unavailable: {exc}"
                ttl = min(ttl, 600.0)
        delay = rp.crawl_delay(ROBOTS_AGENT)
        h.delay = min(float(delay), 60.0) if delay else None
        h.robots = rp
        h.robots_until = time.monotonic() + ttl

    def robots_error(self, url: str) -> str | None:
        return self._host((urlsplit(url).hostname or "").lower()).robots_error

    # -- one request, redirects by hand -------------------------------------------
    def _follow(self, url: str, kind: str, etag: str | None, last_modified: str | None, robots: bool) -> Response:
        seen: list[str] = []
        for _ in range(self.policy.max_redirects + 1):
            self.check_address(url)
            if robots and not self.allowed(url):
                why = self.robots_error(url)
                raise FetchError("robots", why or f"disallowed by robots.txt: {url}")
            if url in seen:
                raise FetchError("redirects", f"redirect loop: {' -> '.join([*seen, url])}")
            seen.append(url)
            resp, location = self._once(url, kind, etag, last_modified)
            if location is None:
                resp.redirects = seen[:-1]
                return resp
            url = urljoin(url, location)
        raise FetchError("redirects", f"more than {self.policy.max_redirects} redirects from {seen[0]}")

    def _once(self, url: str, kind: str, etag: str | None, last_modified: str | None) -> tuple[Response, str | None]:
        headers = {"Accept": _ACCEPT_HEADER.get(kind, "*/*")}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = (urlsplit(url).hostname or "").lower()
        p = self.policy
        with self._slot(host):
            self.requests += 1
            deadline = time.monotonic() + p.timeout
            try:
                with self.client.stream("GET", url, headers=headers) as r:
                    status = r.status_code
                    if status in REDIRECTS:
                        loc = r.headers.get("location")
                        if not loc:
                            raise FetchError("http", f"HTTP {status} without a Location", status=status)
                        return Response(url, status), loc
                    if status == 304:
                        return Response(url, 304, etag=r.headers.get("etag") or etag,
                                        last_modified=r.headers.get("last-modified") or last_modified), None
                    if status != 200:
                        retry = status in (408, 429) or status >= 500
                        after = retry_after_seconds(r.headers.get("retry-after")) if status in (429, 503) else None
                        raise FetchError("http", f"HTTP {status} from {url}", status=status, retryable=retry, retry_after=after)
                    ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > p.max_bytes:
                        raise FetchError("too-large", f"{url} is {int(declared):,} bytes, over the cap of {p.max_bytes:,}")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in r.iter_bytes():
                        size += len(chunk)
                        if size > p.max_bytes:
                            raise FetchError("too-large", f"{url} is over the cap of {p.max_bytes:,} bytes")
                        if time.monotonic() > deadline:
                            raise FetchError("timeout", f"{url} took longer than {p.timeout:g}s", retryable=True)
                        chunks.append(chunk)
                    body = b"".join(chunks)
                    resp = Response(url, 200, body, ctype, r.headers.get("etag"), r.headers.get("last-modified"))
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"{url}: timed out ({type(exc).__name__})", retryable=True) from exc
            except httpx.DecodingError as exc:
                raise FetchError("malformed", f"{url}: undecodable response ({exc})") from exc
            except httpx.TransportError as exc:
                raise FetchError("network", f"{url}: {type(exc).__name__}: {exc}", retryable=True) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError("malformed", f"{url}: {type(exc).__name__}: {exc}") from exc
        _check_type(resp, kind)
        return resp, None


_ACCEPT_HEADER = {
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    "robots": "text/plain, */*;q=0.1",
}


def _check_type(resp: Response, kind: str) -> None:
    want = _ACCEPT.get(kind)
    if not want:
        return
    ctype = resp.content_type
    if any(w in ctype for w in want):
        return
    if ctype in _GENERIC:
        head = resp.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
        if kind == "robots" or head.startswith(b"<") or (kind == "feed" and resp.body.startswith(b"\x1f\x8b")):
            return
    raise FetchError("content-type", f"{resp.url}: content type {ctype or '(none)'} is not a {kind}")
