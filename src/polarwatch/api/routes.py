"""The read endpoints, all under ``/api``; lists take the same filters and page by opaque cursors."""

from __future__ import annotations

import collections
import os
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from .. import analysis
from ..analysis import queries as q
from ..store.base import MARK_END, MARK_START, ArticleFilter
from . import export, models

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=500, description="The next_cursor of the previous page.")]
Format = Annotated[Literal["json", "jsonl", "csv", "parquet"], Query(description="json (a page), or an export of the page.")]
Date = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="ISO date, inclusive.")]
Text = Annotated[str | None, Query(max_length=200)]
SEARCH_MAX = 1000  # search pages reach this many hits at most
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": models.Error}, 404: {"model": models.Error}}


async def filters(
    since: Date = None, until: Date = None, outlet: Text = None,
    country: Annotated[str | None, Query(max_length=200, description="Outlet country, ISO-2; comma-separated for several.")] = None,
    kind: Annotated[str | None, Query(max_length=200, description="Outlet kind; comma-separated for several.")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Actor id or registry name: articles mentioning it.")] = None,
    theme: Annotated[str | None, Query(max_length=100, description="Theme id: articles carrying it.")] = None,
    story: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    thread: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> q.Filters:  # fmt: skip
    return q.Filters(since, until, outlet, country, kind, actor, theme, story, thread)


Flt = Annotated[q.Filters, Depends(filters)]


async def list_filters(
    f: Flt,
    side: Annotated[list[str] | None, Query(max_length=6, description=(
        "Comparison sides (a bloc id such as RU/state-controlled, or outlet=…;country=…;kind=…;region=…, as /api/compare "
        "takes them); repeatable: articles in any of them."))] = None,
    outlet_name: Annotated[str | None, Query(max_length=200, description="The outlet's name, exactly (case and all).")] = None,
    tone_toward: Annotated[str | None, Query(max_length=200, description="An actor id: articles scoring a tone toward it (a comparison's tone figure).")] = None,
    quoting: Annotated[list[str] | None, Query(max_length=10, description="Speaker actor ids, repeatable: articles quoting every one of them (a co-quoted edge).")] = None,
) -> q.Filters:  # fmt: skip
    """The filters of every list (articles, search, quotes, events): the common ones, and those the links of
    a comparison's and a network's figures select by."""
    sides = tuple(x[:500] for x in side or ())
    for spec in sides:
        analysis.parse_side(spec)  # a bad side is a 400 here, not inside the query
    return f.with_(side=sides, outlet_name=outlet_name, tone_toward=tone_toward, quoting=tuple(x[:200] for x in quoting or ()))


LFlt = Annotated[q.Filters, Depends(list_filters)]
Evidence = Annotated[int, Query(ge=0, le=10, description=(
    "Evidence rows (article id and span) inline per figure, 0-10. 0 (the default): the evidence lists stay empty and "
    "every figure's link (a list endpoint's path and filters) gives its rows."))]


def _store(request: Request) -> Any:
    return request.app.state.stores.read()


class _Turns:
    """At most *n* holders at once, the others served in the order they came: a freed turn goes straight to
    the longest waiter. (A semaphore lets a thread that arrives as a turn is freed take it before the
    woken waiter runs, so under load some requests waited several turns longer than the rest.)"""

    def __init__(self, n: int) -> None:
        self._free = n
        self._lock = threading.Lock()
        self._waiting: collections.deque[threading.Lock] = collections.deque()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder that hands its turn over

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1


# Analyses (compare, network, trends) computed at once in one server process: one by default. With a worker
# process a core (serve --workers 2 on two cores) two side by side only share the interpreter lock, and each
# waits longer than it would in turn (20 clients, month-wide comparisons, alternated runs: p95 270-273 ms with
# one, 310-355 with two; docs/benchmarks.md).
_ANALYSES = _Turns(max(1, int(os.environ.get("POLARWATCH_API_ANALYSES", "1"))))


def _analysis(request: Request, compute: Any) -> Any:
    """:func:`_cached`, at most ``_ANALYSES`` computing at once in this process (a cached result does not wait)."""

    def one_of_few(s: Any) -> Any:
        with _ANALYSES:
            return compute(s)

    return _cached(request, one_of_few)


def _cached(request: Request, compute: Any) -> Any:
    """*compute(store)* through the app's result cache, keyed by the path and the query as sent. A result
    scoped to a story or a thread is computed every time: the store generation follows the articles, not
    story membership (and such a scope is small)."""
    s = _store(request)
    if "story" in request.query_params or "thread" in request.query_params:
        return compute(s)
    key = (request.url.path, tuple(request.query_params.multi_items()))
    return request.app.state.results.get(s, key, lambda: compute(s))


def _summary(r: dict[str, Any]) -> dict[str, Any]:
    r = dict(r)
    r.pop("rowid", None)
    r["summary_only"] = bool(r["summary_only"])
    r["analysed"] = r.pop("analysed_with", None) is not None
    return r


def _strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r.pop("rowid", None)
        r.pop("seq", None)
    return rows


def _listing(rows: list[dict[str, Any]], nxt: str | None, fmt: str, name: str) -> Any:
    if fmt == "json":
        return {"items": rows, "next_cursor": nxt}
    return export.table(rows, fmt, name, nxt)


def _marks(snippet: str) -> tuple[str, list[list[int]]]:
    """The snippet without its MARK_START/MARK_END characters, and [start, end] of each marked span in it."""
    out, marks, at, size = [], [], 0, 0
    while (s := snippet.find(MARK_START, at)) >= 0 and (e := snippet.find(MARK_END, s + 1)) >= 0:
        before, inner = snippet[at:s].replace(MARK_END, ""), snippet[s + 1 : e].replace(MARK_START, "")
        out += [before, inner]
        marks.append([size + len(before), size + len(before) + len(inner)])
        size += len(before) + len(inner)
        at = e + 1
    out.append(snippet[at:].replace(MARK_START, "").replace(MARK_END, ""))
    return "".join(out), marks


async def _cheap(request: Request, work: Any, on_loop: bool = True) -> Any:
    """*work()*, a list page of a few milliseconds, on the event loop when that is safe and cheaper, else
    in the thread pool.

    On the loop (SQLite, a JSON page): the hand-over to the pool and the pool's contention with the loop
    for the GIL cost more than such a request under twenty clients. It is safe because *work* never
    awaits: it runs to its end on the loop thread's own read connection, so no other request can use that
    connection meanwhile, and a SQLite read does not normally wait for writers (WAL). In the pool: on PostgreSQL,
    where borrowing a connection blocks while the pool is empty and the connections come back only when
    other responses finish, on the loop (a wait on the loop would stop those responses, a deadlock until
    the pool's timeout); and exports (*on_loop* false), whose CSV or Parquet pages take longer."""
    if on_loop and not request.app.state.stores.pg:
        return work()
    return await run_in_threadpool(work)


router = APIRouter(prefix="/api", responses=ERRORS)
# The costly endpoints (compare, network, trends, themes, actors) and search (up to 1,000 hits ranked,
# then narrowed) are plain functions, run in the thread pool so that they never hold the loop up; the
# cheap lists go through _cheap.


@router.get("/articles", response_model=models.Page[models.ArticleSummary], summary="Articles, newest first")
async def list_articles(request: Request, f: LFlt, cursor: Cursor = None, limit: Limit = 50, format: Format = "json") -> Any:  # noqa: A002
    def work() -> Any:
        rows, nxt = q.articles(_store(request), f, cursor, limit)
        return _listing([_summary(r) for r in rows], nxt, format, "articles")

    return await _cheap(request, work, format == "json")


@router.get("/articles/{article_id}", response_model=models.ArticleDetail, summary="One article with all that was extracted")
def get_article(request: Request, article_id: Annotated[str, Path(max_length=64)]) -> Any:
    s = _store(request)
    r = q.article_by_id(s, article_id)
    if r is None:
        raise HTTPException(404, "no such article")
    full = s.get_article(r["id"])
    a = full.article
    out = _summary(r)
    tone = s.get_tone(a.id)
    out.update(
        paragraphs=a.paragraphs, removed=[{"rule": x.rule, "text": x.text} for x in a.removed], sources=full.sources_detail,
        mentions=[m.as_dict() for m in s.get_mentions(a.id)],
        quotes=[{**{k: v for k, v in x.as_dict().items() if k not in ("speaker_text", "cue_start", "speaker_name")},
                 "speaker": x.speaker_name} for x in s.get_quotes(a.id)],
        events=[{**ev.as_dict(), "start": ev.evidence_start, "end": ev.evidence_end} for ev in s.get_events(a.id)],
        themes=[{"theme": t["theme"], "score": t["score"], "share": t["share"], "evidence": t["evidence"]} for t in s.get_themes(a.id)],
        tone=tone, story=s.story_of(a.id),
    )  # fmt: skip
    return out


@router.get("/search", response_model=models.Page[models.SearchHit], summary="Full-text search, best first")
async def search(request: Request, f: LFlt, q_: Annotated[str, Query(alias="q", min_length=1, max_length=500)],
                 cursor: Cursor = None, limit: Limit = 20) -> Any:  # fmt: skip
    cur = q.decode_cursor(cursor, 2)
    offset = int(cur[1]) if cur else 0
    if offset < 0 or offset >= SEARCH_MAX:
        raise q.QueryError("bad cursor")
    # A first page costs a few milliseconds (store.search ranks at most RANK_WINDOW matches): on the loop,
    # as the lists; deep pages (up to SEARCH_MAX hits ranked and cut) in the thread pool.
    return await _cheap(request, lambda: _search(request, f, q_, offset, limit), offset + limit <= 100)


def _search(request: Request, f: Any, q_: str, offset: int, limit: int) -> Any:
    s = _store(request)
    # Several countries or kinds, actor, theme, story and thread are not search filters: the hits are narrowed after.
    many = "," in (f.country or "") or "," in (f.kind or "")
    flt = ArticleFilter(f.outlet, None if many else f.country, None if many else f.kind, f.since, f.until)
    hits = s.search(q_, flt, limit=min(offset + limit + 1, SEARCH_MAX))
    if hits and (many or f.actor or f.theme or f.story is not None or f.thread is not None or f.link_only()):
        cond, args = q.where(s, f)
        ids = [h.id for h in hits]
        keep = {r[0] for r in s.db.execute(f"SELECT a.id FROM articles a WHERE {cond} AND a.id IN ({', '.join('?' * len(ids))})",  # noqa: S608
                                           [*args, *ids])}  # fmt: skip
        hits = [h for h in hits if h.id in keep]
    page = hits[offset : offset + limit]
    nxt = q.encode_cursor(["search", offset + limit]) if len(hits) > offset + limit and offset + limit < SEARCH_MAX else None
    items = []
    for h in page:
        snippet, marks = _marks(h.snippet)
        items.append({**h.as_dict(), "snippet": snippet, "marks": marks})
    return {"items": items, "next_cursor": nxt}


@router.get("/quotes", response_model=models.Page[models.Quote], summary="Quotes, newest first")
async def list_quotes(
    request: Request, f: LFlt, speaker: Text = None, about: Text = None, quote_kind: Literal["direct", "indirect"] | None = None,
    speaker_key: Annotated[str | None, Query(max_length=200, description=(
        "Exactly one speaker as a comparison groups them: a resolved speaker's actor id, else the name as printed."))] = None,
    speaker_country: Annotated[str | None, Query(max_length=20, description="The speaker's country as stored; 'unknown' for none.")] = None,
    about_id: Annotated[str | None, Query(max_length=200, description="An actor id the quote names (not its own speaker), exactly.")] = None,
    cursor: Cursor = None, limit: Limit = 50, format: Format = "json",  # noqa: A002
) -> Any:  # fmt: skip
    def work() -> Any:
        rows, nxt = q.quotes(_store(request), f, speaker=speaker, about=about, kind=quote_kind, speaker_key=speaker_key,
                             speaker_country=speaker_country, about_id=about_id, cursor=cursor, limit=limit)  # fmt: skip
        return _listing(_strip(rows), nxt, format, "quotes")

    return await _cheap(request, work, format == "json")


@router.get("/events", response_model=models.Page[models.Event], summary="Actor-to-actor events, newest first")
async def list_events(
    request: Request, f: LFlt, source: Text = None, target: Text = None, type: Annotated[str | None, Query(max_length=20)] = None,  # noqa: A002
    source_label: Annotated[str | None, Query(max_length=200, description=(
        "The source as a comparison names it (the actor's name, else its country, else '?'), exactly, as written."))] = None,
    target_label: Annotated[str | None, Query(max_length=200, description="The target as a comparison names it, exactly, as written.")] = None,
    source_id: Annotated[str | None, Query(max_length=200, description="The source's actor id, exactly (a symmetric event reads both ways).")] = None,
    target_id: Annotated[str | None, Query(max_length=200, description="The target's actor id, exactly (a symmetric event reads both ways).")] = None,
    symmetric: Annotated[bool | None, Query(description="Only symmetric (true) or only directed (false) events.")] = None,
    cursor: Cursor = None, limit: Limit = 50, format: Format = "json",  # noqa: A002
) -> Any:  # fmt: skip
    def work() -> Any:
        rows, nxt = q.events(_store(request), f, source=source, target=target, type=type, source_label=source_label,
                             target_label=target_label, source_id=source_id, target_id=target_id, symmetric=symmetric,
                             cursor=cursor, limit=limit)  # fmt: skip
        return _listing(_strip(rows), nxt, format, "events")

    return await _cheap(request, work, format == "json")


@router.get("/actors", response_model=models.Items[models.Actor], summary="Actors by the articles mentioning them")
def list_actors(request: Request, f: Flt, limit: Limit = 50) -> Any:
    return {"items": q.actors(_store(request), f, limit)}


@router.get("/themes", response_model=models.Items[models.Theme], summary="Themes by the articles carrying them")
def list_themes(request: Request, f: Flt) -> Any:
    from ..themes import taxonomy

    tax = taxonomy()
    rows = q.themes(_store(request), f)
    for r in rows:
        t = tax.by_id.get(r["theme"])
        r["name"], r["description"] = (t.name, t.description) if t else (r["theme"], "")
    return {"items": rows}


@router.get("/stories", response_model=models.Page[models.Story], summary="Same-event stories, most recently seen first")
async def list_stories(request: Request, f: Flt, cursor: Cursor = None, limit: Limit = 50) -> Any:
    def work() -> Any:
        rows, nxt = q.stories(_store(request), f, cursor, limit)
        return {"items": rows, "next_cursor": nxt}

    return await _cheap(request, work)


@router.get("/stories/{story_id}", response_model=models.StoryDetail, summary="One story: outlets, articles, quoted, events")
def get_story(request: Request, story_id: int) -> Any:
    st = _store(request).get_story(story_id) if 0 <= story_id < 2**62 else None
    if st is None:
        raise HTTPException(404, "no such story")
    return st


@router.get("/threads", response_model=models.Items[models.Thread], summary="Threads: stories about one ongoing issue, latest first")
def list_threads(request: Request, limit: Limit = 50) -> Any:
    s = _store(request)
    if not q.has_table(s, "threads"):
        raise HTTPException(404, "this store has no threads")
    return {"items": [dict(r) for r in s.db.execute(
        "SELECT id, title, first_seen, last_seen, stories, articles FROM threads ORDER BY last_seen DESC, id DESC LIMIT ?", (limit,)
    )]}  # fmt: skip


@router.get("/threads/{thread_id}", response_model=models.ThreadDetail, summary="One thread and its stories in time order")
def get_thread(request: Request, thread_id: int) -> Any:
    s = _store(request)
    if not q.has_table(s, "threads") or not 0 <= thread_id < 2**62:
        raise HTTPException(404, "no such thread")
    t = s.db.execute("SELECT id, title, first_seen, last_seen, stories, articles FROM threads WHERE id = ?", (thread_id,)).fetchone()
    if t is None:
        raise HTTPException(404, "no such thread")
    stories = [dict(r) for r in s.db.execute(
        "SELECT st.id AS id, st.title AS title, st.first_seen AS first_seen, st.last_seen AS last_seen, "
        "(SELECT COUNT(*) FROM story_articles x WHERE x.story_id = st.id) AS articles, ts.score AS score, ts.linked_to AS linked_to "
        "FROM thread_stories ts JOIN stories st ON st.id = ts.story_id WHERE ts.thread_id = ? "
        "ORDER BY st.first_seen IS NULL, st.first_seen, st.id", (thread_id,),
    )]  # fmt: skip
    return {**dict(t), "story_list": stories}


@router.get("/outlets", response_model=models.Items[models.Outlet], summary="Outlets with their stored articles")
def list_outlets(request: Request) -> Any:
    return {"items": _cached(request, q.outlet_counts)}


@router.get("/blocs", response_model=models.Items[models.Bloc], summary="Outlet blocs by country or region and kind")
def list_blocs(request: Request) -> Any:
    return {"items": _cached(request, analysis.outlet_blocs)}


@router.get("/compare", response_model=models.Comparison, summary="Compare two or more sides (outlets or blocs)")
def compare(
    request: Request,
    side: Annotated[list[str], Query(min_length=2, max_length=6, description="A side: a bloc id (RU/state-controlled) or outlet=…;country=…;kind=…")],
    story: Annotated[int | None, Query(ge=0, le=2**62)] = None, thread: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    actor: Text = None, since: Date = None, until: Date = None,
    top: Annotated[int, Query(ge=1, le=100)] = 20, words: Annotated[int, Query(ge=0, le=200)] = 25, evidence: Evidence = 0,
) -> Any:  # fmt: skip
    sides = [analysis.parse_side(s[:500]) for s in side]
    return _analysis(request, lambda s: analysis.compare(s, sides=sides, story=story, thread=thread, actor=actor, since=since,
                                                       until=until, top=top, words=words, evidence=evidence))  # fmt: skip


@router.get("/network", response_model=models.Network, summary="Actor network: events and co-quotation as typed edges",
            responses={200: {"content": {"application/graphml+xml": {}}}})  # fmt: skip
def network(
    request: Request, f: Flt,
    edge: Annotated[list[Literal["event", "co-quoted", "quoted-about"]] | None, Query(description="Edge kinds (default all).")] = None,
    event_type: Annotated[list[str] | None, Query(max_length=20)] = None,
    min_weight: Annotated[int, Query(ge=1, le=10**6)] = 1, max_edges: Annotated[int, Query(ge=1, le=2000)] = 200,
    evidence: Evidence = 0, format: Literal["json", "graphml"] = "json",  # noqa: A002
) -> Any:  # fmt: skip
    kinds, types = tuple(edge or analysis.EDGE_KINDS), tuple(t[:20] for t in event_type or ())
    net = _analysis(request, lambda s: analysis.network(s, filters=f, kinds=kinds, event_types=types, min_weight=min_weight,
                                                      max_edges=max_edges, evidence=evidence))  # fmt: skip
    if format == "graphml":
        return Response(export.graphml(net), media_type="application/graphml+xml",
                        headers={"content-disposition": 'attachment; filename="network.graphml"'})  # fmt: skip
    return net


@router.get("/trends", response_model=models.Trends, summary="Mentions, events and tone per actor or theme over time")
def trends(
    request: Request, f: Flt, what: Literal["actor", "theme"] = "actor", period: Literal["day", "week", "month"] = "week",
    key: Annotated[list[str] | None, Query(max_length=50, description="Actors (ids or names) or theme ids.")] = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:  # fmt: skip
    keys = [k[:200] for k in key] if key else None
    return _analysis(request, lambda s: analysis.trends(s, what, period, keys=keys, top=top, filters=f))


def install(app: FastAPI) -> None:
    app.include_router(router)

    @app.exception_handler(q.QueryError)
    @app.exception_handler(analysis.SideError)
    async def bad_request(request: Request, exc: Exception) -> Any:
        from .app import SafeJSONResponse

        return SafeJSONResponse({"detail": str(exc)}, status_code=400)
