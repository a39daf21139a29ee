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
from pathlib import Path

import httpx
import pytest
import uvicorn

from polarwatch.api import server
from polarwatch.api.server import BALANCED, FAST, LOOP, PROTOCOL


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
    monkeypatch.setattr(server, "run_workers", lambda listener, n, options: seen.append({**options, "workers": n}) or 0)
    for workers in ("1", "2"):
        res = CliRunner().invoke(main, ["--db", str(db), "serve", "--port", "0", "--workers", workers])
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


def _connections_by_process(pids: list[int], port: int) -> dict[int, int]:
    """Established TCP connections on local *port* held by each of *pids* (Linux /proc)."""
    states: dict[str, bool] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            states[f[9]] = f[3] == "01" and int(f[1].rsplit(":", 1)[1], 16) == port
    out = {}
    for pid in pids:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = fd.readlink().as_posix()
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        out[pid] = sum(1 for i in inodes if states.get(i))
    return out


def test_a_server_process_warms_up_and_settles_its_garbage_collector(tmp_path, monkeypatch):  # noqa: ANN001
    """Each serving process, as it starts, answers server.WARM_UP to itself (the app's one-time set-up, which
    its first requests otherwise queued behind), then freezes what it holds and raises the collector's
    thresholds (server.GC_THRESHOLD: with the defaults a month-wide comparison spent a third of its CPU
    collecting)."""
    import asyncio
    import gc
    import os
    import subprocess
    import sys

    from click.testing import CliRunner

    from polarwatch.cli import main
    from polarwatch.store import open_store

    db = tmp_path / "s.db"
    open_store(str(db)).close()
    # several workers: the factory each spawned worker calls, started in a fresh interpreter
    code = ("import asyncio, gc\nfrom polarwatch.cli_serve import _app_from_env\napp = _app_from_env()\n"
            "async def start():\n    async with app.router.lifespan_context(app):\n        print(gc.get_threshold(), gc.get_freeze_count())\n"
            "print(gc.get_threshold())\nasyncio.run(start())")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "POLARWATCH_SERVE_DB": str(db)}, capture_output=True,
                         text=True, check=True).stdout.splitlines()  # fmt: skip
    assert out[0] == str(gc.get_threshold()) != str(server.GC_THRESHOLD)  # not before it starts
    threshold, frozen = out[1].rsplit(" ", 1)
    assert threshold == str(server.GC_THRESHOLD) and int(frozen) > 10_000
    # one worker: serve itself; its app's start asks every warm-up path, answered 200, before settling
    apps: list = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    res = CliRunner().invoke(main, ["--db", str(db), "serve", "--port", "0"])
    assert res.exit_code == 0, res.output
    asked: list[tuple[str, int, tuple]] = []
    real = server._ask

    async def ask(app, target):  # noqa: ANN001, ANN202
        status = await real(app, target)
        asked.append((target, status, gc.get_threshold()))
        return status

    monkeypatch.setattr(server, "_ask", ask)
    before = gc.get_threshold()

    async def start() -> tuple:
        async with apps[0].router.lifespan_context(apps[0]):
            return gc.get_threshold()

    try:
        settled = asyncio.run(start())
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert [(t, s) for t, s, _ in asked] == [(t, 200) for t in server.WARM_UP]
    assert all(g == before for _, _, g in asked) and settled == server.GC_THRESHOLD


@pytest.mark.skipif(not BALANCED, reason="handing connections to workers needs socket.send_fds (Unix)")
def test_several_workers_get_each_connection_by_fewest_open_connections(tmp_path):  # noqa: ANN001
    """``serve --workers 2`` accepts every connection in its own process and hands it to the worker holding the
    fewest: a burst of 40 splits 20/20 (uvicorn's one shared socket gave the first worker awake 18-20 of 20,
    one socket a worker a binomial split); after 15 of them close, wherever they were, 15 new ones fill the
    emptier worker back to 20/20."""
    import os
    import signal
    import subprocess
    import sys

    from polarwatch.store import open_store

    db = tmp_path / "s.db"
    open_store(str(db)).close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "polarwatch"), "--db", str(db), "serve", "--port", str(port), "--workers", "2"],
                            env={**os.environ, "POLARWATCH_API_TOKEN": ""}, stderr=subprocess.PIPE)  # fmt: skip
    clients: list[socket.socket] = []

    def held_after(n: int) -> dict[int, int]:
        for _ in range(100):  # until the workers hold all *n*
            held = _connections_by_process(workers, port)
            if sum(held.values()) == n:
                break
            time.sleep(0.05)
        return held

    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/outlets", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        workers = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
                   if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]  # not multiprocessing's resource tracker
        assert len(workers) == 2
        started = time.monotonic()
        time.sleep(0.3)  # the probes' connections closed and counted back
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        assert sorted(held_after(40).values()) == [20, 20]
        for c in clients[:15]:
            c.close()
        clients = clients[15:]
        time.sleep(0.3)
        clients += [socket.create_connection(("127.0.0.1", port)) for _ in range(15)]
        assert sorted(held_after(40).values()) == [20, 20]
        # the connections are served: a request on each of a few of them
        for c in clients[-4:]:
            c.sendall(f"GET /api/outlets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert c.recv(64).startswith(b"HTTP/1.1 200")
        # A worker that dies (past its start-up grace) is started again with a new pair, and gets its share.
        for c in clients:
            c.close()
        time.sleep(max(0.0, 6.0 - (time.monotonic() - started)))
        os.kill(workers[0], signal.SIGKILL)
        for _ in range(300):
            now = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
                   if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]  # fmt: skip
            if len(now) == 2 and workers[0] not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2 and workers[1] in now and workers[0] not in now
        workers = now
        for _ in range(300):  # the new worker serving
            try:
                if all(httpx.get(f"http://127.0.0.1:{port}/api/outlets", timeout=2).status_code == 200 for _ in range(4)):
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        time.sleep(0.3)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        assert sorted(held_after(20).values()) == [10, 10]
        for c in clients:
            c.sendall(f"GET /api/outlets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert c.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for c in clients:
            c.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    assert all(not Path(f"/proc/{w}").exists() for w in workers)
