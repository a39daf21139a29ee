"""The FastAPI application: ``create_app(db, token=...)``.

Read-only by default: read endpoints use connections with ``PRAGMA query_only``; the ingest and delete
endpoints exist only when a token is set (``token=`` or ``POLARWATCH_API_TOKEN``) and then require it
as ``Authorization: Bearer TOKEN``. Every response carries the security headers below; a request body
over ``max_request_bytes`` is refused with 413; an unexpected error answers a generic 500 body and the
traceback stays in the server's log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

try:
    import orjson
except ImportError:  # a pinned dependency; json serves when it is missing
    orjson = None  # type: ignore[assignment]

from ..analysis.aggregates import fill_aggregates
from ..config import load_settings
from ..store import open_store
from ..store.sqlite import SQLiteStore
from .cache import ResultCache

log = logging.getLogger("polarwatch.api")

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
MAX_REQUEST_BYTES = 2_000_000


class SafeJSONResponse(JSONResponse):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``-style escapes: article text stays inert even
    if a client ever puts a response into HTML."""

    def render(self, content: Any) -> bytes:
        # orjson writes the same compact UTF-8 JSON ~5x faster (a 100 kB comparison: 1.2 -> 0.2 ms), except that a
        # NaN or infinity, which no endpoint produces, becomes null where json.dumps failed the response.
        if orjson is not None:
            data = orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
        else:
            data = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


class Guard:
    """Outermost ASGI layer: security headers on every response, the request size limit, and a generic
    500 (no traceback, no exception text) for any error the app did not handle."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in SECURITY_HEADERS if h[0] not in names]
            await send(message)

        async def reply(status: int, detail: str) -> None:
            body = json.dumps({"detail": detail}).encode()
            await send_({"type": "http.response.start", "status": status,
                         "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
            await send_({"type": "http.response.body", "body": body})

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await reply(413, f"request body over {self.max_bytes} bytes")
            return
        if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE"):
            # Read the body first (it is small by now or refused): a body sent without a length is counted
            # as it arrives, and the app then reads it from memory.
            chunks, seen, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return
                chunks.append(message.get("body", b""))
                seen += len(chunks[-1])
                more = message.get("more_body", False)
                if seen > self.max_bytes:
                    await reply(413, f"request body over {self.max_bytes} bytes")
                    return
            replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def receive_() -> dict[str, Any]:
                return replay.pop() if replay else await receive()
        else:
            receive_ = receive

        try:
            await self.app(scope, receive_, send_)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await reply(500, "internal error")


# Settings of the API's read connections to a SQLite store (the ingest keeps SQLite's defaults): reads go
# through memory-mapped pages shared by every thread and worker instead of each connection copying pages
# into its own cache, which then only needs to hold the hot index pages. The map is asked to cover the whole
# file (SQLite lowers the request to its build's limit, 2 GiB for Debian's): tables added last, such as the
# daily aggregates, lie at the file's end, past 1 GiB in the 1.2 GB benchmark store (month-wide comparison
# ~6 % less CPU than with a 1 GiB map).
READ_PRAGMAS = ("query_only = ON", f"mmap_size = {1 << 40}", "cache_size = -16000", "temp_store = MEMORY")

# The PostgreSQL connections borrowed by the request being served (see Stores.read and Release).
_borrowed: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("polarwatch_borrowed", default=None)


class Stores:
    """The stores the endpoints read and write.

    SQLite: one read-only connection per server thread (a connection is used by one thread at a time), so
    requests on different threads never wait for each other. PostgreSQL: each request borrows a
    connection from the store's pool for its duration (:class:`Release` gives it back), so concurrent
    requests run on separate connections up to the pool's size instead of queueing on one. Writes go
    through one writer store behind a lock."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._local = threading.local()
        self._lock = threading.Lock()
        self._writer: SQLiteStore | None = None
        first = open_store(db)  # create or migrate the schema once, before any reader opens
        self.pg = hasattr(first.db, "pg")
        fill_aggregates(first)  # a store from before migration 014: its daily aggregates, once
        self._shared: Any = None  # PostgreSQL: a reader for calls outside a request
        first.close()

    def read(self) -> SQLiteStore:
        if self.pg:
            from ..store.postgres import PostgresStore

            held = _borrowed.get()
            if held is None:  # outside a request: one shared reader (psycopg connections are thread-safe)
                with self._lock:
                    if self._shared is None:
                        self._shared = PostgresStore.reader(self.db)
                return self._shared  # type: ignore[no-any-return]
            if not held:
                held.append(PostgresStore.reader(self.db))
            return held[0]  # type: ignore[no-any-return]
        s = getattr(self._local, "store", None)
        if s is None:
            s = open_store(self.db)
            for pragma in READ_PRAGMAS:
                s.db.execute(f"PRAGMA {pragma}")
            self._local.store = s
        return s  # type: ignore[no-any-return]

    def write(self) -> tuple[threading.Lock, SQLiteStore]:
        with self._lock:
            if self._writer is None:
                self._writer = open_store(self.db)
        return self._lock, self._writer


class Release:
    """ASGI layer that gives back, when a request ends, the PostgreSQL connection it borrowed to read."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Any] = []
        token = _borrowed.set(held)
        try:
            await self.app(scope, receive, send)
        finally:
            _borrowed.reset(token)
            for s in held:
                s.close()


def create_app(db: str, *, token: str | None = None, max_request_bytes: int = MAX_REQUEST_BYTES) -> FastAPI:
    """The polarwatch app over the store at *db*: the REST API under ``/api`` (spec at ``/api/openapi.json``).

    *token* (default: the ``api_token`` setting, ``POLARWATCH_API_TOKEN``) enables the write endpoints
    (``POST /api/articles``, ``DELETE /api/articles/{id}``) for requests bearing it; without one they answer 403."""
    from . import routes, write

    if token is None:
        token = getattr(load_settings(), "api_token", None) or None
    app = FastAPI(
        title="polarwatch",
        version="1",
        description="News intelligence for Arctic geopolitics: articles, quotes, events, themes, stories, comparisons.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN; the spec is enough offline
        redoc_url=None,
        default_response_class=SafeJSONResponse,
    )
    app.state.stores = Stores(db)
    app.state.results = ResultCache()
    app.state.token = token
    routes.install(app)
    write.install(app)
    # --- dashboard (src/polarwatch/web) mounts its router here, after the API: ---
    from ..web import make_router as dashboard_router

    app.include_router(dashboard_router(db))
    # --- end of dashboard mount ---
    app.add_middleware(Release)
    app.add_middleware(Guard, max_bytes=max_request_bytes)
    return app
