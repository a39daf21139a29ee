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
import sys
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
    """Tune the collector for a long-lived server process (see GC_THRESHOLD); call once the app is built."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


# Several worker processes. uvicorn's own supervisor gives every worker the one listening socket, and the
# worker whose event loop wakes first accepts every connection waiting: 20 keep-alive connections opened
# at once went 18/2, 12/8, 19/1 and 11/9 in four tries (2026-11-24), so one core served nearly every
# request while the other idled. Here each worker listens on a socket of its own, all bound to the same
# address with SO_REUSEPORT, and Linux spreads new connections over them by a hash of each connection's
# addresses: about half each, independently of which worker is busy. Where the option is missing or does
# not spread connections (not Linux), ``serve`` keeps uvicorn's supervisor.
BALANCED = hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")
STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start (the app or the socket)


def listening_sockets(host: str, port: int, n: int, backlog: int = 2048) -> list[socket.socket]:
    """*n* listening TCP sockets on (*host*, *port*) sharing the port (SO_REUSEPORT); port 0 picks a free
    one for the first and the others join it. Raises OSError (address in use, bad host) before any
    worker starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    out: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            out.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind((host, port))
            port = s.getsockname()[1]
            s.listen(backlog)
            s.set_inheritable(True)
    except OSError:
        for s in out:
            s.close()
        raise
    return out


def _worker(options: dict[str, Any], sock: socket.socket) -> None:
    import uvicorn

    uvicorn.Server(uvicorn.Config(**options)).run(sockets=[sock])


def run_workers(sockets: list[socket.socket], options: dict[str, Any], *, grace: float = 5.0) -> int:
    """Serve uvicorn *options* (``uvicorn.Config``'s keywords; the app an import string) from one spawned
    process per socket until SIGINT or SIGTERM; a worker that dies is started again on its socket, unless
    it failed at start-up or within *grace* seconds of it (it would only fail again): then every worker is
    stopped and 1 returned (0 after a signal)."""
    import multiprocessing
    import signal
    import threading
    import time

    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: list[Any] = [None] * len(sockets)
    since = [0.0] * len(sockets)

    def start(i: int) -> None:
        procs[i] = ctx.Process(target=_worker, args=(options, sockets[i]), daemon=True)
        procs[i].start()
        since[i] = time.monotonic()

    failed = 0
    try:
        for i in range(len(sockets)):
            start(i)
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
        for p in procs:
            if p is not None and p.is_alive():
                p.terminate()
        for p in procs:
            if p is not None:
                p.join(10)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for s in sockets:
            s.close()
    return failed
