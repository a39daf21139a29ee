"""The HTTP protocol ``polarwatch serve`` runs: uvicorn's h11 protocol with Nagle's algorithm off.

asyncio turns Nagle off on the sockets it opens itself, which is uvicorn's one-process path. With
``--workers N`` uvicorn binds the listening socket itself, without naming TCP as its protocol, so
asyncio leaves Nagle on for every connection it accepts. A response goes out in two writes (head,
then body), and the second waits for the client's delayed acknowledgement: 40 ms or more added to
every request on loopback, whatever the request costs.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "polarwatch.api.server:NoDelayH11Protocol"  # as uvicorn's ``http`` setting takes it


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not a TCP socket after all; nothing to turn off
                pass
        super().connection_made(transport)
