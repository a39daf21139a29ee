"""The HTTP protocol and event loop ``polarwatch serve`` runs: uvicorn's httptools protocol (the C parser)
on uvloop when both are installed (they are pinned dependencies), else its h11 protocol on asyncio; in
either case with Nagle's algorithm off.

asyncio turns Nagle off on the sockets it opens itself, which is uvicorn's one-process path. With
``--workers N`` uvicorn binds the listening socket itself, without naming TCP as its protocol, so
asyncio leaves Nagle on for every connection it accepts. A response goes out in two writes (head,
then body), and the second waits for the client's delayed acknowledgement: 40 ms or more added to
every request on loopback, whatever the request costs.
"""

from __future__ import annotations

import gc
import importlib.util
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def _no_delay(transport: Any) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not a TCP socket after all; nothing to turn off
            pass


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


FAST = importlib.util.find_spec("httptools") is not None and importlib.util.find_spec("uvloop") is not None
if FAST:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)


# As uvicorn's ``http`` and ``loop`` settings take them.
PROTOCOL = "polarwatch.api.server:NoDelayHttpToolsProtocol" if FAST else "polarwatch.api.server:NoDelayH11Protocol"
LOOP = "uvloop" if FAST else "asyncio"


# The cyclic garbage collector of a server process. With Python's default thresholds (700, 10, 10) a
# month-wide comparison, which makes and drops some 10^5 container objects (row tuples, dicts), set off
# dozens of young collections and now and then a full one of 35-50 ms: 6-7 ms of collector time a
# comparison on average, a third of its CPU (the benchmark store, 2026-11-24, measured with gc.callbacks).
# Almost all of that garbage is freed by reference counting, so the young generation can be much larger;
# and what the process holds once it is ready to serve (modules, the registries, the app) is frozen, so
# that a full collection does not walk it again and again.
GC_THRESHOLD = (50_000, 20, 50)


def settle_gc() -> None:
    """Tune the collector for a long-lived server process (see GC_THRESHOLD); call once the app is ready."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


# What a serving process asks itself before it takes connections. Its first requests otherwise paid for the
# app's one-time set-up (FastAPI builds a router's routes on their first match, the middleware stack is
# built on the first call, the event loop's store connection opens, the actor registry and the theme
# taxonomy load on first use): ~45 ms, which every request queued behind it on that process waited for
# (20 connections: the first request of each of one worker's 10).
WARM_UP = ("/api/outlets", "/api/articles?limit=1&actor=ru&theme=shipping")


def serving(app: Any) -> Any:
    """*app* set up for a serving process: when it starts (the ASGI lifespan, in the server's event loop) it
    answers WARM_UP to itself, then settles the garbage collector (:func:`settle_gc`)."""
    from contextlib import asynccontextmanager

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> Any:
        async with inner(a) as state:
            for target in WARM_UP:
                await _ask(a, target)
            settle_gc()
            yield state

    app.router.lifespan_context = lifespan
    return app


async def _ask(app: Any, target: str) -> int:
    """GET *target* from the ASGI *app* in-process; its status (the body is dropped)."""
    path, _, query = target.partition("?")
    status = [0]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": query.encode(), "root_path": "", "headers": [(b"host", b"localhost")],
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0)}  # fmt: skip
    await app(scope, receive, send)
    return status[0]


# Several worker processes. uvicorn's own supervisor gives every worker the one listening socket, and the
# worker whose event loop wakes first accepts every connection waiting: 20 keep-alive connections opened
# at once went 18/2, 12/8, 19/1 and 11/9 in four tries (2026-11-24), so one core served nearly every
# request while the other idled. One socket a worker with SO_REUSEPORT (session 7) spread them by a hash of
# their addresses: binomially, 13/7 or worse in a quarter of the runs, and a connection stays where it
# landed. Here the supervisor accepts every connection itself and hands it (its file descriptor, over a
# Unix socket pair) to the worker holding the fewest open connections; a worker writes a byte back on the
# pair for each connection that closes. Where file descriptors cannot be passed (no socket.send_fds: not
# Unix), ``serve`` keeps uvicorn's supervisor.
BALANCED = hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")
STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start (the app or the socket)


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket on (*host*, *port*) (0: a free port). Raises OSError (address in use, bad
    host) before any worker starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(backlog)
    except OSError:
        s.close()
        raise
    return s


class _HandedServer:
    """Builds a uvicorn server that listens on nothing and serves the connections handed to it over
    *channel* (a class made on first use, so that importing this module does not import uvicorn)."""

    _cls: Any = None

    @classmethod
    def make(cls, config: Any, channel: socket.socket) -> Any:
        if cls._cls is None:
            import uvicorn

            class Server(uvicorn.Server):
                channel: socket.socket

                async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                    await super().startup(sockets=[])  # the app's lifespan, no listener
                    import asyncio

                    loop = asyncio.get_running_loop()
                    self.channel.setblocking(False)
                    loop.add_reader(self.channel.fileno(), self._adopt, loop)

                def _protocol(self) -> Any:
                    proto = self.config.http_protocol_class(config=self.config, server_state=self.server_state, app_state=self.lifespan.state)
                    lost = proto.connection_lost

                    def connection_lost(exc: Exception | None) -> None:
                        lost(exc)
                        try:
                            self.channel.send(b".")  # one connection fewer
                        except OSError:  # the supervisor is gone; shutting down
                            pass

                    proto.connection_lost = connection_lost
                    return proto

                def _adopt(self, loop: Any) -> None:
                    try:
                        msg, fds, _, _ = socket.recv_fds(self.channel, 16, 16)
                    except (BlockingIOError, InterruptedError):
                        return
                    except OSError:
                        msg, fds = b"", []
                    if not msg and not fds:  # the supervisor closed its end: stop like on a signal
                        loop.remove_reader(self.channel.fileno())
                        self.should_exit = True
                        return
                    for fd in fds:
                        conn = socket.socket(fileno=fd)
                        conn.setblocking(False)
                        loop.create_task(loop.connect_accepted_socket(self._protocol, conn))

            cls._cls = Server
        server = cls._cls(config)
        server.channel = channel
        return server


def _worker(options: dict[str, Any], channel: socket.socket) -> None:
    import uvicorn

    _HandedServer.make(uvicorn.Config(**options), channel).run()


def run_workers(listener: socket.socket, n: int, options: dict[str, Any], *, grace: float = 5.0) -> int:
    """Serve uvicorn *options* (``uvicorn.Config``'s keywords; the app an import string) from *n* spawned
    worker processes until SIGINT or SIGTERM, this process accepting every connection on *listener* and
    handing it to the worker with the fewest open connections. A worker that dies is started again, unless
    it failed at start-up or within *grace* seconds of it (it would only fail again): then every worker is
    stopped and 1 returned (0 after a signal)."""
    import multiprocessing
    import select
    import signal
    import threading
    import time

    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: list[Any] = [None] * n
    since = [0.0] * n
    ends: list[socket.socket | None] = [None] * n  # this process's end of each worker's pair
    held = [0] * n  # open connections handed to each worker
    lock = threading.Lock()

    def start(i: int) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        procs[i] = ctx.Process(target=_worker, args=(options, theirs), daemon=True)
        procs[i].start()
        theirs.close()
        with lock:
            old, ends[i], held[i] = ends[i], mine, 0
        if old is not None:
            old.close()
        since[i] = time.monotonic()

    def hand_out() -> None:
        listener.setblocking(False)
        while not stop.is_set():
            with lock:
                live = [(i, e) for i, e in enumerate(ends) if e is not None]
            try:
                ready, _, _ = select.select([listener, *(e for _, e in live)], [], [], 0.2)
            except (OSError, ValueError):  # a worker's end closed meanwhile by its restart: look again
                continue
            for i, e in live:
                if e in ready:
                    try:
                        closed = len(e.recv(4096))
                    except OSError:
                        closed = 0
                    with lock:
                        if ends[i] is not e:
                            continue
                        if closed:
                            held[i] = max(0, held[i] - closed)
                        else:  # the worker is gone: hand it nothing until it is started again
                            ends[i] = None
                            e.close()
            if listener not in ready:
                continue
            while True:
                try:
                    conn, _ = listener.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    if stop.is_set():
                        return
                    break
                with conn, lock:
                    # Nagle off here, on the socket itself: a worker adopts it as it is (uvloop's adopted transports
                    # did not keep the protocol's setting: larger responses waited ~40 ms for delayed ACKs).
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    order = sorted((held[i], i) for i, e in enumerate(ends) if e is not None)
                    for _, i in order:  # the least loaded worker that takes it
                        try:
                            socket.send_fds(ends[i], [b"c"], [conn.fileno()])  # type: ignore[arg-type]
                        except OSError:
                            continue
                        held[i] += 1
                        break

    failed = 0
    handing = threading.Thread(target=hand_out, name="polarwatch-accept", daemon=True)
    try:
        for i in range(n):
            start(i)
        handing.start()
        while not stop.wait(0.5):
            for i, p in enumerate(procs):
                if p.is_alive():
                    continue
                if p.exitcode == STARTUP_FAILURE or time.monotonic() - since[i] < grace:
                    failed = 1
                    stop.set()
                    break
                start(i)
    finally:
        stop.set()
        if handing.is_alive():
            handing.join(5)
        for p in procs:
            if p is not None and p.is_alive():
                p.terminate()
        for p in procs:
            if p is not None:
                p.join(10)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for e in ends:
            if e is not None:
                e.close()
        listener.close()
    return failed
