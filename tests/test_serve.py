"""``polarwatch serve``'s connections send each response at once (Nagle's algorithm off).

With ``--workers N`` uvicorn binds the listening socket itself without naming TCP, so asyncio leaves
Nagle on and every response waited ~40 ms for the client's delayed acknowledgement. The socket here is
bound the same way; plain h11 shows the problem, our protocols (httptools on uvloop, which serve runs when
both are installed, and h11 on asyncio otherwise) do not.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from polarwatch.api.server import FAST, LOOP, PROTOCOL


async def _app(scope, receive, send):  # noqa: ANN001, ANN202
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize(("http", "loop", "nodelay"), [
    (PROTOCOL, LOOP, True), ("polarwatch.api.server:NoDelayH11Protocol", "asyncio", True), ("h11", "asyncio", False)])
def test_accepted_connections_have_nagle_off(http: str, loop: str, nodelay: bool):
    sock = socket.socket(socket.AF_INET)  # as uvicorn binds it for several workers: protocol 0
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_app, http=http, loop=loop, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        with httpx.Client() as client:
            assert client.get(f"http://127.0.0.1:{port}/").text == "ok"
            conns = list(server.server_state.connections)
            assert conns
            for proto in conns:
                s = proto.transport.get_extra_info("socket")
                assert bool(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)) is nodelay
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_serve_runs_our_protocol_with_one_worker_and_with_several(tmp_path, monkeypatch):  # noqa: ANN001
    from click.testing import CliRunner

    from polarwatch.cli import main
    from polarwatch.store import open_store

    db = tmp_path / "s.db"
    open_store(str(db)).close()
    seen: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.append(kw))
    for workers in ("1", "2"):
        res = CliRunner().invoke(main, ["--db", str(db), "serve", "--workers", workers])
        assert res.exit_code == 0, res.output
    assert [kw["http"] for kw in seen] == [PROTOCOL, PROTOCOL] and [kw["loop"] for kw in seen] == [LOOP, LOOP]
    assert FAST and LOOP == "uvloop" and "HttpTools" in PROTOCOL  # the pinned uvloop and httptools are installed
    assert seen[1]["workers"] == 2


@pytest.mark.parametrize("missing", [("uvloop",), ("httptools",), ("uvloop", "httptools")])
def test_serve_falls_back_to_h11_on_asyncio_without_uvloop_or_httptools(missing: tuple[str, ...], monkeypatch):  # noqa: ANN001
    """Where uvloop or httptools cannot be installed (uvloop has no Windows build), the server module
    picks our h11 protocol on asyncio, which uvicorn loads and which still answers with Nagle off."""
    import importlib
    import sys

    import polarwatch.api.server as server

    for name in missing:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed: find_spec gives None, import fails
    try:
        importlib.reload(server)
        assert not server.FAST and server.LOOP == "asyncio" and server.PROTOCOL == "polarwatch.api.server:NoDelayH11Protocol"
        config = uvicorn.Config(_app, http=server.PROTOCOL, loop=server.LOOP, lifespan="off")
        config.load()
        assert config.http_protocol_class is server.NoDelayH11Protocol
        test_accepted_connections_have_nagle_off(server.PROTOCOL, server.LOOP, True)
    finally:
        monkeypatch.undo()
        importlib.reload(server)
    assert server.FAST and server.LOOP == "uvloop"
