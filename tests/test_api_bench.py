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
