"""The dashboard's pages: an APIRouter of server-rendered HTML over one store.

Templates are Jinja2 with autoescaping on for every ``.html`` file; article text
reaches them only as plain strings (see ``highlight.py``), so the page never
contains markup that came from an article. Scripts and styles are files under
``static/`` served from this origin: the Content-Security-Policy forbids inline ones.
"""

from __future__ import annotations

import re
import threading
from importlib import resources
from typing import Any, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..analysis.sides import SideError
from ..store import AmbiguousId, open_store
from ..store.sqlite import SQLiteStore
from . import charts, views
from .links import evidence_href, link, listing_href, safe_href
from .queries import Filters

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("polarwatch.web", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["ev_href"] = evidence_href
    env.filters["listing"] = listing_href
    env.filters["when"] = charts.when
    env.filters["plural"] = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
    env.filters["fmt_tone"] = lambda v: "" if v is None else f"{v:+.2f}"
    return env


class _Stores:
    """One read-only store connection per server thread (SQLite connections are not shared across threads here)."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.local = threading.local()
        self.lock = threading.Lock()
        self.shared: SQLiteStore | None = None  # the PostgreSQL reader

    def get(self) -> SQLiteStore:
        s = getattr(self.local, "store", None) or self.shared
        if s is None:
            s = open_store(self.db)
            if not isinstance(s, SQLiteStore):
                raise RuntimeError("the dashboard reads a SQLite or PostgreSQL store")
            s.db.execute("PRAGMA query_only = ON")  # the dashboard only reads
            if hasattr(s.db, "pg"):  # PostgreSQL: one connection for all threads (psycopg's are thread-safe);
                with self.lock:  # one per server thread would hold more than the pool has
                    if self.shared is None:
                        self.shared = s
                    else:
                        s.close()
                        s = self.shared
            else:
                self.local.store = s
        return s


def filters_from(request: Request) -> Filters:
    """Filters from the query string; malformed values are dropped rather than passed to SQL."""
    qp = request.query_params

    def text(name: str, size: int = 200) -> str | None:
        v = (qp.get(name) or "").strip()
        return v[:size] or None

    since, until = text("since", 10), text("until", 10)
    story, thread = text("story", 12), text("thread", 12)
    country = text("country", 2)
    return Filters(
        q=text("q", 500) or "",
        outlet=text("outlet"),
        country=country.upper() if country and country.isalpha() else None,
        kind=text("kind", 40),
        since=since if since and _DATE.match(since) else None,
        until=until if until and _DATE.match(until) else None,
        actor=text("actor"),
        theme=text("theme", 40),
        story=int(story) if story and story.isdigit() else None,
        thread=int(thread) if thread and thread.isdigit() else None,
        side=tuple(v.strip()[:500] for v in qp.getlist("side")[:6] if v.strip()),
        outlet_name=text("outlet_name"),
        tone_toward=text("tone_toward"),
        quoting=tuple(v.strip()[:200] for v in qp.getlist("quoting")[:10] if v.strip()),
    )


# (path, view function, template) of every page; ``{story_id:int}``-style parameters reach the view.
PAGES = [
    ("/", views.overview, "overview.html"),
    ("/article/{article_id}", views.article, "article.html"),
    ("/actor/{actor_id:path}", views.actor, "actor.html"),
    ("/story/{story_id:int}", views.story, "story.html"),
    ("/thread/{thread_id:int}", views.thread, "thread.html"),
    ("/compare", views.compare, "compare.html"),
    ("/network", views.network_page, "network.html"),
    ("/search", views.search, "search.html"),
    ("/events", views.events, "events.html"),
    ("/quotes", views.quotes, "quotes.html"),
]


def make_router(db: str) -> APIRouter:
    """The dashboard over the store at *db*: pages at ``/``, ``/article/ID``, ``/actor/ID``, ``/story/N``,
    ``/thread/N``, ``/compare``, ``/network``, ``/search``, ``/events``, ``/quotes``; files at ``/static/``."""
    router = APIRouter(include_in_schema=False)
    env = environment()
    stores = _Stores(db)

    def page(name: str, request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(name).render(request=request, link=link, path=request.url.path, **ctx)
        return HTMLResponse(html, status_code=status)

    def view(fn: Callable[..., dict[str, Any] | None], template: str) -> Callable[..., HTMLResponse]:
        def handler(request: Request) -> HTMLResponse:
            kw = {k: v for k, v in request.path_params.items()}
            for key, size in (("article_id", 64), ("actor_id", 200)):
                if key in kw:
                    kw[key] = str(kw[key])[:size]
            try:
                ctx = fn(stores.get(), filters_from(request), request.query_params, **kw)
            except AmbiguousId:
                ctx = None
            except SideError as exc:  # a side= the comparison syntax cannot read
                return page("missing.html", request, 400, what=f"side ({exc})")
            if ctx is None:
                return page("missing.html", request, 404, what=template.split(".")[0])
            return page(template, request, **ctx)

        return handler

    for route, fn, template in PAGES:
        router.add_api_route(route, view(fn, template), methods=["GET"], response_class=HTMLResponse, name=template[:-5])

    @router.get("/network/data.json")
    def network_data(request: Request) -> dict[str, Any]:
        return views.network_data(stores.get(), filters_from(request), request.query_params)

    @router.get("/search", response_class=HTMLResponse)
    def search(request: Request) -> HTMLResponse:
        return view(views.search, "search.html")(request)

    @router.get("/events", response_class=HTMLResponse)
    def events(request: Request) -> HTMLResponse:
        return view(views.events, "events.html")(request)

    @router.get("/quotes", response_class=HTMLResponse)
    def quotes(request: Request) -> HTMLResponse:
        return view(views.quotes, "quotes.html")(request)

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        suffix = name[name.rfind(".") :] if "." in name else ""
        if not re.fullmatch(r"[a-z0-9_-]+\.[a-z]+", name) or suffix not in STATIC_TYPES:
            raise HTTPException(404)
        f = resources.files("polarwatch.web").joinpath("static", name)
        if not f.is_file():
            raise HTTPException(404)
        return Response(f.read_bytes(), media_type=STATIC_TYPES[suffix], headers={"Cache-Control": "public, max-age=300"})

    return router
