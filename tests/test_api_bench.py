"""The REST API benchmark's own HTTP client (benchmarks/api.py, ``Connection``): whole responses read on one
keep-alive connection, by Content-Length or chunked, so that what it times is the server's answer."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path


def _bench():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).resolve().parents[1] / "benchmarks" / "api.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_benchmark_client_reads_sized_and_chunked_responses_on_one_connection():
    bench = _bench()
    seen: list[bytes] = []
    connections = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        while True:  # one connection, several requests (keep-alive)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            seen.append(head.split(b"\r\n", 1)[0])
            if b"/chunked" in head:
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nnot there")
            await writer.drain()
        writer.close()

    async def main() -> list[tuple[int, bytes]]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        c = bench.Connection("127.0.0.1", port)
        await c.open()
        try:
            return [await c.get("/chunked"), await c.get("/missing?x=1"), await c.get("/chunked")]
        finally:
            await c.close()
            server.close()
            await server.wait_closed()

    got = asyncio.run(main())
    assert got == [(200, b"hello world"), (404, b"not there"), (200, b"hello world")]
    assert seen == [b"GET /chunked HTTP/1.1", b"GET /missing?x=1 HTTP/1.1", b"GET /chunked HTTP/1.1"] and len(connections) == 1


def test_the_benchmark_client_times_out_reconnects_and_counts_failures_instead_of_stopping():
    """A server that hangs, or closes the connection without answering, costs that request (status 0,
    counted with the non-200s), not the run: the next request opens a new connection. A path with a space
    or a non-ASCII letter is sent percent-encoded."""
    bench = _bench()
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            seen.append(head.split(b"\r\n", 1)[0])
            if b"/hang" in head:
                await asyncio.sleep(5)
                break
            if b"/drop" in head:
                break  # closed without an answer
            if b"/last" in head:
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
                break
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()
        writer.close()

    async def main() -> tuple[list[tuple[int, bytes]], int, tuple[list[float], int]]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        c = bench.Connection("127.0.0.1", port, timeout=0.5)
        await c.open()
        try:
            got = [await c.get(p) for p in ("/a", "/hang", "/b", "/drop", "/c", "/last", "/search?q=sea ice&x=Tromsø")]
            whole = await bench.run(f"http://127.0.0.1:{port}", ["/a", "/drop", "/b", "/c"], 1, 0.5)
            return got, c.opened, whole
        finally:
            await c.close()
            server.close()
            await server.wait_closed()

    got, opened, (times, errors) = asyncio.run(main())
    assert got == [(200, b"ok"), (0, b""), (200, b"ok"), (0, b""), (200, b"ok"), (500, b""), (200, b"ok")]
    assert opened == 4  # the first, and after the hang, the drop and the announced close
    assert seen[-5] == b"GET /search?q=sea%20ice&x=Troms%C3%B8 HTTP/1.1"
    assert len(times) == 4 and errors == 1
