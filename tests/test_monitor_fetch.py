"""The monitor's HTTP client against loopback servers that misbehave; also the servers the other monitor tests use.

Nothing here (or in any test_monitor* file) may reach past loopback: the
``no_network`` fixture makes every socket connection and name lookup to
anything else fail the test, on top of the fetcher's own loopback-only guard.
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from polarwatch.monitor.fetch import FetchError, FetchPolicy, Fetcher, retry_after_seconds


# -- the guard ---------------------------------------------------------------------------------------------
def _loopback(host: object) -> bool:
    h = str(host).strip("[]")
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail on any connection or lookup that would leave the machine."""
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    attempts: list[object] = []

    def check(addr: object) -> None:
        if isinstance(addr, tuple) and not _loopback(addr[0]):
            attempts.append(addr)
            raise AssertionError(f"test tried to connect off loopback: {addr!r}")

    def connect(self, addr):  # noqa: ANN001, ANN202
        check(addr)
        return real_connect(self, addr)

    def connect_ex(self, addr):  # noqa: ANN001, ANN202
        check(addr)
        return real_connect_ex(self, addr)

    def getaddrinfo(host, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host is not None and not _loopback(host):
            attempts.append(host)
            raise AssertionError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *a, **kw)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert not attempts, f"off-loopback attempts: {attempts}"


# -- a programmable loopback web server ------------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the status line
    drip: float = 0.0  # between 64-byte pieces of the body
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Site:
    """A loopback HTTP server: ``routes[path]`` is a function of the request giving a :class:`Reply`."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[Request], Reply]] = {}
        self.log: list[Request] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                site._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                site._serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *a: None  # a client that hangs up early (a timeout test) is no error here
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def hits(self, path: str) -> int:
        return sum(r.path == path for r in self.log)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        n = int(h.headers.get("Content-Length") or 0)
        req = Request(method, h.path, {k.lower(): v for k, v in h.headers.items()}, h.rfile.read(n) if n else b"")
        with self.lock:
            self.log.append(req)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            fn = self.routes.get(h.path)
            reply = fn(req) if fn else Reply(404, b"not found", {"Content-Type": "text/plain"})
            if reply.delay:
                time.sleep(reply.delay)
            h.send_response(reply.status)
            for k, v in reply.headers.items():
                h.send_header(k, v)
            if reply.length:
                h.send_header("Content-Length", str(len(reply.body)))
            else:
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            if reply.drip:
                for i in range(0, len(reply.body), 64):
                    h.wfile.write(reply.body[i : i + 64])
                    h.wfile.flush()
                    time.sleep(reply.drip)
            else:
                h.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.lock:
                self.active -= 1


class SmtpSink:
    """A loopback SMTP server that keeps every message it is given (enough of the protocol for smtplib)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, object]] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 sink ESMTP\r\n")
                mail: dict[str, object] = {"rcpt": []}
                while line := self.rfile.readline():
                    cmd = line.decode("ascii", "replace").strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.wfile.write(b"250 sink\r\n")
                    elif verb == "MAIL":
                        mail["from"] = cmd
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == "RCPT":
                        mail["rcpt"].append(cmd)  # type: ignore[union-attr]
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == "DATA":
                        self.wfile.write(b"354 go on\r\n")
                        data = []
                        while (d := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(d)
                        mail["data"] = b"".join(data).decode("utf-8", "replace")
                        sink.messages.append(mail)
                        mail = {"rcpt": []}
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 OK\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


FAST = FetchPolicy(timeout=0.5, connect_timeout=0.5, retries=2, backoff=0.01, backoff_max=0.05, max_retry_after=5.0,
                   host_interval=0.0, host_concurrency=4, max_bytes=200_000, loopback_only=True)  # fmt: skip


class Sleeps(list):
    """A sleep that records what it was asked and waits at most 10 ms."""

    def __call__(self, s: float) -> None:
        self.append(s)
        time.sleep(min(s, 0.01))


def fetcher(policy: FetchPolicy = FAST, **kw: object) -> tuple[Fetcher, Sleeps]:
    sleeps = Sleeps()
    return Fetcher(policy, sleep=sleeps, jitter=lambda: 0.0, **kw), sleeps  # type: ignore[arg-type]


RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def xml(body: bytes = RSS, **headers: str) -> Callable[[Request], Reply]:
    return lambda r: Reply(200, body, {"Content-Type": "application/rss+xml", **headers})


# -- the tests ---------------------------------------------------------------------------------------------------
def test_ok_and_every_request_counted(site):
    site.routes["/feed"] = xml()
    f, _ = fetcher()
    r = f.get(site.url("/feed"), "feed")
    assert r.status == 200 and r.body == RSS and r.attempts == 1
    assert site.hits("/robots.txt") == 1 and f.requests == 2  # robots.txt first, once per host


def test_slow_response_past_the_timeout_is_retried_then_fails(site):
    site.routes["/slow"] = lambda r: Reply(200, RSS, {"Content-Type": "text/xml"}, delay=1.0)
    f, sleeps = fetcher(replace(FAST, timeout=0.2))
    t0 = time.monotonic()
    with pytest.raises(FetchError) as e:
        f.get(site.url("/slow"), "feed")
    assert e.value.kind == "timeout"
    assert site.hits("/slow") == 3 and sleeps == [0.01, 0.02]  # 1 + 2 retries, exponential backoff
    assert time.monotonic() - t0 < 2.8  # three attempts that waited for the server would take 3 s


def test_a_body_that_trickles_in_past_the_deadline_is_cut(site):
    site.routes["/drip"] = lambda r: Reply(200, b"<rss>" + b"x" * 2000 + b"</rss>", {"Content-Type": "text/xml"}, drip=0.05)
    f, _ = fetcher(replace(FAST, retries=0))
    with pytest.raises(FetchError) as e:
        f.get(site.url("/drip"), "feed")
    assert e.value.kind == "timeout"


def test_429_retry_after_is_honoured(site):
    calls = []

    def flaky(r: Request) -> Reply:
        calls.append(1)
        return Reply(429, b"slow down", {"Retry-After": "2"}) if len(calls) == 1 else Reply(200, RSS, {"Content-Type": "text/xml"})

    site.routes["/feed"] = flaky
    f, sleeps = fetcher()
    r = f.get(site.url("/feed"), "feed")
    assert r.status == 200 and r.attempts == 2 and sleeps == [2.0]


def test_a_long_retry_after_gives_up_at_once_and_says_how_long(site):
    site.routes["/feed"] = lambda r: Reply(429, b"", {"Retry-After": "3600"})
    f, sleeps = fetcher()
    with pytest.raises(FetchError) as e:
        f.get(site.url("/feed"), "feed")
    assert e.value.status == 429 and e.value.retry_after == 3600 and sleeps == []
    assert site.hits("/feed") == 1


def test_retry_after_as_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 30) == pytest.approx(30)
    assert retry_after_seconds("soon") is None and retry_after_seconds("120") == 120


def test_500s_are_retried_with_backoff_and_then_succeed_or_fail(site):
    n = []

    def two_fails(r: Request) -> Reply:
        n.append(1)
        return Reply(500, b"oops") if len(n) <= 2 else Reply(200, RSS, {"Content-Type": "text/xml"})

    site.routes["/a"] = two_fails
    site.routes["/b"] = lambda r: Reply(503, b"down")
    f, sleeps = fetcher()
    assert f.get(site.url("/a"), "feed").attempts == 3
    assert sleeps == [0.01, 0.02]
    with pytest.raises(FetchError) as e:
        f.get(site.url("/b"), "feed")
    assert e.value.status == 503 and site.hits("/b") == 3


def test_404_is_not_retried(site):
    f, _ = fetcher()
    with pytest.raises(FetchError) as e:
        f.get(site.url("/missing"), "page")
    assert e.value.status == 404 and site.hits("/missing") == 1


def test_redirects_are_followed_loops_named_and_chains_limited(site):
    site.routes["/old"] = lambda r: Reply(301, b"", {"Location": "/mid"})
    site.routes["/mid"] = lambda r: Reply(302, b"", {"Location": site.url("/feed")})
    site.routes["/feed"] = xml()
    site.routes["/loop1"] = lambda r: Reply(302, b"", {"Location": "/loop2"})
    site.routes["/loop2"] = lambda r: Reply(307, b"", {"Location": "/loop1"})
    for i in range(10):
        site.routes[f"/hop{i}"] = lambda r, i=i: Reply(302, b"", {"Location": f"/hop{i + 1}"})
    f, _ = fetcher()
    r = f.get(site.url("/old"), "feed")
    assert r.url == site.url("/feed") and r.redirects == [site.url("/old"), site.url("/mid")]
    with pytest.raises(FetchError, match="redirect loop"):
        f.get(site.url("/loop1"), "feed")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        f.get(site.url("/hop0"), "feed")


def test_a_redirect_off_loopback_is_refused_before_connecting(site, no_network):
    site.routes["/away"] = lambda r: Reply(302, b"", {"Location": "http://example.com/feed"})
    f, _ = fetcher()
    with pytest.raises(FetchError) as e:
        f.get(site.url("/away"), "feed")
    assert e.value.kind == "address" and not no_network


def test_wrong_content_type_is_refused_and_generic_types_are_sniffed(site):
    site.routes["/json"] = lambda r: Reply(200, b'{"a": 1}', {"Content-Type": "application/json"})
    site.routes["/png"] = lambda r: Reply(200, b"\x89PNG....", {"Content-Type": "image/png"})
    site.routes["/plain-xml"] = lambda r: Reply(200, RSS, {"Content-Type": "text/plain"})
    site.routes["/html"] = lambda r: Reply(200, b"<html><body>hi</body></html>", {"Content-Type": "text/html; charset=utf-8"})
    f, _ = fetcher()
    for path in ("/json", "/png"):
        with pytest.raises(FetchError) as e:
            f.get(site.url(path), "feed")
        assert e.value.kind == "content-type"
    assert f.get(site.url("/plain-xml"), "feed").body == RSS
    with pytest.raises(FetchError):
        f.get(site.url("/html"), "feed")
    assert f.get(site.url("/html"), "page").status == 200


def test_enormous_responses_are_cut_at_the_cap(site):
    huge = b"<rss>" + b"<item>x</item>" * 30_000 + b"</rss>"  # 420 kB, the cap is 200 kB
    site.routes["/declared"] = lambda r: Reply(200, huge, {"Content-Type": "text/xml"})
    site.routes["/undeclared"] = lambda r: Reply(200, huge, {"Content-Type": "text/xml"}, length=False)
    f, _ = fetcher()
    for path in ("/declared", "/undeclared"):
        with pytest.raises(FetchError) as e:
            f.get(site.url(path), "feed")
        assert e.value.kind == "too-large"
        assert site.hits(path) == 1  # not retried


def test_conditional_get_sends_validators_and_reads_304(site):
    def cond(r: Request) -> Reply:
        if r.headers.get("if-none-match") == '"v1"' or r.headers.get("if-modified-since") == "Mon, 01 Jan 2024 00:00:00 GMT":
            return Reply(304, b"")
        return Reply(200, RSS, {"Content-Type": "text/xml", "ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    site.routes["/feed"] = cond
    f, _ = fetcher()
    first = f.get(site.url("/feed"), "feed")
    assert first.etag == '"v1"' and first.last_modified
    again = f.get(site.url("/feed"), "feed", etag=first.etag)
    assert again.not_modified and again.body == b""
    assert f.get(site.url("/feed"), "feed", last_modified=first.last_modified).not_modified


def test_robots_txt_is_respected(site):
    site.routes["/robots.txt"] = lambda r: Reply(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})
    site.routes["/private/feed"] = xml()
    site.routes["/public/feed"] = xml()
    f, _ = fetcher()
    with pytest.raises(FetchError) as e:
        f.get(site.url("/private/feed"), "feed")
    assert e.value.kind == "robots" and site.hits("/private/feed") == 0
    assert f.get(site.url("/public/feed"), "feed").status == 200
    assert site.hits("/robots.txt") == 1


def test_robots_txt_for_our_agent_and_crawl_delay(site):
    site.routes["/robots.txt"] = lambda r: Reply(
        200, b"User-agent: polarwatch\nDisallow: /private\nCrawl-delay: 3\n\nUser-agent: *\nDisallow: /\n",
        {"Content-Type": "text/plain"})
    site.routes["/feed"] = xml()
    f, sleeps = fetcher()
    with pytest.raises(FetchError, match="robots"):
        f.get(site.url("/private/x"), "feed")
    f.get(site.url("/feed"), "feed")  # our own group allows it, whatever "*" says
    f.get(site.url("/feed"), "feed")
    assert sleeps and sleeps[-1] == pytest.approx(3.0, abs=0.1)  # the second start waits for the Crawl-delay


def test_an_unreachable_robots_txt_blocks_the_site_for_now(site):
    site.routes["/robots.txt"] = lambda r: Reply(500, b"")
    site.routes["/feed"] = xml()
    f, _ = fetcher()
    with pytest.raises(FetchError, match="robots.txt unavailable"):
        f.get(site.url("/feed"), "feed")
    assert site.hits("/feed") == 0


def test_per_host_rate_limit_and_concurrency_cap(site):
    from concurrent.futures import ThreadPoolExecutor

    site.routes["/p"] = lambda r: Reply(200, b"<html><p>x</p></html>", {"Content-Type": "text/html"}, delay=0.05)
    f = Fetcher(replace(FAST, host_interval=0.1, host_concurrency=1))
    f.allowed(site.url("/p"))  # robots.txt read first, outside the timing
    t0 = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: f.get(site.url("/p"), "page"), range(4)))
    assert time.monotonic() - t0 >= 0.3  # four starts at least 0.1 s apart
    assert site.max_active == 1


def test_private_addresses_are_refused_unless_allowed(site):
    site.routes["/feed"] = xml()
    strict = Fetcher(replace(FAST, loopback_only=False))
    with pytest.raises(FetchError) as e:
        strict.get(site.url("/feed"), "feed")
    assert e.value.kind == "address" and site.hits("/feed") == 0
    assert Fetcher(replace(FAST, loopback_only=False, allow_private=True)).get(site.url("/feed"), "feed").status == 200


def test_loopback_only_refuses_names_without_resolving_them(no_network):
    f, _ = fetcher()
    for url in ("http://example.com/feed", "https://10.0.0.1/x", "ftp://127.0.0.1/x"):
        with pytest.raises(FetchError) as e:
            f.get(url, "feed")
        assert e.value.kind == "address"
    assert not no_network  # refused by the fetcher itself, before any socket
