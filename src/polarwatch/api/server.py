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
